//! The records API on Contacts (and Accounts for lookups).

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{ids_of, TestApp, ALL_SCOPES};
use crate::on_both_backends;

on_both_backends!(
    insert_answers_per_record,
    inserted_records_read_back_with_system_fields,
    duplicate_unique_values_are_refused_ignoring_case,
    values_are_validated_by_type,
    lookups_must_name_a_record_of_the_same_org,
    request_level_errors_use_the_envelope,
    lists_page_sort_and_continue_with_a_token,
    updates_change_only_what_is_sent,
    deletes_move_records_out_of_reach,
    organizations_never_see_each_others_records,
    a_refused_write_claims_no_unique_value,
    a_batch_commits_its_good_records_and_answers_each,
    every_write_has_its_limit_and_a_bad_trigger_is_refused,
);

async fn insert_answers_per_record(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let (status, body) = app.post("/bigin/v2/Contacts", &t.access_token, &json!({"data": [{"Last_Name": "Watson"}]})).await;
    assert_eq!(status, StatusCode::CREATED);
    let element = &body["data"][0];
    assert_eq!(element["code"], "SUCCESS");
    assert_eq!(element["message"], "record added");
    assert_eq!(element["status"], "success");
    let details = element["details"].as_object().unwrap();
    let keys: Vec<&str> = details.keys().map(String::as_str).collect();
    assert_eq!(keys, ["Modified_Time", "Modified_By", "Created_Time", "id", "Created_By"]);
    assert_eq!(details["id"].as_str().unwrap().len(), 19);
    assert_eq!(details["Created_By"]["id"], t.org.admin_user_id.as_str());

    let batch = json!({"data": [{"Last_Name": "One"}, {"First_Name": "NoLast"}, {"Last_Name": "Three"}], "trigger": ["workflow"]});
    let (status, body) = app.post("/bigin/v2/Contacts", &t.access_token, &batch).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(body["data"][0]["code"], "SUCCESS");
    assert_eq!(
        body["data"][1],
        json!({"code": "MANDATORY_NOT_FOUND", "details": {"api_name": "Last_Name", "json_path": "$.data[1].Last_Name"}, "message": "required field not found", "status": "error"})
    );
    assert_eq!(body["data"][2]["code"], "SUCCESS");

    let (status, body) = app.post("/bigin/v2/Contacts", &t.access_token, &json!({"data": [{"First_Name": "A"}]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["data"][0]["code"], "MANDATORY_NOT_FOUND");
}

async fn inserted_records_read_back_with_system_fields(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let contact =
        json!({"Last_Name": "Watson", "First_Name": "Ted", "Email": "ted@example.com", "Email_Opt_Out": true, "Description": "<b>VIP</b>"});
    let (_, body) = app.post("/bigin/v2/Contacts", &t.access_token, &json!({ "data": [contact] })).await;
    let id = ids_of(&body)[0].clone();
    let (status, body) = app.get(&format!("/bigin/v2/Contacts/{id}"), &t.access_token).await;
    assert_eq!(status, StatusCode::OK);
    let record = &body["data"][0];
    assert_eq!(record["id"], id.as_str());
    assert_eq!(record["Last_Name"], "Watson");
    assert_eq!(record["Full_Name"], "Ted Watson");
    assert_eq!(record["Email_Opt_Out"], true);
    assert_eq!(record["Description"], "<b>VIP</b>");
    assert_eq!(record["Mobile"], Value::Null);
    assert_eq!(record["Owner"], json!({"name": "Admin", "id": t.org.admin_user_id, "email": t.org.admin_email}));
    assert_eq!(record["Tag"], json!([]));
    let created = record["Created_Time"].as_str().unwrap();
    // ISO 8601 with the organization's offset (America/Los_Angeles), never `Z`.
    assert!(created.ends_with("-08:00") || created.ends_with("-07:00"), "{created}");
    let (_, body) = app.get(&format!("/bigin/v2/Contacts/{id}?fields=Email"), &t.access_token).await;
    assert_eq!(body["data"][0], json!({"Email": "ted@example.com", "id": id}));
    assert_eq!(app.get("/bigin/v2/Contacts/1000000000000000001", &t.access_token).await.0, StatusCode::NO_CONTENT);
}

async fn duplicate_unique_values_are_refused_ignoring_case(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let (_, body) =
        app.post("/bigin/v2/Contacts", &t.access_token, &json!({"data": [{"Last_Name": "A", "Email": "Ted@Example.com"}]})).await;
    let first = ids_of(&body)[0].clone();
    let (status, body) =
        app.post("/bigin/v2/Contacts", &t.access_token, &json!({"data": [{"Last_Name": "B", "Email": "ted@example.COM"}]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let err = &body["data"][0];
    assert_eq!(err["code"], "DUPLICATE_DATA");
    assert_eq!(err["message"], "duplicate data");
    assert_eq!(err["details"]["api_name"], "Email");
    assert_eq!(err["details"]["json_path"], "$.data[0].Email");
    assert_eq!(err["details"]["duplicate_record"]["id"], first.as_str());
    assert_eq!(err["details"]["duplicate_record"]["module"]["api_name"], "Contacts");
    assert_eq!(err["details"]["duplicate_record"]["Owner"]["id"], t.org.admin_user_id.as_str());

    // An update into the same value is refused too, and loses nothing.
    let (_, body) = app.post("/bigin/v2/Contacts", &t.access_token, &json!({"data": [{"Last_Name": "C", "Email": "c@example.com"}]})).await;
    let second = ids_of(&body)[0].clone();
    let (status, body) =
        app.put(&format!("/bigin/v2/Contacts/{second}"), &t.access_token, &json!({"data": [{"Email": "TED@example.com"}]})).await;
    assert_eq!((status, body["data"][0]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("DUPLICATE_DATA")));
    let (_, body) = app.get(&format!("/bigin/v2/Contacts/{second}"), &t.access_token).await;
    assert_eq!(body["data"][0]["Email"], "c@example.com");

    // Once the holder is deleted, the value is free again.
    app.delete(&format!("/bigin/v2/Contacts/{first}"), &t.access_token).await;
    let (status, _) =
        app.post("/bigin/v2/Contacts", &t.access_token, &json!({"data": [{"Last_Name": "D", "Email": "ted@example.com"}]})).await;
    assert_eq!(status, StatusCode::CREATED);
}

async fn values_are_validated_by_type(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let cases = [
        (json!({"Last_Name": "X", "Email": "not-an-email"}), "Email", "email"),
        (json!({"Last_Name": "X", "Phone": "call me"}), "Phone", "phone"),
        (json!({"Last_Name": "X", "Email_Opt_Out": "yes"}), "Email_Opt_Out", "boolean"),
        (json!({"Last_Name": "x".repeat(81)}), "Last_Name", "text"),
        (json!({"Last_Name": "X", "Title": "x".repeat(51)}), "Title", "text"),
        (json!({"Last_Name": 42}), "Last_Name", "text"),
        (json!({"Last_Name": "X", "Account_Name": "not-an-id"}), "Account_Name", "lookup"),
        (json!({"Last_Name": "X", "Owner": {"id": "abc"}}), "Owner", "ownerlookup"),
    ];
    for (record, api_name, data_type) in cases {
        let (status, body) = app.post("/bigin/v2/Contacts", &t.access_token, &json!({ "data": [record] })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{api_name}");
        let err = &body["data"][0];
        assert_eq!(err["code"], "INVALID_DATA", "{api_name}");
        assert_eq!(err["details"]["api_name"], api_name);
        assert_eq!(err["details"]["expected_data_type"], data_type);
        assert_eq!(err["details"]["json_path"], format!("$.data[0].{api_name}"));
    }
    // Nothing of the refused records was written.
    assert_eq!(app.get("/bigin/v2/Contacts?fields=Last_Name", &t.access_token).await.0, StatusCode::NO_CONTENT);
    // Unknown keys and server-maintained fields are ignored.
    let (status, body) = app
        .post(
            "/bigin/v2/Contacts",
            &t.access_token,
            &json!({"data": [{"Last_Name": "Y", "Nope": 1, "Full_Name": "Z Z", "Title": "x".repeat(50)}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let id = ids_of(&body)[0].clone();
    assert_eq!(app.get(&format!("/bigin/v2/Contacts/{id}"), &t.access_token).await.1["data"][0]["Full_Name"], "Y");
}

async fn lookups_must_name_a_record_of_the_same_org(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let other = app.tenant("Acme", ALL_SCOPES).await;
    let (_, body) = app.post("/bigin/v2/Accounts", &t.access_token, &json!({"data": [{"Account_Name": "Zylker Inc"}]})).await;
    let account = ids_of(&body)[0].clone();
    let (_, body) = app.post("/bigin/v2/Accounts", &other.access_token, &json!({"data": [{"Account_Name": "Acme Inc"}]})).await;
    let foreign = ids_of(&body)[0].clone();

    let (status, body) =
        app.post("/bigin/v2/Contacts", &t.access_token, &json!({"data": [{"Last_Name": "W", "Account_Name": {"id": account}}]})).await;
    assert_eq!(status, StatusCode::CREATED);
    let id = ids_of(&body)[0].clone();
    let (_, body) = app.get(&format!("/bigin/v2/Contacts/{id}"), &t.access_token).await;
    assert_eq!(body["data"][0]["Account_Name"], json!({"name": "Zylker Inc", "id": account}));

    let (status, body) =
        app.post("/bigin/v2/Contacts", &t.access_token, &json!({"data": [{"Last_Name": "W", "Account_Name": {"id": foreign}}]})).await;
    assert_eq!((status, body["data"][0]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("INVALID_DATA")));
    assert_eq!(body["data"][0]["details"]["api_name"], "Account_Name");
    // A contact id is not a company.
    let (status, _) =
        app.post("/bigin/v2/Contacts", &t.access_token, &json!({"data": [{"Last_Name": "W", "Account_Name": {"id": id}}]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Nor is another organization's user an owner here.
    let (status, body) = app
        .post("/bigin/v2/Contacts", &t.access_token, &json!({"data": [{"Last_Name": "W", "Owner": {"id": other.org.admin_user_id}}]}))
        .await;
    assert_eq!((status, body["data"][0]["details"]["api_name"].as_str()), (StatusCode::BAD_REQUEST, Some("Owner")));
    // Nor in a custom user lookup, on insert or update.
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
    let (status, body) = app
        .post("/bigin/v2/Contacts", &t.access_token, &json!({"data": [{"Last_Name": "W", "Buddy": {"id": other.org.admin_user_id}}]}))
        .await;
    assert_eq!((status, body["data"][0]["details"]["api_name"].as_str()), (StatusCode::BAD_REQUEST, Some("Buddy")));
    let (status, body) =
        app.put(&format!("/bigin/v2/Contacts/{id}"), &t.access_token, &json!({"data": [{"Buddy": {"id": other.org.admin_user_id}}]})).await;
    assert_eq!((status, body["data"][0]["details"]["api_name"].as_str()), (StatusCode::BAD_REQUEST, Some("Buddy")));
    let (status, _) =
        app.put(&format!("/bigin/v2/Contacts/{id}"), &t.access_token, &json!({"data": [{"Buddy": {"id": t.org.admin_user_id}}]})).await;
    assert_eq!(status, StatusCode::OK);
}

async fn request_level_errors_use_the_envelope(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let token = t.access_token.as_str();
    let (status, body) = app.get("/bigin/v2/Contacts", token).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"code": "REQUIRED_PARAM_MISSING", "details": {"param": "fields"}, "message": "One of the expected parameter is missing", "status": "error"})
    );
    let (status, body) = app.get("/bigin/v2/Leads?fields=x", token).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"code": "INVALID_MODULE", "details": {}, "message": "the module name given seems to be invalid", "status": "error"})
    );
    for path in ["/bigin/v2/settings/nothing/here", "/bigin/v3/org", "/nothing"] {
        let (status, body) = app.get(path, token).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("INVALID_URL_PATTERN")), "{path}");
    }
    let (status, body) = app.call(Method::POST, "/bigin/v2/Contacts", Some(token), Some("{not json")).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("INVALID_DATA")));
    for bad in [json!({"data": {}}), json!({"data": "x"}), json!({}), json!([]), json!({"data": []})] {
        let (status, body) = app.post("/bigin/v2/Contacts", token, &bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(
            body,
            json!({"code": "INVALID_DATA", "details": {"expected_data_type": "jsonarray", "api_name": "data"}, "message": "invalid data", "status": "error"})
        );
    }
    let many: Vec<Value> = (0..101).map(|i| json!({"Last_Name": format!("N{i}")})).collect();
    let (status, body) = app.post("/bigin/v2/Contacts", token, &json!({ "data": many })).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("LIMIT_EXCEEDED")));
    assert_eq!(
        app.get("/bigin/v2/Contacts?fields=Last_Name", token).await.0,
        StatusCode::NO_CONTENT,
        "nothing of a refused batch is written"
    );
    let (status, body) = app.get("/bigin/v2/Contacts?fields=Last_Name&per_page=201", token).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("LIMIT_EXCEEDED")));
    let fifty_one: Vec<String> = (0..51).map(|i| format!("F{i}")).collect();
    let (status, body) = app.get(&format!("/bigin/v2/Contacts?fields={}", fifty_one.join(",")), token).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("LIMIT_EXCEEDED")));
    let (status, body) = app.get("/bigin/v2/Contacts?fields=Last_Name&sort_by=Nope", token).await;
    assert_eq!((status, body["details"]["param"].as_str()), (StatusCode::BAD_REQUEST, Some("sort_by")));
    let (status, body) = app.delete("/bigin/v2/Contacts", token).await;
    assert_eq!(
        body,
        json!({"code": "REQUIRED_PARAM_MISSING", "details": {"param": "ids"}, "message": "One of the expected parameter is missing", "status": "error"})
    );
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = app.call(Method::PATCH, "/bigin/v2/Contacts", Some(token), None).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("INVALID_REQUEST_METHOD")));
}

