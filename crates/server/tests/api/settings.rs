//! Metadata under /settings and user administration.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{TestApp, ALL_SCOPES};
use crate::on_both_backends;

on_both_backends!(
    fields_layouts_views_and_related_lists_describe_each_module,
    custom_fields_appear_in_the_metadata,
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
