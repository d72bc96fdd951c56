//! Creating organizations, clients and Self Client codes: the operations the command line and the
//! API console share.

use crm::scopes::ScopeSet;
use crm::Id;
use serde::Serialize;
use store::{Client, CreateOrgOutcome, GrantCode, NewAdmin, NewOrg};

use crate::secrets;
use crate::state::AppState;

/// Durations the console offers for a Self Client code, in minutes.
pub const SELF_CODE_MINUTES: &[u32] = &[3, 5, 7, 10];

/// The scopes `biginbox` asks for when it makes a code for the Postman collection.
pub const COLLECTION_SCOPES: &str =
    "ZohoBigin.modules.ALL,ZohoBigin.settings.ALL,ZohoBigin.users.ALL,ZohoBigin.org.ALL,ZohoBigin.coql.READ,ZohoSearch.securesearch.READ,ZohoBigin.change_owner.CREATE";

#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] anyhow::Error),
}

fn invalid<T>(message: impl Into<String>) -> Result<T, ProvisionError> {
    Err(ProvisionError::Invalid(message.into()))
}

#[derive(Debug, Serialize)]
pub struct OrgCreated {
    pub org_id: String,
    pub zgid: String,
    pub admin_user_id: String,
    pub admin_email: String,
}

/// Creates an organization with its administrator. An existing account joins as the admin when
/// no password is given or the password is its own.
pub async fn create_org(
    state: &AppState,
    name: &str,
    admin_email: &str,
    admin_password: Option<&str>,
    time_zone: &str,
) -> Result<OrgCreated, ProvisionError> {
    create_org_for(state, name, admin_email, admin_password, time_zone, None).await
}

/// Sign-up: a new account with its names and password, and its first organization.
pub async fn sign_up(
    state: &AppState,
    first_name: &str,
    last_name: &str,
    email: &str,
    password: &str,
    org_name: &str,
    time_zone: &str,
) -> Result<OrgCreated, ProvisionError> {
    if state.store.account_by_email(email.trim()).await?.is_some() {
        return invalid("an account with this e-mail address exists; sign in instead");
    }
    if last_name.trim().is_empty() {
        return invalid("the last name is required");
    }
    let names = (first_name.trim().to_string(), last_name.trim().to_string());
    create_org_for(state, org_name, email, Some(password), time_zone, Some(names)).await
}

async fn create_org_for(
    state: &AppState,
    name: &str,
    admin_email: &str,
    admin_password: Option<&str>,
    time_zone: &str,
    names: Option<(String, String)>,
) -> Result<OrgCreated, ProvisionError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return invalid("the organization name must have 1 to 100 characters");
    }
    let email = admin_email.trim();
    if !email.contains('@') || email.starts_with('@') || email.ends_with('@') {
        return invalid(format!("{email:?} is not an e-mail address"));
    }
    if jiff::tz::TimeZone::get(time_zone).is_err() {
        return invalid(format!("{time_zone:?} is not a known time zone"));
    }
    let existing = state.store.account_by_email(email).await?;
    let password_hash = match (&existing, admin_password) {
        (Some(account), Some(password)) => {
            let ok = account.password_hash.as_deref().is_some_and(|h| secrets::verify_password(password, h));
            if !ok {
                return invalid(format!("an account with {email} exists and the password does not match it"));
            }
            None
        }
        (Some(_), None) => None,
        (None, Some(password)) if password.len() < 8 => return invalid("the password must have at least 8 characters"),
        (None, Some(password)) => Some(secrets::hash_password(password)?),
        (None, None) => None,
    };
    let (first_name, last_name) = names.unwrap_or_else(|| names_from_email(email));
    let org_id = state.mint_id();
    let admin_user_id = state.mint_id();
    let new_org = NewOrg {
        org_id,
        zgid: mint_zgid(),
        company_name: name.to_string(),
        dc: state.config.location.clone(),
        time_zone: time_zone.to_string(),
        now: state.now(),
        admin: NewAdmin {
            account_id: state.mint_id(),
            user_id: admin_user_id,
            email: email.to_string(),
            first_name,
            last_name,
            password_hash,
        },
    };
    match state.store.create_org(&new_org).await? {
        CreateOrgOutcome::Created(org) => Ok(OrgCreated {
            org_id: org.id.to_string(),
            zgid: org.zgid,
            admin_user_id: admin_user_id.to_string(),
            admin_email: email.to_string(),
        }),
        CreateOrgOutcome::AccountExists => invalid(format!("an account with {email} exists and the password does not match it")),
    }
}

