//! Writing records: each element of a batch is validated and written on its own, and reported in
//! the `data` array of the answer (Bigin's insert, update and delete pages).

use std::collections::HashMap;

use crm::modules::Module;
use crm::record::{self, details, FieldError, Mode};
use crm::{ErrorCode, Id};
use serde_json::{json, Map, Value};
use store::{OrgUser, RecordRow, UniqueKey, WriteOutcome};

use crate::api::auth::Caller;
use crate::api::ApiError;
use crate::state::AppState;

pub const MAX_WRITE: usize = 100;

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
        match self {
            Self::Success(details) => json!({"code": "SUCCESS", "details": details, "message": message, "status": "success"}),
            Self::Failure(err) => json!({"code": err.code.as_str(), "details": err.details, "message": err.message, "status": "error"}),
        }
    }
}

/// Reads `{"data":[...]}`: malformed JSON or a `data` that is not an array is `INVALID_DATA`,
/// more than 100 elements `LIMIT_EXCEEDED`.
pub fn parse_body(body: &[u8]) -> Result<Vec<Value>, ApiError> {
    let not_array = || ApiError::new(ErrorCode::InvalidData).with_detail("expected_data_type", "jsonarray").with_detail("api_name", "data");
    let value: Value = serde_json::from_slice(body).map_err(|_| {
        ApiError::new(ErrorCode::InvalidData).with_detail("expected_data_type", "jsonobject").with_message("body is not valid JSON")
    })?;
    let items = match value {
        Value::Object(mut map) => match map.remove("data") {
            Some(Value::Array(items)) => items,
            _ => return Err(not_array()),
        },
        _ => return Err(not_array()),
    };
    if items.is_empty() {
        return Err(not_array());
    }
    if items.len() > MAX_WRITE {
        return Err(ApiError::new(ErrorCode::LimitExceeded).with_detail("limit", MAX_WRITE as u64).with_detail("api_name", "data"));
    }
    Ok(items)
}

/// Per-request facts every element of a write shares.
pub struct Writer<'a> {
    state: &'a AppState,
    caller: &'a Caller,
    module: &'a Module,
    users: HashMap<Id, OrgUser>,
}

impl<'a> Writer<'a> {
    pub async fn new(state: &'a AppState, caller: &'a Caller, module: &'a Module) -> Result<Self, ApiError> {
        let users = state.store.org_users(caller.org.id).await?.into_iter().map(|u| (u.id, u)).collect();
        Ok(Self { state, caller, module, users })
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

    /// Checks what validation could not: the owner is an active user of this organization and
    /// every lookup names a live record of its target module in this organization.
    async fn check_references(&self, draft: &record::Draft, index: usize) -> Result<(), ApiError> {
        if let Some(owner) = draft.owner {
            if self.users.get(&owner).is_none_or(|u| u.status != "active") {
                let field = self.module.field("Owner").expect("every module has an Owner");
                return Err(field_error(FieldError::invalid(field, index)));
            }
        }
        if draft.lookups.is_empty() {
            return Ok(());
        }
        let ids: Vec<Id> = draft.lookups.iter().map(|(_, _, id)| *id).collect();
        let found = self.state.store.record_names(self.caller.org.id, &ids).await?;
        for (api_name, target, id) in &draft.lookups {
            if !found.iter().any(|n| n.id == *id && n.module == *target) {
                let field = self.module.field(api_name).expect("lookups come from the module's fields");
                return Err(field_error(FieldError::invalid(field, index)));
            }
        }
        Ok(())
    }

    fn unique_keys(&self, data: &Map<String, Value>) -> Vec<UniqueKey> {
        self.module
            .fields
            .iter()
            .filter(|f| f.unique)
            .filter_map(|f| {
                data.get(&f.api_name)
                    .and_then(Value::as_str)
                    .map(|v| UniqueKey { field: f.api_name.clone(), value: v.trim().to_lowercase() })
            })
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

    pub async fn insert(&self, input: &Value, index: usize) -> Result<Outcome, ApiError> {
        let draft = match record::validate(self.module, input, index, Mode::Insert) {
            Ok(draft) => draft,
            Err(err) => return Ok(Outcome::Failure(err)),
        };
        if let Err(err) = self.check_references(&draft, index).await {
            return Ok(Outcome::Failure(as_field_error(err)));
        }
        let now = self.state.now();
        let me = self.caller.user.id;
        let data: Map<String, Value> = draft.values.into_iter().filter(|(_, v)| !v.is_null()).collect();
        let row = RecordRow {
            org_id: self.caller.org.id,
            module: self.module.api_name.to_string(),
            id: self.state.mint_id(),
            name: record::display_name(self.module, &data),
            owner_id: draft.owner.unwrap_or(me),
            created_by: me,
            modified_by: me,
            created_time: now,
            modified_time: now,
            data,
        };
        let keys = self.unique_keys(&row.data);
        match self.state.store.insert_record(&row, &keys).await? {
            WriteOutcome::Written => Ok(Outcome::Success(self.success_details(&row))),
            WriteOutcome::Duplicate { field, existing_id } => Ok(Outcome::Failure(self.duplicate(&field, existing_id, index).await?)),
            WriteOutcome::NotFound => Err(ApiError::internal(anyhow::anyhow!("insert reported a missing record"))),
        }
    }

    pub async fn update(&self, id: Option<Id>, input: &Value, index: usize) -> Result<Outcome, ApiError> {
        let Some(id) = id else {
            return Ok(Outcome::Failure(FieldError::mandatory("id", index)));
        };
        let draft = match record::validate(self.module, input, index, Mode::Update) {
            Ok(draft) => draft,
            Err(err) => return Ok(Outcome::Failure(err)),
        };
        if let Err(err) = self.check_references(&draft, index).await {
            return Ok(Outcome::Failure(as_field_error(err)));
        }
        let org_id = self.caller.org.id;
        let Some(mut row) = self.state.store.record(org_id, self.module.api_name, id).await? else {
            return Ok(Outcome::Failure(invalid_id(id)));
        };
        for (key, value) in draft.values {
            if value.is_null() {
                row.data.remove(&key);
            } else {
                row.data.insert(key, value);
            }
        }
        if let Some(owner) = draft.owner {
            row.owner_id = owner;
        }
        row.name = record::display_name(self.module, &row.data);
        row.modified_by = self.caller.user.id;
        row.modified_time = self.state.now();
        let keys = self.unique_keys(&row.data);
        match self.state.store.update_record(&row, &keys).await? {
            WriteOutcome::Written => Ok(Outcome::Success(self.success_details(&row))),
            WriteOutcome::Duplicate { field, existing_id } => Ok(Outcome::Failure(self.duplicate(&field, existing_id, index).await?)),
            WriteOutcome::NotFound => Ok(Outcome::Failure(invalid_id(id))),
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
}

/// The `id` of an update that names no record of this module in this organization.
fn invalid_id(id: Id) -> FieldError {
    FieldError::new(ErrorCode::InvalidData, details(&[("id", &id.to_string())])).with_message("the id given seems to be invalid")
}

fn field_error(err: FieldError) -> ApiError {
    ApiError { code: err.code, message: err.message, details: err.details }
}

fn as_field_error(err: ApiError) -> FieldError {
    FieldError { code: err.code, message: err.message, details: err.details }
}

/// The record id an update element carries in `id`.
pub fn id_in(input: &Value) -> Option<Id> {
    match input.get("id")? {
        Value::String(s) => Id::parse(s),
        Value::Number(n) => Id::parse(&n.to_string()),
        _ => None,
    }
}
