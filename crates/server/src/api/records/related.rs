//! Related lists: `GET/PUT/DELETE /{module}/{record_id}/{related_list}` for every relation kind
//! (lookups, `$se_module` activities and notes, many-to-many links with contact roles), and a
//! record's notes (`POST /{module}/{id}/Notes`, `PUT /{module}/{id}/Notes/{note_id}`).

use std::collections::HashMap;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use crm::modules::Module;
use crm::record::{details, FieldError, SE_MODULE};
use crm::related::{contact_role_id, RelatedList, Relation, CONTACT_ROLES};
use crm::{ErrorCode, Id};
use serde_json::{json, Map, Value};
use store::{Link, ListQuery, RecordFilter, SortKey};

use super::read;
use super::render::{RenderContext, Selection};
use super::write::{self, Outcome, Writer};
use super::{answer, write_status};
use crate::api::auth::{Api, Caller, Create, Delink, Read, Related, RelatedRef, Update};
use crate::api::body::Body;
use crate::api::ApiError;
use crate::state::AppState;
use crate::wire;

/// The filter that finds the records of `list` related to `parent` (a record of `parent_module`).
fn relation_filter(list: &RelatedList, parent_module: &str, parent: Id) -> RecordFilter {
    match &list.relation {
        Relation::Lookup { field } => RecordFilter::FieldEquals { field: field.to_string(), value: parent.to_string() },
        Relation::SeModule { field } => RecordFilter::RelatedTo { field: field.to_string(), module: parent_module.to_string(), id: parent },
        Relation::Linked { kind, parent_is_a, also_lookup, .. } => {
            RecordFilter::Linked { kind: kind.to_string(), parent_is_a: *parent_is_a, parent, also_field: also_lookup.map(str::to_string) }
        }
    }
}

fn target_module<'a>(caller: &'a Caller, list: &RelatedList) -> Result<&'a Module, ApiError> {
    caller.schema.module(list.module).ok_or_else(|| ApiError::internal(anyhow::anyhow!("related list {} names no module", list.api_name)))
}

/// The parent record's id, when it is a live record of the module in the caller's organization.
async fn parent_of(state: &AppState, caller: &Caller, related: &RelatedRef, record_id: &str) -> Result<Option<Id>, ApiError> {
    let Some(id) = Id::parse(record_id) else { return Ok(None) };
    Ok(state.store.record(caller.org.id, related.module.api_name, id).await?.map(|r| r.id))
}

fn invalid_parent(record_id: &str) -> ApiError {
    ApiError::new(ErrorCode::InvalidData).with_detail("id", record_id).with_message("the id given seems to be invalid")
}

/// `Contact_Role` as a related list shows it.
fn role_value(org_id: Id, role: Option<&str>) -> Value {
    role.map_or(Value::Null, |r| json!({"name": r, "id": contact_role_id(org_id, r).to_string()}))
}

