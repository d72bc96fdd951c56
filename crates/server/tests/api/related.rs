//! Related lists both ways: lookups, activities and notes through `$se_module`, and links with
//! contact roles.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{TestApp, ALL_SCOPES};
use crate::modules::minimal;
use crate::on_both_backends;

on_both_backends!(
    companies_list_their_contacts_and_pipelines,
    contact_roles_link_pipelines_both_ways,
    products_on_pipelines,
    notes_and_activities_of_a_record,
    every_related_list_of_every_module_links_lists_and_delinks,
    a_contact_delinks_its_pipelines_but_not_the_ones_it_is_primary_contact_of,
    delinking_checks_its_ids
);

fn ids(body: &Value) -> Vec<&str> {
    body["data"].as_array().map(|a| a.iter().map(|r| r["id"].as_str().unwrap()).collect()).unwrap_or_default()
}

async fn companies_list_their_contacts_and_pipelines(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let token = t.access_token.as_str();
    let account = app.create(token, "Accounts", json!({"Account_Name": "Zylker Inc"})).await;
    let ted = app.create(token, "Contacts", json!({"Last_Name": "Watson", "Account_Name": {"id": account}})).await;
    let ann = app.create(token, "Contacts", json!({"Last_Name": "Lee"})).await;
    let deal = app
        .create(
            token,
            "Pipelines",
            json!({"Deal_Name": "D", "Sub_Pipeline": "Standard", "Stage": "Qualification", "Account_Name": {"id": account}}),
        )
        .await;

    let (status, body) = app.get(&format!("/bigin/v2/Accounts/{account}/Contacts"), token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&body), [ted.as_str()]);
    assert_eq!(body["info"]["count"], 1);
    let (_, body) = app.get(&format!("/bigin/v2/Accounts/{account}/Pipelines?fields=Deal_Name"), token).await;
    assert_eq!(body["data"][0], json!({"Deal_Name": "D", "id": deal}));

    // Linking through a lookup-based list sets the contact's lookup; delinking clears it.
    let (status, body) = app
        .put(&format!("/bigin/v2/Accounts/{account}/Contacts"), token, &json!({"data": [{"id": ann}, {"id": "1000000000000000001"}]}))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(body["data"][0], json!({"code": "SUCCESS", "details": {"id": ann}, "message": "relation updated", "status": "success"}));
    assert_eq!(body["data"][1]["code"], "INVALID_DATA");
    let (_, read) = app.get(&format!("/bigin/v2/Contacts/{ann}"), token).await;
    assert_eq!(read["data"][0]["Account_Name"]["id"], account.as_str());
    assert_eq!(app.get(&format!("/bigin/v2/Accounts/{account}/Contacts"), token).await.1["info"]["count"], 2);
    let (status, body) = app.delete(&format!("/bigin/v2/Accounts/{account}/Contacts/{ann}"), token).await;
    assert_eq!((status, body["data"][0]["message"].as_str()), (StatusCode::OK, Some("relation removed")));
    assert_eq!(app.get(&format!("/bigin/v2/Contacts/{ann}"), token).await.1["data"][0]["Account_Name"], Value::Null);
    let (status, _) = app.delete(&format!("/bigin/v2/Accounts/{account}/Contacts/{ann}"), token).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a contact not related cannot be delinked");
    // Deleting the company clears the lookup as it is read.
    app.delete(&format!("/bigin/v2/Accounts/{account}"), token).await;
    assert_eq!(app.get(&format!("/bigin/v2/Contacts/{ted}"), token).await.1["data"][0]["Account_Name"], Value::Null);
    assert_eq!(app.get(&format!("/bigin/v2/Accounts/{account}/Contacts"), token).await.0, StatusCode::NO_CONTENT);

    let (status, body) = app.get(&format!("/bigin/v2/Contacts/{ted}/Nothing"), token).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("INVALID_URL_PATTERN")));
}

