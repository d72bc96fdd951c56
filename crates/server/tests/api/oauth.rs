//! The token and revoke endpoints, as Zoho Accounts answers them.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{TestApp, ALL_SCOPES};
use crate::on_both_backends;

on_both_backends!(
    self_client_code_gives_tokens_once,
    replayed_code_revokes_what_it_issued,
    refresh_mints_new_access_tokens,
    token_endpoint_takes_query_string_parameters,
    client_errors_are_reported_in_a_200,
    codes_and_access_tokens_expire,
    self_client_codes_live_their_chosen_duration,
    revoking_a_refresh_token_kills_its_access_tokens,
    revoking_an_access_token,
    database_holds_no_secret_in_clear,
    deleting_a_client_kills_its_codes_and_tokens,
);

fn is_zoho_token(value: &Value) -> bool {
    let text = value.as_str().unwrap_or("");
    let parts: Vec<&str> = text.split('.').collect();
    parts.len() == 3 && parts[0] == "1000" && parts[1..].iter().all(|p| p.len() == 32 && p.chars().all(|c| c.is_ascii_hexdigit()))
}

async fn self_client_code_gives_tokens_once(app: TestApp) {
    let org = app.org("Zylker", "pat@zylker.example").await;
    let client = app.self_client("pat@zylker.example").await;
    let code = app.self_code(&client, &org.org_id, ALL_SCOPES).await;
    let tokens = app.exchange(&client, &code).await;
    let keys: Vec<&str> = tokens.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["access_token", "refresh_token", "api_domain", "token_type", "expires_in"]);
    assert!(is_zoho_token(&tokens["access_token"]) && is_zoho_token(&tokens["refresh_token"]));
    assert_eq!(tokens["api_domain"], app.base.as_str());
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3600);

    let (status, again) = app
        .token_call(&[
            ("grant_type", "authorization_code"),
            ("client_id", &client.client_id),
            ("client_secret", &client.client_secret),
            ("code", &code),
        ])
        .await;
    assert_eq!((status, again), (StatusCode::OK, serde_json::json!({"error": "invalid_code"})));
}

async fn replayed_code_revokes_what_it_issued(app: TestApp) {
    let org = app.org("Zylker", "pat@zylker.example").await;
    let client = app.self_client("pat@zylker.example").await;
    let code = app.self_code(&client, &org.org_id, ALL_SCOPES).await;
    let tokens = app.exchange(&client, &code).await;
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(app.get("/bigin/v2/org", access).await.0, StatusCode::OK);

    let replay = app.exchange(&client, &code).await;
    assert_eq!(replay["error"], "invalid_code");
    let (status, body) = app.get("/bigin/v2/org", access).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("INVALID_TOKEN")));
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let (_, body) = app
        .token_call(&[
            ("grant_type", "refresh_token"),
            ("client_id", &client.client_id),
            ("client_secret", &client.client_secret),
            ("refresh_token", refresh),
        ])
        .await;
    assert_eq!(body["error"], "invalid_code");
}

async fn refresh_mints_new_access_tokens(app: TestApp) {
    let tenant = app.tenant("Zylker", ALL_SCOPES).await;
    let params = [
        ("grant_type", "refresh_token"),
        ("client_id", tenant.client.client_id.as_str()),
        ("client_secret", tenant.client.client_secret.as_str()),
        ("refresh_token", tenant.refresh_token.as_str()),
    ];
    let (status, body) = app.token_call(&params).await;
    assert_eq!(status, StatusCode::OK);
    let keys: Vec<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["access_token", "api_domain", "token_type", "expires_in"]);
    let fresh = body["access_token"].as_str().unwrap();
    assert_ne!(fresh, tenant.access_token);
    let (status, org) = app.get("/bigin/v2/org", fresh).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(org["org"][0]["company_name"], "Zylker");
    // The first access token keeps working beside the new one.
    assert_eq!(app.get("/bigin/v2/org", &tenant.access_token).await.0, StatusCode::OK);

    // A refresh token belongs to its client.
    let other = app.self_client(&tenant.org.admin_email).await;
    let (_, body) = app
        .token_call(&[
            ("grant_type", "refresh_token"),
            ("client_id", &other.client_id),
            ("client_secret", &other.client_secret),
            ("refresh_token", &tenant.refresh_token),
        ])
        .await;
    assert_eq!(body["error"], "invalid_code");
}

async fn token_endpoint_takes_query_string_parameters(app: TestApp) {
    let tenant = app.tenant("Zylker", ALL_SCOPES).await;
    let url = format!(
        "{}/oauth/v2/token?grant_type=refresh_token&client_id={}&client_secret={}&refresh_token={}",
        app.base, tenant.client.client_id, tenant.client.client_secret, tenant.refresh_token
    );
    let resp = app.http.post(url).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let body: Value = resp.json().await.unwrap();
    assert!(is_zoho_token(&body["access_token"]));
}