/// # GET /bigin/v2/{module}/{record_id}/{related_list}?fields&page&per_page
pub async fn get_related(api: Api<Related<Read>>, State(state): State<AppState>, RawQuery(query): RawQuery) -> Result<Response, ApiError> {
    let record_id = api.path("record_id");
    let caller = &api.caller;
    let related = &api.target;
    let list = related.list();
    let target = target_module(caller, list)?;
    let pairs = wire::pairs(query.as_deref());
    // Related lists may be read without `fields` (whole records then).
    let fields = read::parse_fields(target, wire::param(&pairs, "fields"), false)?;
    let (page, per_page) = read::paging(&pairs)?;
    let Some(parent) = parent_of(&state, caller, related, record_id).await? else { return Ok(wire::no_content()) };
    let mut filters = vec![relation_filter(list, related.module.api_name, parent)];
    if let Some(pipeline) = wire::param(&pairs, "pipeline_id") {
        let known = target.api_name == "Pipelines" && Id::parse(pipeline).and_then(|id| caller.schema.pipeline(id)).is_some();
        if !known {
            return Err(ApiError::invalid_param("pipeline_id"));
        }
        filters.push(RecordFilter::FieldEquals { field: "Layout".into(), value: pipeline.trim().to_string() });
    }
    let query = ListQuery {
        module: target.api_name.to_string(),
        sort: SortKey::Id,
        descending: true,
        offset: (page - 1) * per_page,
        limit: per_page + 1,
        filters,
    };
    let mut rows = state.store.list_records(caller.org.id, &query).await?;
    let more = rows.len() as u64 > per_page;
    rows.truncate(per_page as usize);
    if rows.is_empty() {
        return Ok(wire::no_content());
    }
    let mut roles: HashMap<Id, Option<String>> = HashMap::new();
    if let Relation::Linked { kind, parent_is_a, with_role: true, .. } = &list.relation {
        let ids: Vec<Id> = rows.iter().map(|r| r.id).collect();
        for link in state.store.links(caller.org.id, kind, *parent_is_a, parent, &ids).await? {
            let other = if *parent_is_a { link.b_id } else { link.a_id };
            roles.insert(other, link.data.get("Contact_Role").and_then(Value::as_str).map(str::to_string));
        }
    }
    let ctx = RenderContext::load(&state, caller, target, &rows).await?;
    let with_role = matches!(list.relation, Relation::Linked { with_role: true, .. });
    let selection = Selection::new(target, fields.as_deref());
    let data: Vec<_> = rows
        .iter()
        .map(|row| {
            let extra = with_role.then(|| {
                let role = roles.get(&row.id).cloned().flatten();
                Map::from_iter([("Contact_Role".to_string(), role_value(caller.org.id, role.as_deref()))])
            });
            ctx.view(&selection, row, extra)
        })
        .collect();
    let info = json!({"per_page": per_page, "count": data.len(), "page": page, "more_records": more});
    Ok(wire::json(StatusCode::OK, &super::Page { data, info: Some(info) }))
}

/// A contact role named by `{"id"}`, `{"name"}` or a plain name; `Ok(None)` when absent.
fn parse_role(org_id: Id, value: Option<&Value>) -> Result<Option<String>, ()> {
    let Some(value) = value.filter(|v| !v.is_null()) else { return Ok(None) };
    let by_name = value.as_str().or_else(|| value.get("name").and_then(Value::as_str));
    let by_id = value.get("id").and_then(|v| v.as_str().map(str::to_string).or_else(|| v.as_i64().map(|n| n.to_string())));
    CONTACT_ROLES
        .iter()
        .find(|r| by_name == Some(**r) || by_id.as_deref() == Some(contact_role_id(org_id, r).to_string().as_str()))
        .map(|r| Some(r.to_string()))
        .ok_or(())
}

fn relation_ok(id: Id) -> Outcome {
    Outcome::Success(json!({ "id": id.to_string() }))
}

fn element_invalid(id: &str, message: &str) -> Outcome {
    Outcome::Failure(FieldError::new(ErrorCode::InvalidData, details(&[("id", id)])).with_message(message))
}

