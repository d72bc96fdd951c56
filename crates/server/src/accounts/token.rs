//! `POST /oauth/v2/token` (authorization-code and refresh grants), the device flow's polling
//! grant, and `POST /oauth/v2/token/revoke`, answering as Zoho Accounts does: OAuth errors are
//! HTTP 200 with `{"error":"<code>"}`; parameters may come in the form body or the query string.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use crm::Id;
use serde_json::{json, Map, Value};
use store::{AccessToken, Client, CodeUse, GrantCode, RefreshToken, Refreshed};

use super::throttle::minutes_until;
use crate::secrets;
use crate::state::AppState;
use crate::wire::{self, param};

pub const ACCESS_TOKEN_LIFETIME_MS: i64 = 3_600_000;
/// Zoho keeps at most this many refresh tokens per user and client; a new one evicts the oldest.
pub const MAX_REFRESH_TOKENS: u32 = 20;
/// At most this many access tokens from one refresh token ...
pub const MAX_ACCESS_PER_WINDOW: u64 = 10;
/// ... within this window.
pub const ACCESS_WINDOW_MS: i64 = 10 * 60_000;

/// Zoho's description of the 11th access token of a refresh token within 10 minutes.
pub const TOO_MANY_REQUESTS: &str = "You have made too many requests continuously. Please try again after some time.";

