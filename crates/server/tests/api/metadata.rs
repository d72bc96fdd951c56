//! Organization, users and module metadata.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{TestApp, ALL_SCOPES};
use crate::on_both_backends;

on_both_backends!(
    org_shows_the_tokens_organization,
    users_filter_by_type,
    every_user_type_tells_its_users_apart,
    users_update_in_bulk,
    modules_are_listed_and_found
);

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

fn user_ids(body: &Value) -> BTreeSet<String> {
    body["users"].as_array().map(|a| a.iter().map(|u| u["id"].as_str().unwrap().to_string()).collect()).unwrap_or_default()
}

/// A user of the organization as an invitation accepted would leave it: confirmed, with an
/// account of its own (the API adds users unconfirmed, and only the primary user starts
/// confirmed).
async fn confirmed_user(app: &TestApp, org_id: &str, email: &str, profile: &str, status: &str) -> String {
    let id = app.state.mint_id();
    let now = app.state.now();
    let user = store::OrgUser {
        org_id: crm::Id::parse(org_id).unwrap(),
        id,
        account_id: Some(app.state.mint_id()),
        email: email.into(),
        first_name: "C".into(),
        last_name: email.into(),
        role: "Manager".into(),
        profile: profile.into(),
        status: status.into(),
        confirmed: true,
        created_time: now,
        modified_time: now,
    };
    assert!(app.state.store.insert_org_user(&user).await.unwrap());
    id.to_string()
}

async fn every_user_type_tells_its_users_apart(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let token = t.access_token.as_str();
    let (_, profiles) = app.get("/bigin/v2/settings/profiles", token).await;
    let admin_profile =
        profiles["profiles"].as_array().unwrap().iter().find(|p| p["name"] == "Administrator").unwrap()["id"].as_str().unwrap().to_string();
    let add = |last: &'static str, admin: bool| {
        let mut user = json!({"last_name": last, "email": format!("{}@zylker.example", last.to_lowercase())});
        if admin {
            user["profile"] = json!({"id": admin_profile});
        }
        user
    };
    let (status, added) = app
        .post("/bigin/v2/users", token, &json!({"users": [add("Sam", false), add("Ada", true), add("Dee", false), add("Del", false)]}))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{added}");
    let id = |i: usize| added["users"][i]["details"]["id"].as_str().unwrap().to_string();
    let (sam, ada, dee, del) = (id(0), id(1), id(2), id(3));
    app.put(&format!("/bigin/v2/users/{dee}"), token, &json!({"users": [{"status": "disabled"}]})).await;
    app.delete(&format!("/bigin/v2/users/{del}"), token).await;
    let cal = confirmed_user(&app, &t.org.org_id, "cal@zylker.example", "Standard", "active").await;
    let rex = confirmed_user(&app, &t.org.org_id, "rex@zylker.example", "Administrator", "disabled").await;
    // A fresh token sees the users written beside the API.
    let code = app.self_code(&t.client, &t.org.org_id, ALL_SCOPES).await;
    let fresh = app.exchange(&t.client, &code).await;
    let token = fresh["access_token"].as_str().unwrap();
    let me = t.org.admin_user_id.clone();
    let expected: [(&str, Vec<&String>); 10] = [
        ("AllUsers", vec![&me, &sam, &ada, &dee, &cal, &rex]),
        ("ActiveUsers", vec![&me, &sam, &ada, &cal]),
        ("DeactiveUsers", vec![&dee, &rex]),
        ("ConfirmedUsers", vec![&me, &cal, &rex]),
        ("NotConfirmedUsers", vec![&sam, &ada, &dee]),
        ("DeletedUsers", vec![&del]),
        ("ActiveConfirmedUsers", vec![&me, &cal]),
        ("AdminUsers", vec![&me, &ada, &rex]),
        ("ActiveConfirmedAdmins", vec![&me]),
        ("CurrentUser", vec![&me]),
    ];
    for (kind, users) in expected {
        let (status, body) = app.get(&format!("/bigin/v2/users?type={kind}"), token).await;
        assert_eq!(status, StatusCode::OK, "{kind}");
        let want: BTreeSet<String> = users.into_iter().cloned().collect();
        assert_eq!(user_ids(&body), want, "{kind}");
        assert_eq!(body["info"]["count"], want.len(), "{kind}");
    }
    // Without a type: AllUsers. Paging walks the same users.
    assert_eq!(user_ids(&app.get("/bigin/v2/users", token).await.1).len(), 6);
    let (_, first) = app.get("/bigin/v2/users?type=AllUsers&per_page=4", token).await;
    assert_eq!((first["info"]["more_records"].as_bool(), user_ids(&first).len()), (Some(true), 4));
    let (_, second) = app.get("/bigin/v2/users?type=AllUsers&per_page=4&page=2", token).await;
    assert_eq!((second["info"]["more_records"].as_bool(), user_ids(&second).len()), (Some(false), 2));
    assert!(user_ids(&first).is_disjoint(&user_ids(&second)));
    let (status, body) = app.get("/bigin/v2/users?type=AllUsers&per_page=201", token).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("LIMIT_EXCEEDED")));
    // A deleted user still reads by id, as deleted.
    assert_eq!(app.get(&format!("/bigin/v2/users/{del}"), token).await.1["users"][0]["status"], "deleted");
}

