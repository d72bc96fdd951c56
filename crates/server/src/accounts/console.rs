//! The API console and the account pages: sign up, the client list, registering and editing
//! clients of every type, regenerating secrets, Self Client "Generate Code" with a JSON download,
//! connected apps, custom fields, and the organization switcher. Server-rendered, no JavaScript.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{context, Value};
use serde::Serialize;
use store::{Account, Client, Org};

use super::authorize::server_error;
use super::session::{self, cookie, Csrf};
use crate::provision::{self, client_type_label, NewClient, NewField, ProvisionError, CLIENT_TYPES, SELF_CODE_MINUTES};
use crate::state::AppState;
use crate::wire::{self, param};

const ORG_COOKIE: &str = "bb_org";

#[derive(Serialize, Clone)]
struct OrgView {
    id: String,
    name: String,
    location: String,
}

impl From<&Org> for OrgView {
    fn from(org: &Org) -> Self {
        Self { id: org.id.to_string(), name: org.company_name.clone(), location: org.dc.clone() }
    }
}

/// A signed-in person and the organizations they can switch between.
struct Signed {
    account: Account,
    orgs: Vec<Org>,
    /// Index into `orgs` of the organization the console works on.
    current: Option<usize>,
}

impl Signed {
    fn current_org(&self) -> Option<&Org> {
        self.current.map(|i| &self.orgs[i])
    }
}

/// The signed-in person, or the redirect to the sign-in page that comes back to `here`.
async fn signed_in(state: &AppState, headers: &HeaderMap, here: &str) -> Result<Signed, Response> {
    let account = match session::current_account(state, headers).await {
        Ok(Some(account)) => account,
        Ok(None) => {
            return Err(Redirect::to(&format!(
                "/signin?next={}",
                url::form_urlencoded::byte_serialize(here.as_bytes()).collect::<String>()
            ))
            .into_response())
        }
        Err(err) => return Err(server_error(state, err)),
    };
    let orgs = state.store.orgs_of_account(account.id).await.map_err(|e| server_error(state, e))?;
    let chosen = cookie(headers, ORG_COOKIE).and_then(|id| orgs.iter().position(|o| o.id.to_string() == id));
    let current = chosen.or(if orgs.is_empty() { None } else { Some(0) });
    Ok(Signed { account, orgs, current })
}

/// A console page: the person signed in (else the sign-in redirect) and the CSRF token its forms
/// carry.
async fn viewed(state: &AppState, headers: &HeaderMap, here: &str) -> Result<(Signed, Csrf), Response> {
    let signed = signed_in(state, headers, here).await?;
    Ok((signed, Csrf::for_request(headers)))
}

/// A console form post: the CSRF token checked first, then the person signed in; with the
/// form's fields.
async fn posted(
    state: &AppState,
    headers: &HeaderMap,
    body: &Bytes,
    here: &str,
) -> Result<(Signed, Vec<(String, String)>, Csrf), Response> {
    let params = form(body);
    if !session::csrf_ok(headers, param(&params, "csrf_token")) {
        return Err(refused(state));
    }
    let signed = signed_in(state, headers, here).await?;
    Ok((signed, params, Csrf::for_request(headers)))
}

/// The context every console page shares; `extra` adds the page's own.
fn page_context(signed: &Signed, csrf: &Csrf, tab: &str, extra: Value) -> Value {
    let orgs: Vec<OrgView> = signed.orgs.iter().map(OrgView::from).collect();
    let current_org = signed.current_org().map(OrgView::from);
    let account = context! { email => &signed.account.email, first_name => &signed.account.first_name };
    context! { csrf => &csrf.token, account, orgs, current_org, tab, wide => true, ..extra }
}

fn render(state: &AppState, csrf: &Csrf, status: StatusCode, template: &str, context: Value) -> Response {
    csrf.attach(state, state.pages.render(status, template, context))
}

fn refused(state: &AppState) -> Response {
    state.pages.message(
        StatusCode::FORBIDDEN,
        "Request refused",
        "The form expired or did not come from this site (CSRF check failed). Go back and try again.",
    )
}

fn form(body: &Bytes) -> Vec<(String, String)> {
    wire::pairs(std::str::from_utf8(body).ok())
}

