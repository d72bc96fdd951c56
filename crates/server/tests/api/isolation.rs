//! Organization isolation, as a generated matrix: every record, related-list, note, user and
//! metadata route is called with organization A's token and organization B's ids (in the path,
//! the query or the body). Nothing of B may be read, listed, counted, linked, changed or deleted,
//! and each answer must be the one an id that exists nowhere gets, so that it does not reveal
//! that B's id exists. The related lists come from `crm::related`, so a new list is in the matrix
//! without a change here.

use std::collections::HashMap;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{TestApp, ALL_SCOPES};
use crate::on_both_backends;

on_both_backends!(no_route_crosses_organizations);

const NOWHERE: &str = "1999999999999999999";
const PARENTS: [&str; 4] = ["Contacts", "Accounts", "Pipelines", "Products"];
const MODULES: [&str; 8] = ["Accounts", "Contacts", "Pipelines", "Products", "Tasks", "Events", "Calls", "Notes"];

/// An organization's records by module, and what else the matrix uses of it.
struct World {
    ids: HashMap<&'static str, String>,
    user: String,
    note_parent: String,
    note: String,
    /// A record in the recycle bin.
    binned: String,
}

async fn populate(app: &TestApp, token: &str, admin: &str, prefix: &str) -> World {
    let account = app.create(token, "Accounts", json!({"Account_Name": format!("{prefix} Corp")})).await;
    let contact = app
        .create(
            token,
            "Contacts",
            json!({"Last_Name": "Secret", "Email": format!("secret@{prefix}.example"), "Account_Name": {"id": account}}),
        )
        .await;
    let deal = app
        .create(
            token,
            "Pipelines",
            json!({"Deal_Name": format!("{prefix} deal"), "Sub_Pipeline": "Standard", "Stage": "Qualification", "Contact_Name": {"id": contact}}),
        )
        .await;
    let product = app.create(token, "Products", json!({"Product_Name": format!("{prefix} widget")})).await;
    app.put(&format!("/bigin/v2/Pipelines/{deal}/Products"), token, &json!({"data": [{"id": product}]})).await;
    app.put(
        &format!("/bigin/v2/Pipelines/{deal}/Contacts"),
        token,
        &json!({"data": [{"id": contact, "Contact_Role": {"name": "Evaluator"}}]}),
    )
    .await;
    let task = app.create(token, "Tasks", json!({"Subject": "task", "What_Id": {"id": contact}, "$se_module": "Contacts"})).await;
    let event = app.create(token, "Events", json!({"Event_Title": "event", "Start_DateTime": "2026-01-01T10:00:00Z", "End_DateTime": "2026-01-01T11:00:00Z", "What_Id": {"id": deal}, "$se_module": "Pipelines"})).await;
    let call = app.create(token, "Calls", json!({"Subject": "call", "Call_Type": "Inbound", "Call_Start_Time": "2026-01-01T10:00:00Z", "What_Id": {"id": account}, "$se_module": "Accounts"})).await;
    let note = app.create(token, "Notes", json!({"Note_Content": "note", "Parent_Id": {"id": contact}, "$se_module": "Contacts"})).await;
    let binned = app.create(token, "Contacts", json!({"Last_Name": "Binned"})).await;
    app.delete(&format!("/bigin/v2/Contacts/{binned}"), token).await;
    let ids = HashMap::from([
        ("Accounts", account),
        ("Contacts", contact.clone()),
        ("Pipelines", deal),
        ("Products", product),
        ("Tasks", task),
        ("Events", event),
        ("Calls", call),
        ("Notes", note.clone()),
    ]);
    World { ids, user: admin.to_string(), note_parent: contact, note, binned }
}

/// Everything B can see of its data: each record, each related list, counts, the recycle bin,
/// its users and its metadata.
async fn snapshot(app: &TestApp, token: &str, world: &World) -> Vec<Value> {
    let mut all = Vec::new();
    for module in MODULES {
        let id = &world.ids[module];
        all.push(app.get(&format!("/bigin/v2/{module}/{id}"), token).await.1);
        for list in lists_of(module) {
            all.push(app.get(&format!("/bigin/v2/{module}/{id}/{}", list.api_name), token).await.1);
        }
        all.push(app.get(&format!("/bigin/v2/{module}/actions/count"), token).await.1);
        all.push(app.get(&format!("/bigin/v2/{module}/deleted"), token).await.1);
        all.push(app.get(&format!("/bigin/v2/settings/fields?module={module}"), token).await.1);
        all.push(app.get(&format!("/bigin/v2/settings/layouts?module={module}"), token).await.1);
    }
    all.push(app.get("/bigin/v2/users", token).await.1);
    all
}

