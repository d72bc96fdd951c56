//! The indexes search and COQL read through: one per indexed field of each module (see
//! `crm::query::is_indexed`), over the live records of that module, plus the display name of
//! modules named by it (a contact's `Full_Name`). Default fields get theirs when the store
//! migrates; a custom field gets its own when it is created.

use crm::modules::{CustomField, Module, Schema};
use crm::query::{self, Column, Target};
use crm::Id;

use crate::filters::{index_ddl, Dialect};

/// Statements creating the indexes of `module`'s fields (all, or only `only`).
fn module_ddls(d: &dyn Dialect, module: &Module, only: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    if only.is_none() && module.name_field == "Full_Name" {
        out.extend(index_ddl(d, module.api_name, &Target::Column(Column::Name)));
    }
    for (key, kind) in query::indexed_fields(module) {
        if only.is_some_and(|o| o != key) {
            continue;
        }
        out.extend(index_ddl(d, module.api_name, &Target::Field { key, kind }));
    }
    out
}

/// The indexes of every default module's fields.
pub fn default_index_ddls(d: &dyn Dialect) -> Vec<String> {
    let schema = Schema::default_for(Id::from_i64(1));
    schema.modules.iter().flat_map(|m| module_ddls(d, m, None)).collect()
}

/// The index of a custom field, when its kind is indexed.
pub fn custom_field_ddls(d: &dyn Dialect, field: &CustomField) -> Vec<String> {
    let schema = Schema::for_org(Id::from_i64(1), std::slice::from_ref(field));
    schema.module(&field.module).map(|m| module_ddls(d, m, Some(&field.api_name))).unwrap_or_default()
}

/// The words of a stored record, for filling the words of records written before they existed.
pub fn words_of(schema: &Schema, module: &str, data: &serde_json::Map<String, serde_json::Value>) -> Vec<String> {
    schema.module(module).map(|m| query::words(m, data)).unwrap_or_default()
}
