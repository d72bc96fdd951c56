//! Rows the store reads and writes.

use crm::Id;
use serde_json::{Map, Value};

use crate::RecordData;

#[derive(Clone, Debug)]
pub struct NewOrg {
    pub org_id: Id,
    pub zgid: String,
    pub company_name: String,
    pub dc: String,
    pub time_zone: String,
    pub now: i64,
    pub admin: NewAdmin,
}

/// The first user of a new organization: an existing account, or a new one.
#[derive(Clone, Debug)]
pub struct NewAdmin {
    pub account_id: Id,
    pub user_id: Id,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// Argon2id hash; `None` for an account that cannot sign in until a password is set.
    pub password_hash: Option<String>,
}

#[derive(Clone, Debug)]
pub enum CreateOrgOutcome {
    Created(Org),
    /// The e-mail belongs to an account whose password differs from the one supplied.
    AccountExists,
}

#[derive(Clone, Debug)]
pub struct Org {
    pub id: Id,
    pub zgid: String,
    pub company_name: String,
    pub primary_email: String,
    pub primary_account_id: Id,
    pub dc: String,
    pub time_zone: String,
    pub created_time: i64,
}

/// A Zoho Accounts user: one person, who may belong to several organizations.
#[derive(Clone, Debug)]
pub struct Account {
    pub id: Id,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub password_hash: Option<String>,
}

/// A user of one organization, as `/users` shows it.
#[derive(Clone, Debug)]
pub struct OrgUser {
    pub org_id: Id,
    pub id: Id,
    pub account_id: Option<Id>,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role: String,
    pub profile: String,
    pub status: String,
    pub confirmed: bool,
    pub created_time: i64,
    pub modified_time: i64,
}

impl OrgUser {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name).trim().to_string()
    }
    pub fn is_admin(&self) -> bool {
        self.profile == "Administrator"
    }
}

#[derive(Clone, Debug)]
pub struct Client {
    pub client_id: String,
    pub secret_hash: String,
    pub client_type: String,
    pub name: String,
    pub owner_account_id: Id,
    pub homepage: Option<String>,
    pub redirect_uris: Vec<String>,
    pub js_domains: Vec<String>,
    pub multi_dc: bool,
    pub created_time: i64,
    /// The data centre the client was registered in (its only one unless `multi_dc`).
    pub dc: String,
}

/// A grant code: from the consent screen (`auth`) or the Self Client console (`self`).
#[derive(Clone, Debug)]
pub struct GrantCode {
    pub id: Id,
    pub digest: Vec<u8>,
    pub kind: String,
    pub client_id: String,
    pub org_id: Id,
    pub account_id: Id,
    pub scopes: String,
    pub redirect_uri: Option<String>,
    pub offline: bool,
    pub code_challenge: Option<String>,
    pub description: Option<String>,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub created_time: i64,
}

/// What [`crate::Store::insert_refreshed_access_token`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refreshed {
    Minted,
    /// The refresh token minted its limit within the window: nothing was inserted.
    TooMany,
    /// The refresh token was revoked meanwhile: nothing was inserted.
    Revoked,
}

#[derive(Clone, Debug)]
pub enum CodeUse {
    Unknown,
    /// First use: the caller may issue tokens.
    Fresh(GrantCode),
    /// The code was used before: the caller must refuse it and revoke what it issued.
    Replayed(GrantCode),
}

