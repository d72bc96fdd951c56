//! The records API of every module: list, read, insert, update, delete
//! (Bigin's get-records, insert-records, update-records and delete-records pages).

mod read;
mod render;
mod write;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use crm::Id;
use serde_json::{json, Value};
use store::ListQuery;

use self::read::ListParams;
use self::render::RenderContext;
use self::write::{Outcome, Writer};
use super::auth::{Api, Create, Delete, Read, Records, Update};
use super::body::Body;
use super::ApiError;
use crate::state::AppState;
use crate::wire;

/// # GET /bigin/v2/{module}?fields=...&page&per_page&sort_by&sort_order&page_token&ids
pub async fn list_records(api: Api<Records<Read>>, State(state): State<AppState>, RawQuery(query): RawQuery) -> Result<Response, ApiError> {
    let module = &api.target;
    let pairs = wire::pairs(query.as_deref());
    let now = state.now();
    let params = ListParams::parse(module, &pairs, &state.secrets, now)?;
    let query = ListQuery {
        module: module.api_name.to_string(),
        sort: params.sort.clone(),
        descending: params.descending,
        offset: (params.page - 1).saturating_mul(params.per_page),
        limit: params.per_page + 1,
        ids: params.ids.clone(),
    };
    let mut rows = state.store.list_records(api.caller.org.id, &query).await?;
    let more = rows.len() as u64 > params.per_page;
    rows.truncate(params.per_page as usize);
    if rows.is_empty() {
        return Ok(wire::no_content());
    }
    let ctx = RenderContext::load(&state, &api.caller, module, &rows).await?;
    let data: Vec<Value> = rows.iter().map(|row| ctx.record(module, row, Some(&params.fields))).collect();
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
    Ok(wire::json(StatusCode::OK, &json!({"data": data, "info": info})))
}

/// # GET /bigin/v2/{module}/{record_id}
pub async fn get_record(
    api: Api<Records<Read>>,
    State(state): State<AppState>,
    Path((_, record_id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let module = &api.target;
    let pairs = wire::pairs(query.as_deref());
    let fields = read::parse_fields(module, wire::param(&pairs, "fields"), false)?;
    let Some(id) = Id::parse(&record_id) else { return Ok(wire::no_content()) };
    let Some(row) = state.store.record(api.caller.org.id, module.api_name, id).await? else {
        return Ok(wire::no_content());
    };
    let rows = [row];
    let ctx = RenderContext::load(&state, &api.caller, module, &rows).await?;
    let data = ctx.record(module, &rows[0], fields.as_deref());
    Ok(wire::json(StatusCode::OK, &json!({ "data": [data] })))
}

/// # POST /bigin/v2/{module}
pub async fn insert_records(api: Api<Records<Create>>, State(state): State<AppState>, Body(body): Body) -> Result<Response, ApiError> {
    let items = write::parse_body(&body)?;
    let writer = Writer::new(&state, &api.caller, &api.target).await?;
    let mut outcomes = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        outcomes.push(writer.insert(item, index).await?);
    }
    Ok(answer(&outcomes, "record added", StatusCode::CREATED))
}

/// # PUT /bigin/v2/{module} (each element carries its `id`)
pub async fn update_records(api: Api<Records<Update>>, State(state): State<AppState>, Body(body): Body) -> Result<Response, ApiError> {
    let items = write::parse_body(&body)?;
    let writer = Writer::new(&state, &api.caller, &api.target).await?;
    let mut outcomes = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        outcomes.push(writer.update(write::id_in(item), item, index).await?);
    }
    Ok(answer(&outcomes, "record updated", StatusCode::OK))
}

/// # PUT /bigin/v2/{module}/{record_id}
pub async fn update_record(
    api: Api<Records<Update>>,
    State(state): State<AppState>,
    Path((_, record_id)): Path<(String, String)>,
    Body(body): Body,
) -> Result<Response, ApiError> {
    let items = write::parse_body(&body)?;
    if items.len() > 1 {
        return Err(ApiError::new(crm::ErrorCode::LimitExceeded).with_detail("limit", 1).with_detail("api_name", "data"));
    }
    let id = Id::parse(&record_id).ok_or_else(ApiError::invalid_url_pattern)?;
    let writer = Writer::new(&state, &api.caller, &api.target).await?;
    let outcome = writer.update(Some(id), &items[0], 0).await?;
    Ok(answer(&[outcome], "record updated", StatusCode::OK))
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
pub async fn delete_record(
    api: Api<Records<Delete>>,
    State(state): State<AppState>,
    Path((_, record_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let id = Id::parse(&record_id).ok_or_else(ApiError::invalid_url_pattern)?;
    let writer = Writer::new(&state, &api.caller, &api.target).await?;
    let outcome = writer.delete(id).await?;
    Ok(answer(&[outcome], "record deleted", StatusCode::OK))
}

/// The answer to a write: the per-element array, with `single` as the status when one element
/// succeeded, 202 when several were sent and at least one succeeded, and 400 when none did.
fn answer(outcomes: &[Outcome], message: &str, single: StatusCode) -> Response {
    let data: Vec<Value> = outcomes.iter().map(|o| o.to_json(message)).collect();
    let status = if !outcomes.iter().any(Outcome::is_success) {
        StatusCode::BAD_REQUEST
    } else if outcomes.len() == 1 {
        single
    } else {
        StatusCode::ACCEPTED
    };
    wire::json(status, &json!({ "data": data }))
}
