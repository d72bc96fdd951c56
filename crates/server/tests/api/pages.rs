//! The authorization-code flow through the sign-in and consent pages, driven over HTTP with a
//! cookie jar (the browser suite in e2e/ drives the same pages in Chromium).

use reqwest::StatusCode;
use serde_json::Value;

use crate::browser::{input_value, option_values, query_of, Browser};
use crate::helpers::{TestApp, ALL_SCOPES};
use crate::on_both_backends;

on_both_backends!(
    consent_with_an_organization_picker_redirects_with_a_code,
    refusals_never_redirect_to_strangers,
    signing_out_ends_the_session
);

const REDIRECT: &str = "https://app.example/callback";

fn auth_path(client_id: &str, access_type: &str) -> String {
    let redirect = url::form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>();
    format!("/oauth/v2/auth?scope={ALL_SCOPES}&client_id={client_id}&response_type=code&access_type={access_type}&redirect_uri={redirect}&state=xyz%20123")
}

/// Signs in from the page an unauthenticated authorization request shows.
async fn sign_in(browser: &mut Browser<'_>, page: &str, email: &str) {
    let next = input_value(page, "next");
    let csrf = browser.csrf();
    let (status, _, html) =
        browser.post("/signin", &[("email", email), ("password", "not it"), ("csrf_token", &csrf), ("next", &next)]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(html.contains("Invalid email address or password"));
    let (status, location, _) =
        browser.post("/signin", &[("email", email), ("password", "password-1"), ("csrf_token", &csrf), ("next", &next)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.unwrap(), next);
    assert!(browser.cookies.contains_key("bb_session"));
}

async fn consent_with_an_organization_picker_redirects_with_a_code(app: TestApp) {
    let email = "pat@zylker.example";
    app.org("Zylker", email).await;
    // The same person administers a second organization.
    let second = server::provision::create_org(&app.state, "Zylker EU", email, None, "Europe/Berlin").await.unwrap();
    let client = app.server_client(email, REDIRECT).await;
    let mut browser = Browser::new(&app);

    let (status, _, page) = browser.get(&auth_path(&client.client_id, "offline")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Sign in"));
    sign_in(&mut browser, &page, email).await;

    let (status, _, consent) = browser.get(&auth_path(&client.client_id, "offline")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(consent.contains("Web App") && consent.contains("ZohoBigin.modules.ALL"));
    let orgs = option_values(&consent);
    assert_eq!(orgs.len(), 2);
    assert!(orgs.contains(&second.org_id));

    let csrf = browser.csrf();
    let mut form: Vec<(String, String)> = ["client_id", "redirect_uri", "scope", "response_type", "access_type", "state"]
        .iter()
        .map(|k| (k.to_string(), input_value(&consent, k)))
        .collect();
    form.push(("csrf_token".into(), csrf));
    form.push(("org_id".into(), second.org_id.clone()));
    let mut allow = form.clone();
    allow.push(("decision".into(), "allow".into()));
    let allow_refs: Vec<(&str, &str)> = allow.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, location, _) = browser.post("/oauth/v2/auth", &allow_refs).await;
    assert!(status.is_redirection(), "{status}");
    let location = location.unwrap();
    assert!(location.starts_with(REDIRECT));
    let query = query_of(&location);
    assert_eq!(query["state"], "xyz 123");
    assert_eq!(query["location"], "us");
    assert_eq!(query["accounts-server"], app.base);
    let code = query["code"].clone();

    let exchange = |redirect: &'static str, code: String| {
        let client = &client;
        let app = &app;
        async move {
            app.token_call(&[
                ("grant_type", "authorization_code"),
                ("client_id", &client.client_id),
                ("client_secret", &client.client_secret),
                ("redirect_uri", redirect),
                ("code", &code),
            ])
            .await
            .1
        }
    };
    let tokens: Value = exchange(REDIRECT, code).await;
    assert!(tokens["refresh_token"].is_string(), "offline gives a refresh token: {tokens}");
    let (_, org) = app.get("/bigin/v2/org", tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(org["org"][0]["company_name"], "Zylker EU");

    // access_type=online: an access token only; a redirect_uri that differs is refused.
    let (_, location, _) = browser.post("/oauth/v2/auth", &online(&allow)).await;
    let code = query_of(&location.unwrap())["code"].clone();
    assert_eq!(exchange("https://app.example/callback/", code).await["error"], "invalid_redirect_uri");
    let (_, location, _) = browser.post("/oauth/v2/auth", &online(&allow)).await;
    let tokens = exchange(REDIRECT, query_of(&location.unwrap())["code"].clone()).await;
    assert!(tokens["access_token"].is_string() && tokens.get("refresh_token").is_none(), "{tokens}");

    // Codes live two minutes.
    let (_, location, _) = browser.post("/oauth/v2/auth", &allow_refs).await;
    app.advance(121);
    assert_eq!(exchange(REDIRECT, query_of(&location.unwrap())["code"].clone()).await["error"], "invalid_code");

    // Refusing consent sends the user back with access_denied.
    let mut deny = form.clone();
    deny.push(("decision".into(), "deny".into()));
    let deny_refs: Vec<(&str, &str)> = deny.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (_, location, _) = browser.post("/oauth/v2/auth", &deny_refs).await;
    let query = query_of(&location.unwrap());
    assert_eq!((query["error"].as_str(), query["state"].as_str()), ("access_denied", "xyz 123"));
    assert!(!query.contains_key("code"));
}

fn online(form: &[(String, String)]) -> Vec<(&str, &str)> {
    form.iter().map(|(k, v)| (k.as_str(), if k == "access_type" { "online" } else { v.as_str() })).collect()
}

async fn refusals_never_redirect_to_strangers(app: TestApp) {
    let email = "pat@zylker.example";
    let org = app.org("Zylker", email).await;
    let client = app.server_client(email, REDIRECT).await;
    let mut browser = Browser::new(&app);

    // An unregistered or altered redirect_uri gets a page, never a redirect.
    for redirect in [
        "https://evil.example/callback",
        "https://app.example/callback/",
        "https://APP.example/callback",
        "https://app.example/callback?x=1",
    ] {
        let encoded: String = url::form_urlencoded::byte_serialize(redirect.as_bytes()).collect();
        let path = format!("/oauth/v2/auth?scope={ALL_SCOPES}&client_id={}&response_type=code&redirect_uri={encoded}", client.client_id);
        let (status, location, _) = browser.get(&path).await;
        assert_eq!((status, location), (StatusCode::BAD_REQUEST, None), "{redirect}");
    }
    let (status, location, _) = browser.get(&auth_path("1000.UNKNOWN", "online")).await;
    assert_eq!((status, location), (StatusCode::BAD_REQUEST, None));

    // A bad scope is reported to the (registered) redirect URI.
    let encoded: String = url::form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect();
    let path = format!(
        "/oauth/v2/auth?scope=ZohoCRM.modules.ALL&client_id={}&response_type=code&redirect_uri={encoded}&state=s",
        client.client_id
    );
    let (_, location, _) = browser.get(&path).await;
    assert_eq!(query_of(&location.unwrap())["error"], "invalid_scope");

    // Sign-in needs the CSRF token; `next` never leaves the server.
    let (_, _, _) = browser.get("/signin").await;
    let (status, _, _) = browser.post("/signin", &[("email", email), ("password", "password-1"), ("next", "/")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let csrf = browser.csrf();
    let (status, location, _) =
        browser.post("/signin", &[("email", email), ("password", "password-1"), ("csrf_token", &csrf), ("next", "//evil.example/x")]).await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some("/")));

    // The consent form needs the CSRF token too.
    let form = [
        ("client_id", client.client_id.as_str()),
        ("redirect_uri", REDIRECT),
        ("scope", ALL_SCOPES),
        ("response_type", "code"),
        ("org_id", org.org_id.as_str()),
        ("decision", "allow"),
    ];
    let (status, location, _) = browser.post("/oauth/v2/auth", &form).await;
    assert_eq!((status, location), (StatusCode::FORBIDDEN, None));
    // A self client cannot run the browser flow.
    let self_client = app.self_client(email).await;
    let (status, _, _) = browser.get(&auth_path(&self_client.client_id, "online")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

async fn signing_out_ends_the_session(app: TestApp) {
    let email = "pat@zylker.example";
    app.org("Zylker", email).await;
    let mut browser = Browser::new(&app);
    browser.get("/signin").await;
    let csrf = browser.csrf();
    browser.post("/signin", &[("email", email), ("password", "password-1"), ("csrf_token", &csrf), ("next", "/console")]).await;
    assert_eq!(browser.get("/console").await.0, StatusCode::OK);
    let session = browser.cookies["bb_session"].clone();

    let (status, location, _) = browser.post("/signout", &[("csrf_token", &csrf)]).await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some("/signin")));
    assert_eq!(browser.cookies["bb_session"], "", "the cookie is cleared");
    let (status, location, _) = browser.get("/console").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.unwrap().starts_with("/signin"));
    // The old session id is dead on the server too, not only forgotten by this browser.
    browser.cookies.insert("bb_session".into(), session);
    let (status, location, _) = browser.get("/console").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.unwrap().starts_with("/signin"));
}
