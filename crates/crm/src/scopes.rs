//! OAuth scopes: the catalogue of reference §2, parsing (case-insensitive, canonicalised), and
//! the rule that decides whether a set of granted scopes satisfies what a route requires.

use std::fmt;

/// Operations a scope can carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    All,
    Read,
    Create,
    Write,
    Update,
    Delete,
}

impl Op {
    fn parse(text: &str) -> Option<Self> {
        Some(match text.to_ascii_uppercase().as_str() {
            "ALL" => Self::All,
            "READ" => Self::Read,
            "CREATE" => Self::Create,
            "WRITE" => Self::Write,
            "UPDATE" => Self::Update,
            "DELETE" => Self::Delete,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "ALL",
            Self::Read => "READ",
            Self::Create => "CREATE",
            Self::Write => "WRITE",
            Self::Update => "UPDATE",
            Self::Delete => "DELETE",
        }
    }
}

/// Module names as they appear inside scopes (`ZohoBigin.modules.<name>.<op>`).
pub const MODULE_SCOPE_NAMES: &[&str] =
    &["contacts", "accounts", "pipelines", "products", "tasks", "events", "calls", "notes", "attachments"];

const ALL_OPS: &[Op] = &[Op::All, Op::Read, Op::Create, Op::Write, Op::Update, Op::Delete];
const READ_OPS: &[Op] = &[Op::All, Op::Read];
const SETTINGS_SUBGROUPS: &[&str] =
    &["modules", "fields", "layouts", "custom_views", "related_lists", "tags", "emails", "roles", "profiles"];

/// The operations the catalogue allows for a (lower-cased, service-qualified) group, or `None`
/// when the group is not one Zoho knows.
fn catalogue_ops(group: &str) -> Option<&'static [Op]> {
    let (service, rest) = group.split_once('.')?;
    match service {
        "zohosearch" => (rest == "securesearch").then_some(READ_OPS),
        "zohofiles" => (rest == "files").then_some(&[Op::All][..]),
        "zohobigin" => {
            let mut parts = rest.splitn(2, '.');
            let head = parts.next()?;
            let tail = parts.next();
            match (head, tail) {
                ("modules", None) => Some(ALL_OPS),
                ("modules", Some(m)) if MODULE_SCOPE_NAMES.contains(&m) => Some(ALL_OPS),
                ("settings", None) => Some(ALL_OPS),
                ("settings", Some(s)) if SETTINGS_SUBGROUPS.contains(&s) => Some(ALL_OPS),
                ("users" | "org" | "notifications" | "bulk", None) => Some(ALL_OPS),
                ("coql", None) => Some(READ_OPS),
                ("change_owner", None) => Some(&[Op::All, Op::Create][..]),
                ("send_mail", Some("all")) => Some(&[Op::All, Op::Create][..]),
                _ => None,
            }
        }
        _ => None,
    }
}

/// One granted scope, canonicalised: `ZohoBigin.modules.contacts.READ`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Scope {
    /// Lower-cased, service-qualified group, e.g. `zohobigin.modules.contacts`.
    group: String,
    op: Op,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid scope: {0}")]
pub struct InvalidScope(pub String);

impl Scope {
    pub fn parse(text: &str) -> Result<Self, InvalidScope> {
        let text = text.trim();
        let invalid = || InvalidScope(text.to_string());
        let (group, op) = text.rsplit_once('.').ok_or_else(invalid)?;
        let op = Op::parse(op).ok_or_else(invalid)?;
        let group = group.to_ascii_lowercase();
        let ops = catalogue_ops(&group).ok_or_else(invalid)?;
        if !ops.contains(&op) {
            return Err(invalid());
        }
        Ok(Self { group, op })
    }

    /// Does this granted scope satisfy one alternative of a requirement?
    fn covers(&self, alternative: &Alternative) -> bool {
        let group_covers = alternative.group == self.group
            || (alternative.group.starts_with(&self.group) && alternative.group.as_bytes().get(self.group.len()) == Some(&b'.'));
        group_covers && alternative.ops.contains(&self.op)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = self.group.split('.');
        let service = match parts.next() {
            Some("zohosearch") => "ZohoSearch",
            Some("zohofiles") => "ZohoFiles",
            _ => "ZohoBigin",
        };
        write!(f, "{service}")?;
        for part in parts {
            write!(f, ".{part}")?;
        }
        write!(f, ".{}", self.op.as_str())
    }
}

/// The scopes a grant carries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScopeSet(Vec<Scope>);

impl ScopeSet {
    /// Parses a comma- (or space-) separated list; an empty list is refused.
    pub fn parse(text: &str) -> Result<Self, InvalidScope> {
        let mut scopes = Vec::new();
        for item in text.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()) {
            let scope = Scope::parse(item)?;
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
        if scopes.is_empty() {
            return Err(InvalidScope(text.to_string()));
        }
        Ok(Self(scopes))
    }

