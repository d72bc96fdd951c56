//! Record filters as SQL, for both backends: one place decides what each filter means, and each
//! backend only says how it spells placeholders and JSON access.

use crm::Id;

use crate::RecordFilter;

/// A parameter of a generated statement.
#[derive(Clone, Debug, PartialEq)]
pub enum SqlValue {
    Int(i64),
    Text(String),
}

/// How a backend spells what the filters need.
pub trait Dialect {
    /// The placeholder of parameter number `n` (1-based).
    fn placeholder(&self, n: usize) -> String;
    /// The text of top-level key `key` of the `data` document (key given as a parameter).
    fn json_text(&self, key_placeholder: &str) -> String;
}

pub struct Sqlite;
pub struct Postgres;

impl Dialect for Sqlite {
    fn placeholder(&self, n: usize) -> String {
        format!("?{n}")
    }
    fn json_text(&self, key: &str) -> String {
        // The key parameter holds a JSON path ('$."Email"').
        format!("json_extract(data, {key})")
    }
}

impl Dialect for Postgres {
    fn placeholder(&self, n: usize) -> String {
        format!("${n}")
    }
    fn json_text(&self, key: &str) -> String {
        format!("(data ->> {key}::text)")
    }
}

/// Builds a WHERE fragment and its parameters, numbering placeholders after those already bound.
pub struct Builder<'d, D: Dialect> {
    dialect: &'d D,
    pub params: Vec<SqlValue>,
    sqlite_paths: bool,
}

impl<'d, D: Dialect> Builder<'d, D> {
    pub fn new(dialect: &'d D, params: Vec<SqlValue>, sqlite_paths: bool) -> Self {
        Self { dialect, params, sqlite_paths }
    }

    pub fn bind(&mut self, value: SqlValue) -> String {
        self.params.push(value);
        self.dialect.placeholder(self.params.len())
    }

    fn json_key(&mut self, key: &str) -> String {
        let key = if self.sqlite_paths { format!("$.\"{}\"", key.replace('"', "")) } else { key.to_string() };
        let placeholder = self.bind(SqlValue::Text(key));
        self.dialect.json_text(&placeholder)
    }

    /// `AND ...` for each filter, with `org` the placeholder of the organization id.
    pub fn filters(&mut self, filters: &[RecordFilter], org: &str) -> String {
        let mut sql = String::new();
        for filter in filters {
            sql.push_str(" AND ");
            sql.push_str(&self.filter(filter, org));
        }
        sql
    }

    fn ids(&mut self, ids: &[Id]) -> String {
        if ids.is_empty() {
            return "FALSE".into();
        }
        let marks: Vec<String> = ids.iter().map(|id| self.bind(SqlValue::Int(id.as_i64()))).collect();
        format!("id IN ({})", marks.join(", "))
    }

    fn filter(&mut self, filter: &RecordFilter, org: &str) -> String {
        match filter {
            RecordFilter::Ids(ids) => self.ids(ids),
            RecordFilter::FieldEquals { field, value } => {
                let column = self.json_key(field);
                let value = self.bind(SqlValue::Text(value.clone()));
                format!("{column} = {value}")
            }
            RecordFilter::RelatedTo { field, module, id } => {
                let column = self.json_key(field);
                let id = self.bind(SqlValue::Text(id.to_string()));
                let se = self.json_key(crm::record::SE_MODULE);
                let module = self.bind(SqlValue::Text(module.clone()));
                format!("({column} = {id} AND {se} = {module})")
            }
            RecordFilter::Linked { kind, parent_is_a, parent, also_field } => {
                let (mine, other) = if *parent_is_a { ("a_id", "b_id") } else { ("b_id", "a_id") };
                let kind = self.bind(SqlValue::Text(kind.clone()));
                let parent_id = self.bind(SqlValue::Int(parent.as_i64()));
                let linked =
                    format!("id IN (SELECT {other} FROM record_links WHERE org_id = {org} AND kind = {kind} AND {mine} = {parent_id})");
                match also_field {
                    Some(field) => {
                        let column = self.json_key(field);
                        let parent_text = self.bind(SqlValue::Text(parent.to_string()));
                        format!("({linked} OR {column} = {parent_text})")
                    }
                    None => linked,
                }
            }
            RecordFilter::OwnedBy(owner) => format!("owner_id = {}", self.bind(SqlValue::Int(owner.as_i64()))),
            RecordFilter::ModifiedAfter(ms) => format!("modified_time > {}", self.bind(SqlValue::Int(*ms))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_number_their_placeholders_after_the_bound_ones() {
        let mut b = Builder::new(&Postgres, vec![SqlValue::Int(1), SqlValue::Text("Contacts".into())], false);
        let sql = b.filters(
            &[RecordFilter::FieldEquals { field: "Email".into(), value: "a@b.c".into() }, RecordFilter::OwnedBy(Id::from_i64(7))],
            "$1",
        );
        assert_eq!(sql, " AND (data ->> $3::text) = $4 AND owner_id = $5");
        assert_eq!(b.params.len(), 5);
        let mut s = Builder::new(&Sqlite, vec![SqlValue::Int(1)], true);
        let sql = s.filters(&[RecordFilter::Ids(vec![])], "?1");
        assert_eq!(sql, " AND FALSE");
    }
}
