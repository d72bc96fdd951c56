//! Search (`GET /{module}/search`) and the search selectors that count accepts too: `criteria`,
//! `email`, `phone` and `word` (Bigin's search page).

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use crm::criteria;
use crm::modules::Module;
use crm::query::{Column, Condition, Order, Target};
use serde_json::json;
use store::{RecordFilter, RecordQuery};

use super::read;
use super::render::{RenderContext, Selection};
use crate::api::auth::{Api, Search};
use crate::api::ApiError;
use crate::state::AppState;
use crate::wire;

/// The condition the search selectors ask for, or `None` when the request has none. Sent
/// together, `criteria` wins over `email`, `email` over `phone`, `phone` over `word`, as Zoho
/// documents.
pub fn selector(module: &Module, pairs: &[(String, String)]) -> Result<Option<Condition>, ApiError> {
    Ok(given_selector(module, pairs)?.map(|c| crm::query::intersect_indexed(module, c)))
}

fn given_selector(module: &Module, pairs: &[(String, String)]) -> Result<Option<Condition>, ApiError> {
    let given = |name: &str| wire::param(pairs, name).filter(|v| !v.trim().is_empty());
    if let Some(text) = given("criteria") {
        return criteria::parse(module, text).map(Some).map_err(ApiError::from);
    }
    if let Some(email) = given("email") {
        return Ok(Some(criteria::email(module, email)));
    }
    if let Some(phone) = given("phone") {
        return Ok(Some(criteria::phone(module, phone)));
    }
    if let Some(word) = given("word") {
        return criteria::word(word).map(Some).map_err(ApiError::from);
    }
    Ok(None)
}

/// # GET /bigin/v2/{module}/search?criteria|email|phone|word&page&per_page&fields
pub async fn search_records(api: Api<Search>, State(state): State<AppState>, RawQuery(query): RawQuery) -> Result<Response, ApiError> {
    let module = &api.target;
    let caller = &api.caller;
    let pairs = wire::pairs(query.as_deref());
    let condition = selector(module, &pairs)?.ok_or_else(|| ApiError::missing_param("criteria"))?;
    let fields = read::parse_fields(module, wire::param(&pairs, "fields"), false)?;
    let (page, per_page) = read::paging(&pairs)?;
    let query = RecordQuery {
        module: module.api_name.to_string(),
        filters: vec![RecordFilter::Where(condition)],
        order: vec![Order { target: Target::Column(Column::Id), descending: false }],
        offset: (page - 1).saturating_mul(per_page),
        limit: per_page + 1,
    };
    let mut rows = state.store.query_records(caller.org.id, &query).await?;
    let more = rows.len() as u64 > per_page;
    rows.truncate(per_page as usize);
    if rows.is_empty() {
        return Ok(wire::no_content());
    }
    let ctx = RenderContext::load(&state, caller, module, &rows).await?;
    let selection = Selection::new(module, fields.as_deref());
    let data: Vec<_> = rows.iter().map(|row| ctx.view(&selection, row, None)).collect();
    let info = json!({"per_page": per_page, "count": data.len(), "page": page, "more_records": more});
    Ok(wire::json(StatusCode::OK, &super::Page { data, info: Some(info) }))
}
