//! Shared helpers for answering on the wire: JSON with Bigin's content type, and query strings
//! parsed without ever rejecting a request.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

pub const JSON_UTF8: &str = "application/json;charset=utf-8";

/// A JSON answer with Bigin's `Content-Type`.
pub fn json<T: Serialize>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (status, [(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8))], bytes).into_response(),
        Err(err) => {
            tracing::error!(%err, "serialising a response failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Query or form pairs, in order; malformed input yields what could be read.
pub fn pairs(text: Option<&str>) -> Vec<(String, String)> {
    text.map(|t| serde_urlencoded::from_str::<Vec<(String, String)>>(t).unwrap_or_default()).unwrap_or_default()
}

/// The first value of `name` among `pairs`.
pub fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// 204 with an empty body: Bigin's answer when a read finds nothing.
pub fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

/// 304 with an empty body: nothing changed since `If-Modified-Since`.
pub fn not_modified() -> Response {
    StatusCode::NOT_MODIFIED.into_response()
}
