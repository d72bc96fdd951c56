//! Bigin's modules and their fields. The defaults live here as data; an organization's schema is
//! derived from them with ids that are stable per organization (custom fields join it later).

use serde::Serialize;

use crate::ids::Id;

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
}

/// Who maintains a field's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Maintained {
    /// Written by clients.
    Client,
    /// Written by the server only (`Created_Time`, `Full_Name` ...); ignored on input.
    Server,
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
    /// Target module of a `lookup`.
    pub lookup_module: Option<&'static str>,
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
}

impl Module {
    pub fn field(&self, api_name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.api_name == api_name)
    }
}

/// An organization's modules.
#[derive(Clone, Debug)]
pub struct Schema {
    pub modules: Vec<Module>,
}

impl Schema {
    /// Bigin's default modules for the organization `org_id`.
    pub fn default_for(org_id: Id) -> Self {
        let modules = DEFAULT_MODULES.iter().map(|spec| spec.build(org_id)).collect();
        Self { modules }
    }

    /// Looks a module up by API name, as Bigin does: exact spelling first, then ignoring case.
    pub fn module(&self, api_name: &str) -> Option<&Module> {
        self.modules
            .iter()
            .find(|m| m.api_name == api_name)
            .or_else(|| self.modules.iter().find(|m| m.api_name.eq_ignore_ascii_case(api_name)))
    }
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

struct FieldSpec {
    api_name: &'static str,
    label: &'static str,
    data_type: DataType,
    length: Option<u32>,
    mandatory: bool,
    unique: bool,
    maintained: Maintained,
    lookup_module: Option<&'static str>,
    picklist: &'static [&'static str],
}

const fn field(api_name: &'static str, label: &'static str, data_type: DataType) -> FieldSpec {
    FieldSpec {
        api_name,
        label,
        data_type,
        length: None,
        mandatory: false,
        unique: false,
        maintained: Maintained::Client,
        lookup_module: None,
        picklist: &[],
    }
}

impl FieldSpec {
    const fn len(mut self, length: u32) -> Self {
        self.length = Some(length);
        self
    }
    const fn mandatory(mut self) -> Self {
        self.mandatory = true;
        self
    }
    const fn unique(mut self) -> Self {
        self.unique = true;
        self
    }
    const fn server(mut self) -> Self {
        self.maintained = Maintained::Server;
        self
    }
    const fn lookup(mut self, module: &'static str) -> Self {
        self.lookup_module = Some(module);
        self
    }
    const fn picklist(mut self, values: &'static [&'static str]) -> Self {
        self.picklist = values;
        self
    }
}

struct ModuleSpec {
    api_name: &'static str,
    singular: &'static str,
    plural: &'static str,
    sequence: u32,
    scope_name: &'static str,
    name_field: &'static str,
    api_supported: bool,
    fields: &'static [FieldSpec],
}

impl ModuleSpec {
    fn build(&self, org_id: Id) -> Module {
        let system = [
            field("Owner", "Owner", DataType::Ownerlookup),
            field("Created_By", "Created By", DataType::Ownerlookup).server(),
            field("Modified_By", "Modified By", DataType::Ownerlookup).server(),
            field("Created_Time", "Created Time", DataType::Datetime).server(),
            field("Modified_Time", "Modified Time", DataType::Datetime).server(),
        ];
        let fields = self
            .fields
            .iter()
            .chain(system.iter())
            .map(|spec| Field {
                id: derived_id(org_id, &format!("field:{}.{}", self.api_name, spec.api_name)),
                api_name: spec.api_name.to_string(),
                label: spec.label.to_string(),
                data_type: spec.data_type,
                length: spec.length,
                mandatory: spec.mandatory,
                unique: spec.unique,
                custom: false,
                maintained: spec.maintained,
                lookup_module: spec.lookup_module,
                picklist: spec.picklist.iter().map(|v| v.to_string()).collect(),
            })
            .collect();
        Module {
            id: derived_id(org_id, &format!("module:{}", self.api_name)),
            api_name: self.api_name,
            singular_label: self.singular,
            plural_label: self.plural,
            sequence_number: self.sequence,
            scope_name: self.scope_name,
            name_field: self.name_field,
            api_supported: self.api_supported,
            fields,
        }
    }
}