#[derive(Clone, Debug)]
pub struct RefreshToken {
    pub id: Id,
    pub digest: Vec<u8>,
    pub client_id: String,
    pub org_id: Id,
    pub account_id: Id,
    pub scopes: String,
    pub code_id: Option<Id>,
    pub created_time: i64,
    pub revoked_at: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct AccessToken {
    pub id: Id,
    pub digest: Vec<u8>,
    pub refresh_id: Option<Id>,
    pub code_id: Option<Id>,
    pub client_id: String,
    pub org_id: Id,
    pub account_id: Id,
    pub scopes: String,
    pub created_time: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

/// A device-flow request: the device polls with `device_code` (kept as `digest`) while the user
/// approves `user_code` in a browser.
#[derive(Clone, Debug)]
pub struct DeviceCode {
    pub digest: Vec<u8>,
    pub user_code: String,
    pub client_id: String,
    pub dc: String,
    pub scopes: String,
    pub offline: bool,
    /// `pending`, `approved`, `denied` or `used`.
    pub status: String,
    pub org_id: Option<Id>,
    pub account_id: Option<Id>,
    pub interval_s: i64,
    pub last_poll_at: Option<i64>,
    pub expires_at: i64,
    pub created_time: i64,
}

#[derive(Clone, Debug)]
pub struct Session {
    pub digest: Vec<u8>,
    pub account_id: Id,
    pub created_time: i64,
    pub expires_at: i64,
}

/// A record as stored: system columns plus the client-maintained values.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordRow {
    pub org_id: Id,
    pub module: String,
    pub id: Id,
    /// What a lookup to this record shows.
    pub name: String,
    pub owner_id: Id,
    pub created_by: Id,
    pub modified_by: Id,
    pub created_time: i64,
    pub modified_time: i64,
    pub data: RecordData,
    /// The words `word` search finds the record by (`crm::query::words`), derived on each write
    /// like `name`; reads leave it empty.
    pub words: Vec<String>,
}

/// A value of a unique field, lower-cased so uniqueness ignores case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UniqueKey {
    pub field: String,
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WriteOutcome {
    Written,
    /// Another live record of the module holds this unique value.
    Duplicate {
        field: String,
        existing_id: Id,
    },
    /// Update of a record that is not there (or not in this org or module).
    NotFound,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SortKey {
    Id,
    CreatedTime,
    ModifiedTime,
    /// A client-maintained field, compared as stored.
    Field(String),
}

/// A condition on the records a query reads; a query's filters must all hold.
#[derive(Clone, Debug, PartialEq)]
pub enum RecordFilter {
    /// Only these ids.
    Ids(Vec<Id>),
    /// The stored value of `field` is this text (lookups store the id as text).
    FieldEquals {
        field: String,
        value: String,
    },
    /// `field` holds `id` and `$se_module` is `module` (activities and notes of a record).
    RelatedTo {
        field: String,
        module: String,
        id: Id,
    },
    /// Linked to `parent` through `record_links` of `kind` (the parent at end a or b), or, when
    /// `also_field` is set, holding `parent` in that lookup field.
    Linked {
        kind: String,
        parent_is_a: bool,
        parent: Id,
        also_field: Option<String>,
    },
    OwnedBy(Id),
    ModifiedAfter(i64),
    /// A search criteria or COQL `where`, checked against the schema by `crm`.
    Where(crm::query::Condition),
}

#[derive(Clone, Debug)]
pub struct ListQuery {
    pub module: String,
    pub sort: SortKey,
    pub descending: bool,
    pub offset: u64,
    pub limit: u64,
    pub filters: Vec<RecordFilter>,
}

/// A search or COQL read: the live records of `module` passing `filters`, sorted by `order`
/// (then by id), one page of them.
#[derive(Clone, Debug)]
pub struct RecordQuery {
    pub module: String,
    pub filters: Vec<RecordFilter>,
    pub order: Vec<crm::query::Order>,
    pub offset: u64,
    pub limit: u64,
}

/// A record in the recycle bin (or past it).
#[derive(Clone, Debug, PartialEq)]
pub struct DeletedRow {
    pub id: Id,
    pub name: String,
    pub created_by: Id,
    pub deleted_by: Id,
    pub deleted_time: i64,
}

/// Which deleted records to read: those deleted after `after` and at or before `until`.
#[derive(Clone, Debug)]
pub struct DeletedQuery {
    pub module: String,
    pub after: Option<i64>,
    pub until: Option<i64>,
    pub offset: u64,
    pub limit: u64,
}

/// A link between two records (`kind` names the pair of modules), with its own data
/// (a contact's role on a pipeline).
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub kind: String,
    pub a_id: Id,
    pub b_id: Id,
    pub data: Map<String, Value>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordName {
    pub id: Id,
    pub module: String,
    pub name: String,
}
