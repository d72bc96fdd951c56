//! Metadata under `/bigin/v2/settings/...`: modules, fields, layouts (team pipelines for
//! Pipelines), custom views, related lists, roles and profiles.

use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::Response;
use crm::modules::{derived_id, DataType, Field, LookupTarget, Module};
use crm::pipelines::TeamPipeline;
use crm::{ErrorCode, Id};
use serde_json::{json, Value};

use super::auth::{
    Api, Caller, CustomViewsArea, FieldsArea, LayoutsArea, ModulesArea, ProfilesArea, RelatedListsArea, RolesArea, SettingsRead,
};
use super::ApiError;
use crate::wire;

/// Roles every organization starts with: `(name, reports to)`.
pub const ROLES: &[(&str, Option<&str>)] = &[("CEO", None), ("Manager", Some("CEO"))];
/// Profiles every organization starts with.
pub const PROFILES: &[&str] = &["Administrator", "Standard"];

fn ok(body: Value) -> Response {
    wire::json(StatusCode::OK, &body)
}

/// The `module` query parameter every settings list but modules needs.
fn module_param<'a>(caller: &'a Caller, query: Option<&str>) -> Result<&'a Module, ApiError> {
    let pairs = wire::pairs(query);
    let name = wire::param(&pairs, "module").filter(|m| !m.is_empty()).ok_or_else(|| ApiError::missing_param("module"))?;
    caller.schema.module(name).ok_or_else(|| ApiError::new(ErrorCode::InvalidModule))
}

fn id_ref(name: &str, id: Id) -> Value {
    json!({"name": name, "id": id.to_string()})
}

/// # GET /bigin/v2/settings/modules
pub async fn list_modules(api: Api<SettingsRead<ModulesArea>>) -> Response {
    let caller = &api.caller;
    let modules: Vec<Value> = caller.schema.modules.iter().map(|m| render_module(m, caller)).collect();
    ok(json!({ "modules": modules }))
}

/// # GET /bigin/v2/settings/modules/{module_api_name}
pub async fn get_module(api: Api<SettingsRead<ModulesArea>>) -> Result<Response, ApiError> {
    let name = api.path("module");
    let caller = &api.caller;
    let module = caller.schema.module(name).ok_or_else(|| ApiError::new(ErrorCode::InvalidModule))?;
    Ok(ok(json!({ "modules": [render_module(module, caller)] })))
}

fn render_module(module: &Module, caller: &Caller) -> Value {
    let org_id = caller.org.id;
    let profile = |name: &str| id_ref(name, derived_id(org_id, &format!("profile:{name}")));
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
        "profiles": PROFILES.iter().map(|p| profile(p)).collect::<Vec<_>>(),
        "parent_module": {},
    })
}

fn json_type(data_type: DataType) -> &'static str {
    match data_type {
        DataType::Integer | DataType::Bigint => "integer",
        DataType::Double | DataType::Currency => "double",
        DataType::Boolean => "boolean",
        DataType::Lookup | DataType::Ownerlookup | DataType::Userlookup => "jsonobject",
        DataType::Multiselectpicklist => "jsonarray",
        _ => "string",
    }
}

/// The id of a picklist value: a pipeline's stages and sub-pipelines keep the ids the layouts
/// show for them (those of `pipeline` when one is given, else of the first pipeline having them).
fn picklist_value_id(caller: &Caller, field: &Field, value: &str, pipeline: Option<&TeamPipeline>) -> Id {
    let all = &caller.schema.pipelines;
    let pipelines: Vec<&TeamPipeline> = pipeline.map_or_else(|| all.iter().collect(), |p| vec![p]);
    let subs = || pipelines.iter().flat_map(|p| &p.sub_pipelines);
    let known = match field.api_name.as_str() {
        "Stage" => subs().flat_map(|s| &s.stages).find(|s| s.name == value).map(|s| s.id),
        "Sub_Pipeline" => subs().find(|s| s.name == value).map(|s| s.id),
        _ => None,
    };
    known.unwrap_or_else(|| derived_id(caller.org.id, &format!("picklist:{}:{value}", field.id)))
}

