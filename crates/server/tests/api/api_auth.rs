//! How the API authenticates a call and checks its scopes.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, ALL_SCOPES};
use crate::on_both_backends;

on_both_backends!(missing_or_garbled_headers_fail_authentication, bearer_and_zoho_prefixes_both_work, scopes_are_enforced_per_route);

async fn missing_or_garbled_headers_fail_authentication(app: TestApp) {
    let expected = json!({"code": "AUTHENTICATION_FAILURE", "details": {}, "message": "Authentication failed", "status": "error"});
    let (status, body) = app.call(Method::GET, "/bigin/v2/org", None, None).await;
    assert_eq!((status, body), (StatusCode::UNAUTHORIZED, expected.clone()));
    for header in ["Zoho-oauthtoken", "Basic abc", "Zoho-oauthtoken a b", "", "Token 1000.a.b"] {
        let resp = app.http.get(format!("{}/bigin/v2/org", app.base)).header("Authorization", header).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{header:?}");
        assert_eq!(resp.json::<serde_json::Value>().await.unwrap(), expected, "{header:?}");
    }
    let (status, body) = app.get("/bigin/v2/org", "1000.00000000000000000000000000000000.00000000000000000000000000000000").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body, json!({"code": "INVALID_TOKEN", "details": {}, "message": "invalid oauth token", "status": "error"}));
}

async fn bearer_and_zoho_prefixes_both_work(app: TestApp) {
    let tenant = app.tenant("Zylker", ALL_SCOPES).await;
    for scheme in ["Zoho-oauthtoken", "Bearer", "bearer"] {
        let resp = app
            .http
            .get(format!("{}/bigin/v2/org", app.base))
            .header("Authorization", format!("{scheme} {}", tenant.access_token))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{scheme}");
        assert_eq!(resp.headers()["content-type"], "application/json;charset=utf-8");
    }
}

async fn scopes_are_enforced_per_route(app: TestApp) {
    // Each route, a scope that is enough for it, and one that is not.
    let cases = [
        ("/bigin/v2/org", "ZohoBigin.org.READ", "ZohoBigin.users.ALL"),
        ("/bigin/v2/users", "ZohoBigin.users.READ", "ZohoBigin.org.ALL"),
        ("/bigin/v2/users?type=CurrentUser", "ZohoBigin.users.ALL", "ZohoBigin.modules.ALL"),
        ("/bigin/v2/settings/modules", "ZohoBigin.settings.modules.READ", "ZohoBigin.settings.fields.ALL"),
        ("/bigin/v2/settings/modules/Contacts", "ZohoBigin.settings.ALL", "ZohoBigin.modules.ALL"),
        ("/bigin/v2/Contacts?fields=Last_Name", "ZohoBigin.modules.contacts.READ", "ZohoBigin.modules.accounts.ALL"),
        ("/bigin/v2/Accounts?fields=Account_Name", "ZohoBigin.modules.ALL", "ZohoBigin.modules.contacts.ALL"),
        ("/bigin/v2/Contacts?fields=Last_Name", "ZohoBigin.modules.Contacts.ALL", "ZohoBigin.modules.contacts.CREATE"),
    ];
    for (i, (path, enough, not_enough)) in cases.iter().enumerate() {
        let good = app.tenant(&format!("Good {i}"), enough).await;
        let status = app.get(path, &good.access_token).await.0;
        assert!(status == StatusCode::OK || status == StatusCode::NO_CONTENT, "{path} with {enough}: {status}");
        let bad = app.tenant(&format!("Bad {i}"), not_enough).await;
        let (status, body) = app.get(path, &bad.access_token).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path} with {not_enough}");
        assert_eq!(body["code"], "OAUTH_SCOPE_MISMATCH", "{path} with {not_enough}");
    }
    // Writes need write scopes.
    let reader = app.tenant("Reader", "ZohoBigin.modules.contacts.READ").await;
    let (status, body) = app.post("/bigin/v2/Contacts", &reader.access_token, &json!({"data": [{"Last_Name": "X"}]})).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("OAUTH_SCOPE_MISMATCH")));
    let (status, _) = app.delete("/bigin/v2/Contacts?ids=1000000000000000001", &reader.access_token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let creator = app.tenant("Creator", "ZohoBigin.modules.contacts.CREATE").await;
    let (status, _) = app.post("/bigin/v2/Contacts", &creator.access_token, &json!({"data": [{"Last_Name": "X"}]})).await;
    assert_eq!(status, StatusCode::CREATED);
}
