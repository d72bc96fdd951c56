//! The device flow for Non-browser clients (Zoho's "limited input devices"): the device asks
//! `POST /oauth/v3/device/code`, the user approves the user code at the verification page, and
//! the device polls `POST /oauth/v3/device/token` (or `/oauth/v2/token`, `grant_type=device_token`).

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use crm::scopes::ScopeSet;
use minijinja::context;
use rand::Rng;
use serde_json::{json, Value};
use store::DeviceCode;

use super::authorize::{consent_context, server_error};
use super::session::{self, Csrf};
use super::token::{all_params, authenticate_client, in_this_data_centre, issue, Grant, OAuthError};
use crate::secrets;
use crate::state::AppState;
use crate::wire::{self, param};

/// How long a device request waits for the user.
pub const DEVICE_CODE_LIFETIME_MS: i64 = 5 * 60_000;
/// The documented polling rate: one poll per 30 seconds.
pub const POLL_INTERVAL_S: i64 = 30;
const USER_CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

fn mint_user_code() -> String {
    let mut rng = rand::thread_rng();
    let mut code: String = (0..8).map(|_| USER_CODE_ALPHABET[rng.gen_range(0..USER_CODE_ALPHABET.len())] as char).collect();
    code.insert(4, '-');
    code
}

/// What a person typed, as a user code: upper case, with the dash where it belongs.
fn normalise_user_code(input: &str) -> String {
    let letters: String = input.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect();
    if letters.len() == 8 {
        format!("{}-{}", &letters[..4], &letters[4..])
    } else {
        letters
    }
}

fn error(code: &str) -> Response {
    wire::json(StatusCode::OK, &json!({ "error": code }))
}

/// # POST /oauth/v3/device/code
pub async fn device_code(State(state): State<AppState>, RawQuery(query): RawQuery, body: Bytes) -> Response {
    let params = all_params(query.as_deref(), &body);
    if param(&params, "grant_type") != Some("device_request") {
        return error("unsupported_grant_type");
    }
    let client = match state.store.client(param(&params, "client_id").unwrap_or("")).await {
        Ok(Some(client)) if client.client_type == "non-browser" && (client.multi_dc || client.dc == state.config.location) => client,
        Ok(_) => return error("invalid_client"),
        Err(err) => {
            tracing::error!(error = ?err, "device code failed");
            return error("server_error");
        }
    };
    let Ok(scopes) = ScopeSet::parse(param(&params, "scope").unwrap_or("")) else { return error("invalid_scope") };
    let offline = match param(&params, "access_type").unwrap_or("online") {
        "offline" => true,
        "online" => false,
        _ => return error("invalid_request"),
    };
    let device_code = secrets::mint_token();
    let now = state.now();
    let request = DeviceCode {
        digest: state.secrets.digest(&device_code),
        user_code: mint_user_code(),
        client_id: client.client_id,
        dc: state.config.location.clone(),
        scopes: scopes.to_string(),
        offline,
        status: "pending".into(),
        org_id: None,
        account_id: None,
        interval_s: POLL_INTERVAL_S,
        last_poll_at: None,
        expires_at: now + DEVICE_CODE_LIFETIME_MS,
        created_time: now,
    };
    if let Err(err) = state.store.insert_device_code(&request).await {
        tracing::error!(error = ?err, "device code failed");
        return error("server_error");
    }
    wire::json(
        StatusCode::OK,
        &json!({
            "user_code": request.user_code,
            "device_code": device_code,
            "verification_url": format!("{}/oauth/v3/device", state.config.accounts_url()),
            "expires_in": DEVICE_CODE_LIFETIME_MS / 1000,
            "interval": POLL_INTERVAL_S,
        }),
    )
}

/// The polling grant: `grant_type=device_token`, `client_id`, `client_secret`, `code`.
pub async fn poll(state: &AppState, params: &[(String, String)]) -> Result<Value, OAuthError> {
    let (client, with_secret) = authenticate_client(state, params).await?;
    if !with_secret {
        return Err(OAuthError::Code("invalid_client_secret"));
    }
    let now = state.now();
    let digest = state.secrets.digest(param(params, "code").unwrap_or(""));
    let request = state.store.poll_device_code(&digest, now).await?;
    let request = request.filter(|r| r.client_id == client.client_id).ok_or(OAuthError::Code("invalid_code"))?;
    if request.expires_at <= now {
        return Err(OAuthError::Code("expired_token"));
    }
    match request.status.as_str() {
        "denied" => Err(OAuthError::Code("access_denied")),
        "pending" => {
            let too_soon = request.last_poll_at.is_some_and(|last| now - last < request.interval_s * 1000);
            Err(OAuthError::Code(if too_soon { "slow_down" } else { "authorization_pending" }))
        }
        "approved" => {
            let (Some(org_id), Some(account_id)) = (request.org_id, request.account_id) else {
                return Err(OAuthError::Code("invalid_code"));
            };
            if !in_this_data_centre(state, org_id).await? {
                return Err(OAuthError::Code("other_dc"));
            }
            if !state.store.finish_device_code(&digest).await? {
                return Err(OAuthError::Code("invalid_code"));
            }
            let grant = Grant { client_id: &request.client_id, org_id, account_id, scopes: &request.scopes, code_id: None };
            Ok(issue(state, &grant, request.offline).await?)
        }
        _ => Err(OAuthError::Code("invalid_code")),
    }
}