// ---- Sign up ---------------------------------------------------------------------------------

/// # GET /signup
pub async fn signup_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let csrf = Csrf::for_request(&headers);
    render(&state, &csrf, StatusCode::OK, "signup.html", context! { csrf => &csrf.token, form => context! {}, error => "" })
}

/// # POST /signup: creates the account and its first organization, and signs in.
pub async fn signup_submit(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let params = form(&body);
    if !session::csrf_ok(&headers, param(&params, "csrf_token")) {
        return refused(&state);
    }
    let csrf = Csrf::for_request(&headers);
    let get = |k: &str| param(&params, k).unwrap_or("").trim().to_string();
    let (first, last, email, org_name) = (get("first_name"), get("last_name"), get("email"), get("org_name"));
    let time_zone = Some(get("time_zone")).filter(|t| !t.is_empty()).unwrap_or_else(|| "UTC".into());
    let password = param(&params, "password").unwrap_or("");
    match provision::sign_up(&state, &first, &last, &email, password, &org_name, &time_zone).await {
        Ok(_) => {
            let account = match state.store.account_by_email(&email).await {
                Ok(Some(account)) => account,
                Ok(None) => return server_error(&state, anyhow::anyhow!("the account just created is missing")),
                Err(err) => return server_error(&state, err),
            };
            match session::start(&state, account.id).await {
                Ok(cookie) => {
                    let mut response = Redirect::to("/console").into_response();
                    response.headers_mut().append(header::SET_COOKIE, cookie);
                    response
                }
                Err(err) => server_error(&state, err),
            }
        }
        Err(ProvisionError::Invalid(message)) => {
            let form = context! { first_name => first, last_name => last, email, org_name, time_zone };
            render(&state, &csrf, StatusCode::BAD_REQUEST, "signup.html", context! { csrf => &csrf.token, form, error => message })
        }
        Err(ProvisionError::Store(err)) => server_error(&state, err),
    }
}

/// # POST /console/org: the organization switcher.
pub async fn switch_org(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let (signed, params, _) = match posted(&state, &headers, &body, "/console").await {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    let Some(org) = param(&params, "org_id").and_then(|id| signed.orgs.iter().find(|o| o.id.to_string() == id)) else {
        return state.pages.message(StatusCode::BAD_REQUEST, "Pick an organization", "The organization chosen is not one of yours.");
    };
    let mut response = Redirect::to("/console").into_response();
    let value = format!("{ORG_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax", org.id);
    response.headers_mut().append(header::SET_COOKIE, HeaderValue::from_str(&value).expect("ids are digits"));
    response
}

// ---- Clients ---------------------------------------------------------------------------------

#[derive(Serialize)]
struct ClientView {
    client_id: String,
    client_type: String,
    type_label: &'static str,
    name: String,
    homepage: Option<String>,
    redirect_uris: Vec<String>,
    js_domains: Vec<String>,
    multi_dc: bool,
    dc: String,
}

impl From<&Client> for ClientView {
    fn from(c: &Client) -> Self {
        Self {
            client_id: c.client_id.clone(),
            client_type: c.client_type.clone(),
            type_label: client_type_label(&c.client_type),
            name: c.name.clone(),
            homepage: c.homepage.clone(),
            redirect_uris: c.redirect_uris.clone(),
            js_domains: c.js_domains.clone(),
            multi_dc: c.multi_dc,
            dc: c.dc.clone(),
        }
    }
}

/// # GET /console: the client list.
pub async fn console_home(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let (signed, csrf) = match viewed(&state, &headers, "/console").await {
        Ok(viewed) => viewed,
        Err(response) => return response,
    };
    let clients = match state.store.clients_of_owner(signed.account.id).await {
        Ok(clients) => clients,
        Err(err) => return server_error(&state, err),
    };
    let clients: Vec<ClientView> = clients.iter().map(ClientView::from).collect();
    let types: Vec<(&str, &str)> = CLIENT_TYPES.iter().map(|t| (*t, client_type_label(t))).collect();
    let context = page_context(&signed, &csrf, "clients", context! { clients, types });
    render(&state, &csrf, StatusCode::OK, "console.html", context)
}

/// The client `client_id` when the signed-in person owns it.
async fn owned_client(state: &AppState, signed: &Signed, client_id: &str) -> Result<Client, Response> {
    match state.store.client(client_id).await {
        Ok(Some(client)) if client.owner_account_id == signed.account.id => Ok(client),
        Ok(_) => Err(state.pages.message(StatusCode::NOT_FOUND, "No such client", "You have no client with this id.")),
        Err(err) => Err(server_error(state, err)),
    }
}

/// The client form's fields as submitted.
struct SubmittedClient {
    name: String,
    homepage: String,
    redirect_uris: Vec<String>,
    js_domains: Vec<String>,
    multi_dc: bool,
}

impl SubmittedClient {
    fn read(params: &[(String, String)]) -> Self {
        let get = |k: &str| param(params, k).unwrap_or("").to_string();
        Self {
            name: get("name"),
            homepage: get("homepage"),
            redirect_uris: get("redirect_uris").lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect(),
            js_domains: Some(get("js_domain")).filter(|d| !d.trim().is_empty()).into_iter().collect(),
            multi_dc: param(params, "multi_dc") == Some("on"),
        }
    }

    fn context(&self) -> Value {
        context! { name => &self.name, homepage => &self.homepage, redirect_uris => self.redirect_uris.join("\n"), js_domain => self.js_domains.first(), multi_dc => self.multi_dc }
    }
}

/// The client form as a page shows it.
struct ClientForm<'a> {
    client_type: &'a str,
    form: Value,
    action: String,
    editing: bool,
    error: String,
}