/// "pat.boyle@example.com" → ("Pat", "Boyle"); a one-word name is the last name.
fn names_from_email(email: &str) -> (String, String) {
    let local = email.split('@').next().unwrap_or("user");
    let words: Vec<String> = local
        .split(['.', '_', '-', '+'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
        })
        .collect();
    match words.as_slice() {
        [] => (String::new(), "User".to_string()),
        [only] => (String::new(), only.clone()),
        [first, rest @ ..] => (first.clone(), rest.join(" ")),
    }
}

fn mint_zgid() -> String {
    use rand::Rng;
    rand::thread_rng().gen_range(100_000_000u64..1_000_000_000).to_string()
}

/// The client types of the API console, as the command line names them.
pub const CLIENT_TYPES: &[&str] = &["self", "server-based", "client-based", "mobile", "non-browser"];

/// What the console shows each client type as.
pub fn client_type_label(client_type: &str) -> &'static str {
    match client_type {
        "self" => "Self Client",
        "server-based" => "Server-based Applications",
        "client-based" => "Client-based Applications",
        "mobile" => "Mobile-based Applications",
        "non-browser" => "Non-browser Applications",
        _ => "Unknown",
    }
}

#[derive(Debug, Serialize)]
pub struct ClientCreated {
    pub client_id: String,
    pub client_secret: String,
    pub client_type: String,
}

/// A client's registration (reference §1.1): which fields a type needs is checked here.
pub struct NewClient<'a> {
    pub client_type: &'a str,
    pub name: &'a str,
    pub owner_email: &'a str,
    pub redirect_uris: &'a [String],
    pub homepage: Option<&'a str>,
    pub js_domains: &'a [String],
    pub multi_dc: bool,
}

impl<'a> NewClient<'a> {
    /// A registration with only what every type may have.
    pub fn new(client_type: &'a str, name: &'a str, owner_email: &'a str) -> Self {
        Self { client_type, name, owner_email, redirect_uris: &[], homepage: None, js_domains: &[], multi_dc: false }
    }
}

/// The fields of a client that the console can change, checked as registration checks them.
pub struct ClientFields {
    pub name: String,
    pub homepage: Option<String>,
    pub redirect_uris: Vec<String>,
    pub js_domains: Vec<String>,
}

fn http_url(text: &str) -> Option<url::Url> {
    url::Url::parse(text).ok().filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
}

/// Checks a client's fields for its type; fills the homepage from the first redirect URI when
/// none is given.
pub fn check_client_fields(
    client_type: &str,
    name: &str,
    homepage: Option<&str>,
    redirect_uris: &[String],
    js_domains: &[String],
) -> Result<ClientFields, ProvisionError> {
    if !CLIENT_TYPES.contains(&client_type) {
        return invalid(format!("unknown client type {client_type:?}; use one of {}", CLIENT_TYPES.join(", ")));
    }
    let self_client = client_type == "self";
    let name = if self_client && name.trim().is_empty() { "Self Client" } else { name.trim() };
    if name.is_empty() || name.chars().count() > 100 || !name.chars().all(|c| c.is_alphanumeric() || c == ' ' || c == '_' || c == '&') {
        return invalid("the client name may hold letters, digits, spaces, '_' and '&' only");
    }
    let redirect_uris: Vec<String> = redirect_uris.iter().map(|u| u.trim().to_string()).filter(|u| !u.is_empty()).collect();
    for uri in &redirect_uris {
        if http_url(uri).is_none_or(|u| u.fragment().is_some()) {
            return invalid(format!("{uri:?} is not an http(s) URL without a fragment"));
        }
    }
    let takes_redirects = matches!(client_type, "server-based" | "client-based" | "mobile");
    if takes_redirects && redirect_uris.is_empty() {
        return invalid(format!("a {} client needs at least one redirect URI", client_type_label(client_type)));
    }
    if !takes_redirects && !redirect_uris.is_empty() {
        return invalid(format!("a {} takes no redirect URI", client_type_label(client_type)));
    }
    let js_domains: Vec<String> = js_domains.iter().map(|d| d.trim().trim_end_matches('/').to_string()).filter(|d| !d.is_empty()).collect();
    for domain in &js_domains {
        if !http_url(domain).is_some_and(|u| u.path() == "/" && u.query().is_none()) {
            return invalid(format!("{domain:?} is not a JavaScript domain such as https://app.example.com"));
        }
    }
    match (client_type, js_domains.is_empty()) {
        ("client-based", true) => return invalid("a Client-based client needs a JavaScript domain"),
        ("client-based", false) | (_, true) => {}
        (_, false) => return invalid("only Client-based clients have a JavaScript domain"),
    }
    let homepage = match homepage.map(str::trim).filter(|h| !h.is_empty()) {
        _ if self_client => None,
        Some(home) if http_url(home).is_some() => Some(home.to_string()),
        Some(home) => return invalid(format!("{home:?} is not a URL")),
        None => match redirect_uris.first().and_then(|u| http_url(u)) {
            Some(first) => Some(first.origin().ascii_serialization()),
            None => return invalid("the client needs a homepage URL"),
        },
    };
    Ok(ClientFields { name: name.to_string(), homepage, redirect_uris, js_domains })
}

