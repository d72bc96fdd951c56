//! Records on the wire: system fields expanded (`Owner` as `{"name","id","email"}`, lookups as
//! `{"name","id"}`, times in the organization's offset), then `Tag`, Bigin's `$` keys and `id`.

use std::collections::HashMap;

use crm::modules::{DataType, Field, LookupTarget, Module};
use crm::record::SE_MODULE;
use crm::Id;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};
use store::{Fields, OrgUser, RecordRow};

use crate::api::auth::Caller;
use crate::api::ApiError;
use crate::state::AppState;

/// What rendering needs beyond the rows: the names of looked-up records, fetched once per
/// request. (The users the rows show are the caller's `user_refs`.)
pub struct RenderContext<'a> {
    caller: &'a Caller,
    names: HashMap<Id, String>,
}

/// Whether stored JSON text holds the key `name` (API names are plain ASCII, written without
/// escapes), without parsing it.
fn holds_key(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(at, _)| text[..at].ends_with('"') && text[at + name.len()..].starts_with("\":"))
}

fn is_record_lookup(field: &Field) -> bool {
    matches!(field.lookup, Some(LookupTarget::Module(_)) | Some(LookupTarget::SeModule))
}

impl<'a> RenderContext<'a> {
    pub async fn load(state: &AppState, caller: &'a Caller, module: &Module, rows: &[RecordRow]) -> Result<Self, ApiError> {
        // A record that holds none of the lookup keys need not be parsed here.
        let lookups: Vec<&Field> = module.fields.iter().filter(|f| is_record_lookup(f)).collect();
        let mut ids: Vec<Id> = Vec::new();
        for row in rows {
            let text = row.data.as_str();
            if !lookups.iter().any(|f| holds_key(text, &f.api_name)) {
                continue;
            }
            let values = row.data.fields();
            ids.extend(lookups.iter().filter_map(|f| values.str(&f.api_name).and_then(|s| Id::parse(&s))));
        }
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
        user_ref(self.caller, id)
    }

    pub fn user_brief(&self, id: Id) -> Value {
        json!({"name": self.caller.members.get(&id).map(OrgUser::full_name), "id": id.to_string()})
    }

    pub fn time(&self, ms: i64) -> Value {
        Value::String(crm::time_fmt::format(ms, &self.caller.tz))
    }

    fn user(&self, id: Id) -> Wire<'_> {
        match self.caller.user_refs.get(&id) {
            Some(raw) => Wire::Raw(raw),
            None => Wire::Value(self.user_ref(id)),
        }
    }

    /// A field's value as the wire shows it; stored values are lent as their raw JSON.
    fn value<'r>(&'r self, field: &Field, row: &'r RecordRow, values: &Fields<'r>) -> Wire<'r> {
        match field.api_name.as_str() {
            "Owner" => return self.user(row.owner_id),
            "Created_By" => return self.user(row.created_by),
            "Modified_By" => return self.user(row.modified_by),
            "Created_Time" => return Wire::Time(crm::time_fmt::format_text(row.created_time, &self.caller.tz)),
            "Modified_Time" => return Wire::Time(crm::time_fmt::format_text(row.modified_time, &self.caller.tz)),
            "Full_Name" => return Wire::Str(&row.name),
            _ => {}
        }
        let Some(stored) = values.get(&field.api_name) else { return Wire::Value(Value::Null) };
        let id = || values.str(&field.api_name).and_then(|s| Id::parse(&s));
        Wire::Value(match (&field.lookup, field.data_type) {
            (Some(LookupTarget::TeamPipeline), _) => {
                let pipeline = id().and_then(|id| self.caller.schema.pipeline(id));
                pipeline.map_or(Value::Null, |p| json!({"name": p.name, "id": p.id.to_string()}))
            }
            (Some(_), _) => match id().and_then(|id| self.names.get(&id).map(|name| (id, name))) {
                Some((id, name)) => json!({"name": name, "id": id.to_string()}),
                // The looked-up record is gone: Bigin clears the lookup.
                None => Value::Null,
            },
            (None, DataType::Userlookup) => id().map_or(Value::Null, |id| self.user_brief(id)),
            (None, DataType::Datetime) => match values.i64(&field.api_name) {
                Some(ms) => return Wire::Time(crm::time_fmt::format_text(ms, &self.caller.tz)),
                None => Value::Null,
            },
            _ => return Wire::Raw(stored),
        })
    }

    /// A record with the fields of `selection` (and `id`, always); `extra` adds keys a related
    /// list shows (a contact's `Contact_Role` on a pipeline). It serialises straight to the wire.
    pub fn view<'v>(&'v self, selection: &'v Selection<'v>, row: &'v RecordRow, extra: Option<Map<String, Value>>) -> RecordView<'v> {
        RecordView { ctx: self, selection, row, extra }
    }
}

