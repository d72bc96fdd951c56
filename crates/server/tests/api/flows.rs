//! The authorization server's flows and limits: PKCE, Client-based (implicit) clients, the
//! device flow, Zoho's token limits and brute-force throttling (redirect URIs: `redirect_uris.rs`).

use reqwest::StatusCode;
use serde_json::Value;
use server::provision::{self, NewClient};

use crate::browser::{input_value, query_of, Browser};
use crate::helpers::{TestApp, ALL_SCOPES};
use crate::on_both_backends;

on_both_backends!(
    mobile_clients_must_prove_pkce_s256,
    pkce_is_honoured_for_server_clients,
    client_based_clients_get_a_token_in_the_fragment,
    consent_is_asked_once_unless_prompt_consent,
    the_device_flow_polls_until_the_user_decides,
    the_21st_refresh_token_evicts_the_oldest,
    the_11th_access_token_in_10_minutes_is_refused,
    parallel_refreshes_and_exchanges_keep_the_limits,
    wrong_secrets_and_passwords_lock_out_for_a_while,
);

const REDIRECT: &str = "https://app.example/cb";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

async fn client_of(app: &TestApp, client_type: &str, email: &str) -> provision::ClientCreated {
    let uris = vec![REDIRECT.to_string()];
    let js = vec!["https://app.example".to_string()];
    let new = NewClient {
        redirect_uris: if client_type == "non-browser" { &[] } else { &uris },
        js_domains: if client_type == "client-based" { &js } else { &[] },
        homepage: Some("https://app.example"),
        ..NewClient::new(client_type, "My App", email)
    };
    provision::create_client(&app.state, &new).await.unwrap()
}

/// Signs in and accepts the consent page for `query`; returns the redirect's location.
async fn consent(browser: &mut Browser<'_>, email: &str, query: &str) -> String {
    let (status, location, page) = browser.get(&format!("/oauth/v2/auth?{query}")).await;
    if status != StatusCode::OK {
        return location.unwrap_or_default();
    }
    if page.contains("name=\"password\"") {
        let next = input_value(&page, "next");
        let csrf = browser.csrf();
        browser.post("/signin", &[("email", email), ("password", "password-1"), ("csrf_token", &csrf), ("next", &next)]).await;
        let (_, location, page2) = browser.get(&format!("/oauth/v2/auth?{query}")).await;
        if let Some(location) = location {
            return location;
        }
        return accept(browser, &page2).await;
    }
    accept(browser, &page).await
}

async fn accept(browser: &mut Browser<'_>, page: &str) -> String {
    let mut form: Vec<(String, String)> = vec![("csrf_token".into(), browser.csrf()), ("decision".into(), "allow".into())];
    for name in ["client_id", "redirect_uri", "scope", "response_type", "access_type", "state", "code_challenge", "code_challenge_method"] {
        if page.contains(&format!("name=\"{name}\" value=\"")) {
            form.push((name.into(), input_value(page, name)));
        }
    }
    let org = crate::browser::option_values(page)[0].clone();
    form.push(("org_id".into(), org));
    let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    browser.post("/oauth/v2/auth", &refs).await.1.unwrap_or_default()
}

fn auth_query(client_id: &str, response_type: &str, extra: &str) -> String {
    format!("scope={ALL_SCOPES}&client_id={client_id}&response_type={response_type}&redirect_uri={REDIRECT}&state=s1{extra}")
}

async fn exchange(app: &TestApp, client_id: &str, secret: Option<&str>, code: &str, verifier: Option<&str>) -> Value {
    let mut params = vec![("grant_type", "authorization_code"), ("client_id", client_id), ("code", code), ("redirect_uri", REDIRECT)];
    if let Some(secret) = secret {
        params.push(("client_secret", secret));
    }
    if let Some(verifier) = verifier {
        params.push(("code_verifier", verifier));
    }
    app.token_call(&params).await.1
}