    pub fn satisfies(&self, requirement: &Requirement) -> bool {
        requirement.all_of.iter().all(|any| any.iter().any(|alt| self.0.iter().any(|s| s.covers(alt))))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Scope> {
        self.0.iter()
    }
}

impl fmt::Display for ScopeSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, scope) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{scope}")?;
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Alternative {
    group: String,
    ops: &'static [Op],
}

/// What a route needs: every clause must be met by at least one granted scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    all_of: Vec<Vec<Alternative>>,
}

/// The kinds of access the API's routes ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Read,
    Create,
    Update,
    Delete,
    /// Removing a relation between records: `WRITE` or `DELETE` will do.
    Delink,
}

impl Access {
    fn ops(self) -> &'static [Op] {
        match self {
            Self::Read => &[Op::All, Op::Read],
            Self::Create => &[Op::All, Op::Write, Op::Create],
            Self::Update => &[Op::All, Op::Write, Op::Update],
            Self::Delete => &[Op::All, Op::Delete],
            Self::Delink => &[Op::All, Op::Write, Op::Delete],
        }
    }
}

impl Requirement {
    fn single(group: String, ops: &'static [Op]) -> Self {
        Self { all_of: vec![vec![Alternative { group, ops }]] }
    }

    /// Records of a module: `modules.ALL`, `modules.{m}.ALL` or `modules.{m}.<op>`.
    pub fn module(scope_name: &str, access: Access) -> Self {
        Self::single(format!("zohobigin.modules.{scope_name}"), access.ops())
    }

    /// A settings area (`settings.modules`, `settings.fields` ...), read or written.
    pub fn settings(area: &str, access: Access) -> Self {
        Self::single(format!("zohobigin.settings.{area}"), access.ops())
    }

    /// A top-level group such as `users` or `org`.
    pub fn group(name: &str, access: Access) -> Self {
        Self::single(format!("zohobigin.{name}"), access.ops())
    }

    /// Adds a clause that must also hold.
    pub fn and(mut self, other: Requirement) -> Self {
        self.all_of.extend(other.all_of);
        self
    }

    /// `ZohoSearch.securesearch.READ`, which search needs besides the module's read scope.
    pub fn secure_search() -> Self {
        Self::single("zohosearch.securesearch".into(), READ_OPS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(text: &str) -> ScopeSet {
        ScopeSet::parse(text).unwrap()
    }

    #[test]
    fn parses_case_insensitively_and_canonicalises() {
        let scopes = set("ZohoBigin.modules.Contacts.ALL, zohobigin.settings.modules.read");
        assert_eq!(scopes.to_string(), "ZohoBigin.modules.contacts.ALL,ZohoBigin.settings.modules.READ");
    }

    #[test]
    fn refuses_unknown_groups_and_ops() {
        for bad in ["ZohoCRM.modules.ALL", "ZohoBigin.modules.leads.ALL", "ZohoBigin.org.PATCH", "ZohoBigin.coql.CREATE", "", "modules"] {
            assert!(ScopeSet::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn parent_groups_cover_children() {
        let read_contacts = Requirement::module("contacts", Access::Read);
        assert!(set("ZohoBigin.modules.ALL").satisfies(&read_contacts));
        assert!(set("ZohoBigin.modules.contacts.READ").satisfies(&read_contacts));
        assert!(!set("ZohoBigin.modules.accounts.ALL").satisfies(&read_contacts));
        assert!(!set("ZohoBigin.modules.contacts.CREATE").satisfies(&read_contacts));
        // A group name that merely starts with another is not its child.
        assert!(!set("ZohoBigin.settings.ALL").satisfies(&Requirement::group("settingsx", Access::Read)));
    }

    #[test]
    fn write_and_delete_rules_follow_the_catalogue() {
        let create = Requirement::module("contacts", Access::Create);
        assert!(set("ZohoBigin.modules.contacts.WRITE").satisfies(&create));
        assert!(set("ZohoBigin.modules.contacts.CREATE").satisfies(&create));
        assert!(!set("ZohoBigin.modules.contacts.UPDATE").satisfies(&create));
        let delete = Requirement::module("contacts", Access::Delete);
        assert!(!set("ZohoBigin.modules.contacts.WRITE").satisfies(&delete));
    }

    #[test]
    fn conjunctions_need_both() {
        let search = Requirement::module("contacts", Access::Read).and(Requirement::secure_search());
        assert!(!set("ZohoBigin.modules.ALL").satisfies(&search));
        assert!(set("ZohoBigin.modules.ALL,ZohoSearch.securesearch.READ").satisfies(&search));
    }
}
