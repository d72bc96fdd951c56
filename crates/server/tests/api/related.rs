//! Related lists both ways: lookups, activities and notes through `$se_module`, and links with
//! contact roles.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{TestApp, ALL_SCOPES};
use crate::on_both_backends;

on_both_backends!(
    companies_list_their_contacts_and_pipelines,
    contact_roles_link_pipelines_both_ways,
    products_on_pipelines,
    notes_and_activities_of_a_record
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