async fn mobile_clients_must_prove_pkce_s256(app: TestApp) {
    let email = "pat@zylker.example";
    app.org("Zylker", email).await;
    let client = client_of(&app, "mobile", email).await;
    let mut browser = Browser::new(&app);
    // Without PKCE, or with `plain`, a mobile client is refused.
    for extra in ["", &format!("&code_challenge={CHALLENGE}&code_challenge_method=plain"), &format!("&code_challenge={CHALLENGE}")] {
        let location = consent(&mut browser, email, &auth_query(&client.client_id, "code", extra)).await;
        assert_eq!(query_of(&location)["error"], "invalid_request", "{extra}");
    }
    let pkce = format!("&code_challenge={CHALLENGE}&code_challenge_method=S256");
    let mut codes = Vec::new();
    for _ in 0..4 {
        let location = consent(&mut browser, email, &auth_query(&client.client_id, "code", &pkce)).await;
        codes.push(query_of(&location)["code"].clone());
    }
    assert_eq!(exchange(&app, &client.client_id, None, &codes[0], None).await["error"], "invalid_code", "missing verifier");
    assert_eq!(
        exchange(&app, &client.client_id, None, &codes[1], Some("wrong-verifier-wrong-verifier-wrong-verifier")).await["error"],
        "invalid_code"
    );
    assert_eq!(
        exchange(&app, &client.client_id, None, &codes[2], Some(CHALLENGE)).await["error"],
        "invalid_code",
        "the challenge itself is no verifier"
    );
    let tokens = exchange(&app, &client.client_id, None, &codes[3], Some(VERIFIER)).await;
    assert!(tokens["access_token"].is_string(), "a public client proves itself with PKCE alone: {tokens}");
    assert_eq!(app.get("/bigin/v2/org", tokens["access_token"].as_str().unwrap()).await.0, StatusCode::OK);
}

async fn pkce_is_honoured_for_server_clients(app: TestApp) {
    let email = "pat@zylker.example";
    app.org("Zylker", email).await;
    let client = client_of(&app, "server-based", email).await;
    let mut browser = Browser::new(&app);
    // A server client that sends a challenge gets S256 or nothing: `plain`, a challenge without
    // its method, or a method without a challenge is refused, as for mobile clients.
    for extra in [
        format!("&code_challenge={CHALLENGE}&code_challenge_method=plain"),
        format!("&code_challenge={CHALLENGE}"),
        "&code_challenge_method=S256".to_string(),
        format!("&code_challenge={CHALLENGE}&code_challenge_method=s256"),
    ] {
        let location = consent(&mut browser, email, &auth_query(&client.client_id, "code", &extra)).await;
        assert_eq!(query_of(&location)["error"], "invalid_request", "{extra}");
    }
    let pkce = format!("&code_challenge={CHALLENGE}&code_challenge_method=S256&access_type=offline");
    let first = query_of(&consent(&mut browser, email, &auth_query(&client.client_id, "code", &pkce)).await)["code"].clone();
    assert_eq!(exchange(&app, &client.client_id, Some(&client.client_secret), &first, None).await["error"], "invalid_code");
    // The verifier cannot be downgraded to the challenge itself (what `plain` would accept), nor
    // left empty; the secret alone does not replace it.
    for verifier in [CHALLENGE, "", "wrong-verifier-wrong-verifier-wrong-verifier"] {
        let answer = exchange(&app, &client.client_id, Some(&client.client_secret), &first, Some(verifier)).await;
        assert_eq!(answer, serde_json::json!({"error": "invalid_code"}), "{verifier:?}");
    }
    let second = query_of(&consent(&mut browser, email, &auth_query(&client.client_id, "code", &pkce)).await)["code"].clone();
    let tokens = exchange(&app, &client.client_id, Some(&client.client_secret), &second, Some(VERIFIER)).await;
    assert!(tokens["refresh_token"].is_string(), "{tokens}");
    // A server client's code without PKCE still needs the secret.
    let plain = query_of(&consent(&mut browser, email, &auth_query(&client.client_id, "code", "")).await)["code"].clone();
    assert_eq!(exchange(&app, &client.client_id, None, &plain, None).await["error"], "invalid_client_secret");
    // A code of one client is nothing to another.
    let other = client_of(&app, "server-based", email).await;
    let code = query_of(&consent(&mut browser, email, &auth_query(&client.client_id, "code", "")).await)["code"].clone();
    assert_eq!(exchange(&app, &other.client_id, Some(&other.client_secret), &code, None).await["error"], "invalid_code");
    assert!(
        exchange(&app, &client.client_id, Some(&client.client_secret), &code, None).await["access_token"].is_string(),
        "and stays usable by its own"
    );
}

