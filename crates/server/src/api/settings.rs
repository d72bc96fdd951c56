//! Metadata: `GET /bigin/v2/settings/modules` and `/settings/modules/{api_name}`
//! (Bigin's modules-api page).

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use crm::modules::{derived_id, Module};
use crm::ErrorCode;
use serde_json::{json, Value};

use super::auth::{Api, Caller, ModulesMetaRead};
use super::ApiError;
use crate::wire;

/// # GET /bigin/v2/settings/modules
pub async fn list_modules(api: Api<ModulesMetaRead>) -> Response {
    let caller = &api.caller;
    let modules: Vec<Value> = caller.schema.modules.iter().map(|m| render(m, caller)).collect();
    wire::json(StatusCode::OK, &json!({ "modules": modules }))
}

/// # GET /bigin/v2/settings/modules/{module_api_name}
pub async fn get_module(api: Api<ModulesMetaRead>, Path(name): Path<String>) -> Result<Response, ApiError> {
    let caller = &api.caller;
    let module = caller.schema.module(&name).ok_or_else(|| ApiError::new(ErrorCode::InvalidModule))?;
    Ok(wire::json(StatusCode::OK, &json!({ "modules": [render(module, caller)] })))
}

fn render(module: &Module, caller: &Caller) -> Value {
    let org_id = caller.org.id;
    let profile = |name: &str| json!({"name": name, "id": derived_id(org_id, &format!("profile:{name}")).to_string()});
    json!({
        "id": module.id.to_string(),
        "api_name": module.api_name,
        "module_name": module.api_name,
        "singular_label": module.singular_label,
        "plural_label": module.plural_label,
        "actual_singular_label": module.singular_label,
        "actual_plural_label": module.plural_label,
        "api_supported": module.api_supported,
        "creatable": true,
        "editable": true,
        "deletable": true,
        "viewable": true,
        "visible": true,
        "visibility": 1,
        "generated_type": "default",
        "sequence_number": module.sequence_number,
        "modified_time": null,
        "modified_by": null,
        "profiles": [profile("Administrator"), profile("Standard")],
        "parent_module": {},
    })
}
