//! Writing records: each element of a batch is validated and written on its own, and reported in
//! the `data` array of the answer (Bigin's insert, update, upsert, delete and change-owner pages).

use std::collections::HashMap;

use crm::modules::{Module, Schema};
use crm::record::{self, details, FieldError, Mode};
use crm::{ErrorCode, Id};
use serde_json::{json, Map, Value};
use store::{OrgUser, RecordData, RecordRow, UniqueKey, WriteOutcome};

use crate::api::auth::Caller;
use crate::api::ApiError;
use crate::state::AppState;

pub const MAX_WRITE: usize = 100;
pub const MAX_CHANGE_OWNER: usize = 500;
const TRIGGERS: &[&str] = &["workflow", "approval", "blueprint"];

/// What one element of a write produced.
pub enum Outcome {
    Success(Value),
    Failure(FieldError),
}

impl Outcome {
    pub fn is_success(&self) -> bool {
        matches!(self, Self::Success(_))
    }

    /// The element of the answer's `data` array.
    pub fn to_json(&self, message: &str) -> Value {
        serde_json::to_value(self.element(message)).unwrap_or(Value::Null)
    }

    /// The same element, lent to the serializer (a batch answer has up to 100).
    pub fn element<'a>(&'a self, message: &'a str) -> Element<'a> {
        match self {
            Self::Success(details) => Element { code: "SUCCESS", details: Details::Value(details), message, status: "success" },
            Self::Failure(err) => {
                Element { code: err.code.as_str(), details: Details::Map(&err.details), message: &err.message, status: "error" }
            }
        }
    }
}

/// `{"code","details","message","status"}`, in Bigin's order.
#[derive(serde::Serialize)]
pub struct Element<'a> {
    code: &'a str,
    details: Details<'a>,
    message: &'a str,
    status: &'a str,
}

#[derive(serde::Serialize)]
#[serde(untagged)]
enum Details<'a> {
    Value(&'a Value),
    Map(&'a Map<String, Value>),
}

/// A write's body: the `data` array and the rest of the object.
pub struct WriteBody {
    pub items: Vec<Value>,
    pub rest: Map<String, Value>,
}

fn not_array() -> ApiError {
    ApiError::new(ErrorCode::InvalidData).with_detail("expected_data_type", "jsonarray").with_detail("api_name", "data")
}

/// Reads `{"data":[...], "trigger":[...]}`: malformed JSON or a `data` that is not an array is
/// `INVALID_DATA`, more than `max` elements `LIMIT_EXCEEDED`.
pub fn parse_body(body: &[u8], max: usize) -> Result<WriteBody, ApiError> {
    let value: Value = serde_json::from_slice(body).map_err(|_| {
        ApiError::new(ErrorCode::InvalidData).with_detail("expected_data_type", "jsonobject").with_message("body is not valid JSON")
    })?;
    let Value::Object(mut rest) = value else { return Err(not_array()) };
    let items = match rest.remove("data") {
        Some(Value::Array(items)) if !items.is_empty() => items,
        _ => return Err(not_array()),
    };
    if items.len() > max {
        return Err(ApiError::new(ErrorCode::LimitExceeded).with_detail("limit", max as u64).with_detail("api_name", "data"));
    }
    if let Some(trigger) = rest.get("trigger") {
        let ok = trigger.as_array().is_some_and(|t| t.iter().all(|v| v.as_str().is_some_and(|s| TRIGGERS.contains(&s))));
        if !ok {
            return Err(ApiError::new(ErrorCode::InvalidData)
                .with_detail("api_name", "trigger")
                .with_detail("expected_data_type", "jsonarray"));
        }
    }
    Ok(WriteBody { items, rest })
}

/// Per-request facts every element of a write shares.
pub struct Writer<'a> {
    state: &'a AppState,
    caller: &'a Caller,
    schema: &'a Schema,
    module: &'a Module,
    users: &'a HashMap<Id, OrgUser>,
}

impl<'a> Writer<'a> {
    pub async fn new(state: &'a AppState, caller: &'a Caller, module: &'a Module) -> Result<Self, ApiError> {
        Ok(Self { state, caller, schema: &caller.schema, module, users: &caller.members })
    }

    fn brief(&self, id: Id) -> Value {
        json!({"name": self.users.get(&id).map(OrgUser::full_name), "id": id.to_string()})
    }

    fn success_details(&self, row: &RecordRow) -> Value {
        let tz = &self.caller.tz;
        json!({
            "Modified_Time": crm::time_fmt::format(row.modified_time, tz),
            "Modified_By": self.brief(row.modified_by),
            "Created_Time": crm::time_fmt::format(row.created_time, tz),
            "id": row.id.to_string(),
            "Created_By": self.brief(row.created_by),
        })
    }

