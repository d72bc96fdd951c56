//! `GET /bigin/v2/users` and `/users/{id}` (Bigin's get-users page).

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use crm::record::details;
use crm::{ErrorCode, Id};
use serde_json::{json, Map, Value};
use store::OrgUser;

use super::auth::{Api, Caller, Create, Delete, Update, UsersRead, UsersWrite};
use super::body::Body;
use super::settings::{profile_id, role_id, PROFILES, ROLES};
use super::ApiError;
use crate::state::AppState;
use crate::wire;

/// The `type`s of the users API.
const USER_TYPES: &[&str] = &[
    "AllUsers",
    "ActiveUsers",
    "DeactiveUsers",
    "ConfirmedUsers",
    "NotConfirmedUsers",
    "DeletedUsers",
    "ActiveConfirmedUsers",
    "AdminUsers",
    "ActiveConfirmedAdmins",
    "CurrentUser",
];

/// Whether `user` is of the users type `kind` (one of `USER_TYPES`). Deleted users are only
/// `DeletedUsers`.
fn matches(kind: &str, user: &OrgUser, caller: &Caller) -> bool {
    let active = user.status == "active";
    if user.status == "deleted" {
        return kind == "DeletedUsers";
    }
    match kind {
        "AllUsers" => true,
        "ActiveUsers" => active,
        "DeactiveUsers" => user.status == "disabled",
        "ConfirmedUsers" => user.confirmed,
        "NotConfirmedUsers" => !user.confirmed,
        "ActiveConfirmedUsers" => active && user.confirmed,
        "AdminUsers" => user.is_admin(),
        "ActiveConfirmedAdmins" => active && user.confirmed && user.is_admin(),
        "CurrentUser" => user.id == caller.user.id,
        _ => false,
    }
}