/// # PUT /bigin/v2/{module}/{record_id}/{related_list} with `{"data":[{"id", "Contact_Role"?}]}`
pub async fn link_related(api: Api<Related<Update>>, State(state): State<AppState>, Body(body): Body) -> Result<Response, ApiError> {
    let record_id = api.path("record_id");
    let caller = &api.caller;
    let related = &api.target;
    let list = related.list();
    let target = target_module(caller, list)?;
    let body = write::parse_body(&body, write::MAX_WRITE)?;
    let parent = parent_of(&state, caller, related, record_id).await?.ok_or_else(|| invalid_parent(record_id))?;
    let writer = Writer::new(&state, caller, target).await?;
    let mut outcomes = Vec::with_capacity(body.items.len());
    for (index, item) in body.items.iter().enumerate() {
        let Some(other) = write::id_in(item) else {
            outcomes.push(Outcome::Failure(FieldError::mandatory("id", index)));
            continue;
        };
        if state.store.record(caller.org.id, target.api_name, other).await?.is_none() {
            outcomes.push(element_invalid(&other.to_string(), "the related id given seems to be invalid"));
            continue;
        }
        let outcome = match &list.relation {
            Relation::Lookup { field } => writer.set_lookup(other, field, Some(parent), None).await?,
            Relation::SeModule { field } => writer.set_lookup(other, field, Some(parent), Some(related.module.api_name)).await?,
            Relation::Linked { kind, parent_is_a, with_role, .. } => {
                let mut data = Map::new();
                if *with_role {
                    match parse_role(caller.org.id, item.get("Contact_Role")) {
                        Ok(Some(role)) => {
                            data.insert("Contact_Role".into(), Value::String(role));
                        }
                        Ok(None) => {}
                        Err(()) => {
                            let details = details(&[("api_name", "Contact_Role"), ("json_path", &format!("$.data[{index}].Contact_Role"))]);
                            outcomes.push(Outcome::Failure(
                                FieldError::new(ErrorCode::InvalidData, details)
                                    .with_message("the contact role is not one of the organization's"),
                            ));
                            continue;
                        }
                    }
                }
                let (a_id, b_id) = if *parent_is_a { (parent, other) } else { (other, parent) };
                state.store.put_link(caller.org.id, &Link { kind: kind.to_string(), a_id, b_id, data }, state.now()).await?;
                relation_ok(other)
            }
        };
        outcomes.push(outcome);
    }
    Ok(answer(&outcomes, "relation updated", StatusCode::OK))
}

async fn delink(state: &AppState, caller: &Caller, related: &RelatedRef, parent: Id, other: Id) -> Result<Outcome, ApiError> {
    let list = related.list();
    let target = target_module(caller, list)?;
    let not_related = || element_invalid(&other.to_string(), "the related id given seems to be invalid");
    match &list.relation {
        Relation::Linked { kind, parent_is_a, .. } => {
            let (a_id, b_id) = if *parent_is_a { (parent, other) } else { (other, parent) };
            Ok(if state.store.delete_link(caller.org.id, kind, a_id, b_id).await? { relation_ok(other) } else { not_related() })
        }
        Relation::Lookup { field } | Relation::SeModule { field } => {
            let Some(row) = state.store.record(caller.org.id, target.api_name, other).await? else { return Ok(not_related()) };
            let values = row.data.fields();
            let holds = values.str(field).as_deref() == Some(parent.to_string().as_str());
            let same_module = match &list.relation {
                Relation::SeModule { .. } => values.str(SE_MODULE).as_deref() == Some(related.module.api_name),
                _ => true,
            };
            if !holds || !same_module {
                return Ok(not_related());
            }
            let writer = Writer::new(state, caller, target).await?;
            // A note cannot live without its parent: delinking it deletes it.
            if target.field(field).is_some_and(|f| f.mandatory) {
                return writer.delete(other).await;
            }
            let se_module = matches!(list.relation, Relation::SeModule { .. }).then_some(related.module.api_name);
            writer.set_lookup(other, field, None, se_module).await
        }
    }
}

/// # DELETE /bigin/v2/{module}/{record_id}/{related_list}?ids=a,b
pub async fn delink_related(
    api: Api<Related<Delink>>,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let record_id = api.path("record_id");
    let pairs = wire::pairs(query.as_deref());
    let raw = wire::param(&pairs, "ids").ok_or_else(|| ApiError::missing_param("ids"))?;
    let ids = read::parse_ids(raw)?;
    let parent = parent_of(&state, &api.caller, &api.target, record_id).await?.ok_or_else(|| invalid_parent(record_id))?;
    let mut outcomes = Vec::with_capacity(ids.len());
    for other in ids {
        outcomes.push(delink(&state, &api.caller, &api.target, parent, other).await?);
    }
    Ok(answer(&outcomes, delink_message(&api.target), StatusCode::OK))
}

