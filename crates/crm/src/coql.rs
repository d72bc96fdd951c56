//! COQL, Bigin's query language: `select Last_Name, Account_Name.Account_Name from Contacts
//! where (Email like '%@zylker.com' and Owner = '...') or Mailing_City in ('Austin', 'Boston')
//! order by Modified_Time desc, Last_Name limit 200 offset 0`. Keywords ignore case.
//!
//! As Zoho's COQL: `where` is required (`missing clause` otherwise), and `and`/`or` join two
//! operands only, so three or more conditions are grouped in pairs with parentheses
//! (`((A and B) and C)`); `in` takes at most 50 values; no aggregate functions.
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
/// Values `in` and `not in` take at most (Zoho's COQL limitations page).
pub const MAX_IN_VALUES: usize = 50;
/// Parentheses nest at most this deep: 25 conditions grouped in pairs need 24 levels.
pub const MAX_DEPTH: usize = 32;
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
                // Parsed groups hold two operands; longer ones print as nested pairs, since
                // COQL joins only two operands without parentheses.
                let word = if matches!(self, Self::All(_)) { " and " } else { " or " };
                let mut text = items.first().map(ToString::to_string).unwrap_or_default();
                for item in items.iter().skip(1) {
                    text = format!("({text}{word}{item})");
                }
                f.write_str(&text)
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
        let tok = if c == '\'' || c == '"' {
            // Single or double quotes (Zoho takes both); `\` escapes the quote and itself, and a
            // doubled quote stands for one.
            let quote = c;
            i += 1;
            let mut s = String::new();
            loop {
                match text.get(i) {
                    None => return Err(syntax_error(text, start, &text[start..].iter().take(20).collect::<String>(), "a closing quote")),
                    Some('\\') if matches!(text.get(i + 1), Some(&q) if q == quote || q == '\\') => {
                        s.push(text[i + 1]);
                        i += 2;
                    }
                    Some(&q) if q == quote && text.get(i + 1) == Some(&quote) => {
                        s.push(quote);
                        i += 2;
                    }
                    Some(&q) if q == quote => {
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

    /// A column of `select`: a field as in [`Parser::field`], or one in quotes (Zoho's way to
    /// name a field that is also a reserved word: `'External'`). A function call is refused:
    /// Bigin's COQL has no aggregate functions.
    fn select_item(&mut self) -> Result<FieldRef, QueryError> {
        if let Tok::Str(quoted) = &self.peek().tok {
            let mut parts = quoted.splitn(2, '.');
            let name = parts.next().unwrap_or_default().to_string();
            let via = parts.next().map(str::to_string);
            let plain = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
            if !plain(&name) || via.as_deref().is_some_and(|v| !plain(v)) {
                return Err(self.error("a field name"));
            }
            self.pos += 1;
            return Ok(FieldRef { name, via });
        }
        let at = self.pos;
        let field = self.field()?;
        if self.is_sym("(") {
            self.pos = at;
            return Err(self.error("a field name (aggregate functions are not supported)"));
        }
        Ok(field)
    }

    fn query(&mut self) -> Result<Query, QueryError> {
        self.kw("select")?;
        let mut select = vec![self.select_item()?];
        while self.is_sym(",") {
            self.pos += 1;
            select.push(self.select_item()?);
        }
        self.kw("from")?;
        let from = match &self.peek().tok {
            Tok::Ident(s) if !is_reserved(s) => s.clone(),
            _ => return Err(self.error("a module name")),
        };
        self.pos += 1;
        let mut q = Query { select, from, filter: None, order: Vec::new(), limit: None, offset: None };
        if !self.is_kw("where") {
            // Zoho answers a query without `where` so, whatever follows.
            if self.peek().tok == Tok::End || ["order", "limit", "offset"].iter().any(|k| self.is_kw(k)) || self.is_sym(";") {
                let mut err = QueryError::new(ErrorCode::SyntaxError, &[("clause", Value::from("where"))]);
                err.message = "missing clause".into();
                return Err(err);
            }
            return Err(self.error("where"));
        }
        self.pos += 1;
        q.filter = Some(self.expr(0)?);
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
            let expected = match q.filter {
                Some(Expr::Cond { .. }) if q.order.is_empty() && q.limit.is_none() && q.offset.is_none() => {
                    "and, or, order by, limit, offset or the end of the query"
                }
                _ => "order by, limit, offset or the end of the query",
            };
            return Err(self.error(expected));
        }
        Ok(q)
    }

    /// `operand [and|or operand]`: one conjunction joins two operands; a third needs
    /// parentheses, as Zoho requires (`((A and B) and C)`).
    fn expr(&mut self, depth: usize) -> Result<Expr, QueryError> {
        let left = self.operand(depth)?;
        let is_and = if self.is_kw("and") {
            true
        } else if self.is_kw("or") {
            false
        } else {
            return Ok(left);
        };
        self.pos += 1;
        let right = self.operand(depth)?;
        if self.is_kw("and") || self.is_kw("or") {
            return Err(self.error("parentheses around each pair of conditions, as in ((A and B) and C)"));
        }
        Ok(if is_and { Expr::All(vec![left, right]) } else { Expr::Any(vec![left, right]) })
    }

    fn operand(&mut self, depth: usize) -> Result<Expr, QueryError> {
        if self.is_sym("(") {
            if depth >= MAX_DEPTH {
                return Err(self.error("fewer nested parentheses"));
            }
            self.pos += 1;
            let inner = self.expr(depth + 1)?;
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
                    if values.len() > MAX_IN_VALUES {
                        let mut err = QueryError::limit(&[
                            ("clause", Value::from("where")),
                            ("column_name", Value::from(label.as_str())),
                            ("operator", Value::from(op.as_str())),
                            ("limit", Value::from(MAX_IN_VALUES)),
                        ]);
                        err.message = format!("{} takes at most {MAX_IN_VALUES} values", op.as_str());
                        return Err(err);
                    }
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
    use crate::modules::DataType;
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

    /// Conditions `f = 'n0' .. f = 'n{count-1}'` grouped in pairs from the left, as COQL wants.
    fn paired(count: usize, word: &str) -> String {
        let mut text = "Last_Name = 'n0'".to_string();
        for i in 1..count {
            text = format!("({text} {word} Last_Name = 'n{i}')");
        }
        text
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
        let p = plan("select id from Contacts where id is not null").unwrap();
        assert_eq!(p.order, vec![Order { target: Target::Column(Column::Id), descending: false }]);
        assert_eq!((p.limit, p.offset), (200, 0));
        let in50 = (0..50).map(|i| format!("'v{i}'")).collect::<Vec<_>>().join(", ");
        let paired25 = paired(25, "or");
        let accepted = [
            "select Last_Name from Contacts where Last_Name = 'O\\'Brien' or Last_Name = 'O''Brien'",
            "select Last_Name from Contacts where (Last_Name is null and Email is not null) or First_Name not in ('a', 'b')",
            "select Deal_Name from Pipelines where Amount between 10 and 20.5 and Stage = 'Qualification'",
            "select Deal_Name from Pipelines where Amount not between -1 and 1 limit 10, 20;",
            "select Last_Name from Contacts where Email_Opt_Out = false and Created_Time >= '2026-01-01T00:00:00+00:00'",
            "select Last_Name from Contacts where Account_Name.Account_Name like '%corp%' and Owner != '1000000000000000001'",
            "select Last_Name from Contacts where Last_Name not like '%x'",
            "select Product_Name from Products where Product_Category = Hardware",
            // Three or more conditions, grouped in pairs either way.
            "select id from Contacts where ((Last_Name = 'a' and First_Name = 'b') and Email = 'c')",
            "select id from Contacts where (Last_Name = 'a' or (First_Name = 'b' and Email = 'c'))",
            "select id from Contacts where (Last_Name = 'a' and First_Name = 'b') or (Email = 'c' and Phone = 'd')",
            // Quoted column names and double-quoted values.
            "select 'Last_Name', \"First_Name\", 'Account_Name.Account_Name' from Contacts where Last_Name = \"O'Brien\"",
            "select Owner, Created_By, Created_Time, id from Contacts where Owner = '1000000000000000001'",
            "select id from Contacts where Last_Name = 'x' limit 200 offset 9800",
            "select id from Contacts where Last_Name = 'x' limit 9800, 200",
        ];
        for ok in accepted {
            assert!(plan(ok).is_ok(), "{ok}: {:?}", plan(ok));
        }
        for ok in [format!("select id from Contacts where Last_Name in ({in50})"), format!("select id from Contacts where {paired25}")] {
            assert!(plan(&ok).is_ok(), "{ok}: {:?}", plan(&ok));
        }
        let q = parse_syntax("select 'Account_Name.Account_Name' from Contacts where id is not null").unwrap();
        assert_eq!(q.select, vec![FieldRef { name: "Account_Name".into(), via: Some("Account_Name".into()) }]);
        let p = plan("select Last_Name from Contacts where Email_Opt_Out = true").unwrap();
        assert_eq!(
            p.condition,
            Some(Condition::leaf(Target::Field { key: "Email_Opt_Out".into(), kind: Kind::Bool }, Test::Cmp(Cmp::Eq, Scalar::Bool(true))))
        );
    }

    fn syntax(line: u64, column: u64, near: &str, expected: &str) -> (ErrorCode, String, Value) {
        (
            ErrorCode::SyntaxError,
            format!("error occurred while parsing the query: expected {expected} near '{near}' at line {line}, column {column}"),
            serde_json::json!({"line": line, "column": column, "near": near}),
        )
    }

    fn invalid(details: Value) -> (ErrorCode, String, Value) {
        (ErrorCode::InvalidQuery, "invalid query formed".into(), details)
    }

    fn limited(message: &str, details: Value) -> (ErrorCode, String, Value) {
        (ErrorCode::LimitExceeded, message.into(), details)
    }

    /// Every refusal, with its exact code, message and details (the table in docs/api-notes.md).
    #[test]
    fn refused_queries() {
        use serde_json::json;
        let missing_where = (ErrorCode::SyntaxError, "missing clause".to_string(), json!({"clause": "where"}));
        let pairs = "parentheses around each pair of conditions, as in ((A and B) and C)";
        let in51 = (0..51).map(|i| format!("'v{i}'")).collect::<Vec<_>>().join(", ");
        let fields51 = (0..51).map(|i| format!("F{i}")).collect::<Vec<_>>().join(", ");
        let cases: Vec<(String, (ErrorCode, String, Value))> = vec![
            ("select from Contacts".into(), syntax(1, 8, "from", "a field name")),
            ("select Last_Name Contacts".into(), syntax(1, 18, "Contacts", "from")),
            ("select Last_Name from Contacts".into(), missing_where.clone()),
            ("select Last_Name from Contacts order by Last_Name".into(), missing_where.clone()),
            ("select Last_Name from Contacts limit 5".into(), missing_where.clone()),
            ("select Last_Name from Contacts;".into(), missing_where),
            ("select Last_Name from Contacts Last_Name = 'x'".into(), syntax(1, 32, "Last_Name", "where")),
            ("select Last_Name from Contacts where".into(), syntax(1, 37, "end of query", "a field name")),
            ("select Last_Name from Contacts where Last_Name == 'x'".into(), syntax(1, 49, "=", "a value")),
            ("select Last_Name from Contacts where Last_Name = 'x".into(), syntax(1, 50, "'x", "a closing quote")),
            ("select Last_Name from Contacts\nwhere (Last_Name = 'x'".into(), syntax(2, 23, "end of query", ")")),
            ("select * from Contacts where id is not null".into(), syntax(1, 8, "*", "a field, value or operator")),
            ("select Last_Name from Contacts where id is not null limit 1.5".into(), syntax(1, 59, "1.5", "a whole number after limit")),
            ("select Last_Name from Contacts where id is not null order Last_Name".into(), syntax(1, 59, "Last_Name", "by")),
            ("delete from Contacts".into(), syntax(1, 1, "delete", "select")),
            (
                "select COUNT(id) from Contacts where id is not null".into(),
                syntax(1, 8, "COUNT", "a field name (aggregate functions are not supported)"),
            ),
            (
                "select Stage, SUM(Amount) from Pipelines where id is not null".into(),
                syntax(1, 15, "SUM", "a field name (aggregate functions are not supported)"),
            ),
            ("select 'Last Name' from Contacts where id is not null".into(), syntax(1, 8, "'Last Name'", "a field name")),
            ("select Account_Name.Parent_Account.Account_Name from Contacts where id is not null".into(), syntax(1, 35, ".", "from")),
            // Three conditions need grouping, whatever the conjunctions.
            ("select id from Contacts where Last_Name = 'a' and First_Name = 'b' and Email = 'c'".into(), syntax(1, 68, "and", pairs)),
            ("select id from Contacts where Last_Name = 'a' or First_Name = 'b' or Email = 'c'".into(), syntax(1, 67, "or", pairs)),
            ("select id from Contacts where Last_Name = 'a' and First_Name = 'b' or Email = 'c'".into(), syntax(1, 68, "or", pairs)),
            ("select id from Contacts where (Last_Name = 'a' or First_Name = 'b' or Email = 'c')".into(), syntax(1, 68, "or", pairs)),
            (
                "select id from Contacts where Last_Name = 'a' Email = 'c'".into(),
                syntax(1, 47, "Email", "and, or, order by, limit, offset or the end of the query"),
            ),
            (
                "select id from Contacts where Last_Name = 'a' and Email = 'c' limit 5 offset".into(),
                syntax(1, 77, "end of query", "a whole number after offset"),
            ),
            (
                "select id from Contacts where Last_Name = 'a' limit 5, 10 offset 3".into(),
                syntax(1, 59, "offset", "order by, limit, offset or the end of the query"),
            ),
            // The schema's refusals.
            (
                "select Last_Name from Leads where id is not null".into(),
                invalid(json!({"reason": "the module name given seems to be invalid", "module": "Leads"})),
            ),
            (
                "select Nope from Contacts where id is not null".into(),
                invalid(json!({"reason": "column given seems to be invalid", "column_name": "Nope"})),
            ),
            (
                "select Owner.email from Contacts where id is not null".into(),
                invalid(json!({"reason": "column given seems to be invalid", "column_name": "Owner.email"})),
            ),
            (
                "select Last_Name from Contacts where Owner.first_name = 'Pat'".into(),
                invalid(json!({"reason": "column given seems to be invalid", "column_name": "Owner.first_name"})),
            ),
            (
                "select Created_By.email from Contacts where id is not null".into(),
                invalid(json!({"reason": "column given seems to be invalid", "column_name": "Created_By.email"})),
            ),
            (
                "select Account_Name.Nope from Contacts where id is not null".into(),
                invalid(json!({"reason": "column given seems to be invalid", "column_name": "Account_Name.Nope"})),
            ),
            (
                "select Last_Name.Email from Contacts where id is not null".into(),
                invalid(json!({"reason": "column given seems to be invalid", "column_name": "Last_Name.Email"})),
            ),
            (
                "select id from Contacts where Nope = 'x'".into(),
                invalid(json!({"reason": "column given seems to be invalid", "column_name": "Nope"})),
            ),
            (
                "select id from Contacts where Description = 'x'".into(),
                invalid(json!({"reason": "the column cannot be used in where or order by", "column_name": "Description"})),
            ),
            (
                "select id from Contacts where Last_Name > 'x'".into(),
                invalid(json!({"reason": "invalid operator found", "column_name": "Last_Name", "operator": ">"})),
            ),
            (
                "select id from Contacts where Account_Name like '1%'".into(),
                invalid(json!({"reason": "invalid operator found", "column_name": "Account_Name", "operator": "like"})),
            ),
            (
                "select id from Contacts where Email_Opt_Out = 'maybe'".into(),
                invalid(
                    json!({"reason": "value given seems to be invalid for the column", "column_name": "Email_Opt_Out", "value": "maybe"}),
                ),
            ),
            (
                "select id from Contacts where Created_Time > '2026-13-01'".into(),
                invalid(
                    json!({"reason": "value given seems to be invalid for the column", "column_name": "Created_Time", "value": "2026-13-01"}),
                ),
            ),
            (
                "select id from Contacts where Owner in ('1000000000000000001', 'pat')".into(),
                invalid(json!({"reason": "value given seems to be invalid for the column", "column_name": "Owner", "value": "pat"})),
            ),
            (
                "select id from Contacts where id is not null order by Account_Name.Account_Name".into(),
                invalid(json!({"reason": "the column cannot be used in where or order by", "column_name": "Account_Name.Account_Name"})),
            ),
            (
                "select id from Contacts where id is not null order by Description".into(),
                invalid(json!({"reason": "the column cannot be used in where or order by", "column_name": "Description"})),
            ),
            (
                "select id from Contacts where id is not null limit 0".into(),
                invalid(json!({"reason": "limit must be at least 1", "clause": "limit"})),
            ),
            // Limits.
            (
                "select id from Contacts where id is not null limit 201".into(),
                limited("limit can be at most 200", json!({"clause": "limit", "limit": 200})),
            ),
            (
                "select id from Contacts where id is not null limit 200 offset 9801".into(),
                limited("offset and limit together can reach at most 10000 records", json!({"clause": "offset", "limit": 10000})),
            ),
            (
                "select id from Contacts where id is not null limit 9801, 200".into(),
                limited("offset and limit together can reach at most 10000 records", json!({"clause": "offset", "limit": 10000})),
            ),
            (
                format!("select id from Contacts where Last_Name in ({in51})"),
                limited(
                    "in takes at most 50 values",
                    json!({"clause": "where", "column_name": "Last_Name", "operator": "in", "limit": 50}),
                ),
            ),
            (
                format!("select id from Contacts where Account_Name.Account_Name not in ({in51})"),
                limited(
                    "not in takes at most 50 values",
                    json!({"clause": "where", "column_name": "Account_Name.Account_Name", "operator": "not in", "limit": 50}),
                ),
            ),
            (
                format!("select id from Contacts where {}", paired(26, "and")),
                limited("at most 25 conditions can be used in where", json!({"clause": "where", "limit": 25})),
            ),
            (
                format!("select {fields51} from Contacts where id is not null"),
                limited("at most 50 fields can be selected", json!({"clause": "select", "limit": 50})),
            ),
            (
                format!("select id from Contacts where Last_Name = '{}'", "x".repeat(MAX_LENGTH)),
                limited("the query is longer than 20000 characters", json!({"param": "select_query", "limit": 20000})),
            ),
        ];
        let mut wrong = Vec::new();
        for (text, (code, message, details)) in &cases {
            let err = plan(text).unwrap_err();
            let shown: String = text.chars().take(120).collect();
            if (&err.code, &err.message, &Value::Object(err.details.clone())) != (code, message, details) {
                wrong.push(format!("{shown}\n  got {:?} {} {:?}", err.code, err.message, err.details));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    /// Every operator on every data type: accepted where Zoho's COQL allows it, refused with
    /// `invalid operator found` elsewhere. The table is written out, not derived from `allowed`.
    #[test]
    fn operators_by_data_type() {
        use DataType::*;
        let schema = crate::query::testing::typed_schema();
        const TEXT_OPS: &[&str] = &["=", "!=", "like", "not like", "in", "not in", "is null", "is not null"];
        const REF_OPS: &[&str] = &["=", "!=", "in", "not in", "is null", "is not null"];
        const ORDERED_OPS: &[&str] = &["=", "!=", ">", ">=", "<", "<=", "in", "not in", "between", "not between", "is null", "is not null"];
        let allowed = |t: DataType| -> &'static [&'static str] {
            match t {
                Text | Email | Phone | Website | Picklist => TEXT_OPS,
                Multiselectpicklist | Lookup | Userlookup | Ownerlookup => REF_OPS,
                Integer | Bigint | Double | Currency | Date | Datetime => ORDERED_OPS,
                Boolean => &["=", "!="],
                Textarea => &[],
            }
        };
        let all = ["=", "!=", ">", ">=", "<", "<=", "like", "not like", "in", "not in", "between", "not between", "is null", "is not null"];
        for (data_type, field, value) in crate::query::testing::typed_fields() {
            for op in all {
                let v = if matches!(data_type, Integer | Bigint | Double | Currency | Boolean) {
                    value.to_string()
                } else {
                    format!("'{value}'")
                };
                let rhs = match op {
                    "is null" | "is not null" => String::new(),
                    "in" | "not in" => format!("({v}, {v})"),
                    "between" | "not between" => format!("{v} and {v}"),
                    "like" | "not like" => format!("'{value}%'"),
                    _ => v,
                };
                let text = format!("select id from Contacts where {field} {op} {rhs}");
                let got = parse_syntax(&text).and_then(|q| lower(&schema, &q));
                if data_type == Textarea {
                    let err = got.unwrap_err();
                    assert_eq!(
                        Value::Object(err.details),
                        serde_json::json!({"reason": "the column cannot be used in where or order by", "column_name": field}),
                        "{text}"
                    );
                } else if allowed(data_type).contains(&op) {
                    assert!(got.is_ok(), "{text}: {got:?}");
                } else {
                    let err = got.unwrap_err();
                    assert_eq!(
                        (err.code, err.message.as_str(), Value::Object(err.details)),
                        (
                            ErrorCode::InvalidQuery,
                            "invalid query formed",
                            serde_json::json!({"reason": "invalid operator found", "column_name": field, "operator": op})
                        ),
                        "{text}"
                    );
                }
            }
        }
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
        "\"y\"",
        "\"",
        "COUNT(",
        "'Last_Name'",
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
        // Two operands a group, as COQL parses them.
        let items = (0..2).map(|_| random_expr(rng, depth + 1)).collect();
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
                filter: Some(random_expr(&mut rng, 0)),
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