/// Which of a module's fields an answer shows: every field, or those a request's `fields` names,
/// worked out once per request rather than once per record.
pub struct Selection<'m> {
    module: &'m Module,
    /// Positions in `module.fields`, in the module's order.
    fields: Vec<usize>,
    tag: bool,
    se_module: bool,
    /// A whole record also carries Bigin's `$` keys.
    whole: bool,
}

impl<'m> Selection<'m> {
    pub fn new(module: &'m Module, only: Option<&[String]>) -> Self {
        let wanted = |name: &str| only.is_none_or(|names| names.iter().any(|n| n == name));
        Selection {
            module,
            fields: (0..module.fields.len()).filter(|&i| wanted(&module.fields[i].api_name)).collect(),
            tag: wanted("Tag"),
            se_module: module.fields.iter().any(|f| f.lookup == Some(LookupTarget::SeModule)) && wanted(SE_MODULE),
            whole: only.is_none(),
        }
    }
}

/// `{"name","id","email"}` of each member, as raw JSON to lend to every answer.
pub fn user_refs(members: &HashMap<Id, OrgUser>) -> HashMap<Id, Box<RawValue>> {
    members.iter().map(|(id, user)| (*id, raw(&member_ref(*id, Some(user))))).collect()
}

fn user_ref(caller: &Caller, id: Id) -> Value {
    member_ref(id, caller.members.get(&id))
}

/// A user as records show one; a user since removed still shows its id.
fn member_ref(id: Id, user: Option<&OrgUser>) -> Value {
    match user {
        Some(user) => json!({"name": user.full_name(), "id": id.to_string(), "email": user.email}),
        None => json!({"name": null, "id": id.to_string(), "email": null}),
    }
}

fn raw(value: &Value) -> Box<RawValue> {
    serde_json::value::to_raw_value(value).expect("a JSON value always serialises")
}

/// One value on its way to the wire.
enum Wire<'r> {
    /// Stored JSON, written out as it is.
    Raw(&'r RawValue),
    Str(&'r str),
    Time(crm::time_fmt::TimeText),
    Value(Value),
}

impl Serialize for Wire<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Raw(raw) => raw.serialize(serializer),
            Self::Str(text) => serializer.serialize_str(text),
            Self::Time(text) => serializer.serialize_str(text.as_str()),
            Self::Value(value) => value.serialize(serializer),
        }
    }
}

/// A record on its way to the wire: fields in the module's order, then `Tag`, Bigin's `$` keys,
/// any extra keys, and `id`.
pub struct RecordView<'v> {
    ctx: &'v RenderContext<'v>,
    selection: &'v Selection<'v>,
    row: &'v RecordRow,
    extra: Option<Map<String, Value>>,
}

impl Serialize for RecordView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (selection, row) = (self.selection, self.row);
        let module = selection.module;
        let values = row.data.fields();
        let mut out = serializer.serialize_map(None)?;
        for &i in &selection.fields {
            let field = &module.fields[i];
            out.serialize_entry(&field.api_name, &self.ctx.value(field, row, &values))?;
        }
        if selection.tag {
            out.serialize_entry("Tag", &[] as &[Value])?;
        }
        if selection.se_module {
            out.serialize_entry(SE_MODULE, &values.get(SE_MODULE).map_or(Wire::Value(Value::Null), Wire::Raw))?;
        }
        // Bigin's `$` keys come with whole records, not with a chosen list of fields.
        if selection.whole {
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
