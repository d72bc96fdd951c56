//! Metadata under /settings and user administration.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{TestApp, ALL_SCOPES};
use crate::on_both_backends;

on_both_backends!(
    fields_layouts_views_and_related_lists_describe_each_module,
    custom_fields_appear_in_the_metadata,
    a_field_made_elsewhere_reaches_a_running_server_within_a_minute,
    custom_fields_have_their_limits,
    roles_profiles_and_user_administration
);

async fn fields_layouts_views_and_related_lists_describe_each_module(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let token = t.access_token.as_str();
    for module in ["Contacts", "Accounts", "Pipelines", "Products", "Tasks", "Events", "Calls", "Notes"] {
        let (status, body) = app.get(&format!("/bigin/v2/settings/fields?module={module}"), token).await;
        assert_eq!(status, StatusCode::OK, "{module}");
        let fields = body["fields"].as_array().unwrap();
        for key in [
            "id",
            "api_name",
            "field_label",
            "display_label",
            "data_type",
            "read_only",
            "custom_field",
            "system_mandatory",
            "pick_list_values",
            "lookup",
            "unique",
        ] {
            assert!(fields.iter().all(|f| f.get(key).is_some()), "{module} fields have {key}");
        }
        let id = fields[0]["id"].as_str().unwrap();
        let (status, one) = app.get(&format!("/bigin/v2/settings/fields/{id}?module={module}"), token).await;
        assert_eq!((status, &one["fields"][0]["id"]), (StatusCode::OK, &json!(id)));
        let (status, layouts) = app.get(&format!("/bigin/v2/settings/layouts?module={module}"), token).await;
        assert_eq!(status, StatusCode::OK);
        let layout_id = layouts["layouts"][0]["id"].as_str().unwrap();
        assert_eq!(app.get(&format!("/bigin/v2/settings/layouts/{layout_id}?module={module}"), token).await.0, StatusCode::OK);
        let (_, views) = app.get(&format!("/bigin/v2/settings/custom_views?module={module}"), token).await;
        let view = views["custom_views"][0]["id"].as_str().unwrap();
        assert_eq!(app.get(&format!("/bigin/v2/settings/custom_views/{view}?module={module}"), token).await.0, StatusCode::OK);
        assert_eq!(app.get(&format!("/bigin/v2/{module}?fields=id&cvid={view}"), token).await.0, StatusCode::NO_CONTENT);
    }
    let (_, body) = app.get("/bigin/v2/settings/fields?module=Contacts", token).await;
    let by_name = |name: &str| body["fields"].as_array().unwrap().iter().find(|f| f["api_name"] == name).unwrap().clone();
    assert_eq!(by_name("Last_Name")["system_mandatory"], true);
    assert_eq!(by_name("Last_Name")["length"], 80);
    assert_eq!(by_name("Email")["unique"], json!({"casesensitive": "false"}));
    assert_eq!(by_name("Account_Name")["lookup"]["module"]["api_name"], "Accounts");
    assert_eq!(by_name("Created_Time")["read_only"], true);
    let (_, related) = app.get("/bigin/v2/settings/related_lists?module=Pipelines", token).await;
    let names: Vec<&str> = related["related_lists"].as_array().unwrap().iter().map(|r| r["api_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Contacts", "Products", "Notes", "Tasks", "Events", "Calls"]);
    for path in
        ["/bigin/v2/settings/fields", "/bigin/v2/settings/layouts", "/bigin/v2/settings/custom_views", "/bigin/v2/settings/related_lists"]
    {
        let (status, body) = app.get(path, token).await;
        assert_eq!(
            body,
            json!({"code": "REQUIRED_PARAM_MISSING", "details": {"param": "module"}, "message": "One of the expected parameter is missing", "status": "error"}),
            "{path}"
        );
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, body) = app.get(&format!("{path}?module=Leads"), token).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("INVALID_MODULE")), "{path}");
    }
    assert_eq!(app.get("/bigin/v2/settings/fields/1000000000000000001?module=Contacts", token).await.0, StatusCode::NO_CONTENT);
    // Each area has its own scope.
    let narrow = app.tenant("Narrow", "ZohoBigin.settings.fields.READ").await;
    assert_eq!(app.get("/bigin/v2/settings/fields?module=Contacts", &narrow.access_token).await.0, StatusCode::OK);
    for path in [
        "/bigin/v2/settings/layouts?module=Contacts",
        "/bigin/v2/settings/custom_views?module=Contacts",
        "/bigin/v2/settings/related_lists?module=Contacts",
        "/bigin/v2/settings/roles",
        "/bigin/v2/settings/profiles",
    ] {
        assert_eq!(app.get(path, &narrow.access_token).await.1["code"], "OAUTH_SCOPE_MISMATCH", "{path}");
    }
}

