//! The records API of every module: list, read, insert, update, upsert, delete, count, deleted
//! records, change owner, and related lists (Bigin's records pages).

mod read;
mod related;
mod render;
mod search;
mod write;

use axum::extract::{FromRequestParts, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use crm::{ErrorCode, Id};
use serde::Serialize;
use serde_json::{json, Value};
use store::{DeletedQuery, ListQuery, RecordFilter, SortKey};

use self::read::ListParams;
pub use self::related::{create_notes, delink_related, delink_related_one, get_related, link_related, update_note};
pub(crate) use self::render::user_refs;
use self::render::{RenderContext, Selection};
pub use self::search::search_records;
use self::write::{Outcome, Writer};
use super::auth::{Api, ChangeOwner, Create, Delete, Read, Records, Update, Upsert};
use super::body::Body;
use super::ApiError;
use crate::state::AppState;
use crate::wire;

/// A list's answer: `{"data":[...],"info":{...}}` (`info` left out for a read by id).
#[derive(Serialize)]
pub struct Page<T: Serialize> {
    pub data: Vec<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub info: Option<Value>,
}

/// `If-Modified-Since`, when the request has one Bigin can read: the last millisecond of the
/// second it names, since times on the wire have whole seconds.
/// `If-Modified-Since`, read from the request without copying its headers; a bad value is
/// reported where the handler asks (`since.0?`), after the checks Bigin makes first.
pub struct ModifiedSince(Result<Option<i64>, ApiError>);

impl<S: Send + Sync> FromRequestParts<S> for ModifiedSince {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(modified_since(parts.headers.get(header::IF_MODIFIED_SINCE))))
    }
}

fn modified_since(value: Option<&HeaderValue>) -> Result<Option<i64>, ApiError> {
    let Some(value) = value else { return Ok(None) };
    let text = value.to_str().unwrap_or("");
    let ms = crm::time_fmt::parse(text).ok_or_else(|| ApiError::new(ErrorCode::InvalidData).with_detail("header", "If-Modified-Since"))?;
    Ok(Some(ms.div_euclid(1000) * 1000 + 999))
}

/// # GET /bigin/v2/{module}?fields=...&page&per_page&sort_by&sort_order&page_token&ids&cvid&approved&pipeline_id
pub async fn list_records(
    api: Api<Records<Read>>,
    State(state): State<AppState>,
    since: ModifiedSince,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let module = &api.target;
    let caller = &api.caller;
    let pairs = wire::pairs(query.as_deref());
    let now = state.now();
    let params = ListParams::parse(&caller.schema, module, &pairs, (caller.org.id, caller.user.id), &state.secrets, now)?;
    let since = since.0?;
    if params.nothing {
        return Ok(wire::no_content());
    }
    let mut filters = params.filters.clone();
    if let Some(since) = since {
        filters.push(RecordFilter::ModifiedAfter(since));
    }
    let query = ListQuery {
        module: module.api_name.to_string(),
        sort: params.sort.clone(),
        descending: params.descending,
        offset: (params.page - 1).saturating_mul(params.per_page),
        limit: params.per_page + 1,
        filters,
    };
    let mut rows = state.store.list_records(caller.org.id, &query).await?;
    let more = rows.len() as u64 > params.per_page;
    rows.truncate(params.per_page as usize);
    if rows.is_empty() {
        // Nothing changed since the time asked about: 304, as Bigin answers.
        return Ok(if since.is_some() { wire::not_modified() } else { wire::no_content() });
    }
    let ctx = RenderContext::load(&state, caller, module, &rows).await?;
    let selection = Selection::new(module, Some(&params.fields));
    let data: Vec<_> = rows.iter().map(|row| ctx.view(&selection, row, None)).collect();
    let (next_token, expiry) = if more {
        let (token, expires) = params.next_page_token(&state.secrets, now);
        (Value::String(token), ctx.time(expires))
    } else {
        (Value::Null, Value::Null)
    };
    let info = json!({
        "per_page": params.per_page,
        "count": data.len(),
        "page": params.page,
        "more_records": more,
        "sort_by": params.sort_by,
        "sort_order": if params.descending { "desc" } else { "asc" },
        "next_page_token": next_token,
        "previous_page_token": null,
        "page_token_expiry": expiry,
    });
    Ok(wire::json(StatusCode::OK, &Page { data, info: Some(info) }))
}

