//! The storage seam: one method per use case, one implementation per backend (SQLite by default,
//! PostgreSQL for fleets), and one migrations folder per backend.
//!
//! Every tenant-owned table has `org_id` first in its primary key and every request-path query
//! filters by it. Accounts tables (codes, tokens, sessions) are keyed by a keyed digest instead,
//! because they are looked up before the organization is known; each row still names its org.

mod filters;
mod postgres;
mod record_data;
mod search;
mod sqlite;
mod types;

use std::sync::Arc;

use async_trait::async_trait;
use crm::Id;

pub use record_data::{Fields, RecordData};
pub use types::*;

pub type Result<T> = anyhow::Result<T>;

/// Storage for one biginbox deployment. Implementations are cheap to share (`Arc<dyn Store>`).
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Applies the migrations this backend has not run yet.
    async fn migrate(&self) -> Result<()>;
    /// The key that digests grant codes and tokens; created once, shared by every node.
    async fn server_key(&self, candidate: [u8; 32]) -> Result<[u8; 32]>;

    // Organizations and people.
    async fn create_org(&self, org: &NewOrg) -> Result<CreateOrgOutcome>;
    async fn org(&self, org_id: Id) -> Result<Option<Org>>;
    async fn count_orgs(&self) -> Result<u64>;
    async fn orgs_of_account(&self, account_id: Id) -> Result<Vec<Org>>;
    async fn account_by_email(&self, email: &str) -> Result<Option<Account>>;
    async fn account(&self, account_id: Id) -> Result<Option<Account>>;
    async fn org_users(&self, org_id: Id) -> Result<Vec<OrgUser>>;
    async fn org_user(&self, org_id: Id, user_id: Id) -> Result<Option<OrgUser>>;
    async fn org_user_by_account(&self, org_id: Id, account_id: Id) -> Result<Option<OrgUser>>;
    /// Adds a user to an organization; false when its e-mail is taken there.
    async fn insert_org_user(&self, user: &OrgUser) -> Result<bool>;
    async fn update_org_user(&self, user: &OrgUser) -> Result<bool>;

    // Custom fields.
    async fn custom_fields(&self, org_id: Id) -> Result<Vec<crm::modules::CustomField>>;
    /// False when the module has a field of that API name already.
    async fn insert_custom_field(&self, org_id: Id, field: &crm::modules::CustomField, now: i64) -> Result<bool>;

    // Team pipelines added beside the default one, oldest first.
    async fn team_pipelines(&self, org_id: Id) -> Result<Vec<crm::pipelines::PipelineSpec>>;
    /// False when the organization has a team pipeline of that name already.
    async fn insert_team_pipeline(&self, org_id: Id, pipeline: &crm::pipelines::PipelineSpec, now: i64) -> Result<bool>;

    // OAuth clients.
    async fn create_client(&self, client: &Client) -> Result<()>;
    async fn client(&self, client_id: &str) -> Result<Option<Client>>;
    async fn clients_of_owner(&self, owner: Id) -> Result<Vec<Client>>;
    /// Deletes a client with its codes, device requests and tokens (all at once, so that nothing
    /// it was given keeps working); false when there was no such client.
    async fn delete_client(&self, client_id: &str) -> Result<bool>;
    async fn update_client(&self, client: &Client) -> Result<bool>;
    async fn list_clients(&self) -> Result<Vec<Client>>;

    // Grant codes and tokens, addressed by their keyed digests.
    async fn insert_code(&self, code: &GrantCode) -> Result<()>;
    /// A code as stored, used or not, without marking it (the checks before [`Store::consume_code`]).
    async fn code(&self, digest: &[u8]) -> Result<Option<GrantCode>>;
    /// Marks the code used and returns it; a second call reports the earlier use. A code of
    /// another client is `Unknown` to this one and stays unused.
    async fn consume_code(&self, digest: &[u8], client_id: &str, now: i64) -> Result<CodeUse>;
    /// Inserts a refresh token and, in the same transaction (serialised per account and client),
    /// revokes the oldest live ones of its account and client beyond the newest `keep` (and their
    /// access tokens); returns the ids revoked.
    async fn insert_refresh_token(&self, token: &RefreshToken, keep: u32, now: i64) -> Result<Vec<Id>>;
    async fn refresh_token(&self, digest: &[u8]) -> Result<Option<RefreshToken>>;
    async fn insert_access_token(&self, token: &AccessToken) -> Result<()>;
    async fn access_token(&self, digest: &[u8]) -> Result<Option<AccessToken>>;
    /// Revokes a refresh token and every access token minted from it.
    async fn revoke_refresh_token(&self, digest: &[u8], now: i64) -> Result<bool>;
    async fn revoke_access_token(&self, digest: &[u8], now: i64) -> Result<bool>;
    /// Revokes every token issued from a grant code (a replayed code does this).
    async fn revoke_tokens_of_code(&self, code_id: Id, now: i64) -> Result<Vec<Vec<u8>>>;
    /// Live refresh tokens of an account (its connected apps), newest first.
    async fn refresh_tokens_of_account(&self, account_id: Id) -> Result<Vec<RefreshToken>>;
    /// Inserts an access token minted from a live refresh token (`token.refresh_id`) unless that
    /// refresh token minted `max` or more since `since`: the count and the insert are one atomic
    /// step, so parallel refreshes cannot pass the limit together.
    async fn insert_refreshed_access_token(&self, token: &AccessToken, since: i64, max: u64) -> Result<Refreshed>;

    // The device flow.
    async fn insert_device_code(&self, code: &DeviceCode) -> Result<()>;
    async fn device_code_by_user_code(&self, user_code: &str) -> Result<Option<DeviceCode>>;
    /// Approves or denies a pending request; false when it is not pending any more.
    async fn decide_device_code(&self, user_code: &str, approved: bool, org_id: Id, account_id: Id) -> Result<bool>;
    /// Records a poll and returns the request as it was before this poll.
    async fn poll_device_code(&self, digest: &[u8], now: i64) -> Result<Option<DeviceCode>>;
    /// Marks an approved request used; false when another poll did so first.
    async fn finish_device_code(&self, digest: &[u8]) -> Result<bool>;

    // Web sessions.
    async fn create_session(&self, session: &Session) -> Result<()>;
    async fn session(&self, digest: &[u8]) -> Result<Option<Session>>;
    async fn delete_session(&self, digest: &[u8]) -> Result<()>;

    // Records.
    async fn insert_record(&self, record: &RecordRow, keys: &[UniqueKey]) -> Result<WriteOutcome>;
    /// Inserts many records, each atomically on its own, committed together; one outcome each.
    async fn insert_records(&self, rows: &[(RecordRow, Vec<UniqueKey>)]) -> Result<Vec<WriteOutcome>>;
    async fn update_record(&self, record: &RecordRow, keys: &[UniqueKey]) -> Result<WriteOutcome>;
    async fn record(&self, org_id: Id, module: &str, id: Id) -> Result<Option<RecordRow>>;
    async fn list_records(&self, org_id: Id, query: &ListQuery) -> Result<Vec<RecordRow>>;
    /// How many live records match the query's module and filters (paging ignored).
    async fn count_records(&self, org_id: Id, query: &ListQuery) -> Result<u64>;
    /// One page of the live records of a module that pass the filters, in the query's order
    /// (search and COQL).
    async fn query_records(&self, org_id: Id, query: &RecordQuery) -> Result<Vec<RecordRow>>;
    /// The backend's plan for `query_records`, or with `count` for counting its matches; with
    /// `avoid_seq_scan`, PostgreSQL is told to avoid sequential scans (tiny tables in tests).
    async fn explain_records(&self, org_id: Id, query: &RecordQuery, count: bool, avoid_seq_scan: bool) -> Result<Vec<String>>;
    /// Refreshes the planner's statistics (after a bulk load).
    async fn analyze(&self) -> Result<()>;
    /// Waits for background upkeep under way (PostgreSQL's statistics of a filling database).
    async fn maintenance_idle(&self) {}
    /// Loads many records in one transaction (seeding), skipping those whose unique values are
    /// taken; returns how many were written.
    async fn bulk_insert_records(&self, rows: &[(RecordRow, Vec<UniqueKey>)]) -> Result<u64>;
    async fn deleted_records(&self, org_id: Id, query: &DeletedQuery) -> Result<Vec<DeletedRow>>;
    /// The live record of `module` holding a unique value (lower-cased).
    async fn record_by_key(&self, org_id: Id, module: &str, field: &str, value: &str) -> Result<Option<Id>>;
    /// Creates or replaces a link.
    async fn put_link(&self, org_id: Id, link: &Link, now: i64) -> Result<()>;
    async fn delete_link(&self, org_id: Id, kind: &str, a_id: Id, b_id: Id) -> Result<bool>;
    /// Links of `kind` from `parent` (at end a or b) to any of `others`.
    async fn links(&self, org_id: Id, kind: &str, parent_is_a: bool, parent: Id, others: &[Id]) -> Result<Vec<Link>>;
    /// Moves a record to the recycle bin; false when it is not a live record of the module.
    async fn delete_record(&self, org_id: Id, module: &str, id: Id, by: Id, now: i64) -> Result<bool>;
    /// Names of live records among `ids` (any module), for lookups.
    async fn record_names(&self, org_id: Id, ids: &[Id]) -> Result<Vec<RecordName>>;
}

/// Opens the store a database URL names: `sqlite://PATH` (or `sqlite::memory:`) or
/// `postgres://...`.
pub async fn open(url: &str) -> Result<Arc<dyn Store>> {
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let path = rest.trim_start_matches("//");
        return Ok(Arc::new(sqlite::SqliteStore::open(path)?));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Arc::new(postgres::PgStore::connect(url).await?));
    }
    anyhow::bail!("unsupported database URL {url:?}: use sqlite://PATH or postgres://...")
}
