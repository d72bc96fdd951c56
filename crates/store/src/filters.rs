//! Record filters as SQL, for both backends: one place decides what each filter means, and each
//! backend only says how it spells placeholders, JSON access and text folding.
//!
//! Search and COQL conditions (`crm::query::Condition`) become SQL here. Every value is a bound
//! parameter. Field keys and module names are written into the statement, because expression
//! and partial indexes only match literal text; they come from the organization's schema, never
//! from a request, and [`safe_name`] refuses anything but letters, digits and `_` all the same.
//! The expressions are the ones [`index_ddl`] indexes, character for character.

use crm::query::{Cmp, Column, Condition, Kind, Order, Scalar, Target, Test};
use crm::Id;

use crate::RecordFilter;

/// A parameter of a generated statement.
#[derive(Clone, Debug, PartialEq)]
pub enum SqlValue {
    Int(i64),
    Real(f64),
    Text(String),
    Bool(bool),
}

/// How a backend spells what the filters need.
pub trait Dialect {
    /// The placeholder of parameter number `n` (1-based).
    fn placeholder(&self, n: usize) -> String;
    /// The text of top-level key `key` of the `data` document (key given as a parameter).
    fn json_text(&self, key_placeholder: &str) -> String;
    /// The text of top-level key `key`, the key written as a literal (index-matchable).
    fn key_text(&self, key: &str) -> String;
    /// Text with ASCII letters folded to lower case.
    fn folded(&self, expr: &str) -> String;
    /// A key's value as a number, a datetime (ms), a date, a boolean (none reads as false).
    fn key_number(&self, key: &str) -> String;
    fn key_datetime(&self, key: &str) -> String;
    fn key_date(&self, key: &str) -> String;
    fn key_bool(&self, key: &str) -> String;
    /// A number parameter as the backend compares it with `key_number`.
    fn number_param(&self, placeholder: &str) -> String;
    fn bool_value(&self, b: bool) -> SqlValue;
    /// Whether the multi-select array at `key` holds the folded text `placeholder`.
    fn multi_contains(&self, key: &str, placeholder: &str) -> String;
    /// Live records some of whose words start with each of the words in `placeholder`.
    fn words_match(&self, placeholder: &str) -> String;
    /// The bound text `words_match` takes.
    fn words_query(&self, words: &[String]) -> String;
    /// A record id as text (what lookups hold).
    fn id_text(&self) -> &'static str;
    /// `NULLS FIRST`/`LAST` matching SQLite's default (nulls sort lowest).
    fn nulls(&self, descending: bool) -> &'static str;
    /// The columns of a field's index over a module's live records, `expr` being the field's
    /// expression: enough for a page of ids to come from the index alone.
    fn index_columns(&self, expr: &str) -> String;
    /// The id as a probe's `IN` tests it, or `None` where the database combines indexes itself
    /// and a probe is written as its plain condition.
    fn probed_id(&self) -> Option<&'static str>;
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
    fn key_text(&self, key: &str) -> String {
        format!("json_extract(data, '$.{key}')")
    }
    fn folded(&self, expr: &str) -> String {
        format!("lower({expr})")
    }
    fn key_number(&self, key: &str) -> String {
        self.key_text(key)
    }
    fn key_datetime(&self, key: &str) -> String {
        self.key_text(key)
    }
    fn key_date(&self, key: &str) -> String {
        self.key_text(key)
    }
    fn key_bool(&self, key: &str) -> String {
        format!("coalesce(json_extract(data, '$.{key}'), 0)")
    }
    fn number_param(&self, placeholder: &str) -> String {
        placeholder.to_string()
    }
    fn bool_value(&self, b: bool) -> SqlValue {
        SqlValue::Int(i64::from(b))
    }
    fn multi_contains(&self, key: &str, placeholder: &str) -> String {
        format!("EXISTS (SELECT 1 FROM json_each(data, '$.{key}') WHERE lower(value) = {placeholder})")
    }
    fn words_match(&self, placeholder: &str) -> String {
        format!("id IN (SELECT rowid FROM record_words WHERE record_words MATCH {placeholder})")
    }
    fn words_query(&self, words: &[String]) -> String {
        // Words hold letters and digits only, so quoting them as FTS5 strings is safe.
        words.iter().map(|w| format!("\"{w}\"*")).collect::<Vec<_>>().join(" AND ")
    }
    fn id_text(&self) -> &'static str {
        "CAST(id AS TEXT)"
    }
    fn nulls(&self, _: bool) -> &'static str {
        ""
    }
    fn index_columns(&self, expr: &str) -> String {
        // SQLite reads an index alone only when it holds every column the query names, those
        // of the partial index's condition included.
        format!("org_id, module, deleted_time, ({expr}), id, modified_time")
    }
    fn probed_id(&self) -> Option<&'static str> {
        // Unary `+` keeps SQLite from seeking the driving index once per probed id (12,500
        // seeks for a common first name at a million contacts) instead of walking it.
        Some("+id")
    }
}

