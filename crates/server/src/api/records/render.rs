//! Records on the wire: system fields expanded (`Owner` as `{"name","id","email"}`, lookups as
//! `{"name","id"}`, times in the organization's offset), then `Tag`, Bigin's `$` keys and `id`.

use std::collections::HashMap;

use crm::modules::{DataType, Field, LookupTarget, Module};
use crm::record::SE_MODULE;
use crm::Id;
use std::borrow::Cow;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{json, Map, Value};
use store::{OrgUser, RecordRow};

use crate::api::auth::Caller;
use crate::api::ApiError;
use crate::state::AppState;

/// What rendering needs beyond the rows: the organization's users and the names of looked-up
/// records, each fetched once per request.
pub struct RenderContext<'a> {
    caller: &'a Caller,
    names: HashMap<Id, String>,
}

fn is_record_lookup(field: &Field) -> bool {
    matches!(field.lookup, Some(LookupTarget::Module(_)) | Some(LookupTarget::SeModule))
}

impl<'a> RenderContext<'a> {
    pub async fn load(state: &AppState, caller: &'a Caller, module: &Module, rows: &[RecordRow]) -> Result<Self, ApiError> {
        let lookup_fields: Vec<&Field> = module.fields.iter().filter(|f| is_record_lookup(f)).collect();
        let mut ids: Vec<Id> = rows
            .iter()
            .flat_map(|row| lookup_fields.iter().filter_map(|f| row.data.get(&f.api_name).and_then(Value::as_str).and_then(Id::parse)))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let names = if ids.is_empty() {
            HashMap::new()
        } else {
            state.store.record_names(caller.org.id, &ids).await?.into_iter().map(|n| (n.id, n.name)).collect()
        };
        Ok(Self { caller, names })
    }

    /// A user as records show one; a user since removed still shows its id.
    pub fn user_ref(&self, id: Id) -> Value {
        match self.caller.members.get(&id) {
            Some(user) => json!({"name": user.full_name(), "id": id.to_string(), "email": user.email}),
            None => json!({"name": null, "id": id.to_string(), "email": null}),
        }
    }

    pub fn user_brief(&self, id: Id) -> Value {
        json!({"name": self.caller.members.get(&id).map(OrgUser::full_name), "id": id.to_string()})
    }

    pub fn time(&self, ms: i64) -> Value {
        Value::String(crm::time_fmt::format(ms, &self.caller.tz))
    }

    /// A field's value as the wire shows it; stored values are lent, not copied.
    fn value<'r>(&self, field: &Field, row: &'r RecordRow) -> Cow<'r, Value> {
        let owned = match field.api_name.as_str() {
            "Owner" => Some(self.user_ref(row.owner_id)),
            "Created_By" => Some(self.user_ref(row.created_by)),
            "Modified_By" => Some(self.user_ref(row.modified_by)),
            "Created_Time" => Some(self.time(row.created_time)),
            "Modified_Time" => Some(self.time(row.modified_time)),
            "Full_Name" => Some(Value::String(row.name.clone())),
            _ => None,
        };
        if let Some(value) = owned {
            return Cow::Owned(value);
        }
        let Some(stored) = row.data.get(&field.api_name) else { return Cow::Owned(Value::Null) };
        Cow::Owned(match (&field.lookup, field.data_type) {
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
            _ => return Cow::Borrowed(stored),
        })
    }

    /// A record with every field, or only `only` (plus `id`, always); `extra` adds keys a related
    /// list shows (a contact's `Contact_Role` on a pipeline). It serialises straight to the wire.
    pub fn view<'v>(
        &'v self,
        module: &'v Module,
        row: &'v RecordRow,
        only: Option<&'v [String]>,
        extra: Option<Map<String, Value>>,
    ) -> RecordView<'v> {
        RecordView { ctx: self, module, row, only, extra }
    }

    /// The same record as a JSON value, for answers built as values.
    pub fn record(&self, module: &Module, row: &RecordRow, only: Option<&[String]>, extra: Option<&Map<String, Value>>) -> Value {
        serde_json::to_value(self.view(module, row, only, extra.cloned())).unwrap_or(Value::Null)
    }
}

/// A record on its way to the wire: fields in the module's order, then `Tag`, Bigin's `$` keys,
/// any extra keys, and `id`.
pub struct RecordView<'v> {
    ctx: &'v RenderContext<'v>,
    module: &'v Module,
    row: &'v RecordRow,
    only: Option<&'v [String]>,
    extra: Option<Map<String, Value>>,
}

impl Serialize for RecordView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (module, row, only) = (self.module, self.row, self.only);
        let wanted = |name: &str| only.is_none_or(|names| names.iter().any(|n| n == name));
        let mut out = serializer.serialize_map(None)?;
        for field in &module.fields {
            if wanted(&field.api_name) {
                out.serialize_entry(&field.api_name, self.ctx.value(field, row).as_ref())?;
            }
        }
        if wanted("Tag") {
            out.serialize_entry("Tag", &[] as &[Value])?;
        }
        if module.fields.iter().any(|f| f.lookup == Some(LookupTarget::SeModule)) && wanted(SE_MODULE) {
            out.serialize_entry(SE_MODULE, row.data.get(SE_MODULE).unwrap_or(&Value::Null))?;
        }
        // Bigin's `$` keys come with whole records, not with a chosen list of fields.
        if only.is_none() {
            if module.fields.iter().any(|f| f.data_type == DataType::Currency) {
                out.serialize_entry("$currency_symbol", "$")?;
            }
            out.serialize_entry("$approved", &true)?;
            out.serialize_entry("$editable", &true)?;
        }
        if let Some(extra) = &self.extra {
            for (key, value) in extra {
                out.serialize_entry(key, value)?;
            }
        }
        out.serialize_entry("id", &row.id.to_string())?;
        out.end()
    }
}
