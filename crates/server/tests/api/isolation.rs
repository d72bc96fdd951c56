//! Organization isolation, as a generated matrix: every record, related-list, note and metadata
//! route is called with organization A's token and organization B's ids. Nothing of B may be read,
//! listed, counted, linked, changed or deleted, and each answer must be the one an id that exists
//! nowhere gets, so that it does not reveal that B's id exists.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{TestApp, ALL_SCOPES};
use crate::on_both_backends;

on_both_backends!(no_route_crosses_organizations);

const NOWHERE: &str = "1999999999999999999";

/// B's records by module, with the ids the matrix uses.
struct World {
    ids: Vec<(&'static str, String)>,
    user: String,
    note_parent: String,
    note: String,
}

async fn populate(app: &TestApp, token: &str, admin: &str) -> World {
    let account = app.create(token, "Accounts", json!({"Account_Name": "B Corp"})).await;
    let contact =
        app.create(token, "Contacts", json!({"Last_Name": "Secret", "Email": "secret@b.example", "Account_Name": {"id": account}})).await;
    let deal = app
        .create(
            token,
            "Pipelines",
            json!({"Deal_Name": "B deal", "Sub_Pipeline": "Standard", "Stage": "Qualification", "Contact_Name": {"id": contact}}),
        )
        .await;
    let product = app.create(token, "Products", json!({"Product_Name": "B widget"})).await;
    app.put(&format!("/bigin/v2/Pipelines/{deal}/Products"), token, &json!({"data": [{"id": product}]})).await;
    app.put(
        &format!("/bigin/v2/Pipelines/{deal}/Contacts"),
        token,
        &json!({"data": [{"id": contact, "Contact_Role": {"name": "Evaluator"}}]}),
    )
    .await;
    let task = app.create(token, "Tasks", json!({"Subject": "B task", "What_Id": {"id": contact}, "$se_module": "Contacts"})).await;
    let event = app.create(token, "Events", json!({"Event_Title": "B event", "Start_DateTime": "2026-01-01T10:00:00Z", "End_DateTime": "2026-01-01T11:00:00Z", "What_Id": {"id": deal}, "$se_module": "Pipelines"})).await;
    let call = app.create(token, "Calls", json!({"Subject": "B call", "Call_Type": "Inbound", "Call_Start_Time": "2026-01-01T10:00:00Z", "What_Id": {"id": account}, "$se_module": "Accounts"})).await;
    let note = app.create(token, "Notes", json!({"Note_Content": "B note", "Parent_Id": {"id": contact}, "$se_module": "Contacts"})).await;
    let ids = vec![
        ("Accounts", account),
        ("Contacts", contact.clone()),
        ("Pipelines", deal),
        ("Products", product),
        ("Tasks", task),
        ("Events", event),
        ("Calls", call),
        ("Notes", note.clone()),
    ];
    World { ids, user: admin.to_string(), note_parent: contact, note }
}

/// Everything B can see of its data: each record, each related list, its users.
async fn snapshot(app: &TestApp, token: &str, world: &World) -> Vec<Value> {
    let mut all = Vec::new();
    for (module, id) in &world.ids {
        all.push(app.get(&format!("/bigin/v2/{module}/{id}"), token).await.1);
        for related in ["Contacts", "Pipelines", "Products", "Notes", "Tasks", "Events", "Calls"] {
            let (status, body) = app.get(&format!("/bigin/v2/{module}/{id}/{related}"), token).await;
            if status != StatusCode::NOT_FOUND {
                all.push(body);
            }
        }
        all.push(app.get(&format!("/bigin/v2/{module}/actions/count"), token).await.1);
    }
    all.push(app.get("/bigin/v2/users", token).await.1);
    all
}

/// One call of the matrix, with `{id}` standing for the id under test.
struct Call {
    method: Method,
    path: String,
    body: Option<String>,
}

fn call(method: Method, path: String, body: Option<Value>) -> Call {
    Call { method, path, body: body.map(|b| b.to_string()) }
}

/// Every route that takes an id, for one of B's records of `module`.
fn record_calls(module: &str, related_lists: &[&str]) -> Vec<Call> {
    let mut calls = vec![
        call(Method::GET, format!("/bigin/v2/{module}/{{id}}"), None),
        call(Method::GET, format!("/bigin/v2/{module}?fields=id&ids={{id}}"), None),
        call(Method::GET, format!("/bigin/v2/{module}/actions/count?ids={{id}}"), None),
        call(Method::PUT, format!("/bigin/v2/{module}/{{id}}"), Some(json!({"data": [{"Description": "pwned"}]}))),
        call(Method::PUT, format!("/bigin/v2/{module}"), Some(json!({"data": [{"id": "{id}", "Description": "pwned"}]}))),
        call(Method::POST, format!("/bigin/v2/{module}/{{id}}/actions/change_owner"), Some(json!({"owner": {"id": "{owner}"}}))),
        call(Method::POST, format!("/bigin/v2/{module}/actions/change_owner"), Some(json!({"ids": ["{id}"], "owner": {"id": "{owner}"}}))),
        call(Method::DELETE, format!("/bigin/v2/{module}?ids={{id}}"), None),
        call(Method::DELETE, format!("/bigin/v2/{module}/{{id}}"), None),
    ];
    for related in related_lists {
        calls.push(call(Method::GET, format!("/bigin/v2/{module}/{{id}}/{related}"), None));
        calls.push(call(Method::PUT, format!("/bigin/v2/{module}/{{id}}/{related}"), Some(json!({"data": [{"id": "{mine}"}]}))));
        calls.push(call(Method::DELETE, format!("/bigin/v2/{module}/{{id}}/{related}?ids={{mine}}"), None));
        calls.push(call(Method::DELETE, format!("/bigin/v2/{module}/{{id}}/{related}/{{mine}}"), None));
    }
    if related_lists.contains(&"Notes") {
        calls.push(call(Method::POST, format!("/bigin/v2/{module}/{{id}}/Notes"), Some(json!({"data": [{"Note_Content": "pwned"}]}))));
    }
    calls
}

fn related_of(module: &str) -> &'static [&'static str] {
    match module {
        "Contacts" => &["Pipelines", "Notes", "Tasks", "Events", "Calls"],
        "Accounts" => &["Contacts", "Pipelines", "Notes", "Tasks", "Events", "Calls"],
        "Pipelines" => &["Contacts", "Products", "Notes", "Tasks", "Events", "Calls"],
        "Products" => &["Pipelines", "Notes"],
        _ => &[],
    }
}

