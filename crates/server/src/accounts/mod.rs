//! The Zoho-Accounts-compatible authorization server: the token, revoke and authorization
//! endpoints, and the pages a person signs in and consents on.

mod authorize;
pub mod client_secrets;
mod device;
pub mod pages;
pub mod session;
mod signin;
pub mod throttle;
mod token;

use axum::http::{header, HeaderValue};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

pub use token::revoke_token;

pub fn routes() -> Router<AppState> {
    let pages = Router::new()
        .route("/", get(signin::home))
        .route("/signin", get(signin::signin_page).post(signin::signin_submit))
        .route("/signout", post(signin::signout))
        .route("/oauth/v2/auth", get(authorize::authorize_page).post(authorize::authorize_submit))
        .route("/oauth/v3/device", get(device::verification_page).post(device::verification_submit))
        .route("/oauth/v3/device/approve", post(device::approve))
        .layer(axum::middleware::map_response(page_headers));
    let endpoints = Router::new()
        .route("/oauth/v2/token", post(token::token))
        .route("/oauth/v2/token/revoke", post(token::revoke))
        .route("/oauth/v3/device/code", post(device::device_code))
        .route("/oauth/v3/device/token", post(token::token))
        .layer(axum::middleware::map_response(no_store));
    pages.merge(endpoints)
}

/// Pages may not be framed (clickjacking), sniffed, or leak codes through the referrer.
async fn page_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("frame-ancestors 'none'; form-action 'self' http: https:"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Token answers must not be cached.
async fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
