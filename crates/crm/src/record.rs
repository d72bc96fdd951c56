//! Validation of a record sent by a client: each value is checked against its field's data type
//! and normalised to the form the store keeps. Lookup and owner ids are checked later, against
//! the store, because that needs I/O.

use serde_json::{Map, Value};

use crate::errors::ErrorCode;
use crate::ids::Id;
use crate::modules::{DataType, Field, LookupTarget, Maintained, Module, Schema};
use crate::time_fmt;

/// Whether a record is being created or changed: only creation demands every mandatory field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Insert,
    Update,
}

/// A per-record error, as Bigin reports it inside the `data` array of a write.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldError {
    pub code: ErrorCode,
    pub message: String,
    pub details: Map<String, Value>,
}

impl FieldError {
    pub fn new(code: ErrorCode, details: Map<String, Value>) -> Self {
        Self { code, message: code.default_message().to_string(), details }
    }

    pub fn mandatory(api_name: &str, index: usize) -> Self {
        Self::new(ErrorCode::MandatoryNotFound, details(&[("api_name", api_name), ("json_path", &path(index, api_name))]))
    }

    pub fn invalid(field: &Field, index: usize) -> Self {
        Self::new(
            ErrorCode::InvalidData,
            details(&[
                ("expected_data_type", field.data_type.as_str()),
                ("api_name", &field.api_name),
                ("json_path", &path(index, &field.api_name)),
            ]),
        )
    }

    pub fn with_message(mut self, message: &str) -> Self {
        self.message = message.to_string();
        self
    }
}

fn path(index: usize, api_name: &str) -> String {
    format!("$.data[{index}].{api_name}")
}

pub fn details(pairs: &[(&str, &str)]) -> Map<String, Value> {
    pairs.iter().map(|(k, v)| (k.to_string(), Value::String(v.to_string()))).collect()
}

/// A record that passed validation: values normalised for storage, and the ids still to check.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Draft {
    /// Client-maintained fields present in the input; `Value::Null` clears a field on update.
    pub values: Map<String, Value>,
    pub owner: Option<Id>,
    /// `(field api name, target module, id)` of each lookup to a record.
    pub lookups: Vec<(String, String, Id)>,
    /// `(field api name, user id)` of each user lookup (a custom `userlookup` field).
    pub users: Vec<(String, Id)>,
}

/// The key a polymorphic lookup's module is sent and stored under.
pub const SE_MODULE: &str = "$se_module";

/// Validates one element of a write's `data` array.
pub fn validate(schema: &Schema, module: &Module, input: &Value, index: usize, mode: Mode) -> Result<Draft, FieldError> {
    let Some(object) = input.as_object() else {
        return Err(FieldError::new(
            ErrorCode::InvalidData,
            details(&[("expected_data_type", "jsonobject"), ("json_path", &format!("$.data[{index}]"))]),
        ));
    };
    let mut draft = Draft::default();
    for field in &module.fields {
        if field.maintained == Maintained::Server {
            continue;
        }
        let Some(value) = object.get(&field.api_name) else { continue };
        if is_blank(value) {
            if field.mandatory || field.api_name == "Owner" {
                return Err(FieldError::mandatory(&field.api_name, index));
            }
            draft.values.insert(field.api_name.clone(), Value::Null);
            if field.lookup == Some(LookupTarget::SeModule) {
                draft.values.insert(SE_MODULE.into(), Value::Null);
            }
            continue;
        }
        let normalised = normalise(field, value).ok_or_else(|| FieldError::invalid(field, index))?;
        if field.data_type == DataType::Ownerlookup && field.api_name == "Owner" {
            draft.owner = Some(id_of(&normalised).ok_or_else(|| FieldError::invalid(field, index))?);
            continue;
        }
        if field.data_type == DataType::Userlookup {
            let id = id_of(&normalised).ok_or_else(|| FieldError::invalid(field, index))?;
            draft.users.push((field.api_name.clone(), id));
        }
        match &field.lookup {
            Some(LookupTarget::Module(target)) => {
                let id = id_of(&normalised).ok_or_else(|| FieldError::invalid(field, index))?;
                draft.lookups.push((field.api_name.clone(), target.clone(), id));
            }
            Some(LookupTarget::SeModule) => {
                let id = id_of(&normalised).ok_or_else(|| FieldError::invalid(field, index))?;
                let allowed = crate::se_modules(module.api_name);
                let target = object.get(SE_MODULE).and_then(Value::as_str).and_then(|m| allowed.iter().find(|a| a.eq_ignore_ascii_case(m)));
                let Some(target) = target else {
                    return Err(FieldError::new(
                        ErrorCode::InvalidData,
                        details(&[("expected_data_type", "text"), ("api_name", SE_MODULE), ("json_path", &path(index, SE_MODULE))]),
                    ));
                };
                draft.lookups.push((field.api_name.clone(), target.to_string(), id));
                draft.values.insert(SE_MODULE.into(), Value::String(target.to_string()));
            }
            Some(LookupTarget::TeamPipeline) => {
                let known = id_of(&normalised).and_then(|id| schema.pipeline(id));
                if known.is_none() {
                    return Err(FieldError::invalid(field, index));
                }
            }
            None => {}
        }
        draft.values.insert(field.api_name.clone(), normalised);
    }
    if mode == Mode::Insert {
        if let Some(missing) = module.fields.iter().find(|f| f.mandatory && !draft.values.contains_key(&f.api_name)) {
            return Err(FieldError::mandatory(&missing.api_name, index));
        }
    }
    Ok(draft)
}