async fn custom_fields_appear_in_the_metadata(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let token = t.access_token.as_str();
    let colours = vec!["Red".to_string(), "Blue".to_string()];
    let new = server::provision::NewField {
        module: "Accounts",
        label: "Favourite Colour",
        data_type: "picklist",
        length: None,
        picklist: &colours,
        unique: false,
        lookup_module: None,
    };
    let created = server::provision::create_custom_field(&app.state, &t.org.org_id, &new).await.unwrap();
    assert_eq!(created.api_name, "Favourite_Colour");
    let (_, body) = app.get("/bigin/v2/settings/fields?module=Accounts", token).await;
    let field = body["fields"].as_array().unwrap().iter().find(|f| f["api_name"] == "Favourite_Colour").unwrap().clone();
    assert_eq!(field["custom_field"], true);
    assert_eq!(field["data_type"], "picklist");
    let values: Vec<&str> = field["pick_list_values"].as_array().unwrap().iter().map(|v| v["display_value"].as_str().unwrap()).collect();
    assert_eq!(values, ["Red", "Blue"]);
    // Another organization does not have it.
    let other = app.tenant("Acme", ALL_SCOPES).await;
    let (_, body) = app.get("/bigin/v2/settings/fields?module=Accounts", &other.access_token).await;
    assert!(body["fields"].as_array().unwrap().iter().all(|f| f["api_name"] != "Favourite_Colour"));
    // Refusals.
    let org = t.org.org_id.as_str();
    let bad = [
        server::provision::NewField {
            module: "Leads",
            label: "X",
            data_type: "text",
            length: None,
            picklist: &[],
            unique: false,
            lookup_module: None,
        },
        server::provision::NewField {
            module: "Accounts",
            label: "X",
            data_type: "colour",
            length: None,
            picklist: &[],
            unique: false,
            lookup_module: None,
        },
        server::provision::NewField {
            module: "Accounts",
            label: "X",
            data_type: "picklist",
            length: None,
            picklist: &[],
            unique: false,
            lookup_module: None,
        },
        server::provision::NewField {
            module: "Accounts",
            label: "X",
            data_type: "lookup",
            length: None,
            picklist: &[],
            unique: false,
            lookup_module: None,
        },
        server::provision::NewField {
            module: "Accounts",
            label: "X",
            data_type: "boolean",
            length: None,
            picklist: &[],
            unique: true,
            lookup_module: None,
        },
        server::provision::NewField {
            module: "Accounts",
            label: "",
            data_type: "text",
            length: None,
            picklist: &[],
            unique: false,
            lookup_module: None,
        },
        server::provision::NewField {
            module: "Accounts",
            label: "X",
            data_type: "text",
            length: Some(300),
            picklist: &[],
            unique: false,
            lookup_module: None,
        },
    ];
    for new in &bad {
        assert!(server::provision::create_custom_field(&app.state, org, new).await.is_err(), "{} {}", new.module, new.data_type);
    }
    // A label that clashes gets a suffix.
    let new = server::provision::NewField {
        module: "Accounts",
        label: "Phone",
        data_type: "text",
        length: None,
        picklist: &[],
        unique: false,
        lookup_module: None,
    };
    assert_eq!(server::provision::create_custom_field(&app.state, org, &new).await.unwrap().api_name, "Phone_1");
}

