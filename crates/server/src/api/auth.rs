//! API authentication and scope rules. `Api<R>` is the extractor every API handler takes: it reads
//! `Authorization: Zoho-oauthtoken <token>` (or `Bearer <token>`), resolves the caller, and checks
//! the rule `R` of the route.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use crm::modules::{Module, Schema};
use crm::scopes::{Access, Requirement, ScopeSet};
use crm::{ErrorCode, Id};
use store::{Org, OrgUser};

use super::ApiError;
use crate::state::AppState;

/// How long a resolved token is trusted without asking the store again. A revoke on this node
/// drops the entry at once; other nodes see it within this window.
const CACHE_TTL_MS: i64 = 30_000;
const CACHE_MAX_ENTRIES: usize = 50_000;

/// Who is calling: the token's organization, user and scopes.
#[derive(Debug)]
pub struct Caller {
    pub org: Org,
    pub user: OrgUser,
    /// The organization's users by id (owners, creators and modifiers to show and check).
    pub members: HashMap<Id, OrgUser>,
    /// Each member as records show an owner, creator or modifier (`{"name","id","email"}`),
    /// written once for as long as this caller is cached.
    pub user_refs: HashMap<Id, Box<serde_json::value::RawValue>>,
    pub scopes: ScopeSet,
    pub schema: Arc<Schema>,
    pub tz: jiff::tz::TimeZone,
}

struct CacheEntry {
    caller: Arc<Caller>,
    client_id: String,
    refresh_id: Option<Id>,
    expires_at: i64,
    fresh_until: i64,
}

/// Shards of the cache: every API call looks a token up, on whichever core it runs, and one lock
/// for all of them bounced between the cores.
const CACHE_SHARDS: usize = 16;

/// Resolved access tokens, keyed by digest, in shards by the digest's first byte.
#[derive(Default)]
pub struct TokenCache {
    shards: [Mutex<HashMap<Vec<u8>, CacheEntry>>; CACHE_SHARDS],
}

impl TokenCache {
    fn shard(&self, digest: &[u8]) -> &Mutex<HashMap<Vec<u8>, CacheEntry>> {
        &self.shards[usize::from(digest.first().copied().unwrap_or(0)) % CACHE_SHARDS]
    }

    fn get(&self, digest: &[u8], now: i64) -> Option<Result<Arc<Caller>, ApiError>> {
        let entries = self.shard(digest).lock().expect("token cache poisoned");
        let entry = entries.get(digest)?;
        if entry.expires_at <= now {
            return Some(Err(ApiError::new(ErrorCode::InvalidToken)));
        }
        (entry.fresh_until > now).then(|| Ok(entry.caller.clone()))
    }

    fn put(&self, digest: Vec<u8>, entry: CacheEntry) {
        let mut entries = self.shard(&digest).lock().expect("token cache poisoned");
        if entries.len() >= CACHE_MAX_ENTRIES / CACHE_SHARDS {
            entries.clear();
        }
        entries.insert(digest, entry);
    }

    /// Forgets an access token (after it was revoked).
    pub fn forget(&self, digest: &[u8]) {
        self.shard(digest).lock().expect("token cache poisoned").remove(digest);
    }

    fn forget_where(&self, gone: impl Fn(&CacheEntry) -> bool) {
        for shard in &self.shards {
            shard.lock().expect("token cache poisoned").retain(|_, e| !gone(e));
        }
    }

    /// Forgets every token of an organization (its schema changed).
    pub fn forget_org(&self, org_id: Id) {
        self.forget_where(|e| e.caller.org.id == org_id);
    }

    /// Forgets every access token of a client (it was deleted).
    pub fn forget_client(&self, client_id: &str) {
        self.forget_where(|e| e.client_id == client_id);
    }

    /// Forgets every access token minted from a refresh token.
    pub fn forget_refresh(&self, refresh_id: Id) {
        self.forget_where(|e| e.refresh_id == Some(refresh_id));
    }
}