/// # DELETE /bigin/v2/{module}/{record_id}/{related_list}/{related_id}
pub async fn delink_related_one(api: Api<Related<Delink>>, State(state): State<AppState>) -> Result<Response, ApiError> {
    let record_id = api.path("record_id");
    let related_id = api.path("related_id");
    let parent = parent_of(&state, &api.caller, &api.target, record_id).await?.ok_or_else(|| invalid_parent(record_id))?;
    let other = Id::parse(related_id).ok_or_else(ApiError::invalid_url_pattern)?;
    let outcome = delink(&state, &api.caller, &api.target, parent, other).await?;
    Ok(answer(&[outcome], delink_message(&api.target), StatusCode::OK))
}

/// Delinking a note deletes it, and says so.
fn delink_message(related: &RelatedRef) -> &'static str {
    if related.list().module == "Notes" {
        "record deleted"
    } else {
        "relation removed"
    }
}

fn notes_only(related: &RelatedRef) -> Result<(), ApiError> {
    if related.list().module == "Notes" {
        Ok(())
    } else {
        Err(ApiError::new(ErrorCode::InvalidRequestMethod))
    }
}

/// # POST /bigin/v2/{module}/{record_id}/Notes with `{"data":[{"Note_Title","Note_Content"}]}`
pub async fn create_notes(api: Api<Related<Create>>, State(state): State<AppState>, Body(body): Body) -> Result<Response, ApiError> {
    let record_id = api.path("record_id");
    let caller = &api.caller;
    let related = &api.target;
    notes_only(related)?;
    let body = write::parse_body(&body, write::MAX_WRITE)?;
    let parent = parent_of(&state, caller, related, record_id).await?.ok_or_else(|| invalid_parent(record_id))?;
    let notes = target_module(caller, related.list())?;
    let writer = Writer::new(&state, caller, notes).await?;
    let mut outcomes = Vec::with_capacity(body.items.len());
    for (index, item) in body.items.iter().enumerate() {
        let mut item = item.clone();
        if let Some(object) = item.as_object_mut() {
            object.insert("Parent_Id".into(), json!({"id": parent.to_string()}));
            object.insert(SE_MODULE.into(), json!(related.module.api_name));
        }
        outcomes.push(writer.insert(&item, index).await?);
    }
    Ok(answer(&outcomes, "record added", StatusCode::CREATED))
}

/// # PUT /bigin/v2/{module}/{record_id}/Notes/{note_id}
pub async fn update_note(api: Api<Related<Update>>, State(state): State<AppState>, Body(body): Body) -> Result<Response, ApiError> {
    let record_id = api.path("record_id");
    let note_id = api.path("related_id");
    let caller = &api.caller;
    let related = &api.target;
    notes_only(related)?;
    let body = write::parse_body(&body, 1)?;
    let parent = parent_of(&state, caller, related, record_id).await?.ok_or_else(|| invalid_parent(record_id))?;
    let notes = target_module(caller, related.list())?;
    let note_id = Id::parse(note_id).ok_or_else(ApiError::invalid_url_pattern)?;
    let note = state.store.record(caller.org.id, notes.api_name, note_id).await?;
    let belongs = note.is_some_and(|n| {
        let values = n.data.fields();
        values.str("Parent_Id").as_deref() == Some(parent.to_string().as_str())
            && values.str(SE_MODULE).as_deref() == Some(related.module.api_name)
    });
    let outcome = if belongs {
        let mut item = body.items[0].clone();
        if let Some(object) = item.as_object_mut() {
            // A note stays with its parent here.
            object.remove("Parent_Id");
            object.remove(SE_MODULE);
        }
        Writer::new(&state, caller, notes).await?.update(Some(note_id), &item, 0).await?
    } else {
        Outcome::Failure(write::invalid_id(note_id))
    };
    let status = write_status(std::slice::from_ref(&outcome), StatusCode::OK);
    Ok(wire::json(status, &json!({ "data": [outcome.to_json("record updated")] })))
}