async fn contact_roles_link_pipelines_both_ways(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let token = t.access_token.as_str();
    let ted = app.create(token, "Contacts", json!({"Last_Name": "Watson"})).await;
    let ann = app.create(token, "Contacts", json!({"Last_Name": "Lee"})).await;
    let deal = app
        .create(
            token,
            "Pipelines",
            json!({"Deal_Name": "D", "Sub_Pipeline": "Standard", "Stage": "Qualification", "Contact_Name": {"id": ted}}),
        )
        .await;
    let other = app.create(token, "Pipelines", json!({"Deal_Name": "E", "Sub_Pipeline": "Standard", "Stage": "Qualification"})).await;

    // The primary contact's pipelines include the deal through Contact_Name.
    assert_eq!(ids(&app.get(&format!("/bigin/v2/Contacts/{ted}/Pipelines"), token).await.1), [deal.as_str()]);
    let (status, body) = app
        .put(
            &format!("/bigin/v2/Pipelines/{deal}/Contacts"),
            token,
            &json!({"data": [{"id": ann, "Contact_Role": {"name": "Decision Maker"}}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, body) = app.get(&format!("/bigin/v2/Pipelines/{deal}/Contacts?fields=Last_Name"), token).await;
    assert_eq!(body["data"][0]["Last_Name"], "Lee");
    assert_eq!(body["data"][0]["Contact_Role"]["name"], "Decision Maker");
    let role_id = body["data"][0]["Contact_Role"]["id"].as_str().unwrap().to_string();
    // The other way round: the contact lists the pipeline, and can link another one by role id.
    assert_eq!(ids(&app.get(&format!("/bigin/v2/Contacts/{ann}/Pipelines"), token).await.1), [deal.as_str()]);
    let (status, _) = app
        .put(&format!("/bigin/v2/Contacts/{ann}/Pipelines"), token, &json!({"data": [{"id": other, "Contact_Role": {"id": role_id}}]}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = app.get(&format!("/bigin/v2/Contacts/{ann}/Pipelines?fields=Deal_Name"), token).await;
    assert_eq!(body["data"].as_array().unwrap().len(), 2);
    assert!(body["data"].as_array().unwrap().iter().all(|d| d["Contact_Role"]["name"] == "Decision Maker"));
    let (_, layouts) = app.get("/bigin/v2/settings/layouts?module=Pipelines", token).await;
    let pipeline_id = layouts["layouts"][0]["id"].as_str().unwrap();
    let (status, body) = app.get(&format!("/bigin/v2/Contacts/{ann}/Pipelines?pipeline_id={pipeline_id}"), token).await;
    assert_eq!((status, body["info"]["count"].as_u64()), (StatusCode::OK, Some(2)));

    let (status, body) = app
        .put(&format!("/bigin/v2/Pipelines/{deal}/Contacts"), token, &json!({"data": [{"id": ted, "Contact_Role": {"name": "Boss"}}]}))
        .await;
    assert_eq!((status, body["data"][0]["details"]["api_name"].as_str()), (StatusCode::BAD_REQUEST, Some("Contact_Role")));
    let (status, body) = app.delete(&format!("/bigin/v2/Pipelines/{deal}/Contacts?ids={ann},{ted}"), token).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(body["data"][0]["code"], "SUCCESS");
    assert_eq!(body["data"][1]["code"], "INVALID_DATA", "the primary contact is not a link");
    assert_eq!(ids(&app.get(&format!("/bigin/v2/Contacts/{ann}/Pipelines"), token).await.1), [other.as_str()]);
}

async fn products_on_pipelines(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let token = t.access_token.as_str();
    let product = app.create(token, "Products", json!({"Product_Name": "Widget", "Unit_Price": 9.5})).await;
    let deal = app.create(token, "Pipelines", json!({"Deal_Name": "D", "Sub_Pipeline": "Standard", "Stage": "Qualification"})).await;
    let (status, _) = app.put(&format!("/bigin/v2/Pipelines/{deal}/Products"), token, &json!({"data": [{"id": product}]})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&app.get(&format!("/bigin/v2/Pipelines/{deal}/Products"), token).await.1), [product.as_str()]);
    assert_eq!(ids(&app.get(&format!("/bigin/v2/Products/{product}/Pipelines"), token).await.1), [deal.as_str()]);
    // A contact is not a product.
    let contact = app.create(token, "Contacts", json!({"Last_Name": "W"})).await;
    let (status, _) = app.put(&format!("/bigin/v2/Pipelines/{deal}/Products"), token, &json!({"data": [{"id": contact}]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = app.delete(&format!("/bigin/v2/Products/{product}/Pipelines/{deal}"), token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.get(&format!("/bigin/v2/Pipelines/{deal}/Products"), token).await.0, StatusCode::NO_CONTENT);
}

async fn notes_and_activities_of_a_record(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let token = t.access_token.as_str();
    let contact = app.create(token, "Contacts", json!({"Last_Name": "Watson"})).await;
    let account = app.create(token, "Accounts", json!({"Account_Name": "Zylker"})).await;
    let task = app.create(token, "Tasks", json!({"Subject": "Call", "What_Id": {"id": contact}, "$se_module": "Contacts"})).await;
    app.create(token, "Calls", json!({"Subject": "Intro", "Call_Type": "Inbound", "Call_Start_Time": "2026-01-01T10:00:00Z", "What_Id": {"id": account}, "$se_module": "Accounts"})).await;
    assert_eq!(ids(&app.get(&format!("/bigin/v2/Contacts/{contact}/Tasks"), token).await.1), [task.as_str()]);
    assert_eq!(app.get(&format!("/bigin/v2/Contacts/{contact}/Calls"), token).await.0, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("/bigin/v2/Accounts/{account}/Calls"), token).await.0, StatusCode::OK);
    // Moving the task to the company through the company's list.
    let (status, _) = app.put(&format!("/bigin/v2/Accounts/{account}/Tasks"), token, &json!({"data": [{"id": task}]})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.get(&format!("/bigin/v2/Contacts/{contact}/Tasks"), token).await.0, StatusCode::NO_CONTENT);
    let (_, read) = app.get(&format!("/bigin/v2/Tasks/{task}"), token).await;
    assert_eq!(read["data"][0]["$se_module"], "Accounts");

    let (status, body) = app
        .post(
            &format!("/bigin/v2/Contacts/{contact}/Notes"),
            token,
            &json!({"data": [{"Note_Title": "Golf", "Note_Content": "Likes golf"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let note = body["data"][0]["details"]["id"].as_str().unwrap().to_string();
    let (_, notes) = app.get(&format!("/bigin/v2/Contacts/{contact}/Notes"), token).await;
    assert_eq!(ids(&notes), [note.as_str()]);
    assert_eq!(notes["data"][0]["Parent_Id"]["id"], contact.as_str());
    let (status, _) =
        app.put(&format!("/bigin/v2/Contacts/{contact}/Notes/{note}"), token, &json!({"data": [{"Note_Content": "Loves golf"}]})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.get(&format!("/bigin/v2/Notes/{note}"), token).await.1["data"][0]["Note_Content"], "Loves golf");
    // A note of another record is not reachable through this one.
    let (status, _) =
        app.put(&format!("/bigin/v2/Accounts/{account}/Notes/{note}"), token, &json!({"data": [{"Note_Content": "x"}]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = app.delete(&format!("/bigin/v2/Contacts/{contact}/Notes/{note}"), token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.get(&format!("/bigin/v2/Notes/{note}"), token).await.0, StatusCode::NO_CONTENT);
    // Notes need the notes scope besides the record's.
    let narrow = app.tenant("Narrow", "ZohoBigin.modules.contacts.ALL").await;
    let c = app.create(&narrow.access_token, "Contacts", json!({"Last_Name": "N"})).await;
    let (status, body) = app.get(&format!("/bigin/v2/Contacts/{c}/Notes"), &narrow.access_token).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("OAUTH_SCOPE_MISMATCH")));
    let (status, _) = app.post(&format!("/bigin/v2/Contacts/{c}/Tasks"), &narrow.access_token, &json!({"data": [{"Subject": "x"}]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "only notes are created through a related list");
}

/// A record of `module` to put into a related list (a note needs a parent: `elsewhere`).
async fn child(app: &TestApp, token: &str, module: &str, n: usize, elsewhere: &str) -> String {
    let mut record = if module == "Notes" {
        json!({"Note_Content": "A note", "Parent_Id": {"id": elsewhere}, "$se_module": "Contacts"})
    } else {
        minimal(module).0
    };
    let name = match module {
        "Contacts" => "Last_Name",
        "Pipelines" => "Deal_Name",
        "Products" => "Product_Name",
        "Accounts" => "Account_Name",
        "Events" => "Event_Title",
        "Notes" => "Note_Content",
        _ => "Subject",
    };
    record[name] = json!(format!("{module} child {n}"));
    app.create(token, module, record).await
}

/// The related lists of every module, read from the metadata: each links a record, lists it (and
/// the other end lists the parent for many-to-many links), and delinks it, which clears the
/// lookup, deletes a note, or removes the link.
async fn every_related_list_of_every_module_links_lists_and_delinks(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let token = t.access_token.as_str();
    let elsewhere = app.create(token, "Contacts", json!({"Last_Name": "Elsewhere"})).await;
    let mut covered = Vec::new();
    for module in ["Contacts", "Accounts", "Pipelines", "Products"] {
        let (_, lists) = app.get(&format!("/bigin/v2/settings/related_lists?module={module}"), token).await;
        for list in lists["related_lists"].as_array().unwrap() {
            let name = list["api_name"].as_str().unwrap();
            let target = list["module"]["api_name"].as_str().unwrap();
            let parent = child(&app, token, module, 2 * covered.len(), &elsewhere).await;
            let other = child(&app, token, target, 2 * covered.len() + 1, &elsewhere).await;
            let path = format!("/bigin/v2/{module}/{parent}/{name}");
            assert_eq!(app.get(&path, token).await.0, StatusCode::NO_CONTENT, "{path} starts empty");
            let (status, body) = app.put(&path, token, &json!({"data": [{"id": other}]})).await;
            assert_eq!(status, StatusCode::OK, "{path}: {body}");
            assert_eq!(
                body["data"][0],
                json!({"code": "SUCCESS", "details": {"id": other}, "message": "relation updated", "status": "success"})
            );
            let (status, body) = app.get(&path, token).await;
            assert_eq!((status, ids(&body)), (StatusCode::OK, vec![other.as_str()]), "{path}");
            assert_eq!(body["info"]["count"], 1);
            let (_, read) = app.get(&format!("/bigin/v2/{target}/{other}"), token).await;
            let record = &read["data"][0];
            match target {
                "Notes" => {
                    assert_eq!((record["Parent_Id"]["id"].as_str(), record["$se_module"].as_str()), (Some(parent.as_str()), Some(module)))
                }
                "Tasks" | "Events" | "Calls" => {
                    assert_eq!((record["What_Id"]["id"].as_str(), record["$se_module"].as_str()), (Some(parent.as_str()), Some(module)))
                }
                _ if module == "Accounts" => assert_eq!(record["Account_Name"]["id"], parent.as_str()),
                _ => {
                    // A many-to-many link: the other end lists the parent.
                    let (_, reverse) = app.get(&format!("/bigin/v2/{target}/{other}/{module}"), token).await;
                    assert_eq!(ids(&reverse), [parent.as_str()], "{target}/{other}/{module}");
                }
            }
            let (status, body) = app.delete(&format!("{path}/{other}"), token).await;
            let message = if target == "Notes" { "record deleted" } else { "relation removed" };
            assert_eq!((status, body["data"][0]["message"].as_str()), (StatusCode::OK, Some(message)), "delink {path}");
            assert_eq!(app.get(&path, token).await.0, StatusCode::NO_CONTENT, "{path} after delink");
            let (status, read) = app.get(&format!("/bigin/v2/{target}/{other}"), token).await;
            if target == "Notes" {
                assert_eq!(status, StatusCode::NO_CONTENT, "a delinked note is deleted");
            } else {
                assert_eq!(status, StatusCode::OK, "the {target} record stays");
                let record = &read["data"][0];
                for key in ["What_Id", "$se_module"] {
                    if record.get(key).is_some() {
                        assert_eq!(record[key], Value::Null, "{target}.{key} cleared");
                    }
                }
                if module == "Accounts" {
                    assert_eq!(record["Account_Name"], Value::Null);
                }
            }
            // Delinking again finds nothing to delink.
            let (status, body) = app.delete(&format!("{path}?ids={other}"), token).await;
            assert_eq!((status, body["data"][0]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("INVALID_DATA")), "{path} twice");
            covered.push(format!("{module}.{name}"));
        }
    }
    assert_eq!(
        covered,
        [
            "Contacts.Pipelines",
            "Contacts.Notes",
            "Contacts.Tasks",
            "Contacts.Events",
            "Contacts.Calls",
            "Accounts.Contacts",
            "Accounts.Pipelines",
            "Accounts.Notes",
            "Accounts.Tasks",
            "Accounts.Events",
            "Accounts.Calls",
            "Pipelines.Contacts",
            "Pipelines.Products",
            "Pipelines.Notes",
            "Pipelines.Tasks",
            "Pipelines.Events",
            "Pipelines.Calls",
            "Products.Pipelines",
            "Products.Notes",
        ]
    );
    // Notes are added through every parent's list, and changed through it.
    for module in ["Contacts", "Accounts", "Pipelines", "Products"] {
        let parent = child(&app, token, module, 999, &elsewhere).await;
        let (status, body) = app
            .post(&format!("/bigin/v2/{module}/{parent}/Notes"), token, &json!({"data": [{"Note_Title": "T", "Note_Content": "C"}]}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{module}: {body}");
        let note = body["data"][0]["details"]["id"].as_str().unwrap().to_string();
        let (status, _) =
            app.put(&format!("/bigin/v2/{module}/{parent}/Notes/{note}"), token, &json!({"data": [{"Note_Content": "D"}]})).await;
        assert_eq!(status, StatusCode::OK);
        let (_, notes) = app.get(&format!("/bigin/v2/{module}/{parent}/Notes?fields=Note_Content"), token).await;
        assert_eq!(notes["data"], json!([{"Note_Content": "D", "id": note}]), "{module}");
    }
}

async fn a_contact_delinks_its_pipelines_but_not_the_ones_it_is_primary_contact_of(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let token = t.access_token.as_str();
    let ted = app.create(token, "Contacts", json!({"Last_Name": "Watson"})).await;
    let stage = json!({"Sub_Pipeline": "Standard", "Stage": "Qualification"});
    let mut deals = Vec::new();
    for name in ["A", "B", "C"] {
        let mut deal = stage.clone();
        deal["Deal_Name"] = json!(name);
        deals.push(app.create(token, "Pipelines", deal).await);
    }
    let mut primary = stage.clone();
    primary["Deal_Name"] = json!("Primary");
    primary["Contact_Name"] = json!({"id": ted});
    let primary = app.create(token, "Pipelines", primary).await;
    let links: Vec<Value> = deals.iter().map(|d| json!({"id": d, "Contact_Role": {"name": "Evaluator"}})).collect();
    let (status, _) = app.put(&format!("/bigin/v2/Contacts/{ted}/Pipelines"), token, &json!({ "data": links })).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(app.get(&format!("/bigin/v2/Contacts/{ted}/Pipelines"), token).await.1["info"]["count"], 4);
    // Several at once from the contact's side, and one by its own path.
    let (status, body) = app.delete(&format!("/bigin/v2/Contacts/{ted}/Pipelines?ids={},{},{primary}", deals[0], deals[1]), token).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let codes: Vec<&str> = body["data"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["SUCCESS", "SUCCESS", "INVALID_DATA"], "the primary contact is not a role to delink");
    assert_eq!(body["data"][0]["message"], "relation removed");
    let (status, _) = app.delete(&format!("/bigin/v2/Contacts/{ted}/Pipelines/{}", deals[2]), token).await;
    assert_eq!(status, StatusCode::OK);
    let (_, left) = app.get(&format!("/bigin/v2/Contacts/{ted}/Pipelines"), token).await;
    assert_eq!(ids(&left), [primary.as_str()]);
    for deal in &deals {
        assert_eq!(
            app.get(&format!("/bigin/v2/Pipelines/{deal}/Contacts"), token).await.0,
            StatusCode::NO_CONTENT,
            "both sides forget the link"
        );
        assert_eq!(app.get(&format!("/bigin/v2/Pipelines/{deal}"), token).await.0, StatusCode::OK, "delinking deletes no pipeline record");
    }
    assert_eq!(app.get(&format!("/bigin/v2/Pipelines/{primary}"), token).await.1["data"][0]["Contact_Name"]["id"], ted.as_str());
}

async fn delinking_checks_its_ids(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let token = t.access_token.as_str();
    let account = app.create(token, "Accounts", json!({"Account_Name": "Zylker"})).await;
    let contact = app.create(token, "Contacts", json!({"Last_Name": "W", "Account_Name": {"id": account}})).await;
    let path = format!("/bigin/v2/Accounts/{account}/Contacts");
    let (status, body) = app.delete(&path, token).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::BAD_REQUEST,
            json!({"code": "REQUIRED_PARAM_MISSING", "details": {"param": "ids"}, "message": "One of the expected parameter is missing", "status": "error"})
        )
    );
    let many: Vec<String> = (0..100).map(|i| format!("{}", 1_000_000_000_000_000_000u64 + i)).chain([contact.clone()]).collect();
    let (status, body) = app.delete(&format!("{path}?ids={}", many.join(",")), token).await;
    assert_eq!(
        (status, body["code"].as_str(), body["details"]["limit"].as_u64()),
        (StatusCode::BAD_REQUEST, Some("LIMIT_EXCEEDED"), Some(100))
    );
    let (status, body) = app.delete(&format!("{path}?ids=abc"), token).await;
    assert_eq!((status, body["details"]["param"].as_str()), (StatusCode::BAD_REQUEST, Some("ids")));
    let (status, body) = app.delete(&format!("/bigin/v2/Accounts/1000000000000000001/Contacts?ids={contact}"), token).await;
    assert_eq!(
        (status, body["code"].as_str(), body["details"]["id"].as_str()),
        (StatusCode::BAD_REQUEST, Some("INVALID_DATA"), Some("1000000000000000001"))
    );
    let links: Vec<Value> = (0..101).map(|_| json!({"id": contact})).collect();
    let (status, body) = app.put(&path, token, &json!({ "data": links })).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("LIMIT_EXCEEDED")));
    // Nothing of it delinked the contact.
    assert_eq!(ids(&app.get(&path, token).await.1), [contact.as_str()]);
}
