//! COQL, Bigin's query language: `select Last_Name, Account_Name.Account_Name from Contacts
//! where (Email like '%@zylker.com' and Owner = '...') or Mailing_City in ('Austin', 'Boston')
//! order by Modified_Time desc, Last_Name limit 200 offset 0`. Keywords ignore case.
//!
//! [`parse_syntax`] reads the text into a [`Query`] (which prints back to text that parses to
//! the same query); [`lower`] checks it against the organization's schema and builds what the
//! store runs: a [`Condition`], sort keys, limit and offset.

use std::fmt;

use serde_json::Value;

use crate::errors::ErrorCode;
use crate::modules::{LookupTarget, Module, Schema};
use crate::query::{self, Cmp, Column, Condition, Kind, Order, QueryError, Target, Test};

/// Rows one call returns at most (and by default).
pub const MAX_LIMIT: u64 = 200;
/// Rows reachable through `offset` + `limit`.
pub const MAX_ROWS: u64 = 10_000;
pub const MAX_SELECT: usize = 50;
pub const MAX_CONDITIONS: usize = 25;
pub const MAX_DEPTH: usize = 25;
pub const MAX_LENGTH: usize = 20_000;

/// A field as a query names it: `Last_Name`, or `Account_Name.Account_Name` through a lookup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldRef {
    pub name: String,
    pub via: Option<String>,
}