use DataType as T;

const CONTACT_FIELDS: &[FieldSpec] = &[
    field("First_Name", "First Name", T::Text).len(40),
    field("Last_Name", "Last Name", T::Text).len(80).mandatory(),
    field("Full_Name", "Full Name", T::Text).len(121).server(),
    field("Title", "Title", T::Text).len(100),
    field("Account_Name", "Company Name", T::Lookup).lookup("Accounts"),
    field("Email", "Email", T::Email).len(100).unique(),
    field("Phone", "Phone", T::Phone).len(50),
    field("Mobile", "Mobile", T::Phone).len(50),
    field("Home_Phone", "Home Phone", T::Phone).len(50),
    field("Email_Opt_Out", "Email Opt Out", T::Boolean),
    field("Mailing_Street", "Mailing Street", T::Text).len(250),
    field("Mailing_City", "Mailing City", T::Text).len(30),
    field("Mailing_State", "Mailing State", T::Text).len(30),
    field("Mailing_Zip", "Mailing Zip", T::Text).len(30),
    field("Mailing_Country", "Mailing Country", T::Text).len(30),
    field("Description", "Description", T::Textarea).len(32000),
];

const ACCOUNT_FIELDS: &[FieldSpec] = &[
    field("Account_Name", "Company Name", T::Text).len(100).mandatory().unique(),
    field("Phone", "Phone", T::Phone).len(30),
    field("Website", "Website", T::Website).len(255),
    field("Billing_Street", "Billing Street", T::Text).len(250),
    field("Billing_City", "Billing City", T::Text).len(30),
    field("Billing_State", "Billing State", T::Text).len(30),
    field("Billing_Code", "Billing Code", T::Text).len(30),
    field("Billing_Country", "Billing Country", T::Text).len(30),
    field("Description", "Description", T::Textarea).len(32000),
];

const STAGES: &[&str] =
    &["Qualification", "Needs Identification", "Proposal/Price Quote", "Negotiation/Review", "Closed Won", "Closed Lost"];

const PIPELINE_FIELDS: &[FieldSpec] = &[
    field("Deal_Name", "Deal Name", T::Text).len(120).mandatory().unique(),
    field("Sub_Pipeline", "Sub-Pipeline", T::Picklist).mandatory().picklist(&["Standard"]),
    field("Stage", "Stage", T::Picklist).mandatory().picklist(STAGES),
    field("Amount", "Amount", T::Currency),
    field("Closing_Date", "Closing Date", T::Date),
    field("Account_Name", "Company Name", T::Lookup).lookup("Accounts"),
    field("Contact_Name", "Contact Name", T::Lookup).lookup("Contacts"),
    field("Description", "Description", T::Textarea).len(32000),
];

const PRODUCT_FIELDS: &[FieldSpec] = &[
    field("Product_Name", "Product Name", T::Text).len(200).mandatory().unique(),
    field("Product_Code", "Product Code", T::Text).len(40),
    field("Product_Category", "Product Category", T::Picklist).picklist(&["-None-", "Hardware", "Software", "Services"]),
    field("Unit_Price", "Unit Price", T::Currency),
    field("Product_Active", "Product Active", T::Boolean),
    field("Description", "Description", T::Textarea).len(32000),
];

const TASK_FIELDS: &[FieldSpec] = &[
    field("Subject", "Subject", T::Text).len(255).mandatory(),
    field("Due_Date", "Due Date", T::Date),
    field("Status", "Status", T::Picklist).picklist(&["Not Started", "Deferred", "In Progress", "Completed", "Waiting for input"]),
    field("Priority", "Priority", T::Picklist).picklist(&["High", "Highest", "Low", "Lowest", "Normal"]),
    field("Description", "Description", T::Textarea).len(32000),
];

const EVENT_FIELDS: &[FieldSpec] = &[
    field("Event_Title", "Title", T::Text).len(255).mandatory(),
    field("Start_DateTime", "From", T::Datetime).mandatory(),
    field("End_DateTime", "To", T::Datetime).mandatory(),
    field("Venue", "Location", T::Text).len(255),
    field("All_day", "All day", T::Boolean),
    field("Description", "Description", T::Textarea).len(32000),
];