async fn client_errors_are_reported_in_a_200(app: TestApp) {
    let tenant = app.tenant("Zylker", ALL_SCOPES).await;
    let id = tenant.client.client_id.as_str();
    let secret = tenant.client.client_secret.as_str();
    let rt = tenant.refresh_token.as_str();
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            vec![("grant_type", "refresh_token"), ("client_id", "1000.NOSUCHCLIENT"), ("client_secret", secret), ("refresh_token", rt)],
            "invalid_client",
        ),
        (
            vec![("grant_type", "refresh_token"), ("client_id", id), ("client_secret", "wrong"), ("refresh_token", rt)],
            "invalid_client_secret",
        ),
        (vec![("grant_type", "refresh_token"), ("client_id", id), ("refresh_token", rt)], "invalid_client_secret"),
        (
            vec![("grant_type", "refresh_token"), ("client_id", id), ("client_secret", secret), ("refresh_token", "1000.x.y")],
            "invalid_code",
        ),
        (
            vec![("grant_type", "authorization_code"), ("client_id", id), ("client_secret", secret), ("code", "1000.abc.def")],
            "invalid_code",
        ),
        (vec![("grant_type", "authorization_code"), ("client_id", id), ("client_secret", secret)], "invalid_code"),
        (vec![("grant_type", "client_credentials"), ("client_id", id), ("client_secret", secret)], "unsupported_grant_type"),
    ];
    for (params, expected) in cases {
        let (status, body) = app.token_call(&params).await;
        assert_eq!((status, body), (StatusCode::OK, serde_json::json!({ "error": expected })), "{params:?}");
    }
}

async fn codes_and_access_tokens_expire(app: TestApp) {
    let org = app.org("Zylker", "pat@zylker.example").await;
    let client = app.self_client("pat@zylker.example").await;
    let code = app.self_code(&client, &org.org_id, ALL_SCOPES).await;
    app.advance(3 * 60 + 1);
    assert_eq!(app.exchange(&client, &code).await["error"], "invalid_code");

    let tenant = app.tenant("Other", ALL_SCOPES).await;
    app.advance(3599);
    assert_eq!(app.get("/bigin/v2/org", &tenant.access_token).await.0, StatusCode::OK);
    app.advance(2);
    let (status, body) = app.get("/bigin/v2/org", &tenant.access_token).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("INVALID_TOKEN")));
}

async fn self_client_codes_live_their_chosen_duration(app: TestApp) {
    let org = app.org("Zylker", "pat@zylker.example").await;
    let client = app.self_client("pat@zylker.example").await;
    for minutes in [3, 5, 7, 10] {
        let code = |_| async {
            server::provision::create_self_code(&app.state, &client.client_id, &org.org_id, ALL_SCOPES, minutes, None).await.unwrap().code
        };
        let (in_time, late) = (code(0).await, code(1).await);
        app.advance(i64::from(minutes) * 60 - 1);
        assert!(app.exchange(&client, &in_time).await["access_token"].is_string(), "{minutes} min: a second before expiry");
        app.advance(1);
        assert_eq!(app.exchange(&client, &late).await, serde_json::json!({"error": "invalid_code"}), "{minutes} min: expired");
    }
}

async fn revoking_a_refresh_token_kills_its_access_tokens(app: TestApp) {
    let tenant = app.tenant("Zylker", ALL_SCOPES).await;
    let refresh = [
        ("grant_type", "refresh_token"),
        ("client_id", tenant.client.client_id.as_str()),
        ("client_secret", tenant.client.client_secret.as_str()),
        ("refresh_token", tenant.refresh_token.as_str()),
    ];
    let minted = app.token_call(&refresh).await.1["access_token"].as_str().unwrap().to_string();
    // Warm the token cache so that the revoke has to evict the entries.
    assert_eq!(app.get("/bigin/v2/org", &minted).await.0, StatusCode::OK);
    assert_eq!(app.get("/bigin/v2/org", &tenant.access_token).await.0, StatusCode::OK);

    let resp = app.http.post(format!("{}/oauth/v2/token/revoke?token={}", app.base, tenant.refresh_token)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.json::<Value>().await.unwrap(), serde_json::json!({"status": "success"}));

    for token in [&minted, &tenant.access_token] {
        let (status, body) = app.get("/bigin/v2/org", token).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("INVALID_TOKEN")));
    }
    assert_eq!(app.token_call(&refresh).await.1["error"], "invalid_code");
    let resp = app.http.post(format!("{}/oauth/v2/token/revoke?token={}", app.base, tenant.refresh_token)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
}

