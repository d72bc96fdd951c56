//! What search and COQL ask of the store: a typed condition tree over a module's records, built
//! by the criteria and COQL parsers after checking every field, operator and value against the
//! module's schema. No text from a request reaches SQL: the store turns this tree into statements
//! whose values are all bound parameters and whose field names come from the schema.
//!
//! Text matching ignores the case of ASCII letters (the store compares `lower(...)` on both
//! backends; other letters compare as written). Negative tests (`!=`, `not in`, `not like`,
//! `not between`) match only records that have a value, as in SQL; a boolean without a value
//! counts as `false`, as a Bigin checkbox does.

use serde_json::{Map, Value};

use crate::errors::ErrorCode;
use crate::modules::{DataType, Field, Maintained, Module};

/// How a field's stored value is compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Text compared without ASCII case (text, email, phone, website, picklist).
    Text,
    /// A record or user id kept as text (lookups).
    Ref,
    /// A number (integer, bigint, double, currency).
    Number,
    /// `YYYY-MM-DD`, compared as text.
    Date,
    /// Milliseconds since the epoch.
    DateTime,
    /// `true`/`false`; no value reads as `false`.
    Bool,
    /// A multi-select picklist: a JSON array of texts.
    Multi,
}

/// A system column of the records table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    Id,
    Owner,
    CreatedBy,
    ModifiedBy,
    CreatedTime,
    ModifiedTime,
    /// The record's display name (a contact's `Full_Name`), compared like text.
    Name,
}

impl Column {
    /// The SQL column name.
    pub fn sql(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::Owner => "owner_id",
            Self::CreatedBy => "created_by",
            Self::ModifiedBy => "modified_by",
            Self::CreatedTime => "created_time",
            Self::ModifiedTime => "modified_time",
            Self::Name => "name",
        }
    }
}

/// What a condition looks at.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    Column(Column),
    /// A top-level key of the record's `data` document.
    Field {
        key: String,
        kind: Kind,
    },
    /// A field of the record a lookup points at: the lookup's key, the module it points into, and
    /// the target there (never another `Via`).
    Via {
        lookup: String,
        module: String,
        inner: Box<Target>,
    },
}

impl Target {
    pub fn kind(&self) -> Kind {
        match self {
            Self::Column(Column::Name) => Kind::Text,
            Self::Column(Column::CreatedTime | Column::ModifiedTime) => Kind::DateTime,
            Self::Column(_) => Kind::Ref,
            Self::Field { kind, .. } => *kind,
            Self::Via { inner, .. } => inner.kind(),
        }
    }
}

