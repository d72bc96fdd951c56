//! Golden wire tests: the answer of each endpoint, kept as a snapshot in `snapshots/` with ids,
//! times, tokens and the server's address redacted. Times keep their offset (`<time-08:00>`): the
//! clock is set to a winter day, so the organization's offset (America/Los_Angeles) is pinned.
//! Both backends must produce the same files. After an intended change of the wire, run the
//! suite with `BIGINBOX_UPDATE_SNAPSHOTS=1` and review the diff.

use std::path::PathBuf;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{ids_of, TestApp, ALL_SCOPES};
use crate::on_both_backends;

on_both_backends!(the_wire_matches_the_snapshots);

fn redact(value: &Value, base: &str) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let keep_out = matches!(k.as_str(), "zgid" | "zuid" | "primary_zuid" | "domain_name" | "next_page_token");
                    (k.clone(), if keep_out && !v.is_null() { json!("<redacted>") } else { redact(v, base) })
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| redact(v, base)).collect()),
        Value::String(s) => {
            let is_id = s.len() == 19 && s.bytes().all(|b| b.is_ascii_digit());
            let is_token = s.starts_with("1000.") && s.len() > 40;
            let is_time = s.len() >= 19 && s.as_bytes().get(4) == Some(&b'-') && s.as_bytes().get(10) == Some(&b'T');
            if is_id {
                json!("<id>")
            } else if is_token {
                json!("<token>")
            } else if is_time {
                // The offset stays: times are ISO 8601 with the organization's offset, never `Z`.
                json!(format!("<time{}>", &s[19..]))
            } else if let Some(rest) = s.strip_prefix(base) {
                json!(format!("<base>{rest}"))
            } else {
                value.clone()
            }
        }
        _ => value.clone(),
    }
}

fn snapshot_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/api/snapshots").join(format!("{name}.json"))
}

fn check(app: &TestApp, name: &str, status: StatusCode, body: &Value) {
    let actual = json!({"status": status.as_u16(), "body": redact(body, &app.base)});
    let text = serde_json::to_string_pretty(&actual).unwrap() + "\n";
    let path = snapshot_path(name);
    if std::env::var_os("BIGINBOX_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let expected =
        std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("no snapshot {}: run with BIGINBOX_UPDATE_SNAPSHOTS=1", path.display()));
    assert_eq!(text, expected, "the wire of {name} changed (BIGINBOX_UPDATE_SNAPSHOTS=1 rewrites the snapshot)");
}

/// 2026-01-15T12:00:00Z: Los Angeles is on -08:00 then.
const WINTER_MS: i64 = 1_768_478_400_000;