fn lists_of(module: &str) -> Vec<crm::related::RelatedList> {
    crm::related::related_lists(crm::Id::from_i64(1_000_000_000_000_000_001), module)
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

/// Every route that takes a record id, for one of B's records of `module`; `mine` are A's own
/// records by module (what A tries to link into B's record), `owner` A's user.
fn record_calls(module: &str, mine: &HashMap<&'static str, String>, owner: &str) -> Vec<Call> {
    let mut calls = vec![
        call(Method::GET, format!("/bigin/v2/{module}/{{id}}"), None),
        call(Method::GET, format!("/bigin/v2/{module}?fields=id&ids={{id}}"), None),
        call(Method::GET, format!("/bigin/v2/{module}/actions/count?ids={{id}}"), None),
        call(Method::PUT, format!("/bigin/v2/{module}/{{id}}"), Some(json!({"data": [{"Description": "pwned"}]}))),
        call(Method::PUT, format!("/bigin/v2/{module}"), Some(json!({"data": [{"id": "{id}", "Description": "pwned"}]}))),
        call(Method::POST, format!("/bigin/v2/{module}/{{id}}/actions/change_owner"), Some(json!({"owner": {"id": owner}}))),
        call(Method::POST, format!("/bigin/v2/{module}/actions/change_owner"), Some(json!({"ids": ["{id}"], "owner": {"id": owner}}))),
        call(Method::DELETE, format!("/bigin/v2/{module}?ids={{id}}"), None),
        call(Method::DELETE, format!("/bigin/v2/{module}/{{id}}"), None),
    ];
    for list in lists_of(module) {
        let name = list.api_name;
        let other = &mine[list.module];
        calls.push(call(Method::GET, format!("/bigin/v2/{module}/{{id}}/{name}"), None));
        calls.push(call(Method::PUT, format!("/bigin/v2/{module}/{{id}}/{name}"), Some(json!({"data": [{"id": other}]}))));
        calls.push(call(Method::DELETE, format!("/bigin/v2/{module}/{{id}}/{name}?ids={other}"), None));
        calls.push(call(Method::DELETE, format!("/bigin/v2/{module}/{{id}}/{name}/{other}"), None));
        if list.module == "Notes" {
            calls.push(call(Method::POST, format!("/bigin/v2/{module}/{{id}}/Notes"), Some(json!({"data": [{"Note_Content": "pwned"}]}))));
            calls.push(call(
                Method::PUT,
                format!("/bigin/v2/{module}/{{id}}/Notes/{other}"),
                Some(json!({"data": [{"Note_Content": "pwned"}]})),
            ));
        }
        if list.module == "Pipelines" {
            calls.push(call(Method::GET, format!("/bigin/v2/{module}/{{id}}/Pipelines?pipeline_id={NOWHERE}"), None));
        }
    }
    calls
}

/// The calls that put B's record of `target` into A's records' related lists, and take it out.
fn linking_calls(target: &str, mine: &HashMap<&'static str, String>) -> Vec<Call> {
    let mut calls = Vec::new();
    for parent in PARENTS {
        for list in lists_of(parent).into_iter().filter(|l| l.module == target) {
            let path = format!("/bigin/v2/{parent}/{}/{}", mine[parent], list.api_name);
            calls.push(call(Method::PUT, path.clone(), Some(json!({"data": [{"id": "{id}", "Contact_Role": {"name": "Evaluator"}}]}))));
            calls.push(call(Method::DELETE, format!("{path}?ids={{id}}"), None));
            calls.push(call(Method::DELETE, format!("{path}/{{id}}"), None));
            if target == "Notes" {
                calls.push(call(Method::PUT, format!("{path}/{{id}}"), Some(json!({"data": [{"Note_Content": "pwned"}]}))));
            }
        }
    }
    // B's record as a lookup of A's records.
    match target {
        "Accounts" => calls.push(call(
            Method::POST,
            "/bigin/v2/Contacts".into(),
            Some(json!({"data": [{"Last_Name": "L", "Account_Name": {"id": "{id}"}}]})),
        )),
        "Contacts" => calls.push(call(
            Method::PUT,
            format!("/bigin/v2/Pipelines/{}", mine["Pipelines"]),
            Some(json!({"data": [{"Contact_Name": {"id": "{id}"}}]})),
        )),
        "Pipelines" | "Products" => calls.push(call(
            Method::POST,
            "/bigin/v2/Notes".into(),
            Some(json!({"data": [{"Note_Content": "n", "Parent_Id": {"id": "{id}"}, "$se_module": target}]})),
        )),
        _ => {}
    }
    calls
}

/// The calls that name B's user: as an owner or user lookup of A's records, and through the users API.
fn user_calls(mine: &HashMap<&'static str, String>) -> Vec<Call> {
    let contact = &mine["Contacts"];
    vec![
        call(Method::GET, "/bigin/v2/users/{id}".into(), None),
        call(Method::PUT, "/bigin/v2/users/{id}".into(), Some(json!({"users": [{"last_name": "pwned"}]}))),
        call(Method::PUT, "/bigin/v2/users".into(), Some(json!({"users": [{"id": "{id}", "last_name": "pwned"}]}))),
        call(Method::DELETE, "/bigin/v2/users/{id}".into(), None),
        call(Method::POST, format!("/bigin/v2/Contacts/{contact}/actions/change_owner"), Some(json!({"owner": {"id": "{id}"}}))),
        call(Method::POST, "/bigin/v2/Contacts/actions/change_owner".into(), Some(json!({"ids": [contact], "owner": {"id": "{id}"}}))),
        call(Method::POST, "/bigin/v2/Contacts".into(), Some(json!({"data": [{"Last_Name": "O", "Owner": {"id": "{id}"}}]}))),
        call(Method::PUT, format!("/bigin/v2/Contacts/{contact}"), Some(json!({"data": [{"Owner": {"id": "{id}"}}]}))),
        call(Method::PUT, format!("/bigin/v2/Contacts/{contact}"), Some(json!({"data": [{"Buddy": {"id": "{id}"}}]}))),
    ]
}

async fn run(app: &TestApp, token: &str, c: &Call, id: &str) -> (StatusCode, String) {
    let fill = |text: &str| text.replace("{id}", id);
    let (status, body) = app.call(c.method.clone(), &fill(&c.path), Some(token), c.body.as_deref().map(fill).as_deref()).await;
    // The id under test is the only thing allowed to differ between the two answers.
    let text = body.to_string().replace(id, "<id>");
    (status, redact_times(&text))
}

/// Times and minted ids in write answers differ from call to call; they are not what this test
/// compares.
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

/// Runs a call with B's id and with an id that exists nowhere: the answers must be equal, and
/// must not be a success over B's data.
async fn same_as_nowhere(app: &TestApp, token: &str, c: &Call, b_id: &str, what: &str) {
    let with_b = run(app, token, c, b_id).await;
    let with_nowhere = run(app, token, c, NOWHERE).await;
    assert_eq!(with_b, with_nowhere, "{} {} reveals B's {what}", c.method, c.path);
    let found_nothing = with_b.0 == StatusCode::NO_CONTENT || c.method == Method::GET && with_b.1.contains("\"count\":0");
    assert!(!with_b.0.is_success() || found_nothing, "{} {} succeeded with B's {what}: {:?}", c.method, c.path, with_b);
}

async fn no_route_crosses_organizations(app: TestApp) {
    let a = app.tenant("Alpha", ALL_SCOPES).await;
    let b = app.tenant("Beta", ALL_SCOPES).await;
    for t in [&a, &b] {
        let new = server::provision::NewField {
            module: "Contacts",
            label: "Buddy",
            data_type: "userlookup",
            length: None,
            picklist: &[],
            unique: false,
            lookup_module: None,
        };
        server::provision::create_custom_field(&app.state, &t.org.org_id, &new).await.unwrap();
        let sub = vec![crm::pipelines::SubPipelineSpec { name: "Direct".into(), stages: vec!["Open".into(), "Won".into()] }];
        server::provision::create_team_pipeline(&app.state, &t.org.org_id, "Partners", sub).await.unwrap();
    }
    let tb = b.access_token.as_str();
    let world = populate(&app, tb, &b.org.admin_user_id, "b").await;
    let before = snapshot(&app, tb, &world).await;
    let ta = a.access_token.as_str();
    let mine = populate(&app, ta, &a.org.admin_user_id, "a").await;
    let mut checked = 0;

    // B's records, by every id-taking route, and linked into A's records.
    for module in MODULES {
        let id = &world.ids[module];
        for c in record_calls(module, &mine.ids, &a.org.admin_user_id) {
            same_as_nowhere(&app, ta, &c, id, module).await;
            checked += 1;
        }
        for c in linking_calls(module, &mine.ids) {
            same_as_nowhere(&app, ta, &c, id, module).await;
            checked += 1;
        }
    }
    // The matrix walked every module of the schema, and every related list of each (generated
    // from crm::related, from B's side and from A's).
    let schema = crm::modules::Schema::default_for(crm::Id::from_i64(1_000_000_000_000_000_001));
    let mut modules: Vec<&str> = schema.modules.iter().map(|m| m.api_name).collect();
    let mut walked = MODULES.to_vec();
    modules.sort_unstable();
    walked.sort_unstable();
    assert_eq!(modules, walked, "every module is in the matrix");
    for module in MODULES {
        assert_eq!(PARENTS.contains(&module), !lists_of(module).is_empty(), "{module}'s related lists are in the matrix");
    }
    let lists: usize = PARENTS.iter().map(|m| lists_of(m).len()).sum();
    assert_eq!(lists, 19, "crm::related has the lists the matrix walked");

    // B's note through A's parent, and through B's parent.
    let mine_contact = &mine.ids["Contacts"];
    for parent in [mine_contact, &world.note_parent] {
        for c in [
            call(Method::PUT, format!("/bigin/v2/Contacts/{parent}/Notes/{{id}}"), Some(json!({"data": [{"Note_Content": "pwned"}]}))),
            call(Method::DELETE, format!("/bigin/v2/Contacts/{parent}/Notes/{{id}}"), None),
            call(Method::DELETE, format!("/bigin/v2/Contacts/{parent}/Notes?ids={{id}}"), None),
            call(Method::DELETE, "/bigin/v2/Notes?ids={id}".into(), None),
        ] {
            same_as_nowhere(&app, ta, &c, &world.note, "note").await;
            checked += 1;
        }
    }
    // B's user.
    for c in user_calls(&mine.ids) {
        same_as_nowhere(&app, ta, &c, &world.user, "user").await;
        checked += 1;
    }
    // B's custom views and team pipelines as filters of A's lists.
    let (_, b_layouts) = app.get("/bigin/v2/settings/layouts?module=Pipelines", tb).await;
    for layout in b_layouts["layouts"].as_array().unwrap() {
        let pipeline = layout["id"].as_str().unwrap();
        for c in [
            call(Method::GET, "/bigin/v2/Pipelines?fields=id&pipeline_id={id}".into(), None),
            call(Method::GET, "/bigin/v2/Pipelines/actions/count?pipeline_id={id}".into(), None),
            call(Method::GET, format!("/bigin/v2/Contacts/{mine_contact}/Pipelines?pipeline_id={{id}}"), None),
            call(
                Method::POST,
                "/bigin/v2/Pipelines".into(),
                Some(json!({"data": [{"Deal_Name": "X", "Layout": {"id": "{id}"}, "Sub_Pipeline": "Standard", "Stage": "Qualification"}]})),
            ),
        ] {
            same_as_nowhere(&app, ta, &c, pipeline, "team pipeline").await;
            checked += 1;
        }
    }
    for module in MODULES {
        let (_, views) = app.get(&format!("/bigin/v2/settings/custom_views?module={module}"), tb).await;
        for view in views["custom_views"].as_array().unwrap() {
            let cvid = view["id"].as_str().unwrap();
            for c in [
                call(Method::GET, format!("/bigin/v2/{module}?fields=id&cvid={{id}}"), None),
                call(Method::GET, format!("/bigin/v2/{module}/actions/count?cvid={{id}}"), None),
            ] {
                same_as_nowhere(&app, ta, &c, cvid, "custom view").await;
                checked += 1;
            }
        }
    }
    // Metadata ids of every module: B's fields (the custom one too), layouts and custom views
    // read from A as ids that exist nowhere.
    for module in MODULES {
        for (area, key) in [("fields", "fields"), ("layouts", "layouts"), ("custom_views", "custom_views")] {
            let (_, theirs) = app.get(&format!("/bigin/v2/settings/{area}?module={module}"), tb).await;
            for item in theirs[key].as_array().unwrap() {
                let id = item["id"].as_str().unwrap();
                let c = call(Method::GET, format!("/bigin/v2/settings/{area}/{{id}}?module={module}"), None);
                let with_b = run(&app, ta, &c, id).await;
                assert_eq!(with_b.0, StatusCode::NO_CONTENT, "{area} {id} of B from A");
                same_as_nowhere(&app, ta, &c, id, area).await;
                checked += 1;
            }
        }
    }
    // The recycle bin shows A's deleted records only.
    for kind in ["all", "recycle", "permanent"] {
        let (_, body) = app.get(&format!("/bigin/v2/Contacts/deleted?type={kind}"), ta).await;
        let text = body.to_string();
        assert!(!text.contains(&world.binned) && !text.contains("b Corp"), "B's recycle bin from A ({kind})");
        if kind != "permanent" {
            assert!(text.contains(&mine.binned), "A's own recycle bin ({kind})");
        }
        checked += 1;
    }
    // B's unique value is not A's.
    let (status, body) =
        app.post("/bigin/v2/Contacts/upsert", ta, &json!({"data": [{"Last_Name": "Mine too", "Email": "SECRET@b.example"}]})).await;
    assert_eq!((status, body["data"][0]["details"]["action"].as_str()), (StatusCode::OK, Some("insert")), "B's unique value is not A's");
    assert!(checked > 400, "the matrix ran {checked} calls");
    let after = snapshot(&app, tb, &world).await;
    assert_eq!(before, after, "B's data changed");
    assert_eq!(app.get(&format!("/bigin/v2/users/{}", world.user), tb).await.1["users"][0]["last_name"], "Admin");
}
