//! `GET /bigin/v2/users` and `/users/{id}` (Bigin's get-users page).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use crm::modules::derived_id;
use crm::{ErrorCode, Id};
use serde_json::{json, Value};
use store::OrgUser;

use super::auth::{Api, Caller, UsersRead};
use super::ApiError;
use crate::state::AppState;
use crate::wire;

/// The `type` filters of the users API.
fn matches(kind: &str, user: &OrgUser, caller: &Caller) -> Option<bool> {
    let active = user.status == "active";
    Some(match kind {
        "AllUsers" => user.status != "deleted",
        "ActiveUsers" => active,
        "DeactiveUsers" => user.status == "disabled",
        "ConfirmedUsers" => user.confirmed,
        "NotConfirmedUsers" => !user.confirmed,
        "DeletedUsers" => user.status == "deleted",
        "ActiveConfirmedUsers" => active && user.confirmed,
        "AdminUsers" => user.is_admin(),
        "ActiveConfirmedAdmins" => active && user.confirmed && user.is_admin(),
        "CurrentUser" => user.id == caller.user.id,
        _ => return None,
    })
}

/// # GET /bigin/v2/users?type=AllUsers|ActiveUsers|...|CurrentUser&page&per_page
pub async fn list_users(api: Api<UsersRead>, State(state): State<AppState>, RawQuery(query): RawQuery) -> Result<Response, ApiError> {
    let caller = &api.caller;
    let params = wire::pairs(query.as_deref());
    let kind = wire::param(&params, "type").unwrap_or("AllUsers");
    let page = positive(wire::param(&params, "page"), "page", 1, u64::MAX)?;
    let per_page = positive(wire::param(&params, "per_page"), "per_page", 200, 200)?;
    let users = state.store.org_users(caller.org.id).await?;
    let mut selected = Vec::new();
    for user in &users {
        match matches(kind, user, caller) {
            Some(true) => selected.push(user),
            Some(false) => {}
            None => return Err(ApiError::invalid_param("type")),
        }
    }
    let start = ((page - 1) * per_page) as usize;
    let page_items: Vec<Value> = selected.iter().skip(start).take(per_page as usize).map(|u| render(u, caller)).collect();
    if page_items.is_empty() {
        return Ok(wire::no_content());
    }
    let more = selected.len() > start + page_items.len();
    let body = json!({"users": page_items, "info": {"per_page": per_page, "count": page_items.len(), "page": page, "more_records": more}});
    Ok(wire::json(StatusCode::OK, &body))
}

/// # GET /bigin/v2/users/{user_id}
pub async fn get_user(api: Api<UsersRead>, State(state): State<AppState>, Path(user_id): Path<String>) -> Result<Response, ApiError> {
    let Some(id) = Id::parse(&user_id) else { return Err(ApiError::new(ErrorCode::InvalidData).with_detail("id", user_id)) };
    let caller = &api.caller;
    match state.store.org_user(caller.org.id, id).await? {
        Some(user) => Ok(wire::json(StatusCode::OK, &json!({"users": [render(&user, caller)]}))),
        None => Ok(wire::no_content()),
    }
}

pub fn positive(value: Option<&str>, name: &str, default: u64, max: u64) -> Result<u64, ApiError> {
    let Some(value) = value else { return Ok(default) };
    let n: u64 = value.trim().parse().map_err(|_| ApiError::invalid_param(name))?;
    if n == 0 {
        return Err(ApiError::invalid_param(name));
    }
    if n > max {
        return Err(ApiError::new(ErrorCode::LimitExceeded).with_detail("param", name).with_detail("limit", max));
    }
    Ok(n)
}

/// A user as the users API shows one.
pub fn render(user: &OrgUser, caller: &Caller) -> Value {
    let org_id = caller.org.id;
    let tz = &caller.tz;
    json!({
        "id": user.id.to_string(),
        "zuid": user.account_id.map(|a| a.to_string()),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "full_name": user.full_name(),
        "email": user.email,
        "status": user.status,
        "confirm": user.confirmed,
        "role": {"name": user.role, "id": derived_id(org_id, &format!("role:{}", user.role)).to_string()},
        "profile": {"name": user.profile, "id": derived_id(org_id, &format!("profile:{}", user.profile)).to_string()},
        "locale": "en_US",
        "language": "en_US",
        "country": "US",
        "time_zone": caller.org.time_zone,
        "date_format": "MM/dd/yyyy",
        "time_format": "hh:mm a",
        "created_time": crm::time_fmt::format(user.created_time, tz),
        "Modified_Time": crm::time_fmt::format(user.modified_time, tz),
    })
}