    fn is_active_user(&self, id: Id) -> bool {
        self.users.get(&id).is_some_and(|u| u.status == "active")
    }

    /// Checks what validation could not: the owner and every user lookup name an active user of
    /// this organization, and every lookup names a live record of its target module in this
    /// organization.
    async fn check_references(&self, draft: &record::Draft, index: usize) -> Result<Option<FieldError>, ApiError> {
        let owner = draft.owner.map(|id| ("Owner", id));
        let users = owner.into_iter().chain(draft.users.iter().map(|(name, id)| (name.as_str(), *id)));
        for (api_name, id) in users {
            if !self.is_active_user(id) {
                let field = self.module.field(api_name).expect("user lookups come from the module's fields");
                return Ok(Some(FieldError::invalid(field, index)));
            }
        }
        if draft.lookups.is_empty() {
            return Ok(None);
        }
        let ids: Vec<Id> = draft.lookups.iter().map(|(_, _, id)| *id).collect();
        let found = self.state.store.record_names(self.caller.org.id, &ids).await?;
        for (api_name, target, id) in &draft.lookups {
            if !found.iter().any(|n| n.id == *id && n.module == *target) {
                let field = self.module.field(api_name).expect("lookups come from the module's fields");
                return Ok(Some(FieldError::invalid(field, index)));
            }
        }
        Ok(None)
    }

    fn unique_keys(&self, data: &Map<String, Value>) -> Vec<UniqueKey> {
        self.module
            .fields
            .iter()
            .filter(|f| f.unique)
            .filter_map(|f| data.get(&f.api_name).map(|v| UniqueKey { field: f.api_name.clone(), value: unique_value(v) }))
            .collect()
    }

    async fn duplicate(&self, field: &str, existing_id: Id, index: usize) -> Result<FieldError, ApiError> {
        let existing = self.state.store.record(self.caller.org.id, self.module.api_name, existing_id).await?;
        let owner = existing.map(|r| self.brief(r.owner_id)).unwrap_or(Value::Null);
        let mut details = details(&[("api_name", field), ("json_path", &format!("$.data[{index}].{field}"))]);
        details.insert(
            "duplicate_record".into(),
            json!({"Owner": owner, "module": {"api_name": self.module.api_name, "id": self.module.id.to_string()}, "id": existing_id.to_string()}),
        );
        Ok(FieldError::new(ErrorCode::DuplicateData, details))
    }

    /// Validates an element and checks its references; the error is the element's answer.
    async fn draft(&self, input: &Value, index: usize, mode: Mode) -> Result<Result<record::Draft, FieldError>, ApiError> {
        let draft = match record::validate(self.schema, self.module, input, index, mode) {
            Ok(draft) => draft,
            Err(err) => return Ok(Err(err)),
        };
        Ok(match self.check_references(&draft, index).await? {
            Some(err) => Err(err),
            None => Ok(draft),
        })
    }

    /// Rules that look at the whole record as it will be stored.
    fn check_record(&self, values: &mut Map<String, Value>, index: usize) -> Result<(), FieldError> {
        if self.module.api_name == "Pipelines" {
            record::check_pipeline_stage(self.schema, values, index)?;
        }
        Ok(())
    }

    pub async fn insert(&self, input: &Value, index: usize) -> Result<Outcome, ApiError> {
        let draft = match self.draft(input, index, Mode::Insert).await? {
            Ok(draft) => draft,
            Err(err) => return Ok(Outcome::Failure(err)),
        };
        self.insert_draft(draft, index).await
    }