/// Registers a client in this state's data centre, as the API console's "+ ADD CLIENT" does.
pub async fn create_client(state: &AppState, new: &NewClient<'_>) -> Result<ClientCreated, ProvisionError> {
    let fields = check_client_fields(new.client_type, new.name, new.homepage, new.redirect_uris, new.js_domains)?;
    let owner = match state.store.account_by_email(new.owner_email.trim()).await? {
        Some(owner) => owner,
        None => return invalid(format!("no account has the e-mail {}", new.owner_email)),
    };
    let client_secret = secrets::mint_client_secret();
    let client = Client {
        client_id: secrets::mint_client_id(),
        secret_hash: secrets::hash_password(&client_secret)?,
        client_type: new.client_type.to_string(),
        name: fields.name,
        owner_account_id: owner.id,
        homepage: fields.homepage,
        redirect_uris: fields.redirect_uris,
        js_domains: fields.js_domains,
        multi_dc: new.multi_dc,
        created_time: state.now(),
        dc: state.config.location.clone(),
    };
    state.store.create_client(&client).await?;
    Ok(ClientCreated { client_id: client.client_id, client_secret, client_type: client.client_type })
}

/// Deletes a client with its codes and tokens, and forgets its tokens on this node at once (other
/// processes' caches let them go within their 30 s lifetime); false when there was no such client.
pub async fn delete_client(state: &AppState, client_id: &str) -> Result<bool, ProvisionError> {
    let deleted = state.store.delete_client(client_id).await?;
    state.tokens.forget_client(client_id);
    Ok(deleted)
}

/// Gives a client a new secret; the old one stops working at once.
pub async fn regenerate_secret(state: &AppState, client: &Client) -> Result<String, ProvisionError> {
    let secret = secrets::mint_client_secret();
    let updated = Client { secret_hash: secrets::hash_password(&secret)?, ..client.clone() };
    state.store.update_client(&updated).await?;
    Ok(secret)
}

#[derive(Debug, Serialize)]
pub struct CodeCreated {
    pub code: String,
    pub expires_in: i64,
    pub scope: String,
    pub org_id: String,
}