/// A pipeline record's `Sub_Pipeline` must belong to its team pipeline (`Layout`, else the
/// default one) and its `Stage` to that sub-pipeline. `values` is the record as it will be
/// stored; a record without `Layout` gets the default team pipeline's id.
pub fn check_pipeline_stage(schema: &Schema, values: &mut Map<String, Value>, index: usize) -> Result<(), FieldError> {
    let layout = values.get("Layout").and_then(Value::as_str).and_then(Id::parse).and_then(|id| schema.pipeline(id));
    let pipeline = layout.unwrap_or_else(|| schema.default_pipeline());
    values.insert("Layout".into(), Value::String(pipeline.id.to_string()));
    let invalid = |api_name: &str, message: &str| {
        FieldError::new(
            ErrorCode::InvalidData,
            details(&[("expected_data_type", "picklist"), ("api_name", api_name), ("json_path", &path(index, api_name))]),
        )
        .with_message(message)
    };
    let sub_name = values.get("Sub_Pipeline").and_then(Value::as_str).unwrap_or("");
    let sub = pipeline
        .sub_pipeline(sub_name)
        .ok_or_else(|| invalid("Sub_Pipeline", "the sub-pipeline is not one of the record's team pipeline"))?;
    let stage = values.get("Stage").and_then(Value::as_str).unwrap_or("");
    sub.stage(stage).ok_or_else(|| invalid("Stage", "the stage is not one of the record's sub-pipeline"))?;
    Ok(())
}

