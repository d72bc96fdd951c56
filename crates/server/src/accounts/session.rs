//! Browser sessions and CSRF protection for the pages. The session cookie holds a random value
//! whose keyed digest is stored; forms carry a CSRF token that must equal the `HttpOnly`
//! `bb_csrf` cookie (double submit), compared in constant time.

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;
use store::Account;

use crate::secrets;
use crate::state::AppState;

const SESSION_COOKIE: &str = "bb_session";
const CSRF_COOKIE: &str = "bb_csrf";
const SESSION_LIFETIME_MS: i64 = 7 * 24 * 3_600_000;

/// The value of cookie `name`, if the request has it.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn cookie_header(state: &AppState, name: &str, value: &str, max_age_s: i64) -> HeaderValue {
    let secure = if state.config.public_url.starts_with("https://") { "; Secure" } else { "" };
    let text = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_s}{secure}");
    HeaderValue::from_str(&text).expect("cookie values are hex")
}

/// The CSRF token a page's forms carry: the request's cookie, or a new one to set.
pub struct Csrf {
    pub token: String,
    is_new: bool,
}

impl Csrf {
    pub fn for_request(headers: &HeaderMap) -> Self {
        match cookie(headers, CSRF_COOKIE).filter(|v| v.len() == 48) {
            Some(token) => Self { token: token.to_string(), is_new: false },
            None => Self { token: secrets::mint_opaque(), is_new: true },
        }
    }

    /// Adds the cookie to a response when the request had none.
    pub fn attach(&self, state: &AppState, mut response: Response) -> Response {
        if self.is_new {
            response.headers_mut().append(header::SET_COOKIE, cookie_header(state, CSRF_COOKIE, &self.token, SESSION_LIFETIME_MS / 1000));
        }
        response
    }
}

/// Does the form's token match the cookie?
pub fn csrf_ok(headers: &HeaderMap, submitted: Option<&str>) -> bool {
    match (cookie(headers, CSRF_COOKIE), submitted) {
        (Some(cookie), Some(form)) if !cookie.is_empty() => secrets::constant_time_eq(cookie.as_bytes(), form.as_bytes()),
        _ => false,
    }
}

/// The signed-in account, if the session cookie names a live session.
pub async fn current_account(state: &AppState, headers: &HeaderMap) -> anyhow::Result<Option<Account>> {
    let Some(value) = cookie(headers, SESSION_COOKIE) else { return Ok(None) };
    let Some(session) = state.store.session(&state.secrets.digest(value)).await? else { return Ok(None) };
    if session.expires_at <= state.now() {
        return Ok(None);
    }
    state.store.account(session.account_id).await
}

/// Starts a session for `account_id`; returns the `Set-Cookie` value.
pub async fn start(state: &AppState, account_id: crm::Id) -> anyhow::Result<HeaderValue> {
    let value = secrets::mint_opaque();
    let now = state.now();
    let session =
        store::Session { digest: state.secrets.digest(&value), account_id, created_time: now, expires_at: now + SESSION_LIFETIME_MS };
    state.store.create_session(&session).await?;
    Ok(cookie_header(state, SESSION_COOKIE, &value, SESSION_LIFETIME_MS / 1000))
}

/// Ends the request's session; returns the `Set-Cookie` value that clears the cookie.
pub async fn end(state: &AppState, headers: &HeaderMap) -> anyhow::Result<HeaderValue> {
    if let Some(value) = cookie(headers, SESSION_COOKIE) {
        state.store.delete_session(&state.secrets.digest(value)).await?;
    }
    Ok(cookie_header(state, SESSION_COOKIE, "", 0))
}

/// A `next` target that stays on this server: a path, never `//host` or a backslash trick.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && !n.chars().any(char::is_control) => n.to_string(),
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_never_leaves_the_server() {
        assert_eq!(safe_next(Some("/oauth/v2/auth?x=1")), "/oauth/v2/auth?x=1");
        for evil in ["https://evil.example", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "/\nx"] {
            assert_eq!(safe_next(Some(evil)), "/", "{evil:?}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn cookies_are_found_by_name() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("a=1; bb_csrf=xyz; b=2"));
        assert_eq!(cookie(&headers, "bb_csrf"), Some("xyz"));
        assert!(csrf_ok(&headers, Some("xyz")));
        assert!(!csrf_ok(&headers, Some("xyw")));
        assert!(!csrf_ok(&headers, None));
    }
}
