//! `GET /oauth/v2/auth`: sign-in, then consent with an organization picker, then a redirect that
//! carries `code`, `location`, `accounts-server` and `state` (or `error=access_denied`).

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use crm::scopes::ScopeSet;
use minijinja::context;
use serde::Serialize;
use store::{Account, Client, GrantCode};
use url::Url;

use super::session::{self, Csrf};
use crate::secrets;
use crate::state::AppState;
use crate::wire::{self, param};

/// Authorization codes live two minutes.
pub const AUTH_CODE_LIFETIME_MS: i64 = 120_000;

/// The parameters of an authorization request that a redirect can be trusted with.
struct AuthRequest {
    client: Client,
    redirect_uri: String,
    scopes: ScopeSet,
    offline: bool,
    state: Option<String>,
    code_challenge: Option<String>,
}

/// Why a request cannot proceed: shown on a page when the redirect URI cannot be trusted,
/// otherwise sent back to the client.
enum Refusal {
    Page(&'static str),
    Redirect(String),
}

/// Names of the request parameters carried from the consent page back to the server.
const CARRIED: &[&str] =
    &["client_id", "redirect_uri", "scope", "response_type", "access_type", "prompt", "state", "code_challenge", "code_challenge_method"];

async fn parse_request(state: &AppState, params: &[(String, String)]) -> Result<AuthRequest, Refusal> {
    let client_id = param(params, "client_id").unwrap_or("");
    let client = match state.store.client(client_id).await {
        Ok(Some(client)) => client,
        Ok(None) => return Err(Refusal::Page("Invalid Client: no client is registered with this client_id.")),
        Err(err) => {
            tracing::error!(error = ?err, "loading a client failed");
            return Err(Refusal::Page("The authorization server failed; try again."));
        }
    };
    if client.client_type != "server-based" {
        return Err(Refusal::Page("This client type cannot use the authorization-code flow in a browser."));
    }
    // Exact match only: no prefix, case or trailing-slash leniency.
    let redirect_uri = param(params, "redirect_uri").unwrap_or("");
    if !client.redirect_uris.iter().any(|r| r == redirect_uri) {
        return Err(Refusal::Page("Invalid Redirect Uri: the redirect_uri does not match one registered for this client."));
    }
    let client_state = param(params, "state").map(str::to_string);
    let back = |error: &str| Refusal::Redirect(redirect_with(redirect_uri, &[("error", error)], client_state.as_deref()));
    if param(params, "response_type") != Some("code") {
        return Err(back("unsupported_response_type"));
    }
    let scopes = ScopeSet::parse(param(params, "scope").unwrap_or("")).map_err(|_| back("invalid_scope"))?;
    let offline = match param(params, "access_type").unwrap_or("online") {
        "offline" => true,
        "online" => false,
        _ => return Err(back("invalid_request")),
    };
    let code_challenge = match (param(params, "code_challenge"), param(params, "code_challenge_method")) {
        (None, None) => None,
        (Some(challenge), Some("S256")) if !challenge.is_empty() => Some(challenge.to_string()),
        _ => return Err(back("invalid_request")),
    };
    Ok(AuthRequest { client, redirect_uri: redirect_uri.to_string(), scopes, offline, state: client_state, code_challenge })
}

/// `redirect_uri` with `pairs` (and `state`) added to its query.
fn redirect_with(redirect_uri: &str, pairs: &[(&str, &str)], state: Option<&str>) -> String {
    let Ok(mut url) = Url::parse(redirect_uri) else { return redirect_uri.to_string() };
    {
        let mut query = url.query_pairs_mut();
        if let Some(state) = state {
            query.append_pair("state", state);
        }
        for (k, v) in pairs {
            query.append_pair(k, v);
        }
    }
    url.to_string()
}

fn refuse(state: &AppState, refusal: Refusal) -> Response {
    match refusal {
        Refusal::Page(message) => state.pages.message(StatusCode::BAD_REQUEST, "This request cannot be authorized", message),
        Refusal::Redirect(url) => Redirect::to(&url).into_response(),
    }
}

#[derive(Serialize)]
struct ScopeLine {
    name: String,
    description: &'static str,
}

#[derive(Serialize)]
struct OrgChoice {
    id: String,
    name: String,
}

/// # GET /oauth/v2/auth?scope&client_id&response_type=code&redirect_uri&access_type&prompt&state
pub async fn authorize_page(State(state): State<AppState>, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    let params = wire::pairs(query.as_deref());
    let request = match parse_request(&state, &params).await {
        Ok(request) => request,
        Err(refusal) => return refuse(&state, refusal),
    };
    let csrf = Csrf::for_request(&headers);
    let account = match session::current_account(&state, &headers).await {
        Ok(account) => account,
        Err(err) => return server_error(&state, err),
    };
    let Some(account) = account else {
        let next = format!("/oauth/v2/auth?{}", query.unwrap_or_default());
        let page = state.pages.render(StatusCode::OK, "signin.html", context! { csrf => &csrf.token, next, email => "", error => "" });
        return csrf.attach(&state, page);
    };
    let page = consent_page(&state, &request, &params, &account, &csrf).await;
    csrf.attach(&state, page)
}

async fn consent_page(state: &AppState, request: &AuthRequest, params: &[(String, String)], account: &Account, csrf: &Csrf) -> Response {
    let orgs = match state.store.orgs_of_account(account.id).await {
        Ok(orgs) => orgs,
        Err(err) => return server_error(state, err),
    };
    if orgs.is_empty() {
        return state.pages.message(StatusCode::FORBIDDEN, "No organization", "This account belongs to no Bigin organization.");
    }
    let orgs: Vec<OrgChoice> = orgs.into_iter().map(|o| OrgChoice { id: o.id.to_string(), name: o.company_name }).collect();
    let scopes: Vec<ScopeLine> =
        request.scopes.iter().map(|s| ScopeLine { name: s.to_string(), description: describe(&s.to_string()) }).collect();
    let hidden: Vec<(&str, &str)> = CARRIED.iter().filter_map(|k| param(params, k).map(|v| (*k, v))).collect();
    let account_ctx = context! { email => &account.email, first_name => &account.first_name };
    state.pages.render(
        StatusCode::OK,
        "consent.html",
        context! { csrf => &csrf.token, client_name => &request.client.name, scopes, orgs, hidden, account => account_ctx },
    )
}

/// What a scope lets a client do, in words.
fn describe(scope: &str) -> &'static str {
    let lower = scope.to_ascii_lowercase();
    let op = lower.rsplit('.').next().unwrap_or("");
    let area = if lower.contains(".modules") {
        "records"
    } else if lower.contains(".settings") {
        "settings and metadata"
    } else if lower.contains(".users") {
        "users"
    } else if lower.contains(".org") {
        "organization details"
    } else if lower.contains("securesearch") {
        "search"
    } else {
        "data"
    };
    match (area, op) {
        ("records", "read") => "view records",
        ("records", "all") => "view, create, update and delete records",
        ("records", _) => "change records",
        ("settings and metadata", "read") => "view settings and metadata",
        ("settings and metadata", _) => "view and change settings and metadata",
        ("users", "read") => "view users",
        ("users", _) => "view and manage users",
        ("organization details", "read") => "view organization details",
        ("organization details", _) => "view and change organization details",
        ("search", _) => "search records",
        (_, "read") => "view data",
        _ => "view and change data",
    }
}

