//! Records on the wire: system fields expanded (`Owner` as `{"name","id","email"}`, lookups as
//! `{"name","id"}`, times in the organization's offset), then `Tag`, Bigin's `$` keys and `id`.

use std::collections::HashMap;

use crm::modules::{DataType, Field, LookupTarget, Module};
use crm::record::SE_MODULE;
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

fn is_record_lookup(field: &Field) -> bool {
    matches!(field.lookup, Some(LookupTarget::Module(_)) | Some(LookupTarget::SeModule))
}

impl<'a> RenderContext<'a> {
    pub async fn load(state: &AppState, caller: &'a Caller, module: &Module, rows: &[RecordRow]) -> Result<Self, ApiError> {
        let users = state.store.org_users(caller.org.id).await?.into_iter().map(|u| (u.id, u)).collect();
        let lookup_fields: Vec<&Field> = module.fields.iter().filter(|f| is_record_lookup(f)).collect();
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

    pub fn user_brief(&self, id: Id) -> Value {
        json!({"name": self.users.get(&id).map(OrgUser::full_name), "id": id.to_string()})
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
        match (&field.lookup, field.data_type) {
            (Some(LookupTarget::TeamPipeline), _) => {
                let pipeline = stored.as_str().and_then(Id::parse).and_then(|id| self.caller.schema.pipeline(id));
                pipeline.map_or(Value::Null, |p| json!({"name": p.name, "id": p.id.to_string()}))
            }
            (Some(_), _) => {
                let name = stored.as_str().and_then(Id::parse).and_then(|id| self.names.get(&id));
                match name {
                    Some(name) => json!({"name": name, "id": stored}),
                    // The looked-up record is gone: Bigin clears the lookup.
                    None => Value::Null,
                }
            }
            (None, DataType::Userlookup) => stored.as_str().and_then(Id::parse).map_or(Value::Null, |id| self.user_brief(id)),
            (None, DataType::Datetime) => stored.as_i64().map_or(Value::Null, |ms| self.time(ms)),
            _ => stored.clone(),
        }
    }

    /// A record with every field, or only `only` (plus `id`, always); `extra` adds keys a related
    /// list shows (a contact's `Contact_Role` on a pipeline).
    pub fn record(&self, module: &Module, row: &RecordRow, only: Option<&[String]>, extra: Option<&Map<String, Value>>) -> Value {
        let wanted = |name: &str| only.is_none_or(|names| names.iter().any(|n| n == name));
        let mut out = Map::new();
        for field in &module.fields {
            if wanted(&field.api_name) {
                out.insert(field.api_name.clone(), self.value(field, row));
            }
        }
        if wanted("Tag") {
            out.insert("Tag".into(), json!([]));
        }
        if module.fields.iter().any(|f| f.lookup == Some(LookupTarget::SeModule)) && wanted(SE_MODULE) {
            out.insert(SE_MODULE.into(), row.data.get(SE_MODULE).cloned().unwrap_or(Value::Null));
        }
        // Bigin's `$` keys come with whole records, not with a chosen list of fields.
        if only.is_none() {
            if module.fields.iter().any(|f| f.data_type == DataType::Currency) {
                out.insert("$currency_symbol".into(), json!("$"));
            }
            out.insert("$approved".into(), json!(true));
            out.insert("$editable".into(), json!(true));
        }
        if let Some(extra) = extra {
            out.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        out.insert("id".into(), Value::String(row.id.to_string()));
        Value::Object(out)
    }
}
