//! The Zoho-Accounts-compatible authorization server: the token, revoke and authorization
//! endpoints, and the pages a person signs in and consents on.

mod authorize;
pub mod client_secrets;
mod console;
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
        .route("/signup", get(console::signup_page).post(console::signup_submit))
        .route("/console", get(console::console_home))
        .route("/console/org", post(console::switch_org))
        .route("/console/clients", post(console::create_client))
        .route("/console/clients/new", get(console::new_client_page))
        .route("/console/clients/{client_id}", get(console::client_details))
        .route("/console/clients/{client_id}/edit", get(console::edit_client_page).post(console::edit_client))
        .route("/console/clients/{client_id}/secret", post(console::regenerate_secret))
        .route("/console/clients/{client_id}/delete", post(console::delete_client))
        .route("/console/clients/{client_id}/code", post(console::generate_code))
        .route("/console/connected-apps", get(console::connected_apps))
        .route("/console/connected-apps/{id}/revoke", post(console::revoke_connected_app))
        .route("/console/fields", get(console::fields).post(console::add_field))
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
