//! The Bigin REST API v2 (`/bigin/v2/...`). Every handler takes an [`auth::Api`] extractor, which
//! authenticates the token and checks the route's scope rule: a handler without one has no
//! organization to work on, so a route cannot skip the scope check by mistake.

pub mod auth;
mod body;
mod error;
mod org;
mod records;
mod settings;
mod users;

use axum::http::Method;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

pub use error::ApiError;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    let api = Router::new()
        .route("/org", get(org::get_org))
        .route("/users", get(users::list_users))
        .route("/users/{user_id}", get(users::get_user))
        .route("/settings/modules", get(settings::list_modules))
        .route("/settings/modules/{module}", get(settings::get_module))
        .route(
            "/{module}",
            get(records::list_records).post(records::insert_records).put(records::update_records).delete(records::delete_records),
        )
        .route("/{module}/{record_id}", get(records::get_record).put(records::update_record).delete(records::delete_record))
        .method_not_allowed_fallback(method_not_allowed);
    Router::new().nest("/bigin/v2", api)
}

/// Any path nothing else answers: Bigin's `INVALID_URL_PATTERN`.
pub async fn unknown_path() -> Response {
    ApiError::invalid_url_pattern().into()
}

async fn method_not_allowed(method: Method) -> Response {
    tracing::debug!(%method, "method not allowed");
    ApiError::new(crm::ErrorCode::InvalidRequestMethod).into()
}
