//! Every API route against the scopes: a token with the route's scope gets through, a token with
//! a neighbouring scope gets 401 `OAUTH_SCOPE_MISMATCH`.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, ALL_SCOPES};
use crate::on_both_backends;

on_both_backends!(every_route_checks_its_scope);

const NOWHERE: &str = "1999999999999999999";

/// The route's path in the API's table, the request, its body, a scope enough for it, one not.
type Case = (&'static str, Method, String, Option<String>, String, String);

async fn every_route_checks_its_scope(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let token = t.access_token.as_str();
    let contact = app.create(token, "Contacts", json!({"Last_Name": "W"})).await;
    let account = app.create(token, "Accounts", json!({"Account_Name": "Z"})).await;
    let note = app.create(token, "Notes", json!({"Note_Content": "n", "Parent_Id": {"id": contact}, "$se_module": "Contacts"})).await;
    let field = app.get("/bigin/v2/settings/fields?module=Contacts", token).await.1["fields"][0]["id"].as_str().unwrap().to_string();
    let layout = app.get("/bigin/v2/settings/layouts?module=Pipelines", token).await.1["layouts"][0]["id"].as_str().unwrap().to_string();
    let view =
        app.get("/bigin/v2/settings/custom_views?module=Contacts", token).await.1["custom_views"][0]["id"].as_str().unwrap().to_string();
    let user = t.org.admin_user_id.clone();
    let m = |s: &str| format!("ZohoBigin.modules.{s}");
    let data = json!({"data": [{"Last_Name": "X"}]}).to_string();
    let update = json!({"data": [{"id": contact, "Title": "T"}]}).to_string();
    let link = json!({"data": [{"id": contact}]}).to_string();
    let owner = json!({"ids": [contact], "owner": {"id": user}}).to_string();
    let users = json!({"users": [{"last_name": "L", "email": format!("n{}@z.example", 1)}]}).to_string();
    let user_update = json!({"users": [{"id": user, "first_name": "P"}]}).to_string();
    let routes: Vec<Case> = vec![
        ("/org", Method::GET, "/bigin/v2/org".into(), None, "ZohoBigin.org.READ".into(), "ZohoBigin.users.ALL".into()),
        ("/users", Method::GET, "/bigin/v2/users".into(), None, "ZohoBigin.users.READ".into(), "ZohoBigin.org.ALL".into()),
        (
            "/users/{user_id}",
            Method::GET,
            format!("/bigin/v2/users/{user}"),
            None,
            "ZohoBigin.users.READ".into(),
            "ZohoBigin.settings.ALL".into(),
        ),
        ("/users", Method::POST, "/bigin/v2/users".into(), Some(users), "ZohoBigin.users.CREATE".into(), "ZohoBigin.users.READ".into()),
        (
            "/users",
            Method::PUT,
            "/bigin/v2/users".into(),
            Some(user_update.clone()),
            "ZohoBigin.users.UPDATE".into(),
            "ZohoBigin.users.CREATE".into(),
        ),
        (
            "/users/{user_id}",
            Method::PUT,
            format!("/bigin/v2/users/{user}"),
            Some(user_update),
            "ZohoBigin.users.WRITE".into(),
            "ZohoBigin.users.READ".into(),
        ),
        (
            "/users/{user_id}",
            Method::DELETE,
            format!("/bigin/v2/users/{NOWHERE}"),
            None,
            "ZohoBigin.users.DELETE".into(),
            "ZohoBigin.users.WRITE".into(),
        ),
        (
            "/settings/modules",
            Method::GET,
            "/bigin/v2/settings/modules".into(),
            None,
            "ZohoBigin.settings.modules.READ".into(),
            "ZohoBigin.settings.fields.ALL".into(),
        ),
        (
            "/settings/modules/{module}",
            Method::GET,
            "/bigin/v2/settings/modules/Contacts".into(),
            None,
            "ZohoBigin.settings.ALL".into(),
            "ZohoBigin.modules.ALL".into(),
        ),
        (
            "/settings/fields",
            Method::GET,
            "/bigin/v2/settings/fields?module=Contacts".into(),
            None,
            "ZohoBigin.settings.fields.READ".into(),
            "ZohoBigin.settings.modules.ALL".into(),
        ),
        (
            "/settings/fields/{id}",
            Method::GET,
            format!("/bigin/v2/settings/fields/{field}?module=Contacts"),
            None,
            "ZohoBigin.settings.fields.ALL".into(),
            "ZohoBigin.settings.layouts.ALL".into(),
        ),
        (
            "/settings/layouts",
            Method::GET,
            "/bigin/v2/settings/layouts?module=Pipelines".into(),
            None,
            "ZohoBigin.settings.layouts.READ".into(),
            "ZohoBigin.settings.fields.ALL".into(),
        ),
        (
            "/settings/layouts/{id}",
            Method::GET,
            format!("/bigin/v2/settings/layouts/{layout}?module=Pipelines"),
            None,
            "ZohoBigin.settings.READ".into(),
            "ZohoBigin.modules.pipelines.ALL".into(),
        ),
        (
            "/settings/custom_views",
            Method::GET,
            "/bigin/v2/settings/custom_views?module=Contacts".into(),
            None,
            "ZohoBigin.settings.custom_views.READ".into(),
            "ZohoBigin.settings.layouts.READ".into(),
        ),
        (
            "/settings/custom_views/{id}",
            Method::GET,
            format!("/bigin/v2/settings/custom_views/{view}?module=Contacts"),
            None,
            "ZohoBigin.settings.custom_views.ALL".into(),
            "ZohoBigin.settings.related_lists.ALL".into(),
        ),
        (
            "/settings/related_lists",
            Method::GET,
            "/bigin/v2/settings/related_lists?module=Contacts".into(),
            None,
            "ZohoBigin.settings.related_lists.READ".into(),
            "ZohoBigin.settings.custom_views.ALL".into(),
        ),
        (
            "/settings/roles",
            Method::GET,
            "/bigin/v2/settings/roles".into(),
            None,
            "ZohoBigin.settings.roles.READ".into(),
            "ZohoBigin.settings.profiles.ALL".into(),
        ),
        (
            "/settings/profiles",
            Method::GET,
            "/bigin/v2/settings/profiles".into(),
            None,
            "ZohoBigin.settings.profiles.READ".into(),
            "ZohoBigin.settings.roles.ALL".into(),
        ),
        ("/{module}", Method::GET, "/bigin/v2/Contacts?fields=Last_Name".into(), None, m("contacts.READ"), m("accounts.ALL")),
        ("/{module}/{record_id}", Method::GET, format!("/bigin/v2/Contacts/{contact}"), None, m("contacts.READ"), m("contacts.CREATE")),
        ("/{module}", Method::POST, "/bigin/v2/Contacts".into(), Some(data.clone()), m("contacts.CREATE"), m("contacts.READ")),
        ("/{module}", Method::PUT, "/bigin/v2/Contacts".into(), Some(update.clone()), m("contacts.UPDATE"), m("contacts.CREATE")),
        (
            "/{module}/{record_id}",
            Method::PUT,
            format!("/bigin/v2/Contacts/{contact}"),
            Some(json!({"data": [{"Title": "T"}]}).to_string()),
            m("contacts.WRITE"),
            m("contacts.DELETE"),
        ),
        ("/{module}", Method::DELETE, format!("/bigin/v2/Contacts?ids={NOWHERE}"), None, m("contacts.DELETE"), m("contacts.WRITE")),
        ("/{module}/{record_id}", Method::DELETE, format!("/bigin/v2/Contacts/{NOWHERE}"), None, m("contacts.ALL"), m("contacts.UPDATE")),
        (
            "/{module}/upsert",
            Method::POST,
            "/bigin/v2/Contacts/upsert".into(),
            Some(data.clone()),
            m("contacts.WRITE"),
            m("contacts.CREATE"),
        ),
        ("/{module}/deleted", Method::GET, "/bigin/v2/Contacts/deleted".into(), None, m("contacts.READ"), m("notes.ALL")),
        (
            "/{module}/actions/count",
            Method::GET,
            "/bigin/v2/Contacts/actions/count".into(),
            None,
            "ZohoBigin.modules.READ".into(),
            "ZohoBigin.org.ALL".into(),
        ),
        (
            "/{module}/actions/change_owner",
            Method::POST,
            "/bigin/v2/Contacts/actions/change_owner".into(),
            Some(owner),
            "ZohoBigin.change_owner.CREATE".into(),
            "ZohoBigin.modules.ALL".into(),
        ),
        (
            "/{module}/{record_id}/actions/change_owner",
            Method::POST,
            format!("/bigin/v2/Contacts/{contact}/actions/change_owner"),
            Some(json!({"owner": {"id": user}}).to_string()),
            "ZohoBigin.change_owner.ALL".into(),
            m("contacts.ALL"),
        ),
        (
            "/{module}/{record_id}/{related}",
            Method::GET,
            format!("/bigin/v2/Contacts/{contact}/Pipelines"),
            None,
            m("contacts.READ"),
            m("pipelines.ALL"),
        ),
        (
            "/{module}/{record_id}/{related}",
            Method::GET,
            format!("/bigin/v2/Contacts/{contact}/Notes"),
            None,
            format!("{},{}", m("contacts.READ"), m("notes.READ")),
            m("contacts.ALL"),
        ),
        (
            "/{module}/{record_id}/{related}",
            Method::PUT,
            format!("/bigin/v2/Accounts/{account}/Contacts"),
            Some(link),
            m("accounts.UPDATE"),
            m("contacts.ALL"),
        ),
        (
            "/{module}/{record_id}/{related}",
            Method::DELETE,
            format!("/bigin/v2/Accounts/{account}/Contacts?ids={NOWHERE}"),
            None,
            m("accounts.DELETE"),
            m("accounts.UPDATE"),
        ),
        (
            "/{module}/{record_id}/{related}/{related_id}",
            Method::DELETE,
            format!("/bigin/v2/Accounts/{account}/Contacts/{NOWHERE}"),
            None,
            m("accounts.WRITE"),
            m("accounts.CREATE"),
        ),
        (
            "/{module}/{record_id}/{related}",
            Method::POST,
            format!("/bigin/v2/Contacts/{contact}/Notes"),
            Some(json!({"data": [{"Note_Content": "x"}]}).to_string()),
            format!("{},{}", m("contacts.CREATE"), m("notes.CREATE")),
            m("contacts.CREATE"),
        ),
        (
            "/{module}/{record_id}/{related}/{related_id}",
            Method::PUT,
            format!("/bigin/v2/Contacts/{contact}/Notes/{note}"),
            Some(json!({"data": [{"Note_Content": "y"}]}).to_string()),
            format!("{},{}", m("contacts.UPDATE"), m("notes.WRITE")),
            m("contacts.ALL"),
        ),
        ("/{module}", Method::GET, "/bigin/v2/Notes?fields=Note_Content".into(), None, m("notes.READ"), m("contacts.ALL")),
        (
            "/{module}/search",
            Method::GET,
            "/bigin/v2/Contacts/search?email=w@z.example".into(),
            None,
            format!("{},ZohoSearch.securesearch.READ", m("contacts.READ")),
            m("contacts.ALL"),
        ),
        (
            "/coql",
            Method::POST,
            "/bigin/v2/coql".into(),
            Some(json!({"select_query": "select Last_Name from Contacts where Last_Name = 'W'"}).to_string()),
            format!("ZohoBigin.coql.READ,{}", m("contacts.READ")),
            m("contacts.ALL"),
        ),
    ];
    let mut tokens = std::collections::HashMap::new();
    for (_, method, path, body, enough, not_enough) in &routes {
        for scope in [enough, not_enough] {
            if !tokens.contains_key(scope) {
                // A client of its own per token: one client keeps only 20 refresh tokens.
                let client = app.self_client(&t.org.admin_email).await;
                let code = app.self_code(&client, &t.org.org_id, scope).await;
                tokens.insert(scope.clone(), app.exchange(&client, &code).await["access_token"].as_str().unwrap().to_string());
            }
        }
        let (status, answer) = app.call(method.clone(), path, Some(&tokens[enough]), body.as_deref()).await;
        assert!(status != StatusCode::UNAUTHORIZED, "{method} {path} with {enough}: {status} {answer}");
        let (status, answer) = app.call(method.clone(), path, Some(&tokens[not_enough]), body.as_deref()).await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("OAUTH_SCOPE_MISMATCH")),
            "{method} {path} with {not_enough}"
        );
    }
    // Every route of the API's table has a case here, so that a new route cannot skip this test.
    let covered: std::collections::HashSet<(String, &str)> =
        routes.iter().map(|(pattern, method, ..)| (method.to_string(), *pattern)).collect();
    let missing: Vec<String> = server::api::route_table()
        .iter()
        .filter(|r| !covered.contains(&(r.method.to_string(), r.path)))
        .map(|r| format!("{} {} ({})", r.method, r.path, r.rule))
        .collect();
    assert!(missing.is_empty(), "routes without a scope case: {missing:?}");
}
