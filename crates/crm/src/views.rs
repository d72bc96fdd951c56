//! Custom views: the saved lists of a module. Every module has "All <records>" and
//! "My <records>"; `cvid` on a records list applies one.

use crate::ids::Id;
use crate::modules::{derived_id, Module};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewFilter {
    All,
    /// Records the caller owns.
    Mine,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CustomView {
    pub id: Id,
    pub name: String,
    pub system_name: String,
    pub default: bool,
    pub filter: ViewFilter,
}

pub fn views(org_id: Id, module: &Module) -> Vec<CustomView> {
    let plural = module.plural_label;
    let system = module.api_name.to_ascii_uppercase();
    [("All", ViewFilter::All, true), ("My", ViewFilter::Mine, false)]
        .into_iter()
        .map(|(prefix, filter, default)| CustomView {
            id: derived_id(org_id, &format!("view:{}:{prefix}", module.api_name)),
            name: format!("{prefix} {plural}"),
            system_name: format!("{}{system}", prefix.to_ascii_uppercase()),
            default,
            filter,
        })
        .collect()
}