/// A value a condition compares with, already in the form the store keeps (text lower-cased
/// for `Kind::Text`, datetimes in milliseconds, ids as integers for columns and as text for
/// lookups).
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    Text(String),
    Int(i64),
    Real(f64),
    Bool(bool),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Test {
    Cmp(Cmp, Scalar),
    In {
        values: Vec<Scalar>,
        negated: bool,
    },
    /// Text starting with this (lower-cased) prefix.
    Prefix(String),
    /// A `like` pattern (lower-cased) where `%` matches any run of characters.
    Like {
        pattern: String,
        negated: bool,
    },
    Null {
        is_null: bool,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    And(Vec<Condition>),
    /// `Or(vec![])` matches nothing.
    Or(Vec<Condition>),
    Leaf {
        target: Target,
        test: Test,
    },
    /// Every word (lower-cased) begins some word of the record's text fields.
    Words(Vec<String>),
    /// Matches what the inner condition matches, read by the store as the set of ids its index
    /// holds: see [`intersect_indexed`].
    Probe(Box<Condition>),
}

impl Condition {
    pub fn leaf(target: Target, test: Test) -> Self {
        Self::Leaf { target, test }
    }

    /// How many leaf conditions the tree has (what Bigin's limits count).
    pub fn leaves(&self) -> usize {
        match self {
            Self::And(items) | Self::Or(items) => items.iter().map(Self::leaves).sum(),
            Self::Leaf { .. } | Self::Words(_) => 1,
            Self::Probe(inner) => inner.leaves(),
        }
    }
}

/// A sort key of a query.
#[derive(Clone, Debug, PartialEq)]
pub struct Order {
    pub target: Target,
    pub descending: bool,
}

/// How a field of `module` is reached and compared, or `None` when it cannot be searched
/// (multi-line text, and fields the module does not have).
pub fn resolve(module: &Module, api_name: &str) -> Option<(Target, &'static str)> {
    match api_name {
        "id" => return Some((Target::Column(Column::Id), "bigint")),
        "Created_Time" => return Some((Target::Column(Column::CreatedTime), "datetime")),
        "Modified_Time" => return Some((Target::Column(Column::ModifiedTime), "datetime")),
        _ => {}
    }
    let field = module.field(api_name)?;
    match field.api_name.as_str() {
        "Owner" => return Some((Target::Column(Column::Owner), "ownerlookup")),
        "Created_By" => return Some((Target::Column(Column::CreatedBy), "ownerlookup")),
        "Modified_By" => return Some((Target::Column(Column::ModifiedBy), "ownerlookup")),
        "Full_Name" if module.name_field == "Full_Name" => return Some((Target::Column(Column::Name), "text")),
        _ => {}
    }
    if field.maintained == Maintained::Server {
        return None;
    }
    let kind = kind_of(field)?;
    Some((Target::Field { key: field.api_name.clone(), kind }, field.data_type.as_str()))
}

/// The comparison kind of a client-maintained field; `None` for multi-line text.
pub fn kind_of(field: &Field) -> Option<Kind> {
    Some(match field.data_type {
        DataType::Text | DataType::Email | DataType::Phone | DataType::Website | DataType::Picklist => Kind::Text,
        DataType::Textarea => return None,
        DataType::Integer | DataType::Bigint | DataType::Double | DataType::Currency => Kind::Number,
        DataType::Boolean => Kind::Bool,
        DataType::Date => Kind::Date,
        DataType::Datetime => Kind::DateTime,
        DataType::Multiselectpicklist => Kind::Multi,
        DataType::Lookup | DataType::Ownerlookup | DataType::Userlookup => Kind::Ref,
    })
}

/// Whether the store keeps an index for equality, prefix and `in` on this field: unique fields,
/// e-mails, phones, picklists, lookups, and names (the module's name field, a contact's first
/// and last name). Owners and the display name are columns with their own indexes.
pub fn is_indexed(module_api_name: &str, name_field: &str, field: &Field) -> bool {
    if field.maintained == Maintained::Server {
        return false;
    }
    let by_type =
        matches!(field.data_type, DataType::Email | DataType::Phone | DataType::Picklist | DataType::Lookup | DataType::Userlookup);
    let is_name =
        field.api_name == name_field || (module_api_name == "Contacts" && matches!(field.api_name.as_str(), "First_Name" | "Last_Name"));
    let textual = kind_of(field).is_some_and(|k| matches!(k, Kind::Text | Kind::Ref));
    textual && (by_type || field.unique || is_name)
}

/// An `And` of several terms that indexes answer (equality, `in` or a prefix on an indexed field)
/// keeps its first such term and turns the others into [`Condition::Probe`]s: the store then walks
/// the first term's index and checks each entry against the others' ids, each set read from its
/// own index, instead of reading every candidate record to test the other terms (SQLite cannot
/// combine two indexes itself). Two names of a common surname at a million contacts: 7 ms before.
pub fn intersect_indexed(module: &Module, condition: Condition) -> Condition {
    match condition {
        Condition::And(items) => {
            let mut first = true;
            Condition::And(
                items
                    .into_iter()
                    .map(|item| intersect_indexed(module, item))
                    .map(|item| match (answered_by_index(module, &item), first) {
                        (true, true) => {
                            first = false;
                            item
                        }
                        (true, false) => Condition::Probe(Box::new(item)),
                        (false, _) => item,
                    })
                    .collect(),
            )
        }
        Condition::Or(items) => Condition::Or(items.into_iter().map(|item| intersect_indexed(module, item)).collect()),
        other => other,
    }
}

/// Whether an index of `module` answers `condition` by itself.
fn answered_by_index(module: &Module, condition: &Condition) -> bool {
    let Condition::Leaf { target, test } = condition else { return false };
    let positive = matches!(test, Test::Cmp(Cmp::Eq, _) | Test::In { negated: false, .. } | Test::Prefix(_));
    let indexed = match target {
        Target::Field { key, kind } => {
            *kind != Kind::Multi && module.field(key).is_some_and(|f| is_indexed(module.api_name, module.name_field, f))
        }
        Target::Column(Column::Name) => module.name_field == "Full_Name",
        _ => false,
    };
    positive && indexed
}

/// The fields of `module` the store indexes, with their kinds.
pub fn indexed_fields(module: &Module) -> Vec<(String, Kind)> {
    module
        .fields
        .iter()
        .filter(|f| is_indexed(module.api_name, module.name_field, f))
        .filter_map(|f| kind_of(f).map(|k| (f.api_name.clone(), k)))
        .collect()
}

/// Whether a field's text goes into the words `word` search looks through: single-line text,
/// e-mails, phones, websites and picklists (multi-line text and lookups do not).
pub fn is_worded(field: &Field) -> bool {
    field.maintained == Maintained::Client
        && matches!(
            field.data_type,
            DataType::Text | DataType::Email | DataType::Phone | DataType::Website | DataType::Picklist | DataType::Multiselectpicklist
        )
}

/// Longest word kept; longer runs of letters are left out of the words.
pub const MAX_WORD_CHARS: usize = 64;

/// Splits text into lower-cased words: runs of letters and digits.
pub fn tokenize(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        // Most words are ASCII: one allocation each (every record write splits its text).
        if word.is_ascii() {
            if word.len() <= MAX_WORD_CHARS {
                out.push(word.to_ascii_lowercase());
            }
            continue;
        }
        if word.chars().count() > MAX_WORD_CHARS {
            continue;
        }
        // Lower-casing can produce characters that are not alphanumeric (rare); split again.
        let lower = word.to_lowercase();
        out.extend(lower.split(|c: char| !c.is_alphanumeric()).filter(|p| !p.is_empty()).map(str::to_string));
    }
    out
}