/// Reads the token from the `Authorization` header.
fn bearer(parts: &Parts) -> Result<&str, ApiError> {
    let failure = || ApiError::new(ErrorCode::AuthenticationFailure);
    let header = parts.headers.get(AUTHORIZATION).ok_or_else(failure)?.to_str().map_err(|_| failure())?;
    let (scheme, token) = header.trim().split_once(' ').ok_or_else(failure)?;
    let token = token.trim();
    let known = scheme.eq_ignore_ascii_case("Zoho-oauthtoken") || scheme.eq_ignore_ascii_case("Bearer");
    if !known || token.is_empty() || token.contains(char::is_whitespace) {
        return Err(failure());
    }
    Ok(token)
}

/// Resolves the caller behind an access token.
pub async fn authenticate(state: &AppState, token: &str) -> Result<Arc<Caller>, ApiError> {
    let caller = resolve(state, token).await?;
    // A token works only in the data centre its organization lives in.
    if caller.org.dc != state.config.location {
        return Err(ApiError::new(ErrorCode::InvalidToken));
    }
    Ok(caller)
}

async fn resolve(state: &AppState, token: &str) -> Result<Arc<Caller>, ApiError> {
    let now = state.now();
    let digest = state.secrets.digest(token);
    if let Some(cached) = state.tokens.get(&digest, now) {
        return cached;
    }
    let invalid = || ApiError::new(ErrorCode::InvalidToken);
    let row = state.store.access_token(&digest).await?.ok_or_else(invalid)?;
    if row.revoked_at.is_some() || row.expires_at <= now {
        return Err(invalid());
    }
    let org = state.store.org(row.org_id).await?.ok_or_else(invalid)?;
    let members: HashMap<Id, OrgUser> = state.store.org_users(row.org_id).await?.into_iter().map(|u| (u.id, u)).collect();
    let user = members.values().find(|u| u.account_id == Some(row.account_id) && u.status == "active").cloned().ok_or_else(invalid)?;
    let scopes = ScopeSet::parse(&row.scopes).map_err(|_| invalid())?;
    let user_refs = super::records::user_refs(&members);
    let caller = Arc::new(Caller {
        schema: state.schema(org.id).await?,
        tz: crm::time_fmt::zone(&org.time_zone),
        org,
        user,
        members,
        user_refs,
        scopes,
    });
    let entry = CacheEntry {
        caller: caller.clone(),
        client_id: row.client_id,
        refresh_id: row.refresh_id,
        expires_at: row.expires_at,
        fresh_until: now + CACHE_TTL_MS,
    };
    state.tokens.put(digest, entry);
    Ok(caller)
}

/// A route's scope rule: what it needs, and what it resolves from the path on the way.
pub trait Rule: Send + Sync + 'static {
    type Target: Send + Sync;
    fn resolve(caller: &Caller, path: &[(&str, &str)]) -> Result<(Self::Target, Requirement), ApiError>;
}

/// An authenticated, authorised API call.
pub struct Api<R: Rule> {
    pub caller: Arc<Caller>,
    pub target: R::Target,
    params: Option<RawPathParams>,
    rule: PhantomData<R>,
}

impl<R: Rule> Api<R> {
    /// A path parameter (percent-decoded), or "" when the route has none of that name.
    pub fn path(&self, name: &str) -> &str {
        self.params.as_ref().and_then(|p| p.iter().find(|(k, _)| *k == name)).map_or("", |(_, v)| v)
    }
}

impl<R: Rule> FromRequestParts<AppState> for Api<R> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // The path first: it needs `parts` mutably, and then the token can stay borrowed.
        let params = RawPathParams::from_request_parts(parts, state).await.ok();
        let path: Vec<(&str, &str)> = params.as_ref().map(|p| p.iter().collect()).unwrap_or_default();
        let caller = authenticate(state, bearer(parts)?).await?;
        let (target, requirement) = R::resolve(&caller, &path)?;
        if !caller.scopes.satisfies(&requirement) {
            return Err(ApiError::new(ErrorCode::OauthScopeMismatch));
        }
        drop(path);
        Ok(Self { caller, target, params, rule: PhantomData })
    }
}

/// A module of the caller's schema, resolved from the `{module}` path segment.
pub struct ModuleRef {
    schema: Arc<Schema>,
    index: usize,
}