async fn lists_page_sort_and_continue_with_a_token(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let token = t.access_token.as_str();
    let records: Vec<Value> = (0..5).map(|i| json!({"Last_Name": format!("Person {i}"), "Title": format!("T{}", 4 - i)})).collect();
    let (_, body) = app.post("/bigin/v2/Contacts", token, &json!({ "data": records })).await;
    let ids = ids_of(&body);

    let (status, body) = app.get("/bigin/v2/Contacts?fields=Last_Name,Title&per_page=2", token).await;
    assert_eq!(status, StatusCode::OK);
    let page: Vec<&str> = body["data"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(page, [ids[4].as_str(), ids[3].as_str()], "newest first by default");
    assert_eq!(body["data"][0].as_object().unwrap().keys().collect::<Vec<_>>(), ["Last_Name", "Title", "id"]);
    let info = &body["info"];
    assert_eq!(info["per_page"], 2);
    assert_eq!(info["count"], 2);
    assert_eq!(info["page"], 1);
    assert_eq!(info["more_records"], true);
    assert_eq!(info["sort_by"], "id");
    assert_eq!(info["sort_order"], "desc");
    let next = info["next_page_token"].as_str().expect("a token whenever more_records");
    assert!(info["page_token_expiry"].is_string());

    let (_, body) = app.get(&format!("/bigin/v2/Contacts?fields=Last_Name&page_token={next}"), token).await;
    let page: Vec<&str> = body["data"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(page, [ids[2].as_str(), ids[1].as_str()]);
    assert_eq!(body["info"]["page"], 2);
    let (_, body) = app.get("/bigin/v2/Contacts?fields=Last_Name&per_page=2&page=3", token).await;
    assert_eq!(body["data"].as_array().unwrap().len(), 1);
    assert_eq!(body["info"]["more_records"], false);
    assert_eq!(body["info"]["next_page_token"], Value::Null);
    assert_eq!(app.get("/bigin/v2/Contacts?fields=Last_Name&per_page=2&page=4", token).await.0, StatusCode::NO_CONTENT);
    let (status, _) = app.get("/bigin/v2/Contacts?fields=Last_Name&page_token=forged.token", token).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (_, body) = app.get("/bigin/v2/Contacts?fields=Title&sort_by=Title&sort_order=asc", token).await;
    let titles: Vec<&str> = body["data"].as_array().unwrap().iter().map(|r| r["Title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["T0", "T1", "T2", "T3", "T4"]);
    let (_, body) = app.get(&format!("/bigin/v2/Contacts?fields=Last_Name&ids={},{}", ids[0], ids[2]), token).await;
    assert_eq!(body["data"].as_array().unwrap().len(), 2);
    // A page token keeps the selection it was made for: ids, cvid, approved, pipeline_id.
    let selected = format!("ids={},{},{}", ids[0], ids[2], ids[4]);
    let (_, first) = app.get(&format!("/bigin/v2/Contacts?fields=Last_Name&{selected}&per_page=2&approved=true"), token).await;
    let page: Vec<&str> = first["data"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(page, [ids[4].as_str(), ids[2].as_str()]);
    let next = first["info"]["next_page_token"].as_str().unwrap();
    let (status, body) = app.get(&format!("/bigin/v2/Contacts?fields=Last_Name&page_token={next}"), token).await;
    assert_eq!(status, StatusCode::OK);
    let page: Vec<&str> = body["data"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(page, [ids[0].as_str()], "the next page of the same selection, without sending it again");
    assert_eq!(body["info"]["more_records"], false);
    let (status, _) = app.get(&format!("/bigin/v2/Contacts?fields=Last_Name&{selected}&page_token={next}"), token).await;
    assert_eq!(status, StatusCode::OK, "sending the same selection again is fine");
    let (status, body) = app.get(&format!("/bigin/v2/Contacts?fields=Last_Name&ids={}&page_token={next}", ids[1]), token).await;
    assert_eq!(
        (status, body["code"].as_str(), body["details"]["param"].as_str()),
        (StatusCode::BAD_REQUEST, Some("INVALID_DATA"), Some("ids"))
    );
    let (_, views) = app.get("/bigin/v2/settings/custom_views?module=Contacts", token).await;
    let all = views["custom_views"][0]["id"].as_str().unwrap();
    let (status, body) = app.get(&format!("/bigin/v2/Contacts?fields=Last_Name&cvid={all}&page_token={next}"), token).await;
    assert_eq!((status, body["details"]["param"].as_str()), (StatusCode::BAD_REQUEST, Some("cvid")));
}

async fn updates_change_only_what_is_sent(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let token = t.access_token.as_str();
    let (_, body) = app
        .post("/bigin/v2/Contacts", token, &json!({"data": [{"Last_Name": "A", "Title": "CEO"}, {"Last_Name": "B", "Phone": "555"}]}))
        .await;
    let ids = ids_of(&body);
    app.advance(5);
    let (status, body) = app.put("/bigin/v2/Contacts", token, &json!({"data": [{"id": ids[0], "Title": "CTO"}, {"id": ids[1], "Phone": null}, {"Title": "no id"}, {"id": "1000000000000000001", "Title": "x"}]})).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(body["data"][0]["code"], "SUCCESS");
    assert_eq!(body["data"][0]["message"], "record updated");
    assert_ne!(body["data"][0]["details"]["Modified_Time"], body["data"][0]["details"]["Created_Time"]);
    assert_eq!(body["data"][2]["code"], "MANDATORY_NOT_FOUND");
    assert_eq!(body["data"][2]["details"]["api_name"], "id");
    assert_eq!(
        body["data"][3],
        json!({"code": "INVALID_DATA", "details": {"id": "1000000000000000001"}, "message": "the id given seems to be invalid", "status": "error"})
    );

    let (_, a) = app.get(&format!("/bigin/v2/Contacts/{}", ids[0]), token).await;
    assert_eq!((a["data"][0]["Title"].as_str(), a["data"][0]["Last_Name"].as_str()), (Some("CTO"), Some("A")));
    let (_, b) = app.get(&format!("/bigin/v2/Contacts/{}", ids[1]), token).await;
    assert_eq!(b["data"][0]["Phone"], Value::Null);

    let (status, body) = app.put(&format!("/bigin/v2/Contacts/{}", ids[1]), token, &json!({"data": [{"First_Name": "Bo"}]})).await;
    assert_eq!((status, body["data"][0]["code"].as_str()), (StatusCode::OK, Some("SUCCESS")));
    assert_eq!(app.get(&format!("/bigin/v2/Contacts/{}", ids[1]), token).await.1["data"][0]["Full_Name"], "Bo B");
    let (status, body) = app.put(&format!("/bigin/v2/Contacts/{}", ids[1]), token, &json!({"data": [{"Last_Name": ""}]})).await;
    assert_eq!((status, body["data"][0]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("MANDATORY_NOT_FOUND")));
}

async fn deletes_move_records_out_of_reach(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let token = t.access_token.as_str();
    let records: Vec<Value> = (0..3).map(|i| json!({"Last_Name": format!("D{i}")})).collect();
    let (_, body) = app.post("/bigin/v2/Contacts", token, &json!({ "data": records })).await;
    let ids = ids_of(&body);
    let (status, body) = app.delete(&format!("/bigin/v2/Contacts/{}", ids[0]), token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"data": [{"code": "SUCCESS", "details": {"id": ids[0]}, "message": "record deleted", "status": "success"}]}));
    assert_eq!(app.get(&format!("/bigin/v2/Contacts/{}", ids[0]), token).await.0, StatusCode::NO_CONTENT);
    let (status, body) = app.delete(&format!("/bigin/v2/Contacts?ids={},{},{}", ids[1], ids[2], ids[0]), token).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(body["data"][1]["code"], "SUCCESS");
    assert_eq!(
        body["data"][2],
        json!({"code": "INVALID_DATA", "details": {"id": ids[0]}, "message": "record not deleted", "status": "error"})
    );
    assert_eq!(app.get("/bigin/v2/Contacts?fields=Last_Name", token).await.0, StatusCode::NO_CONTENT);
    let (status, _) = app.delete(&format!("/bigin/v2/Contacts/{}", ids[0]), token).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

async fn organizations_never_see_each_others_records(app: TestApp) {
    let a = app.tenant("Zylker", ALL_SCOPES).await;
    let b = app.tenant("Acme", ALL_SCOPES).await;
    let (_, body) =
        app.post("/bigin/v2/Contacts", &a.access_token, &json!({"data": [{"Last_Name": "Secret", "Email": "s@zylker.example"}]})).await;
    let id = ids_of(&body)[0].clone();
    let tb = b.access_token.as_str();
    assert_eq!(app.get(&format!("/bigin/v2/Contacts/{id}"), tb).await.0, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/bigin/v2/Contacts?fields=Last_Name", tb).await.0, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("/bigin/v2/Contacts?fields=Last_Name&ids={id}"), tb).await.0, StatusCode::NO_CONTENT);
    let (_, body) = app.put(&format!("/bigin/v2/Contacts/{id}"), tb, &json!({"data": [{"Last_Name": "Stolen"}]})).await;
    assert_eq!(body["data"][0]["code"], "INVALID_DATA");
    let (_, body) = app.delete(&format!("/bigin/v2/Contacts/{id}"), tb).await;
    assert_eq!(body["data"][0]["code"], "INVALID_DATA");
    // Unique values are per organization.
    let (status, _) = app.post("/bigin/v2/Contacts", tb, &json!({"data": [{"Last_Name": "Mine", "Email": "s@zylker.example"}]})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, body) = app.get(&format!("/bigin/v2/Contacts/{id}"), &a.access_token).await;
    assert_eq!(body["data"][0]["Last_Name"], "Secret");
}

async fn a_refused_write_claims_no_unique_value(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let token = t.access_token.as_str();
    let new = server::provision::NewField {
        module: "Contacts",
        label: "Badge",
        data_type: "text",
        length: None,
        picklist: &[],
        unique: true,
        lookup_module: None,
    };
    server::provision::create_custom_field(&app.state, &t.org.org_id, &new).await.unwrap();
    app.create(token, "Contacts", json!({"Last_Name": "A", "Email": "a@x.example", "Badge": "B1"})).await;
    // Email is free but the badge is taken: nothing of this record may stay behind.
    let (status, body) =
        app.post("/bigin/v2/Contacts", token, &json!({"data": [{"Last_Name": "B", "Email": "b@x.example", "Badge": "b1"}]})).await;
    assert_eq!((status, body["data"][0]["details"]["api_name"].as_str()), (StatusCode::BAD_REQUEST, Some("Badge")));
    app.create(token, "Contacts", json!({"Last_Name": "C", "Email": "B@x.example"})).await;
    // The same through an update.
    let d = app.create(token, "Contacts", json!({"Last_Name": "D", "Email": "d@x.example"})).await;
    let (status, _) = app.put(&format!("/bigin/v2/Contacts/{d}"), token, &json!({"data": [{"Email": "e@x.example", "Badge": "B1"}]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    app.create(token, "Contacts", json!({"Last_Name": "E", "Email": "e@x.example"})).await;
    let (status, _) = app.post("/bigin/v2/Contacts", token, &json!({"data": [{"Last_Name": "F", "Email": "d@x.example"}]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "d keeps its own e-mail after the refused update");
}

async fn a_batch_commits_its_good_records_and_answers_each(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let token = t.access_token.as_str();
    let mut batch: Vec<Value> = (0..100).map(|i| json!({"Last_Name": format!("N{i}"), "Email": format!("n{i}@x.example")})).collect();
    batch[10] = json!({"First_Name": "no last name"});
    batch[20] = json!({"Last_Name": "dup", "Email": "N5@x.example"});
    let (status, body) = app.post("/bigin/v2/Contacts", token, &json!({ "data": batch })).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let codes: Vec<&str> = body["data"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes.len(), 100);
    assert_eq!(codes[10], "MANDATORY_NOT_FOUND");
    assert_eq!(codes[20], "DUPLICATE_DATA");
    assert_eq!(body["data"][20]["details"]["json_path"], "$.data[20].Email");
    assert_eq!(codes.iter().filter(|c| **c == "SUCCESS").count(), 98);
    assert_eq!(app.get("/bigin/v2/Contacts/actions/count", token).await.1["count"], 98);
}

async fn every_write_has_its_limit_and_a_bad_trigger_is_refused(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let token = t.access_token.as_str();
    let contact = app.create(token, "Contacts", json!({"Last_Name": "Kept", "Title": "CEO"})).await;
    let limit = |limit: u64, key: &str, name: &str| json!({"code": "LIMIT_EXCEEDED", "details": {"limit": limit, key: name}, "message": "the limit has been exceeded", "status": "error"});
    let updates: Vec<Value> = (0..101).map(|_| json!({"id": contact, "Title": "Changed"})).collect();
    let (status, body) = app.put("/bigin/v2/Contacts", token, &json!({ "data": updates })).await;
    assert_eq!((status, body), (StatusCode::BAD_REQUEST, limit(100, "api_name", "data")), "update of 101");
    let upserts: Vec<Value> = (0..101).map(|i| json!({"Last_Name": "U", "Email": format!("u{i}@x.example")})).collect();
    let (status, body) = app.post("/bigin/v2/Contacts/upsert", token, &json!({ "data": upserts })).await;
    assert_eq!((status, body), (StatusCode::BAD_REQUEST, limit(100, "api_name", "data")), "upsert of 101");
    let ids: Vec<String> = (0..100).map(|i| format!("{}", 1_000_000_000_000_000_000u64 + i)).chain([contact.clone()]).collect();
    let (status, body) = app.delete(&format!("/bigin/v2/Contacts?ids={}", ids.join(",")), token).await;
    assert_eq!((status, body), (StatusCode::BAD_REQUEST, limit(100, "param", "ids")), "delete of 101");
    let owners: Vec<String> = (0..500).map(|i| format!("{}", 1_000_000_000_000_000_000u64 + i)).chain([contact.clone()]).collect();
    let (status, body) =
        app.post("/bigin/v2/Contacts/actions/change_owner", token, &json!({"ids": owners, "owner": {"id": t.org.admin_user_id}})).await;
    assert_eq!((status, body), (StatusCode::BAD_REQUEST, limit(500, "api_name", "ids")), "change owner of 501");
    let notes: Vec<Value> = (0..101).map(|i| json!({"Note_Content": format!("n{i}")})).collect();
    let (status, body) = app.post(&format!("/bigin/v2/Contacts/{contact}/Notes"), token, &json!({ "data": notes.clone() })).await;
    assert_eq!((status, body), (StatusCode::BAD_REQUEST, limit(100, "api_name", "data")), "101 notes of a record");
    let notes: Vec<Value> = notes
        .into_iter()
        .map(|mut n| {
            n["Parent_Id"] = json!({"id": contact});
            n["$se_module"] = json!("Contacts");
            n
        })
        .collect();
    let (status, body) = app.post("/bigin/v2/Notes", token, &json!({ "data": notes })).await;
    assert_eq!((status, body), (StatusCode::BAD_REQUEST, limit(100, "api_name", "data")), "101 notes");
    // Nothing of a refused write happened.
    let (_, read) = app.get(&format!("/bigin/v2/Contacts/{contact}?fields=Title,Owner"), token).await;
    assert_eq!(read["data"][0]["Title"], "CEO");
    assert_eq!(app.get("/bigin/v2/Contacts/actions/count", token).await.1["count"], 1);
    assert_eq!(app.get("/bigin/v2/Notes/actions/count", token).await.1["count"], 0);

    // `trigger` is an array of workflow, approval and blueprint.
    for trigger in [json!(["workflows"]), json!("workflow"), json!([1]), json!({"workflow": true})] {
        for (method, path) in [
            (Method::POST, "/bigin/v2/Contacts".to_string()),
            (Method::PUT, "/bigin/v2/Contacts".to_string()),
            (Method::PUT, format!("/bigin/v2/Contacts/{contact}")),
            (Method::POST, "/bigin/v2/Contacts/upsert".to_string()),
        ] {
            let body = json!({"data": [{"id": contact, "Last_Name": "Triggered", "Title": "Triggered"}], "trigger": trigger});
            let (status, answer) = app.call(method.clone(), &path, Some(token), Some(&body.to_string())).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{method} {path} with trigger {trigger}");
            assert_eq!(
                answer,
                json!({"code": "INVALID_DATA", "details": {"api_name": "trigger", "expected_data_type": "jsonarray"}, "message": "invalid data", "status": "error"})
            );
        }
    }
    let (_, read) = app.get(&format!("/bigin/v2/Contacts/{contact}?fields=Title"), token).await;
    assert_eq!(read["data"][0]["Title"], "CEO");
    assert_eq!(app.get("/bigin/v2/Contacts/actions/count", token).await.1["count"], 1);
    let (status, _) = app
        .put(
            &format!("/bigin/v2/Contacts/{contact}"),
            token,
            &json!({"data": [{"Title": "CTO"}], "trigger": ["workflow", "approval", "blueprint"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "every trigger Bigin names is taken");
}