    /// Inserts every element of a write, committing the valid ones together.
    pub async fn insert_many(&self, items: &[Value]) -> Result<Vec<Outcome>, ApiError> {
        let mut outcomes: Vec<Option<Outcome>> = Vec::with_capacity(items.len());
        let mut rows = Vec::new();
        let mut positions = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let row = match self.draft(item, index, Mode::Insert).await? {
                Ok(draft) => self.new_row(draft, index),
                Err(err) => Err(err),
            };
            match row {
                Ok((row, keys)) => {
                    rows.push((row, keys));
                    positions.push(index);
                    outcomes.push(None);
                }
                Err(err) => outcomes.push(Some(Outcome::Failure(err))),
            }
        }
        let written = self.state.store.insert_records(&rows).await?;
        for (((row, _), index), outcome) in rows.iter().zip(positions).zip(written) {
            outcomes[index] = Some(self.inserted(row, outcome, index).await?);
        }
        Ok(outcomes.into_iter().map(|o| o.expect("every element has an outcome")).collect())
    }

    /// The element's answer once the store has tried to insert `row`.
    async fn inserted(&self, row: &RecordRow, outcome: WriteOutcome, index: usize) -> Result<Outcome, ApiError> {
        match outcome {
            WriteOutcome::Written => Ok(Outcome::Success(self.success_details(row))),
            WriteOutcome::Duplicate { field, existing_id } => Ok(Outcome::Failure(self.duplicate(&field, existing_id, index).await?)),
            WriteOutcome::NotFound => Err(ApiError::internal(anyhow::anyhow!("insert reported a missing record"))),
        }
    }

    async fn insert_draft(&self, draft: record::Draft, index: usize) -> Result<Outcome, ApiError> {
        let (row, keys) = match self.new_row(draft, index) {
            Ok(row) => row,
            Err(err) => return Ok(Outcome::Failure(err)),
        };
        let outcome = self.state.store.insert_record(&row, &keys).await?;
        self.inserted(&row, outcome, index).await
    }

    /// The record a valid draft becomes, and its unique values.
    fn new_row(&self, draft: record::Draft, index: usize) -> Result<(RecordRow, Vec<UniqueKey>), FieldError> {
        let now = self.state.now();
        let me = self.caller.user.id;
        let mut data: Map<String, Value> = draft.values.into_iter().filter(|(_, v)| !v.is_null()).collect();
        self.check_record(&mut data, index)?;
        let mut row = RecordRow {
            org_id: self.caller.org.id,
            module: self.module.api_name.to_string(),
            id: self.state.mint_id(),
            name: String::new(),
            owner_id: draft.owner.unwrap_or(me),
            created_by: me,
            modified_by: me,
            created_time: now,
            modified_time: now,
            words: Vec::new(),
            data: RecordData::default(),
        };
        let keys = self.seal(&mut row, &data);
        Ok((row, keys))
    }

    /// Stores `data` in `row` with what is derived from it (the name lookups show, the words
    /// search finds), and returns its unique values: all computed here, on the request's task,
    /// so the store only binds them.
    fn seal(&self, row: &mut RecordRow, data: &Map<String, Value>) -> Vec<UniqueKey> {
        row.name = record::display_name(self.module, data);
        row.words = crm::query::words(self.module, data);
        row.data = RecordData::from_map(data);
        self.unique_keys(data)
    }

    pub async fn update(&self, id: Option<Id>, input: &Value, index: usize) -> Result<Outcome, ApiError> {
        let Some(id) = id else {
            return Ok(Outcome::Failure(FieldError::mandatory("id", index)));
        };
        let draft = match self.draft(input, index, Mode::Update).await? {
            Ok(draft) => draft,
            Err(err) => return Ok(Outcome::Failure(err)),
        };
        self.update_draft(id, draft, index).await
    }

    async fn update_draft(&self, id: Id, draft: record::Draft, index: usize) -> Result<Outcome, ApiError> {
        let org_id = self.caller.org.id;
        let Some(mut row) = self.state.store.record(org_id, self.module.api_name, id).await? else {
            return Ok(Outcome::Failure(invalid_id(id)));
        };
        let mut data = row.data.to_map();
        for (key, value) in draft.values {
            if value.is_null() {
                data.remove(&key);
            } else {
                data.insert(key, value);
            }
        }
        if let Err(err) = self.check_record(&mut data, index) {
            return Ok(Outcome::Failure(err));
        }
        if let Some(owner) = draft.owner {
            row.owner_id = owner;
        }
        self.save(row, &data, index).await
    }

    /// Writes a changed record with the values `data`, stamping who changed it and when.
    async fn save(&self, mut row: RecordRow, data: &Map<String, Value>, index: usize) -> Result<Outcome, ApiError> {
        let keys = self.seal(&mut row, data);
        row.modified_by = self.caller.user.id;
        row.modified_time = self.state.now();
        match self.state.store.update_record(&row, &keys).await? {
            WriteOutcome::Written => Ok(Outcome::Success(self.success_details(&row))),
            WriteOutcome::Duplicate { field, existing_id } => Ok(Outcome::Failure(self.duplicate(&field, existing_id, index).await?)),
            WriteOutcome::NotFound => Ok(Outcome::Failure(invalid_id(row.id))),
        }
    }

    /// Updates the record that holds the same value in the first of `check_fields` the element
    /// has, or inserts it when none does. Returns the outcome and whether it inserted.
    pub async fn upsert(&self, input: &Value, index: usize, check_fields: &[String]) -> Result<(Outcome, bool), ApiError> {
        let mut existing = None;
        for field in check_fields {
            let Some(value) = input.get(field).filter(|v| !v.is_null()) else { continue };
            if let Some(id) = self.state.store.record_by_key(self.caller.org.id, self.module.api_name, field, &unique_value(value)).await? {
                existing = Some((id, field.clone()));
                break;
            }
        }
        let mode = if existing.is_some() { Mode::Update } else { Mode::Insert };
        let draft = match self.draft(input, index, mode).await? {
            Ok(draft) => draft,
            Err(err) => return Ok((Outcome::Failure(err), existing.is_none())),
        };
        match existing {
            Some((id, field)) => {
                let outcome = self.update_draft(id, draft, index).await?;
                Ok((with_action(outcome, "update", Some(&field)), false))
            }
            None => Ok((with_action(self.insert_draft(draft, index).await?, "insert", None), true)),
        }
    }

    pub async fn delete(&self, id: Id) -> Result<Outcome, ApiError> {
        let deleted =
            self.state.store.delete_record(self.caller.org.id, self.module.api_name, id, self.caller.user.id, self.state.now()).await?;
        Ok(if deleted {
            Outcome::Success(json!({"id": id.to_string()}))
        } else {
            Outcome::Failure(
                FieldError::new(ErrorCode::InvalidData, details(&[("id", &id.to_string())])).with_message("record not deleted"),
            )
        })
    }

    /// Gives the record a new owner.
    pub async fn change_owner(&self, id: Id, owner: Id) -> Result<Outcome, ApiError> {
        let Some(mut row) = self.state.store.record(self.caller.org.id, self.module.api_name, id).await? else {
            return Ok(Outcome::Failure(invalid_id(id)));
        };
        row.owner_id = owner;
        let data = row.data.to_map();
        self.save(row, &data, 0).await.map(|o| match o {
            Outcome::Success(_) => Outcome::Success(json!({"id": id.to_string()})),
            failure => failure,
        })
    }

    /// Sets (or, with `None`, clears) a lookup of a record: what linking through a lookup-based
    /// related list does. `se_module` is set with polymorphic lookups.
    pub async fn set_lookup(&self, id: Id, field: &str, value: Option<Id>, se_module: Option<&str>) -> Result<Outcome, ApiError> {
        let Some(row) = self.state.store.record(self.caller.org.id, self.module.api_name, id).await? else {
            return Ok(Outcome::Failure(invalid_id(id)));
        };
        let mut data = row.data.to_map();
        match value {
            Some(target) => {
                data.insert(field.to_string(), Value::String(target.to_string()));
                if let Some(module) = se_module {
                    data.insert(record::SE_MODULE.into(), Value::String(module.to_string()));
                }
            }
            None => {
                data.remove(field);
                if se_module.is_some() {
                    data.remove(record::SE_MODULE);
                }
            }
        }
        if self.module.field(field).is_some_and(|f| f.mandatory) && value.is_none() {
            return Ok(Outcome::Failure(FieldError::mandatory(field, 0)));
        }
        self.save(row, &data, 0).await.map(|o| match o {
            Outcome::Success(_) => Outcome::Success(json!({"id": id.to_string()})),
            failure => failure,
        })
    }

    pub fn is_user(&self, id: Id) -> bool {
        self.is_active_user(id)
    }
}

/// The lower-cased text a unique value is compared by.
fn unique_value(value: &Value) -> String {
    match value {
        Value::String(s) => s.trim().to_lowercase(),
        other => other.to_string().to_lowercase(),
    }
}

/// Adds upsert's `action` and `duplicate_field` to a success.
fn with_action(outcome: Outcome, action: &str, field: Option<&str>) -> Outcome {
    match outcome {
        Outcome::Success(Value::Object(mut details)) => {
            details.insert("action".into(), json!(action));
            details.insert("duplicate_field".into(), json!(field));
            Outcome::Success(Value::Object(details))
        }
        other => other,
    }
}

/// The `id` of an update that names no record of this module in this organization.
pub fn invalid_id(id: Id) -> FieldError {
    FieldError::new(ErrorCode::InvalidData, details(&[("id", &id.to_string())])).with_message("the id given seems to be invalid")
}

/// The record id an update element carries in `id`.
pub fn id_in(input: &Value) -> Option<Id> {
    match input.get("id")? {
        Value::String(s) => Id::parse(s),
        Value::Number(n) => Id::parse(&n.to_string()),
        _ => None,
    }
}
