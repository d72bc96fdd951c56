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
use axum::routing::MethodRouter;
use axum::Router;

pub use error::ApiError;

use crate::state::AppState;

/// One API route: its method, its path under `/bigin/v2`, and the scope rule its handler's
/// `Api<R>` checks (in words, for the route table's readers and the scope test).
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub rule: &'static str,
}

/// Every API route with its handler. The router is built from this table only, and the scope
/// test walks it: a route added here without a scope case fails that test.
fn table() -> Vec<(Route, MethodRouter<AppState>)> {
    use axum::routing::{delete, get, post, put};
    let r =
        |method: Method, path: &'static str, rule: &'static str, handler: MethodRouter<AppState>| (Route { method, path, rule }, handler);
    vec![
        r(Method::GET, "/org", "OrgRead: org.READ", get(org::get_org)),
        r(Method::GET, "/users", "UsersRead: users.READ", get(users::list_users)),
        r(Method::POST, "/users", "UsersWrite<Create>: users.CREATE", post(users::add_users)),
        r(Method::PUT, "/users", "UsersWrite<Update>: users.UPDATE", put(users::update_users)),
        r(Method::GET, "/users/{user_id}", "UsersRead: users.READ", get(users::get_user)),
        r(Method::PUT, "/users/{user_id}", "UsersWrite<Update>: users.UPDATE", put(users::update_user)),
        r(Method::DELETE, "/users/{user_id}", "UsersWrite<Delete>: users.DELETE", delete(users::delete_user)),
        r(Method::GET, "/settings/modules", "SettingsRead<ModulesArea>: settings.modules.READ", get(settings::list_modules)),
        r(Method::GET, "/settings/modules/{module}", "SettingsRead<ModulesArea>: settings.modules.READ", get(settings::get_module)),
        r(Method::GET, "/settings/fields", "SettingsRead<FieldsArea>: settings.fields.READ", get(settings::list_fields)),
        r(Method::GET, "/settings/fields/{id}", "SettingsRead<FieldsArea>: settings.fields.READ", get(settings::get_field)),
        r(Method::GET, "/settings/layouts", "SettingsRead<LayoutsArea>: settings.layouts.READ", get(settings::list_layouts)),
        r(Method::GET, "/settings/layouts/{id}", "SettingsRead<LayoutsArea>: settings.layouts.READ", get(settings::get_layout)),
        r(
            Method::GET,
            "/settings/custom_views",
            "SettingsRead<CustomViewsArea>: settings.custom_views.READ",
            get(settings::list_custom_views),
        ),
        r(
            Method::GET,
            "/settings/custom_views/{id}",
            "SettingsRead<CustomViewsArea>: settings.custom_views.READ",
            get(settings::get_custom_view),
        ),
        r(
            Method::GET,
            "/settings/related_lists",
            "SettingsRead<RelatedListsArea>: settings.related_lists.READ",
            get(settings::list_related_lists),
        ),
        r(Method::GET, "/settings/roles", "SettingsRead<RolesArea>: settings.roles.READ", get(settings::list_roles)),
        r(Method::GET, "/settings/profiles", "SettingsRead<ProfilesArea>: settings.profiles.READ", get(settings::list_profiles)),
        r(Method::GET, "/{module}", "Records<Read>: modules.{module}.READ", get(records::list_records)),
        r(Method::POST, "/{module}", "Records<Create>: modules.{module}.CREATE", post(records::insert_records)),
        r(Method::PUT, "/{module}", "Records<Update>: modules.{module}.UPDATE", put(records::update_records)),
        r(Method::DELETE, "/{module}", "Records<Delete>: modules.{module}.DELETE", delete(records::delete_records)),
        r(Method::POST, "/coql", "Coql: coql.READ, then the read scope of the module queried", post(coql::coql_query)),
        r(Method::GET, "/{module}/search", "Search: modules.{module}.READ and ZohoSearch.securesearch.READ", get(records::search_records)),
        r(Method::POST, "/{module}/upsert", "Upsert: modules.{module}.CREATE and UPDATE", post(records::upsert_records)),
        r(Method::GET, "/{module}/deleted", "Records<Read>: modules.{module}.READ", get(records::deleted_records)),
        r(Method::GET, "/{module}/actions/count", "Records<Read>: modules.{module}.READ", get(records::count_records)),
        r(Method::POST, "/{module}/actions/change_owner", "ChangeOwner: change_owner.CREATE", post(records::change_owner_many)),
        r(Method::GET, "/{module}/{record_id}", "Records<Read>: modules.{module}.READ", get(records::get_record)),
        r(Method::PUT, "/{module}/{record_id}", "Records<Update>: modules.{module}.UPDATE", put(records::update_record)),
        r(Method::DELETE, "/{module}/{record_id}", "Records<Delete>: modules.{module}.DELETE", delete(records::delete_record)),
        r(Method::POST, "/{module}/{record_id}/actions/change_owner", "ChangeOwner: change_owner.CREATE", post(records::change_owner_one)),
        r(Method::GET, "/{module}/{record_id}/{related}", "Related<Read>: modules.{module}.READ (+ notes)", get(records::get_related)),
        r(Method::PUT, "/{module}/{record_id}/{related}", "Related<Update>: modules.{module}.UPDATE (+ notes)", put(records::link_related)),
        r(
            Method::DELETE,
            "/{module}/{record_id}/{related}",
            "Related<Delink>: modules.{module}.DELETE or WRITE (+ notes)",
            delete(records::delink_related),
        ),
        r(
            Method::POST,
            "/{module}/{record_id}/{related}",
            "Related<Create>: modules.{module}.CREATE and notes",
            post(records::create_notes),
        ),
        r(
            Method::PUT,
            "/{module}/{record_id}/{related}/{related_id}",
            "Related<Update>: modules.{module}.UPDATE and notes",
            put(records::update_note),
        ),
        r(
            Method::DELETE,
            "/{module}/{record_id}/{related}/{related_id}",
            "Related<Delink>: modules.{module}.DELETE or WRITE (+ notes)",
            delete(records::delink_related_one),
        ),
    ]
}

/// The API's routes as data, in the table's order.
pub fn route_table() -> Vec<Route> {
    table().into_iter().map(|(route, _)| route).collect()
}

pub fn routes() -> Router<AppState> {
    let mut api = Router::new();
    for (route, handler) in table() {
        api = api.route(route.path, handler);
    }
    let api = api.method_not_allowed_fallback(method_not_allowed).layer(axum::middleware::from_fn(server_timing));
    Router::new().nest("/bigin/v2", api)
}

/// `Server-Timing: app;dur=<ms>` on every API answer: the time the server spent on the request
/// (authentication, the handler, the store), which benchmarks read to leave the network out.
async fn server_timing(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let started = std::time::Instant::now();
    let mut response = next.run(req).await;
    // Milliseconds with three decimals, from whole microseconds: formatting a float showed in
    // profiles of a GET.
    let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    // Written on the stack: a `String` per answer showed too.
    let mut text = [0u8; 40];
    let mut cursor = std::io::Cursor::new(&mut text[..]);
    if std::io::Write::write_fmt(&mut cursor, format_args!("app;dur={}.{:03}", micros / 1000, micros % 1000)).is_ok() {
        let len = cursor.position() as usize;
        if let Ok(value) = axum::http::HeaderValue::from_bytes(&text[..len]) {
            response.headers_mut().insert("server-timing", value);
        }
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