impl Dialect for Postgres {
    fn placeholder(&self, n: usize) -> String {
        format!("${n}")
    }
    fn json_text(&self, key: &str) -> String {
        format!("(data ->> {key}::text)")
    }
    fn key_text(&self, key: &str) -> String {
        format!("(data ->> '{key}')")
    }
    fn folded(&self, expr: &str) -> String {
        // Under the "C" collation `lower` folds ASCII letters only, as SQLite's does, and the
        // result compares byte by byte, so that a prefix becomes an index range.
        format!("lower(({expr}) COLLATE \"C\")")
    }
    fn key_number(&self, key: &str) -> String {
        format!("((data ->> '{key}')::numeric)")
    }
    fn key_datetime(&self, key: &str) -> String {
        format!("((data ->> '{key}')::bigint)")
    }
    fn key_date(&self, key: &str) -> String {
        format!("((data ->> '{key}') COLLATE \"C\")")
    }
    fn key_bool(&self, key: &str) -> String {
        format!("coalesce((data ->> '{key}')::boolean, false)")
    }
    fn number_param(&self, placeholder: &str) -> String {
        format!("({placeholder}::text)::numeric")
    }
    fn bool_value(&self, b: bool) -> SqlValue {
        SqlValue::Bool(b)
    }
    fn multi_contains(&self, key: &str, placeholder: &str) -> String {
        format!(
            "EXISTS (SELECT 1 FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(data -> '{key}') = 'array' THEN data -> '{key}' END) AS v(x) WHERE lower((x) COLLATE \"C\") = {placeholder})"
        )
    }
    fn words_match(&self, placeholder: &str) -> String {
        format!("words @@ ({placeholder}::text)::tsquery")
    }
    fn words_query(&self, words: &[String]) -> String {
        words.iter().map(|w| format!("'{w}':*")).collect::<Vec<_>>().join(" & ")
    }
    fn id_text(&self) -> &'static str {
        "(id::text)"
    }
    fn nulls(&self, descending: bool) -> &'static str {
        if descending {
            " NULLS LAST"
        } else {
            " NULLS FIRST"
        }
    }
    fn index_columns(&self, expr: &str) -> String {
        // PostgreSQL drops conditions the partial index implies from its index conditions, so
        // the module and deleted time must not sit between the organization and the value.
        format!("org_id, ({expr}), id, modified_time")
    }
    fn probed_id(&self) -> Option<&'static str> {
        // PostgreSQL ANDs two indexes' bitmaps itself; given the subquery, it joined it back to
        // the records and read each one (31 ms for two names at a million contacts, 9 ms without).
        None
    }
}

/// Whether `name` may be written into a statement: letters, digits and `_` only.
pub fn safe_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The expression a target is compared by (folded for text), as the indexes spell it.
pub fn target_expr(d: &dyn Dialect, target: &Target) -> Option<String> {
    Some(match target {
        Target::Column(Column::Name) => d.folded("name"),
        Target::Column(c) => c.sql().to_string(),
        Target::Field { key, kind } => {
            if !safe_name(key) {
                return None;
            }
            match kind {
                Kind::Text => d.folded(&d.key_text(key)),
                Kind::Ref | Kind::Multi => d.key_text(key),
                Kind::Number => d.key_number(key),
                Kind::Date => d.key_date(key),
                Kind::DateTime => d.key_datetime(key),
                Kind::Bool => d.key_bool(key),
            }
        }
        Target::Via { .. } => return None,
    })
}

/// The name of the index on `key` of `module`'s live records.
pub fn index_name(module: &str, key: &str) -> String {
    // FNV-1a of the exact spelling: names that differ only by case get different indexes.
    let mut hash: u32 = 0x811c9dc5;
    for b in module.bytes().chain([b'.']).chain(key.bytes()) {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(0x01000193);
    }
    let mut base = format!("rx_{}_{}", module.to_ascii_lowercase(), key.to_ascii_lowercase());
    base.truncate(50);
    format!("{base}_{hash:08x}")
}

