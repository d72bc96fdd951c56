//! Golden wire tests: the answer of each endpoint, kept as a snapshot in `snapshots/` with ids,
//! times, tokens and the server's address redacted. Both backends must produce the same files.
//! After an intended change of the wire, run the suite with `BIGINBOX_UPDATE_SNAPSHOTS=1` and
//! review the diff.

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
                json!("<time>")
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

async fn the_wire_matches_the_snapshots(app: TestApp) {
    let org = app.org("Zylker", "pat.boyle@zylker.example").await;
    let client = app.self_client("pat.boyle@zylker.example").await;
    let code = app.self_code(&client, &org.org_id, &format!("{ALL_SCOPES},ZohoSearch.securesearch.READ")).await;
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
    app.create(t, "Tasks", json!({"Subject": "Call Ted", "Due_Date": "2026-03-01", "What_Id": {"id": contact}, "$se_module": "Contacts"}))
        .await;

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