impl fmt::Display for FieldRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.via {
            Some(inner) => write!(f, "{}.{inner}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Literal {
    Str(String),
    Num(String),
    Bool(bool),
    /// A bare word used as a value (`Lead_Source = Advertisement`).
    Word(String),
}

impl Literal {
    fn text(&self) -> String {
        match self {
            Self::Str(s) | Self::Num(s) | Self::Word(s) => s.clone(),
            Self::Bool(b) => b.to_string(),
        }
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Str(s) => write!(f, "'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
            Self::Num(n) | Self::Word(n) => f.write_str(n),
            Self::Bool(b) => write!(f, "{b}"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    Like,
    NotLike,
    In,
    NotIn,
    Between,
    NotBetween,
    IsNull,
    IsNotNull,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Eq => "=",
            Self::Ne => "!=",
            Self::Gt => ">",
            Self::Ge => ">=",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Like => "like",
            Self::NotLike => "not like",
            Self::In => "in",
            Self::NotIn => "not in",
            Self::Between => "between",
            Self::NotBetween => "not between",
            Self::IsNull => "is null",
            Self::IsNotNull => "is not null",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    Cond { field: FieldRef, op: Op, values: Vec<Literal> },
    All(Vec<Expr>),
    Any(Vec<Expr>),
}

impl Expr {
    fn conditions(&self) -> usize {
        match self {
            Self::Cond { .. } => 1,
            Self::All(items) | Self::Any(items) => items.iter().map(Self::conditions).sum(),
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Cond { field, op, values } => match op {
                Op::IsNull | Op::IsNotNull => write!(f, "{field} {}", op.as_str()),
                Op::In | Op::NotIn => {
                    let items: Vec<String> = values.iter().map(ToString::to_string).collect();
                    write!(f, "{field} {} ({})", op.as_str(), items.join(", "))
                }
                Op::Between | Op::NotBetween => write!(f, "{field} {} {} and {}", op.as_str(), values[0], values[1]),
                _ => write!(f, "{field} {} {}", op.as_str(), values[0]),
            },
            Self::All(items) | Self::Any(items) => {
                let word = if matches!(self, Self::All(_)) { " and " } else { " or " };
                let parts: Vec<String> = items.iter().map(ToString::to_string).collect();
                write!(f, "({})", parts.join(word))
            }
        }
    }
}

/// A query as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    pub select: Vec<FieldRef>,
    pub from: String,
    pub filter: Option<Expr>,
    pub order: Vec<(FieldRef, bool)>,
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fields: Vec<String> = self.select.iter().map(ToString::to_string).collect();
        write!(f, "select {} from {}", fields.join(", "), self.from)?;
        if let Some(filter) = &self.filter {
            write!(f, " where {filter}")?;
        }
        if !self.order.is_empty() {
            let keys: Vec<String> = self.order.iter().map(|(k, desc)| format!("{k} {}", if *desc { "desc" } else { "asc" })).collect();
            write!(f, " order by {}", keys.join(", "))?;
        }
        if let Some(limit) = self.limit {
            write!(f, " limit {limit}")?;
        }
        if let Some(offset) = self.offset {
            write!(f, " offset {offset}")?;
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(String),
    Sym(&'static str),
    End,
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    /// Character index where it starts.
    at: usize,
    text: String,
}

fn syntax_error(text: &[char], at: usize, near: &str, expected: &str) -> QueryError {
    let before = &text[..at.min(text.len())];
    let line = before.iter().filter(|c| **c == '\n').count() + 1;
    let column = before.iter().rev().take_while(|c| **c != '\n').count() + 1;
    let mut err = QueryError::new(
        ErrorCode::SyntaxError,
        &[("line", Value::from(line)), ("column", Value::from(column)), ("near", Value::from(near))],
    );
    err.message = format!("error occurred while parsing the query: expected {expected} near '{near}' at line {line}, column {column}");
    err
}

fn tokenize(text: &[char]) -> Result<Vec<Token>, QueryError> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let c = text[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let tok = if c == '\'' {
            i += 1;
            let mut s = String::new();
            loop {
                match text.get(i) {
                    None => return Err(syntax_error(text, start, &text[start..].iter().take(20).collect::<String>(), "a closing quote")),
                    Some('\\') if matches!(text.get(i + 1), Some('\'') | Some('\\')) => {
                        s.push(text[i + 1]);
                        i += 2;
                    }
                    Some('\'') if text.get(i + 1) == Some(&'\'') => {
                        s.push('\'');
                        i += 2;
                    }
                    Some('\'') => {
                        i += 1;
                        break;
                    }
                    Some(other) => {
                        s.push(*other);
                        i += 1;
                    }
                }
            }
            Tok::Str(s)
        } else if c.is_ascii_digit() || (c == '-' && text.get(i + 1).is_some_and(char::is_ascii_digit)) {
            i += 1;
            while text.get(i).is_some_and(|c| c.is_ascii_digit()) {
                i += 1;
            }
            if text.get(i) == Some(&'.') && text.get(i + 1).is_some_and(char::is_ascii_digit) {
                i += 1;
                while text.get(i).is_some_and(|c| c.is_ascii_digit()) {
                    i += 1;
                }
            }
            Tok::Num(text[start..i].iter().collect())
        } else if c.is_ascii_alphabetic() || c == '_' || c == '$' {
            while text.get(i).is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '$') {
                i += 1;
            }
            Tok::Ident(text[start..i].iter().collect())
        } else {
            let two: String = text[i..(i + 2).min(text.len())].iter().collect();
            let sym: &'static str = match two.as_str() {
                "!=" => "!=",
                "<>" => "!=",
                "<=" => "<=",
                ">=" => ">=",
                _ => match c {
                    '=' => "=",
                    '<' => "<",
                    '>' => ">",
                    '(' => "(",
                    ')' => ")",
                    ',' => ",",
                    '.' => ".",
                    ';' => ";",
                    _ => return Err(syntax_error(text, start, &c.to_string(), "a field, value or operator")),
                },
            };
            i += if matches!(two.as_str(), "!=" | "<>" | "<=" | ">=") { 2 } else { 1 };
            Tok::Sym(sym)
        };
        out.push(Token { tok, at: start, text: text[start..i].iter().collect() });
    }
    out.push(Token { tok: Tok::End, at: text.len(), text: String::new() });
    Ok(out)
}

struct Parser<'a> {
    text: &'a [char],
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn error(&self, expected: &str) -> QueryError {
        let t = self.peek();
        let near = if t.tok == Tok::End { "end of query".to_string() } else { t.text.clone() };
        syntax_error(self.text, t.at, &near, expected)
    }

    fn is_kw(&self, word: &str) -> bool {
        matches!(&self.peek().tok, Tok::Ident(s) if s.eq_ignore_ascii_case(word))
    }