/// `CREATE INDEX IF NOT EXISTS` for `target` of `module`'s live records, or `None` when the
/// names cannot be written safely. Equal values come out in id order; the module, the deleted
/// time and the modified time are in the index too, so that a page of ids (sorted by id or by
/// modification) is read from the index alone.
pub fn index_ddl(d: &dyn Dialect, module: &str, target: &Target) -> Option<String> {
    if !safe_name(module) {
        return None;
    }
    let key = match target {
        Target::Field { key, .. } => key.as_str(),
        Target::Column(Column::Name) => "name",
        _ => return None,
    };
    let expr = target_expr(d, target)?;
    Some(format!(
        "CREATE INDEX IF NOT EXISTS {} ON records ({}) WHERE module = '{module}' AND deleted_time IS NULL",
        index_name(module, key),
        d.index_columns(&expr)
    ))
}

/// `ORDER BY` terms for `order`, ending with `id` so that the order is total.
pub fn order_by(d: &dyn Dialect, order: &[Order]) -> Option<String> {
    let mut terms = Vec::new();
    let mut last_desc = false;
    let mut has_id = false;
    for key in order {
        let expr = target_expr(d, &key.target)?;
        let direction = if key.descending { "DESC" } else { "ASC" };
        let nullable = matches!(key.target, Target::Field { .. });
        terms.push(format!("{expr} {direction}{}", if nullable { d.nulls(key.descending) } else { "" }));
        last_desc = key.descending;
        has_id |= key.target == Target::Column(Column::Id);
    }
    if !has_id {
        terms.push(format!("id {}", if last_desc { "DESC" } else { "ASC" }));
    }
    Some(terms.join(", "))
}

/// Builds a WHERE fragment and its parameters, numbering placeholders after those already bound.
pub struct Builder<'d, D: Dialect> {
    dialect: &'d D,
    pub params: Vec<SqlValue>,
    sqlite_paths: bool,
    /// Set when a name could not be written safely; the statement must not run.
    pub refused: bool,
    /// Terms every branch of an `OR` repeats (organization, module, live): SQLite reads each
    /// branch through its own index only when the branch names the index's leading columns.
    pub or_scope: Option<String>,
}

impl<'d, D: Dialect> Builder<'d, D> {
    pub fn new(dialect: &'d D, params: Vec<SqlValue>, sqlite_paths: bool) -> Self {
        Self { dialect, params, sqlite_paths, refused: false, or_scope: None }
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

    /// `module = '<module>'`, the module written as a literal so that partial indexes apply.
    pub fn module_is(&mut self, module: &str) -> String {
        if safe_name(module) {
            format!("module = '{module}'")
        } else {
            self.refused = true;
            "FALSE".into()
        }
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
            RecordFilter::Where(condition) => self.condition(condition, org),
        }
    }

    /// A search or COQL condition.
    pub fn condition(&mut self, condition: &Condition, org: &str) -> String {
        match condition {
            Condition::And(items) if items.is_empty() => "TRUE".into(),
            Condition::Or(items) if items.is_empty() => "FALSE".into(),
            Condition::And(items) => {
                let parts: Vec<String> = items.iter().map(|c| self.condition(c, org)).collect();
                format!("({})", parts.join(" AND "))
            }
            Condition::Or(items) => {
                let mut parts: Vec<String> = items.iter().map(|c| self.condition(c, org)).collect();
                if let Some(scope) = &self.or_scope {
                    parts = parts.into_iter().map(|p| format!("({scope} AND {p})")).collect();
                }
                format!("({})", parts.join(" OR "))
            }
            Condition::Probe(inner) => {
                let inner = self.condition(inner, org);
                match (&self.or_scope, self.dialect.probed_id()) {
                    (Some(scope), Some(id)) => format!("{id} IN (SELECT id FROM records WHERE {scope} AND {inner})"),
                    _ => inner,
                }
            }
            Condition::Words(words) => {
                let query = self.dialect.words_query(words);
                let placeholder = self.bind(SqlValue::Text(query));
                self.dialect.words_match(&placeholder)
            }
            Condition::Leaf { target: Target::Via { lookup, module, inner }, test } => {
                if !safe_name(lookup) || !safe_name(module) {
                    self.refused = true;
                    return "FALSE".into();
                }
                let inner_sql = self.leaf(inner, test);
                let lookup_expr = self.dialect.key_text(lookup);
                format!(
                    "{lookup_expr} IN (SELECT {} FROM records WHERE org_id = {org} AND module = '{module}' AND deleted_time IS NULL AND {inner_sql})",
                    self.dialect.id_text()
                )
            }
            Condition::Leaf { target, test } => self.leaf(target, test),
        }
    }

