//! Records on the wire: system fields expanded (`Owner` as `{"name","id","email"}`, lookups as
//! `{"name","id"}`, times in the organization's offset), then `Tag` and `id`.

use std::collections::HashMap;

use crm::modules::{DataType, Field, Module};
use crm::Id;
use serde_json::{json, Map, Value};
use store::{OrgUser, RecordRow};

use crate::api::auth::Caller;
use crate::api::ApiError;
use crate::state::AppState;

/// What rendering needs beyond the rows: the organization's users and the names of looked-up
/// records, each fetched once per request.
pub struct RenderContext<'a> {
    caller: &'a Caller,
    users: HashMap<Id, OrgUser>,
    names: HashMap<Id, String>,
}

impl<'a> RenderContext<'a> {
    pub async fn load(state: &AppState, caller: &'a Caller, module: &Module, rows: &[RecordRow]) -> Result<Self, ApiError> {
        let users = state.store.org_users(caller.org.id).await?.into_iter().map(|u| (u.id, u)).collect();
        let lookup_fields: Vec<&Field> = module.fields.iter().filter(|f| f.data_type == DataType::Lookup).collect();
        let mut ids: Vec<Id> = rows
            .iter()
            .flat_map(|row| lookup_fields.iter().filter_map(|f| row.data.get(&f.api_name).and_then(Value::as_str).and_then(Id::parse)))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let names = state.store.record_names(caller.org.id, &ids).await?.into_iter().map(|n| (n.id, n.name)).collect();
        Ok(Self { caller, users, names })
    }

    /// A user as records show one; a user since removed still shows its id.
    pub fn user_ref(&self, id: Id) -> Value {
        match self.users.get(&id) {
            Some(user) => json!({"name": user.full_name(), "id": id.to_string(), "email": user.email}),
            None => json!({"name": null, "id": id.to_string(), "email": null}),
        }
    }

    pub fn time(&self, ms: i64) -> Value {
        Value::String(crm::time_fmt::format(ms, &self.caller.tz))
    }

    fn value(&self, field: &Field, row: &RecordRow) -> Value {
        match field.api_name.as_str() {
            "Owner" => return self.user_ref(row.owner_id),
            "Created_By" => return self.user_ref(row.created_by),
            "Modified_By" => return self.user_ref(row.modified_by),
            "Created_Time" => return self.time(row.created_time),
            "Modified_Time" => return self.time(row.modified_time),
            "Full_Name" => return Value::String(row.name.clone()),
            _ => {}
        }
        let Some(stored) = row.data.get(&field.api_name) else { return Value::Null };
        match field.data_type {
            DataType::Lookup => {
                let name = stored.as_str().and_then(Id::parse).and_then(|id| self.names.get(&id));
                match name {
                    Some(name) => json!({"name": name, "id": stored}),
                    // The looked-up record is gone: Bigin clears the lookup.
                    None => Value::Null,
                }
            }
            DataType::Datetime => stored.as_i64().map_or(Value::Null, |ms| self.time(ms)),
            _ => stored.clone(),
        }
    }

    /// A record with every field, or only `only` (plus `id`, always).
    pub fn record(&self, module: &Module, row: &RecordRow, only: Option<&[String]>) -> Value {
        let mut out = Map::new();
        for field in &module.fields {
            if only.is_none_or(|names| names.iter().any(|n| n == &field.api_name)) {
                out.insert(field.api_name.clone(), self.value(field, row));
            }
        }
        if only.is_none_or(|names| names.iter().any(|n| n == "Tag")) {
            out.insert("Tag".into(), json!([]));
        }
        out.insert("id".into(), Value::String(row.id.to_string()));
        Value::Object(out)
    }
}