async fn the_wire_matches_the_snapshots(app: TestApp) {
    app.state.clock.advance_ms(WINTER_MS - app.state.now());
    let org = app.org("Zylker", "pat.boyle@zylker.example").await;
    let client = app.self_client("pat.boyle@zylker.example").await;
    let code = app.self_code(&client, &org.org_id, &format!("{ALL_SCOPES},ZohoSearch.securesearch.READ,ZohoBigin.coql.READ")).await;
    let (status, tokens) = app
        .token_call(&[
            ("grant_type", "authorization_code"),
            ("client_id", &client.client_id),
            ("client_secret", &client.client_secret),
            ("code", &code),
        ])
        .await;
    check(&app, "oauth_token", status, &tokens);
    let token = tokens["access_token"].as_str().unwrap().to_string();
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let (status, body) = app
        .token_call(&[
            ("grant_type", "refresh_token"),
            ("client_id", &client.client_id),
            ("client_secret", &client.client_secret),
            ("refresh_token", refresh),
        ])
        .await;
    check(&app, "oauth_refresh", status, &body);
    let (status, body) = app
        .token_call(&[
            ("grant_type", "authorization_code"),
            ("client_id", &client.client_id),
            ("client_secret", &client.client_secret),
            ("code", "1000.x.y"),
        ])
        .await;
    check(&app, "oauth_invalid_code", status, &body);
    let t = token.as_str();

    let account = app.create(t, "Accounts", json!({"Account_Name": "Zylker Inc", "Website": "https://zylker.example"})).await;
    let (status, body) = app.post("/bigin/v2/Contacts", t, &json!({"data": [{"Last_Name": "Watson", "First_Name": "Ted", "Email": "ted@zylker.example", "Account_Name": {"id": account}}, {"First_Name": "No"}]})).await;
    check(&app, "contacts_insert_mixed", status, &body);
    let contact = ids_of(&body)[0].clone();
    let deal = app.create(t, "Pipelines", json!({"Deal_Name": "Renewal", "Sub_Pipeline": "Standard", "Stage": "Qualification", "Amount": 1200, "Contact_Name": {"id": contact}})).await;
    let task = app
        .create(t, "Tasks", json!({"Subject": "Call Ted", "Due_Date": "2026-03-01", "What_Id": {"id": contact}, "$se_module": "Contacts"}))
        .await;
    let (status, body) = app.post("/bigin/v2/Products", t, &json!({"data": [{"Product_Name": "Widget", "Product_Code": "W-1", "Product_Category": "Hardware", "Unit_Price": 9.5, "Product_Active": true}]})).await;
    check(&app, "products_insert_one", status, &body);
    let product = ids_of(&body)[0].clone();
    let event = app.create(t, "Events", json!({"Event_Title": "Demo", "Start_DateTime": "2026-02-01T10:00:00+01:00", "End_DateTime": "2026-02-01T11:00:00+01:00", "Venue": "Paris", "What_Id": {"id": deal}, "$se_module": "Pipelines"})).await;
    let call = app.create(t, "Calls", json!({"Subject": "Intro", "Call_Type": "Outbound", "Call_Start_Time": "2026-02-02T09:00:00-08:00", "Call_Duration": "10:00", "Call_Duration_in_seconds": 600, "What_Id": {"id": account}, "$se_module": "Accounts"})).await;
    let (status, body) = app
        .post(&format!("/bigin/v2/Contacts/{contact}/Notes"), t, &json!({"data": [{"Note_Title": "Golf", "Note_Content": "Likes golf"}]}))
        .await;
    check(&app, "notes_create", status, &body);
    let note = ids_of(&body)[0].clone();
    let (status, body) =
        app.put(&format!("/bigin/v2/Contacts/{contact}/Notes/{note}"), t, &json!({"data": [{"Note_Content": "Loves golf"}]})).await;
    check(&app, "notes_update", status, &body);
    let (_, fields) = app.get("/bigin/v2/settings/fields?module=Contacts", t).await;
    let email_field =
        fields["fields"].as_array().unwrap().iter().find(|f| f["api_name"] == "Email").unwrap()["id"].as_str().unwrap().to_string();
    let (_, layouts) = app.get("/bigin/v2/settings/layouts?module=Pipelines", t).await;
    let pipeline = layouts["layouts"][0]["id"].as_str().unwrap().to_string();
    let (_, views) = app.get("/bigin/v2/settings/custom_views?module=Contacts", t).await;
    let view = views["custom_views"][0]["id"].as_str().unwrap().to_string();

    let gets: Vec<(&str, String)> = vec![
        ("org", "/bigin/v2/org".into()),
        ("users_current", "/bigin/v2/users?type=CurrentUser".into()),
        ("modules", "/bigin/v2/settings/modules".into()),
        ("module_contacts", "/bigin/v2/settings/modules/Contacts".into()),
        ("fields_contacts", "/bigin/v2/settings/fields?module=Contacts".into()),
        ("layouts_pipelines", "/bigin/v2/settings/layouts?module=Pipelines".into()),
        ("custom_views_contacts", "/bigin/v2/settings/custom_views?module=Contacts".into()),
        ("related_lists_contacts", "/bigin/v2/settings/related_lists?module=Contacts".into()),
        ("roles", "/bigin/v2/settings/roles".into()),
        ("profiles", "/bigin/v2/settings/profiles".into()),
        ("contact_by_id", format!("/bigin/v2/Contacts/{contact}")),
        ("contacts_list", "/bigin/v2/Contacts?fields=Last_Name,Email,Account_Name,Owner,Created_Time".into()),
        ("pipeline_by_id", format!("/bigin/v2/Pipelines/{deal}")),
        ("contact_pipelines", format!("/bigin/v2/Contacts/{contact}/Pipelines?fields=Deal_Name,Stage")),
        ("contact_tasks", format!("/bigin/v2/Contacts/{contact}/Tasks?fields=Subject,What_Id")),
        ("contacts_count", "/bigin/v2/Contacts/actions/count".into()),
        ("account_by_id", format!("/bigin/v2/Accounts/{account}")),
        ("product_by_id", format!("/bigin/v2/Products/{product}")),
        ("task_by_id", format!("/bigin/v2/Tasks/{task}")),
        ("event_by_id", format!("/bigin/v2/Events/{event}")),
        ("call_by_id", format!("/bigin/v2/Calls/{call}")),
        ("note_by_id", format!("/bigin/v2/Notes/{note}")),
        ("contact_notes", format!("/bigin/v2/Contacts/{contact}/Notes")),
        ("field_by_id", format!("/bigin/v2/settings/fields/{email_field}?module=Contacts")),
        ("layout_by_id", format!("/bigin/v2/settings/layouts/{pipeline}?module=Pipelines")),
        ("custom_view_by_id", format!("/bigin/v2/settings/custom_views/{view}?module=Contacts")),
        ("user_by_id", format!("/bigin/v2/users/{}", org.admin_user_id)),
        ("pipelines_of_team_pipeline", format!("/bigin/v2/Pipelines?fields=Deal_Name,Stage,Layout&pipeline_id={pipeline}")),
        (
            "search_criteria",
            "/bigin/v2/Contacts/search?criteria=((Last_Name:equals:Watson)and(Email:starts_with:ted))&fields=Last_Name,Email".into(),
        ),
        ("search_word", "/bigin/v2/Accounts/search?word=zylker".into()),
        ("search_refused", "/bigin/v2/Contacts/search?criteria=(Last_Name:greater_than:a)".into()),
        ("error_fields_missing", "/bigin/v2/Contacts".into()),
        ("error_invalid_module", "/bigin/v2/Leads?fields=x".into()),
        ("error_url_pattern", "/bigin/v2/nothing/here/at/all".into()),
    ];
    for (name, path) in gets {
        let (status, body) = app.get(&path, t).await;
        check(&app, name, status, &body);
    }
    let (status, body) = app.put(&format!("/bigin/v2/Contacts/{contact}"), t, &json!({"data": [{"Title": "CTO"}]})).await;
    check(&app, "contact_update", status, &body);
    let (status, body) = app
        .post("/bigin/v2/Contacts", t, &json!({"data": [{"Last_Name": "Lee", "First_Name": "Ann", "Email": "ann@zylker.example"}]}))
        .await;
    check(&app, "contacts_insert_one", status, &body);
    let ann = ids_of(&body)[0].clone();
    let (status, body) = app
        .put("/bigin/v2/Contacts", t, &json!({"data": [{"id": contact, "Title": "CEO"}, {"id": ann, "Mobile": "+1 555 0100"}, {"id": "1000000000000000001", "Title": "x"}]}))
        .await;
    check(&app, "contacts_update_bulk", status, &body);
    let (status, body) = app
        .post("/bigin/v2/coql", t, &json!({"select_query": "select Last_Name, Email, Account_Name, Account_Name.Account_Name, Created_Time from Contacts where Email like '%zylker.example' order by Last_Name"}))
        .await;
    check(&app, "coql_select", status, &body);
    let (status, body) = app.post("/bigin/v2/coql", t, &json!({"select_query": "select Last_Name from Contacts where"})).await;
    check(&app, "coql_syntax_error", status, &body);
    let (status, body) = app
        .post(
            "/bigin/v2/Contacts/upsert",
            t,
            &json!({"data": [{"Last_Name": "New", "Email": "new@zylker.example"}], "duplicate_check_fields": ["Email"]}),
        )
        .await;
    check(&app, "contacts_upsert_insert", status, &body);
    let newcomer = ids_of(&body)[0].clone();
    let (status, body) = app.post("/bigin/v2/Contacts", t, &json!({"data": [{"First_Name": "Nameless"}]})).await;
    check(&app, "error_mandatory_not_found", status, &body);
    let many: Vec<Value> = (0..101).map(|i| json!({"Last_Name": format!("N{i}")})).collect();
    let (status, body) = app.post("/bigin/v2/Contacts", t, &json!({ "data": many })).await;
    check(&app, "error_limit_exceeded", status, &body);
    let (status, body) = app.get("/bigin/v2/Contacts?fields=Last_Name&per_page=201", t).await;
    check(&app, "error_per_page_exceeded", status, &body);
    let (status, body) = app.call(Method::PATCH, "/bigin/v2/Contacts", Some(t), Some("{}")).await;
    check(&app, "error_invalid_request_method", status, &body);
    let (status, body) = app.get(&format!("/bigin/v2/Pipelines?fields=Deal_Name&pipeline_id={account}"), t).await;
    check(&app, "error_invalid_pipeline_id", status, &body);
    let (status, body) = app.put(&format!("/bigin/v2/Pipelines/{deal}/Products"), t, &json!({"data": [{"id": product}]})).await;
    check(&app, "related_link_product", status, &body);
    let (status, body) = app.get(&format!("/bigin/v2/Products/{product}/Pipelines?fields=Deal_Name"), t).await;
    check(&app, "product_pipelines", status, &body);
    let (status, body) = app.delete(&format!("/bigin/v2/Products/{product}/Pipelines/{deal}"), t).await;
    check(&app, "related_delink", status, &body);
    let (status, body) = app.delete(&format!("/bigin/v2/Accounts/{account}/Calls?ids={call},1000000000000000001"), t).await;
    check(&app, "related_delink_bulk", status, &body);

    // Users.
    let (status, body) = app
        .post("/bigin/v2/users", t, &json!({"users": [{"first_name": "Sam", "last_name": "Lee", "email": "sam@zylker.example"}, {"last_name": "Dup", "email": "SAM@zylker.example"}]}))
        .await;
    check(&app, "users_add", status, &body);
    let sam = body["users"][0]["details"]["id"].as_str().unwrap().to_string();
    let (status, body) = app.get(&format!("/bigin/v2/users/{sam}"), t).await;
    check(&app, "user_added", status, &body);
    let (status, body) = app.put(&format!("/bigin/v2/users/{sam}"), t, &json!({"users": [{"first_name": "Samuel"}]})).await;
    check(&app, "users_update", status, &body);
    let (status, body) = app
        .put("/bigin/v2/users", t, &json!({"users": [{"id": sam, "last_name": "Li"}, {"id": "1000000000000000001", "last_name": "X"}]}))
        .await;
    check(&app, "users_update_bulk", status, &body);
    let (status, body) = app
        .post("/bigin/v2/Contacts/actions/change_owner", t, &json!({"ids": [ann, newcomer, "1000000000000000001"], "owner": {"id": sam}}))
        .await;
    check(&app, "contacts_change_owner_bulk", status, &body);
    let (status, body) = app.get("/bigin/v2/users?type=ActiveUsers", t).await;
    check(&app, "users_active", status, &body);
    let (status, body) = app.delete(&format!("/bigin/v2/Contacts?ids={ann},{newcomer},1000000000000000001"), t).await;
    check(&app, "contacts_delete_bulk", status, &body);
    let (status, body) = app.delete(&format!("/bigin/v2/users/{sam}"), t).await;
    check(&app, "users_delete", status, &body);
    let (status, body) = app
        .post(
            "/bigin/v2/Contacts/upsert",
            t,
            &json!({"data": [{"Last_Name": "Watson", "Email": "TED@zylker.example"}], "duplicate_check_fields": ["Email"]}),
        )
        .await;
    check(&app, "contacts_upsert_update", status, &body);
    let (status, body) = app.post("/bigin/v2/Contacts", t, &json!({"data": [{"Last_Name": "Twin", "Email": "ted@zylker.example"}]})).await;
    check(&app, "contacts_duplicate", status, &body);
    let (status, body) = app.post("/bigin/v2/Contacts", t, &json!({"data": [{"Last_Name": "X", "Email_Opt_Out": "yes"}]})).await;
    check(&app, "contacts_invalid_data", status, &body);
    let (status, body) = app
        .put(&format!("/bigin/v2/Pipelines/{deal}/Contacts"), t, &json!({"data": [{"id": contact, "Contact_Role": {"name": "Evaluator"}}]}))
        .await;
    check(&app, "related_link", status, &body);
    let (status, body) =
        app.post(&format!("/bigin/v2/Contacts/{contact}/actions/change_owner"), t, &json!({"owner": {"id": org.admin_user_id}})).await;
    check(&app, "change_owner", status, &body);
    let (status, body) = app.delete(&format!("/bigin/v2/Contacts/{contact}"), t).await;
    check(&app, "contact_delete", status, &body);
    let (status, body) = app.get("/bigin/v2/Contacts/deleted", t).await;
    check(&app, "contacts_deleted", status, &body);
    let (status, body) = app.call(Method::GET, "/bigin/v2/org", None, None).await;
    check(&app, "error_authentication_failure", status, &body);
    let (status, body) = app.get("/bigin/v2/org", "1000.00000000000000000000000000000000.00000000000000000000000000000000").await;
    check(&app, "error_invalid_token", status, &body);
    let narrow = app.tenant("Narrow", "ZohoBigin.org.READ").await;
    let (status, body) = app.get("/bigin/v2/users", &narrow.access_token).await;
    check(&app, "error_scope_mismatch", status, &body);
}
