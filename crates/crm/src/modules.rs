//! An organization's schema: Bigin's modules with their fields (defaults from `defaults.rs`,
//! custom fields from the store), related lists, and team pipelines.

use serde::Serialize;

use crate::ids::Id;
use crate::pipelines::TeamPipeline;
use crate::related::RelatedList;

/// Field data types, spelled as the fields metadata spells them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DataType {
    Text,
    Textarea,
    Email,
    Phone,
    Website,
    Integer,
    Bigint,
    Double,
    Currency,
    Boolean,
    Date,
    Datetime,
    Picklist,
    Multiselectpicklist,
    Lookup,
    Ownerlookup,
    Userlookup,
}

impl DataType {
    pub const ALL: &'static [DataType] = &[
        Self::Text,
        Self::Textarea,
        Self::Email,
        Self::Phone,
        Self::Website,
        Self::Integer,
        Self::Bigint,
        Self::Double,
        Self::Currency,
        Self::Boolean,
        Self::Date,
        Self::Datetime,
        Self::Picklist,
        Self::Multiselectpicklist,
        Self::Lookup,
        Self::Ownerlookup,
        Self::Userlookup,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Textarea => "textarea",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Website => "website",
            Self::Integer => "integer",
            Self::Bigint => "bigint",
            Self::Double => "double",
            Self::Currency => "currency",
            Self::Boolean => "boolean",
            Self::Date => "date",
            Self::Datetime => "datetime",
            Self::Picklist => "picklist",
            Self::Multiselectpicklist => "multiselectpicklist",
            Self::Lookup => "lookup",
            Self::Ownerlookup => "ownerlookup",
            Self::Userlookup => "userlookup",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|t| t.as_str() == text)
    }

    /// The length a field of this type has when none is given.
    pub fn default_length(self) -> Option<u32> {
        match self {
            Self::Text | Self::Phone => Some(255),
            Self::Textarea => Some(32000),
            Self::Email => Some(100),
            Self::Website => Some(255),
            Self::Integer => Some(9),
            Self::Bigint => Some(18),
            Self::Double | Self::Currency => Some(16),
            _ => None,
        }
    }

    /// Types whose values are strings compared as text (used by sorting and uniqueness).
    pub fn is_textual(self) -> bool {
        matches!(self, Self::Text | Self::Textarea | Self::Email | Self::Phone | Self::Website | Self::Picklist)
    }
}

/// Who maintains a field's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Maintained {
    /// Written by clients.
    Client,
    /// Written by the server only (`Created_Time`, `Full_Name` ...); ignored on input.
    Server,
}

/// Where a lookup points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LookupTarget {
    /// Records of one module.
    Module(String),
    /// A record of the module named by the record's `$se_module` (`What_Id`, `Parent_Id`).
    SeModule,
    /// A team pipeline of the organization (a pipeline record's `Layout`).
    TeamPipeline,
}

#[derive(Clone, Debug)]
pub struct Field {
    pub id: Id,
    pub api_name: String,
    pub label: String,
    pub data_type: DataType,
    pub length: Option<u32>,
    pub mandatory: bool,
    pub unique: bool,
    pub custom: bool,
    pub maintained: Maintained,
    pub lookup: Option<LookupTarget>,
    pub picklist: Vec<String>,
}

impl Field {
    pub fn read_only(&self) -> bool {
        self.maintained == Maintained::Server
    }
}

#[derive(Clone, Debug)]
pub struct Module {
    pub id: Id,
    pub api_name: &'static str,
    pub singular_label: &'static str,
    pub plural_label: &'static str,
    pub sequence_number: u32,
    /// The module's name inside scopes (`ZohoBigin.modules.<scope_name>.READ`).
    pub scope_name: &'static str,
    /// The field that names a record when another record looks it up.
    pub name_field: &'static str,
    /// Whether the records API serves this module.
    pub api_supported: bool,
    pub fields: Vec<Field>,
    pub related_lists: Vec<RelatedList>,
}

impl Module {
    pub fn field(&self, api_name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.api_name == api_name)
    }

    pub fn field_by_id(&self, id: Id) -> Option<&Field> {
        self.fields.iter().find(|f| f.id == id)
    }

    pub fn related_list(&self, api_name: &str) -> Option<&RelatedList> {
        self.related_lists
            .iter()
            .find(|r| r.api_name == api_name)
            .or_else(|| self.related_lists.iter().find(|r| r.api_name.eq_ignore_ascii_case(api_name)))
    }

    /// Fields added by the organization.
    pub fn custom_fields(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| f.custom)
    }
}

/// An organization's modules and team pipelines.
#[derive(Clone, Debug)]
pub struct Schema {
    pub modules: Vec<Module>,
    pub pipelines: Vec<TeamPipeline>,
}

impl Schema {
    /// Bigin's defaults for the organization `org_id`, plus its custom fields.
    pub fn for_org(org_id: Id, custom: &[CustomField]) -> Self {
        let mut schema = crate::defaults::schema(org_id);
        for field in custom {
            if let Some(module) = schema.modules.iter_mut().find(|m| m.api_name == field.module) {
                module.fields.push(field.to_field());
            }
        }
        schema
    }

    /// Bigin's defaults alone.
    pub fn default_for(org_id: Id) -> Self {
        Self::for_org(org_id, &[])
    }

