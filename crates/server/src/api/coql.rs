//! COQL: `POST /bigin/v2/coql` with `{"select_query": "select ... from ... where ..."}` (Bigin's
//! COQL pages). The answer is `{"data": [...], "info": {"count", "more_records"}}`, each row
//! holding the selected fields and `id`; 204 when nothing matches.

use std::collections::{HashMap, HashSet};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use crm::coql::{self, Selected};
use crm::modules::{DataType, Field, LookupTarget, Module};
use crm::{ErrorCode, Id};
use serde_json::{json, Map, Value};
use store::{Fields, ListQuery, RecordFilter, RecordQuery, RecordRow, SortKey};

use super::auth::{require_module_read, Api, Caller, Coql};
use super::body::Body;
use super::ApiError;
use crate::state::AppState;
use crate::wire;

/// # POST /bigin/v2/coql
pub async fn coql_query(api: Api<Coql>, State(state): State<AppState>, Body(body): Body) -> Result<Response, ApiError> {
    let caller = &api.caller;
    let body: Value = serde_json::from_slice(&body).map_err(|_| {
        ApiError::new(ErrorCode::InvalidData).with_detail("expected_data_type", "jsonobject").with_message("body is not valid JSON")
    })?;
    let text = body.get("select_query").and_then(Value::as_str).filter(|t| !t.trim().is_empty());
    let text = text.ok_or_else(|| ApiError::missing_param("select_query"))?;
    let query = coql::parse_syntax(text)?;
    let module = coql::module_of(&caller.schema, &query)?;
    // The module comes from the query: its scope is checked before anything else about the
    // query is answered.
    require_module_read(caller, module)?;
    let plan = coql::lower(&caller.schema, &query)?;
    let store_query = RecordQuery {
        module: plan.module.to_string(),
        filters: plan.condition.clone().map(|c| RecordFilter::Where(crm::query::intersect_indexed(module, c))).into_iter().collect(),
        order: plan.order.clone(),
        offset: plan.offset,
        limit: plan.limit + 1,
    };
    let mut rows = state.store.query_records(caller.org.id, &store_query).await?;
    let more = rows.len() as u64 > plan.limit;
    rows.truncate(plan.limit as usize);
    if rows.is_empty() {
        return Ok(wire::no_content());
    }
    let related = related_rows(&state, caller, module, &plan.columns, &rows).await?;
    let live = live_lookups(&state, caller, module, &plan.columns, &rows).await?;
    let seen = Seen { related: &related, live: &live };
    let data: Vec<Value> = rows.iter().map(|row| render_row(caller, module, &plan.columns, row, &seen)).collect();
    Ok(wire::json(StatusCode::OK, &json!({"data": data, "info": {"count": data.len(), "more_records": more}})))
}

/// The records that selected lookup traversals (`Account_Name.Account_Name`) read, by id.
async fn related_rows(
    state: &AppState,
    caller: &Caller,
    module: &Module,
    columns: &[Selected],
    rows: &[RecordRow],
) -> Result<HashMap<Id, RecordRow>, ApiError> {
    let mut wanted: HashMap<String, Vec<Id>> = HashMap::new();
    for column in columns {
        let Some((target, _)) = &column.via else { continue };
        let ids = rows.iter().filter_map(|r| r.data.fields().str(&column.field).and_then(|s| Id::parse(&s)));
        wanted.entry(target.clone()).or_default().extend(ids);
    }
    let mut found = HashMap::new();
    for (target, mut ids) in wanted {
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() || caller.schema.module(&target).is_none() || module.api_name.is_empty() {
            continue;
        }
        let query = ListQuery {
            module: target,
            sort: SortKey::Id,
            descending: false,
            offset: 0,
            limit: ids.len() as u64,
            filters: vec![RecordFilter::Ids(ids)],
        };
        found.extend(state.store.list_records(caller.org.id, &query).await?.into_iter().map(|r| (r.id, r)));
    }
    Ok(found)
}