/// # GET /bigin/v2/{module}/{record_id}
pub async fn get_record(
    api: Api<Records<Read>>,
    State(state): State<AppState>,
    since: ModifiedSince,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let module = &api.target;
    let pairs = wire::pairs(query.as_deref());
    let fields = read::parse_fields(module, wire::param(&pairs, "fields"), false)?;
    let since = since.0?;
    let Some(id) = Id::parse(api.path("record_id")) else { return Ok(wire::no_content()) };
    let Some(row) = state.store.record(api.caller.org.id, module.api_name, id).await? else {
        return Ok(wire::no_content());
    };
    if since.is_some_and(|since| row.modified_time <= since) {
        return Ok(wire::not_modified());
    }
    let rows = [row];
    let ctx = RenderContext::load(&state, &api.caller, module, &rows).await?;
    let selection = Selection::new(module, fields.as_deref());
    let data = vec![ctx.view(&selection, &rows[0], None)];
    Ok(wire::json(StatusCode::OK, &Page { data, info: None }))
}

/// # GET /bigin/v2/{module}/actions/count?cvid&ids&approved&pipeline_id&criteria|email|phone|word
pub async fn count_records(
    api: Api<Records<Read>>,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let module = &api.target;
    let caller = &api.caller;
    let pairs = wire::pairs(query.as_deref());
    let (mut filters, nothing) = read::selection(&caller.schema, module, &pairs, caller.org.id, caller.user.id)?;
    if let Some(condition) = search::selector(module, &pairs)? {
        filters.push(RecordFilter::Where(condition));
    }
    let count = if nothing {
        0
    } else {
        let query = ListQuery { module: module.api_name.to_string(), sort: SortKey::Id, descending: false, offset: 0, limit: 0, filters };
        state.store.count_records(caller.org.id, &query).await?
    };
    Ok(wire::json(StatusCode::OK, &json!({ "count": count })))
}

/// # GET /bigin/v2/{module}/deleted?type=all|recycle|permanent&page&per_page
pub async fn deleted_records(
    api: Api<Records<Read>>,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let module = &api.target;
    let pairs = wire::pairs(query.as_deref());
    let now = state.now();
    let (after, until) = read::deleted_bounds(wire::param(&pairs, "type"), now)?;
    let (page, per_page) = read::paging(&pairs)?;
    let query = DeletedQuery { module: module.api_name.to_string(), after, until, offset: (page - 1) * per_page, limit: per_page + 1 };
    let mut rows = state.store.deleted_records(api.caller.org.id, &query).await?;
    let more = rows.len() as u64 > per_page;
    rows.truncate(per_page as usize);
    if rows.is_empty() {
        return Ok(wire::no_content());
    }
    let ctx = RenderContext::load(&state, &api.caller, module, &[]).await?;
    let cutoff = now - read::RECYCLE_BIN_DAYS * 24 * 3_600_000;
    let data: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "deleted_by": ctx.user_brief(r.deleted_by),
                "id": r.id.to_string(),
                "display_name": r.name,
                "type": if r.deleted_time > cutoff { "recycle" } else { "permanent" },
                "created_by": ctx.user_brief(r.created_by),
                "deleted_time": ctx.time(r.deleted_time),
            })
        })
        .collect();
    let info = json!({"per_page": per_page, "count": data.len(), "page": page, "more_records": more});
    Ok(wire::json(StatusCode::OK, &json!({"data": data, "info": info})))
}