impl std::ops::Deref for ModuleRef {
    type Target = Module;
    fn deref(&self) -> &Module {
        &self.schema.modules[self.index]
    }
}

/// Path words that are API resources, never module names.
const RESERVED: &[&str] = &["settings", "users", "org", "coql", "actions", "bulk"];

fn module_from_path(caller: &Caller, path: &[(&str, &str)]) -> Result<ModuleRef, ApiError> {
    let name = path.iter().find(|(k, _)| *k == "module").map_or("", |(_, v)| *v);
    if RESERVED.contains(&name) {
        return Err(ApiError::invalid_url_pattern());
    }
    let index = caller
        .schema
        .modules
        .iter()
        .position(|m| m.api_name == name)
        .or_else(|| caller.schema.modules.iter().position(|m| m.api_name.eq_ignore_ascii_case(name)))
        .filter(|i| caller.schema.modules[*i].api_supported)
        .ok_or_else(|| ApiError::new(ErrorCode::InvalidModule))?;
    Ok(ModuleRef { schema: caller.schema.clone(), index })
}

/// `ZohoBigin.org.READ` (or `.ALL`).
pub struct OrgRead;
impl Rule for OrgRead {
    type Target = ();
    fn resolve(_: &Caller, _: &[(&str, &str)]) -> Result<((), Requirement), ApiError> {
        Ok(((), Requirement::group("org", Access::Read)))
    }
}

/// `ZohoBigin.users.READ` (or `.ALL`).
pub struct UsersRead;
impl Rule for UsersRead {
    type Target = ();
    fn resolve(_: &Caller, _: &[(&str, &str)]) -> Result<((), Requirement), ApiError> {
        Ok(((), Requirement::group("users", Access::Read)))
    }
}

/// A settings area (`ZohoBigin.settings.<area>.READ`, or a parent such as `settings.ALL`).
pub trait SettingsArea: Send + Sync + 'static {
    const AREA: &'static str;
}
pub struct ModulesArea;
pub struct FieldsArea;
pub struct LayoutsArea;
pub struct CustomViewsArea;
pub struct RelatedListsArea;
pub struct RolesArea;
pub struct ProfilesArea;
impl SettingsArea for ModulesArea {
    const AREA: &'static str = "modules";
}
impl SettingsArea for FieldsArea {
    const AREA: &'static str = "fields";
}
impl SettingsArea for LayoutsArea {
    const AREA: &'static str = "layouts";
}
impl SettingsArea for CustomViewsArea {
    const AREA: &'static str = "custom_views";
}
impl SettingsArea for RelatedListsArea {
    const AREA: &'static str = "related_lists";
}
impl SettingsArea for RolesArea {
    const AREA: &'static str = "roles";
}
impl SettingsArea for ProfilesArea {
    const AREA: &'static str = "profiles";
}

/// Reading a settings area.
pub struct SettingsRead<A>(PhantomData<A>);
impl<A: SettingsArea> Rule for SettingsRead<A> {
    type Target = ();
    fn resolve(_: &Caller, _: &[(&str, &str)]) -> Result<((), Requirement), ApiError> {
        Ok(((), Requirement::settings(A::AREA, Access::Read)))
    }
}

/// Adding (`Create`), changing (`Update`) or removing (`Delete`) users.
pub struct UsersWrite<A>(PhantomData<A>);
impl<A: AccessKind> Rule for UsersWrite<A> {
    type Target = ();
    fn resolve(_: &Caller, _: &[(&str, &str)]) -> Result<((), Requirement), ApiError> {
        Ok(((), Requirement::group("users", A::ACCESS)))
    }
}

/// `ZohoBigin.change_owner.CREATE`, on records of the `{module}` in the path.
pub struct ChangeOwner;
impl Rule for ChangeOwner {
    type Target = ModuleRef;
    fn resolve(caller: &Caller, path: &[(&str, &str)]) -> Result<(ModuleRef, Requirement), ApiError> {
        let module = module_from_path(caller, path)?;
        Ok((module, Requirement::group("change_owner", Access::Create)))
    }
}