fn client_form(state: &AppState, signed: &Signed, csrf: &Csrf, status: StatusCode, page: ClientForm<'_>) -> Response {
    let heading = if page.editing { "Edit client" } else { "Register a client" };
    let button = if page.editing { "Update" } else { "Create" };
    let extra = context! {
        heading,
        button,
        action => page.action,
        client_type => page.client_type,
        type_label => client_type_label(page.client_type),
        form => page.form,
        error => page.error,
    };
    render(state, csrf, status, "client_form.html", page_context(signed, csrf, "clients", extra))
}

/// # GET /console/clients/new?type=
pub async fn new_client_page(State(state): State<AppState>, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    let params = wire::pairs(query.as_deref());
    let (signed, csrf) = match viewed(&state, &headers, "/console").await {
        Ok(viewed) => viewed,
        Err(response) => return response,
    };
    let client_type = param(&params, "type").filter(|t| CLIENT_TYPES.contains(t)).unwrap_or("server-based");
    let page = ClientForm { client_type, form: context! {}, action: "/console/clients".into(), editing: false, error: String::new() };
    client_form(&state, &signed, &csrf, StatusCode::OK, page)
}

/// # POST /console/clients: registers a client and shows its secret once.
pub async fn create_client(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let (signed, params, csrf) = match posted(&state, &headers, &body, "/console").await {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    let client_type = param(&params, "type").unwrap_or("");
    let submitted = SubmittedClient::read(&params);
    let new = NewClient {
        client_type,
        name: &submitted.name,
        owner_email: &signed.account.email,
        redirect_uris: &submitted.redirect_uris,
        homepage: Some(submitted.homepage.as_str()),
        js_domains: &submitted.js_domains,
        multi_dc: submitted.multi_dc,
    };
    match provision::create_client(&state, &new).await {
        Ok(created) => match owned_client(&state, &signed, &created.client_id).await {
            Ok(client) => client_page(&state, &signed, &csrf, &client, Some(&created.client_secret)),
            Err(response) => response,
        },
        Err(ProvisionError::Invalid(message)) => {
            let client_type = if CLIENT_TYPES.contains(&client_type) { client_type } else { "server-based" };
            let page =
                ClientForm { client_type, form: submitted.context(), action: "/console/clients".into(), editing: false, error: message };
            client_form(&state, &signed, &csrf, StatusCode::BAD_REQUEST, page)
        }
        Err(ProvisionError::Store(err)) => server_error(&state, err),
    }
}

fn client_page(state: &AppState, signed: &Signed, csrf: &Csrf, client: &Client, new_secret: Option<&str>) -> Response {
    let extra = context! {
        client => ClientView::from(client),
        new_secret,
        durations => SELF_CODE_MINUTES,
        default_scope => provision::COLLECTION_SCOPES,
    };
    render(state, csrf, StatusCode::OK, "client.html", page_context(signed, csrf, "clients", extra))
}

/// # GET /console/clients/{client_id}
pub async fn client_details(State(state): State<AppState>, headers: HeaderMap, Path(client_id): Path<String>) -> Response {
    let (signed, csrf) = match viewed(&state, &headers, &format!("/console/clients/{client_id}")).await {
        Ok(viewed) => viewed,
        Err(response) => return response,
    };
    match owned_client(&state, &signed, &client_id).await {
        Ok(client) => client_page(&state, &signed, &csrf, &client, None),
        Err(response) => response,
    }
}

/// # GET /console/clients/{client_id}/edit
pub async fn edit_client_page(State(state): State<AppState>, headers: HeaderMap, Path(client_id): Path<String>) -> Response {
    let (signed, csrf) = match viewed(&state, &headers, &format!("/console/clients/{client_id}/edit")).await {
        Ok(viewed) => viewed,
        Err(response) => return response,
    };
    let client = match owned_client(&state, &signed, &client_id).await {
        Ok(client) => client,
        Err(response) => return response,
    };
    let form = SubmittedClient {
        name: client.name.clone(),
        homepage: client.homepage.clone().unwrap_or_default(),
        redirect_uris: client.redirect_uris.clone(),
        js_domains: client.js_domains.clone(),
        multi_dc: client.multi_dc,
    };
    let action = format!("/console/clients/{client_id}/edit");
    let page = ClientForm { client_type: &client.client_type, form: form.context(), action, editing: true, error: String::new() };
    client_form(&state, &signed, &csrf, StatusCode::OK, page)
}

/// # POST /console/clients/{client_id}/edit
pub async fn edit_client(State(state): State<AppState>, headers: HeaderMap, Path(client_id): Path<String>, body: Bytes) -> Response {
    let (signed, params, csrf) = match posted(&state, &headers, &body, "/console").await {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    let client = match owned_client(&state, &signed, &client_id).await {
        Ok(client) => client,
        Err(response) => return response,
    };
    let submitted = SubmittedClient::read(&params);
    let checked = provision::check_client_fields(
        &client.client_type,
        &submitted.name,
        Some(&submitted.homepage),
        &submitted.redirect_uris,
        &submitted.js_domains,
    );
    let fields = match checked {
        Ok(fields) => fields,
        Err(err) => {
            let action = format!("/console/clients/{client_id}/edit");
            let page =
                ClientForm { client_type: &client.client_type, form: submitted.context(), action, editing: true, error: err.to_string() };
            return client_form(&state, &signed, &csrf, StatusCode::BAD_REQUEST, page);
        }
    };
    let updated = Client {
        name: fields.name,
        homepage: fields.homepage,
        redirect_uris: fields.redirect_uris,
        js_domains: fields.js_domains,
        multi_dc: submitted.multi_dc,
        ..client
    };
    match state.store.update_client(&updated).await {
        Ok(_) => Redirect::to(&format!("/console/clients/{client_id}")).into_response(),
        Err(err) => server_error(&state, err),
    }
}

/// # POST /console/clients/{client_id}/secret: a new secret, shown once.
pub async fn regenerate_secret(State(state): State<AppState>, headers: HeaderMap, Path(client_id): Path<String>, body: Bytes) -> Response {
    let (signed, _, csrf) = match posted(&state, &headers, &body, "/console").await {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    let client = match owned_client(&state, &signed, &client_id).await {
        Ok(client) => client,
        Err(response) => return response,
    };
    match provision::regenerate_secret(&state, &client).await {
        Ok(secret) => match owned_client(&state, &signed, &client_id).await {
            Ok(client) => client_page(&state, &signed, &csrf, &client, Some(&secret)),
            Err(response) => response,
        },
        Err(err) => server_error(&state, anyhow::anyhow!(err)),
    }
}

/// # POST /console/clients/{client_id}/delete
pub async fn delete_client(State(state): State<AppState>, headers: HeaderMap, Path(client_id): Path<String>, body: Bytes) -> Response {
    let (signed, _, _) = match posted(&state, &headers, &body, "/console").await {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    if let Err(response) = owned_client(&state, &signed, &client_id).await {
        return response;
    }
    match provision::delete_client(&state, &client_id).await {
        Ok(_) => Redirect::to("/console").into_response(),
        Err(err) => server_error(&state, anyhow::anyhow!(err)),
    }
}

/// # POST /console/clients/{client_id}/code: Self Client "Generate Code".
pub async fn generate_code(State(state): State<AppState>, headers: HeaderMap, Path(client_id): Path<String>, body: Bytes) -> Response {
    let (signed, params, csrf) = match posted(&state, &headers, &body, "/console").await {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    if let Err(response) = owned_client(&state, &signed, &client_id).await {
        return response;
    }
    let minutes: u32 = param(&params, "duration").and_then(|d| d.parse().ok()).unwrap_or(3);
    let org_id = param(&params, "org_id").unwrap_or("");
    let description = param(&params, "description").filter(|d| !d.trim().is_empty());
    let scope = param(&params, "scope").unwrap_or("");
    match provision::create_self_code(&state, &client_id, org_id, scope, minutes, description).await {
        Ok(created) => {
            let expiry_time = state.now() + created.expires_in * 1000;
            let download = serde_json::json!({
                "client_id": client_id,
                "code": created.code,
                "grant_type": "authorization_code",
                "scope": created.scope.split(',').collect::<Vec<_>>(),
                "expiry_time": expiry_time,
                "org_id": created.org_id,
            });
            let encoded: String =
                url::form_urlencoded::byte_serialize(download.to_string().as_bytes()).collect::<String>().replace('+', "%20");
            let download_href = format!("data:application/json;charset=utf-8,{encoded}");
            let extra =
                context! { code => created.code, scope => created.scope, org_id => created.org_id, minutes, client_id, download_href };
            render(&state, &csrf, StatusCode::OK, "code.html", page_context(&signed, &csrf, "clients", extra))
        }
        Err(ProvisionError::Invalid(message)) => state.pages.message(StatusCode::BAD_REQUEST, "The code was not generated", &message),
        Err(ProvisionError::Store(err)) => server_error(&state, err),
    }
}

// ---- Connected apps --------------------------------------------------------------------------

#[derive(Serialize)]
struct ConnectedApp {
    id: String,
    client_name: String,
    org_name: String,
    scopes: String,
    since: String,
}

/// # GET /console/connected-apps: the refresh tokens the person has granted.
pub async fn connected_apps(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let (signed, csrf) = match viewed(&state, &headers, "/console/connected-apps").await {
        Ok(viewed) => viewed,
        Err(response) => return response,
    };
    let tokens = match state.store.refresh_tokens_of_account(signed.account.id).await {
        Ok(tokens) => tokens,
        Err(err) => return server_error(&state, err),
    };
    let mut apps = Vec::new();
    for token in tokens {
        let client_name = match state.store.client(&token.client_id).await {
            Ok(client) => client.map_or_else(|| "(deleted client)".to_string(), |c| c.name),
            Err(err) => return server_error(&state, err),
        };
        let org_name = signed.orgs.iter().find(|o| o.id == token.org_id).map_or_else(String::new, |o| o.company_name.clone());
        let since = crm::time_fmt::format(token.created_time, &jiff::tz::TimeZone::UTC);
        apps.push(ConnectedApp { id: token.id.to_string(), client_name, org_name, scopes: token.scopes.replace(',', ", "), since });
    }
    render(&state, &csrf, StatusCode::OK, "connected.html", page_context(&signed, &csrf, "connected", context! { apps }))
}

/// # POST /console/connected-apps/{id}/revoke
pub async fn revoke_connected_app(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> Response {
    let (signed, _, _) = match posted(&state, &headers, &body, "/console/connected-apps").await {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    let tokens = match state.store.refresh_tokens_of_account(signed.account.id).await {
        Ok(tokens) => tokens,
        Err(err) => return server_error(&state, err),
    };
    // Only the person's own tokens can be revoked here.
    if let Some(token) = tokens.iter().find(|t| t.id.to_string() == id) {
        if let Err(err) = state.store.revoke_refresh_token(&token.digest, state.now()).await {
            return server_error(&state, err);
        }
        state.tokens.forget_refresh(token.id);
    }
    Redirect::to("/console/connected-apps").into_response()
}

// ---- Custom fields ---------------------------------------------------------------------------

const FIELD_TYPES: &[&str] = &[
    "text",
    "textarea",
    "email",
    "phone",
    "website",
    "integer",
    "bigint",
    "double",
    "currency",
    "boolean",
    "date",
    "datetime",
    "picklist",
    "multiselectpicklist",
    "lookup",
    "userlookup",
];

#[derive(Serialize)]
struct FieldView {
    label: String,
    api_name: String,
    data_type: &'static str,
    unique: bool,
}

async fn fields_page(
    state: &AppState,
    signed: &Signed,
    csrf: &Csrf,
    module: &str,
    status: StatusCode,
    error: &str,
    created: &str,
) -> Response {
    let Some(org) = signed.current_org() else {
        return state.pages.message(StatusCode::FORBIDDEN, "No organization", "This account belongs to no Bigin organization.");
    };
    let schema = match state.schema(org.id).await {
        Ok(schema) => schema,
        Err(err) => return server_error(state, err),
    };
    let module = schema.module(module).unwrap_or(&schema.modules[1]);
    let fields: Vec<FieldView> = module
        .custom_fields()
        .map(|f| FieldView { label: f.label.clone(), api_name: f.api_name.clone(), data_type: f.data_type.as_str(), unique: f.unique })
        .collect();
    let is_admin = match state.store.org_user_by_account(org.id, signed.account.id).await {
        Ok(user) => user.is_some_and(|u| u.is_admin() && u.status == "active"),
        Err(err) => return server_error(state, err),
    };
    let modules: Vec<&str> = schema.modules.iter().map(|m| m.api_name).collect();
    let extra = context! { module => module.api_name, modules, fields, is_admin, types => FIELD_TYPES, error, created };
    render(state, csrf, status, "fields.html", page_context(signed, csrf, "fields", extra))
}

/// # GET /console/fields?module=
pub async fn fields(State(state): State<AppState>, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    let params = wire::pairs(query.as_deref());
    let (signed, csrf) = match viewed(&state, &headers, "/console/fields").await {
        Ok(viewed) => viewed,
        Err(response) => return response,
    };
    fields_page(&state, &signed, &csrf, param(&params, "module").unwrap_or("Contacts"), StatusCode::OK, "", "").await
}

/// # POST /console/fields: adds a custom field to a module of the current organization.
pub async fn add_field(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let (signed, params, csrf) = match posted(&state, &headers, &body, "/console/fields").await {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    let module = param(&params, "module").unwrap_or("Contacts").to_string();
    let Some(org) = signed.current_org() else {
        return state.pages.message(StatusCode::FORBIDDEN, "No organization", "This account belongs to no Bigin organization.");
    };
    let is_admin =
        matches!(state.store.org_user_by_account(org.id, signed.account.id).await, Ok(Some(u)) if u.is_admin() && u.status == "active");
    if !is_admin {
        return fields_page(&state, &signed, &csrf, &module, StatusCode::FORBIDDEN, "Only administrators can add fields.", "").await;
    }
    let length = match param(&params, "length").map(str::trim).filter(|l| !l.is_empty()) {
        None => None,
        Some(l) => match l.parse() {
            Ok(n) => Some(n),
            Err(_) => {
                return fields_page(&state, &signed, &csrf, &module, StatusCode::BAD_REQUEST, "The length must be a number.", "").await
            }
        },
    };
    let picklist: Vec<String> =
        param(&params, "picklist").unwrap_or("").split(',').map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect();
    let new = NewField {
        module: &module,
        label: param(&params, "label").unwrap_or(""),
        data_type: param(&params, "data_type").unwrap_or(""),
        length,
        picklist: &picklist,
        unique: param(&params, "unique") == Some("on"),
        lookup_module: param(&params, "lookup_module").filter(|m| !m.is_empty()),
    };
    match provision::create_custom_field(&state, &org.id.to_string(), &new).await {
        Ok(created) => fields_page(&state, &signed, &csrf, &module, StatusCode::OK, "", &created.api_name).await,
        Err(ProvisionError::Invalid(message)) => fields_page(&state, &signed, &csrf, &module, StatusCode::BAD_REQUEST, &message, "").await,
        Err(ProvisionError::Store(err)) => server_error(&state, err),
    }
}
