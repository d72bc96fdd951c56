//! Reading records: the list parameters of Bigin's get-records page, and the page token.

use crm::modules::Module;
use crm::Id;
use serde::{Deserialize, Serialize};
use store::SortKey;

use crate::api::ApiError;
use crate::secrets::Secrets;
use crate::wire::param;

pub const MAX_PER_PAGE: u64 = 200;
pub const MAX_FIELDS: usize = 50;
pub const MAX_IDS: usize = 100;
const PAGE_TOKEN_LIFETIME_MS: i64 = 24 * 3_600_000;

/// The parameters of `GET /{module}`, validated.
#[derive(Debug, Clone)]
pub struct ListParams {
    /// Field names the module has, in the order asked; unknown names are dropped.
    pub fields: Vec<String>,
    pub page: u64,
    pub per_page: u64,
    pub sort_by: String,
    pub sort: SortKey,
    pub descending: bool,
    pub ids: Option<Vec<Id>>,
}

/// Where a listing continues: what `next_page_token` carries.
#[derive(Serialize, Deserialize)]
struct PageCursor {
    page: u64,
    per_page: u64,
    sort_by: String,
    desc: bool,
    expires: i64,
}

/// `fields=a,b,c`: required for lists, optional for reads by id.
pub fn parse_fields(module: &Module, raw: Option<&str>, required: bool) -> Result<Option<Vec<String>>, ApiError> {
    let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
        return if required { Err(ApiError::missing_param("fields")) } else { Ok(None) };
    };
    let names: Vec<&str> = raw.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    if names.len() > MAX_FIELDS {
        return Err(ApiError::new(crm::ErrorCode::LimitExceeded).with_detail("param", "fields").with_detail("limit", MAX_FIELDS));
    }
    // Unknown names are ignored, as some readers send names that do not exist.
    let known = names.into_iter().filter(|n| *n == "Tag" || module.field(n).is_some()).map(str::to_string).collect();
    Ok(Some(known))
}

fn number(pairs: &[(String, String)], name: &str, default: u64) -> Result<u64, ApiError> {
    match param(pairs, name) {
        None => Ok(default),
        Some(v) => v.trim().parse::<u64>().ok().filter(|n| *n > 0).ok_or_else(|| ApiError::invalid_param(name)),
    }
}

pub fn sort_key(module: &Module, sort_by: &str) -> Result<SortKey, ApiError> {
    Ok(match sort_by {
        "id" => SortKey::Id,
        "Created_Time" => SortKey::CreatedTime,
        "Modified_Time" => SortKey::ModifiedTime,
        other if module.field(other).is_some_and(|f| !f.read_only() && f.api_name != "Owner") => SortKey::Field(other.to_string()),
        _ => return Err(ApiError::invalid_param("sort_by")),
    })
}

impl ListParams {
    pub fn parse(module: &Module, pairs: &[(String, String)], secrets: &Secrets, now: i64) -> Result<Self, ApiError> {
        let fields = parse_fields(module, param(pairs, "fields"), true)?.unwrap_or_default();
        let ids = match param(pairs, "ids") {
            None => None,
            Some(raw) => Some(parse_ids(raw)?),
        };
        if let Some(token) = param(pairs, "page_token") {
            let cursor = open_cursor(secrets, token, now).ok_or_else(|| ApiError::invalid_param("page_token"))?;
            let sort = sort_key(module, &cursor.sort_by)?;
            return Ok(Self {
                fields,
                page: cursor.page,
                per_page: cursor.per_page,
                sort_by: cursor.sort_by,
                sort,
                descending: cursor.desc,
                ids,
            });
        }
        let page = number(pairs, "page", 1)?;
        let per_page = number(pairs, "per_page", MAX_PER_PAGE)?;
        if per_page > MAX_PER_PAGE {
            return Err(ApiError::new(crm::ErrorCode::LimitExceeded).with_detail("param", "per_page").with_detail("limit", MAX_PER_PAGE));
        }
        let sort_by = param(pairs, "sort_by").unwrap_or("id").to_string();
        let sort = sort_key(module, &sort_by)?;
        let descending = match param(pairs, "sort_order").unwrap_or("desc") {
            "desc" => true,
            "asc" => false,
            _ => return Err(ApiError::invalid_param("sort_order")),
        };
        Ok(Self { fields, page, per_page, sort_by, sort, descending, ids })
    }

    /// The token that reads the page after this one, and when it expires.
    pub fn next_page_token(&self, secrets: &Secrets, now: i64) -> (String, i64) {
        let expires = now + PAGE_TOKEN_LIFETIME_MS;
        let cursor =
            PageCursor { page: self.page + 1, per_page: self.per_page, sort_by: self.sort_by.clone(), desc: self.descending, expires };
        (seal_cursor(secrets, &cursor), expires)
    }
}

/// `ids=1,2,3`: at most 100 ids, each a record id.
pub fn parse_ids(raw: &str) -> Result<Vec<Id>, ApiError> {
    let parts: Vec<&str> = raw.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    if parts.is_empty() {
        return Err(ApiError::missing_param("ids"));
    }
    if parts.len() > MAX_IDS {
        return Err(ApiError::new(crm::ErrorCode::LimitExceeded).with_detail("param", "ids").with_detail("limit", MAX_IDS));
    }
    parts.into_iter().map(|p| Id::parse(p).ok_or_else(|| ApiError::invalid_param("ids"))).collect()
}

fn seal_cursor(secrets: &Secrets, cursor: &PageCursor) -> String {
    let body = hex::encode(serde_json::to_vec(cursor).unwrap_or_default());
    let tag = hex::encode(&secrets.digest(&format!("page:{body}"))[..12]);
    format!("{body}.{tag}")
}

fn open_cursor(secrets: &Secrets, token: &str, now: i64) -> Option<PageCursor> {
    let (body, tag) = token.split_once('.')?;
    let expected = hex::encode(&secrets.digest(&format!("page:{body}"))[..12]);
    if !crate::secrets::constant_time_eq(expected.as_bytes(), tag.as_bytes()) {
        return None;
    }
    let cursor: PageCursor = serde_json::from_slice(&hex::decode(body).ok()?).ok()?;
    (cursor.expires > now).then_some(cursor)
}