async fn users_update_in_bulk(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let token = t.access_token.as_str();
    let (_, roles) = app.get("/bigin/v2/settings/roles", token).await;
    let ceo = roles["roles"][0]["id"].as_str().unwrap().to_string();
    let (_, added) = app
        .post(
            "/bigin/v2/users",
            token,
            &json!({"users": [{"last_name": "Sam", "email": "sam@zylker.example"}, {"last_name": "Ada", "email": "ada@zylker.example"}]}),
        )
        .await;
    let sam = added["users"][0]["details"]["id"].as_str().unwrap().to_string();
    let ada = added["users"][1]["details"]["id"].as_str().unwrap().to_string();
    let body = json!({"users": [
        {"id": sam, "first_name": "Samuel", "role": {"id": ceo}},
        {"id": ada, "status": "disabled"},
        {"last_name": "No id"},
        {"id": "1000000000000000001", "last_name": "Nobody"},
        {"id": sam, "status": "sleeping"},
        {"id": t.org.admin_user_id, "status": "disabled"},
    ]});
    let (status, answer) = app.put("/bigin/v2/users", token, &body).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
    let users = answer["users"].as_array().unwrap();
    assert_eq!(users.len(), 6);
    assert_eq!(users[0], json!({"code": "SUCCESS", "details": {"id": sam}, "message": "User updated", "status": "success"}));
    assert_eq!(users[1]["code"], "SUCCESS");
    assert_eq!(users[2]["code"], "MANDATORY_NOT_FOUND");
    assert_eq!(users[2]["details"]["api_name"], "id");
    assert_eq!(users[3]["details"], json!({"id": "1000000000000000001"}));
    assert_eq!(users[4]["details"]["api_name"], "status");
    assert_eq!(users[5]["details"]["api_name"], "status", "the primary user stays active");
    let (_, read) = app.get(&format!("/bigin/v2/users/{sam}"), token).await;
    let user = &read["users"][0];
    assert_eq!(
        (user["full_name"].as_str(), user["role"]["name"].as_str(), user["status"].as_str()),
        (Some("Samuel Sam"), Some("CEO"), Some("active"))
    );
    assert_eq!(app.get(&format!("/bigin/v2/users/{ada}"), token).await.1["users"][0]["status"], "disabled");
    assert_eq!(app.get(&format!("/bigin/v2/users/{}", t.org.admin_user_id), token).await.1["users"][0]["status"], "active");
    // Refusals of the whole request.
    let many: Vec<Value> = (0..101).map(|_| json!({"id": sam, "last_name": "Many"})).collect();
    let (status, body) = app.put("/bigin/v2/users", token, &json!({ "users": many })).await;
    assert_eq!(
        (status, body["code"].as_str(), body["details"]["limit"].as_u64()),
        (StatusCode::BAD_REQUEST, Some("LIMIT_EXCEEDED"), Some(100))
    );
    let (status, body) = app.put("/bigin/v2/users", token, &json!({"users": {}})).await;
    assert_eq!((status, body["details"]["api_name"].as_str()), (StatusCode::BAD_REQUEST, Some("users")));
    assert_eq!(app.get(&format!("/bigin/v2/users/{sam}"), token).await.1["users"][0]["last_name"], "Sam");
    // Updating needs the users update scope.
    let reader = app.tenant("Reader", "ZohoBigin.users.READ").await;
    let (status, body) =
        app.put("/bigin/v2/users", &reader.access_token, &json!({"users": [{"id": reader.org.admin_user_id, "last_name": "X"}]})).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("OAUTH_SCOPE_MISMATCH")));
}