async fn consent_is_asked_once_unless_prompt_consent(app: TestApp) {
    let email = "pat@zylker.example";
    app.org("Zylker", email).await;
    let client = client_of(&app, "server-based", email).await;
    let secret = Some(client.client_secret.as_str());
    let mut browser = Browser::new(&app);
    let query = |scope: &str, extra: &str| {
        format!("scope={scope}&client_id={}&response_type=code&redirect_uri={REDIRECT}&state=s1{extra}", client.client_id)
    };

    // The first time, the consent page shows each scope with what it allows.
    let (status, _, page) = browser.get(&format!("/oauth/v2/auth?{}", query(ALL_SCOPES, "&access_type=offline"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("name=\"password\""), "sign in first");
    let location = consent(&mut browser, email, &query(ALL_SCOPES, "&access_type=offline")).await;
    let tokens = exchange(&app, &client.client_id, secret, &query_of(&location)["code"], None).await;
    assert!(tokens["refresh_token"].is_string(), "{tokens}");
    let (status, _, page) = browser.get(&format!("/oauth/v2/auth?{}", query(ALL_SCOPES, "&prompt=consent"))).await;
    assert_eq!(status, StatusCode::OK);
    let page = crate::browser::unescape(&page);
    for (scope, description) in [
        ("ZohoBigin.modules.ALL", "view, create, update and delete records"),
        ("ZohoBigin.settings.ALL", "view and change settings and metadata"),
        ("ZohoBigin.users.ALL", "view and manage users"),
        ("ZohoBigin.org.ALL", "view and change organization details"),
        ("ZohoBigin.change_owner.CREATE", "change the owners of records"),
    ] {
        assert!(page.contains(&format!("<code>{scope}</code>: {description}</li>")), "{scope}: {page}");
    }

    // Asked again for the same scopes (or fewer), the user goes straight back with a code, and
    // no new refresh token even with access_type=offline.
    for scope in [ALL_SCOPES, "ZohoBigin.org.ALL", "ZohoBigin.modules.all"] {
        let (status, location, _) = browser.get(&format!("/oauth/v2/auth?{}", query(scope, "&access_type=offline"))).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{scope}");
        let back = query_of(&location.unwrap());
        assert_eq!((back["state"].as_str(), back["location"].as_str()), ("s1", "us"));
        let tokens = exchange(&app, &client.client_id, secret, &back["code"], None).await;
        assert!(tokens["access_token"].is_string() && tokens.get("refresh_token").is_none(), "{tokens}");
    }
    // A scope not granted before, or prompt=consent, shows the page; accepting it there with
    // access_type=offline gives a new refresh token.
    let (status, _, _) = browser.get(&format!("/oauth/v2/auth?{}", query("ZohoBigin.coql.READ", ""))).await;
    assert_eq!(status, StatusCode::OK);
    let location = consent(&mut browser, email, &query(ALL_SCOPES, "&access_type=offline&prompt=consent")).await;
    let again = exchange(&app, &client.client_id, secret, &query_of(&location)["code"], None).await;
    assert!(again["refresh_token"].is_string(), "{again}");
    // Bad requests are still refused before anything is skipped.
    let (_, location, _) = browser.get(&format!("/oauth/v2/auth?{}", query(ALL_SCOPES, "&code_challenge_method=plain"))).await;
    assert_eq!(query_of(&location.unwrap())["error"], "invalid_request");
    // Once the user revokes what they granted, they are asked again.
    for refresh in [&tokens["refresh_token"], &again["refresh_token"]] {
        let url = format!("{}/oauth/v2/token/revoke?token={}", app.base, refresh.as_str().unwrap());
        assert_eq!(app.http.post(url).send().await.unwrap().status(), StatusCode::OK);
    }
    let (status, _, _) = browser.get(&format!("/oauth/v2/auth?{}", query(ALL_SCOPES, ""))).await;
    assert_eq!(status, StatusCode::OK);
}

async fn client_based_clients_get_a_token_in_the_fragment(app: TestApp) {
    let email = "pat@zylker.example";
    app.org("Zylker", email).await;
    let client = client_of(&app, "client-based", email).await;
    let mut browser = Browser::new(&app);
    let location = consent(&mut browser, email, &auth_query(&client.client_id, "token", "&access_type=offline")).await;
    assert!(location.starts_with(REDIRECT), "{location}");
    let fragment = location.split_once('#').unwrap().1;
    let pairs: std::collections::HashMap<String, String> = url::form_urlencoded::parse(fragment.as_bytes()).into_owned().collect();
    assert_eq!(pairs["token_type"], "Bearer");
    assert_eq!(pairs["expires_in"], "3600");
    assert_eq!(pairs["state"], "s1");
    assert_eq!(pairs["location"], "us");
    assert_eq!(pairs["api_domain"], app.base);
    assert!(!pairs.contains_key("refresh_token"), "browsers never get refresh tokens");
    assert_eq!(app.get("/bigin/v2/org", &pairs["access_token"]).await.0, StatusCode::OK);
    assert!(!location.contains("?code="), "no code in the query");
    let location = consent(&mut browser, email, &auth_query(&client.client_id, "code", "")).await;
    assert_eq!(query_of(&location)["error"], "unsupported_response_type");
}

async fn the_device_flow_polls_until_the_user_decides(app: TestApp) {
    let email = "pat@zylker.example";
    app.org("Zylker", email).await;
    let device = client_of(&app, "non-browser", email).await;
    let start = |access_type: &'static str| {
        let app = &app;
        let client_id = device.client_id.clone();
        async move {
            let form =
                [("client_id", client_id.as_str()), ("grant_type", "device_request"), ("scope", ALL_SCOPES), ("access_type", access_type)];
            let resp = app.http.post(format!("{}/oauth/v3/device/code", app.base)).form(&form).send().await.unwrap();
            resp.json::<Value>().await.unwrap()
        }
    };
    let poll = |device_code: String| {
        let app = &app;
        let (id, secret) = (device.client_id.clone(), device.client_secret.clone());
        async move {
            let form = [
                ("client_id", id.as_str()),
                ("client_secret", secret.as_str()),
                ("grant_type", "device_token"),
                ("code", device_code.as_str()),
            ];
            let resp = app.http.post(format!("{}/oauth/v3/device/token", app.base)).form(&form).send().await.unwrap();
            resp.json::<Value>().await.unwrap()
        }
    };
    let request = start("offline").await;
    let keys: Vec<&str> = request.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["user_code", "device_code", "verification_url", "expires_in", "interval"]);
    assert_eq!(request["verification_url"], format!("{}/oauth/v3/device", app.base));
    let device_code = request["device_code"].as_str().unwrap().to_string();
    let user_code = request["user_code"].as_str().unwrap().to_string();
    assert_eq!(poll(device_code.clone()).await["error"], "authorization_pending");
    assert_eq!(poll(device_code.clone()).await["error"], "slow_down", "two polls within 30 s");
    app.advance(31);
    assert_eq!(poll(device_code.clone()).await["error"], "authorization_pending");

    // The user signs in at the verification page, types the code (any case), picks the org.
    let mut browser = Browser::new(&app);
    let (_, _, page) = browser.get(&format!("/oauth/v3/device?user_code={user_code}")).await;
    let next = input_value(&page, "next");
    let csrf = browser.csrf();
    browser.post("/signin", &[("email", email), ("password", "password-1"), ("csrf_token", &csrf), ("next", &next)]).await;
    let (_, _, page) = browser.get(&next).await;
    assert!(page.contains(&user_code));
    let typed = user_code.to_lowercase().replace('-', "");
    let (status, _, consent_page) = browser.post("/oauth/v3/device", &[("csrf_token", &csrf), ("user_code", &typed)]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(consent_page.contains("My App"));
    let org = crate::browser::option_values(&consent_page)[0].clone();
    let (status, _, done) = browser
        .post("/oauth/v3/device/approve", &[("csrf_token", &csrf), ("user_code", &user_code), ("org_id", &org), ("decision", "allow")])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(done.contains("return to your device"));
    app.advance(31);
    let tokens = poll(device_code.clone()).await;
    assert!(tokens["access_token"].is_string() && tokens["refresh_token"].is_string(), "{tokens}");
    assert_eq!(app.get("/bigin/v2/org", tokens["access_token"].as_str().unwrap()).await.0, StatusCode::OK);
    app.advance(31);
    assert_eq!(poll(device_code).await["error"], "invalid_code", "a device code gives tokens once");

    // Refused by the user.
    let refused = start("online").await;
    let code = refused["user_code"].as_str().unwrap().to_string();
    browser.post("/oauth/v3/device", &[("csrf_token", &csrf), ("user_code", &code)]).await;
    browser.post("/oauth/v3/device/approve", &[("csrf_token", &csrf), ("user_code", &code), ("org_id", &org), ("decision", "deny")]).await;
    assert_eq!(poll(refused["device_code"].as_str().unwrap().to_string()).await["error"], "access_denied");
    // Left to expire.
    let stale = start("online").await;
    app.advance(301);
    assert_eq!(poll(stale["device_code"].as_str().unwrap().to_string()).await["error"], "expired_token");
    let (status, _, page) =
        browser.post("/oauth/v3/device", &[("csrf_token", &csrf), ("user_code", stale["user_code"].as_str().unwrap())]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("not valid or has expired"));
    // Only Non-browser clients start it, with scopes of the catalogue.
    let web = client_of(&app, "server-based", email).await;
    let resp = app
        .http
        .post(format!("{}/oauth/v3/device/code", app.base))
        .form(&[("client_id", web.client_id.as_str()), ("grant_type", "device_request"), ("scope", ALL_SCOPES)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.json::<Value>().await.unwrap()["error"], "invalid_client");
    let resp = app
        .http
        .post(format!("{}/oauth/v3/device/code", app.base))
        .form(&[("client_id", device.client_id.as_str()), ("grant_type", "device_request"), ("scope", "ZohoCRM.modules.ALL")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.json::<Value>().await.unwrap()["error"], "invalid_scope");
}

async fn the_21st_refresh_token_evicts_the_oldest(app: TestApp) {
    let org = app.org("Zylker", "pat@zylker.example").await;
    let client = app.self_client("pat@zylker.example").await;
    let mut tokens = Vec::new();
    for _ in 0..21 {
        let code = app.self_code(&client, &org.org_id, ALL_SCOPES).await;
        tokens.push(app.exchange(&client, &code).await);
    }
    let refresh = |t: &Value| t["refresh_token"].as_str().unwrap().to_string();
    let params = |rt: &str| {
        vec![
            ("grant_type".to_string(), "refresh_token".to_string()),
            ("client_id".into(), client.client_id.clone()),
            ("client_secret".into(), client.client_secret.clone()),
            ("refresh_token".into(), rt.to_string()),
        ]
    };
    let call = |rt: String| {
        let app = &app;
        let p = params(&rt);
        async move {
            let refs: Vec<(&str, &str)> = p.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            app.token_call(&refs).await.1
        }
    };
    assert_eq!(call(refresh(&tokens[0])).await["error"], "invalid_code", "the oldest was evicted");
    assert_eq!(app.get("/bigin/v2/org", tokens[0]["access_token"].as_str().unwrap()).await.1["code"], "INVALID_TOKEN");
    assert!(call(refresh(&tokens[1])).await["access_token"].is_string());
    assert!(call(refresh(&tokens[20])).await["access_token"].is_string());
}

async fn the_11th_access_token_in_10_minutes_is_refused(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let params = [
        ("grant_type", "refresh_token"),
        ("client_id", t.client.client_id.as_str()),
        ("client_secret", t.client.client_secret.as_str()),
        ("refresh_token", t.refresh_token.as_str()),
    ];
    // The exchange itself minted the first access token of this refresh token.
    for i in 1..10 {
        assert!(app.token_call(&params).await.1["access_token"].is_string(), "refresh {i}");
        app.advance(1);
    }
    let (status, body) = app.token_call(&params).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["error"], "Access Denied");
    assert_eq!(body["error_description"], "You have made too many requests continuously. Please try again after some time.");
    // The whole answer, keys in Zoho's order.
    assert_eq!(
        serde_json::to_string(&body).unwrap(),
        r#"{"error_description":"You have made too many requests continuously. Please try again after some time.","error":"Access Denied","status":"failure"}"#
    );
    app.advance(10 * 60);
    assert!(app.token_call(&params).await.1["access_token"].is_string(), "the window moved on");
}

async fn parallel_refreshes_and_exchanges_keep_the_limits(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let params = vec![
        ("grant_type".to_string(), "refresh_token".to_string()),
        ("client_id".into(), t.client.client_id.clone()),
        ("client_secret".into(), t.client.client_secret.clone()),
        ("refresh_token".into(), t.refresh_token.clone()),
    ];
    // 30 refreshes at once, all within the window: the exchange minted 1, so 9 more at most.
    let url = format!("{}/oauth/v2/token", app.base);
    let answers = futures_join((0..30).map(|_| {
        let req = app.http.post(&url).form(&params);
        async move { req.send().await.unwrap().json::<Value>().await.unwrap() }
    }))
    .await;
    let minted = answers.iter().filter(|a| a["access_token"].is_string()).count();
    let refused = answers.iter().filter(|a| a["error"] == "Access Denied").count();
    assert_eq!((minted, refused), (9, 21), "{answers:?}");

    // 30 Self Client codes exchanged at once: 20 refresh tokens stay live for the user and client.
    let mut codes = Vec::new();
    for _ in 0..30 {
        codes.push(app.self_code(&t.client, &t.org.org_id, ALL_SCOPES).await);
    }
    let answers = futures_join(codes.iter().map(|code| {
        let form = [
            ("grant_type", "authorization_code"),
            ("client_id", t.client.client_id.as_str()),
            ("client_secret", t.client.client_secret.as_str()),
            ("code", code.as_str()),
        ];
        let req = app.http.post(&url).form(&form);
        async move { req.send().await.unwrap().json::<Value>().await.unwrap() }
    }))
    .await;
    assert!(answers.iter().all(|a| a["refresh_token"].is_string()), "{answers:?}");
    let account = app.state.store.refresh_token(&app.state.secrets.digest(&t.refresh_token)).await.unwrap().unwrap().account_id;
    let live = app.state.store.refresh_tokens_of_account(account).await.unwrap();
    assert_eq!(live.iter().filter(|r| r.client_id == t.client.client_id).count(), 20);
}

/// Runs the futures at once (each on its own task) and returns their outputs in order.
async fn futures_join<F>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for handle in handles {
        out.push(handle.await.unwrap());
    }
    out
}

async fn wrong_secrets_and_passwords_lock_out_for_a_while(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let with = |secret: &'static str| {
        let app = &app;
        let (id, rt) = (t.client.client_id.clone(), t.refresh_token.clone());
        async move {
            app.token_call(&[("grant_type", "refresh_token"), ("client_id", &id), ("client_secret", secret), ("refresh_token", &rt)])
                .await
                .1
        }
    };
    for _ in 0..5 {
        assert_eq!(with("guess").await["error"], "invalid_client_secret");
    }
    let locked = with("guess").await;
    assert_eq!(locked["error"], "Access Denied");
    assert!(locked["error_description"].as_str().unwrap().contains("Too many wrong client secrets"), "{locked}");
    let right = t.client.client_secret.clone();
    let (_, body) = app
        .token_call(&[
            ("grant_type", "refresh_token"),
            ("client_id", &t.client.client_id),
            ("client_secret", &right),
            ("refresh_token", &t.refresh_token),
        ])
        .await;
    assert_eq!(body["error"], "Access Denied", "even the right secret waits");
    app.advance(15 * 60);
    let (_, body) = app
        .token_call(&[
            ("grant_type", "refresh_token"),
            ("client_id", &t.client.client_id),
            ("client_secret", &right),
            ("refresh_token", &t.refresh_token),
        ])
        .await;
    assert!(body["access_token"].is_string(), "{body}");

    let mut browser = Browser::new(&app);
    browser.get("/signin").await;
    let csrf = browser.csrf();
    // An unknown e-mail reads exactly as a wrong password (and costs the same argon2 check).
    let (unknown_status, _, unknown_page) =
        browser.post("/signin", &[("email", "nobody@zylker.example"), ("password", "nope"), ("csrf_token", &csrf), ("next", "/")]).await;
    let (known_status, _, known_page) =
        browser.post("/signin", &[("email", &t.org.admin_email), ("password", "nope"), ("csrf_token", &csrf), ("next", "/")]).await;
    assert_eq!((unknown_status, known_status), (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED));
    assert_eq!(unknown_page.replace("nobody@zylker.example", "EMAIL"), known_page.replace(&t.org.admin_email, "EMAIL"), "the same page");
    browser.post("/signin", &[("email", &t.org.admin_email), ("password", "password-1"), ("csrf_token", &csrf), ("next", "/")]).await;
    for _ in 0..5 {
        let (status, _, _) =
            browser.post("/signin", &[("email", &t.org.admin_email), ("password", "nope"), ("csrf_token", &csrf), ("next", "/")]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, _, page) =
        browser.post("/signin", &[("email", &t.org.admin_email), ("password", "password-1"), ("csrf_token", &csrf), ("next", "/")]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.contains("Too many failed sign-in attempts"));
    app.advance(15 * 60);
    let (status, _, _) =
        browser.post("/signin", &[("email", &t.org.admin_email), ("password", "password-1"), ("csrf_token", &csrf), ("next", "/")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}
