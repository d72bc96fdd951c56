//! `GET /oauth/v2/auth`: sign-in, then consent with an organization picker, then a redirect that
//! carries `code`, `location`, `accounts-server` and `state` (or `error=access_denied`).
//! Server-based and Mobile clients get a code (Mobile clients must send PKCE S256); Client-based
//! (JavaScript) clients get an access token in the redirect's fragment, as Zoho serves them.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use crm::scopes::ScopeSet;
use minijinja::context;
use serde::Serialize;
use store::{Account, Client, GrantCode, Org};
use url::Url;

use super::session::{self, Csrf};
use super::token::{issue, Grant};
use crate::secrets;
use crate::state::AppState;
use crate::wire::{self, param};

/// Authorization codes live two minutes.
pub const AUTH_CODE_LIFETIME_MS: i64 = 120_000;

/// What the client gets back: a code, or (Client-based clients) a token in the fragment.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ResponseType {
    Code,
    Token,
}

/// The parameters of an authorization request that a redirect can be trusted with.
struct AuthRequest {
    client: Client,
    redirect_uri: String,
    response_type: ResponseType,
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
    // A client is known only in its own data centre unless it has the multi-DC setting.
    if !client.multi_dc && client.dc != state.config.location {
        return Err(Refusal::Page("Invalid Client: no client is registered with this client_id."));
    }
    if !matches!(client.client_type.as_str(), "server-based" | "mobile" | "client-based") {
        return Err(Refusal::Page("This client type cannot use the browser flow: Self Clients generate codes in the API console, Non-browser clients use the device flow."));
    }
    // Exact match only: no prefix, case or trailing-slash leniency.
    let redirect_uri = param(params, "redirect_uri").unwrap_or("");
    if !client.redirect_uris.iter().any(|r| r == redirect_uri) {
        return Err(Refusal::Page("Invalid Redirect Uri: the redirect_uri does not match one registered for this client."));
    }
    let client_state = param(params, "state").map(str::to_string);
    let back = |error: &str| Refusal::Redirect(redirect_with(redirect_uri, &[("error", error)], client_state.as_deref(), false));
    let response_type = match (param(params, "response_type"), client.client_type.as_str()) {
        (Some("token"), "client-based") => ResponseType::Token,
        (Some("code"), "server-based" | "mobile") => ResponseType::Code,
        _ => return Err(back("unsupported_response_type")),
    };
    let scopes = ScopeSet::parse(param(params, "scope").unwrap_or("")).map_err(|_| back("invalid_scope"))?;
    let offline = match param(params, "access_type").unwrap_or("online") {
        "offline" => true,
        "online" => false,
        _ => return Err(back("invalid_request")),
    };
    let code_challenge = match (param(params, "code_challenge"), param(params, "code_challenge_method")) {
        (None, None) => None,
        // S256 only: `plain` would let a stolen code be redeemed with the challenge itself.
        (Some(challenge), Some("S256")) if (43..=128).contains(&challenge.len()) => Some(challenge.to_string()),
        _ => return Err(back("invalid_request")),
    };
    if client.client_type == "mobile" && code_challenge.is_none() {
        return Err(back("invalid_request"));
    }
    Ok(AuthRequest { client, redirect_uri: redirect_uri.to_string(), response_type, scopes, offline, state: client_state, code_challenge })
}

/// `redirect_uri` with `pairs` (and `state`) added to its query, or to its fragment.
fn redirect_with(redirect_uri: &str, pairs: &[(&str, &str)], state: Option<&str>, in_fragment: bool) -> String {
    let Ok(mut url) = Url::parse(redirect_uri) else { return redirect_uri.to_string() };
    let mut all: Vec<(&str, &str)> = Vec::new();
    if let Some(state) = state {
        all.push(("state", state));
    }
    all.extend_from_slice(pairs);
    if in_fragment {
        let fragment = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(all).finish();
        url.set_fragment(Some(&fragment));
    } else {
        url.query_pairs_mut().extend_pairs(all);
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
    location: String,
}

/// The consent page's context: the client, its scopes, the user's organizations to pick from,
/// and the hidden fields the form posts back to `action`. `None` when the user has no
/// organization.
pub async fn consent_context(
    state: &AppState,
    client_name: &str,
    scopes: &ScopeSet,
    hidden: Vec<(String, String)>,
    account: &Account,
    csrf: &Csrf,
    action: &str,
) -> anyhow::Result<Option<minijinja::Value>> {
    let orgs = state.store.orgs_of_account(account.id).await?;
    if orgs.is_empty() {
        return Ok(None);
    }
    let orgs: Vec<OrgChoice> = orgs.into_iter().map(|o| OrgChoice { id: o.id.to_string(), name: o.company_name, location: o.dc }).collect();
    let scopes: Vec<ScopeLine> = scopes.iter().map(|s| ScopeLine { name: s.to_string(), description: describe(&s.to_string()) }).collect();
    let account_ctx = context! { email => &account.email, first_name => &account.first_name };
    Ok(Some(context! { csrf => &csrf.token, client_name, scopes, orgs, hidden, account => account_ctx, action }))
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
    } else if lower.contains("change_owner") {
        "owners"
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
        ("owners", _) => "change the owners of records",
        (_, "read") => "view data",
        _ => "view and change data",
    }
}