/// # POST /bigin/v2/{module}
pub async fn insert_records(api: Api<Records<Create>>, State(state): State<AppState>, Body(body): Body) -> Result<Response, ApiError> {
    let body = write::parse_body(&body, write::MAX_WRITE)?;
    let writer = Writer::new(&state, &api.caller, &api.target).await?;
    let outcomes = writer.insert_many(&body.items).await?;
    Ok(answer(&outcomes, "record added", StatusCode::CREATED))
}

/// # PUT /bigin/v2/{module} (each element carries its `id`)
pub async fn update_records(api: Api<Records<Update>>, State(state): State<AppState>, Body(body): Body) -> Result<Response, ApiError> {
    let body = write::parse_body(&body, write::MAX_WRITE)?;
    let writer = Writer::new(&state, &api.caller, &api.target).await?;
    let mut outcomes = Vec::with_capacity(body.items.len());
    for (index, item) in body.items.iter().enumerate() {
        outcomes.push(writer.update(write::id_in(item), item, index).await?);
    }
    Ok(answer(&outcomes, "record updated", StatusCode::OK))
}

/// # PUT /bigin/v2/{module}/{record_id}
pub async fn update_record(api: Api<Records<Update>>, State(state): State<AppState>, Body(body): Body) -> Result<Response, ApiError> {
    let body = write::parse_body(&body, 1)?;
    let id = Id::parse(api.path("record_id")).ok_or_else(ApiError::invalid_url_pattern)?;
    let writer = Writer::new(&state, &api.caller, &api.target).await?;
    let outcome = writer.update(Some(id), &body.items[0], 0).await?;
    Ok(answer(&[outcome], "record updated", StatusCode::OK))
}

/// # POST /bigin/v2/{module}/upsert with `duplicate_check_fields`
pub async fn upsert_records(api: Api<Upsert>, State(state): State<AppState>, Body(body): Body) -> Result<Response, ApiError> {
    let module = &api.target;
    let body = write::parse_body(&body, write::MAX_WRITE)?;
    // Unique fields decide; the order given, else the module's own order of unique fields.
    let check_fields: Vec<String> = match body.rest.get("duplicate_check_fields") {
        None => module.fields.iter().filter(|f| f.unique).map(|f| f.api_name.clone()).collect(),
        Some(Value::Array(names)) => {
            let mut fields = Vec::new();
            for name in names {
                let field = name.as_str().and_then(|n| module.field(n)).filter(|f| f.unique);
                let Some(field) = field else {
                    let index = fields.len();
                    return Err(ApiError::new(ErrorCode::InvalidData)
                        .with_detail("api_name", name.as_str().unwrap_or(""))
                        .with_detail("json_path", format!("$.duplicate_check_fields[{index}]"))
                        .with_message("the field is not a unique field of the module"));
                };
                fields.push(field.api_name.clone());
            }
            fields
        }
        Some(_) => {
            return Err(ApiError::new(ErrorCode::InvalidData)
                .with_detail("api_name", "duplicate_check_fields")
                .with_detail("expected_data_type", "jsonarray"))
        }
    };
    let writer = Writer::new(&state, &api.caller, module).await?;
    let mut data = Vec::with_capacity(body.items.len());
    let mut outcomes = Vec::with_capacity(body.items.len());
    for (index, item) in body.items.iter().enumerate() {
        let (outcome, inserted) = writer.upsert(item, index, &check_fields).await?;
        data.push(outcome.to_json(if inserted { "record added" } else { "record updated" }));
        outcomes.push(outcome);
    }
    let status = write_status(&outcomes, StatusCode::OK);
    Ok(wire::json(status, &json!({ "data": data })))
}

