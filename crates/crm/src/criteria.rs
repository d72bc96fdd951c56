//! The `criteria` of Bigin's search: `((Field:operator:value)and(Field:operator:value))`, groups
//! nested with parentheses, `and`/`or` between them (case-insensitive), `\` escaping `(`, `)`,
//! `,` and `\` inside values, and `in`/`between` taking comma-separated values.
//!
//! Parsing is two steps: [`parse_syntax`] reads the text into a [`Criteria`] tree (which prints
//! back to text that parses to the same tree), and [`lower`] checks it against a module (field,
//! operator for the field's data type, value for the type) and builds the store's [`Condition`].

use std::fmt;

use serde_json::Value;

use crate::modules::Module;
use crate::query::{self, Cmp, Condition, Kind, QueryError, Test};

/// At most this many conditions in one criteria.
pub const MAX_CONDITIONS: usize = 10;
/// At most this many values after `in`.
pub const MAX_IN_VALUES: usize = 100;
/// Groups nest at most this deep.
pub const MAX_DEPTH: usize = 10;
/// Longest criteria text read.
pub const MAX_LENGTH: usize = 10_000;

/// A criteria as written: conditions, and groups joined by one conjunction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Criteria {
    /// `field:op:value`; `values` are split at unescaped commas and unescaped.
    Cond {
        field: String,
        op: String,
        values: Vec<String>,
    },
    All(Vec<Criteria>),
    Any(Vec<Criteria>),
}

impl Criteria {
    pub fn conditions(&self) -> usize {
        match self {
            Self::Cond { .. } => 1,
            Self::All(items) | Self::Any(items) => items.iter().map(Self::conditions).sum(),
        }
    }
}

fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '(' | ')' | ',' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl fmt::Display for Criteria {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Cond { field, op, values } => {
                let values: Vec<String> = values.iter().map(|v| escape(v)).collect();
                write!(f, "({field}:{op}:{})", values.join(","))
            }
            Self::All(items) | Self::Any(items) => {
                let word = if matches!(self, Self::All(_)) { "and" } else { "or" };
                f.write_str("(")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(word)?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str(")")
            }
        }
    }
}

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    text: &'a str,
}