pub fn server_error(state: &AppState, err: anyhow::Error) -> Response {
    tracing::error!(error = ?err, "a page failed");
    state.pages.message(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", "The authorization server failed; try again.")
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
    // Zoho asks only the first time: a user who already granted this client these scopes (a
    // live refresh token, i.e. a connected app) goes straight back, unless `prompt=consent`.
    if param(&params, "prompt") != Some("consent") && request.response_type == ResponseType::Code {
        match earlier_consent(&state, &account, &request).await {
            // Zoho gives a refresh token only the first time; `prompt=consent` gets another.
            Ok(Some(org)) => {
                return match grant_code(&state, &request, &account, &org, false).await {
                    Ok(target) => Redirect::to(&target).into_response(),
                    Err(err) => server_error(&state, err),
                }
            }
            Ok(None) => {}
            Err(err) => return server_error(&state, err),
        }
    }
    let hidden: Vec<(String, String)> = CARRIED.iter().filter_map(|k| param(&params, k).map(|v| (k.to_string(), v.to_string()))).collect();
    let page = match consent_context(&state, &request.client.name, &request.scopes, hidden, &account, &csrf, "/oauth/v2/auth").await {
        Ok(Some(context)) => state.pages.render(StatusCode::OK, "consent.html", context),
        Ok(None) => state.pages.message(StatusCode::FORBIDDEN, "No organization", "This account belongs to no Bigin organization."),
        Err(err) => server_error(&state, err),
    };
    csrf.attach(&state, page)
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
    let in_fragment = request.response_type == ResponseType::Token;
    let account = match session::current_account(&state, &headers).await {
        Ok(Some(account)) => account,
        Ok(None) => return Redirect::to("/signin").into_response(),
        Err(err) => return server_error(&state, err),
    };
    if param(&params, "decision") != Some("allow") {
        return Redirect::to(&redirect_with(&request.redirect_uri, &[("error", "access_denied")], request.state.as_deref(), in_fragment))
            .into_response();
    }
    let orgs = match state.store.orgs_of_account(account.id).await {
        Ok(orgs) => orgs,
        Err(err) => return server_error(&state, err),
    };
    let Some(org) = param(&params, "org_id").and_then(|id| orgs.iter().find(|o| o.id.to_string() == id)) else {
        return state.pages.message(StatusCode::BAD_REQUEST, "Pick an organization", "The organization chosen is not one of yours.");
    };
    let target = match request.response_type {
        ResponseType::Code => grant_code(&state, &request, &account, org, request.offline).await,
        ResponseType::Token => implicit_token(&state, &request, &account, org).await,
    };
    match target {
        Ok(target) => {
            let mut response = Redirect::to(&target).into_response();
            response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
            response
        }
        Err(err) => server_error(&state, err),
    }
}

/// The data centre an organization lives in: its `location` and its accounts server.
fn home_of(state: &AppState, org: &Org) -> (String, String) {
    (org.dc.clone(), state.config.url_of(&org.dc).to_string())
}

/// The organization of the user's newest connected app of this client whose scopes include every
/// scope asked for, if any (and the user is still in that organization).
async fn earlier_consent(state: &AppState, account: &Account, request: &AuthRequest) -> anyhow::Result<Option<Org>> {
    let orgs = state.store.orgs_of_account(account.id).await?;
    for token in state.store.refresh_tokens_of_account(account.id).await? {
        if token.client_id != request.client.client_id {
            continue;
        }
        let granted = ScopeSet::parse(&token.scopes).unwrap_or_default();
        if request.scopes.iter().all(|asked| granted.iter().any(|g| g == asked)) {
            if let Some(org) = orgs.iter().find(|o| o.id == token.org_id) {
                return Ok(Some(org.clone()));
            }
        }
    }
    Ok(None)
}

async fn grant_code(state: &AppState, request: &AuthRequest, account: &Account, org: &Org, offline: bool) -> anyhow::Result<String> {
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
        offline,
        code_challenge: request.code_challenge.clone(),
        description: None,
        expires_at: now + AUTH_CODE_LIFETIME_MS,
        used_at: None,
        created_time: now,
    };
    state.store.insert_code(&grant).await?;
    let (location, accounts_server) = home_of(state, org);
    Ok(redirect_with(
        &request.redirect_uri,
        &[("code", &code), ("location", &location), ("accounts-server", &accounts_server)],
        request.state.as_deref(),
        false,
    ))
}

/// Client-based clients: an access token (never a refresh token) in the fragment.
async fn implicit_token(state: &AppState, request: &AuthRequest, account: &Account, org: &Org) -> anyhow::Result<String> {
    let scopes = request.scopes.to_string();
    let grant = Grant { client_id: &request.client.client_id, org_id: org.id, account_id: account.id, scopes: &scopes, code_id: None };
    let tokens = issue(&state.for_location(&org.dc), &grant, false).await?;
    let (location, accounts_server) = home_of(state, org);
    let access = tokens["access_token"].as_str().unwrap_or_default();
    let api_domain = tokens["api_domain"].as_str().unwrap_or_default();
    let expires_in = tokens["expires_in"].to_string();
    let pairs = [
        ("access_token", access),
        ("token_type", "Bearer"),
        ("expires_in", expires_in.as_str()),
        ("api_domain", api_domain),
        ("location", location.as_str()),
        ("accounts-server", accounts_server.as_str()),
    ];
    Ok(redirect_with(&request.redirect_uri, &pairs, request.state.as_deref(), true))
}
