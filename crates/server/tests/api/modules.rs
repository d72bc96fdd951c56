//! Every module's records: mandatory fields, data types, polymorphic lookups, pipelines and
//! stages, upsert, count, recycle bin, change owner, views and `If-Modified-Since`.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{ids_of, TestApp, ALL_SCOPES};
use crate::on_both_backends;

on_both_backends!(
    every_module_takes_a_minimal_record_and_refuses_one_without_its_mandatory_fields,
    every_mandatory_field_of_every_module_is_required,
    data_types_accept_and_refuse,
    activities_relate_through_se_module,
    pipeline_records_follow_their_team_pipeline,
    a_second_team_pipeline_keeps_its_sub_pipelines_stages_and_records,
    upsert_inserts_then_updates,
    count_views_and_approved,
    recycle_bin_then_permanent,
    owners_change_one_and_many,
    if_modified_since_answers_304,
);

/// A record each module accepts, and the mandatory field its absence is reported on.
pub fn minimal(module: &str) -> (Value, &'static str) {
    match module {
        "Contacts" => (json!({"Last_Name": "Watson"}), "Last_Name"),
        "Accounts" => (json!({"Account_Name": "Zylker"}), "Account_Name"),
        "Pipelines" => (json!({"Deal_Name": "Renewal", "Sub_Pipeline": "Standard", "Stage": "Qualification"}), "Deal_Name"),
        "Products" => (json!({"Product_Name": "Widget"}), "Product_Name"),
        "Tasks" => (json!({"Subject": "Follow up"}), "Subject"),
        "Events" => (
            json!({"Event_Title": "Demo", "Start_DateTime": "2026-05-01T10:00:00+02:00", "End_DateTime": "2026-05-01T11:00:00+02:00"}),
            "Event_Title",
        ),
        "Calls" => (json!({"Subject": "Intro", "Call_Type": "Outbound", "Call_Start_Time": "2026-05-01T09:00:00-07:00"}), "Subject"),
        _ => unreachable!(),
    }
}

