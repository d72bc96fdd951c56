//! Bigin's default modules and fields, as data. Ids are derived from the organization's id, so a
//! new organization has its whole default schema without a row being written.

use crate::ids::Id;
use crate::modules::{derived_id, DataType as T, Field, LookupTarget, Maintained, Module, Schema};
use crate::pipelines::default_pipelines;
use crate::related::related_lists;

#[derive(Clone, Copy)]
enum Lookup {
    Module(&'static str),
    SeModule,
    TeamPipeline,
}

struct FieldSpec {
    api_name: &'static str,
    label: &'static str,
    data_type: T,
    length: Option<u32>,
    mandatory: bool,
    unique: bool,
    maintained: Maintained,
    lookup: Option<Lookup>,
    picklist: &'static [&'static str],
}

const fn field(api_name: &'static str, label: &'static str, data_type: T) -> FieldSpec {
    FieldSpec {
        api_name,
        label,
        data_type,
        length: None,
        mandatory: false,
        unique: false,
        maintained: Maintained::Client,
        lookup: None,
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
        self.lookup = Some(Lookup::Module(module));
        self
    }
    const fn related_to(mut self) -> Self {
        self.lookup = Some(Lookup::SeModule);
        self
    }
    const fn team_pipeline(mut self) -> Self {
        self.lookup = Some(Lookup::TeamPipeline);
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
    scope_name: &'static str,
    name_field: &'static str,
    fields: &'static [FieldSpec],
}

const SYSTEM_FIELDS: &[FieldSpec] = &[
    field("Owner", "Owner", T::Ownerlookup),
    field("Created_By", "Created By", T::Ownerlookup).server(),
    field("Modified_By", "Modified By", T::Ownerlookup).server(),
    field("Created_Time", "Created Time", T::Datetime).server(),
    field("Modified_Time", "Modified Time", T::Datetime).server(),
];

const CONTACT_FIELDS: &[FieldSpec] = &[
    field("First_Name", "First Name", T::Text).len(40),
    field("Last_Name", "Last Name", T::Text).len(80).mandatory(),
    field("Full_Name", "Full Name", T::Text).len(121).server(),
    field("Title", "Title", T::Text).len(50),
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

const PIPELINE_FIELDS: &[FieldSpec] = &[
    field("Deal_Name", "Deal Name", T::Text).len(120).mandatory().unique(),
    field("Layout", "Team Pipeline", T::Lookup).team_pipeline(),
    // Values come from the record's team pipeline (see `pipelines.rs`).
    field("Sub_Pipeline", "Sub-Pipeline", T::Picklist).mandatory(),
    field("Stage", "Stage", T::Picklist).mandatory(),
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
    field("What_Id", "Related To", T::Lookup).related_to(),
    field("Remind_At", "Reminder", T::Datetime),
    field("Description", "Description", T::Textarea).len(32000),
];

const EVENT_FIELDS: &[FieldSpec] = &[
    field("Event_Title", "Title", T::Text).len(255).mandatory(),
    field("Start_DateTime", "From", T::Datetime).mandatory(),
    field("End_DateTime", "To", T::Datetime).mandatory(),
    field("All_day", "All day", T::Boolean),
    field("Venue", "Location", T::Text).len(255),
    field("What_Id", "Related To", T::Lookup).related_to(),
    field("Description", "Description", T::Textarea).len(32000),
];

const CALL_FIELDS: &[FieldSpec] = &[
    field("Subject", "Subject", T::Text).len(255).mandatory(),
    field("Call_Type", "Call Type", T::Picklist).mandatory().picklist(&["Outbound", "Inbound", "Missed"]),
    field("Call_Start_Time", "Call Start Time", T::Datetime).mandatory(),
    field("Call_Duration", "Call Duration", T::Text).len(10),
    field("Call_Duration_in_seconds", "Call Duration (in seconds)", T::Integer),
    field("Call_Agenda", "Call Agenda", T::Text).len(255),
    field("Call_Result", "Call Result", T::Text).len(255),
    field("What_Id", "Related To", T::Lookup).related_to(),
    field("Description", "Description", T::Textarea).len(32000),
];

const NOTE_FIELDS: &[FieldSpec] = &[
    field("Note_Title", "Note Title", T::Text).len(120),
    field("Note_Content", "Note Content", T::Textarea).len(32000).mandatory(),
    field("Parent_Id", "Parent ID", T::Lookup).related_to().mandatory(),
];

const MODULES: &[ModuleSpec] = &[
    ModuleSpec {
        api_name: "Pipelines",
        singular: "Pipeline",
        plural: "Pipelines",
        scope_name: "pipelines",
        name_field: "Deal_Name",
        fields: PIPELINE_FIELDS,
    },
    ModuleSpec {
        api_name: "Contacts",
        singular: "Contact",
        plural: "Contacts",
        scope_name: "contacts",
        name_field: "Full_Name",
        fields: CONTACT_FIELDS,
    },
    ModuleSpec {
        api_name: "Accounts",
        singular: "Company",
        plural: "Companies",
        scope_name: "accounts",
        name_field: "Account_Name",
        fields: ACCOUNT_FIELDS,
    },
    ModuleSpec {
        api_name: "Products",
        singular: "Product",
        plural: "Products",
        scope_name: "products",
        name_field: "Product_Name",
        fields: PRODUCT_FIELDS,
    },
    ModuleSpec { api_name: "Tasks", singular: "Task", plural: "Tasks", scope_name: "tasks", name_field: "Subject", fields: TASK_FIELDS },
    ModuleSpec {
        api_name: "Events",
        singular: "Event",
        plural: "Events",
        scope_name: "events",
        name_field: "Event_Title",
        fields: EVENT_FIELDS,
    },
    ModuleSpec { api_name: "Calls", singular: "Call", plural: "Calls", scope_name: "calls", name_field: "Subject", fields: CALL_FIELDS },
    ModuleSpec { api_name: "Notes", singular: "Note", plural: "Notes", scope_name: "notes", name_field: "Note_Title", fields: NOTE_FIELDS },
];

/// The modules a `$se_module` may name for each polymorphic lookup's module.
pub fn se_modules(module: &str) -> &'static [&'static str] {
    match module {
        "Notes" => &["Contacts", "Accounts", "Pipelines", "Products"],
        _ => &["Contacts", "Accounts", "Pipelines"],
    }
}

fn build(spec: &ModuleSpec, sequence: usize, org_id: Id) -> Module {
    let fields = spec
        .fields
        .iter()
        .chain(SYSTEM_FIELDS)
        .map(|f| Field {
            id: derived_id(org_id, &format!("field:{}.{}", spec.api_name, f.api_name)),
            api_name: f.api_name.to_string(),
            label: f.label.to_string(),
            data_type: f.data_type,
            length: f.length.or_else(|| f.data_type.default_length()),
            mandatory: f.mandatory,
            unique: f.unique,
            custom: false,
            maintained: f.maintained,
            lookup: f.lookup.map(|l| match l {
                Lookup::Module(m) => LookupTarget::Module(m.to_string()),
                Lookup::SeModule => LookupTarget::SeModule,
                Lookup::TeamPipeline => LookupTarget::TeamPipeline,
            }),
            picklist: f.picklist.iter().map(|v| v.to_string()).collect(),
        })
        .collect();
    Module {
        id: derived_id(org_id, &format!("module:{}", spec.api_name)),
        api_name: spec.api_name,
        singular_label: spec.singular,
        plural_label: spec.plural,
        sequence_number: sequence as u32 + 1,
        scope_name: spec.scope_name,
        name_field: spec.name_field,
        api_supported: true,
        fields,
        related_lists: related_lists(org_id, spec.api_name),
    }
}

pub fn schema(org_id: Id) -> Schema {
    let modules = MODULES.iter().enumerate().map(|(i, spec)| build(spec, i, org_id)).collect();
    // No added pipeline: this fills the stage and sub-pipeline picklists from the default one.
    Schema { modules, pipelines: default_pipelines(org_id) }.with_team_pipelines(org_id, &[])
}