    fn scalar(&mut self, kind: Kind, value: &Scalar) -> String {
        match (kind, value) {
            (Kind::Number, Scalar::Int(i)) => {
                let p = self.bind(if self.sqlite_paths { SqlValue::Int(*i) } else { SqlValue::Text(i.to_string()) });
                self.dialect.number_param(&p)
            }
            (Kind::Number, Scalar::Real(f)) => {
                let p = self.bind(if self.sqlite_paths { SqlValue::Real(*f) } else { SqlValue::Text(f.to_string()) });
                self.dialect.number_param(&p)
            }
            (_, Scalar::Text(t)) => self.bind(SqlValue::Text(t.clone())),
            (_, Scalar::Int(i)) => self.bind(SqlValue::Int(*i)),
            (_, Scalar::Real(f)) => self.bind(SqlValue::Real(*f)),
            (_, Scalar::Bool(b)) => {
                let v = self.dialect.bool_value(*b);
                self.bind(v)
            }
        }
    }

    fn leaf(&mut self, target: &Target, test: &Test) -> String {
        let Some(expr) = target_expr(self.dialect, target) else {
            self.refused = true;
            return "FALSE".into();
        };
        let kind = target.kind();
        if kind == Kind::Multi {
            return self.multi_leaf(target, &expr, test);
        }
        match test {
            Test::Cmp(cmp, value) => {
                let op = match cmp {
                    Cmp::Eq => "=",
                    Cmp::Ne => "<>",
                    Cmp::Lt => "<",
                    Cmp::Le => "<=",
                    Cmp::Gt => ">",
                    Cmp::Ge => ">=",
                };
                let p = self.scalar(kind, value);
                format!("{expr} {op} {p}")
            }
            Test::In { values, negated } => {
                if values.is_empty() {
                    return if *negated { format!("{expr} IS NOT NULL") } else { "FALSE".into() };
                }
                let marks: Vec<String> = values.iter().map(|v| self.scalar(kind, v)).collect();
                format!("{expr} {}IN ({})", if *negated { "NOT " } else { "" }, marks.join(", "))
            }
            Test::Prefix(prefix) => {
                let lo = self.bind(SqlValue::Text(prefix.clone()));
                match crm::query::prefix_upper_bound(prefix) {
                    Some(upper) => {
                        let hi = self.bind(SqlValue::Text(upper));
                        format!("({expr} >= {lo} AND {expr} < {hi})")
                    }
                    None => format!("{expr} >= {lo}"),
                }
            }
            Test::Like { pattern, negated } => {
                let p = self.bind(SqlValue::Text(like_pattern(pattern)));
                format!("{expr} {}LIKE {p} ESCAPE '\\'", if *negated { "NOT " } else { "" })
            }
            Test::Null { is_null } => format!("{expr} IS {}NULL", if *is_null { "" } else { "NOT " }),
        }
    }

    /// Multi-select picklists: `=` holds the value, `!=` has values but not this one, `in` holds
    /// any of them.
    fn multi_leaf(&mut self, target: &Target, expr: &str, test: &Test) -> String {
        let Target::Field { key, .. } = target else { return "FALSE".into() };
        let contains = |b: &mut Self, v: &Scalar| {
            let text = match v {
                Scalar::Text(t) => t.clone(),
                other => format!("{other:?}"),
            };
            let p = b.bind(SqlValue::Text(text));
            b.dialect.multi_contains(key, &p)
        };
        match test {
            Test::Cmp(Cmp::Eq, v) => contains(self, v),
            Test::Cmp(_, v) => format!("({expr} IS NOT NULL AND NOT {})", contains(self, v)),
            Test::In { values, negated: false } => {
                let parts: Vec<String> = values.iter().map(|v| contains(self, v)).collect();
                if parts.is_empty() {
                    "FALSE".into()
                } else {
                    format!("({})", parts.join(" OR "))
                }
            }
            Test::In { values, negated: true } => {
                let parts: Vec<String> = values.iter().map(|v| format!("NOT {}", contains(self, v))).collect();
                format!("({expr} IS NOT NULL{})", parts.iter().map(|p| format!(" AND {p}")).collect::<String>())
            }
            Test::Null { is_null } => format!("{expr} IS {}NULL", if *is_null { "" } else { "NOT " }),
            Test::Prefix(_) | Test::Like { .. } => "FALSE".into(),
        }
    }
}