    fn kw(&mut self, word: &str) -> Result<(), QueryError> {
        if self.is_kw(word) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(word))
        }
    }

    fn sym(&mut self, s: &str) -> Result<(), QueryError> {
        if self.is_sym(s) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(s))
        }
    }

    fn is_sym(&self, s: &str) -> bool {
        matches!(&self.peek().tok, Tok::Sym(x) if *x == s)
    }

    fn field(&mut self) -> Result<FieldRef, QueryError> {
        let name = match &self.peek().tok {
            Tok::Ident(s) if !is_reserved(s) => s.clone(),
            _ => return Err(self.error("a field name")),
        };
        self.pos += 1;
        let via = if self.is_sym(".") {
            self.pos += 1;
            match &self.peek().tok {
                Tok::Ident(s) => {
                    let s = s.clone();
                    self.pos += 1;
                    Some(s)
                }
                _ => return Err(self.error("a field name after .")),
            }
        } else {
            None
        };
        Ok(FieldRef { name, via })
    }

    fn number(&mut self, what: &str) -> Result<u64, QueryError> {
        match &self.peek().tok {
            Tok::Num(n) => match n.parse::<u64>() {
                Ok(v) => {
                    self.pos += 1;
                    Ok(v)
                }
                Err(_) => Err(self.error(what)),
            },
            _ => Err(self.error(what)),
        }
    }

    fn query(&mut self) -> Result<Query, QueryError> {
        self.kw("select")?;
        let mut select = vec![self.field()?];
        while self.is_sym(",") {
            self.pos += 1;
            select.push(self.field()?);
        }
        self.kw("from")?;
        let from = match &self.peek().tok {
            Tok::Ident(s) if !is_reserved(s) => s.clone(),
            _ => return Err(self.error("a module name")),
        };
        self.pos += 1;
        let mut q = Query { select, from, filter: None, order: Vec::new(), limit: None, offset: None };
        if self.is_kw("where") {
            self.pos += 1;
            q.filter = Some(self.or_expr(0)?);
        }
        if self.is_kw("order") {
            self.pos += 1;
            self.kw("by")?;
            loop {
                let key = self.field()?;
                let desc = if self.is_kw("desc") {
                    self.pos += 1;
                    true
                } else {
                    if self.is_kw("asc") {
                        self.pos += 1;
                    }
                    false
                };
                q.order.push((key, desc));
                if !self.is_sym(",") {
                    break;
                }
                self.pos += 1;
            }
        }
        if self.is_kw("limit") {
            self.pos += 1;
            let first = self.number("a whole number after limit")?;
            if self.is_sym(",") {
                // `limit offset, count`
                self.pos += 1;
                q.offset = Some(first);
                q.limit = Some(self.number("a whole number")?);
            } else {
                q.limit = Some(first);
            }
        }
        if self.is_kw("offset") && q.offset.is_none() {
            self.pos += 1;
            q.offset = Some(self.number("a whole number after offset")?);
        }
        if self.is_sym(";") {
            self.pos += 1;
        }
        if self.peek().tok != Tok::End {
            let expected = if q.filter.is_some() { "and, or, order by, limit or the end" } else { "where, order by, limit or the end" };
            return Err(self.error(expected));
        }
        Ok(q)
    }

    fn or_expr(&mut self, depth: usize) -> Result<Expr, QueryError> {
        let mut items = vec![self.and_expr(depth)?];
        while self.is_kw("or") {
            self.pos += 1;
            items.push(self.and_expr(depth)?);
        }
        Ok(if items.len() == 1 { items.pop().expect("one") } else { Expr::Any(items) })
    }

    fn and_expr(&mut self, depth: usize) -> Result<Expr, QueryError> {
        let mut items = vec![self.primary(depth)?];
        while self.is_kw("and") {
            self.pos += 1;
            items.push(self.primary(depth)?);
        }
        Ok(if items.len() == 1 { items.pop().expect("one") } else { Expr::All(items) })
    }

    fn primary(&mut self, depth: usize) -> Result<Expr, QueryError> {
        if self.is_sym("(") {
            if depth >= MAX_DEPTH {
                return Err(self.error("fewer nested parentheses"));
            }
            self.pos += 1;
            let inner = self.or_expr(depth + 1)?;
            self.sym(")")?;
            return Ok(inner);
        }
        self.condition()
    }

    fn value(&mut self) -> Result<Literal, QueryError> {
        let lit = match &self.peek().tok {
            Tok::Str(s) => Literal::Str(s.clone()),
            Tok::Num(n) => Literal::Num(n.clone()),
            Tok::Ident(w) if w.eq_ignore_ascii_case("true") => Literal::Bool(true),
            Tok::Ident(w) if w.eq_ignore_ascii_case("false") => Literal::Bool(false),
            Tok::Ident(w) if !is_reserved(w) => Literal::Word(w.clone()),
            _ => return Err(self.error("a value")),
        };
        self.pos += 1;
        Ok(lit)
    }

    fn condition(&mut self) -> Result<Expr, QueryError> {
        let field = self.field()?;
        let t = self.peek().clone();
        let cond = |op: Op, values: Vec<Literal>| Expr::Cond { field: field.clone(), op, values };
        match &t.tok {
            Tok::Sym(s) if matches!(*s, "=" | "!=" | ">" | ">=" | "<" | "<=") => {
                self.pos += 1;
                let op = match *s {
                    "=" => Op::Eq,
                    "!=" => Op::Ne,
                    ">" => Op::Gt,
                    ">=" => Op::Ge,
                    "<" => Op::Lt,
                    _ => Op::Le,
                };
                Ok(cond(op, vec![self.value()?]))
            }
            Tok::Ident(w) if w.eq_ignore_ascii_case("is") => {
                self.pos += 1;
                let negated = self.is_kw("not");
                if negated {
                    self.pos += 1;
                }
                self.kw("null")?;
                Ok(cond(if negated { Op::IsNotNull } else { Op::IsNull }, vec![]))
            }
            Tok::Ident(w) if ["not", "like", "in", "between"].iter().any(|k| w.eq_ignore_ascii_case(k)) => {
                let negated = w.eq_ignore_ascii_case("not");
                if negated {
                    self.pos += 1;
                }
                if self.is_kw("like") {
                    self.pos += 1;
                    return Ok(cond(if negated { Op::NotLike } else { Op::Like }, vec![self.value()?]));
                }
                if self.is_kw("in") {
                    self.pos += 1;
                    self.sym("(")?;
                    let mut values = vec![self.value()?];
                    while self.is_sym(",") {
                        self.pos += 1;
                        values.push(self.value()?);
                    }
                    self.sym(")")?;
                    return Ok(cond(if negated { Op::NotIn } else { Op::In }, values));
                }
                if self.is_kw("between") {
                    self.pos += 1;
                    let lo = self.value()?;
                    self.kw("and")?;
                    let hi = self.value()?;
                    return Ok(cond(if negated { Op::NotBetween } else { Op::Between }, vec![lo, hi]));
                }
                Err(self.error("like, in or between"))
            }
            _ => Err(self.error("a comparison operator")),
        }
    }
}