async fn every_module_takes_a_minimal_record_and_refuses_one_without_its_mandatory_fields(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let token = t.access_token.as_str();
    for module in ["Contacts", "Accounts", "Pipelines", "Products", "Tasks", "Events", "Calls"] {
        let (record, mandatory) = minimal(module);
        let id = app.create(token, module, record.clone()).await;
        let (status, body) = app.get(&format!("/bigin/v2/{module}/{id}"), token).await;
        assert_eq!(status, StatusCode::OK, "{module}");
        for (key, value) in record.as_object().unwrap() {
            if key.ends_with("DateTime") || key.ends_with("_Time") {
                assert!(body["data"][0][key].is_string(), "{module}.{key}");
            } else {
                assert_eq!(&body["data"][0][key], value, "{module}.{key}");
            }
        }
        assert_eq!(body["data"][0]["$approved"], true);
        let mut missing = record.clone();
        missing.as_object_mut().unwrap().remove(mandatory);
        let (status, body) = app.post(&format!("/bigin/v2/{module}"), token, &json!({ "data": [missing] })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{module}");
        assert_eq!(body["data"][0]["code"], "MANDATORY_NOT_FOUND", "{module}");
        assert_eq!(body["data"][0]["details"]["api_name"], mandatory, "{module}");
        let (status, body) = app.get(&format!("/bigin/v2/{module}?fields={mandatory}"), token).await;
        assert_eq!((status, body["info"]["count"].as_u64()), (StatusCode::OK, Some(1)), "{module}");
    }
    // Events times come back in the organization's offset.
    let (_, body) = app.get("/bigin/v2/Events?fields=Start_DateTime", token).await;
    assert_eq!(body["data"][0]["Start_DateTime"], "2026-05-01T01:00:00-07:00");
}

async fn every_mandatory_field_of_every_module_is_required(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let token = t.access_token.as_str();
    let parent = app.create(token, "Contacts", json!({"Last_Name": "Parent"})).await;
    let expected: [(&str, &[&str]); 8] = [
        ("Contacts", &["Last_Name"]),
        ("Accounts", &["Account_Name"]),
        ("Pipelines", &["Deal_Name", "Sub_Pipeline", "Stage"]),
        ("Products", &["Product_Name"]),
        ("Tasks", &["Subject"]),
        ("Events", &["Event_Title", "Start_DateTime", "End_DateTime"]),
        ("Calls", &["Subject", "Call_Type", "Call_Start_Time"]),
        ("Notes", &["Note_Content", "Parent_Id"]),
    ];
    for (module, mandatory) in expected {
        let (_, fields) = app.get(&format!("/bigin/v2/settings/fields?module={module}"), token).await;
        let listed: Vec<&str> = fields["fields"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["system_mandatory"] == true)
            .map(|f| f["api_name"].as_str().unwrap())
            .collect();
        assert_eq!(listed, mandatory, "{module}'s mandatory fields");
        let record = if module == "Notes" {
            json!({"Note_Content": "Likes golf", "Parent_Id": {"id": parent}, "$se_module": "Contacts"})
        } else {
            minimal(module).0
        };
        let id = app.create(token, module, record.clone()).await;
        for field in mandatory {
            let mut missing = record.clone();
            missing.as_object_mut().unwrap().remove(*field);
            let mut blank = record.clone();
            blank[*field] = json!("");
            let mut null = record.clone();
            null[*field] = Value::Null;
            for (how, input) in [("missing", missing), ("blank", blank), ("null", null)] {
                let (status, body) = app.post(&format!("/bigin/v2/{module}"), token, &json!({ "data": [input] })).await;
                assert_eq!(status, StatusCode::BAD_REQUEST, "{module}.{field} {how}");
                assert_eq!(
                    body["data"][0],
                    json!({"code": "MANDATORY_NOT_FOUND", "details": {"api_name": field, "json_path": format!("$.data[0].{field}")}, "message": "required field not found", "status": "error"}),
                    "{module}.{field} {how}"
                );
            }
            // An update may leave it out, not clear it.
            let (status, body) = app.put(&format!("/bigin/v2/{module}/{id}"), token, &json!({"data": [{ *field: null }]})).await;
            assert_eq!(
                (status, body["data"][0]["code"].as_str()),
                (StatusCode::BAD_REQUEST, Some("MANDATORY_NOT_FOUND")),
                "{module}.{field}"
            );
        }
        assert_eq!(app.get(&format!("/bigin/v2/{module}/actions/count"), token).await.1["count"], if module == "Contacts" { 2 } else { 1 });
    }
}

async fn data_types_accept_and_refuse(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let token = t.access_token.as_str();
    let org = t.org.org_id.as_str();
    let types = [
        ("Score", "integer", vec![], json!(42), json!("42")),
        ("Big", "bigint", vec![], json!("9007199254740993"), json!("12x")),
        ("Ratio", "double", vec![], json!(0.25), json!("a quarter")),
        ("Budget", "currency", vec![], json!(1999.5), json!(true)),
        ("Active", "boolean", vec![], json!(false), json!("false")),
        ("Renewal", "date", vec![], json!("2026-02-28"), json!("2026-02-30")),
        ("Met", "datetime", vec![], json!("2026-02-06T08:28:53Z"), json!("yesterday")),
        ("Tier", "picklist", vec!["Gold".to_string(), "Silver".to_string()], json!("Gold"), json!("Bronze")),
        ("Tags Set", "multiselectpicklist", vec!["a".to_string(), "b".to_string()], json!(["a", "b"]), json!(["a", "z"])),
        ("Site", "website", vec![], json!("https://zylker.example"), json!("not a site")),
        ("Alt Email", "email", vec![], json!("x@zylker.example"), json!("x@")),
        ("Fax", "phone", vec![], json!("+1 555 0100"), json!("fax me")),
        ("Motto", "textarea", vec![], json!("Carpe diem"), json!(7)),
    ];
    for (label, kind, picklist, good, bad) in &types {
        let new = server::provision::NewField {
            module: "Contacts",
            label,
            data_type: kind,
            length: None,
            picklist,
            unique: false,
            lookup_module: None,
        };
        server::provision::create_custom_field(&app.state, org, &new).await.unwrap();
        let api_name = label.replace(' ', "_");
        let (status, body) = app.post("/bigin/v2/Contacts", token, &json!({"data": [{"Last_Name": "T", api_name.clone(): good}]})).await;
        assert_eq!(status, StatusCode::CREATED, "{kind} accepts {good}: {body}");
        let id = ids_of(&body)[0].clone();
        let (_, read) = app.get(&format!("/bigin/v2/Contacts/{id}?fields={api_name}"), token).await;
        if *kind == "datetime" {
            assert_eq!(read["data"][0][&api_name], "2026-02-06T00:28:53-08:00");
        } else if *kind == "bigint" {
            assert_eq!(read["data"][0][&api_name], json!(9007199254740993i64));
        } else {
            assert_eq!(&read["data"][0][&api_name], good, "{kind}");
        }
        let (status, body) = app.post("/bigin/v2/Contacts", token, &json!({"data": [{"Last_Name": "T", api_name.clone(): bad}]})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{kind} refuses {bad}");
        assert_eq!(body["data"][0]["code"], "INVALID_DATA");
        assert_eq!(body["data"][0]["details"]["expected_data_type"], *kind);
        assert_eq!(body["data"][0]["details"]["api_name"], api_name);
    }
    // Integers outside 32 bits are refused; text respects its length.
    let (status, _) = app.post("/bigin/v2/Contacts", token, &json!({"data": [{"Last_Name": "T", "Score": 3_000_000_000i64}]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let new = server::provision::NewField {
        module: "Contacts",
        label: "Code",
        data_type: "text",
        length: Some(5),
        picklist: &[],
        unique: true,
        lookup_module: None,
    };
    server::provision::create_custom_field(&app.state, org, &new).await.unwrap();
    let (status, _) = app.post("/bigin/v2/Contacts", token, &json!({"data": [{"Last_Name": "T", "Code": "ABCDEF"}]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    app.create(token, "Contacts", json!({"Last_Name": "T", "Code": "ABC"})).await;
    let (status, body) = app.post("/bigin/v2/Contacts", token, &json!({"data": [{"Last_Name": "T", "Code": "abc"}]})).await;
    assert_eq!(
        (status, body["data"][0]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("DUPLICATE_DATA")),
        "custom unique fields ignore case"
    );
    // A custom lookup and a user lookup.
    let new = server::provision::NewField {
        module: "Contacts",
        label: "Referrer",
        data_type: "lookup",
        length: None,
        picklist: &[],
        unique: false,
        lookup_module: Some("Contacts"),
    };
    server::provision::create_custom_field(&app.state, org, &new).await.unwrap();
    let new = server::provision::NewField {
        module: "Contacts",
        label: "Account Manager",
        data_type: "userlookup",
        length: None,
        picklist: &[],
        unique: false,
        lookup_module: None,
    };
    server::provision::create_custom_field(&app.state, org, &new).await.unwrap();
    let referrer = app.create(token, "Contacts", json!({"Last_Name": "Ref"})).await;
    let id = app
        .create(token, "Contacts", json!({"Last_Name": "T", "Referrer": {"id": referrer}, "Account_Manager": {"id": t.org.admin_user_id}}))
        .await;
    let (_, read) = app.get(&format!("/bigin/v2/Contacts/{id}"), token).await;
    assert_eq!(read["data"][0]["Referrer"], json!({"name": "Ref", "id": referrer}));
    assert_eq!(read["data"][0]["Account_Manager"]["id"], t.org.admin_user_id.as_str());
    // A user lookup names an active user of this organization: not another organization's user,
    // not a deactivated one, not an id that is nobody's.
    let other = app.tenant("Acme", ALL_SCOPES).await;
    let (_, users) = app.post("/bigin/v2/users", token, &json!({"users": [{"last_name": "Gone", "email": "gone@zylker.example"}]})).await;
    let gone = users["users"][0]["details"]["id"].as_str().unwrap().to_string();
    app.put(&format!("/bigin/v2/users/{gone}"), token, &json!({"users": [{"status": "disabled"}]})).await;
    for user in [other.org.admin_user_id.as_str(), gone.as_str(), "1000000000000000001"] {
        let (status, body) =
            app.post("/bigin/v2/Contacts", token, &json!({"data": [{"Last_Name": "T", "Account_Manager": {"id": user}}]})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "user {user}");
        assert_eq!(
            body["data"][0],
            json!({"code": "INVALID_DATA", "details": {"expected_data_type": "userlookup", "api_name": "Account_Manager", "json_path": "$.data[0].Account_Manager"}, "message": "invalid data", "status": "error"})
        );
        let (status, _) = app.put(&format!("/bigin/v2/Contacts/{id}"), token, &json!({"data": [{"Account_Manager": {"id": user}}]})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "update to user {user}");
    }
    let (_, read) = app.get(&format!("/bigin/v2/Contacts/{id}?fields=Account_Manager"), token).await;
    assert_eq!(read["data"][0]["Account_Manager"]["id"], t.org.admin_user_id.as_str(), "refused updates changed nothing");
}

async fn activities_relate_through_se_module(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let token = t.access_token.as_str();
    let contact = app.create(token, "Contacts", json!({"Last_Name": "Watson", "First_Name": "Ted"})).await;
    let task = app
        .create(
            token,
            "Tasks",
            json!({"Subject": "Call Ted", "What_Id": {"id": contact}, "$se_module": "Contacts", "Status": "Not Started"}),
        )
        .await;
    let (_, body) = app.get(&format!("/bigin/v2/Tasks/{task}"), token).await;
    assert_eq!(body["data"][0]["What_Id"], json!({"name": "Ted Watson", "id": contact}));
    assert_eq!(body["data"][0]["$se_module"], "Contacts");
    // The related record must be of the module named.
    let (status, body) = app
        .post("/bigin/v2/Tasks", token, &json!({"data": [{"Subject": "x", "What_Id": {"id": contact}, "$se_module": "Accounts"}]}))
        .await;
    assert_eq!((status, body["data"][0]["details"]["api_name"].as_str()), (StatusCode::BAD_REQUEST, Some("What_Id")));
    let (status, body) = app.post("/bigin/v2/Tasks", token, &json!({"data": [{"Subject": "x", "What_Id": {"id": contact}}]})).await;
    assert_eq!((status, body["data"][0]["details"]["api_name"].as_str()), (StatusCode::BAD_REQUEST, Some("$se_module")));
    let note =
        app.create(token, "Notes", json!({"Note_Content": "Likes golf", "Parent_Id": {"id": contact}, "$se_module": "Contacts"})).await;
    let (_, body) = app.get(&format!("/bigin/v2/Notes/{note}"), token).await;
    assert_eq!(body["data"][0]["Parent_Id"]["id"], contact.as_str());
}

async fn pipeline_records_follow_their_team_pipeline(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let token = t.access_token.as_str();
    let (_, layouts) = app.get("/bigin/v2/settings/layouts?module=Pipelines", token).await;
    let layout = &layouts["layouts"][0];
    let pipeline_id = layout["id"].as_str().unwrap().to_string();
    assert_eq!(layout["name"], "Sales Pipeline");
    let sub = &layout["sub_pipelines"][0];
    assert_eq!(sub["display_value"], "Standard");
    let stages: Vec<&str> = sub["stages"].as_array().unwrap().iter().map(|s| s["display_value"].as_str().unwrap()).collect();
    assert_eq!(stages[0], "Qualification");
    assert!(stages.contains(&"Closed Won"));
    let stage_field = layout["sections"][0]["fields"].as_array().unwrap().iter().find(|f| f["api_name"] == "Stage").unwrap();
    assert_eq!(stage_field["pick_list_values"].as_array().unwrap().len(), stages.len());

    let deal = json!({"Deal_Name": "Big deal", "Layout": {"id": pipeline_id}, "Sub_Pipeline": "Standard", "Stage": "Negotiation/Review", "Amount": 5000, "Closing_Date": "2026-06-30"});
    let id = app.create(token, "Pipelines", deal).await;
    let (_, body) = app.get(&format!("/bigin/v2/Pipelines/{id}"), token).await;
    assert_eq!(body["data"][0]["Layout"], json!({"name": "Sales Pipeline", "id": pipeline_id}));
    assert_eq!(body["data"][0]["$currency_symbol"], "$");
    // Without Layout a record joins the default team pipeline.
    let other =
        app.create(token, "Pipelines", json!({"Deal_Name": "Small deal", "Sub_Pipeline": "Standard", "Stage": "Qualification"})).await;
    let (status, body) = app.get(&format!("/bigin/v2/Pipelines?fields=Deal_Name,Stage&pipeline_id={pipeline_id}"), token).await;
    assert_eq!((status, body["info"]["count"].as_u64()), (StatusCode::OK, Some(2)));
    let (status, _) = app.get("/bigin/v2/Pipelines?fields=Deal_Name&pipeline_id=1000000000000000001", token).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // A stage is checked on update too, against the stored sub-pipeline.
    let (status, body) = app.put(&format!("/bigin/v2/Pipelines/{other}"), token, &json!({"data": [{"Stage": "Closed Won"}]})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app.put(&format!("/bigin/v2/Pipelines/{other}"), token, &json!({"data": [{"Sub_Pipeline": "Enterprise"}]})).await;
    assert_eq!((status, body["data"][0]["details"]["api_name"].as_str()), (StatusCode::BAD_REQUEST, Some("Sub_Pipeline")));
    let (status, body) = app.post("/bigin/v2/Pipelines", token, &json!({"data": [{"Deal_Name": "X", "Sub_Pipeline": "Standard"}]})).await;
    assert_eq!((status, body["data"][0]["details"]["api_name"].as_str()), (StatusCode::BAD_REQUEST, Some("Stage")));
}

fn subs(specs: &[(&str, &[&str])]) -> Vec<crm::pipelines::SubPipelineSpec> {
    specs
        .iter()
        .map(|(name, stages)| crm::pipelines::SubPipelineSpec {
            name: name.to_string(),
            stages: stages.iter().map(|s| s.to_string()).collect(),
        })
        .collect()
}

fn names(body: &Value, key: &str) -> Vec<String> {
    body.as_array().unwrap().iter().map(|v| v[key].as_str().unwrap().to_string()).collect()
}

async fn a_second_team_pipeline_keeps_its_sub_pipelines_stages_and_records(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let token = t.access_token.as_str();
    let org = t.org.org_id.as_str();
    let created = server::provision::create_team_pipeline(
        &app.state,
        org,
        "Partners",
        subs(&[("Resellers", &["Intro", "Demo", "Closed Won", "Closed Lost"]), ("Referrals", &["Referred", "Won"])]),
    )
    .await
    .unwrap();
    let partners = created.id.clone();
    assert_eq!(created.sub_pipelines[1].stages, ["Referred", "Won"]);
    // Names are checked, and taken ignoring case.
    for (name, bad) in [
        ("partners", subs(&[("A", &["B"])])),
        ("Empty", subs(&[])),
        ("No stages", subs(&[("A", &[])])),
        ("Twice", subs(&[("A", &["B"]), ("a", &["C"])])),
    ] {
        assert!(server::provision::create_team_pipeline(&app.state, org, name, bad).await.is_err(), "{name}");
    }

    // The layouts list both team pipelines, each with its own sub-pipelines and stages.
    let (status, layouts) = app.get("/bigin/v2/settings/layouts?module=Pipelines", token).await;
    assert_eq!(status, StatusCode::OK);
    let layouts = &layouts["layouts"];
    assert_eq!(names(layouts, "name"), ["Sales Pipeline", "Partners"]);
    let sales = layouts[0]["id"].as_str().unwrap().to_string();
    let layout = &layouts[1];
    assert_eq!(layout["id"], partners.as_str());
    assert_eq!(names(&layout["sub_pipelines"], "display_value"), ["Resellers", "Referrals"]);
    assert_eq!(names(&layout["sub_pipelines"][1]["stages"], "display_value"), ["Referred", "Won"]);
    let won = &layout["sub_pipelines"][1]["stages"][1];
    assert_eq!((won["probability"].as_u64(), won["forecast_type"].as_str()), (Some(100), Some("closed_won")));
    let fields = layout["sections"][0]["fields"].as_array().unwrap();
    let stage_field = fields.iter().find(|f| f["api_name"] == "Stage").unwrap();
    assert_eq!(names(&stage_field["pick_list_values"], "display_value"), ["Intro", "Demo", "Closed Won", "Closed Lost", "Referred", "Won"]);
    assert_eq!(stage_field["pick_list_values"][4]["id"], layout["sub_pipelines"][1]["stages"][0]["id"], "stage ids match the layout's");
    let (status, one) = app.get(&format!("/bigin/v2/settings/layouts/{partners}?module=Pipelines"), token).await;
    assert_eq!((status, &one["layouts"][0]), (StatusCode::OK, layout));
    // The fields metadata offers every pipeline's values once.
    let (_, fields) = app.get("/bigin/v2/settings/fields?module=Pipelines", token).await;
    let field = |name: &str| fields["fields"].as_array().unwrap().iter().find(|f| f["api_name"] == name).unwrap().clone();
    assert_eq!(names(&field("Sub_Pipeline")["pick_list_values"], "display_value"), ["Standard", "Resellers", "Referrals"]);
    let stages = names(&field("Stage")["pick_list_values"], "display_value");
    assert_eq!(stages.iter().filter(|s| *s == "Closed Won").count(), 1);
    assert!(stages.contains(&"Referred".to_string()) && stages.contains(&"Qualification".to_string()));
    // Another organization has only its own Sales Pipeline.
    let other = app.tenant("Acme", ALL_SCOPES).await;
    let (_, theirs) = app.get("/bigin/v2/settings/layouts?module=Pipelines", &other.access_token).await;
    assert_eq!(names(&theirs["layouts"], "name"), ["Sales Pipeline"]);
    let foreign = theirs["layouts"][0]["id"].as_str().unwrap().to_string();

    // Records take a sub-pipeline of their own team pipeline and a stage of that sub-pipeline.
    let a = app.create(token, "Pipelines", json!({"Deal_Name": "A", "Sub_Pipeline": "Standard", "Stage": "Qualification"})).await;
    let b = app
        .create(token, "Pipelines", json!({"Deal_Name": "B", "Layout": {"id": partners}, "Sub_Pipeline": "Resellers", "Stage": "Demo"}))
        .await;
    let c = app
        .create(token, "Pipelines", json!({"Deal_Name": "C", "Layout": {"id": partners}, "Sub_Pipeline": "Referrals", "Stage": "Referred"}))
        .await;
    let (_, read) = app.get(&format!("/bigin/v2/Pipelines/{b}?fields=Layout,Sub_Pipeline,Stage"), token).await;
    assert_eq!(read["data"][0]["Layout"], json!({"name": "Partners", "id": partners}));
    let refused = [
        (json!({"Layout": {"id": partners}, "Sub_Pipeline": "Standard", "Stage": "Qualification"}), "Sub_Pipeline"),
        (json!({"Layout": {"id": sales}, "Sub_Pipeline": "Resellers", "Stage": "Demo"}), "Sub_Pipeline"),
        (json!({"Sub_Pipeline": "Referrals", "Stage": "Referred"}), "Sub_Pipeline"),
        (json!({"Layout": {"id": partners}, "Sub_Pipeline": "Resellers", "Stage": "Qualification"}), "Stage"),
        (json!({"Layout": {"id": partners}, "Sub_Pipeline": "Referrals", "Stage": "Demo"}), "Stage"),
        (json!({"Layout": {"id": foreign}, "Sub_Pipeline": "Standard", "Stage": "Qualification"}), "Layout"),
    ];
    for (fields, api_name) in &refused {
        let mut record = fields.clone();
        record["Deal_Name"] = json!("Refused");
        let (status, body) = app.post("/bigin/v2/Pipelines", token, &json!({ "data": [record] })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{record}");
        let element = &body["data"][0];
        assert_eq!(
            (element["code"].as_str(), element["details"]["api_name"].as_str()),
            (Some("INVALID_DATA"), Some(*api_name)),
            "{record}"
        );
        assert_eq!(element["details"]["json_path"], format!("$.data[0].{api_name}"));
    }
    let (status, body) = app
        .post("/bigin/v2/Pipelines", token, &json!({"data": [{"Deal_Name": "R", "Layout": {"id": partners}, "Sub_Pipeline": "Resellers"}]}))
        .await;
    assert_eq!((status, body["data"][0]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("MANDATORY_NOT_FOUND")));
    // Updates are checked against the record as it will be stored.
    for (change, api_name) in [
        (json!({"Layout": {"id": sales}}), "Sub_Pipeline"),
        (json!({"Stage": "Referred"}), "Stage"),
        (json!({"Sub_Pipeline": "Referrals"}), "Stage"),
        (json!({"Sub_Pipeline": "Standard", "Stage": "Qualification"}), "Sub_Pipeline"),
    ] {
        let (status, body) = app.put(&format!("/bigin/v2/Pipelines/{b}"), token, &json!({ "data": [change] })).await;
        assert_eq!((status, body["data"][0]["details"]["api_name"].as_str()), (StatusCode::BAD_REQUEST, Some(api_name)), "{change}");
    }
    let (_, read) = app.get(&format!("/bigin/v2/Pipelines/{b}?fields=Sub_Pipeline,Stage"), token).await;
    assert_eq!((read["data"][0]["Sub_Pipeline"].as_str(), read["data"][0]["Stage"].as_str()), (Some("Resellers"), Some("Demo")));
    let (status, _) =
        app.put(&format!("/bigin/v2/Pipelines/{b}"), token, &json!({"data": [{"Sub_Pipeline": "Referrals", "Stage": "Won"}]})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app
        .post(
            "/bigin/v2/Pipelines/upsert",
            token,
            &json!({"data": [{"Deal_Name": "A", "Layout": {"id": partners}, "Sub_Pipeline": "Resellers", "Stage": "Intro"}]}),
        )
        .await;
    assert_eq!((status, body["data"][0]["details"]["action"].as_str()), (StatusCode::OK, Some("update")), "{body}");
    assert_eq!(body["data"][0]["details"]["id"], a.as_str(), "the record moved to the other team pipeline");

    // pipeline_id lists, counts and pages the records of one team pipeline.
    let listed = |pipeline: &str| {
        let app = &app;
        let path = format!("/bigin/v2/Pipelines?fields=Deal_Name&pipeline_id={pipeline}&sort_by=id&sort_order=asc");
        async move {
            let (status, body) = app.get(&path, token).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            (body["info"]["count"].as_u64().unwrap(), names(&body["data"], "Deal_Name"))
        }
    };
    assert_eq!(listed(&partners).await, (3, vec!["A".to_string(), "B".to_string(), "C".to_string()]));
    let d = app.create(token, "Pipelines", json!({"Deal_Name": "D", "Sub_Pipeline": "Standard", "Stage": "Closed Won"})).await;
    assert_eq!(listed(&sales).await, (1, vec!["D".to_string()]));
    assert_eq!(app.get(&format!("/bigin/v2/Pipelines/actions/count?pipeline_id={partners}"), token).await.1, json!({"count": 3}));
    assert_eq!(app.get(&format!("/bigin/v2/Pipelines/actions/count?pipeline_id={sales}"), token).await.1, json!({"count": 1}));
    let (_, page) = app.get(&format!("/bigin/v2/Pipelines?fields=Deal_Name&pipeline_id={partners}&per_page=2"), token).await;
    assert_eq!((page["info"]["count"].as_u64(), page["info"]["more_records"].as_bool()), (Some(2), Some(true)));
    let bad_pipeline = json!({"code": "INVALID_DATA", "details": {"param": "pipeline_id"}, "message": "invalid data", "status": "error"});
    let (_, contact_layouts) = app.get("/bigin/v2/settings/layouts?module=Contacts", token).await;
    let contact_layout = contact_layouts["layouts"][0]["id"].as_str().unwrap().to_string();
    for bad in ["1000000000000000001", "sales", "", foreign.as_str(), contact_layout.as_str()] {
        for path in [
            format!("/bigin/v2/Pipelines?fields=Deal_Name&pipeline_id={bad}"),
            format!("/bigin/v2/Pipelines/actions/count?pipeline_id={bad}"),
        ] {
            assert_eq!(app.get(&path, token).await, (StatusCode::BAD_REQUEST, bad_pipeline.clone()), "{path}");
        }
    }
    assert_eq!(
        app.get(&format!("/bigin/v2/Contacts?fields=Last_Name&pipeline_id={sales}"), token).await,
        (StatusCode::BAD_REQUEST, bad_pipeline.clone())
    );

    // A contact's pipeline records, filtered by team pipeline: roles and the primary contact.
    let ted = app.create(token, "Contacts", json!({"Last_Name": "Watson"})).await;
    let (status, _) = app
        .put(
            &format!("/bigin/v2/Contacts/{ted}/Pipelines"),
            token,
            &json!({"data": [{"id": d, "Contact_Role": {"name": "Evaluator"}}, {"id": b, "Contact_Role": {"name": "Influencer"}}]}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    app.put(&format!("/bigin/v2/Pipelines/{c}"), token, &json!({"data": [{"Contact_Name": {"id": ted}}]})).await;
    let of_ted = |query: String| {
        let app = &app;
        let path = format!("/bigin/v2/Contacts/{ted}/Pipelines?fields=Deal_Name{query}");
        async move { app.get(&path, token).await }
    };
    let (_, all) = of_ted(String::new()).await;
    assert_eq!(all["info"]["count"], 3);
    let (_, in_sales) = of_ted(format!("&pipeline_id={sales}")).await;
    assert_eq!((in_sales["info"]["count"].as_u64(), names(&in_sales["data"], "Deal_Name")), (Some(1), vec!["D".to_string()]));
    assert_eq!(in_sales["data"][0]["Contact_Role"]["name"], "Evaluator");
    let (_, in_partners) = of_ted(format!("&pipeline_id={partners}")).await;
    let mut deals = names(&in_partners["data"], "Deal_Name");
    deals.sort();
    assert_eq!((in_partners["info"]["count"].as_u64(), deals), (Some(2), vec!["B".to_string(), "C".to_string()]));
    assert_eq!(of_ted(format!("&pipeline_id={foreign}")).await, (StatusCode::BAD_REQUEST, bad_pipeline.clone()));
    assert_eq!(of_ted("&pipeline_id=nope".into()).await, (StatusCode::BAD_REQUEST, bad_pipeline.clone()));
    // Only lists of pipeline records take pipeline_id.
    let (status, body) = app.get(&format!("/bigin/v2/Contacts/{ted}/Notes?pipeline_id={sales}"), token).await;
    assert_eq!((status, body), (StatusCode::BAD_REQUEST, bad_pipeline));
}

async fn upsert_inserts_then_updates(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let token = t.access_token.as_str();
    let body = json!({"data": [{"Last_Name": "Smith", "Email": "john@example.com", "Mobile": "+1 555 0100"}], "duplicate_check_fields": ["Email"], "trigger": []});
    let (status, first) = app.post("/bigin/v2/Contacts/upsert", token, &body).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["data"][0]["message"], "record added");
    assert_eq!(first["data"][0]["details"]["action"], "insert");
    assert_eq!(first["data"][0]["details"]["duplicate_field"], Value::Null);
    let id = first["data"][0]["details"]["id"].as_str().unwrap().to_string();
    let again = json!({"data": [{"Last_Name": "Smith-Jones", "Email": "JOHN@example.com"}], "duplicate_check_fields": ["Email"]});
    let (status, second) = app.post("/bigin/v2/Contacts/upsert", token, &again).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(second["data"][0]["message"], "record updated");
    assert_eq!(second["data"][0]["details"]["action"], "update");
    assert_eq!(second["data"][0]["details"]["duplicate_field"], "Email");
    assert_eq!(second["data"][0]["details"]["id"], id.as_str());
    let (_, read) = app.get(&format!("/bigin/v2/Contacts/{id}"), token).await;
    assert_eq!((read["data"][0]["Last_Name"].as_str(), read["data"][0]["Mobile"].as_str()), (Some("Smith-Jones"), Some("+1 555 0100")));
    // Without duplicate_check_fields, the module's unique fields decide.
    let (_, third) = app
        .post(
            "/bigin/v2/Accounts/upsert",
            token,
            &json!({"data": [{"Account_Name": "Zylker"}, {"Account_Name": "ZYLKER", "Phone": "555"}]}),
        )
        .await;
    assert_eq!(third["data"][0]["details"]["action"], "insert");
    assert_eq!(third["data"][1]["details"]["action"], "update");
    let (status, _) =
        app.post("/bigin/v2/Contacts/upsert", token, &json!({"data": [{"Last_Name": "X"}], "duplicate_check_fields": ["Last_Name"]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "only unique fields check for duplicates");
    let (status, _) =
        app.post("/bigin/v2/Contacts/upsert", token, &json!({"data": [{"First_Name": "NoLast", "Email": "new@example.com"}]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "an insert through upsert still needs mandatory fields");
}

async fn count_views_and_approved(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let token = t.access_token.as_str();
    for i in 0..3 {
        app.create(token, "Contacts", json!({"Last_Name": format!("C{i}")})).await;
    }
    let (status, body) = app.get("/bigin/v2/Contacts/actions/count", token).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"count": 3})));
    let (_, views) = app.get("/bigin/v2/settings/custom_views?module=Contacts", token).await;
    let all =
        views["custom_views"].as_array().unwrap().iter().find(|v| v["name"] == "All Contacts").unwrap()["id"].as_str().unwrap().to_string();
    let mine =
        views["custom_views"].as_array().unwrap().iter().find(|v| v["name"] == "My Contacts").unwrap()["id"].as_str().unwrap().to_string();
    assert_eq!(views["info"]["default"], all.as_str());
    let (_, body) = app.get(&format!("/bigin/v2/Contacts?fields=Last_Name&cvid={all}"), token).await;
    assert_eq!(body["info"]["count"], 3);
    // Hand one contact to a second user: "My Contacts" keeps the other two.
    let (_, users) = app
        .post("/bigin/v2/users", token, &json!({"users": [{"first_name": "Sam", "last_name": "Lee", "email": "sam@zylker.example"}]}))
        .await;
    let sam = users["users"][0]["details"]["id"].as_str().unwrap().to_string();
    let (_, list) = app.get("/bigin/v2/Contacts?fields=Last_Name", token).await;
    let first = list["data"][0]["id"].as_str().unwrap().to_string();
    app.post(&format!("/bigin/v2/Contacts/{first}/actions/change_owner"), token, &json!({"owner": {"id": sam}})).await;
    let (_, body) = app.get(&format!("/bigin/v2/Contacts?fields=Last_Name&cvid={mine}"), token).await;
    assert_eq!(body["info"]["count"], 2);
    assert_eq!(app.get(&format!("/bigin/v2/Contacts/actions/count?cvid={mine}"), token).await.1["count"], 2);
    assert_eq!(app.get("/bigin/v2/Contacts?fields=Last_Name&cvid=1000000000000000001", token).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(app.get("/bigin/v2/Contacts?fields=Last_Name&approved=false", token).await.0, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/bigin/v2/Contacts?fields=Last_Name&approved=both", token).await.1["info"]["count"], 3);
    assert_eq!(app.get("/bigin/v2/Contacts?fields=Last_Name&approved=maybe", token).await.0, StatusCode::BAD_REQUEST);
}

async fn recycle_bin_then_permanent(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let token = t.access_token.as_str();
    let a = app.create(token, "Contacts", json!({"Last_Name": "Gone", "First_Name": "Soon"})).await;
    let b = app.create(token, "Contacts", json!({"Last_Name": "Stays"})).await;
    assert_eq!(app.get("/bigin/v2/Contacts/deleted", token).await.0, StatusCode::NO_CONTENT);
    app.delete(&format!("/bigin/v2/Contacts/{a}"), token).await;
    let (status, body) = app.get("/bigin/v2/Contacts/deleted?type=recycle", token).await;
    assert_eq!(status, StatusCode::OK);
    let entry = &body["data"][0];
    assert_eq!(entry["id"], a.as_str());
    assert_eq!(entry["display_name"], "Soon Gone");
    assert_eq!(entry["type"], "recycle");
    assert_eq!(entry["deleted_by"]["id"], t.org.admin_user_id.as_str());
    assert_eq!(entry["created_by"]["id"], t.org.admin_user_id.as_str());
    assert!(entry["deleted_time"].is_string());
    assert_eq!(app.get("/bigin/v2/Contacts/deleted?type=permanent", token).await.0, StatusCode::NO_CONTENT);
    // Sixty days later the recycle bin has let it go for good.
    app.advance(61 * 24 * 3600);
    let t2 = app.tenant("Later", ALL_SCOPES).await;
    let _ = t2;
    let fresh = app.exchange(&t.client, &app.self_code(&t.client, &t.org.org_id, ALL_SCOPES).await).await;
    let token = fresh["access_token"].as_str().unwrap();
    app.delete(&format!("/bigin/v2/Contacts/{b}"), token).await;
    let (_, body) = app.get("/bigin/v2/Contacts/deleted?type=permanent", token).await;
    assert_eq!(body["data"].as_array().unwrap().len(), 1);
    assert_eq!(body["data"][0]["id"], a.as_str());
    assert_eq!(body["data"][0]["type"], "permanent");
    let (_, body) = app.get("/bigin/v2/Contacts/deleted?type=recycle", token).await;
    assert_eq!(body["data"][0]["id"], b.as_str());
    assert_eq!(app.get("/bigin/v2/Contacts/deleted", token).await.1["data"].as_array().unwrap().len(), 2);
    assert_eq!(app.get("/bigin/v2/Contacts/deleted?type=lost", token).await.0, StatusCode::BAD_REQUEST);
}

async fn owners_change_one_and_many(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let token = t.access_token.as_str();
    let (_, users) = app
        .post("/bigin/v2/users", token, &json!({"users": [{"first_name": "Sam", "last_name": "Lee", "email": "sam@zylker.example"}]}))
        .await;
    let sam = users["users"][0]["details"]["id"].as_str().unwrap().to_string();
    let ids: Vec<String> = [0, 1, 2].iter().map(|i| format!("C{i}")).collect();
    let mut created = Vec::new();
    for name in &ids {
        created.push(app.create(token, "Contacts", json!({ "Last_Name": name })).await);
    }
    let (status, body) = app
        .post(
            "/bigin/v2/Contacts/actions/change_owner",
            token,
            &json!({"ids": [created[0], created[1], "1000000000000000001"], "owner": {"id": sam}, "notify": true}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(body["data"][0]["code"], "SUCCESS");
    assert_eq!(body["data"][2]["code"], "INVALID_DATA");
    let (_, read) = app.get(&format!("/bigin/v2/Contacts/{}", created[1]), token).await;
    assert_eq!(read["data"][0]["Owner"]["id"], sam.as_str());
    assert_eq!(read["data"][0]["Owner"]["name"], "Sam Lee");
    let (status, _) = app
        .post(&format!("/bigin/v2/Contacts/{}/actions/change_owner", created[2]), token, &json!({"owner": {"id": "1000000000000000001"}}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "the owner must be a user of the organization");
    let (status, _) = app.post("/bigin/v2/Contacts/actions/change_owner", token, &json!({"owner": {"id": sam}})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // related_modules hands the record's activities of those lists to the new owner too.
    let contact = &created[2];
    let related = json!({"What_Id": {"id": contact}, "$se_module": "Contacts"});
    let with = |mut record: Value| {
        record.as_object_mut().unwrap().extend(related.as_object().unwrap().clone());
        record
    };
    let tasks = [
        app.create(token, "Tasks", with(json!({"Subject": "T1"}))).await,
        app.create(token, "Tasks", with(json!({"Subject": "T2"}))).await,
    ];
    let calls = [
        app.create(token, "Calls", with(json!({"Subject": "K1", "Call_Type": "Outbound", "Call_Start_Time": "2026-05-01T09:00:00Z"})))
            .await,
        app.create(token, "Calls", with(json!({"Subject": "K2", "Call_Type": "Outbound", "Call_Start_Time": "2026-05-01T09:00:00Z"})))
            .await,
    ];
    let event = app
        .create(
            token,
            "Events",
            with(json!({"Event_Title": "E", "Start_DateTime": "2026-05-01T10:00:00Z", "End_DateTime": "2026-05-01T11:00:00Z"})),
        )
        .await;
    let unrelated = app.create(token, "Tasks", json!({"Subject": "Elsewhere"})).await;
    let owner_of = |module: &'static str, id: String| {
        let app = &app;
        async move {
            app.get(&format!("/bigin/v2/{module}/{id}?fields=Owner"), token).await.1["data"][0]["Owner"]["id"].as_str().unwrap().to_string()
        }
    };
    for bad in [
        json!([{"api_name": "Notes"}]),
        json!([{"api_name": "Products"}]),
        json!([{"api_name": "Tasks"}, {"api_name": "Bogus"}]),
        json!([{"api_name": "Tasks", "id": "not an id"}]),
        json!({"api_name": "Tasks"}),
    ] {
        let (status, body) = app
            .post(
                &format!("/bigin/v2/Contacts/{contact}/actions/change_owner"),
                token,
                &json!({"owner": {"id": sam}, "related_modules": bad}),
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str(), body["details"]["api_name"].as_str()),
            (StatusCode::BAD_REQUEST, Some("INVALID_DATA"), Some("related_modules")),
            "{bad}"
        );
    }
    assert_eq!(owner_of("Contacts", contact.clone()).await, t.org.admin_user_id, "a refused change changes nothing");
    let (status, _) = app
        .post(
            &format!("/bigin/v2/Contacts/{contact}/actions/change_owner"),
            token,
            &json!({"owner": {"id": sam}, "related_modules": [{"api_name": "Tasks"}, {"api_name": "Calls", "id": calls[0]}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(owner_of("Contacts", contact.clone()).await, sam);
    for task in &tasks {
        assert_eq!(owner_of("Tasks", task.clone()).await, sam, "every related task");
    }
    assert_eq!(owner_of("Calls", calls[0].clone()).await, sam, "the call named");
    assert_eq!(owner_of("Calls", calls[1].clone()).await, t.org.admin_user_id, "not the other call");
    assert_eq!(owner_of("Events", event.clone()).await, t.org.admin_user_id, "not the events");
    assert_eq!(owner_of("Tasks", unrelated.clone()).await, t.org.admin_user_id, "not another record's task");
    let (status, _) = app
        .post(
            "/bigin/v2/Contacts/actions/change_owner",
            token,
            &json!({"ids": [contact, created[0]], "owner": {"id": sam}, "related_modules": [{"api_name": "events"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(owner_of("Events", event).await, sam, "through the bulk change too");
    assert_eq!(owner_of("Calls", calls[1].clone()).await, t.org.admin_user_id, "only the lists named move");
    // The scope is ZohoBigin.change_owner.CREATE.
    let other = app.tenant("NoOwner", "ZohoBigin.modules.ALL").await;
    let (status, body) =
        app.post("/bigin/v2/Contacts/actions/change_owner", &other.access_token, &json!({"ids": [created[0]], "owner": {"id": sam}})).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("OAUTH_SCOPE_MISMATCH")));
}

async fn if_modified_since_answers_304(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let token = t.access_token.as_str();
    let id = app.create(token, "Contacts", json!({"Last_Name": "A"})).await;
    let (_, read) = app.get(&format!("/bigin/v2/Contacts/{id}"), token).await;
    let modified = read["data"][0]["Modified_Time"].as_str().unwrap().to_string();
    let call = |path: String, since: String| {
        let app = &app;
        async move {
            let resp = app
                .http
                .request(Method::GET, format!("{}{path}", app.base))
                .header("Authorization", format!("Zoho-oauthtoken {token}"))
                .header("If-Modified-Since", since)
                .send()
                .await
                .unwrap();
            resp.status()
        }
    };
    assert_eq!(call(format!("/bigin/v2/Contacts/{id}"), modified.clone()).await, StatusCode::NOT_MODIFIED);
    assert_eq!(call("/bigin/v2/Contacts?fields=Last_Name".into(), modified.clone()).await, StatusCode::NOT_MODIFIED);
    app.advance(10);
    app.put(&format!("/bigin/v2/Contacts/{id}"), token, &json!({"data": [{"Title": "New"}]})).await;
    assert_eq!(call(format!("/bigin/v2/Contacts/{id}"), modified.clone()).await, StatusCode::OK);
    assert_eq!(call("/bigin/v2/Contacts?fields=Last_Name".into(), modified).await, StatusCode::OK);
    assert_eq!(call("/bigin/v2/Contacts?fields=Last_Name".into(), "last week".into()).await, StatusCode::BAD_REQUEST);
}
