//! `GET /bigin/v2/org`: the organization the token belongs to (Bigin's get-org-data page).

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::auth::{Api, OrgRead};
use crate::wire;

/// # GET /bigin/v2/org
pub async fn get_org(api: Api<OrgRead>) -> Response {
    let caller = &api.caller;
    let org = &caller.org;
    let body = json!({"org": [{
        "id": org.id.to_string(),
        "company_name": org.company_name,
        "primary_email": org.primary_email,
        "primary_zuid": org.primary_account_id.to_string(),
        "zgid": org.zgid,
        "domain_name": format!("org{}", org.zgid),
        "time_zone": org.time_zone,
        // A new organization's defaults; editing them arrives with the org settings.
        "currency": "US Dollar - USD",
        "currency_symbol": "$",
        "currency_locale": "en_US",
        "iso_code": "USD",
        "country_code": "US",
        "mc_status": false,
        "country": "United States",
        "city": null,
        "street": null,
        "state": null,
        "zip": null,
        "phone": null,
        "description": null,
        "photo_id": null,
        "created_time": crm::time_fmt::format(org.created_time, &caller.tz),
        "hierarchy_preferences": {"type": "Role"},
        "license_details": {
            "paid": false,
            "paid_type": "free",
            "trial_type": null,
            "trial_expiry": null,
            "users_license_purchased": 1
        }
    }]});
    wire::json(StatusCode::OK, &body)
}