const RESERVED: &[&str] = &[
    "select", "from", "where", "and", "or", "order", "by", "asc", "desc", "limit", "offset", "like", "in", "not", "between", "is", "null",
];

fn is_reserved(word: &str) -> bool {
    RESERVED.iter().any(|r| r.eq_ignore_ascii_case(word))
}

/// Reads a `select_query` into its parts, or says where it stops making sense.
pub fn parse_syntax(text: &str) -> Result<Query, QueryError> {
    if text.chars().count() > MAX_LENGTH {
        let mut err = QueryError::limit(&[("param", Value::from("select_query")), ("limit", Value::from(MAX_LENGTH))]);
        err.message = format!("the query is longer than {MAX_LENGTH} characters");
        return Err(err);
    }
    let chars: Vec<char> = text.chars().collect();
    let tokens = tokenize(&chars)?;
    Parser { text: &chars, tokens, pos: 0 }.query()
}

/// A column of the answer: the name it shows under, and where its value comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct Selected {
    /// As written: `Last_Name`, `Account_Name.Account_Name`.
    pub label: String,
    /// The field of the queried module (for a lookup traversal, the lookup).
    pub field: String,
    /// Through a lookup: the module it points into and the field read there.
    pub via: Option<(String, String)>,
}

/// A query checked against the schema: what the store runs and what the answer shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub module: &'static str,
    pub columns: Vec<Selected>,
    pub condition: Option<Condition>,
    pub order: Vec<Order>,
    pub limit: u64,
    pub offset: u64,
}

fn invalid_column(column: &str) -> QueryError {
    QueryError::invalid("column given seems to be invalid", &[("column_name", column)])
}

fn limit_error(clause: &str, limit: u64, message: String) -> QueryError {
    let mut err = QueryError::limit(&[("clause", Value::from(clause)), ("limit", Value::from(limit))]);
    err.message = message;
    err
}

/// The module a query reads, resolved in `schema` (so that the caller's scope can be checked
/// before anything else about the query is revealed).
pub fn module_of<'s>(schema: &'s Schema, query: &Query) -> Result<&'s Module, QueryError> {
    schema
        .module(&query.from)
        .filter(|m| m.api_supported)
        .ok_or_else(|| QueryError::invalid("the module name given seems to be invalid", &[("module", &query.from)]))
}

/// Where a lookup field points, when it points at records of one module.
fn lookup_module<'s>(schema: &'s Schema, module: &Module, field: &str) -> Option<&'s Module> {
    match &module.field(field)?.lookup {
        Some(LookupTarget::Module(target)) => schema.module(target),
        _ => None,
    }
}