fn syntax(reason: &str, near: &str) -> QueryError {
    QueryError::invalid(reason, &[("near", near)])
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    /// Up to 20 characters from the current position, to name where the problem is.
    fn near(&self) -> String {
        let rest: String = self.chars[self.pos.min(self.chars.len())..].iter().take(20).collect();
        if rest.is_empty() {
            "end of criteria".to_string()
        } else {
            rest
        }
    }

    fn error(&self, reason: &str) -> QueryError {
        syntax(reason, &self.near())
    }

    /// `unit (conj unit)*` where every conjunction of the sequence is the same.
    fn sequence(&mut self, depth: usize) -> Result<Criteria, QueryError> {
        let first = self.unit(depth)?;
        let mut items = vec![first];
        let mut conj: Option<bool> = None;
        loop {
            self.skip_ws();
            let is_and = match self.keyword() {
                Some(is_and) => is_and,
                None => break,
            };
            if conj.is_some_and(|c| c != is_and) {
                return Err(self.error("and and or cannot be mixed in one group without parentheses"));
            }
            conj = Some(is_and);
            self.pos += if is_and { 3 } else { 2 };
            self.skip_ws();
            items.push(self.unit(depth)?);
        }
        Ok(match (conj, items.len()) {
            (_, 1) => items.pop().expect("one item"),
            (Some(true), _) => Criteria::All(items),
            _ => Criteria::Any(items),
        })
    }

    /// `and` or `or` (any case) at the position, followed by a space or a group.
    fn keyword(&self) -> Option<bool> {
        let word = |w: &str| {
            let n = w.len();
            let got: String = self.chars.iter().skip(self.pos).take(n).collect();
            got.eq_ignore_ascii_case(w) && self.chars.get(self.pos + n).is_some_and(|c| *c == '(' || c.is_whitespace())
        };
        if word("and") {
            Some(true)
        } else if word("or") {
            Some(false)
        } else {
            None
        }
    }

    /// `( sequence )` or `( condition )`.
    fn unit(&mut self, depth: usize) -> Result<Criteria, QueryError> {
        if depth >= MAX_DEPTH {
            return Err(self.error("groups are nested too deep"));
        }
        self.skip_ws();
        if self.peek() != Some('(') {
            return Err(self.error("expected ( to open a condition or group"));
        }
        self.pos += 1;
        self.skip_ws();
        if self.peek() == Some('(') {
            let inner = self.sequence(depth + 1)?;
            self.skip_ws();
            if self.peek() != Some(')') {
                return Err(self.error("expected ) to close the group"));
            }
            self.pos += 1;
            return Ok(inner);
        }
        let cond = self.condition(true)?;
        self.pos += 1; // the closing parenthesis
        Ok(cond)
    }

    /// `field:op:value`, ending at an unescaped `)` (`in_group`) or at the end of the text.
    fn condition(&mut self, in_group: bool) -> Result<Criteria, QueryError> {
        let start = self.pos;
        let field = self.until_colon()?.trim().to_string();
        let op = self.until_colon()?.trim().to_string();
        if field.is_empty() || op.is_empty() {
            self.pos = start;
            return Err(self.error("a condition is field:operator:value"));
        }
        let mut values = Vec::new();
        let mut current = String::new();
        loop {
            match self.peek() {
                None if in_group => return Err(self.error("expected ) to close the condition")),
                None => break,
                Some(')') if in_group => break,
                Some('\\') => {
                    self.pos += 1;
                    match self.peek() {
                        Some(c) if matches!(c, '(' | ')' | ',' | '\\') => {
                            current.push(c);
                            self.pos += 1;
                        }
                        _ => current.push('\\'),
                    }
                }
                Some(',') => {
                    values.push(current.trim().to_string());
                    current.clear();
                    self.pos += 1;
                }
                Some(c) => {
                    current.push(c);
                    self.pos += 1;
                }
            }
        }
        values.push(current.trim().to_string());
        Ok(Criteria::Cond { field, op, values })
    }

    fn until_colon(&mut self) -> Result<String, QueryError> {
        let mut out = String::new();
        loop {
            match self.peek() {
                Some(':') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(')') | None => return Err(self.error("a condition is field:operator:value")),
                Some(c) => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
    }
}

/// Reads criteria text (already URL-decoded) into its tree. A single condition may come without
/// parentheses.
pub fn parse_syntax(text: &str) -> Result<Criteria, QueryError> {
    if text.chars().count() > MAX_LENGTH {
        return Err(QueryError::limit(&[("param", Value::from("criteria")), ("limit", Value::from(MAX_LENGTH))]));
    }
    let mut p = Parser { chars: text.chars().collect(), pos: 0, text };
    p.skip_ws();
    if p.peek().is_none() {
        return Err(syntax("the criteria is empty", p.text));
    }
    let tree = if p.peek() == Some('(') { p.sequence(0)? } else { p.condition(false)? };
    p.skip_ws();
    if p.peek().is_some() {
        return Err(p.error("unexpected text after the criteria"));
    }
    Ok(tree)
}

/// The operators search allows on each kind of field.
fn allowed(kind: Kind, op: &str) -> bool {
    let ops: &[&str] = match kind {
        Kind::Text => &["equals", "not_equal", "starts_with", "in"],
        Kind::Ref | Kind::Multi => &["equals", "not_equal", "in"],
        Kind::Number | Kind::Date | Kind::DateTime => {
            &["equals", "not_equal", "greater_than", "greater_equal", "less_than", "less_equal", "between", "in"]
        }
        Kind::Bool => &["equals", "not_equal"],
    };
    ops.contains(&op)
}

const OPERATORS: &[&str] =
    &["equals", "not_equal", "starts_with", "in", "greater_than", "greater_equal", "less_than", "less_equal", "between"];

/// Checks a criteria against `module` and builds its condition.
pub fn lower(module: &Module, criteria: &Criteria) -> Result<Condition, QueryError> {
    let count = criteria.conditions();
    if count > MAX_CONDITIONS {
        return Err(QueryError::limit(&[("param", Value::from("criteria")), ("limit", Value::from(MAX_CONDITIONS))]));
    }
    lower_tree(module, criteria)
}

fn lower_tree(module: &Module, criteria: &Criteria) -> Result<Condition, QueryError> {
    match criteria {
        Criteria::All(items) => Ok(Condition::And(items.iter().map(|c| lower_tree(module, c)).collect::<Result<_, _>>()?)),
        Criteria::Any(items) => Ok(Condition::Or(items.iter().map(|c| lower_tree(module, c)).collect::<Result<_, _>>()?)),
        Criteria::Cond { field, op, values } => lower_condition(module, field, op, values),
    }
}

fn lower_condition(module: &Module, field: &str, op: &str, values: &[String]) -> Result<Condition, QueryError> {
    let op_lc = op.to_ascii_lowercase();
    if module.field(field).is_none() && !matches!(field, "id" | "Created_Time" | "Modified_Time") {
        return Err(QueryError::invalid("the field is not available for search", &[("api_name", field)]));
    }
    let Some((target, data_type)) = query::resolve(module, field) else {
        return Err(QueryError::invalid("the field cannot be searched", &[("api_name", field)]));
    };
    if !OPERATORS.contains(&op_lc.as_str()) {
        return Err(QueryError::invalid("invalid operator found", &[("api_name", field), ("operator", op)]));
    }
    if !allowed(target.kind(), &op_lc) {
        return Err(QueryError::invalid(
            "the operator is not supported for the field's data type",
            &[("api_name", field), ("operator", op), ("data_type", data_type)],
        ));
    }
    let parse = |raw: &str| {
        if raw.is_empty() {
            return Err(QueryError::invalid("a value is missing", &[("api_name", field), ("operator", op)]));
        }
        query::parse_scalar(&target, data_type, raw).ok_or_else(|| {
            QueryError::invalid(
                "the value does not fit the field's data type",
                &[("api_name", field), ("value", raw), ("expected_data_type", data_type)],
            )
        })
    };
    let single = || values.join(",");
    Ok(match op_lc.as_str() {
        "in" => {
            if values.len() > MAX_IN_VALUES {
                return Err(QueryError::limit(&[
                    ("param", Value::from("criteria")),
                    ("api_name", Value::from(field)),
                    ("limit", Value::from(MAX_IN_VALUES)),
                ]));
            }
            let scalars = values.iter().map(|v| parse(v)).collect::<Result<Vec<_>, _>>()?;
            query::in_list(&target, scalars, false)
        }
        "between" => {
            if values.len() != 2 {
                return Err(QueryError::invalid("between takes two values", &[("api_name", field), ("operator", op)]));
            }
            query::between(&target, parse(&values[0])?, parse(&values[1])?, false)
        }
        "starts_with" => {
            let text = single();
            if text.is_empty() {
                return Err(QueryError::invalid("a value is missing", &[("api_name", field), ("operator", op)]));
            }
            Condition::leaf(target, Test::Prefix(query::fold(&text)))
        }
        other => {
            let cmp = match other {
                "equals" => Cmp::Eq,
                "not_equal" => Cmp::Ne,
                "greater_than" => Cmp::Gt,
                "greater_equal" => Cmp::Ge,
                "less_than" => Cmp::Lt,
                _ => Cmp::Le,
            };
            let value = parse(&single())?;
            query::compare(&target, cmp, value)
        }
    })
}

/// Reads and checks a criteria: [`parse_syntax`], then [`lower`].
pub fn parse(module: &Module, text: &str) -> Result<Condition, QueryError> {
    lower(module, &parse_syntax(text)?)
}

/// The `email` selector: equality (ignoring case) on any e-mail field of the module.
pub fn email(module: &Module, value: &str) -> Condition {
    any_field(module, crate::modules::DataType::Email, |target| {
        query::compare(target, Cmp::Eq, query::Scalar::Text(query::fold(value.trim())))
    })
}

/// The `phone` selector: a phone field of the module that starts with the value (ignoring case).
pub fn phone(module: &Module, value: &str) -> Condition {
    any_field(module, crate::modules::DataType::Phone, |target| Condition::leaf(target.clone(), Test::Prefix(query::fold(value.trim()))))
}

fn any_field(module: &Module, data_type: crate::modules::DataType, test: impl Fn(&query::Target) -> Condition) -> Condition {
    let parts = module
        .fields
        .iter()
        .filter(|f| f.data_type == data_type && f.maintained == crate::modules::Maintained::Client)
        .filter_map(|f| query::resolve(module, &f.api_name))
        .map(|(target, _)| test(&target))
        .collect();
    Condition::Or(parts)
}

/// Shortest `word` accepted.
pub const MIN_WORD_CHARS: usize = 2;

/// The `word` selector: every word of the value begins some word of the record's text fields.
pub fn word(value: &str) -> Result<Condition, QueryError> {
    let words = query::tokenize(value);
    if value.trim().chars().count() < MIN_WORD_CHARS || words.is_empty() {
        return Err(QueryError::invalid("the word must have at least 2 letters or digits", &[("param", "word"), ("value", value)]));
    }
    let mut words = words;
    words.sort_unstable();
    words.dedup();
    Ok(Condition::Words(words))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errors::ErrorCode;
    use crate::ids::Id;
    use crate::modules::Schema;
    use crate::query::{Column, Scalar, Target};
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    fn schema() -> Schema {
        Schema::default_for(Id::from_i64(1_000_000_000_000_000_001))
    }

    fn contacts_parse(text: &str) -> Result<Condition, QueryError> {
        let schema = schema();
        parse(schema.module("Contacts").unwrap(), text)
    }

    fn email_eq(v: &str) -> Condition {
        Condition::leaf(Target::Field { key: "Email".into(), kind: Kind::Text }, Test::Cmp(Cmp::Eq, Scalar::Text(v.into())))
    }

    #[test]
    fn groups_escapes_and_case() {
        let tree = parse_syntax(r"((Last_Name:equals:Burns\,B)AND(First_Name:starts_with:M\(x\)))").unwrap();
        assert_eq!(
            tree,
            Criteria::All(vec![
                Criteria::Cond { field: "Last_Name".into(), op: "equals".into(), values: vec!["Burns,B".into()] },
                Criteria::Cond { field: "First_Name".into(), op: "starts_with".into(), values: vec!["M(x)".into()] },
            ])
        );
        assert_eq!(contacts_parse("(Email:equals:Ted@Example.com)").unwrap(), email_eq("ted@example.com"));
        assert_eq!(contacts_parse("Email:equals:a@b.c").unwrap(), email_eq("a@b.c"));
        let nested = contacts_parse("((Email:equals:a@b.c)or((Last_Name:equals:X) and (First_Name:in:A,B)))").unwrap();
        assert!(matches!(&nested, Condition::Or(items) if items.len() == 2 && matches!(&items[1], Condition::And(_))));
    }

    #[test]
    fn datetimes_compare_by_the_second() {
        let cond = contacts_parse("(Created_Time:equals:2026-02-06T00:28:53-08:00)").unwrap();
        let t = Target::Column(Column::CreatedTime);
        assert_eq!(
            cond,
            Condition::And(vec![
                Condition::leaf(t.clone(), Test::Cmp(Cmp::Ge, Scalar::Int(1_770_366_533_000))),
                Condition::leaf(t, Test::Cmp(Cmp::Lt, Scalar::Int(1_770_366_534_000))),
            ])
        );
        // An offset whose + was not encoded arrives as a space.
        assert!(contacts_parse("(Modified_Time:greater_equal:2026-02-06T00:28:53 05:30)").is_ok());
    }

    /// Every refusal, with the exact code, message and details (the table in docs/api-notes.md).
    #[test]
    fn refusals_name_the_offending_part() {
        use serde_json::json;
        let invalid = |details: Value| (ErrorCode::InvalidQuery, "invalid query formed", details);
        let limited = |details: Value| (ErrorCode::LimitExceeded, "the limit has been exceeded", details);
        let eleven = (0..11).map(|i| format!("(Last_Name:equals:n{i})")).collect::<Vec<_>>().join("or");
        let in101 = (0..101).map(|i| format!("v{i}")).collect::<Vec<_>>().join(",");
        let cases: Vec<(String, (ErrorCode, &str, Value))> = vec![
            ("(Nope:equals:x)".into(), invalid(json!({"reason": "the field is not available for search", "api_name": "Nope"}))),
            ("(Description:equals:x)".into(), invalid(json!({"reason": "the field cannot be searched", "api_name": "Description"}))),
            (
                "(Last_Name:contains:x)".into(),
                invalid(json!({"reason": "invalid operator found", "api_name": "Last_Name", "operator": "contains"})),
            ),
            (
                "(Last_Name:greater_than:x)".into(),
                invalid(
                    json!({"reason": "the operator is not supported for the field's data type", "api_name": "Last_Name", "operator": "greater_than", "data_type": "text"}),
                ),
            ),
            (
                "(Account_Name:starts_with:1)".into(),
                invalid(
                    json!({"reason": "the operator is not supported for the field's data type", "api_name": "Account_Name", "operator": "starts_with", "data_type": "lookup"}),
                ),
            ),
            (
                "(Email_Opt_Out:equals:yes)".into(),
                invalid(
                    json!({"reason": "the value does not fit the field's data type", "api_name": "Email_Opt_Out", "value": "yes", "expected_data_type": "boolean"}),
                ),
            ),
            (
                "(Owner:equals:abc)".into(),
                invalid(
                    json!({"reason": "the value does not fit the field's data type", "api_name": "Owner", "value": "abc", "expected_data_type": "ownerlookup"}),
                ),
            ),
            (
                "(Created_Time:less_than:2026-02-30T00:00:00+00:00)".into(),
                invalid(
                    json!({"reason": "the value does not fit the field's data type", "api_name": "Created_Time", "value": "2026-02-30T00:00:00+00:00", "expected_data_type": "datetime"}),
                ),
            ),
            (
                "(Created_Time:between:2026-01-01T00:00:00+00:00)".into(),
                invalid(json!({"reason": "between takes two values", "api_name": "Created_Time", "operator": "between"})),
            ),
            ("(Last_Name:equals:)".into(), invalid(json!({"reason": "a value is missing", "api_name": "Last_Name", "operator": "equals"}))),
            ("(Last_Name:in:a,,b)".into(), invalid(json!({"reason": "a value is missing", "api_name": "Last_Name", "operator": "in"}))),
            (
                "((Last_Name:equals:a)and(Last_Name:equals:b)or(Last_Name:equals:c))".into(),
                invalid(json!({"reason": "and and or cannot be mixed in one group without parentheses", "near": "or(Last_Name:equals:"})),
            ),
            ("(Last_Name:equals:a".into(), invalid(json!({"reason": "expected ) to close the condition", "near": "end of criteria"}))),
            ("(Last_Name equals a)".into(), invalid(json!({"reason": "a condition is field:operator:value", "near": ")"}))),
            ("(Last_Name:equals:a)x".into(), invalid(json!({"reason": "unexpected text after the criteria", "near": "x"}))),
            ("(Last_Name:equals:a) and x".into(), invalid(json!({"reason": "expected ( to open a condition or group", "near": "x"}))),
            ("   ".into(), invalid(json!({"reason": "the criteria is empty", "near": "   "}))),
            (format!("({eleven})"), limited(json!({"param": "criteria", "limit": 10}))),
            (format!("(Last_Name:in:{in101})"), limited(json!({"param": "criteria", "api_name": "Last_Name", "limit": 100}))),
            (format!("(Last_Name:equals:{})", "x".repeat(MAX_LENGTH)), limited(json!({"param": "criteria", "limit": 10000}))),
        ];
        let mut wrong = Vec::new();
        for (text, (code, message, details)) in &cases {
            let err = contacts_parse(text).unwrap_err();
            if (err.code, err.message.as_str(), Value::Object(err.details.clone())) != (*code, *message, details.clone()) {
                wrong.push(format!(
                    "{}\n  got {:?} {} {:?}",
                    text.chars().take(100).collect::<String>(),
                    err.code,
                    err.message,
                    err.details
                ));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    /// Every search operator on every data type: accepted where Bigin allows it, refused with
    /// the field, operator and data type named elsewhere. The table is written out, not derived
    /// from `allowed`.
    #[test]
    fn operators_by_data_type() {
        use crate::modules::DataType::{self, *};
        let schema = crate::query::testing::typed_schema();
        let contacts = schema.module("Contacts").unwrap();
        const TEXT_OPS: &[&str] = &["equals", "not_equal", "starts_with", "in"];
        const REF_OPS: &[&str] = &["equals", "not_equal", "in"];
        const ORDERED_OPS: &[&str] = &["equals", "not_equal", "greater_than", "greater_equal", "less_than", "less_equal", "between", "in"];
        let allowed = |t: DataType| -> &'static [&'static str] {
            match t {
                Text | Email | Phone | Website | Picklist => TEXT_OPS,
                Multiselectpicklist | Lookup | Userlookup | Ownerlookup => REF_OPS,
                Integer | Bigint | Double | Currency | Date | Datetime => ORDERED_OPS,
                Boolean => &["equals", "not_equal"],
                Textarea => &[],
            }
        };
        for (data_type, field, value) in crate::query::testing::typed_fields() {
            for op in OPERATORS {
                let values = if matches!(*op, "between" | "in") { format!("{value},{value}") } else { value.to_string() };
                let text = format!("({field}:{op}:{values})");
                let got = parse(contacts, &text);
                if data_type == Textarea {
                    assert_eq!(
                        Value::Object(got.unwrap_err().details),
                        serde_json::json!({"reason": "the field cannot be searched", "api_name": field}),
                        "{text}"
                    );
                } else if allowed(data_type).contains(op) {
                    assert!(got.is_ok(), "{text}: {got:?}");
                } else {
                    let err = got.unwrap_err();
                    assert_eq!(
                        (err.code, err.message.as_str(), Value::Object(err.details)),
                        (
                            ErrorCode::InvalidQuery,
                            "invalid query formed",
                            serde_json::json!({"reason": "the operator is not supported for the field's data type", "api_name": field, "operator": op, "data_type": data_type.as_str()})
                        ),
                        "{text}"
                    );
                }
            }
        }
    }

    const ALPHABET: &[char] = &['(', ')', ':', ',', '\\', ' ', 'a', 'n', 'd', 'o', 'r', 'E', 'q', '1', '-', 'é', '%', '\''];
    const FIELDS: &[&str] = &["Last_Name", "Email", "Owner", "Created_Time", "Email_Opt_Out", "Account_Name", "Nope"];
    const OPS: &[&str] = &["equals", "not_equal", "starts_with", "in", "between", "greater_than", "bogus"];

    fn random_text(rng: &mut StdRng) -> String {
        let len = rng.gen_range(0..40);
        let mut s: String = (0..len).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())]).collect();
        if rng.gen_bool(0.5) {
            // Splice in plausible pieces so that deeper paths are reached too.
            let field = FIELDS[rng.gen_range(0..FIELDS.len())];
            let op = OPS[rng.gen_range(0..OPS.len())];
            s = format!("(({field}:{op}:{s})and({field}:{op}:x))");
        }
        s
    }

    fn random_value(rng: &mut StdRng) -> String {
        let len = rng.gen_range(1..8);
        let v: String = (0..len).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())]).collect();
        let v = v.trim().to_string();
        if v.is_empty() {
            "v".into()
        } else {
            v
        }
    }

    fn random_tree(rng: &mut StdRng, depth: usize) -> Criteria {
        if depth >= 3 || rng.gen_bool(0.4) {
            let n = rng.gen_range(1..4);
            return Criteria::Cond {
                field: FIELDS[rng.gen_range(0..FIELDS.len())].to_string(),
                op: OPS[rng.gen_range(0..OPS.len())].to_string(),
                values: (0..n).map(|_| random_value(rng)).collect(),
            };
        }
        let items = (0..rng.gen_range(2..4)).map(|_| random_tree(rng, depth + 1)).collect();
        if rng.gen_bool(0.5) {
            Criteria::All(items)
        } else {
            Criteria::Any(items)
        }
    }

    #[test]
    fn property_never_panics_on_any_text() {
        let schema = schema();
        let contacts = schema.module("Contacts").unwrap();
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..20_000 {
            let text = random_text(&mut rng);
            let _ = parse(contacts, &text);
        }
        let deep = "(".repeat(5000) + &")".repeat(5000);
        assert!(parse(contacts, &deep).is_err());
    }

    #[test]
    fn property_printing_then_parsing_gives_the_same_tree() {
        let mut rng = StdRng::seed_from_u64(11);
        for _ in 0..5_000 {
            let tree = random_tree(&mut rng, 0);
            let text = tree.to_string();
            assert_eq!(parse_syntax(&text).unwrap(), tree, "{text}");
        }
    }

    #[test]
    fn selectors() {
        let schema = schema();
        let contacts = schema.module("Contacts").unwrap();
        assert_eq!(email(contacts, " Ted@X.com "), Condition::Or(vec![email_eq("ted@x.com")]));
        assert!(matches!(phone(contacts, "555"), Condition::Or(items) if items.len() == 3));
        assert_eq!(email(schema.module("Products").unwrap(), "a@b.c"), Condition::Or(vec![]));
        assert_eq!(word("Ted O'Brien").unwrap(), Condition::Words(vec!["brien".into(), "o".into(), "ted".into()]));
        assert_eq!(word("x").unwrap_err().details["reason"], "the word must have at least 2 letters or digits");
    }
}