/// An OAuth error as the token endpoint reports it.
#[derive(Debug)]
pub enum OAuthError {
    Code(&'static str),
    /// Zoho's "Access Denied" with a description (rate limits, lock-outs).
    Denied(String),
}

impl OAuthError {
    fn into_response(self) -> Response {
        match self {
            Self::Code(code) => wire::json(StatusCode::OK, &json!({ "error": code })),
            Self::Denied(description) => {
                wire::json(StatusCode::OK, &json!({ "error_description": description, "error": "Access Denied", "status": "failure" }))
            }
        }
    }
}

impl From<anyhow::Error> for OAuthError {
    fn from(err: anyhow::Error) -> Self {
        tracing::error!(error = ?err, "token endpoint failed");
        OAuthError::Code("server_error")
    }
}

fn code(code: &'static str) -> OAuthError {
    OAuthError::Code(code)
}

/// Query-string and form-body parameters together (the body's come last).
pub fn all_params(query: Option<&str>, body: &[u8]) -> Vec<(String, String)> {
    let mut params = wire::pairs(query);
    params.extend(wire::pairs(std::str::from_utf8(body).ok()));
    params
}

/// # POST /oauth/v2/token
pub async fn token(State(state): State<AppState>, RawQuery(query): RawQuery, body: Bytes) -> Response {
    let params = all_params(query.as_deref(), &body);
    let result = match param(&params, "grant_type").unwrap_or("") {
        "authorization_code" => exchange_code(&state, &params).await,
        "refresh_token" => refresh(&state, &params).await,
        "device_token" => super::device::poll(&state, &params).await,
        _ => Err(code("unsupported_grant_type")),
    };
    match result {
        Ok(body) => wire::json(StatusCode::OK, &body),
        Err(err) => err.into_response(),
    }
}

/// Clients that cannot keep a secret, and prove themselves with PKCE instead.
fn is_public(client: &Client) -> bool {
    client.client_type == "mobile"
}

/// The client named by `client_id`, once this data centre serves it and its secret checks out.
/// Public clients may omit the secret (`Ok((client, false))`); the caller then demands PKCE.
pub async fn authenticate_client(state: &AppState, params: &[(String, String)]) -> Result<(Client, bool), OAuthError> {
    let client_id = param(params, "client_id").unwrap_or("");
    let client = state.store.client(client_id).await?.ok_or(code("invalid_client"))?;
    if !client.multi_dc && client.dc != state.config.location {
        return Err(code("invalid_client"));
    }
    let secret = param(params, "client_secret").unwrap_or("");
    if secret.is_empty() && is_public(&client) {
        return Ok((client, false));
    }
    let now = state.now();
    if let Some(until) = state.secret_failures.locked_until(&client.client_id, now) {
        let minutes = minutes_until(until, now);
        return Err(OAuthError::Denied(format!(
            "Too many wrong client secrets for this client. Please try again after {minutes} minutes."
        )));
    }
    if secret.is_empty() || !state.client_secrets.verify(&client, secret).await {
        state.secret_failures.fail(&client.client_id, now);
        return Err(code("invalid_client_secret"));
    }
    Ok((client, true))
}

async fn exchange_code(state: &AppState, params: &[(String, String)]) -> Result<Value, OAuthError> {
    let (client, with_secret) = authenticate_client(state, params).await?;
    let grant_code = param(params, "code").unwrap_or("");
    if grant_code.is_empty() {
        return Err(code("invalid_code"));
    }
    let digest = state.secrets.digest(grant_code);
    let now = state.now();
    // Every check comes before the code is marked used: a code tried at the wrong data centre,
    // with the wrong redirect URI or without its verifier stays good for the right request.
    // Only a code used before is a replay.
    let grant = state.store.code(&digest).await?.filter(|g| g.client_id == client.client_id).ok_or(code("invalid_code"))?;
    if !in_this_data_centre(state, grant.org_id).await? {
        return Err(code("invalid_code"));
    }
    if grant.used_at.is_none() {
        check_code_request(&grant, params, with_secret, now)?;
    }
    let grant = match state.store.consume_code(&digest, &client.client_id, now).await? {
        CodeUse::Fresh(grant) => grant,
        CodeUse::Unknown => return Err(code("invalid_code")),
        CodeUse::Replayed(grant) => {
            // A code seen twice may have been stolen: what it issued is revoked.
            let revoked = state.store.revoke_tokens_of_code(grant.id, now).await?;
            for digest in revoked {
                state.tokens.forget(&digest);
            }
            return Err(code("invalid_code"));
        }
    };
    let issued = Grant {
        client_id: &grant.client_id,
        org_id: grant.org_id,
        account_id: grant.account_id,
        scopes: &grant.scopes,
        code_id: Some(grant.id),
    };
    Ok(issue(state, &issued, grant.offline || grant.kind == "self").await?)
}

/// What an unused code's exchange must carry: the code still alive, the redirect URI it was
/// issued for, and the PKCE verifier when it was requested with a challenge.
fn check_code_request(grant: &GrantCode, params: &[(String, String)], with_secret: bool, now: i64) -> Result<(), OAuthError> {
    if grant.expires_at <= now {
        return Err(code("invalid_code"));
    }
    if let Some(registered) = &grant.redirect_uri {
        if param(params, "redirect_uri") != Some(registered.as_str()) {
            return Err(code("invalid_redirect_uri"));
        }
    }
    match &grant.code_challenge {
        Some(challenge) if !secrets::pkce_s256_matches(param(params, "code_verifier").unwrap_or(""), challenge) => {
            Err(code("invalid_code"))
        }
        Some(_) => Ok(()),
        // A public client without its secret has nothing else to prove itself with.
        None if !with_secret => Err(code("invalid_client_secret")),
        None => Ok(()),
    }
}

/// Is the organization hosted in the data centre this request reached?
pub async fn in_this_data_centre(state: &AppState, org_id: Id) -> anyhow::Result<bool> {
    Ok(state.store.org(org_id).await?.is_some_and(|org| org.dc == state.config.location))
}

/// What a grant (a code or an approved device request) gives tokens for.
pub struct Grant<'a> {
    pub client_id: &'a str,
    pub org_id: Id,
    pub account_id: Id,
    pub scopes: &'a str,
    pub code_id: Option<Id>,
}