/// A field as the fields metadata shows it; in the layout of a team pipeline, `Stage` and
/// `Sub_Pipeline` offer that pipeline's values.
fn render_field(field: &Field, caller: &Caller, index: usize, pipeline: Option<&TeamPipeline>) -> Value {
    let values = match (pipeline, field.api_name.as_str()) {
        (Some(p), "Stage") => p.stage_names().into_iter().map(str::to_string).collect(),
        (Some(p), "Sub_Pipeline") => p.sub_pipelines.iter().map(|s| s.name.clone()).collect(),
        _ => field.picklist.clone(),
    };
    let pick_list_values: Vec<Value> = values
        .iter()
        .map(|v| json!({"display_value": v, "actual_value": v, "id": picklist_value_id(caller, field, v, pipeline).to_string()}))
        .collect();
    let lookup = match &field.lookup {
        Some(LookupTarget::Module(target)) => {
            let target_id = caller.schema.module(target).map(|m| m.id.to_string());
            json!({"module": {"api_name": target, "id": target_id}})
        }
        Some(LookupTarget::SeModule) => json!({"module": {"api_name": "se_module", "id": null}}),
        Some(LookupTarget::TeamPipeline) => json!({"module": {"api_name": "Layouts", "id": null}}),
        None => json!({}),
    };
    json!({
        "id": field.id.to_string(),
        "api_name": field.api_name,
        "field_label": field.label,
        "display_label": field.label,
        "data_type": field.data_type.as_str(),
        "json_type": json_type(field.data_type),
        "length": field.length,
        "read_only": field.read_only(),
        "custom_field": field.custom,
        "system_mandatory": field.mandatory,
        "visible": true,
        "sequence_number": index + 1,
        "unique": if field.unique { json!({"casesensitive": "false"}) } else { json!({}) },
        "lookup": lookup,
        "pick_list_values": pick_list_values,
    })
}

/// # GET /bigin/v2/settings/fields?module=
pub async fn list_fields(api: Api<SettingsRead<FieldsArea>>, RawQuery(query): RawQuery) -> Result<Response, ApiError> {
    let caller = &api.caller;
    let module = module_param(caller, query.as_deref())?;
    let fields: Vec<Value> = module.fields.iter().enumerate().map(|(i, f)| render_field(f, caller, i, None)).collect();
    Ok(ok(json!({ "fields": fields })))
}

/// # GET /bigin/v2/settings/fields/{field_id}?module=
pub async fn get_field(api: Api<SettingsRead<FieldsArea>>, RawQuery(query): RawQuery) -> Result<Response, ApiError> {
    let id = api.path("id");
    let caller = &api.caller;
    let module = module_param(caller, query.as_deref())?;
    let found = Id::parse(id).and_then(|id| module.fields.iter().position(|f| f.id == id));
    Ok(match found {
        Some(i) => ok(json!({ "fields": [render_field(&module.fields[i], caller, i, None)] })),
        None => wire::no_content(),
    })
}

