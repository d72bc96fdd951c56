//! One server hosting two data centres: organizations live in one, tokens work only there, and
//! clients without the multi-DC setting are unknown to the other.

use reqwest::StatusCode;
use serde_json::Value;
use server::provision::{self, NewClient};

use crate::browser::{input_value, option_values, query_of, Browser};
use crate::helpers::{Backend, TestApp, ALL_SCOPES};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_data_centres_keep_to_themselves() {
    data_centres_keep_to_themselves(TestApp::spawn_dcs(Backend::Sqlite, &["us", "eu"]).await).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_data_centres_keep_to_themselves() {
    data_centres_keep_to_themselves(TestApp::spawn_dcs(Backend::Postgres, &["us", "eu"]).await).await
}

async fn token_at(app: &TestApp, base: &str, params: &[(&str, &str)]) -> Value {
    app.http.post(format!("{base}/oauth/v2/token")).form(params).send().await.unwrap().json().await.unwrap()
}

async fn get_at(app: &TestApp, base: &str, path: &str, token: &str) -> (StatusCode, Value) {
    let resp = app.http.get(format!("{base}{path}")).header("Authorization", format!("Zoho-oauthtoken {token}")).send().await.unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn data_centres_keep_to_themselves(app: TestApp) {
    let (us_url, us) = app.dcs[0].clone();
    let (eu_url, eu) = app.dcs[1].clone();
    let email = "anna@zylker.example";
    let org = provision::create_org(&eu, "Zylker GmbH", email, Some("password-1"), "Europe/Berlin").await.unwrap();
    let eu_client = provision::create_client(&eu, &NewClient::new("self", "Self Client", email)).await.unwrap();
    let code = provision::create_self_code(&eu, &eu_client.client_id, &org.org_id, ALL_SCOPES, 3, None).await.unwrap().code;

    // The EU client is unknown at the US accounts server; at the EU one the code works.
    let params = [
        ("grant_type", "authorization_code"),
        ("client_id", eu_client.client_id.as_str()),
        ("client_secret", eu_client.client_secret.as_str()),
        ("code", code.as_str()),
    ];
    assert_eq!(token_at(&app, &us_url, &params).await["error"], "invalid_client");
    let tokens = token_at(&app, &eu_url, &params).await;
    assert_eq!(tokens["api_domain"], eu_url.as_str(), "{tokens}");
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(get_at(&app, &eu_url, "/bigin/v2/org", access).await.1["org"][0]["company_name"], "Zylker GmbH");
    let (status, body) = get_at(&app, &us_url, "/bigin/v2/org", access).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("INVALID_TOKEN")), "an EU token at the US API");
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let refresh_params = [
        ("grant_type", "refresh_token"),
        ("client_id", eu_client.client_id.as_str()),
        ("client_secret", eu_client.client_secret.as_str()),
        ("refresh_token", refresh),
    ];
    assert_eq!(token_at(&app, &us_url, &refresh_params).await["error"], "invalid_client");
    assert!(token_at(&app, &eu_url, &refresh_params).await["access_token"].is_string());

    // A multi-DC client registered in the US works at the EU accounts server, for EU orgs only.
    let uris = vec!["https://app.example/cb".to_string()];
    let multi = provision::create_client(
        &us,
        &NewClient { redirect_uris: &uris, multi_dc: true, ..NewClient::new("server-based", "Global App", email) },
    )
    .await
    .unwrap();
    let single = provision::create_client(&us, &NewClient { redirect_uris: &uris, ..NewClient::new("server-based", "US App", email) })
        .await
        .unwrap();
    // The user signs in at the US accounts server (as Zoho users always start) and picks the EU org.
    let mut browser = Browser::new(&app);
    let query = format!("scope={ALL_SCOPES}&client_id={}&response_type=code&redirect_uri=https://app.example/cb&state=x", multi.client_id);
    let (_, _, page) = browser.get(&format!("/oauth/v2/auth?{query}")).await;
    let next = input_value(&page, "next");
    let csrf = browser.csrf();
    browser.post("/signin", &[("email", email), ("password", "password-1"), ("csrf_token", &csrf), ("next", &next)]).await;
    let (_, _, consent) = browser.get(&next).await;
    assert!(consent.contains("(EU)"));
    let org_id = option_values(&consent)[0].clone();
    let form = [
        ("csrf_token", csrf.as_str()),
        ("client_id", multi.client_id.as_str()),
        ("redirect_uri", "https://app.example/cb"),
        ("scope", ALL_SCOPES),
        ("response_type", "code"),
        ("state", "x"),
        ("org_id", org_id.as_str()),
        ("decision", "allow"),
    ];
    let (_, location, _) = browser.post("/oauth/v2/auth", &form).await;
    let query = query_of(&location.unwrap());
    assert_eq!(query["location"], "eu");
    assert_eq!(query["accounts-server"], eu_url);
    let code = query["code"].clone();
    let exchange = [
        ("grant_type", "authorization_code"),
        ("client_id", multi.client_id.as_str()),
        ("client_secret", multi.client_secret.as_str()),
        ("code", code.as_str()),
        ("redirect_uri", "https://app.example/cb"),
    ];
    assert_eq!(token_at(&app, &us_url, &exchange).await["error"], "invalid_code", "the code belongs to the EU accounts server");
    assert_eq!(token_at(&app, &us_url, &exchange).await["error"], "invalid_code", "and stays so, without counting as a replay");
    // Those failed exchanges did not burn the code: the same code works at its own data centre.
    let tokens = token_at(&app, &eu_url, &exchange).await;
    assert_eq!(tokens["api_domain"], eu_url.as_str(), "{tokens}");
    let access = tokens["access_token"].as_str().unwrap().to_string();
    assert_eq!(get_at(&app, &eu_url, "/bigin/v2/org", &access).await.0, StatusCode::OK);
    // Once used there, trying it at the US is still nothing (and revokes nothing).
    assert_eq!(token_at(&app, &us_url, &exchange).await["error"], "invalid_code");
    assert_eq!(get_at(&app, &eu_url, "/bigin/v2/org", &access).await.0, StatusCode::OK);

    // A client without the multi-DC setting is invalid_client at the other data centre.
    let params = [
        ("grant_type", "refresh_token"),
        ("client_id", single.client_id.as_str()),
        ("client_secret", single.client_secret.as_str()),
        ("refresh_token", "x"),
    ];
    assert_eq!(token_at(&app, &eu_url, &params).await["error"], "invalid_client");
    assert_eq!(token_at(&app, &us_url, &params).await["error"], "invalid_code");
    // ... and at the other data centre's authorization page too, with no redirect.
    let query = format!("scope={ALL_SCOPES}&client_id={}&response_type=code&redirect_uri=https://app.example/cb", single.client_id);
    let mut eu_browser = Browser::new(&app);
    eu_browser.base = eu_url.clone();
    let (status, location, page) = eu_browser.get(&format!("/oauth/v2/auth?{query}")).await;
    assert_eq!((status, location), (StatusCode::BAD_REQUEST, None));
    assert!(page.contains("Invalid Client"), "{page}");
    let (status, _, page) = browser.get(&format!("/oauth/v2/auth?{query}")).await;
    assert_eq!(status, StatusCode::OK, "at its own data centre the consent page shows");
    assert!(page.contains("US App"));

    // Turning the multi-DC setting on in the console's edit form opens the other data centre;
    // turning it off closes it again.
    let edit = format!("/console/clients/{}/edit", single.client_id);
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("name", "US App"),
        ("homepage", "https://app.example"),
        ("redirect_uris", "https://app.example/cb"),
    ];
    let (status, _, _) = browser.post(&edit, &[&fields[..], &[("multi_dc", "on")]].concat()).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(us.store.client(&single.client_id).await.unwrap().unwrap().multi_dc);
    assert_eq!(token_at(&app, &eu_url, &params).await["error"], "invalid_code", "known at the EU now");
    assert_eq!(eu_browser.get(&format!("/oauth/v2/auth?{query}")).await.0, StatusCode::OK);
    assert_eq!(browser.post(&edit, &fields).await.0, StatusCode::SEE_OTHER);
    assert_eq!(token_at(&app, &eu_url, &params).await["error"], "invalid_client");
    assert_eq!(eu_browser.get(&format!("/oauth/v2/auth?{query}")).await.0, StatusCode::BAD_REQUEST);

    // The device flow: a request started at the US and approved for the EU organization is
    // `other_dc` at the US; the device polls the EU accounts server and gets EU tokens there.
    let tv = provision::create_client(
        &us,
        &NewClient { homepage: Some("https://tv.example"), multi_dc: true, ..NewClient::new("non-browser", "TV", email) },
    )
    .await
    .unwrap();
    let started: Value = app
        .http
        .post(format!("{us_url}/oauth/v3/device/code"))
        .form(&[("client_id", tv.client_id.as_str()), ("grant_type", "device_request"), ("scope", ALL_SCOPES)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let user_code = started["user_code"].as_str().unwrap();
    browser.post("/oauth/v3/device", &[("csrf_token", &csrf), ("user_code", user_code)]).await;
    let (status, _, _) = browser
        .post(
            "/oauth/v3/device/approve",
            &[("csrf_token", &csrf), ("user_code", user_code), ("org_id", &org.org_id), ("decision", "allow")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let poll = [
        ("grant_type", "device_token"),
        ("client_id", tv.client_id.as_str()),
        ("client_secret", tv.client_secret.as_str()),
        ("code", started["device_code"].as_str().unwrap()),
    ];
    assert_eq!(token_at(&app, &us_url, &poll).await, serde_json::json!({"error": "other_dc"}));
    app.advance(31);
    let tokens = token_at(&app, &eu_url, &poll).await;
    assert_eq!(tokens["api_domain"], eu_url.as_str(), "{tokens}");
    assert_eq!(get_at(&app, &eu_url, "/bigin/v2/org", tokens["access_token"].as_str().unwrap()).await.0, StatusCode::OK);
}