/// # DELETE /bigin/v2/{module}?ids=a,b,c
pub async fn delete_records(
    api: Api<Records<Delete>>,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let pairs = wire::pairs(query.as_deref());
    let raw = wire::param(&pairs, "ids").ok_or_else(|| ApiError::missing_param("ids"))?;
    let ids = read::parse_ids(raw)?;
    let writer = Writer::new(&state, &api.caller, &api.target).await?;
    let mut outcomes = Vec::with_capacity(ids.len());
    for id in ids {
        outcomes.push(writer.delete(id).await?);
    }
    Ok(answer(&outcomes, "record deleted", StatusCode::OK))
}

/// # DELETE /bigin/v2/{module}/{record_id}
pub async fn delete_record(api: Api<Records<Delete>>, State(state): State<AppState>) -> Result<Response, ApiError> {
    let id = Id::parse(api.path("record_id")).ok_or_else(ApiError::invalid_url_pattern)?;
    let writer = Writer::new(&state, &api.caller, &api.target).await?;
    let outcome = writer.delete(id).await?;
    Ok(answer(&[outcome], "record deleted", StatusCode::OK))
}

/// The new owner of a change-owner body: `{"owner": {"id"}}`.
fn new_owner(body: &Value) -> Result<Id, ApiError> {
    let owner = body.get("owner").ok_or_else(|| ApiError::missing_param("owner"))?;
    let id = owner.get("id").and_then(|v| v.as_str().map(str::to_string).or_else(|| v.as_i64().map(|n| n.to_string())));
    id.as_deref().and_then(Id::parse).ok_or_else(|| {
        ApiError::new(ErrorCode::InvalidData).with_detail("api_name", "owner").with_detail("expected_data_type", "jsonobject")
    })
}

fn json_body(body: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(body).map_err(|_| {
        ApiError::new(ErrorCode::InvalidData).with_detail("expected_data_type", "jsonobject").with_message("body is not valid JSON")
    })
}

/// # POST /bigin/v2/{module}/{record_id}/actions/change_owner
pub async fn change_owner_one(api: Api<ChangeOwner>, State(state): State<AppState>, Body(body): Body) -> Result<Response, ApiError> {
    let body = json_body(&body)?;
    let id = Id::parse(api.path("record_id")).ok_or_else(ApiError::invalid_url_pattern)?;
    change_owner(&api, &state, vec![id], &body).await
}

/// # POST /bigin/v2/{module}/actions/change_owner with `ids` (at most 500)
pub async fn change_owner_many(api: Api<ChangeOwner>, State(state): State<AppState>, Body(body): Body) -> Result<Response, ApiError> {
    let body = json_body(&body)?;
    let ids = body.get("ids").and_then(Value::as_array).filter(|a| !a.is_empty()).ok_or_else(|| ApiError::missing_param("ids"))?;
    if ids.len() > write::MAX_CHANGE_OWNER {
        return Err(ApiError::new(ErrorCode::LimitExceeded)
            .with_detail("api_name", "ids")
            .with_detail("limit", write::MAX_CHANGE_OWNER as u64));
    }
    let ids: Option<Vec<Id>> = ids
        .iter()
        .map(|v| v.as_str().map(str::to_string).or_else(|| v.as_i64().map(|n| n.to_string())).as_deref().and_then(Id::parse))
        .collect();
    let ids = ids.ok_or_else(|| {
        ApiError::new(ErrorCode::InvalidData).with_detail("api_name", "ids").with_detail("expected_data_type", "jsonarray")
    })?;
    change_owner(&api, &state, ids, &body).await
}

/// An entry of `related_modules`: the activities of one related list whose owner changes with
/// the record's (`id`: only that activity).
struct RelatedActivities<'a> {
    list: &'a crm::related::RelatedList,
    only: Option<Id>,
}