/// A layout: for Pipelines one per team pipeline (its id is the `pipeline_id`), else "Standard".
fn render_layout(module: &Module, caller: &Caller, pipeline: Option<&TeamPipeline>) -> Value {
    let org_id = caller.org.id;
    let fields: Vec<Value> = module.fields.iter().enumerate().map(|(i, f)| render_field(f, caller, i, pipeline)).collect();
    let (id, name) = match pipeline {
        Some(p) => (p.id, p.name.clone()),
        None => (derived_id(org_id, &format!("layout:{}:Standard", module.api_name)), "Standard".to_string()),
    };
    let mut layout = json!({
        "id": id.to_string(),
        "name": name,
        "display_label": name,
        "visible": true,
        "status": "active",
        "sections": [{
            "api_name": format!("{} Information", module.singular_label),
            "display_label": format!("{} Information", module.singular_label),
            "sequence_number": 1,
            "fields": fields,
        }],
    });
    if let Some(pipeline) = pipeline {
        layout["sub_pipelines"] = pipeline
            .sub_pipelines
            .iter()
            .map(|sub| {
                json!({
                    "id": sub.id.to_string(),
                    "display_value": sub.name,
                    "stages": sub.stages.iter().map(|s| json!({
                        "id": s.id.to_string(),
                        "display_value": s.name,
                        "sequence_number": s.sequence_number,
                        "probability": s.probability,
                        "forecast_type": s.forecast,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
    }
    layout
}

fn layouts(module: &Module, caller: &Caller) -> Vec<Value> {
    if module.api_name == "Pipelines" {
        caller.schema.pipelines.iter().map(|p| render_layout(module, caller, Some(p))).collect()
    } else {
        vec![render_layout(module, caller, None)]
    }
}

/// # GET /bigin/v2/settings/layouts?module=
pub async fn list_layouts(api: Api<SettingsRead<LayoutsArea>>, RawQuery(query): RawQuery) -> Result<Response, ApiError> {
    let module = module_param(&api.caller, query.as_deref())?;
    Ok(ok(json!({ "layouts": layouts(module, &api.caller) })))
}

/// # GET /bigin/v2/settings/layouts/{layout_id}?module=
pub async fn get_layout(api: Api<SettingsRead<LayoutsArea>>, RawQuery(query): RawQuery) -> Result<Response, ApiError> {
    let id = api.path("id");
    let module = module_param(&api.caller, query.as_deref())?;
    let found = layouts(module, &api.caller).into_iter().find(|l| l["id"] == id);
    Ok(found.map_or_else(wire::no_content, |l| ok(json!({ "layouts": [l] }))))
}

fn custom_views(module: &Module, caller: &Caller) -> Vec<Value> {
    crm::views::views(caller.org.id, module)
        .into_iter()
        .map(|v| {
            json!({
                "id": v.id.to_string(),
                "name": v.name,
                "display_value": v.name,
                "system_name": v.system_name,
                "default": v.default,
                "category": "public_views",
                "module": {"api_name": module.api_name, "id": module.id.to_string()},
                "criteria": null,
            })
        })
        .collect()
}

/// # GET /bigin/v2/settings/custom_views?module=
pub async fn list_custom_views(api: Api<SettingsRead<CustomViewsArea>>, RawQuery(query): RawQuery) -> Result<Response, ApiError> {
    let module = module_param(&api.caller, query.as_deref())?;
    let views = custom_views(module, &api.caller);
    let default = views.iter().find(|v| v["default"] == true).map(|v| v["id"].clone());
    let info = json!({"per_page": 200, "count": views.len(), "page": 1, "more_records": false, "default": default});
    Ok(ok(json!({ "custom_views": views, "info": info })))
}

/// # GET /bigin/v2/settings/custom_views/{cvid}?module=
pub async fn get_custom_view(api: Api<SettingsRead<CustomViewsArea>>, RawQuery(query): RawQuery) -> Result<Response, ApiError> {
    let id = api.path("id");
    let module = module_param(&api.caller, query.as_deref())?;
    let found = custom_views(module, &api.caller).into_iter().find(|v| v["id"] == id);
    Ok(found.map_or_else(wire::no_content, |v| ok(json!({ "custom_views": [v] }))))
}

/// # GET /bigin/v2/settings/related_lists?module=
pub async fn list_related_lists(api: Api<SettingsRead<RelatedListsArea>>, RawQuery(query): RawQuery) -> Result<Response, ApiError> {
    let caller = &api.caller;
    let module = module_param(caller, query.as_deref())?;
    let lists: Vec<Value> = module
        .related_lists
        .iter()
        .map(|r| {
            let target_id = caller.schema.module(r.module).map(|m| m.id.to_string());
            json!({
                "id": r.id.to_string(),
                "api_name": r.api_name,
                "name": r.display_label,
                "display_label": r.display_label,
                "module": {"api_name": r.module, "id": target_id},
                "type": "default",
                "visible": true,
                "sequence_number": r.sequence_number,
            })
        })
        .collect();
    Ok(ok(json!({ "related_lists": lists })))
}

pub fn role_id(org_id: Id, name: &str) -> Id {
    derived_id(org_id, &format!("role:{name}"))
}

pub fn profile_id(org_id: Id, name: &str) -> Id {
    derived_id(org_id, &format!("profile:{name}"))
}

/// # GET /bigin/v2/settings/roles
pub async fn list_roles(api: Api<SettingsRead<RolesArea>>) -> Response {
    let org_id = api.caller.org.id;
    let roles: Vec<Value> = ROLES
        .iter()
        .map(|(name, reports_to)| {
            json!({
                "id": role_id(org_id, name).to_string(),
                "name": name,
                "display_label": name,
                "reporting_to": reports_to.map(|r| id_ref(r, role_id(org_id, r))),
                "share_with_peers": true,
                "description": null,
            })
        })
        .collect();
    ok(json!({ "roles": roles }))
}

/// # GET /bigin/v2/settings/profiles
pub async fn list_profiles(api: Api<SettingsRead<ProfilesArea>>) -> Response {
    let org_id = api.caller.org.id;
    let profiles: Vec<Value> = PROFILES
        .iter()
        .map(|name| {
            json!({
                "id": profile_id(org_id, name).to_string(),
                "name": name,
                "display_label": name,
                "default": *name == "Standard",
                "custom": false,
                "description": null,
            })
        })
        .collect();
    ok(json!({ "profiles": profiles }))
}