async fn revoking_an_access_token(app: TestApp) {
    let tenant = app.tenant("Zylker", ALL_SCOPES).await;
    assert_eq!(app.get("/bigin/v2/org", &tenant.access_token).await.0, StatusCode::OK);
    let resp = app.http.post(format!("{}/oauth/v2/token/revoke", app.base)).form(&[("token", &tenant.access_token)]).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let (status, body) = app.call(Method::GET, "/bigin/v2/org", Some(&tenant.access_token), None).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("INVALID_TOKEN")));
}

async fn database_holds_no_secret_in_clear(app: TestApp) {
    let tenant = app.tenant("Zylker", ALL_SCOPES).await;
    let code = app.self_code(&tenant.client, &tenant.org.org_id, ALL_SCOPES).await;
    // A device code and a session too.
    let device = server::provision::create_client(
        &app.state,
        &server::provision::NewClient {
            homepage: Some("https://tv.example"),
            ..server::provision::NewClient::new("non-browser", "TV", &tenant.org.admin_email)
        },
    )
    .await
    .unwrap();
    let form = [("client_id", device.client_id.as_str()), ("grant_type", "device_request"), ("scope", ALL_SCOPES)];
    let started: serde_json::Value =
        app.http.post(format!("{}/oauth/v3/device/code", app.base)).form(&form).send().await.unwrap().json().await.unwrap();
    let device_code = started["device_code"].as_str().unwrap().to_string();
    let mut browser = crate::browser::Browser::new(&app);
    browser.get("/signin").await;
    let csrf = browser.csrf();
    browser
        .post("/signin", &[("email", tenant.org.admin_email.as_str()), ("password", "password-1"), ("csrf_token", &csrf), ("next", "/")])
        .await;
    let session = browser.cookies["bb_session"].clone();
    let dump = app.dump().await;
    assert!(dump.contains("Zylker"), "the dump reads the database");
    for secret in [
        tenant.client.client_secret.as_str(),
        &tenant.access_token,
        &tenant.refresh_token,
        &code,
        "password-1",
        &device.client_secret,
        &device_code,
        &session,
    ] {
        assert!(!dump.contains(secret), "{secret} is stored in clear");
        // Nor the random halves of a token on their own.
        for part in secret.split('.').filter(|p| p.len() == 32) {
            assert!(!dump.contains(part), "part of {secret} is stored in clear");
        }
    }
}

async fn deleting_a_client_kills_its_codes_and_tokens(app: TestApp) {
    let tenant = app.tenant("Zylker", ALL_SCOPES).await;
    let refresh = [
        ("grant_type", "refresh_token"),
        ("client_id", tenant.client.client_id.as_str()),
        ("client_secret", tenant.client.client_secret.as_str()),
        ("refresh_token", tenant.refresh_token.as_str()),
    ];
    let minted = app.token_call(&refresh).await.1["access_token"].as_str().unwrap().to_string();
    let unused_code = app.self_code(&tenant.client, &tenant.org.org_id, ALL_SCOPES).await;
    // Warm this node's token cache, so that the delete has to evict the entries.
    for token in [&minted, &tenant.access_token] {
        assert_eq!(app.get("/bigin/v2/org", token).await.0, StatusCode::OK);
    }
    // Another client of the same user keeps working.
    let other = app.self_client(&tenant.org.admin_email).await;
    let other_code = app.self_code(&other, &tenant.org.org_id, ALL_SCOPES).await;
    let other_access = app.exchange(&other, &other_code).await["access_token"].as_str().unwrap().to_string();

    assert!(server::provision::delete_client(&app.state, &tenant.client.client_id).await.unwrap());
    for token in [&minted, &tenant.access_token] {
        let (status, body) = app.get("/bigin/v2/org", token).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("INVALID_TOKEN")));
    }
    assert_eq!(app.token_call(&refresh).await.1, serde_json::json!({"error": "invalid_client"}));
    assert_eq!(app.exchange(&tenant.client, &unused_code).await, serde_json::json!({"error": "invalid_client"}));
    let store = &app.state.store;
    assert!(store.refresh_token(&app.state.secrets.digest(&tenant.refresh_token)).await.unwrap().is_none(), "tokens are gone");
    assert!(store.code(&app.state.secrets.digest(&unused_code)).await.unwrap().is_none(), "codes are gone");
    assert_eq!(app.get("/bigin/v2/org", &other_access).await.0, StatusCode::OK);

    // Deleted by another process (the CLI), this node's cache trusts a token for at most 30 s.
    let other_id = other.client_id.clone();
    assert!(app.state.store.delete_client(&other_id).await.unwrap());
    app.advance(31);
    let (status, body) = app.get("/bigin/v2/org", &other_access).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("INVALID_TOKEN")));
}