fn is_blank(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

fn id_of(value: &Value) -> Option<Id> {
    value.as_str().and_then(Id::parse)
}

/// The stored form of `value` for `field`, or `None` when the value does not fit its type.
fn normalise(field: &Field, value: &Value) -> Option<Value> {
    let fits_length = |s: &str| field.length.is_none_or(|max| s.chars().count() <= max as usize);
    match field.data_type {
        DataType::Text | DataType::Textarea => value.as_str().filter(|s| fits_length(s)).map(|s| Value::String(s.to_string())),
        DataType::Email => value.as_str().map(str::trim).filter(|s| fits_length(s) && is_email(s)).map(|s| Value::String(s.to_string())),
        DataType::Phone => value.as_str().map(str::trim).filter(|s| fits_length(s) && is_phone(s)).map(|s| Value::String(s.to_string())),
        DataType::Website => {
            value.as_str().map(str::trim).filter(|s| fits_length(s) && is_website(s)).map(|s| Value::String(s.to_string()))
        }
        DataType::Integer => value.as_i64().filter(|n| i32::try_from(*n).is_ok()).map(Value::from),
        DataType::Bigint => match value {
            Value::Number(n) => n.as_i64().map(Value::from),
            Value::String(s) => s.trim().parse::<i64>().ok().map(Value::from),
            _ => None,
        },
        DataType::Double | DataType::Currency => value.as_f64().filter(|f| f.is_finite()).map(Value::from),
        DataType::Boolean => value.as_bool().map(Value::Bool),
        DataType::Date => value.as_str().filter(|s| is_date(s)).map(|s| Value::String(s.to_string())),
        DataType::Datetime => value.as_str().and_then(time_fmt::parse).map(Value::from),
        DataType::Picklist => value.as_str().filter(|s| field.picklist.iter().any(|p| p == s)).map(|s| Value::String(s.to_string())),
        DataType::Multiselectpicklist => {
            let items = value.as_array()?;
            let ok = items.iter().all(|v| v.as_str().is_some_and(|s| field.picklist.iter().any(|p| p == s)));
            ok.then(|| value.clone())
        }
        DataType::Lookup | DataType::Ownerlookup | DataType::Userlookup => {
            let id = match value {
                Value::Object(map) => map.get("id")?,
                other => other,
            };
            let text = match id {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => return None,
            };
            Id::parse(&text).map(|id| Value::String(id.to_string()))
        }
    }
}

fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else { return false };
    !local.is_empty()
        && !s.chars().any(|c| c.is_whitespace() || c == ',' || c == ';')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
}

fn is_phone(s: &str) -> bool {
    s.chars().any(|c| c.is_ascii_digit()) && s.chars().all(|c| c.is_ascii_digit() || " +-().x#*/ext".contains(c))
}

fn is_website(s: &str) -> bool {
    let host =
        s.split_once("://").map_or(
            s,
            |(scheme, rest)| if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") { rest } else { "" },
        );
    !host.is_empty() && host.contains('.') && !host.chars().any(char::is_whitespace)
}

fn is_date(s: &str) -> bool {
    s.len() == 10 && s.parse::<jiff::civil::Date>().is_ok()
}