/// `related_modules: [{"api_name": "Tasks"|"Events"|"Calls", "id"?}]` (Zoho CRM's shape): each
/// must name an activity list of the module, and `id` an id.
fn related_modules<'a>(module: &'a crm::modules::Module, body: &Value) -> Result<Vec<RelatedActivities<'a>>, ApiError> {
    let Some(value) = body.get("related_modules").filter(|v| !v.is_null()) else { return Ok(Vec::new()) };
    let invalid = |index: usize| {
        ApiError::new(ErrorCode::InvalidData)
            .with_detail("api_name", "related_modules")
            .with_detail("json_path", format!("$.related_modules[{index}]"))
    };
    let items = value.as_array().ok_or_else(|| {
        ApiError::new(ErrorCode::InvalidData).with_detail("api_name", "related_modules").with_detail("expected_data_type", "jsonarray")
    })?;
    let mut lists = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let name = item.get("api_name").and_then(Value::as_str).unwrap_or("");
        let list = module
            .related_list(name)
            .filter(|l| matches!(l.module, "Tasks" | "Events" | "Calls"))
            .ok_or_else(|| invalid(index).with_message("the module has no such related activities"))?;
        let only = match item.get("id").filter(|v| !v.is_null()) {
            None => None,
            Some(id) => Some(write::id_in(&serde_json::json!({ "id": id })).ok_or_else(|| invalid(index))?),
        };
        lists.push(RelatedActivities { list, only });
    }
    Ok(lists)
}

async fn change_owner(api: &Api<ChangeOwner>, state: &AppState, ids: Vec<Id>, body: &Value) -> Result<Response, ApiError> {
    let owner = new_owner(body)?;
    let related = related_modules(&api.target, body)?;
    let writer = Writer::new(state, &api.caller, &api.target).await?;
    if !writer.is_user(owner) {
        return Err(ApiError::new(ErrorCode::InvalidData).with_detail("api_name", "owner").with_detail("id", owner.to_string()));
    }
    let mut outcomes = Vec::with_capacity(ids.len());
    for id in ids {
        let outcome = writer.change_owner(id, owner).await?;
        if outcome.is_success() {
            for activities in &related {
                change_activities_owner(api, state, id, activities, owner).await?;
            }
        }
        outcomes.push(outcome);
    }
    Ok(answer(&outcomes, "owner changed", StatusCode::OK))
}

/// Gives the activities of a related list of record `parent` the new owner too.
async fn change_activities_owner(
    api: &Api<ChangeOwner>,
    state: &AppState,
    parent: Id,
    activities: &RelatedActivities<'_>,
    owner: Id,
) -> Result<(), ApiError> {
    let caller = &api.caller;
    let target = caller
        .schema
        .module(activities.list.module)
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("no module {}", activities.list.module)))?;
    let crm::related::Relation::SeModule { field } = &activities.list.relation else { return Ok(()) };
    let mut filters = vec![RecordFilter::RelatedTo { field: field.to_string(), module: api.target.api_name.to_string(), id: parent }];
    if let Some(only) = activities.only {
        filters.push(RecordFilter::Ids(vec![only]));
    }
    let writer = Writer::new(state, caller, target).await?;
    let mut offset = 0;
    loop {
        let query = ListQuery {
            module: target.api_name.to_string(),
            sort: SortKey::Id,
            descending: false,
            offset,
            limit: 200,
            filters: filters.clone(),
        };
        let rows = state.store.list_records(caller.org.id, &query).await?;
        for row in &rows {
            writer.change_owner(row.id, owner).await?;
        }
        if rows.len() < 200 {
            return Ok(());
        }
        offset += 200;
    }
}

/// The status of a write: 400 when no element succeeded, `single` for one element, 202 for
/// several.
fn write_status(outcomes: &[Outcome], single: StatusCode) -> StatusCode {
    if !outcomes.iter().any(Outcome::is_success) {
        StatusCode::BAD_REQUEST
    } else if outcomes.len() == 1 {
        single
    } else {
        StatusCode::ACCEPTED
    }
}

/// The answer to a write: the per-element array, with its status.
fn answer(outcomes: &[Outcome], message: &str, single: StatusCode) -> Response {
    let data: Vec<_> = outcomes.iter().map(|o| o.element(message)).collect();
    wire::json(write_status(outcomes, single), &Page { data, info: None })
}
