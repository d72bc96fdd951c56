//! The Bigin REST API v2 (`/bigin/v2/...`). Every handler takes an [`auth::Api`] extractor, which
//! authenticates the token and checks the route's scope rule: a handler without one has no
//! organization to work on, so a route cannot skip the scope check by mistake.

pub mod auth;
mod body;
mod coql;
mod error;
mod org;
mod records;
mod settings;
mod users;

use axum::http::Method;
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::Router;

pub use error::ApiError;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    let api = Router::new()
        .route("/org", get(org::get_org))
        .route("/users", get(users::list_users).post(users::add_users).put(users::update_users))
        .route("/users/{user_id}", get(users::get_user).put(users::update_user).delete(users::delete_user))
        .route("/settings/modules", get(settings::list_modules))
        .route("/settings/modules/{module}", get(settings::get_module))
        .route("/settings/fields", get(settings::list_fields))
        .route("/settings/fields/{id}", get(settings::get_field))
        .route("/settings/layouts", get(settings::list_layouts))
        .route("/settings/layouts/{id}", get(settings::get_layout))
        .route("/settings/custom_views", get(settings::list_custom_views))
        .route("/settings/custom_views/{id}", get(settings::get_custom_view))
        .route("/settings/related_lists", get(settings::list_related_lists))
        .route("/settings/roles", get(settings::list_roles))
        .route("/settings/profiles", get(settings::list_profiles))
        .route(
            "/{module}",
            get(records::list_records).post(records::insert_records).put(records::update_records).delete(records::delete_records),
        )
        .route("/coql", post(coql::coql_query))
        .route("/{module}/search", get(records::search_records))
        .route("/{module}/upsert", post(records::upsert_records))
        .route("/{module}/deleted", get(records::deleted_records))
        .route("/{module}/actions/count", get(records::count_records))
        .route("/{module}/actions/change_owner", post(records::change_owner_many))
        .route("/{module}/{record_id}", get(records::get_record).put(records::update_record).delete(records::delete_record))
        .route("/{module}/{record_id}/actions/change_owner", post(records::change_owner_one))
        .route(
            "/{module}/{record_id}/{related}",
            get(records::get_related).put(records::link_related).delete(records::delink_related).post(records::create_notes),
        )
        .route("/{module}/{record_id}/{related}/{related_id}", put(records::update_note).delete(records::delink_related_one))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(server_timing));
    Router::new().nest("/bigin/v2", api)
}

/// `Server-Timing: app;dur=<ms>` on every API answer: the time the server spent on the request
/// (authentication, the handler, the store), which benchmarks read to leave the network out.
async fn server_timing(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let started = std::time::Instant::now();
    let mut response = next.run(req).await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if let Ok(value) = axum::http::HeaderValue::from_str(&format!("app;dur={ms:.3}")) {
        response.headers_mut().insert("server-timing", value);
    }
    response
}

/// Any path nothing else answers: Bigin's `INVALID_URL_PATTERN`.
pub async fn unknown_path() -> Response {
    ApiError::invalid_url_pattern().into()
}

async fn method_not_allowed(method: Method) -> Response {
    tracing::debug!(%method, "method not allowed");
    ApiError::new(crm::ErrorCode::InvalidRequestMethod).into()
}