/// The name a record shows when it is looked up, from its stored values.
pub fn display_name(module: &Module, values: &Map<String, Value>) -> String {
    if module.api_name == "Contacts" {
        let first = values.get("First_Name").and_then(Value::as_str).unwrap_or("");
        let last = values.get("Last_Name").and_then(Value::as_str).unwrap_or("");
        return format!("{first} {last}").trim().to_string();
    }
    values.get(module.name_field).and_then(Value::as_str).unwrap_or("").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::modules::Schema;
    use serde_json::json;

    fn schema() -> Schema {
        Schema::default_for(Id::from_i64(1_000_000_000_000_000_001))
    }

    fn contacts() -> Module {
        schema().module("Contacts").unwrap().clone()
    }

    fn check(input: Value, mode: Mode) -> Result<Draft, FieldError> {
        validate(&schema(), &contacts(), &input, 0, mode)
    }

    #[test]
    fn insert_requires_last_name() {
        let err = validate(&schema(), &contacts(), &json!({"First_Name": "Ann"}), 1, Mode::Insert).unwrap_err();
        assert_eq!(err.code, ErrorCode::MandatoryNotFound);
        assert_eq!(err.details["json_path"], "$.data[1].Last_Name");
        assert!(check(json!({"First_Name": "Ann"}), Mode::Update).is_ok());
    }

    #[test]
    fn type_errors_name_the_field_and_type() {
        let err = check(json!({"Last_Name": "X", "Email": "not-an-email"}), Mode::Insert).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidData);
        assert_eq!(err.details["api_name"], "Email");
        assert_eq!(err.details["expected_data_type"], "email");
        let too_long = "x".repeat(81);
        let err = check(json!({"Last_Name": too_long}), Mode::Insert).unwrap_err();
        assert_eq!(err.details["api_name"], "Last_Name");
        let err = check(json!({"Last_Name": "X", "Email_Opt_Out": "yes"}), Mode::Insert).unwrap_err();
        assert_eq!(err.details["expected_data_type"], "boolean");
    }

    #[test]
    fn lookups_accept_an_id_object_and_unknown_keys_are_ignored() {
        let draft = check(
            json!({"Last_Name": "X", "Account_Name": {"id": "4876876000000333001"}, "Nope": 1, "$x": true, "Full_Name": "ignored"}),
            Mode::Insert,
        )
        .unwrap();
        assert_eq!(draft.lookups, vec![("Account_Name".to_string(), "Accounts".to_string(), Id::parse("4876876000000333001").unwrap())]);
        assert!(!draft.values.contains_key("Nope"));
        assert!(!draft.values.contains_key("Full_Name"));
    }

    #[test]
    fn related_to_needs_a_se_module_it_allows() {
        let schema = schema();
        let tasks = schema.module("Tasks").unwrap();
        let ok = validate(
            &schema,
            tasks,
            &json!({"Subject": "Call", "What_Id": {"id": "1000000000000000009"}, "$se_module": "contacts"}),
            0,
            Mode::Insert,
        )
        .unwrap();
        assert_eq!(ok.values[SE_MODULE], "Contacts");
        assert_eq!(ok.lookups[0].1, "Contacts");
        for bad in [
            json!({"Subject": "x", "What_Id": {"id": "1000000000000000009"}}),
            json!({"Subject": "x", "What_Id": {"id": "1000000000000000009"}, "$se_module": "Products"}),
        ] {
            let err = validate(&schema, tasks, &bad, 0, Mode::Insert).unwrap_err();
            assert_eq!(err.details["api_name"], SE_MODULE);
        }
    }

    #[test]
    fn pipeline_stages_belong_to_their_sub_pipeline() {
        let schema = schema();
        let pipelines = schema.module("Pipelines").unwrap();
        let input = json!({"Deal_Name": "D", "Sub_Pipeline": "Standard", "Stage": "Qualification"});
        let mut draft = validate(&schema, pipelines, &input, 0, Mode::Insert).unwrap();
        check_pipeline_stage(&schema, &mut draft.values, 0).unwrap();
        assert_eq!(draft.values["Layout"], schema.default_pipeline().id.to_string());
        let mut wrong = draft.values.clone();
        wrong.insert("Sub_Pipeline".into(), json!("Other"));
        assert_eq!(check_pipeline_stage(&schema, &mut wrong, 0).unwrap_err().details["api_name"], "Sub_Pipeline");
        let err = validate(&schema, pipelines, &json!({"Deal_Name": "D", "Sub_Pipeline": "Standard", "Stage": "Won?"}), 0, Mode::Insert)
            .unwrap_err();
        assert_eq!(err.details["api_name"], "Stage");
        let err = validate(
            &schema,
            pipelines,
            &json!({"Deal_Name": "D", "Sub_Pipeline": "Standard", "Stage": "Qualification", "Layout": {"id": "1000000000000000001"}}),
            0,
            Mode::Insert,
        )
        .unwrap_err();
        assert_eq!(err.details["api_name"], "Layout");
    }

    #[test]
    fn display_name_of_a_contact_joins_first_and_last() {
        let values = json!({"First_Name": "Ted", "Last_Name": "Watson"});
        assert_eq!(display_name(&contacts(), values.as_object().unwrap()), "Ted Watson");
    }

    #[test]
    fn simple_type_checks() {
        assert!(is_email("a.b+c@example.co.uk"));
        assert!(!is_email("a@b"));
        assert!(!is_email("a b@example.com"));
        assert!(is_phone("+1 (555) 010-0100"));
        assert!(!is_phone("call me"));
        assert!(is_website("https://example.com/x"));
        assert!(is_website("www.example.com"));
        assert!(!is_website("ftp://example.com"));
        assert!(is_date("2026-02-28"));
        assert!(!is_date("2026-02-30"));
    }
}