/// The distinct words of a record's text fields, sorted: what `word` search matches.
pub fn words(module: &Module, data: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    for field in module.fields.iter().filter(|f| is_worded(f)) {
        match data.get(&field.api_name) {
            Some(Value::String(s)) => out.extend(tokenize(s)),
            Some(Value::Array(items)) => out.extend(items.iter().filter_map(Value::as_str).flat_map(tokenize)),
            _ => {}
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Folds ASCII letters to lower case, as the store's `lower(...)` does on both backends.
pub fn fold(text: &str) -> String {
    text.to_ascii_lowercase()
}

/// The least text greater than every text that starts with `prefix`, for a range scan
/// (`>= prefix AND < upper`); `None` when no such text exists.
pub fn prefix_upper_bound(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let mut code = last as u32 + 1;
        if (0xD800..=0xDFFF).contains(&code) {
            code = 0xE000;
        }
        if let Some(next) = char::from_u32(code) {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// Whether `text` (already folded) matches a `like` pattern where `%` is any run.
pub fn like_matches(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('%').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

/// A refused query: Bigin's code, its message, and details naming the offending part.
#[derive(Clone, Debug, PartialEq)]
pub struct QueryError {
    pub code: ErrorCode,
    pub message: String,
    pub details: Map<String, Value>,
}

impl QueryError {
    pub fn new(code: ErrorCode, pairs: &[(&str, Value)]) -> Self {
        let details = pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        Self { code, message: code.default_message().to_string(), details }
    }

    /// `INVALID_QUERY` with a `reason` and the parts named.
    pub fn invalid(reason: &str, pairs: &[(&str, &str)]) -> Self {
        let mut all = vec![("reason", Value::from(reason))];
        all.extend(pairs.iter().map(|(k, v)| (*k, Value::from(*v))));
        Self::new(ErrorCode::InvalidQuery, &all)
    }

    pub fn limit(pairs: &[(&str, Value)]) -> Self {
        Self::new(ErrorCode::LimitExceeded, pairs)
    }
}

/// Parses `raw` as a value of a target whose field has `data_type`, into the form the store
/// compares; `None` when it does not fit the type.
pub fn parse_scalar(target: &Target, data_type: &str, raw: &str) -> Option<Scalar> {
    let raw = raw.trim();
    match target.kind() {
        Kind::Text | Kind::Multi => Some(Scalar::Text(fold(raw))),
        Kind::Ref => {
            let id = crate::ids::Id::parse(raw)?;
            // Columns (`id`, `Owner` ...) keep ids as integers, lookups in the document as text;
            // through a lookup (`Account_Name.id`) it is the looked-up field that counts.
            let innermost = match target {
                Target::Via { inner, .. } => inner.as_ref(),
                other => other,
            };
            Some(match innermost {
                Target::Column(_) => Scalar::Int(id.as_i64()),
                _ => Scalar::Text(id.to_string()),
            })
        }
        Kind::Number => {
            if matches!(data_type, "integer" | "bigint") {
                raw.parse::<i64>().ok().map(Scalar::Int)
            } else {
                raw.parse::<f64>().ok().filter(|f| f.is_finite()).map(Scalar::Real)
            }
        }
        Kind::Date => (raw.len() == 10 && raw.parse::<jiff::civil::Date>().is_ok()).then(|| Scalar::Text(raw.to_string())),
        Kind::DateTime => {
            // A `+` of an offset that was not URL-encoded arrives as a space.
            let fixed =
                if raw.len() > 19 && raw.as_bytes()[19] == b' ' { format!("{}+{}", &raw[..19], &raw[20..]) } else { raw.to_string() };
            crate::time_fmt::parse(&fixed).map(Scalar::Int)
        }
        Kind::Bool => match raw.to_ascii_lowercase().as_str() {
            "true" => Some(Scalar::Bool(true)),
            "false" => Some(Scalar::Bool(false)),
            _ => None,
        },
    }
}

/// The whole second a datetime falls in, as `[start, end)` in milliseconds.
fn second_of(ms: i64) -> (i64, i64) {
    let start = ms - ms.rem_euclid(1000);
    (start, start + 1000)
}

/// `target <cmp> value`. Datetimes on the wire have whole seconds, so a datetime compares by
/// the second it names: `=` matches any time within that second.
pub fn compare(target: &Target, cmp: Cmp, value: Scalar) -> Condition {
    let leaf = |cmp: Cmp, v: Scalar| Condition::leaf(target.clone(), Test::Cmp(cmp, v));
    match (target.kind(), &value) {
        (Kind::DateTime, Scalar::Int(ms)) => {
            let (lo, hi) = second_of(*ms);
            match cmp {
                Cmp::Eq => Condition::And(vec![leaf(Cmp::Ge, Scalar::Int(lo)), leaf(Cmp::Lt, Scalar::Int(hi))]),
                Cmp::Ne => Condition::Or(vec![leaf(Cmp::Lt, Scalar::Int(lo)), leaf(Cmp::Ge, Scalar::Int(hi))]),
                Cmp::Gt => leaf(Cmp::Ge, Scalar::Int(hi)),
                Cmp::Ge => leaf(Cmp::Ge, Scalar::Int(lo)),
                Cmp::Lt => leaf(Cmp::Lt, Scalar::Int(lo)),
                Cmp::Le => leaf(Cmp::Lt, Scalar::Int(hi)),
            }
        }
        _ => leaf(cmp, value),
    }
}

/// `target between lo and hi`, both ends included (`negated`: outside that range).
pub fn between(target: &Target, lo: Scalar, hi: Scalar, negated: bool) -> Condition {
    let (lo_cmp, hi_cmp) = if negated { (Cmp::Lt, Cmp::Gt) } else { (Cmp::Ge, Cmp::Le) };
    let parts = vec![compare(target, lo_cmp, lo), compare(target, hi_cmp, hi)];
    if negated {
        Condition::Or(parts)
    } else {
        Condition::And(parts)
    }
}

/// `target in (values)` (or `not in`).
pub fn in_list(target: &Target, values: Vec<Scalar>, negated: bool) -> Condition {
    if target.kind() == Kind::DateTime {
        let cmp = if negated { Cmp::Ne } else { Cmp::Eq };
        let parts = values.into_iter().map(|v| compare(target, cmp, v)).collect();
        return if negated { Condition::And(parts) } else { Condition::Or(parts) };
    }
    Condition::leaf(target.clone(), Test::In { values, negated })
}

/// Test helpers shared by the criteria and COQL tables.
#[cfg(test)]
pub(crate) mod testing {
    use crate::ids::Id;
    use crate::modules::{DataType, Schema};

    /// A schema with a Contacts field of every data type (custom fields), for the operator tables.
    pub fn typed_schema() -> Schema {
        let org = Id::from_i64(1_000_000_000_000_000_001);
        let custom: Vec<crate::modules::CustomField> = DataType::ALL
            .iter()
            .filter(|t| **t != DataType::Ownerlookup)
            .enumerate()
            .map(|(n, t)| crate::modules::CustomField {
                id: Id::from_i64(2_000_000_000_000_000_000 + n as i64),
                module: "Contacts".into(),
                api_name: format!("T_{}", t.as_str()),
                label: format!("T {}", t.as_str()),
                data_type: *t,
                length: None,
                picklist: if matches!(t, DataType::Picklist | DataType::Multiselectpicklist) { vec!["Gold".into()] } else { vec![] },
                unique: false,
                lookup_module: (*t == DataType::Lookup).then(|| "Accounts".into()),
            })
            .collect();
        Schema::for_org(org, &custom)
    }

    /// A field of each data type (`Owner` for ownerlookup) and a value of that type.
    pub fn typed_fields() -> Vec<(DataType, String, &'static str)> {
        DataType::ALL
            .iter()
            .map(|t| {
                let field = if *t == DataType::Ownerlookup { "Owner".to_string() } else { format!("T_{}", t.as_str()) };
                let value = match t {
                    DataType::Integer | DataType::Bigint => "5",
                    DataType::Double | DataType::Currency => "1.5",
                    DataType::Boolean => "true",
                    DataType::Date => "2026-01-01",
                    DataType::Datetime => "2026-01-01T00:00:00+00:00",
                    DataType::Lookup | DataType::Userlookup | DataType::Ownerlookup => "1000000000000000001",
                    DataType::Email => "a@b.example",
                    _ => "Gold",
                };
                (*t, field, value)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Id;
    use crate::modules::Schema;
    use serde_json::json;

    #[test]
    fn and_groups_probe_their_other_indexed_terms() {
        let schema = Schema::default_for(Id::from_i64(1_000_000_000_000_000_001));
        let contacts = schema.module("Contacts").unwrap();
        let text = |key: &str, test: Test| Condition::leaf(Target::Field { key: key.into(), kind: Kind::Text }, test);
        let eq = |v: &str| Test::Cmp(Cmp::Eq, Scalar::Text(v.into()));
        let and = Condition::And(vec![
            text("Title", eq("cto")),
            text("Last_Name", eq("ward")),
            text("First_Name", Test::Prefix("ad".into())),
            text("Email", Test::In { values: vec![Scalar::Text("a@b.c".into())], negated: true }),
            Condition::Or(vec![Condition::And(vec![text("Email", eq("x@y.z")), text("Mobile", eq("555"))])]),
        ]);
        let planned = intersect_indexed(contacts, and);
        // Title has no index and a negated `in` is not an index's answer: both stay as they are;
        // the first indexed term drives, the next is probed, and nested groups are planned too.
        assert_eq!(
            planned,
            Condition::And(vec![
                text("Title", eq("cto")),
                text("Last_Name", eq("ward")),
                Condition::Probe(Box::new(text("First_Name", Test::Prefix("ad".into())))),
                text("Email", Test::In { values: vec![Scalar::Text("a@b.c".into())], negated: true }),
                Condition::Or(vec![Condition::And(vec![
                    text("Email", eq("x@y.z")),
                    Condition::Probe(Box::new(text("Mobile", eq("555")))),
                ])]),
            ])
        );
        assert_eq!(planned.leaves(), 6);
        let single = text("Last_Name", eq("ward"));
        assert_eq!(intersect_indexed(contacts, single.clone()), single);
    }

    fn schema() -> Schema {
        Schema::default_for(Id::from_i64(1_000_000_000_000_000_001))
    }

    #[test]
    fn ids_compare_as_their_target_keeps_them() {
        let id = "1000000000000000001";
        let column = Target::Column(Column::Id);
        let lookup = Target::Field { key: "Account_Name".into(), kind: Kind::Ref };
        let via = |inner: Target| Target::Via { lookup: "Account_Name".into(), module: "Accounts".into(), inner: Box::new(inner) };
        assert_eq!(parse_scalar(&column, "bigint", id), Some(Scalar::Int(1_000_000_000_000_000_001)));
        assert_eq!(parse_scalar(&lookup, "lookup", id), Some(Scalar::Text(id.into())));
        assert_eq!(parse_scalar(&via(column.clone()), "bigint", id), Some(Scalar::Int(1_000_000_000_000_000_001)));
        assert_eq!(parse_scalar(&via(Target::Column(Column::Owner)), "ownerlookup", id), Some(Scalar::Int(1_000_000_000_000_000_001)));
        assert_eq!(parse_scalar(&via(lookup), "lookup", id), Some(Scalar::Text(id.into())));
    }

    #[test]
    fn fields_resolve_to_columns_or_keys() {
        let schema = schema();
        let contacts = schema.module("Contacts").unwrap();
        assert_eq!(resolve(contacts, "Owner").unwrap().0, Target::Column(Column::Owner));
        assert_eq!(resolve(contacts, "Full_Name").unwrap().0, Target::Column(Column::Name));
        assert_eq!(resolve(contacts, "Email").unwrap().0, Target::Field { key: "Email".into(), kind: Kind::Text });
        assert_eq!(resolve(contacts, "Account_Name").unwrap().0, Target::Field { key: "Account_Name".into(), kind: Kind::Ref });
        assert!(resolve(contacts, "Description").is_none());
        assert!(resolve(contacts, "Nope").is_none());
    }

    #[test]
    fn indexed_fields_are_the_searchable_kinds() {
        let schema = schema();
        let names: Vec<String> = indexed_fields(schema.module("Contacts").unwrap()).into_iter().map(|(k, _)| k).collect();
        assert_eq!(names, ["First_Name", "Last_Name", "Account_Name", "Email", "Phone", "Mobile", "Home_Phone"]);
        let deals: Vec<String> = indexed_fields(schema.module("Pipelines").unwrap()).into_iter().map(|(k, _)| k).collect();
        assert_eq!(deals, ["Deal_Name", "Layout", "Sub_Pipeline", "Stage", "Account_Name", "Contact_Name"]);
    }

    #[test]
    fn words_are_lower_cased_runs_of_letters_and_digits() {
        let schema = schema();
        let contacts = schema.module("Contacts").unwrap();
        let data = json!({"First_Name": "Ted", "Last_Name": "O'Brien", "Email": "Ted.OBrien@Zylker.example", "Description": "secret"});
        assert_eq!(words(contacts, data.as_object().unwrap()), ["brien", "example", "o", "obrien", "ted", "zylker"]);
        assert_eq!(tokenize("Émile-Zoë 42"), ["émile", "zoë", "42"]);
    }

    #[test]
    fn prefix_bounds_and_like_patterns() {
        assert_eq!(prefix_upper_bound("abc").as_deref(), Some("abd"));
        assert_eq!(prefix_upper_bound("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(prefix_upper_bound("\u{D7FF}").as_deref(), Some("\u{E000}"));
        assert_eq!(prefix_upper_bound("\u{10FFFF}"), None);
        assert!(like_matches("wat%", "watson"));
        assert!(like_matches("%son", "watson"));
        assert!(like_matches("%ts%", "watson"));
        assert!(like_matches("w%t%n", "watson"));
        assert!(!like_matches("w%x%n", "watson"));
        assert!(!like_matches("%ab%ab", "ab"));
        assert!(like_matches("watson", "watson"));
        assert!(!like_matches("wat", "watson"));
    }
}