fn target_of(schema: &Schema, module: &Module, field: &FieldRef) -> Result<(Target, &'static str), QueryError> {
    let label = field.to_string();
    match &field.via {
        None => {
            if module.field(&field.name).is_none() && !matches!(field.name.as_str(), "id" | "Created_Time" | "Modified_Time") {
                return Err(invalid_column(&label));
            }
            query::resolve(module, &field.name)
                .ok_or_else(|| QueryError::invalid("the column cannot be used in where or order by", &[("column_name", &label)]))
        }
        Some(inner) => {
            let target_module = lookup_module(schema, module, &field.name).ok_or_else(|| invalid_column(&label))?;
            if target_module.field(inner).is_none() && !matches!(inner.as_str(), "id" | "Created_Time" | "Modified_Time") {
                return Err(invalid_column(&label));
            }
            let (inner_target, data_type) = query::resolve(target_module, inner)
                .ok_or_else(|| QueryError::invalid("the column cannot be used in where or order by", &[("column_name", &label)]))?;
            Ok((
                Target::Via { lookup: field.name.clone(), module: target_module.api_name.to_string(), inner: Box::new(inner_target) },
                data_type,
            ))
        }
    }
}

fn allowed(kind: Kind, op: Op) -> bool {
    use Op::*;
    match kind {
        Kind::Text => matches!(op, Eq | Ne | Like | NotLike | In | NotIn | IsNull | IsNotNull),
        Kind::Ref | Kind::Multi => matches!(op, Eq | Ne | In | NotIn | IsNull | IsNotNull),
        Kind::Number | Kind::Date | Kind::DateTime => !matches!(op, Like | NotLike),
        Kind::Bool => matches!(op, Eq | Ne),
    }
}

fn lower_expr(schema: &Schema, module: &Module, expr: &Expr) -> Result<Condition, QueryError> {
    match expr {
        Expr::All(items) => Ok(Condition::And(items.iter().map(|e| lower_expr(schema, module, e)).collect::<Result<_, _>>()?)),
        Expr::Any(items) => Ok(Condition::Or(items.iter().map(|e| lower_expr(schema, module, e)).collect::<Result<_, _>>()?)),
        Expr::Cond { field, op, values } => {
            let label = field.to_string();
            let (target, data_type) = target_of(schema, module, field)?;
            if !allowed(target.kind(), *op) {
                return Err(QueryError::invalid("invalid operator found", &[("column_name", &label), ("operator", op.as_str())]));
            }
            let parse = |lit: &Literal| {
                let raw = lit.text();
                query::parse_scalar(&target, data_type, &raw).ok_or_else(|| {
                    QueryError::invalid("value given seems to be invalid for the column", &[("column_name", &label), ("value", &raw)])
                })
            };
            Ok(match op {
                Op::IsNull | Op::IsNotNull => Condition::leaf(target, Test::Null { is_null: *op == Op::IsNull }),
                Op::In | Op::NotIn => {
                    let scalars = values.iter().map(parse).collect::<Result<Vec<_>, _>>()?;
                    query::in_list(&target, scalars, *op == Op::NotIn)
                }
                Op::Between | Op::NotBetween => query::between(&target, parse(&values[0])?, parse(&values[1])?, *op == Op::NotBetween),
                Op::Like | Op::NotLike => {
                    let pattern = query::fold(&values[0].text());
                    let wildcards = pattern.matches('%').count();
                    if *op == Op::Like && wildcards == 1 && pattern.ends_with('%') && pattern.len() > 1 {
                        Condition::leaf(target, Test::Prefix(pattern.trim_end_matches('%').to_string()))
                    } else if *op == Op::Like && wildcards == 0 {
                        Condition::leaf(target, Test::Cmp(Cmp::Eq, query::Scalar::Text(pattern)))
                    } else {
                        Condition::leaf(target, Test::Like { pattern, negated: *op == Op::NotLike })
                    }
                }
                cmp => {
                    let cmp = match cmp {
                        Op::Eq => Cmp::Eq,
                        Op::Ne => Cmp::Ne,
                        Op::Gt => Cmp::Gt,
                        Op::Ge => Cmp::Ge,
                        Op::Lt => Cmp::Lt,
                        _ => Cmp::Le,
                    };
                    query::compare(&target, cmp, parse(&values[0])?)
                }
            })
        }
    }
}

