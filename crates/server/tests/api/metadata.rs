//! Organization, users and module metadata.

use reqwest::StatusCode;

use crate::helpers::{TestApp, ALL_SCOPES};
use crate::on_both_backends;

on_both_backends!(org_shows_the_tokens_organization, users_filter_by_type, modules_are_listed_and_found);

async fn org_shows_the_tokens_organization(app: TestApp) {
    let a = app.tenant("Zylker", ALL_SCOPES).await;
    let b = app.tenant("Acme", ALL_SCOPES).await;
    let (status, body) = app.get("/bigin/v2/org", &a.access_token).await;
    assert_eq!(status, StatusCode::OK);
    let org = &body["org"][0];
    assert_eq!(org["company_name"], "Zylker");
    assert_eq!(org["id"], a.org.org_id.as_str());
    assert_eq!(org["zgid"], a.org.zgid.as_str());
    assert_eq!(org["primary_email"], a.org.admin_email.as_str());
    assert_eq!(org["time_zone"], "America/Los_Angeles");
    for key in ["currency", "currency_symbol", "iso_code", "country_code", "license_details", "hierarchy_preferences", "domain_name"] {
        assert!(org.get(key).is_some(), "org has {key}");
    }
    assert_eq!(app.get("/bigin/v2/org", &b.access_token).await.1["org"][0]["company_name"], "Acme");
}

async fn users_filter_by_type(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let (status, body) = app.get("/bigin/v2/users?type=CurrentUser", &t.access_token).await;
    assert_eq!(status, StatusCode::OK);
    let me = &body["users"][0];
    assert_eq!(me["id"], t.org.admin_user_id.as_str());
    assert_eq!(me["email"], t.org.admin_email.as_str());
    assert_eq!(me["profile"]["name"], "Administrator");
    assert_eq!(me["status"], "active");
    assert_eq!(body["info"]["count"], 1);
    assert_eq!(body["info"]["more_records"], false);
    for kind in ["AllUsers", "ActiveUsers", "AdminUsers", "ActiveConfirmedAdmins", "ConfirmedUsers"] {
        let (status, body) = app.get(&format!("/bigin/v2/users?type={kind}"), &t.access_token).await;
        assert_eq!(status, StatusCode::OK, "{kind}");
        assert_eq!(body["users"].as_array().unwrap().len(), 1, "{kind}");
    }
    for kind in ["DeactiveUsers", "NotConfirmedUsers", "DeletedUsers"] {
        assert_eq!(app.get(&format!("/bigin/v2/users?type={kind}"), &t.access_token).await.0, StatusCode::NO_CONTENT, "{kind}");
    }
    let (status, body) = app.get("/bigin/v2/users?type=Everybody", &t.access_token).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("INVALID_DATA")));
    let (status, body) = app.get(&format!("/bigin/v2/users/{}", t.org.admin_user_id), &t.access_token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["users"][0]["full_name"], "Admin");
    // Another organization's user is not found from here.
    let other = app.tenant("Acme", ALL_SCOPES).await;
    assert_eq!(app.get(&format!("/bigin/v2/users/{}", other.org.admin_user_id), &t.access_token).await.0, StatusCode::NO_CONTENT);
}

async fn modules_are_listed_and_found(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let (status, body) = app.get("/bigin/v2/settings/modules", &t.access_token).await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = body["modules"].as_array().unwrap().iter().map(|m| m["api_name"].as_str().unwrap()).collect();
    for expected in ["Contacts", "Accounts", "Pipelines", "Products", "Tasks", "Events", "Calls", "Notes"] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    let (status, body) = app.get("/bigin/v2/settings/modules/Accounts", &t.access_token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["modules"][0]["plural_label"], "Companies");
    let (status, body) = app.get("/bigin/v2/settings/modules/Leads", &t.access_token).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("INVALID_MODULE")));
}