/// # GET /oauth/v3/device?user_code=
pub async fn verification_page(State(state): State<AppState>, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    let params = wire::pairs(query.as_deref());
    let csrf = Csrf::for_request(&headers);
    let account = match session::current_account(&state, &headers).await {
        Ok(account) => account,
        Err(err) => return server_error(&state, err),
    };
    let page = match account {
        None => {
            let next = format!("/oauth/v3/device?{}", query.unwrap_or_default());
            state.pages.render(StatusCode::OK, "signin.html", context! { csrf => &csrf.token, next, email => "", error => "" })
        }
        Some(account) => {
            let user_code = param(&params, "user_code").unwrap_or("");
            let account_ctx = context! { email => &account.email, first_name => &account.first_name };
            state.pages.render(
                StatusCode::OK,
                "device.html",
                context! { csrf => &csrf.token, user_code, account => account_ctx, error => "" },
            )
        }
    };
    csrf.attach(&state, page)
}

/// A form of the verification pages: its fields, once the CSRF token checks out and the user is
/// signed in.
async fn signed_form(state: &AppState, headers: &HeaderMap, body: &Bytes) -> Result<(Vec<(String, String)>, store::Account), Response> {
    let params = wire::pairs(std::str::from_utf8(body).ok());
    if !session::csrf_ok(headers, param(&params, "csrf_token")) {
        let message = "The form expired or did not come from this site (CSRF check failed).";
        return Err(state.pages.message(StatusCode::FORBIDDEN, "Request refused", message));
    }
    match session::current_account(state, headers).await {
        Ok(Some(account)) => Ok((params, account)),
        Ok(None) => Err(Redirect::to("/oauth/v3/device").into_response()),
        Err(err) => Err(server_error(state, err)),
    }
}

/// # POST /oauth/v3/device (the user code form), then the consent page for that request.
pub async fn verification_submit(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let (params, account) = match signed_form(&state, &headers, &body).await {
        Ok(form) => form,
        Err(response) => return response,
    };
    let csrf = Csrf::for_request(&headers);
    let user_code = normalise_user_code(param(&params, "user_code").unwrap_or(""));
    let request = match state.store.device_code_by_user_code(&user_code).await {
        Ok(request) => request.filter(|r| r.status == "pending" && r.expires_at > state.now()),
        Err(err) => return server_error(&state, err),
    };
    let Some(request) = request else {
        let account_ctx = context! { email => &account.email, first_name => &account.first_name };
        let error = "That code is not valid or has expired. Check the code your device shows.";
        return state.pages.render(
            StatusCode::BAD_REQUEST,
            "device.html",
            context! { csrf => &csrf.token, user_code, account => account_ctx, error },
        );
    };
    let client = match state.store.client(&request.client_id).await {
        Ok(Some(client)) => client,
        Ok(None) => return state.pages.message(StatusCode::BAD_REQUEST, "Unknown client", "The client of this request no longer exists."),
        Err(err) => return server_error(&state, err),
    };
    let scopes = ScopeSet::parse(&request.scopes).unwrap_or_default();
    let hidden = vec![("user_code".to_string(), user_code)];
    match consent_context(&state, &client.name, &scopes, hidden, &account, &csrf, "/oauth/v3/device/approve").await {
        Ok(Some(context)) => state.pages.render(StatusCode::OK, "consent.html", context),
        Ok(None) => state.pages.message(StatusCode::FORBIDDEN, "No organization", "This account belongs to no Bigin organization."),
        Err(err) => server_error(&state, err),
    }
}

/// # POST /oauth/v3/device/approve (the consent form of a device request)
pub async fn approve(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let (params, account) = match signed_form(&state, &headers, &body).await {
        Ok(form) => form,
        Err(response) => return response,
    };
    let orgs = match state.store.orgs_of_account(account.id).await {
        Ok(orgs) => orgs,
        Err(err) => return server_error(&state, err),
    };
    let Some(org) = param(&params, "org_id").and_then(|id| orgs.iter().find(|o| o.id.to_string() == id)) else {
        return state.pages.message(StatusCode::BAD_REQUEST, "Pick an organization", "The organization chosen is not one of yours.");
    };
    let approved = param(&params, "decision") == Some("allow");
    let user_code = normalise_user_code(param(&params, "user_code").unwrap_or(""));
    match state.store.decide_device_code(&user_code, approved, org.id, account.id).await {
        Ok(true) if approved => {
            state.pages.message(StatusCode::OK, "Device connected", "You can return to your device; it will finish signing in.")
        }
        Ok(true) => state.pages.message(StatusCode::OK, "Access refused", "The device was not given access."),
        Ok(false) => {
            state.pages.message(StatusCode::BAD_REQUEST, "Code already used", "This code was already approved or refused, or has expired.")
        }
        Err(err) => server_error(&state, err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_codes_read_back_however_they_are_typed() {
        let code = mint_user_code();
        assert_eq!(code.len(), 9);
        assert_eq!(normalise_user_code(&code.to_lowercase().replace('-', " ")), code);
    }
}