/// Upsert may insert and may update: it needs both.
pub struct Upsert;
impl Rule for Upsert {
    type Target = ModuleRef;
    fn resolve(caller: &Caller, path: &[(&str, &str)]) -> Result<(ModuleRef, Requirement), ApiError> {
        let module = module_from_path(caller, path)?;
        let requirement =
            Requirement::module(module.scope_name, Access::Create).and(Requirement::module(module.scope_name, Access::Update));
        Ok((module, requirement))
    }
}

/// A related list of a record (`/{module}/{record_id}/{related_list}`): the parent module's scope
/// with access `A`, and the notes scope too when the list holds notes.
pub struct Related<A>(PhantomData<A>);

/// The parent module and which of its related lists the path names.
pub struct RelatedRef {
    pub module: ModuleRef,
    pub list: usize,
}

impl RelatedRef {
    pub fn list(&self) -> &crm::related::RelatedList {
        &self.module.related_lists[self.list]
    }
}

impl<A: AccessKind> Rule for Related<A> {
    type Target = RelatedRef;
    fn resolve(caller: &Caller, path: &[(&str, &str)]) -> Result<(RelatedRef, Requirement), ApiError> {
        let module = module_from_path(caller, path)?;
        let name = path.iter().find(|(k, _)| *k == "related").map_or("", |(_, v)| *v);
        let list = module
            .related_lists
            .iter()
            .position(|r| r.api_name == name)
            .or_else(|| module.related_lists.iter().position(|r| r.api_name.eq_ignore_ascii_case(name)))
            .ok_or_else(ApiError::invalid_url_pattern)?;
        let mut requirement = Requirement::module(module.scope_name, A::ACCESS);
        if module.related_lists[list].module == "Notes" {
            requirement = requirement.and(Requirement::module("notes", A::ACCESS));
        }
        Ok((RelatedRef { module, list }, requirement))
    }
}

/// The kind of access a records route needs.
pub trait AccessKind: Send + Sync + 'static {
    const ACCESS: Access;
}
pub struct Read;
pub struct Create;
pub struct Update;
pub struct Delete;
pub struct Delink;
impl AccessKind for Read {
    const ACCESS: Access = Access::Read;
}
impl AccessKind for Create {
    const ACCESS: Access = Access::Create;
}
impl AccessKind for Update {
    const ACCESS: Access = Access::Update;
}
impl AccessKind for Delete {
    const ACCESS: Access = Access::Delete;
}
impl AccessKind for Delink {
    const ACCESS: Access = Access::Delink;
}

/// Records of the `{module}` in the path, with the access `A`.
pub struct Records<A>(PhantomData<A>);

impl<A: AccessKind> Rule for Records<A> {
    type Target = ModuleRef;
    fn resolve(caller: &Caller, path: &[(&str, &str)]) -> Result<(ModuleRef, Requirement), ApiError> {
        let module = module_from_path(caller, path)?;
        let requirement = Requirement::module(module.scope_name, A::ACCESS);
        Ok((module, requirement))
    }
}

/// Search of the `{module}` in the path: the module's read scope and
/// `ZohoSearch.securesearch.READ`.
pub struct Search;
impl Rule for Search {
    type Target = ModuleRef;
    fn resolve(caller: &Caller, path: &[(&str, &str)]) -> Result<(ModuleRef, Requirement), ApiError> {
        let module = module_from_path(caller, path)?;
        let requirement = Requirement::module(module.scope_name, Access::Read).and(Requirement::secure_search());
        Ok((module, requirement))
    }
}

/// COQL: `ZohoBigin.coql.READ` here, and the read scope of the module the query names, which
/// only the body tells: the handler checks it with [`require_module_read`] once the query is
/// parsed.
pub struct Coql;
impl Rule for Coql {
    type Target = ();
    fn resolve(_: &Caller, _: &[(&str, &str)]) -> Result<((), Requirement), ApiError> {
        Ok(((), Requirement::group("coql", Access::Read)))
    }
}

/// The read scope of `module`, for routes that learn their module from the request's body.
pub fn require_module_read(caller: &Caller, module: &Module) -> Result<(), ApiError> {
    if caller.scopes.satisfies(&Requirement::module(module.scope_name, Access::Read)) {
        Ok(())
    } else {
        Err(ApiError::new(ErrorCode::OauthScopeMismatch))
    }
}