const CALL_FIELDS: &[FieldSpec] = &[
    field("Subject", "Subject", T::Text).len(255).mandatory(),
    field("Call_Type", "Call Type", T::Picklist).picklist(&["Outbound", "Inbound", "Missed"]),
    field("Call_Start_Time", "Call Start Time", T::Datetime),
    field("Call_Duration", "Call Duration", T::Text).len(10),
    field("Call_Agenda", "Call Agenda", T::Text).len(255),
    field("Description", "Description", T::Textarea).len(32000),
];

const NOTE_FIELDS: &[FieldSpec] =
    &[field("Note_Title", "Note Title", T::Text).len(120), field("Note_Content", "Note Content", T::Textarea).len(32000).mandatory()];

const DEFAULT_MODULES: &[ModuleSpec] = &[
    ModuleSpec {
        api_name: "Pipelines",
        singular: "Pipeline",
        plural: "Pipelines",
        sequence: 1,
        scope_name: "pipelines",
        name_field: "Deal_Name",
        api_supported: true,
        fields: PIPELINE_FIELDS,
    },
    ModuleSpec {
        api_name: "Contacts",
        singular: "Contact",
        plural: "Contacts",
        sequence: 2,
        scope_name: "contacts",
        name_field: "Full_Name",
        api_supported: true,
        fields: CONTACT_FIELDS,
    },
    ModuleSpec {
        api_name: "Accounts",
        singular: "Company",
        plural: "Companies",
        sequence: 3,
        scope_name: "accounts",
        name_field: "Account_Name",
        api_supported: true,
        fields: ACCOUNT_FIELDS,
    },
    ModuleSpec {
        api_name: "Products",
        singular: "Product",
        plural: "Products",
        sequence: 4,
        scope_name: "products",
        name_field: "Product_Name",
        api_supported: true,
        fields: PRODUCT_FIELDS,
    },
    ModuleSpec {
        api_name: "Tasks",
        singular: "Task",
        plural: "Tasks",
        sequence: 5,
        scope_name: "tasks",
        name_field: "Subject",
        api_supported: true,
        fields: TASK_FIELDS,
    },
    ModuleSpec {
        api_name: "Events",
        singular: "Event",
        plural: "Events",
        sequence: 6,
        scope_name: "events",
        name_field: "Event_Title",
        api_supported: true,
        fields: EVENT_FIELDS,
    },
    ModuleSpec {
        api_name: "Calls",
        singular: "Call",
        plural: "Calls",
        sequence: 7,
        scope_name: "calls",
        name_field: "Subject",
        api_supported: true,
        fields: CALL_FIELDS,
    },
    ModuleSpec {
        api_name: "Notes",
        singular: "Note",
        plural: "Notes",
        sequence: 8,
        scope_name: "notes",
        name_field: "Note_Title",
        api_supported: true,
        fields: NOTE_FIELDS,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_schema_has_stable_ids_per_org() {
        let a = Schema::default_for(Id::from_i64(1_000_000_000_000_000_001));
        let b = Schema::default_for(Id::from_i64(1_000_000_000_000_000_001));
        let c = Schema::default_for(Id::from_i64(1_000_000_000_000_000_002));
        assert_eq!(a.module("Contacts").unwrap().id, b.module("Contacts").unwrap().id);
        assert_ne!(a.module("Contacts").unwrap().id, c.module("Contacts").unwrap().id);
        assert_eq!(a.module("Contacts").unwrap().id.to_string().len(), 19);
    }

    #[test]
    fn module_lookup_ignores_case_and_knows_every_default() {
        let schema = Schema::default_for(Id::from_i64(1_000_000_000_000_000_001));
        assert_eq!(schema.module("contacts").unwrap().api_name, "Contacts");
        assert!(schema.module("Leads").is_none());
        for m in &schema.modules {
            assert!(m.field(m.name_field).is_some(), "{} names records by a field it has", m.api_name);
            assert!(m.field("Owner").is_some());
        }
    }
}