/// A COQL `like` pattern (where only `%` is special) as an SQL `LIKE ... ESCAPE '\'` pattern.
pub fn like_pattern(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    for c in pattern.chars() {
        if matches!(c, '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crm::query::{Column, Condition, Kind, Scalar, Target, Test};
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

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

    #[test]
    fn conditions_use_the_indexed_expressions() {
        let email = Target::Field { key: "Email".into(), kind: Kind::Text };
        let cond = Condition::Or(vec![
            Condition::leaf(email.clone(), Test::Cmp(Cmp::Eq, Scalar::Text("a@b.c".into()))),
            Condition::leaf(email.clone(), Test::Prefix("ted".into())),
            Condition::leaf(Target::Column(Column::Owner), Test::In { values: vec![Scalar::Int(5)], negated: false }),
        ]);
        let mut s = Builder::new(&Sqlite, vec![SqlValue::Int(1)], true);
        assert_eq!(
            s.condition(&cond, "?1"),
            "(lower(json_extract(data, '$.Email')) = ?2 OR (lower(json_extract(data, '$.Email')) >= ?3 AND lower(json_extract(data, '$.Email')) < ?4) OR owner_id IN (?5))"
        );
        assert_eq!(s.params[3], SqlValue::Text("tee".into()));
        let mut p = Builder::new(&Postgres, vec![SqlValue::Int(1)], false);
        assert_eq!(
            p.condition(&Condition::leaf(email.clone(), Test::Cmp(Cmp::Eq, Scalar::Text("x".into()))), "$1"),
            "lower(((data ->> 'Email')) COLLATE \"C\") = $2"
        );
        let ddl = index_ddl(&Postgres, "Contacts", &email).unwrap();
        assert!(
            ddl.contains("(org_id, (lower(((data ->> 'Email')) COLLATE \"C\")), id, modified_time) WHERE module = 'Contacts' AND deleted_time IS NULL"),
            "{ddl}"
        );
        // A name that is not a plain identifier is never written into a statement.
        let bad = Target::Field { key: "Email') OR 1=1 --".into(), kind: Kind::Text };
        let mut s = Builder::new(&Sqlite, vec![], true);
        assert_eq!(s.condition(&Condition::leaf(bad.clone(), Test::Null { is_null: true }), "?1"), "FALSE");
        assert!(s.refused);
        assert!(index_ddl(&Sqlite, "Contacts", &bad).is_none());
        assert!(index_ddl(&Sqlite, "Con'tacts", &email).is_none());
    }

    /// Whatever the values, they travel as parameters: the statement never contains them.
    #[test]
    fn property_values_never_reach_the_statement_text() {
        let mut rng = StdRng::seed_from_u64(9);
        let alphabet = ['\'', '"', ';', '-', '(', ')', '%', '_', '\\', 'x', ' ', '*', 'é'];
        let targets = [
            Target::Field { key: "Last_Name".into(), kind: Kind::Text },
            Target::Field { key: "Tags_X".into(), kind: Kind::Multi },
            Target::Column(Column::Name),
            Target::Via {
                lookup: "Account_Name".into(),
                module: "Accounts".into(),
                inner: Box::new(Target::Field { key: "Account_Name".into(), kind: Kind::Text }),
            },
        ];
        for _ in 0..2_000 {
            let value: String = (0..rng.gen_range(3..12)).map(|_| alphabet[rng.gen_range(0..alphabet.len())]).collect();
            let value = format!("zq{value}");
            let target = targets[rng.gen_range(0..targets.len())].clone();
            let test = match rng.gen_range(0..4) {
                0 => Test::Cmp(Cmp::Eq, Scalar::Text(value.clone())),
                1 => Test::Prefix(value.clone()),
                2 => Test::Like { pattern: format!("%{value}%"), negated: rng.gen_bool(0.5) },
                _ => Test::In { values: vec![Scalar::Text(value.clone())], negated: false },
            };
            let cond = Condition::And(vec![Condition::leaf(target, test), Condition::Words(vec!["zqword".into()])]);
            for pg in [false, true] {
                let (sql, params) = if pg {
                    let mut b = Builder::new(&Postgres, vec![SqlValue::Int(1)], false);
                    (b.condition(&cond, "$1"), b.params)
                } else {
                    let mut b = Builder::new(&Sqlite, vec![SqlValue::Int(1)], true);
                    (b.condition(&cond, "?1"), b.params)
                };
                assert!(!sql.contains("zq"), "{sql}");
                let marks = if pg { sql.matches('$').count() } else { sql.matches('?').count() };
                assert!(marks >= params.len() - 1, "{sql} {params:?}");
            }
        }
    }
}