    /// Adds the team pipelines the organization created after the default one; the
    /// `Sub_Pipeline` and `Stage` picklists then offer the values of every pipeline, once each.
    pub fn with_team_pipelines(mut self, org_id: Id, specs: &[crate::pipelines::PipelineSpec]) -> Self {
        self.pipelines.extend(specs.iter().map(|spec| spec.build(org_id)));
        let pipelines = &self.pipelines;
        let mut stages: Vec<String> = Vec::new();
        let mut subs: Vec<String> = Vec::new();
        for pipeline in pipelines {
            for name in pipeline.stage_names() {
                if !stages.iter().any(|s| s == name) {
                    stages.push(name.to_string());
                }
            }
            for sub in &pipeline.sub_pipelines {
                if !subs.contains(&sub.name) {
                    subs.push(sub.name.clone());
                }
            }
        }
        if let Some(module) = self.modules.iter_mut().find(|m| m.api_name == "Pipelines") {
            for field in &mut module.fields {
                match field.api_name.as_str() {
                    "Stage" => field.picklist = stages.clone(),
                    "Sub_Pipeline" => field.picklist = subs.clone(),
                    _ => {}
                }
            }
        }
        self
    }

    /// Looks a module up by API name, as Bigin does: exact spelling first, then ignoring case.
    pub fn module(&self, api_name: &str) -> Option<&Module> {
        self.modules
            .iter()
            .find(|m| m.api_name == api_name)
            .or_else(|| self.modules.iter().find(|m| m.api_name.eq_ignore_ascii_case(api_name)))
    }

    pub fn pipeline(&self, id: Id) -> Option<&TeamPipeline> {
        self.pipelines.iter().find(|p| p.id == id)
    }

    /// The team pipeline a record without `Layout` joins.
    pub fn default_pipeline(&self) -> &TeamPipeline {
        &self.pipelines[0]
    }
}

/// A custom field as the store keeps it.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomField {
    pub id: Id,
    pub module: String,
    pub api_name: String,
    pub label: String,
    pub data_type: DataType,
    pub length: Option<u32>,
    pub picklist: Vec<String>,
    pub unique: bool,
    pub lookup_module: Option<String>,
}

impl CustomField {
    fn to_field(&self) -> Field {
        Field {
            id: self.id,
            api_name: self.api_name.clone(),
            label: self.label.clone(),
            data_type: self.data_type,
            length: self.length,
            mandatory: false,
            unique: self.unique,
            custom: true,
            maintained: Maintained::Client,
            lookup: self.lookup_module.clone().map(LookupTarget::Module),
            picklist: self.picklist.clone(),
        }
    }
}

/// The API name Bigin gives a custom field labelled `label`: words joined by `_`, made unique
/// among `taken` with a numeric suffix.
pub fn custom_api_name(label: &str, taken: &[&str]) -> String {
    let mut base = String::new();
    for word in label.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        if !base.is_empty() {
            base.push('_');
        }
        base.push_str(word);
    }
    if base.is_empty() {
        base = "Field".to_string();
    } else if !base.starts_with(|c: char| c.is_ascii_alphabetic()) {
        base = format!("Field_{base}");
    }
    let mut name = base.clone();
    let mut n = 1;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
        name = format!("{base}_{n}");
        n += 1;
    }
    name
}

/// A stable 19-digit id for a piece of an organization's default schema.
pub fn derived_id(org_id: Id, key: &str) -> Id {
    // FNV-1a: stable across Rust releases, unlike std's hasher.
    let mut hash: u64 = 0xcbf29ce484222325;
    for byte in org_id.as_i64().to_le_bytes().iter().chain(key.as_bytes()) {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x100000001b3);
    }
    Id::from_i64((1_000_000_000_000_000_000 + hash % 8_000_000_000_000_000_000) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org() -> Id {
        Id::from_i64(1_000_000_000_000_000_001)
    }

    #[test]
    fn default_schema_has_stable_ids_per_org() {
        let a = Schema::default_for(org());
        let b = Schema::default_for(org());
        let c = Schema::default_for(Id::from_i64(1_000_000_000_000_000_002));
        assert_eq!(a.module("Contacts").unwrap().id, b.module("Contacts").unwrap().id);
        assert_ne!(a.module("Contacts").unwrap().id, c.module("Contacts").unwrap().id);
        assert_eq!(a.module("Contacts").unwrap().id.to_string().len(), 19);
    }

    #[test]
    fn module_lookup_ignores_case_and_knows_every_default() {
        let schema = Schema::default_for(org());
        assert_eq!(schema.module("contacts").unwrap().api_name, "Contacts");
        assert!(schema.module("Leads").is_none());
        for m in &schema.modules {
            assert!(m.field(m.name_field).is_some(), "{} names records by a field it has", m.api_name);
            assert!(m.field("Owner").is_some());
            let mut names: Vec<&str> = m.fields.iter().map(|f| f.api_name.as_str()).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), m.fields.len(), "{} has no duplicate field", m.api_name);
            for list in &m.related_lists {
                assert!(schema.module(list.module).is_some(), "{}.{} points at a module", m.api_name, list.api_name);
            }
        }
    }

    #[test]
    fn custom_fields_join_their_module() {
        let custom = CustomField {
            id: Id::from_i64(1_000_000_000_000_000_010),
            module: "Contacts".into(),
            api_name: "Shoe_Size".into(),
            label: "Shoe Size".into(),
            data_type: DataType::Integer,
            length: Some(9),
            picklist: vec![],
            unique: false,
            lookup_module: None,
        };
        let schema = Schema::for_org(org(), &[custom]);
        let field = schema.module("Contacts").unwrap().field("Shoe_Size").unwrap();
        assert!(field.custom);
        assert_eq!(field.data_type, DataType::Integer);
    }

    #[test]
    fn custom_api_names_are_words_joined_and_unique() {
        assert_eq!(custom_api_name("Shoe size (EU)", &[]), "Shoe_size_EU");
        assert_eq!(custom_api_name("Email", &["Email"]), "Email_1");
        assert_eq!(custom_api_name("2nd phone", &[]), "Field_2nd_phone");
        assert_eq!(custom_api_name("é", &[]), "Field");
    }
}
