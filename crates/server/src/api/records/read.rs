//! Reading records: the list parameters of Bigin's get-records page, and the page token.

use crm::modules::{Module, Schema};
use crm::views::{views, ViewFilter};
use crm::Id;
use serde::{Deserialize, Serialize};
use store::{RecordFilter, SortKey};

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
    /// What `ids`, `cvid`, `pipeline_id` and `approved` select.
    pub filters: Vec<RecordFilter>,
    /// `approved=false` selects nothing: every record here is approved.
    pub nothing: bool,
    /// The selecting parameters as sent (`ids`, `cvid`, `pipeline_id`, `approved`), which the
    /// next page's token carries.
    selection: Vec<(String, String)>,
}

/// The parameters that choose which records a listing walks; a page token keeps them.
const SELECTION: &[&str] = &["ids", "cvid", "pipeline_id", "approved"];

/// Where a listing continues: what `next_page_token` carries.
#[derive(Serialize, Deserialize)]
struct PageCursor {
    page: u64,
    per_page: u64,
    sort_by: String,
    desc: bool,
    expires: i64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    selection: Vec<(String, String)>,
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

/// The filters that `ids`, `cvid` and `pipeline_id` ask for, and whether `approved=false`
/// selects nothing (every record here is approved).
pub fn selection(
    schema: &Schema,
    module: &Module,
    pairs: &[(String, String)],
    org_id: Id,
    caller_user: Id,
) -> Result<(Vec<RecordFilter>, bool), ApiError> {
    let mut filters = Vec::new();
    if let Some(raw) = param(pairs, "ids") {
        filters.push(RecordFilter::Ids(parse_ids(raw)?));
    }
    if let Some(cvid) = param(pairs, "cvid") {
        let view = Id::parse(cvid).and_then(|id| views(org_id, module).into_iter().find(|v| v.id == id));
        match view.ok_or_else(|| ApiError::invalid_param("cvid"))?.filter {
            ViewFilter::All => {}
            ViewFilter::Mine => filters.push(RecordFilter::OwnedBy(caller_user)),
        }
    }
    if let Some(pipeline) = param(pairs, "pipeline_id") {
        let known = module.api_name == "Pipelines" && Id::parse(pipeline).and_then(|id| schema.pipeline(id)).is_some();
        if !known {
            return Err(ApiError::invalid_param("pipeline_id"));
        }
        filters.push(RecordFilter::FieldEquals { field: "Layout".into(), value: pipeline.trim().to_string() });
    }
    let nothing = match param(pairs, "approved").unwrap_or("true") {
        "true" | "both" => false,
        "false" => true,
        _ => return Err(ApiError::invalid_param("approved")),
    };
    Ok((filters, nothing))
}

impl ListParams {
    /// `who` is the caller's organization and user (for `cvid` views such as "My Contacts").
    /// With `page_token`, the listing continues as the token says: its page, size, order and
    /// selection; a selecting parameter sent beside it must be the one the token carries.
    pub fn parse(
        schema: &Schema,
        module: &Module,
        pairs: &[(String, String)],
        who: (Id, Id),
        secrets: &Secrets,
        now: i64,
    ) -> Result<Self, ApiError> {
        let fields = parse_fields(module, param(pairs, "fields"), true)?.unwrap_or_default();
        let sent: Vec<(String, String)> =
            SELECTION.iter().filter_map(|name| param(pairs, name).map(|v| (name.to_string(), v.to_string()))).collect();
        if let Some(token) = param(pairs, "page_token") {
            let cursor = open_cursor(secrets, token, now).ok_or_else(|| ApiError::invalid_param("page_token"))?;
            if let Some((name, _)) = sent.iter().find(|pair| !cursor.selection.contains(pair)) {
                return Err(ApiError::invalid_param(name).with_message("the page_token was issued for another selection of records"));
            }
            let (filters, nothing) = selection(schema, module, &cursor.selection, who.0, who.1)?;
            let sort = sort_key(module, &cursor.sort_by)?;
            let (page, per_page, sort_by, descending) = (cursor.page, cursor.per_page, cursor.sort_by, cursor.desc);
            return Ok(Self { fields, page, per_page, sort_by, sort, descending, filters, nothing, selection: cursor.selection });
        }
        let (filters, nothing) = selection(schema, module, pairs, who.0, who.1)?;
        let (page, per_page) = paging(pairs)?;
        let sort_by = param(pairs, "sort_by").unwrap_or("id").to_string();
        let sort = sort_key(module, &sort_by)?;
        let descending = match param(pairs, "sort_order").unwrap_or("desc") {
            "desc" => true,
            "asc" => false,
            _ => return Err(ApiError::invalid_param("sort_order")),
        };
        Ok(Self { fields, page, per_page, sort_by, sort, descending, filters, nothing, selection: sent })
    }

    /// The token that reads the page after this one, and when it expires.
    pub fn next_page_token(&self, secrets: &Secrets, now: i64) -> (String, i64) {
        let expires = now + PAGE_TOKEN_LIFETIME_MS;
        let cursor = PageCursor {
            page: self.page + 1,
            per_page: self.per_page,
            sort_by: self.sort_by.clone(),
            desc: self.descending,
            expires,
            selection: self.selection.clone(),
        };
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

/// `type` of `GET /{module}/deleted`: records stay in the recycle bin for 60 days, then count as
/// permanently deleted. Returns the `(after, until)` bounds on `deleted_time`.
pub fn deleted_bounds(kind: Option<&str>, now: i64) -> Result<(Option<i64>, Option<i64>), ApiError> {
    let cutoff = now - RECYCLE_BIN_DAYS * 24 * 3_600_000;
    match kind.unwrap_or("all") {
        "all" => Ok((None, None)),
        "recycle" => Ok((Some(cutoff), None)),
        "permanent" => Ok((None, Some(cutoff))),
        _ => Err(ApiError::invalid_param("type")),
    }
}

pub const RECYCLE_BIN_DAYS: i64 = 60;

/// `page` and `per_page` of a list.
pub fn paging(pairs: &[(String, String)]) -> Result<(u64, u64), ApiError> {
    let page = number(pairs, "page", 1)?;
    let per_page = number(pairs, "per_page", MAX_PER_PAGE)?;
    if per_page > MAX_PER_PAGE {
        return Err(ApiError::new(crm::ErrorCode::LimitExceeded).with_detail("param", "per_page").with_detail("limit", MAX_PER_PAGE));
    }
    Ok((page, per_page))
}