/// Checks a parsed query against the organization's schema.
pub fn lower(schema: &Schema, q: &Query) -> Result<Plan, QueryError> {
    let module = module_of(schema, q)?;
    if q.select.len() > MAX_SELECT {
        return Err(limit_error("select", MAX_SELECT as u64, format!("at most {MAX_SELECT} fields can be selected")));
    }
    let mut columns: Vec<Selected> = Vec::new();
    for field in &q.select {
        let label = field.to_string();
        if columns.iter().any(|c| c.label == label) {
            continue;
        }
        let known = |m: &Module, name: &str| name == "id" || m.field(name).is_some();
        let via = match &field.via {
            None if known(module, &field.name) => None,
            None => return Err(invalid_column(&label)),
            Some(inner) => match lookup_module(schema, module, &field.name) {
                Some(target) if known(target, inner) => Some((target.api_name.to_string(), inner.clone())),
                _ => return Err(invalid_column(&label)),
            },
        };
        columns.push(Selected { label, field: field.name.clone(), via });
    }
    let condition = match &q.filter {
        None => None,
        Some(expr) => {
            if expr.conditions() > MAX_CONDITIONS {
                return Err(limit_error(
                    "where",
                    MAX_CONDITIONS as u64,
                    format!("at most {MAX_CONDITIONS} conditions can be used in where"),
                ));
            }
            Some(lower_expr(schema, module, expr)?)
        }
    };
    let mut order = Vec::new();
    for (key, descending) in &q.order {
        if key.via.is_some() {
            return Err(QueryError::invalid("the column cannot be used in where or order by", &[("column_name", &key.to_string())]));
        }
        let (target, _) = target_of(schema, module, key)?;
        order.push(Order { target, descending: *descending });
    }
    if order.is_empty() {
        order.push(Order { target: Target::Column(Column::Id), descending: false });
    }
    let limit = q.limit.unwrap_or(MAX_LIMIT);
    if limit > MAX_LIMIT {
        return Err(limit_error("limit", MAX_LIMIT, format!("limit can be at most {MAX_LIMIT}")));
    }
    if limit == 0 {
        return Err(QueryError::invalid("limit must be at least 1", &[("clause", "limit")]));
    }
    let offset = q.offset.unwrap_or(0);
    if offset.saturating_add(limit) > MAX_ROWS {
        return Err(limit_error("offset", MAX_ROWS, format!("offset and limit together can reach at most {MAX_ROWS} records")));
    }
    Ok(Plan { module: module.api_name, columns, condition, order, limit, offset })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Id;
    use crate::query::Scalar;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    fn schema() -> Schema {
        Schema::default_for(Id::from_i64(1_000_000_000_000_000_001))
    }

    fn plan(text: &str) -> Result<Plan, QueryError> {
        let schema = schema();
        lower(&schema, &parse_syntax(text)?)
    }

    #[test]
    fn accepted_queries() {
        let p = plan("SELECT Last_Name, Account_Name.Account_Name FROM contacts WHERE Email LIKE 'ted%' ORDER BY Modified_Time DESC, Last_Name LIMIT 5 OFFSET 10").unwrap();
        assert_eq!(p.module, "Contacts");
        assert_eq!(p.columns[1].via, Some(("Accounts".into(), "Account_Name".into())));
        assert_eq!(p.condition, Some(Condition::leaf(Target::Field { key: "Email".into(), kind: Kind::Text }, Test::Prefix("ted".into()))));
        assert_eq!(p.order.len(), 2);
        assert!(p.order[0].descending);
        assert_eq!((p.limit, p.offset), (5, 10));
        let p = plan("select id from Contacts").unwrap();
        assert_eq!(p.order, vec![Order { target: Target::Column(Column::Id), descending: false }]);
        assert_eq!((p.limit, p.offset), (200, 0));
        for ok in [
            "select Last_Name from Contacts where Last_Name = 'O\\'Brien' or Last_Name = 'O''Brien'",
            "select Last_Name from Contacts where (Last_Name is null and Email is not null) or First_Name not in ('a', 'b')",
            "select Deal_Name from Pipelines where Amount between 10 and 20.5 and Stage = 'Qualification'",
            "select Deal_Name from Pipelines where Amount not between -1 and 1 limit 10, 20;",
            "select Last_Name from Contacts where Email_Opt_Out = false and Created_Time >= '2026-01-01T00:00:00+00:00'",
            "select Last_Name from Contacts where Account_Name.Account_Name like '%corp%' and Owner != '1000000000000000001'",
            "select Last_Name from Contacts where Last_Name not like '%x'",
            "select Product_Name from Products where Product_Category = Hardware",
        ] {
            assert!(plan(ok).is_ok(), "{ok}: {:?}", plan(ok));
        }
        let p = plan("select Last_Name from Contacts where Email_Opt_Out = true").unwrap();
        assert_eq!(
            p.condition,
            Some(Condition::leaf(Target::Field { key: "Email_Opt_Out".into(), kind: Kind::Bool }, Test::Cmp(Cmp::Eq, Scalar::Bool(true))))
        );
    }

    /// Every refusal, with its exact code and details.
    #[test]
    fn refused_queries() {
        type Case<'a> = (&'a str, ErrorCode, &'a [(&'a str, Value)]);
        let cases: &[Case] = &[
            ("select from Contacts", ErrorCode::SyntaxError, &[("near", "from".into()), ("column", 8.into()), ("line", 1.into())]),
            ("select Last_Name Contacts", ErrorCode::SyntaxError, &[("near", "Contacts".into()), ("column", 18.into())]),
            ("select Last_Name from Contacts where", ErrorCode::SyntaxError, &[("near", "end of query".into())]),
            ("select Last_Name from Contacts where Last_Name == 'x'", ErrorCode::SyntaxError, &[("near", "=".into())]),
            ("select Last_Name from Contacts where Last_Name = 'x", ErrorCode::SyntaxError, &[("near", "'x".into())]),
            (
                "select Last_Name from Contacts\nwhere (Last_Name = 'x'",
                ErrorCode::SyntaxError,
                &[("line", 2.into()), ("near", "end of query".into())],
            ),
            ("select * from Contacts", ErrorCode::SyntaxError, &[("near", "*".into())]),
            ("select Last_Name from Contacts limit 1.5", ErrorCode::SyntaxError, &[("near", "1.5".into())]),
            ("select Last_Name from Contacts order Last_Name", ErrorCode::SyntaxError, &[("near", "Last_Name".into())]),
            ("delete from Contacts", ErrorCode::SyntaxError, &[("near", "delete".into())]),
            (
                "select Last_Name from Leads",
                ErrorCode::InvalidQuery,
                &[("reason", "the module name given seems to be invalid".into()), ("module", "Leads".into())],
            ),
            (
                "select Nope from Contacts",
                ErrorCode::InvalidQuery,
                &[("reason", "column given seems to be invalid".into()), ("column_name", "Nope".into())],
            ),
            ("select Owner.Nope from Contacts", ErrorCode::InvalidQuery, &[("column_name", "Owner.Nope".into())]),
            ("select Account_Name.Nope from Contacts", ErrorCode::InvalidQuery, &[("column_name", "Account_Name.Nope".into())]),
            ("select id from Contacts where Nope = 'x'", ErrorCode::InvalidQuery, &[("column_name", "Nope".into())]),
            (
                "select id from Contacts where Description = 'x'",
                ErrorCode::InvalidQuery,
                &[("reason", "the column cannot be used in where or order by".into()), ("column_name", "Description".into())],
            ),
            (
                "select id from Contacts where Last_Name > 'x'",
                ErrorCode::InvalidQuery,
                &[("reason", "invalid operator found".into()), ("column_name", "Last_Name".into()), ("operator", ">".into())],
            ),
            ("select id from Contacts where Account_Name like '1%'", ErrorCode::InvalidQuery, &[("operator", "like".into())]),
            (
                "select id from Contacts where Email_Opt_Out = 'maybe'",
                ErrorCode::InvalidQuery,
                &[("reason", "value given seems to be invalid for the column".into()), ("value", "maybe".into())],
            ),
            (
                "select id from Contacts where Created_Time > '2026-13-01'",
                ErrorCode::InvalidQuery,
                &[("column_name", "Created_Time".into())],
            ),
            (
                "select id from Contacts order by Account_Name.Account_Name",
                ErrorCode::InvalidQuery,
                &[("column_name", "Account_Name.Account_Name".into())],
            ),
            ("select id from Contacts limit 201", ErrorCode::LimitExceeded, &[("clause", "limit".into()), ("limit", 200.into())]),
            (
                "select id from Contacts limit 200 offset 9801",
                ErrorCode::LimitExceeded,
                &[("clause", "offset".into()), ("limit", 10000.into())],
            ),
            ("select id from Contacts limit 0", ErrorCode::InvalidQuery, &[("reason", "limit must be at least 1".into())]),
        ];
        for (text, code, details) in cases {
            let err = plan(text).unwrap_err();
            assert_eq!(err.code, *code, "{text}: {err:?}");
            for (k, v) in *details {
                assert_eq!(&err.details[*k], v, "{text}: {:?}", err.details);
            }
        }
        let err = plan("select id from Contacts limit 201").unwrap_err();
        assert_eq!(err.message, "limit can be at most 200");
        let err = plan("select Last_Name Contacts").unwrap_err();
        assert_eq!(err.message, "error occurred while parsing the query: expected from near 'Contacts' at line 1, column 18");
        let where26 = (0..26).map(|i| format!("Last_Name = 'n{i}'")).collect::<Vec<_>>().join(" or ");
        let err = plan(&format!("select id from Contacts where {where26}")).unwrap_err();
        assert_eq!(
            (err.code, err.details["clause"].clone(), err.details["limit"].clone()),
            (ErrorCode::LimitExceeded, "where".into(), 25.into())
        );
        let fields51 = (0..51).map(|i| format!("F{i}")).collect::<Vec<_>>().join(", ");
        assert_eq!(plan(&format!("select {fields51} from Contacts")).unwrap_err().details["clause"], "select");
    }

    const WORDS: &[&str] = &[
        "select",
        "from",
        "where",
        "and",
        "or",
        "order",
        "by",
        "limit",
        "offset",
        "in",
        "not",
        "like",
        "is",
        "null",
        "between",
        "Last_Name",
        "Contacts",
        "Email",
        "(",
        ")",
        ",",
        "'x'",
        "'",
        "=",
        "!=",
        ">=",
        "12",
        "-3.5",
        ".",
        "Account_Name",
        "desc",
        ";",
        "é",
    ];

    #[test]
    fn property_never_panics_on_any_text() {
        let schema = schema();
        let mut rng = StdRng::seed_from_u64(3);
        for _ in 0..20_000 {
            let n = rng.gen_range(0..25);
            let mut text = String::from(if rng.gen_bool(0.7) { "select Last_Name from Contacts where " } else { "" });
            for _ in 0..n {
                text.push_str(WORDS[rng.gen_range(0..WORDS.len())]);
                if rng.gen_bool(0.8) {
                    text.push(' ');
                }
            }
            if let Ok(q) = parse_syntax(&text) {
                let _ = lower(&schema, &q);
            }
        }
        let deep = format!("select id from Contacts where {}Last_Name = 'x'{}", "(".repeat(3000), ")".repeat(3000));
        assert_eq!(plan(&deep).unwrap_err().code, ErrorCode::SyntaxError);
    }

    fn random_literal(rng: &mut StdRng) -> Literal {
        match rng.gen_range(0..4) {
            0 => {
                let chars = ['a', '\'', '\\', ' ', '%', 'é', ')', ','];
                Literal::Str((0..rng.gen_range(0..6)).map(|_| chars[rng.gen_range(0..chars.len())]).collect())
            }
            1 => Literal::Num(format!("{}", rng.gen_range(-50i32..50))),
            2 => Literal::Bool(rng.gen_bool(0.5)),
            _ => Literal::Word("Hardware".into()),
        }
    }

    fn random_expr(rng: &mut StdRng, depth: usize) -> Expr {
        if depth >= 3 || rng.gen_bool(0.4) {
            let field = FieldRef { name: "Last_Name".into(), via: rng.gen_bool(0.2).then(|| "Account_Name".into()) };
            let ops = [
                Op::Eq,
                Op::Ne,
                Op::Gt,
                Op::Le,
                Op::Like,
                Op::NotLike,
                Op::In,
                Op::NotIn,
                Op::Between,
                Op::NotBetween,
                Op::IsNull,
                Op::IsNotNull,
            ];
            let op = ops[rng.gen_range(0..ops.len())];
            let values = match op {
                Op::IsNull | Op::IsNotNull => vec![],
                Op::In | Op::NotIn => (0..rng.gen_range(1..4)).map(|_| random_literal(rng)).collect(),
                Op::Between | Op::NotBetween => vec![random_literal(rng), random_literal(rng)],
                _ => vec![random_literal(rng)],
            };
            return Expr::Cond { field, op, values };
        }
        let items = (0..rng.gen_range(2..4)).map(|_| random_expr(rng, depth + 1)).collect();
        if rng.gen_bool(0.5) {
            Expr::All(items)
        } else {
            Expr::Any(items)
        }
    }

    #[test]
    fn property_printing_then_parsing_gives_the_same_query() {
        let mut rng = StdRng::seed_from_u64(5);
        for _ in 0..5_000 {
            let q = Query {
                select: vec![
                    FieldRef { name: "Last_Name".into(), via: None },
                    FieldRef { name: "Account_Name".into(), via: Some("Phone".into()) },
                ],
                from: "Contacts".into(),
                filter: rng.gen_bool(0.8).then(|| random_expr(&mut rng, 0)),
                order: if rng.gen_bool(0.5) {
                    vec![(FieldRef { name: "Modified_Time".into(), via: None }, rng.gen_bool(0.5))]
                } else {
                    vec![]
                },
                limit: rng.gen_bool(0.5).then(|| rng.gen_range(1..300)),
                offset: rng.gen_bool(0.3).then(|| rng.gen_range(0..100)),
            };
            let text = q.to_string();
            assert_eq!(parse_syntax(&text).unwrap(), q, "{text}");
        }
    }
}
