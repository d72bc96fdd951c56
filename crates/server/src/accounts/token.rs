//! `POST /oauth/v2/token` (authorization-code and refresh grants) and
//! `POST /oauth/v2/token/revoke`, answering as Zoho Accounts does: OAuth errors are HTTP 200
//! with `{"error":"<code>"}`; parameters may come in the form body or the query string.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use crm::scopes::ScopeSet;
use serde_json::{json, Map, Value};
use store::{AccessToken, Client, CodeUse, GrantCode, RefreshToken};

use crate::secrets;
use crate::state::AppState;
use crate::wire::{self, param};

pub const ACCESS_TOKEN_LIFETIME_MS: i64 = 3_600_000;

/// An OAuth error as the token endpoint reports it.
#[derive(Debug)]
pub struct OAuthError(pub &'static str);

impl OAuthError {
    fn into_response(self) -> Response {
        wire::json(StatusCode::OK, &json!({ "error": self.0 }))
    }
}

impl From<anyhow::Error> for OAuthError {
    fn from(err: anyhow::Error) -> Self {
        tracing::error!(error = ?err, "token endpoint failed");
        OAuthError("server_error")
    }
}

/// Query-string and form-body parameters together (the body's come last).
fn all_params(query: Option<&str>, body: &[u8]) -> Vec<(String, String)> {
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
        _ => Err(OAuthError("unsupported_grant_type")),
    };
    match result {
        Ok(body) => wire::json(StatusCode::OK, &body),
        Err(err) => err.into_response(),
    }
}

/// The client named by `client_id`, once its `client_secret` checks out.
async fn authenticate_client(state: &AppState, params: &[(String, String)]) -> Result<Client, OAuthError> {
    let client_id = param(params, "client_id").unwrap_or("");
    let client = state.store.client(client_id).await?.ok_or(OAuthError("invalid_client"))?;
    let secret = param(params, "client_secret").unwrap_or("");
    if secret.is_empty() || !state.client_secrets.verify(&client, secret) {
        return Err(OAuthError("invalid_client_secret"));
    }
    Ok(client)
}

async fn exchange_code(state: &AppState, params: &[(String, String)]) -> Result<Value, OAuthError> {
    let client = authenticate_client(state, params).await?;
    let code = param(params, "code").unwrap_or("");
    if code.is_empty() {
        return Err(OAuthError("invalid_code"));
    }
    let now = state.now();
    let grant = match state.store.consume_code(&state.secrets.digest(code), &client.client_id, now).await? {
        CodeUse::Fresh(grant) => grant,
        CodeUse::Unknown => return Err(OAuthError("invalid_code")),
        CodeUse::Replayed(grant) => {
            // A code seen twice may have been stolen: what it issued is revoked.
            let revoked = state.store.revoke_tokens_of_code(grant.id, now).await?;
            for digest in revoked {
                state.tokens.forget(&digest);
            }
            return Err(OAuthError("invalid_code"));
        }
    };
    if grant.expires_at <= now {
        return Err(OAuthError("invalid_code"));
    }
    if let Some(registered) = &grant.redirect_uri {
        if param(params, "redirect_uri") != Some(registered.as_str()) {
            return Err(OAuthError("invalid_redirect_uri"));
        }
    }
    if let Some(challenge) = &grant.code_challenge {
        let verifier = param(params, "code_verifier").unwrap_or("");
        if !secrets::pkce_s256_matches(verifier, challenge) {
            return Err(OAuthError("invalid_code"));
        }
    }
    Ok(issue_for_code(state, &grant).await?)
}

/// Issues the tokens a fresh grant code earns: an access token, and a refresh token for
/// `access_type=offline` and Self Client codes.
pub async fn issue_for_code(state: &AppState, grant: &GrantCode) -> anyhow::Result<Value> {
    let now = state.now();
    let mut body = Map::new();
    let mut refresh_id = None;
    let access = secrets::mint_token();
    let refresh_token = if grant.offline || grant.kind == "self" {
        let token = secrets::mint_token();
        let id = state.mint_id();
        refresh_id = Some(id);
        state
            .store
            .insert_refresh_token(&RefreshToken {
                id,
                digest: state.secrets.digest(&token),
                client_id: grant.client_id.clone(),
                org_id: grant.org_id,
                account_id: grant.account_id,
                scopes: grant.scopes.clone(),
                code_id: Some(grant.id),
                created_time: now,
                revoked_at: None,
            })
            .await?;
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
            code_id: Some(grant.id),
            client_id: grant.client_id.clone(),
            org_id: grant.org_id,
            account_id: grant.account_id,
            scopes: grant.scopes.clone(),
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
    let client = authenticate_client(state, params).await?;
    let token = param(params, "refresh_token").unwrap_or("");
    let row = state.store.refresh_token(&state.secrets.digest(token)).await?;
    let row = row.filter(|r| r.revoked_at.is_none() && r.client_id == client.client_id).ok_or(OAuthError("invalid_code"))?;
    // The grant's scopes were validated when the code was made; re-parse to keep them canonical.
    let scopes = ScopeSet::parse(&row.scopes).map(|s| s.to_string()).unwrap_or(row.scopes.clone());
    let now = state.now();
    let access = secrets::mint_token();
    state
        .store
        .insert_access_token(&AccessToken {
            id: state.mint_id(),
            digest: state.secrets.digest(&access),
            refresh_id: Some(row.id),
            code_id: None,
            client_id: client.client_id.clone(),
            org_id: row.org_id,
            account_id: row.account_id,
            scopes,
            created_time: now,
            expires_at: now + ACCESS_TOKEN_LIFETIME_MS,
            revoked_at: None,
        })
        .await?;
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
