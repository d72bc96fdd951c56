//! The API console and account pages over HTTP: sign up, clients of every type, secrets, Self
//! Client codes with their JSON download, connected apps, custom fields, the org switcher, and
//! CSRF on every form.

use reqwest::StatusCode;
use serde_json::Value;

use crate::browser::{input_value, unescape, Browser};
use crate::helpers::{TestApp, ALL_SCOPES};
use crate::on_both_backends;

on_both_backends!(
    a_person_signs_up_and_registers_clients,
    self_client_codes_and_connected_apps,
    custom_fields_from_the_console,
    every_console_form_checks_csrf
);

async fn sign_up(browser: &mut Browser<'_>, email: &str, org: &str) {
    let (status, _, page) = browser.get("/signup").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Create your Bigin account"));
    let csrf = browser.csrf();
    let form = [
        ("csrf_token", csrf.as_str()),
        ("first_name", "Pat"),
        ("last_name", "Boyle"),
        ("email", email),
        ("password", "correct horse"),
        ("org_name", org),
        ("time_zone", "Europe/Paris"),
    ];
    let (status, location, _) = browser.post("/signup", &form).await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some("/console")));
}

/// The value of the element with `id` in a page (the text inside it).
fn text_of(html: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\"");
    let at = html.find(&marker).unwrap_or_else(|| panic!("no #{id}"));
    let start = html[at..].find('>').unwrap() + at + 1;
    let end = html[start..].find('<').unwrap() + start;
    html[start..end].to_string()
}