async fn run(app: &TestApp, token: &str, c: &Call, id: &str, mine: &str, owner: &str) -> (StatusCode, String) {
    let fill = |text: &str| text.replace("{id}", id).replace("{mine}", mine).replace("{owner}", owner);
    let (status, body) = app.call(c.method.clone(), &fill(&c.path), Some(token), c.body.as_deref().map(fill).as_deref()).await;
    // The id under test is the only thing allowed to differ between the two answers.
    let text = body.to_string().replace(id, "<id>");
    (status, redact_times(&text))
}

/// Times in write answers differ from call to call; they are not what this test compares.
fn redact_times(text: &str) -> String {
    let mut value: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    fn walk(v: &mut Value) {
        match v {
            Value::Object(map) => {
                for (k, child) in map.iter_mut() {
                    if k.ends_with("_Time") || k == "id" {
                        *child = Value::String("<redacted>".into());
                    } else {
                        walk(child);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut value);
    value.to_string()
}

async fn no_route_crosses_organizations(app: TestApp) {
    let a = app.tenant("Alpha", ALL_SCOPES).await;
    let b = app.tenant("Beta", ALL_SCOPES).await;
    let world = populate(&app, &b.access_token, &b.org.admin_user_id).await;
    let before = snapshot(&app, &b.access_token, &world).await;
    let ta = a.access_token.as_str();
    // A record of A's own, to try linking into B's records and B's into A's.
    let mine_contact = app.create(ta, "Contacts", json!({"Last_Name": "Mine"})).await;
    let mine_account = app.create(ta, "Accounts", json!({"Account_Name": "Mine"})).await;
    let mut checked = 0;
    for (module, id) in &world.ids {
        for c in record_calls(module, related_of(module)) {
            let mine = if module == &"Accounts" { &mine_contact } else { &mine_account };
            let with_b = run(&app, ta, &c, id, mine, &a.org.admin_user_id).await;
            let with_nowhere = run(&app, ta, &c, NOWHERE, mine, &a.org.admin_user_id).await;
            assert_eq!(with_b, with_nowhere, "{} {} reveals B's {module} id", c.method, c.path);
            assert!(
                !with_b.0.is_success()
                    || with_b.0 == StatusCode::NO_CONTENT
                    || c.method == Method::GET && with_b.0 == StatusCode::OK && with_b.1.contains("\"count\":0"),
                "{} {} succeeded: {:?}",
                c.method,
                c.path,
                with_b
            );
            checked += 1;
        }
        // B's record linked from A's side.
        for (parent_module, parent, list) in
            [("Accounts", &mine_account, "Contacts"), ("Accounts", &mine_account, "Tasks"), ("Contacts", &mine_contact, "Pipelines")]
        {
            let c = call(Method::PUT, format!("/bigin/v2/{parent_module}/{parent}/{list}"), Some(json!({"data": [{"id": "{id}"}]})));
            assert_eq!(run(&app, ta, &c, id, "", "").await, run(&app, ta, &c, NOWHERE, "", "").await, "linking B's {module} from A");
            checked += 1;
        }
    }
    // B's user, B's note through B's parent, and B's unique value.
    for c in [
        call(Method::GET, "/bigin/v2/users/{id}".into(), None),
        call(Method::PUT, "/bigin/v2/users/{id}".into(), Some(json!({"users": [{"last_name": "pwned"}]}))),
        call(Method::DELETE, "/bigin/v2/users/{id}".into(), None),
    ] {
        assert_eq!(run(&app, ta, &c, &world.user, "", "").await, run(&app, ta, &c, NOWHERE, "", "").await, "{} {}", c.method, c.path);
        checked += 1;
    }
    let note_call = call(
        Method::PUT,
        format!("/bigin/v2/Contacts/{}/Notes/{{id}}", world.note_parent),
        Some(json!({"data": [{"Note_Content": "pwned"}]})),
    );
    assert_eq!(run(&app, ta, &note_call, &world.note, "", "").await, run(&app, ta, &note_call, NOWHERE, "", "").await);
    let (status, body) =
        app.post("/bigin/v2/Contacts/upsert", ta, &json!({"data": [{"Last_Name": "Mine too", "Email": "SECRET@b.example"}]})).await;
    assert_eq!((status, body["data"][0]["details"]["action"].as_str()), (StatusCode::OK, Some("insert")), "B's unique value is not A's");
    // Metadata ids are per organization too.
    for (path, module) in [("fields", "Contacts"), ("layouts", "Pipelines"), ("custom_views", "Contacts")] {
        let (_, theirs) = app.get(&format!("/bigin/v2/settings/{path}?module={module}"), &b.access_token).await;
        let id = theirs[path][0]["id"].as_str().unwrap().to_string();
        let (status, _) = app.get(&format!("/bigin/v2/settings/{path}/{id}?module={module}"), ta).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{path} of B from A");
        checked += 1;
    }
    assert!(checked > 150, "the matrix ran {checked} calls");
    let after = snapshot(&app, &b.access_token, &world).await;
    assert_eq!(before, after, "B's data changed");
}