/// # GET /bigin/v2/users?type=AllUsers|ActiveUsers|...|CurrentUser&page&per_page
pub async fn list_users(api: Api<UsersRead>, State(state): State<AppState>, RawQuery(query): RawQuery) -> Result<Response, ApiError> {
    let caller = &api.caller;
    let params = wire::pairs(query.as_deref());
    let kind = wire::param(&params, "type").unwrap_or("AllUsers");
    let page = positive(wire::param(&params, "page"), "page", 1, u64::MAX)?;
    let per_page = positive(wire::param(&params, "per_page"), "per_page", 200, 200)?;
    if !USER_TYPES.contains(&kind) {
        return Err(ApiError::invalid_param("type"));
    }
    let users = state.store.org_users(caller.org.id).await?;
    let mut selected: Vec<&OrgUser> = users.iter().filter(|u| matches(kind, u, caller)).collect();
    // Oldest first, so that pages do not overlap.
    selected.sort_by_key(|u| (u.created_time, u.id));
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
pub async fn get_user(api: Api<UsersRead>, State(state): State<AppState>) -> Result<Response, ApiError> {
    let user_id = api.path("user_id");
    let Some(id) = Id::parse(user_id) else { return Err(ApiError::new(ErrorCode::InvalidData).with_detail("id", user_id)) };
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
        "role": {"name": user.role, "id": role_id(org_id, &user.role).to_string()},
        "profile": {"name": user.profile, "id": profile_id(org_id, &user.profile).to_string()},
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

const MAX_USERS_WRITE: usize = 100;

/// One element's answer in a users write.
fn element(result: Result<Id, (ErrorCode, Map<String, Value>, &str)>, message: &str) -> (bool, Value) {
    match result {
        Ok(id) => (true, json!({"code": "SUCCESS", "details": {"id": id.to_string()}, "message": message, "status": "success"})),
        Err((code, details, message)) => (false, json!({"code": code.as_str(), "details": details, "message": message, "status": "error"})),
    }
}

/// The `users` array of a users write.
fn users_body(body: &[u8]) -> Result<Vec<Value>, ApiError> {
    let not_array =
        || ApiError::new(ErrorCode::InvalidData).with_detail("expected_data_type", "jsonarray").with_detail("api_name", "users");
    let value: Value =
        serde_json::from_slice(body).map_err(|_| ApiError::new(ErrorCode::InvalidData).with_message("body is not valid JSON"))?;
    let items = value.get("users").and_then(Value::as_array).filter(|a| !a.is_empty()).ok_or_else(not_array)?;
    if items.len() > MAX_USERS_WRITE {
        return Err(ApiError::new(ErrorCode::LimitExceeded).with_detail("limit", MAX_USERS_WRITE as u64).with_detail("api_name", "users"));
    }
    Ok(items.clone())
}

/// A role or profile named by `{"id"}` (or `{"name"}`) among `names`.
fn pick(value: Option<&Value>, names: &[&str], id_of: impl Fn(&str) -> Id) -> Option<Option<String>> {
    let Some(value) = value else { return Some(None) };
    let by_id = value.get("id").and_then(|v| v.as_str().map(str::to_string).or_else(|| v.as_i64().map(|n| n.to_string())));
    let by_name = value.get("name").and_then(Value::as_str);
    names.iter().find(|n| by_id.as_deref() == Some(id_of(n).to_string().as_str()) || by_name == Some(**n)).map(|n| Some(n.to_string()))
}

type ElementError = (ErrorCode, Map<String, Value>, &'static str);

fn field_error(code: ErrorCode, api_name: &str, index: usize, message: &'static str) -> ElementError {
    (code, details(&[("api_name", api_name), ("json_path", &format!("$.users[{index}].{api_name}"))]), message)
}

/// Applies the fields a users write may change; `Err` for a value Bigin refuses.
fn apply(user: &mut OrgUser, input: &Value, index: usize, org_id: Id) -> Result<(), ElementError> {
    for (key, target) in [("first_name", &mut user.first_name), ("last_name", &mut user.last_name)] {
        if let Some(value) = input.get(key) {
            let text = value
                .as_str()
                .filter(|t| t.chars().count() <= 80)
                .ok_or_else(|| field_error(ErrorCode::InvalidData, key, index, "invalid data"))?;
            *target = text.trim().to_string();
        }
    }
    if user.last_name.is_empty() {
        return Err(field_error(ErrorCode::MandatoryNotFound, "last_name", index, "required field not found"));
    }
    let roles: Vec<&str> = ROLES.iter().map(|(name, _)| *name).collect();
    match pick(input.get("role"), &roles, |n| role_id(org_id, n)) {
        Some(Some(role)) => user.role = role,
        Some(None) => {}
        None => return Err(field_error(ErrorCode::InvalidData, "role", index, "invalid data")),
    }
    match pick(input.get("profile"), PROFILES, |n| profile_id(org_id, n)) {
        Some(Some(profile)) => user.profile = profile,
        Some(None) => {}
        None => return Err(field_error(ErrorCode::InvalidData, "profile", index, "invalid data")),
    }
    if let Some(status) = input.get("status") {
        match status.as_str() {
            Some(s @ ("active" | "disabled")) => user.status = s.to_string(),
            _ => return Err(field_error(ErrorCode::InvalidData, "status", index, "invalid data")),
        }
    }
    Ok(())
}

fn users_answer(results: Vec<(bool, Value)>, single: StatusCode) -> Response {
    let ok = results.iter().filter(|(ok, _)| *ok).count();
    let status = if ok == 0 {
        StatusCode::BAD_REQUEST
    } else if results.len() == 1 {
        single
    } else {
        StatusCode::ACCEPTED
    };
    let users: Vec<Value> = results.into_iter().map(|(_, v)| v).collect();
    wire::json(status, &json!({ "users": users }))
}

/// # POST /bigin/v2/users
pub async fn add_users(api: Api<UsersWrite<Create>>, State(state): State<AppState>, Body(body): Body) -> Result<Response, ApiError> {
    let caller = &api.caller;
    let org_id = caller.org.id;
    let mut results = Vec::new();
    for (index, input) in users_body(&body)?.iter().enumerate() {
        let email = input.get("email").and_then(Value::as_str).map(str::trim).unwrap_or("");
        if email.is_empty() {
            results.push(element(Err(field_error(ErrorCode::MandatoryNotFound, "email", index, "required field not found")), ""));
            continue;
        }
        if !email.contains('@') || email.contains(char::is_whitespace) {
            results.push(element(Err(field_error(ErrorCode::InvalidData, "email", index, "invalid data")), ""));
            continue;
        }
        let now = state.now();
        let mut user = OrgUser {
            org_id,
            id: state.mint_id(),
            account_id: None,
            email: email.to_string(),
            first_name: String::new(),
            last_name: String::new(),
            role: "Manager".into(),
            profile: "Standard".into(),
            status: "active".into(),
            confirmed: false,
            created_time: now,
            modified_time: now,
        };
        if let Err(err) = apply(&mut user, input, index, org_id) {
            results.push(element(Err(err), ""));
            continue;
        }
        if !state.store.insert_org_user(&user).await? {
            results.push(element(Err(field_error(ErrorCode::DuplicateData, "email", index, "duplicate data")), ""));
            continue;
        }
        results.push(element(Ok(user.id), "User added"));
    }
    // The new users can own records on this node at once.
    state.tokens.forget_org(org_id);
    Ok(users_answer(results, StatusCode::CREATED))
}

async fn update_one(state: &AppState, caller: &Caller, id: Option<Id>, input: &Value, index: usize) -> Result<(bool, Value), ApiError> {
    let org_id = caller.org.id;
    let Some(id) = id else {
        return Ok(element(Err(field_error(ErrorCode::MandatoryNotFound, "id", index, "required field not found")), ""));
    };
    let Some(mut user) = state.store.org_user(org_id, id).await?.filter(|u| u.status != "deleted") else {
        return Ok(element(Err((ErrorCode::InvalidData, details(&[("id", &id.to_string())]), "the id given seems to be invalid")), ""));
    };
    if let Err(err) = apply(&mut user, input, index, org_id) {
        return Ok(element(Err(err), ""));
    }
    if user.status != "active" && user.account_id == Some(caller.org.primary_account_id) {
        return Ok(element(Err(field_error(ErrorCode::InvalidData, "status", index, "the primary user cannot be deactivated")), ""));
    }
    user.modified_time = state.now();
    state.store.update_org_user(&user).await?;
    // A deactivated user's tokens stop working on this node at once.
    state.tokens.forget_org(org_id);
    Ok(element(Ok(id), "User updated"))
}

fn user_id_in(input: &Value) -> Option<Id> {
    match input.get("id")? {
        Value::String(s) => Id::parse(s),
        Value::Number(n) => Id::parse(&n.to_string()),
        _ => None,
    }
}

/// # PUT /bigin/v2/users (each element with its `id`)
pub async fn update_users(api: Api<UsersWrite<Update>>, State(state): State<AppState>, Body(body): Body) -> Result<Response, ApiError> {
    let mut results = Vec::new();
    for (index, input) in users_body(&body)?.iter().enumerate() {
        results.push(update_one(&state, &api.caller, user_id_in(input), input, index).await?);
    }
    Ok(users_answer(results, StatusCode::OK))
}

/// # PUT /bigin/v2/users/{user_id}
pub async fn update_user(api: Api<UsersWrite<Update>>, State(state): State<AppState>, Body(body): Body) -> Result<Response, ApiError> {
    let user_id = api.path("user_id");
    let items = users_body(&body)?;
    let id = Id::parse(user_id).ok_or_else(ApiError::invalid_url_pattern)?;
    let result = update_one(&state, &api.caller, Some(id), &items[0], 0).await?;
    Ok(users_answer(vec![result], StatusCode::OK))
}

/// # DELETE /bigin/v2/users/{user_id}
pub async fn delete_user(api: Api<UsersWrite<Delete>>, State(state): State<AppState>) -> Result<Response, ApiError> {
    let user_id = api.path("user_id");
    let caller = &api.caller;
    let id = Id::parse(user_id).ok_or_else(ApiError::invalid_url_pattern)?;
    let user = state.store.org_user(caller.org.id, id).await?.filter(|u| u.status != "deleted");
    let result = match user {
        None => element(Err((ErrorCode::InvalidData, details(&[("id", user_id)]), "the id given seems to be invalid")), ""),
        Some(user) if user.account_id == Some(caller.org.primary_account_id) => {
            element(Err((ErrorCode::InvalidData, details(&[("id", user_id)]), "the primary user cannot be deleted")), "")
        }
        Some(mut user) => {
            user.status = "deleted".into();
            user.modified_time = state.now();
            state.store.update_org_user(&user).await?;
            state.tokens.forget_org(caller.org.id);
            element(Ok(id), "User deleted")
        }
    };
    Ok(users_answer(vec![result], StatusCode::OK))
}