async fn roles_profiles_and_user_administration(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let token = t.access_token.as_str();
    let (_, roles) = app.get("/bigin/v2/settings/roles", token).await;
    let names: Vec<&str> = roles["roles"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["CEO", "Manager"]);
    assert_eq!(roles["roles"][1]["reporting_to"]["name"], "CEO");
    let manager = roles["roles"][1]["id"].as_str().unwrap().to_string();
    let (_, profiles) = app.get("/bigin/v2/settings/profiles", token).await;
    let admin_profile =
        profiles["profiles"].as_array().unwrap().iter().find(|p| p["name"] == "Administrator").unwrap()["id"].as_str().unwrap().to_string();

    let (status, body) = app
        .post("/bigin/v2/users", token, &json!({"users": [{"first_name": "Sam", "last_name": "Lee", "email": "sam@zylker.example", "role": {"id": manager}, "profile": {"id": admin_profile}}]}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["users"][0]["message"], "User added");
    let sam = body["users"][0]["details"]["id"].as_str().unwrap().to_string();
    let (_, read) = app.get(&format!("/bigin/v2/users/{sam}"), token).await;
    let user = &read["users"][0];
    assert_eq!(
        (user["full_name"].as_str(), user["role"]["name"].as_str(), user["profile"]["name"].as_str()),
        (Some("Sam Lee"), Some("Manager"), Some("Administrator"))
    );
    assert_eq!(user["confirm"], false);
    assert_eq!(app.get("/bigin/v2/users?type=NotConfirmedUsers", token).await.1["users"].as_array().unwrap().len(), 1);
    assert_eq!(app.get("/bigin/v2/users?type=AdminUsers", token).await.1["users"].as_array().unwrap().len(), 2);

    let cases = [
        (json!({"users": [{"last_name": "X", "email": "SAM@zylker.example"}]}), "DUPLICATE_DATA"),
        (json!({"users": [{"first_name": "X", "email": "x@zylker.example"}]}), "MANDATORY_NOT_FOUND"),
        (json!({"users": [{"last_name": "X"}]}), "MANDATORY_NOT_FOUND"),
        (json!({"users": [{"last_name": "X", "email": "y@zylker.example", "role": {"id": "1"}}]}), "INVALID_DATA"),
    ];
    for (body, code) in cases {
        let (status, answer) = app.post("/bigin/v2/users", token, &body).await;
        assert_eq!((status, answer["users"][0]["code"].as_str()), (StatusCode::BAD_REQUEST, Some(code)), "{body}");
    }
    let (status, body) =
        app.put(&format!("/bigin/v2/users/{sam}"), token, &json!({"users": [{"last_name": "Renamed", "status": "disabled"}]})).await;
    assert_eq!((status, body["users"][0]["message"].as_str()), (StatusCode::OK, Some("User updated")));
    let (_, deactivated) = app.get("/bigin/v2/users?type=DeactiveUsers", token).await;
    assert_eq!(deactivated["users"][0]["last_name"], "Renamed");
    assert_eq!(app.get("/bigin/v2/users?type=ActiveUsers", token).await.1["users"].as_array().unwrap().len(), 1);
    // A deactivated user cannot own records.
    let (status, _) = app.post("/bigin/v2/Contacts", token, &json!({"data": [{"Last_Name": "X", "Owner": {"id": sam}}]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // The primary user cannot be deactivated or deleted.
    let (status, _) =
        app.put(&format!("/bigin/v2/users/{}", t.org.admin_user_id), token, &json!({"users": [{"status": "disabled"}]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = app.delete(&format!("/bigin/v2/users/{}", t.org.admin_user_id), token).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = app.delete(&format!("/bigin/v2/users/{sam}"), token).await;
    assert_eq!((status, body["users"][0]["message"].as_str()), (StatusCode::OK, Some("User deleted")));
    assert_eq!(app.get("/bigin/v2/users?type=DeletedUsers", token).await.1["users"][0]["id"], sam.as_str());
    assert_eq!(app.get("/bigin/v2/users?type=AllUsers", token).await.1["users"].as_array().unwrap().len(), 1);
    // Writes need the users write scopes.
    let reader = app.tenant("Reader", "ZohoBigin.users.READ").await;
    let (status, body) =
        app.post("/bigin/v2/users", &reader.access_token, &json!({"users": [{"last_name": "X", "email": "z@x.example"}]})).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("OAUTH_SCOPE_MISMATCH")));
    let _: Value = body;
}

fn text_field<'a>(module: &'a str, label: &'a str, unique: bool) -> server::provision::NewField<'a> {
    server::provision::NewField { module, label, data_type: "text", length: None, picklist: &[], unique, lookup_module: None }
}

async fn a_field_made_elsewhere_reaches_a_running_server_within_a_minute(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let token = t.access_token.as_str();
    let has_field = |name: &'static str| {
        let app = &app;
        async move {
            let (_, body) = app.get("/bigin/v2/settings/fields?module=Contacts", token).await;
            body["fields"].as_array().unwrap().iter().any(|f| f["api_name"] == name)
        }
    };
    assert!(!has_field("Badge").await, "the server has read the schema");
    // Another process on the same database (the command line, another node): its own caches.
    let elsewhere = server::state((*app.state.config).clone(), app.state.store.clone(), app.state.clock.clone()).await.unwrap();
    server::provision::create_custom_field(&elsewhere, &t.org.org_id, &text_field("Contacts", "Badge", false)).await.unwrap();
    assert!(!has_field("Badge").await, "the running server still answers from its caches");
    app.advance(61);
    assert!(has_field("Badge").await, "a minute later the field is there");
    let id = app.create(token, "Contacts", json!({"Last_Name": "B", "Badge": "B-7"})).await;
    assert_eq!(app.get(&format!("/bigin/v2/Contacts/{id}?fields=Badge"), token).await.1["data"][0]["Badge"], "B-7");
    // The node that creates a field answers with it at once.
    server::provision::create_custom_field(&app.state, &t.org.org_id, &text_field("Contacts", "Desk", false)).await.unwrap();
    assert!(has_field("Desk").await);
    // A team pipeline made elsewhere follows the same rule.
    let sub = vec![crm::pipelines::SubPipelineSpec { name: "Direct".into(), stages: vec!["Open".into(), "Won".into()] }];
    server::provision::create_team_pipeline(&elsewhere, &t.org.org_id, "Partners", sub).await.unwrap();
    app.advance(61);
    let (_, layouts) = app.get("/bigin/v2/settings/layouts?module=Pipelines", token).await;
    assert_eq!(layouts["layouts"].as_array().unwrap().len(), 2);
}

async fn custom_fields_have_their_limits(app: TestApp) {
    let t = app.tenant("Zylker", ALL_SCOPES).await;
    let token = t.access_token.as_str();
    let org = t.org.org_id.as_str();
    let create = |new: server::provision::NewField<'static>| {
        let app = &app;
        async move { server::provision::create_custom_field(&app.state, org, &new).await }
    };
    // Two unique custom fields a module, whatever their type.
    create(text_field("Contacts", "Badge", true)).await.unwrap();
    let integer = server::provision::NewField { data_type: "integer", ..text_field("Contacts", "Employee number", true) };
    create(integer).await.unwrap();
    let err = create(text_field("Contacts", "Locker", true)).await.unwrap_err();
    assert_eq!(err.to_string(), "Contacts has 2 unique custom fields already");
    create(text_field("Accounts", "Registry", true)).await.unwrap();
    // Fifty custom fields a module.
    for i in 3..=50 {
        let label = format!("Extra {i}");
        server::provision::create_custom_field(&app.state, org, &text_field("Contacts", &label, false)).await.unwrap();
    }
    let err = create(text_field("Contacts", "One too many", false)).await.unwrap_err();
    assert_eq!(err.to_string(), "Contacts has 50 custom fields already");
    create(text_field("Accounts", "Still room", false)).await.unwrap();
    let (_, fields) = app.get("/bigin/v2/settings/fields?module=Contacts", token).await;
    let custom: Vec<&Value> = fields["fields"].as_array().unwrap().iter().filter(|f| f["custom_field"] == true).collect();
    assert_eq!(custom.len(), 50);
    assert_eq!(custom.iter().filter(|f| f["unique"] == json!({"casesensitive": "false"})).count(), 2);
    assert!(custom.iter().all(|f| f["api_name"] != "One_too_many" && f["api_name"] != "Locker"));
    // Every one of them takes values.
    let mut record = json!({"Last_Name": "Full"});
    for field in &custom {
        let name = field["api_name"].as_str().unwrap();
        record[name] = if field["data_type"] == "integer" { json!(7) } else { json!(format!("v-{name}")) };
    }
    let id = app.create(token, "Contacts", record).await;
    let (_, read) = app.get(&format!("/bigin/v2/Contacts/{id}?fields=Extra_50,Badge,Employee_number"), token).await;
    assert_eq!(read["data"][0], json!({"Extra_50": "v-Extra_50", "Badge": "v-Badge", "Employee_number": 7, "id": id}));
}