/// Generates a Self Client grant code for one organization of the client's owner, as the
/// console's "Generate Code" does.
pub async fn create_self_code(
    state: &AppState,
    client_id: &str,
    org_id: &str,
    scope: &str,
    minutes: u32,
    description: Option<&str>,
) -> Result<CodeCreated, ProvisionError> {
    let Some(client) = state.store.client(client_id).await? else { return invalid(format!("no client has the id {client_id}")) };
    if client.client_type != "self" {
        return invalid("codes can be generated only for a Self Client");
    }
    if !SELF_CODE_MINUTES.contains(&minutes) {
        return invalid("the duration must be 3, 5, 7 or 10 minutes");
    }
    let scopes = ScopeSet::parse(scope).map_err(|e| ProvisionError::Invalid(format!("invalid_scope: {}", e.0)))?;
    let Some(org_id) = Id::parse(org_id) else { return invalid(format!("{org_id:?} is not an organization id")) };
    let member = state.store.org_user_by_account(org_id, client.owner_account_id).await?;
    if member.is_none_or(|m| m.status != "active") {
        return invalid("the client's owner is not an active user of that organization");
    }
    let code = secrets::mint_token();
    let now = state.now();
    let expires_in = i64::from(minutes) * 60;
    state
        .store
        .insert_code(&GrantCode {
            id: state.mint_id(),
            digest: state.secrets.digest(&code),
            kind: "self".into(),
            client_id: client.client_id.clone(),
            org_id,
            account_id: client.owner_account_id,
            scopes: scopes.to_string(),
            redirect_uri: None,
            offline: true,
            code_challenge: None,
            description: description.map(str::to_string),
            expires_at: now + expires_in * 1000,
            used_at: None,
            created_time: now,
        })
        .await?;
    Ok(CodeCreated { code, expires_in, scope: scopes.to_string(), org_id: org_id.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_email() {
        assert_eq!(names_from_email("pat.boyle@example.com"), ("Pat".into(), "Boyle".into()));
        assert_eq!(names_from_email("admin@example.com"), ("".into(), "Admin".into()));
    }
}

/// Custom fields a module may have, and how many of them may be unique.
pub const MAX_CUSTOM_FIELDS: usize = 50;
pub const MAX_CUSTOM_UNIQUE: usize = 2;

#[derive(Debug, Serialize)]
pub struct FieldCreated {
    pub id: String,
    pub api_name: String,
    pub module: String,
    pub label: String,
    pub data_type: String,
}

pub struct NewField<'a> {
    pub module: &'a str,
    pub label: &'a str,
    pub data_type: &'a str,
    pub length: Option<u32>,
    pub picklist: &'a [String],
    pub unique: bool,
    pub lookup_module: Option<&'a str>,
}

/// Adds a custom field to a module of an organization.
pub async fn create_custom_field(state: &AppState, org_id: &str, new: &NewField<'_>) -> Result<FieldCreated, ProvisionError> {
    use crm::modules::DataType;
    let Some(org_id) = Id::parse(org_id) else { return invalid(format!("{org_id:?} is not an organization id")) };
    if state.store.org(org_id).await?.is_none() {
        return invalid(format!("no organization has the id {org_id}"));
    }
    let schema = state.fresh_schema(org_id).await?;
    let Some(module) = schema.module(new.module) else { return invalid(format!("{:?} is not a module", new.module)) };
    let label = new.label.trim();
    if label.is_empty() || label.chars().count() > 50 {
        return invalid("the label must have 1 to 50 characters");
    }
    let data_type = match DataType::parse(new.data_type) {
        Some(DataType::Ownerlookup) | None => {
            let kinds: Vec<&str> = DataType::ALL.iter().filter(|t| **t != DataType::Ownerlookup).map(|t| t.as_str()).collect();
            return invalid(format!("unknown type {:?}; use one of {}", new.data_type, kinds.join(", ")));
        }
        Some(t) => t,
    };
    if module.custom_fields().count() >= MAX_CUSTOM_FIELDS {
        return invalid(format!("{} has {MAX_CUSTOM_FIELDS} custom fields already", module.api_name));
    }
    let length = match (data_type, new.length) {
        (DataType::Text, Some(n)) if (1..=255).contains(&n) => Some(n),
        (DataType::Text, Some(_)) => return invalid("a text field's length is 1 to 255"),
        (_, Some(_)) => return invalid("--length applies to text fields only"),
        (t, None) => t.default_length(),
    };
    let picklist: Vec<String> = new.picklist.iter().map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect();
    let is_picklist = matches!(data_type, DataType::Picklist | DataType::Multiselectpicklist);
    if is_picklist && picklist.is_empty() {
        return invalid("a picklist needs --picklist values");
    }
    if !is_picklist && !picklist.is_empty() {
        return invalid("--picklist applies to picklist fields only");
    }
    let mut seen = picklist.clone();
    seen.sort_unstable();
    seen.dedup();
    if seen.len() != picklist.len() {
        return invalid("picklist values must differ");
    }
    let lookup_module = match (data_type, new.lookup_module) {
        (DataType::Lookup, Some(target)) => match schema.module(target) {
            Some(target) => Some(target.api_name.to_string()),
            None => return invalid(format!("{target:?} is not a module")),
        },
        (DataType::Lookup, None) => return invalid("a lookup field needs --lookup-module"),
        (_, Some(_)) => return invalid("--lookup-module applies to lookup fields only"),
        (_, None) => None,
    };
    if new.unique {
        let can_be_unique = matches!(
            data_type,
            DataType::Text | DataType::Email | DataType::Phone | DataType::Website | DataType::Integer | DataType::Bigint
        );
        if !can_be_unique {
            return invalid(format!("a {} field cannot be unique", data_type.as_str()));
        }
        if module.custom_fields().filter(|f| f.unique).count() >= MAX_CUSTOM_UNIQUE {
            return invalid(format!("{} has {MAX_CUSTOM_UNIQUE} unique custom fields already", module.api_name));
        }
    }
    let taken: Vec<&str> = module.fields.iter().map(|f| f.api_name.as_str()).chain(["id", "Tag", "Layout"]).collect();
    let field = crm::modules::CustomField {
        id: state.mint_id(),
        module: module.api_name.to_string(),
        api_name: crm::modules::custom_api_name(label, &taken),
        label: label.to_string(),
        data_type,
        length,
        picklist,
        unique: new.unique,
        lookup_module,
    };
    if !state.store.insert_custom_field(org_id, &field, state.now()).await? {
        return invalid(format!("{} has a field named {} already", module.api_name, field.api_name));
    }
    state.schema_changed(org_id);
    Ok(FieldCreated {
        id: field.id.to_string(),
        api_name: field.api_name,
        module: field.module,
        label: field.label,
        data_type: data_type.as_str().to_string(),
    })
}

/// A client as `biginbox clients list --json` shows it (never its secret).
#[derive(Debug, Serialize)]
pub struct ClientSummary {
    pub client_id: String,
    pub client_type: String,
    pub name: String,
    pub dc: String,
    pub multi_dc: bool,
    pub redirect_uris: Vec<String>,
    pub homepage: Option<String>,
}

pub async fn list_clients(state: &AppState) -> Result<Vec<ClientSummary>, ProvisionError> {
    Ok(state
        .store
        .list_clients()
        .await?
        .into_iter()
        .map(|c| ClientSummary {
            client_id: c.client_id,
            client_type: c.client_type,
            name: c.name,
            dc: c.dc,
            multi_dc: c.multi_dc,
            redirect_uris: c.redirect_uris,
            homepage: c.homepage,
        })
        .collect())
}

#[derive(Debug, Serialize)]
pub struct PipelineCreated {
    /// The `pipeline_id` (the layout's id).
    pub id: String,
    pub name: String,
    pub sub_pipelines: Vec<SubPipelineCreated>,
}

#[derive(Debug, Serialize)]
pub struct SubPipelineCreated {
    pub id: String,
    pub name: String,
    pub stages: Vec<String>,
}

/// Parses `Name:Stage one,Stage two` (the command line's `--sub-pipeline`).
pub fn parse_sub_pipeline(text: &str) -> Result<crm::pipelines::SubPipelineSpec, ProvisionError> {
    let Some((name, stages)) = text.split_once(':') else {
        return invalid(format!("{text:?} is not NAME:STAGE,STAGE,..."));
    };
    let stages = stages.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    Ok(crm::pipelines::SubPipelineSpec { name: name.trim().to_string(), stages })
}

/// Adds a team pipeline to an organization, as an administrator does in Bigin's settings: it
/// becomes a layout of Pipelines, and its records take its sub-pipelines and stages.
pub async fn create_team_pipeline(
    state: &AppState,
    org_id: &str,
    name: &str,
    sub_pipelines: Vec<crm::pipelines::SubPipelineSpec>,
) -> Result<PipelineCreated, ProvisionError> {
    let Some(org_id) = Id::parse(org_id) else { return invalid(format!("{org_id:?} is not an organization id")) };
    if state.store.org(org_id).await?.is_none() {
        return invalid(format!("no organization has the id {org_id}"));
    }
    let schema = state.fresh_schema(org_id).await?;
    let spec = crm::pipelines::PipelineSpec { id: state.mint_id(), name: name.trim().to_string(), sub_pipelines };
    spec.check(&schema.pipelines).map_err(ProvisionError::Invalid)?;
    if !state.store.insert_team_pipeline(org_id, &spec, state.now()).await? {
        return invalid(format!("the organization has a team pipeline named {:?} already", spec.name));
    }
    state.schema_changed(org_id);
    let built = spec.build(org_id);
    Ok(PipelineCreated {
        id: built.id.to_string(),
        name: built.name,
        sub_pipelines: built
            .sub_pipelines
            .into_iter()
            .map(|s| SubPipelineCreated { id: s.id.to_string(), name: s.name, stages: s.stages.into_iter().map(|s| s.name).collect() })
            .collect(),
    })
}