/// Issues an access token, and a refresh token when `offline`; answers as the token endpoint.
pub async fn issue(state: &AppState, grant: &Grant<'_>, offline: bool) -> anyhow::Result<Value> {
    let now = state.now();
    let mut body = Map::new();
    let mut refresh_id = None;
    let access = secrets::mint_token();
    let refresh_token = if offline {
        let token = secrets::mint_token();
        let id = state.mint_id();
        refresh_id = Some(id);
        // The 21st refresh token of a user and client evicts the oldest.
        let evicted = state
            .store
            .insert_refresh_token(
                &RefreshToken {
                    id,
                    digest: state.secrets.digest(&token),
                    client_id: grant.client_id.to_string(),
                    org_id: grant.org_id,
                    account_id: grant.account_id,
                    scopes: grant.scopes.to_string(),
                    code_id: grant.code_id,
                    created_time: now,
                    revoked_at: None,
                },
                MAX_REFRESH_TOKENS,
                now,
            )
            .await?;
        for evicted in evicted {
            state.tokens.forget_refresh(evicted);
        }
        Some(token)
    } else {
        None
    };
    state
        .store
        .insert_access_token(&AccessToken {
            id: state.mint_id(),
            digest: state.secrets.digest(&access),
            refresh_id,
            code_id: grant.code_id,
            client_id: grant.client_id.to_string(),
            org_id: grant.org_id,
            account_id: grant.account_id,
            scopes: grant.scopes.to_string(),
            created_time: now,
            expires_at: now + ACCESS_TOKEN_LIFETIME_MS,
            revoked_at: None,
        })
        .await?;
    body.insert("access_token".into(), access.into());
    if let Some(token) = refresh_token {
        body.insert("refresh_token".into(), token.into());
    }
    body.insert("api_domain".into(), state.config.api_domain().into());
    body.insert("token_type".into(), "Bearer".into());
    body.insert("expires_in".into(), (ACCESS_TOKEN_LIFETIME_MS / 1000).into());
    Ok(Value::Object(body))
}

async fn refresh(state: &AppState, params: &[(String, String)]) -> Result<Value, OAuthError> {
    let (client, with_secret) = authenticate_client(state, params).await?;
    if !with_secret {
        return Err(code("invalid_client_secret"));
    }
    let token = param(params, "refresh_token").unwrap_or("");
    let row = state.store.refresh_token(&state.secrets.digest(token)).await?;
    let row = row.filter(|r| r.revoked_at.is_none() && r.client_id == client.client_id).ok_or(code("invalid_code"))?;
    if !in_this_data_centre(state, row.org_id).await? {
        return Err(code("invalid_code"));
    }
    let now = state.now();
    let access = secrets::mint_token();
    let token = AccessToken {
        id: state.mint_id(),
        digest: state.secrets.digest(&access),
        refresh_id: Some(row.id),
        code_id: None,
        client_id: client.client_id.clone(),
        org_id: row.org_id,
        account_id: row.account_id,
        scopes: row.scopes.clone(),
        created_time: now,
        expires_at: now + ACCESS_TOKEN_LIFETIME_MS,
        revoked_at: None,
    };
    match state.store.insert_refreshed_access_token(&token, now - ACCESS_WINDOW_MS, MAX_ACCESS_PER_WINDOW).await? {
        Refreshed::Minted => {}
        Refreshed::Revoked => return Err(code("invalid_code")),
        Refreshed::TooMany => return Err(OAuthError::Denied(TOO_MANY_REQUESTS.into())),
    }
    Ok(json!({
        "access_token": access,
        "api_domain": state.config.api_domain(),
        "token_type": "Bearer",
        "expires_in": ACCESS_TOKEN_LIFETIME_MS / 1000,
    }))
}

/// # POST /oauth/v2/token/revoke?token=
///
/// Revokes a refresh token (and every access token minted from it) or an access token.
pub async fn revoke(State(state): State<AppState>, RawQuery(query): RawQuery, body: Bytes) -> Response {
    let params = all_params(query.as_deref(), &body);
    let token = param(&params, "token").unwrap_or("");
    match revoke_token(&state, token).await {
        Ok(true) => wire::json(StatusCode::OK, &json!({"status": "success"})),
        Ok(false) => wire::json(StatusCode::BAD_REQUEST, &json!({"status": "failure", "error": "invalid_token"})),
        Err(err) => {
            tracing::error!(error = ?err, "revoke failed");
            wire::json(StatusCode::INTERNAL_SERVER_ERROR, &json!({"status": "failure", "error": "server_error"}))
        }
    }
}

/// Revokes whichever kind of token `token` is; false when it is neither (or already revoked).
pub async fn revoke_token(state: &AppState, token: &str) -> anyhow::Result<bool> {
    if token.is_empty() {
        return Ok(false);
    }
    let digest = state.secrets.digest(token);
    let now = state.now();
    if let Some(refresh) = state.store.refresh_token(&digest).await? {
        let revoked = state.store.revoke_refresh_token(&digest, now).await?;
        state.tokens.forget_refresh(refresh.id);
        return Ok(revoked);
    }
    let revoked = state.store.revoke_access_token(&digest, now).await?;
    state.tokens.forget(&digest);
    Ok(revoked)
}