fn server_error(state: &AppState, err: anyhow::Error) -> Response {
    tracing::error!(error = ?err, "authorization page failed");
    state.pages.message(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", "The authorization server failed; try again.")
}

/// # POST /oauth/v2/auth (the consent form)
pub async fn authorize_submit(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let params = wire::pairs(std::str::from_utf8(&body).ok());
    if !session::csrf_ok(&headers, param(&params, "csrf_token")) {
        return state.pages.message(
            StatusCode::FORBIDDEN,
            "Request refused",
            "The form expired or did not come from this site (CSRF check failed). Go back and try again.",
        );
    }
    let request = match parse_request(&state, &params).await {
        Ok(request) => request,
        Err(refusal) => return refuse(&state, refusal),
    };
    let account = match session::current_account(&state, &headers).await {
        Ok(Some(account)) => account,
        Ok(None) => return Redirect::to("/signin").into_response(),
        Err(err) => return server_error(&state, err),
    };
    if param(&params, "decision") != Some("allow") {
        return Redirect::to(&redirect_with(&request.redirect_uri, &[("error", "access_denied")], request.state.as_deref()))
            .into_response();
    }
    let orgs = match state.store.orgs_of_account(account.id).await {
        Ok(orgs) => orgs,
        Err(err) => return server_error(&state, err),
    };
    let chosen = param(&params, "org_id").and_then(|id| orgs.iter().find(|o| o.id.to_string() == id));
    let Some(org) = chosen else {
        return state.pages.message(StatusCode::BAD_REQUEST, "Pick an organization", "The organization chosen is not one of yours.");
    };
    let code = secrets::mint_token();
    let now = state.now();
    let grant = GrantCode {
        id: state.mint_id(),
        digest: state.secrets.digest(&code),
        kind: "auth".into(),
        client_id: request.client.client_id.clone(),
        org_id: org.id,
        account_id: account.id,
        scopes: request.scopes.to_string(),
        redirect_uri: Some(request.redirect_uri.clone()),
        offline: request.offline,
        code_challenge: request.code_challenge.clone(),
        description: None,
        expires_at: now + AUTH_CODE_LIFETIME_MS,
        used_at: None,
        created_time: now,
    };
    if let Err(err) = state.store.insert_code(&grant).await {
        return server_error(&state, err);
    }
    let location = state.config.location.clone();
    let accounts_server = state.config.accounts_url().to_string();
    let target = redirect_with(
        &request.redirect_uri,
        &[("code", &code), ("location", &location), ("accounts-server", &accounts_server)],
        request.state.as_deref(),
    );
    let mut response = Redirect::to(&target).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    response
}
