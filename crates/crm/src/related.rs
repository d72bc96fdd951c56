//! Related lists: how records of two modules relate, so that one mechanism serves
//! `GET/PUT/DELETE /{module}/{id}/{related_list}` for each of them.

use crate::ids::Id;
use crate::modules::derived_id;

/// How the records of a related list are found from the parent record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Relation {
    /// Records of the list's module whose lookup `field` holds the parent's id
    /// (a company's contacts: `Contacts.Account_Name`).
    Lookup { field: &'static str },
    /// Records whose `field` holds the parent's id and whose `$se_module` is the parent's module
    /// (a contact's tasks: `Tasks.What_Id`; its notes: `Notes.Parent_Id`).
    SeModule { field: &'static str },
    /// A many-to-many link kept in its own table; `parent_is_a` says which end the parent is.
    /// `also_lookup`: a lookup on the listed records that also relates them (a pipeline's
    /// primary contact, `Contact_Name`).
    Linked { kind: &'static str, parent_is_a: bool, with_role: bool, also_lookup: Option<&'static str> },
}

#[derive(Clone, Debug, PartialEq)]
pub struct RelatedList {
    pub id: Id,
    pub api_name: &'static str,
    pub display_label: &'static str,
    /// The module of the records listed.
    pub module: &'static str,
    pub relation: Relation,
    pub sequence_number: u32,
}

/// Roles a contact plays on a pipeline record (the `Contact_Role` of the link).
pub const CONTACT_ROLES: &[&str] = &[
    "Purchasing",
    "Evaluator",
    "Decision Maker",
    "Executive Sponsor",
    "Influencer",
    "Technical Buyer",
    "Economic Buyer",
    "Primary Contact",
];

pub fn contact_role_id(org_id: Id, role: &str) -> Id {
    derived_id(org_id, &format!("contact_role:{role}"))
}

const CONTACT_PIPELINE: &str = "contact_pipeline";
const PIPELINE_PRODUCT: &str = "pipeline_product";

fn activities() -> [(&'static str, &'static str, &'static str, Relation); 4] {
    [
        ("Notes", "Notes", "Notes", Relation::SeModule { field: "Parent_Id" }),
        ("Tasks", "Tasks", "Tasks", Relation::SeModule { field: "What_Id" }),
        ("Events", "Events", "Events", Relation::SeModule { field: "What_Id" }),
        ("Calls", "Calls", "Calls", Relation::SeModule { field: "What_Id" }),
    ]
}

/// The related lists of `module` in organization `org_id`.
pub fn related_lists(org_id: Id, module: &str) -> Vec<RelatedList> {
    let mut lists: Vec<(&'static str, &'static str, &'static str, Relation)> = match module {
        "Contacts" => vec![(
            "Pipelines",
            "Pipelines",
            "Pipelines",
            Relation::Linked { kind: CONTACT_PIPELINE, parent_is_a: true, with_role: true, also_lookup: Some("Contact_Name") },
        )],
        "Accounts" => vec![
            ("Contacts", "Contacts", "Contacts", Relation::Lookup { field: "Account_Name" }),
            ("Pipelines", "Pipelines", "Pipelines", Relation::Lookup { field: "Account_Name" }),
        ],
        "Pipelines" => vec![
            (
                "Contacts",
                "Contact Roles",
                "Contacts",
                Relation::Linked { kind: CONTACT_PIPELINE, parent_is_a: false, with_role: true, also_lookup: None },
            ),
            (
                "Products",
                "Products",
                "Products",
                Relation::Linked { kind: PIPELINE_PRODUCT, parent_is_a: true, with_role: false, also_lookup: None },
            ),
        ],
        "Products" => vec![(
            "Pipelines",
            "Pipelines",
            "Pipelines",
            Relation::Linked { kind: PIPELINE_PRODUCT, parent_is_a: false, with_role: false, also_lookup: None },
        )],
        _ => Vec::new(),
    };
    if matches!(module, "Contacts" | "Accounts" | "Pipelines" | "Products") {
        let mut extra: Vec<_> = activities().into_iter().collect();
        if module == "Products" {
            // Products carry notes but no activities.
            extra.truncate(1);
        }
        lists.extend(extra);
    }
    lists
        .into_iter()
        .enumerate()
        .map(|(i, (api_name, display_label, target, relation))| RelatedList {
            id: derived_id(org_id, &format!("related:{module}.{api_name}")),
            api_name,
            display_label,
            module: target,
            relation,
            sequence_number: i as u32 + 1,
        })
        .collect()
}