async fn a_person_signs_up_and_registers_clients(app: TestApp) {
    let mut browser = Browser::new(&app);
    sign_up(&mut browser, "pat@zylker.example", "Zylker").await;
    let (_, _, console) = browser.get("/console").await;
    assert!(console.contains("No client yet"));
    assert!(console.contains("Zylker (US)"));
    // A second sign-up with the same e-mail is refused.
    let mut other = Browser::new(&app);
    other.get("/signup").await;
    let csrf = other.csrf();
    let (status, _, page) = other
        .post(
            "/signup",
            &[("csrf_token", &csrf), ("last_name", "X"), ("email", "PAT@zylker.example"), ("password", "whatever12"), ("org_name", "Y")],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("sign in instead"));

    let csrf = browser.csrf();
    let forms: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "server-based",
            vec![
                ("name", "Web App"),
                ("homepage", "https://app.example"),
                ("redirect_uris", "https://app.example/cb\nhttps://app.example/cb2"),
            ],
        ),
        (
            "client-based",
            vec![
                ("name", "SPA"),
                ("homepage", "https://spa.example"),
                ("redirect_uris", "https://spa.example/cb"),
                ("js_domain", "https://spa.example"),
            ],
        ),
        (
            "mobile",
            vec![("name", "Phone App"), ("homepage", "https://m.example"), ("redirect_uris", "https://m.example/cb"), ("multi_dc", "on")],
        ),
        ("non-browser", vec![("name", "TV App"), ("homepage", "https://tv.example")]),
        ("self", vec![]),
    ];
    let mut ids = Vec::new();
    for (client_type, fields) in &forms {
        let (status, _, page) = browser.get(&format!("/console/clients/new?type={client_type}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            page.contains("name=\"redirect_uris\""),
            matches!(*client_type, "server-based" | "client-based" | "mobile"),
            "{client_type}"
        );
        assert_eq!(page.contains("name=\"js_domain\""), *client_type == "client-based", "{client_type}");
        let mut form = vec![("csrf_token", csrf.as_str()), ("type", *client_type)];
        form.extend(fields.iter().copied());
        let (status, _, page) = browser.post("/console/clients", &form).await;
        assert_eq!(status, StatusCode::OK, "{client_type}: {page}");
        let id = text_of(&page, "client_id");
        let secret = text_of(&page, "client_secret");
        assert!(id.starts_with("1000.") && secret.len() == 42, "{client_type}");
        ids.push((id, secret));
    }
    let (_, _, console) = browser.get("/console").await;
    for (name, label) in [
        ("Web App", "Server-based"),
        ("SPA", "Client-based"),
        ("Phone App", "Mobile-based"),
        ("TV App", "Non-browser"),
        ("Self Client", "Self Client"),
    ] {
        assert!(console.contains(name) && console.contains(label), "{name}");
    }
    assert!(console.contains("multi-DC"));

    // Registration rules: a bad name, a missing redirect URI, a JS domain on the wrong type.
    for form in [
        vec![
            ("type", "server-based"),
            ("name", "Bad <name>"),
            ("homepage", "https://a.example"),
            ("redirect_uris", "https://a.example/cb"),
        ],
        vec![("type", "server-based"), ("name", "No Redirect"), ("homepage", "https://a.example")],
        vec![("type", "mobile"), ("name", "Frag"), ("homepage", "https://a.example"), ("redirect_uris", "https://a.example/cb#x")],
        vec![("type", "client-based"), ("name", "No Domain"), ("homepage", "https://a.example"), ("redirect_uris", "https://a.example/cb")],
        vec![("type", "plugin"), ("name", "Odd")],
    ] {
        let mut with_csrf = vec![("csrf_token", csrf.as_str())];
        with_csrf.extend(form.iter().copied());
        let (status, _, page) = browser.post("/console/clients", &with_csrf).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{form:?}");
        assert!(page.contains("role=\"alert\""), "{form:?}");
    }

    // Edit, regenerate the secret (the old one stops working), delete.
    let (web_id, web_secret) = ids[0].clone();
    let (_, _, edit) = browser.get(&format!("/console/clients/{web_id}/edit")).await;
    assert!(unescape(&edit).contains("https://app.example/cb2"));
    let (status, location, _) = browser
        .post(
            &format!("/console/clients/{web_id}/edit"),
            &[
                ("csrf_token", &csrf),
                ("name", "Web App 2"),
                ("homepage", "https://app.example"),
                ("redirect_uris", "https://app.example/new"),
            ],
        )
        .await;
    assert_eq!((status, location), (StatusCode::SEE_OTHER, Some(format!("/console/clients/{web_id}"))));
    let (_, _, page) = browser.get(&format!("/console/clients/{web_id}")).await;
    assert!(page.contains("Web App 2") && unescape(&page).contains("https://app.example/new") && !page.contains("client_secret"));
    let refresh = |secret: String| {
        let app = &app;
        let id = web_id.clone();
        async move {
            app.token_call(&[
                ("grant_type", "refresh_token"),
                ("client_id", &id),
                ("client_secret", &secret),
                ("refresh_token", "1000.x.y"),
            ])
            .await
            .1
        }
    };
    assert_eq!(refresh(web_secret.clone()).await["error"], "invalid_code", "the secret works");
    let (_, _, page) = browser.post(&format!("/console/clients/{web_id}/secret"), &[("csrf_token", &csrf)]).await;
    let new_secret = text_of(&page, "client_secret");
    assert_ne!(new_secret, web_secret);
    assert_eq!(refresh(web_secret).await["error"], "invalid_client_secret", "the old secret stopped");
    assert_eq!(refresh(new_secret).await["error"], "invalid_code");
    let (status, _, _) = browser.post(&format!("/console/clients/{web_id}/delete"), &[("csrf_token", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(!browser.get("/console").await.2.contains("Web App 2"));
    // Deleting a Self Client in the console kills the tokens it was given at once.
    let (self_id, self_secret) = ids[4].clone();
    let account = app.state.store.account_by_email("pat@zylker.example").await.unwrap().unwrap();
    let org_id = app.state.store.orgs_of_account(account.id).await.unwrap()[0].id.to_string();
    let code = server::provision::create_self_code(&app.state, &self_id, &org_id, "ZohoBigin.org.READ", 3, None).await.unwrap().code;
    let tokens = app
        .token_call(&[("grant_type", "authorization_code"), ("client_id", &self_id), ("client_secret", &self_secret), ("code", &code)])
        .await
        .1;
    let access = tokens["access_token"].as_str().unwrap().to_string();
    assert_eq!(app.get("/bigin/v2/org", &access).await.0, StatusCode::OK);
    let (status, _, _) = browser.post(&format!("/console/clients/{self_id}/delete"), &[("csrf_token", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, body) = app.get("/bigin/v2/org", &access).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("INVALID_TOKEN")));
    let refresh = [
        ("grant_type", "refresh_token"),
        ("client_id", self_id.as_str()),
        ("client_secret", self_secret.as_str()),
        ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
    ];
    assert_eq!(app.token_call(&refresh).await.1["error"], "invalid_client");
    // Another person cannot see or change these clients.
    let mut stranger = Browser::new(&app);
    sign_up(&mut stranger, "eve@evil.example", "Evil").await;
    let (status, _, _) = stranger.get(&format!("/console/clients/{}", ids[1].0)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let eve_csrf = stranger.csrf();
    let (status, _, _) = stranger.post(&format!("/console/clients/{}/delete", ids[1].0), &[("csrf_token", &eve_csrf)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn self_client_codes_and_connected_apps(app: TestApp) {
    let mut browser = Browser::new(&app);
    sign_up(&mut browser, "pat@zylker.example", "Zylker").await;
    let second = server::provision::create_org(&app.state, "Zylker Two", "pat@zylker.example", None, "UTC").await.unwrap();
    let csrf = browser.csrf();
    let (_, _, page) = browser.post("/console/clients", &[("csrf_token", &csrf), ("type", "self")]).await;
    let (id, secret) = (text_of(&page, "client_id"), text_of(&page, "client_secret"));
    assert!(page.contains("Generate Code") && page.contains("name=\"duration\""));
    let form = [
        ("csrf_token", csrf.as_str()),
        ("scope", ALL_SCOPES),
        ("duration", "7"),
        ("description", "for tests"),
        ("org_id", second.org_id.as_str()),
    ];
    let (status, _, code_page) = browser.post(&format!("/console/clients/{id}/code"), &form).await;
    assert_eq!(status, StatusCode::OK);
    let code = text_of(&code_page, "code");
    let href = input_value(&code_page.replace("id=\"download\" href=", "name=\"download\" value="), "download");
    let encoded = href.strip_prefix("data:application/json;charset=utf-8,").unwrap();
    let download: Value = serde_json::from_str(&url::form_urlencoded::parse(format!("x={encoded}").as_bytes()).next().unwrap().1).unwrap();
    assert_eq!(download["code"], code.as_str());
    assert_eq!(download["client_id"], id.as_str());
    assert_eq!(download["org_id"], second.org_id.as_str());
    assert_eq!(download["grant_type"], "authorization_code");
    assert!(download["expiry_time"].is_i64());
    // The code works once, for the organization picked, and for 7 minutes.
    let client = server::provision::ClientCreated { client_id: id.clone(), client_secret: secret.clone(), client_type: "self".into() };
    let tokens = app.exchange(&client, &code).await;
    assert_eq!(app.get("/bigin/v2/org", tokens["access_token"].as_str().unwrap()).await.1["org"][0]["company_name"], "Zylker Two");
    let (status, _, page) = browser
        .post(
            &format!("/console/clients/{id}/code"),
            &[("csrf_token", &csrf), ("scope", "ZohoCRM.modules.ALL"), ("duration", "3"), ("org_id", &second.org_id)],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("invalid_scope"));
    let (status, _, _) = browser
        .post(
            &format!("/console/clients/{id}/code"),
            &[("csrf_token", &csrf), ("scope", ALL_SCOPES), ("duration", "4"), ("org_id", &second.org_id)],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "durations are 3, 5, 7 or 10 minutes");

    // Connected apps lists the refresh token; revoking it there kills its access tokens.
    let (_, _, apps) = browser.get("/console/connected-apps").await;
    assert!(apps.contains("Self Client") && apps.contains("Zylker Two"));
    let token_id = apps.split("/console/connected-apps/").nth(1).unwrap().split('/').next().unwrap().to_string();
    let (status, _, _) = browser.post(&format!("/console/connected-apps/{token_id}/revoke"), &[("csrf_token", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(browser.get("/console/connected-apps").await.2.contains("No application holds a refresh token"));
    assert_eq!(app.get("/bigin/v2/org", tokens["access_token"].as_str().unwrap()).await.1["code"], "INVALID_TOKEN");

    // The org switcher picks the organization the console works on.
    let (status, _, _) = browser.post("/console/org", &[("csrf_token", &csrf), ("org_id", &second.org_id)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = browser.get(&format!("/console/clients/{id}")).await;
    assert!(page.contains(&format!("<option value=\"{}\" selected>", second.org_id)));
    let (status, _, _) = browser.post("/console/org", &[("csrf_token", &csrf), ("org_id", "1000000000000000001")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

async fn custom_fields_from_the_console(app: TestApp) {
    let mut browser = Browser::new(&app);
    sign_up(&mut browser, "pat@zylker.example", "Zylker").await;
    let csrf = browser.csrf();
    let (_, _, page) = browser.get("/console/fields?module=Accounts").await;
    assert!(page.contains("Custom fields of Accounts") && page.contains("Add a field"));
    let form =
        [("csrf_token", csrf.as_str()), ("module", "Accounts"), ("label", "Tier"), ("data_type", "picklist"), ("picklist", "Gold, Silver")];
    let (status, _, page) = browser.post("/console/fields", &form).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Added Tier") && page.contains("<code>Tier</code>"));
    let (status, _, page) = browser
        .post("/console/fields", &[("csrf_token", &csrf), ("module", "Accounts"), ("label", "Bad"), ("data_type", "picklist")])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("picklist needs"));
    // The field is in the API at once.
    let account = app.state.store.account_by_email("pat@zylker.example").await.unwrap().unwrap();
    let org = app.state.store.orgs_of_account(account.id).await.unwrap()[0].id.to_string();
    let client = app.self_client("pat@zylker.example").await;
    let code = server::provision::create_self_code(&app.state, &client.client_id, &org, ALL_SCOPES, 3, None).await.unwrap().code;
    let token = app.exchange(&client, &code).await["access_token"].as_str().unwrap().to_string();
    let id = app.create(&token, "Accounts", serde_json::json!({"Account_Name": "A", "Tier": "Gold"})).await;
    assert_eq!(app.get(&format!("/bigin/v2/Accounts/{id}?fields=Tier"), &token).await.1["data"][0]["Tier"], "Gold");
    // A user who is not an administrator sees the fields but cannot add any.
    let (_, users) =
        app.post("/bigin/v2/users", &token, &serde_json::json!({"users": [{"last_name": "Lee", "email": "lee@zylker.example"}]})).await;
    assert_eq!(users["users"][0]["code"], "SUCCESS");
    // Kim has an account of her own and is a Standard user of Zylker, as an accepted invitation
    // leaves her (invitations are not in the console yet).
    let mut kim = Browser::new(&app);
    sign_up(&mut kim, "kim@elsewhere.example", "Kim Co").await;
    let kim_account = app.state.store.account_by_email("kim@elsewhere.example").await.unwrap().unwrap();
    let now = app.state.now();
    let member = store::OrgUser {
        org_id: crm::Id::parse(&org).unwrap(),
        id: app.state.mint_id(),
        account_id: Some(kim_account.id),
        email: "kim@elsewhere.example".into(),
        first_name: "Kim".into(),
        last_name: "Boyle".into(),
        role: "Manager".into(),
        profile: "Standard".into(),
        status: "active".into(),
        confirmed: true,
        created_time: now,
        modified_time: now,
    };
    assert!(app.state.store.insert_org_user(&member).await.unwrap());
    let kim_csrf = kim.csrf();
    let (status, _, _) = kim.post("/console/org", &[("csrf_token", &kim_csrf), ("org_id", &org)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, page) = kim.get("/console/fields?module=Accounts").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<code>Tier</code>"), "Kim sees Zylker's fields");
    assert!(!page.contains("Add a field"), "but no form to add one");
    let form = [("csrf_token", kim_csrf.as_str()), ("module", "Accounts"), ("label", "Sneaky"), ("data_type", "text"), ("picklist", "")];
    let (status, _, page) = kim.post("/console/fields", &form).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("Only administrators can add fields."));
    let (_, fields) = app.get("/bigin/v2/settings/fields?module=Accounts", &token).await;
    assert!(fields["fields"].as_array().unwrap().iter().all(|f| f["api_name"] != "Sneaky"), "nothing was added");
    // In her own organization she is the administrator and can.
    let kim_org = app.state.store.orgs_of_account(kim_account.id).await.unwrap();
    let own = kim_org.iter().find(|o| o.company_name == "Kim Co").unwrap().id.to_string();
    kim.post("/console/org", &[("csrf_token", &kim_csrf), ("org_id", &own)]).await;
    let (status, _, page) = kim.post("/console/fields", &form).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Added Sneaky"));
    // The console refuses past the limits with the provision's message.
    for i in 0..2 {
        let label = format!("Unique {i}");
        let form = [("csrf_token", kim_csrf.as_str()), ("module", "Accounts"), ("label", &label), ("data_type", "text"), ("unique", "on")];
        assert_eq!(kim.post("/console/fields", &form).await.0, StatusCode::OK);
    }
    let form = [("csrf_token", kim_csrf.as_str()), ("module", "Accounts"), ("label", "Unique 3"), ("data_type", "text"), ("unique", "on")];
    let (status, _, page) = kim.post("/console/fields", &form).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("Accounts has 2 unique custom fields already"));
}

async fn every_console_form_checks_csrf(app: TestApp) {
    let mut browser = Browser::new(&app);
    sign_up(&mut browser, "pat@zylker.example", "Zylker").await;
    let csrf = browser.csrf();
    let (_, _, page) = browser.post("/console/clients", &[("csrf_token", &csrf), ("type", "self")]).await;
    let id = text_of(&page, "client_id");
    let posts = [
        "/signup".to_string(),
        "/signin".to_string(),
        "/signout".to_string(),
        "/console/org".to_string(),
        "/console/clients".to_string(),
        format!("/console/clients/{id}/edit"),
        format!("/console/clients/{id}/secret"),
        format!("/console/clients/{id}/delete"),
        format!("/console/clients/{id}/code"),
        "/console/connected-apps/1/revoke".to_string(),
        "/console/fields".to_string(),
        "/oauth/v2/auth".to_string(),
        "/oauth/v3/device".to_string(),
        "/oauth/v3/device/approve".to_string(),
    ];
    for path in &posts {
        for token in ["", "0123456789abcdef0123456789abcdef0123456789abcdef"] {
            let (status, location, page) = browser.post(path, &[("csrf_token", token), ("type", "self"), ("org_id", "1")]).await;
            assert_eq!((status, location), (StatusCode::FORBIDDEN, None), "{path} with csrf {token:?}");
            assert!(page.contains("CSRF"), "{path}");
        }
    }
    // Nothing changed: the client is still there.
    assert_eq!(browser.get(&format!("/console/clients/{id}")).await.0, StatusCode::OK);
    // Pages are never framed.
    let resp = app.http.get(format!("{}/console", app.base)).send().await.unwrap();
    assert_eq!(resp.headers()["x-frame-options"], "DENY");
    // Signed out, the console sends the person to sign in and back.
    let resp = app.http.get(format!("{}/console/connected-apps", app.base)).send().await.unwrap();
    assert_eq!(resp.headers()["location"], "/signin?next=%2Fconsole%2Fconnected-apps");
}