/// Whether a field's value names a record (lookups to a module, and polymorphic ones).
fn names_a_record(field: &Field) -> bool {
    field.data_type == DataType::Lookup && matches!(field.lookup, Some(LookupTarget::Module(_) | LookupTarget::SeModule))
}

/// The records that selected lookup columns name and that this organization has live, so that a
/// lookup to anything else (a deleted record, or an id of another organization) reads as null,
/// as `GET /{module}` shows it.
async fn live_lookups(
    state: &AppState,
    caller: &Caller,
    module: &Module,
    columns: &[Selected],
    rows: &[RecordRow],
) -> Result<HashSet<Id>, ApiError> {
    let mut ids: Vec<Id> = Vec::new();
    for column in columns.iter().filter(|c| c.via.is_none()) {
        if module.field(&column.field).is_some_and(names_a_record) {
            ids.extend(rows.iter().filter_map(|r| r.data.fields().str(&column.field).and_then(|s| Id::parse(&s))));
        }
    }
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(state.store.record_names(caller.org.id, &ids).await?.into_iter().map(|n| n.id).collect())
}

/// What rendering a row needs beyond the row: the records traversals read, and which looked-up
/// records exist.
struct Seen<'a> {
    related: &'a HashMap<Id, RecordRow>,
    live: &'a HashSet<Id>,
}

fn render_row(caller: &Caller, module: &Module, columns: &[Selected], row: &RecordRow, seen: &Seen<'_>) -> Value {
    let mut out = Map::new();
    let values = row.data.fields();
    for column in columns {
        let value = match &column.via {
            None => {
                let gone = module.field(&column.field).is_some_and(names_a_record)
                    && !values.str(&column.field).and_then(|s| Id::parse(&s)).is_some_and(|id| seen.live.contains(&id));
                if gone {
                    Value::Null
                } else {
                    value_of(caller, module, &column.field, row, &values)
                }
            }
            Some((target, inner)) => {
                let target = caller.schema.module(target);
                let linked = values.str(&column.field).and_then(|s| Id::parse(&s)).and_then(|id| seen.related.get(&id));
                match (target, linked) {
                    (Some(target), Some(linked)) => value_of(caller, target, inner, linked, &linked.data.fields()),
                    _ => Value::Null,
                }
            }
        };
        out.insert(column.label.clone(), value);
    }
    out.insert("id".into(), Value::String(row.id.to_string()));
    Value::Object(out)
}

/// A field of a record as COQL shows it: users and lookups as `{"id"}`, times in the
/// organization's offset, other values as stored.
fn value_of(caller: &Caller, module: &Module, name: &str, row: &RecordRow, values: &Fields<'_>) -> Value {
    let time = |ms: i64| Value::String(crm::time_fmt::format(ms, &caller.tz));
    let user = |id: Id| json!({"id": id.to_string()});
    match name {
        "id" => return Value::String(row.id.to_string()),
        "Owner" => return user(row.owner_id),
        "Created_By" => return user(row.created_by),
        "Modified_By" => return user(row.modified_by),
        "Created_Time" => return time(row.created_time),
        "Modified_Time" => return time(row.modified_time),
        _ => {}
    }
    let Some(field) = module.field(name) else { return Value::Null };
    if field.api_name == "Full_Name" {
        return Value::String(row.name.clone());
    }
    let Some(stored) = values.value(name) else { return Value::Null };
    stored_value(caller, field, &stored)
}

fn stored_value(caller: &Caller, field: &Field, stored: &Value) -> Value {
    match field.data_type {
        DataType::Lookup | DataType::Userlookup | DataType::Ownerlookup => json!({"id": stored}),
        DataType::Datetime => stored.as_i64().map_or(Value::Null, |ms| Value::String(crm::time_fmt::format(ms, &caller.tz))),
        _ => stored.clone(),
    }
}
