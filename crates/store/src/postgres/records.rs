//! Records and their unique keys: PostgreSQL statements.

use super::prepared::{Prepared, Typed};
use deadpool_postgres::GenericClient;
use serde_json::Value;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::Row;

use super::id;
use crate::filters::{order_by, Builder, Postgres, SqlValue};
use crate::*;

/// The columns `row_from` reads, in its order (a macro, so that fixed statements can `concat!` it).
macro_rules! columns {
    () => {
        "org_id, module, id, name, owner_id, created_by, modified_by, created_time, modified_time, data"
    };
}
const COLUMNS: &str = columns!();

fn row_from(r: &Row) -> RecordRow {
    RecordRow {
        org_id: id(r.get(0)),
        module: r.get(1),
        id: id(r.get(2)),
        name: r.get(3),
        owner_id: id(r.get(4)),
        created_by: id(r.get(5)),
        modified_by: id(r.get(6)),
        created_time: r.get(7),
        modified_time: r.get(8),
        data: r.get(9),
        words: Vec::new(),
    }
}

async fn claim_keys(tx: &impl GenericClient, rec: &RecordRow, keys: &[UniqueKey]) -> Result<Option<WriteOutcome>> {
    for key in keys {
        // ON CONFLICT waits for a concurrent claimant to finish, so two nodes cannot both win.
        let inserted = tx
            .execute_prepared(
                "INSERT INTO record_keys (org_id, module, field, value, record_id) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                &[&rec.org_id.as_i64(), &rec.module, &key.field, &key.value, &rec.id.as_i64()],
            )
            .await?;
        if inserted == 0 {
            let row = tx
                .query_one_prepared(
                    "SELECT record_id FROM record_keys WHERE org_id = $1 AND module = $2 AND field = $3 AND value = $4",
                    &[&rec.org_id.as_i64(), &rec.module, &key.field, &key.value],
                )
                .await?;
            let holder: i64 = row.get(0);
            if holder != rec.id.as_i64() {
                return Ok(Some(WriteOutcome::Duplicate { field: key.field.clone(), existing_id: id(holder) }));
            }
        }
    }
    Ok(None)
}

pub async fn insert(tx: &impl GenericClient, rec: &RecordRow, keys: &[UniqueKey]) -> Result<WriteOutcome> {
    if let Some(duplicate) = claim_keys(tx, rec, keys).await? {
        return Ok(duplicate);
    }
    tx.execute_prepared(
        concat!(
            "INSERT INTO records (",
            columns!(),
            ", words) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, array_to_tsvector($11::text[]))"
        ),
        &[
            &rec.org_id.as_i64(),
            &rec.module,
            &rec.id.as_i64(),
            &rec.name,
            &rec.owner_id.as_i64(),
            &rec.created_by.as_i64(),
            &rec.modified_by.as_i64(),
            &rec.created_time,
            &rec.modified_time,
            &rec.data,
            &rec.words,
        ],
    )
    .await?;
    Ok(WriteOutcome::Written)
}

pub async fn update(tx: &impl GenericClient, rec: &RecordRow, keys: &[UniqueKey]) -> Result<WriteOutcome> {
    if !lock_live(tx, rec.org_id, &rec.module, rec.id).await? {
        return Ok(WriteOutcome::NotFound);
    }
    tx.execute_prepared("DELETE FROM record_keys WHERE org_id = $1 AND record_id = $2", &[&rec.org_id.as_i64(), &rec.id.as_i64()]).await?;
    if let Some(duplicate) = claim_keys(tx, rec, keys).await? {
        return Ok(duplicate);
    }
    tx.execute_prepared(
        "UPDATE records SET name = $3, owner_id = $4, modified_by = $5, modified_time = $6, data = $7, words = array_to_tsvector($8::text[]) WHERE org_id = $1 AND id = $2",
        &[
            &rec.org_id.as_i64(),
            &rec.id.as_i64(),
            &rec.name,
            &rec.owner_id.as_i64(),
            &rec.modified_by.as_i64(),
            &rec.modified_time,
            &rec.data,
            &rec.words,
        ],
    )
    .await?;
    Ok(WriteOutcome::Written)
}

// Reads and writes of one record name only the primary key's columns, and check the module
// and the recycle bin on the row found. With every column in the statement, a database without
// statistics yet (a fresh one, until ANALYZE) was planned to walk an index of the whole module
// (records_by_created) and filter on id: a GET read every contact of the organization.

/// SQL of `get`: the record by primary key, with what says whether it is live and where.
const GET_SQL: &str = concat!("SELECT ", columns!(), ", deleted_time IS NULL FROM records WHERE org_id = $1 AND id = $2");

pub async fn get(c: &impl GenericClient, org_id: crm::Id, module: &str, record_id: crm::Id) -> Result<Option<RecordRow>> {
    let row = c.query_opt_prepared(GET_SQL, &[&org_id.as_i64(), &record_id.as_i64()]).await?;
    Ok(row.filter(|r| r.get::<_, bool>(10) && r.get::<_, &str>(1) == module).as_ref().map(row_from))
}

/// Locks the record for this transaction; true when it is a live record of `module`.
async fn lock_live(tx: &impl GenericClient, org_id: crm::Id, module: &str, record_id: crm::Id) -> Result<bool> {
    let row = tx
        .query_opt_prepared(
            "SELECT module = $3 AND deleted_time IS NULL FROM records WHERE org_id = $1 AND id = $2 FOR UPDATE",
            &[&org_id.as_i64(), &record_id.as_i64(), &module],
        )
        .await?;
    Ok(row.is_some_and(|r| r.get::<_, bool>(0)))
}

fn to_params(values: &[SqlValue]) -> Vec<Box<dyn ToSql + Sync + Send>> {
    values
        .iter()
        .map(|v| -> Box<dyn ToSql + Sync + Send> {
            match v {
                SqlValue::Int(i) => Box::new(*i),
                SqlValue::Real(f) => Box::new(*f),
                SqlValue::Bool(b) => Box::new(*b),
                SqlValue::Text(t) => Box::new(t.clone()),
            }
        })
        .collect()
}

async fn query(c: &impl Typed, sql: &str, values: &[SqlValue]) -> Result<Vec<Row>> {
    let boxed = to_params(values);
    let typed: Vec<(&(dyn ToSql + Sync), Type)> =
        boxed.iter().zip(values).map(|(p, v)| (&**p as &(dyn ToSql + Sync), sql_type(v))).collect();
    Ok(c.query_with_types(sql, &typed).await?)
}

fn sql_type(value: &SqlValue) -> Type {
    match value {
        SqlValue::Int(_) => Type::INT8,
        SqlValue::Real(_) => Type::FLOAT8,
        SqlValue::Bool(_) => Type::BOOL,
        SqlValue::Text(_) => Type::TEXT,
    }
}

/// `WHERE` for live records of `module` that pass `filters`, and its parameters. The module is
/// written as a literal so that the partial indexes of search apply.
fn live_where(org_id: crm::Id, module: &str, filters: &[RecordFilter]) -> Result<(String, Builder<'static, Postgres>)> {
    let mut b = Builder::new(&Postgres, vec![SqlValue::Int(org_id.as_i64())], false);
    let module = b.module_is(module);
    b.or_scope = Some(format!("org_id = $1 AND {module} AND deleted_time IS NULL"));
    let filters = b.filters(filters, "$1");
    anyhow::ensure!(!b.refused, "a field or module name cannot be written into a statement");
    Ok((format!("WHERE org_id = $1 AND {module} AND deleted_time IS NULL{filters}"), b))
}

pub async fn list(c: &impl Typed, org_id: crm::Id, q: &ListQuery) -> Result<Vec<RecordRow>> {
    let direction = if q.descending { "DESC" } else { "ASC" };
    let (condition, mut b) = live_where(org_id, &q.module, &q.filters)?;
    let order = match &q.sort {
        SortKey::Id => format!("id {direction}"),
        SortKey::CreatedTime => format!("created_time {direction}, id {direction}"),
        SortKey::ModifiedTime => format!("modified_time {direction}, id {direction}"),
        SortKey::Field(field) => {
            let key = b.bind(SqlValue::Text(field.clone()));
            format!("data -> {key}::text {direction}, id {direction}")
        }
    };
    let sql = format!("SELECT {COLUMNS} FROM records {condition} ORDER BY {order} LIMIT {} OFFSET {}", q.limit, q.offset);
    Ok(query(c, &sql, &b.params).await?.iter().map(row_from).collect())
}

pub async fn count(c: &impl Typed, org_id: crm::Id, q: &ListQuery) -> Result<u64> {
    let (condition, b) = live_where(org_id, &q.module, &q.filters)?;
    let rows = query(c, &format!("SELECT COUNT(*) FROM records {condition}"), &b.params).await?;
    Ok(rows[0].get::<_, i64>(0) as u64)
}

/// The statement of a search or COQL read: the page's ids first, then those records.
fn search_sql(org_id: crm::Id, q: &RecordQuery) -> Result<(String, Vec<SqlValue>)> {
    let (condition, b) = live_where(org_id, &q.module, &q.filters)?;
    let order = order_by(&Postgres, &q.order).ok_or_else(|| anyhow::anyhow!("a sort key cannot be written into a statement"))?;
    let by_id = matches!(q.order.as_slice(), [o] if o.target == crm::query::Target::Column(crm::query::Column::Id));
    // Sorted by id, a page tempts PostgreSQL to walk the primary key in order and test each
    // record, hoping to meet enough matches soon; when they are few it reads them all. With
    // conditions, the matches are found first (through their indexes; `OFFSET 0` keeps that
    // subquery apart), then sorted.
    let matching = if by_id && !q.filters.is_empty() {
        format!("SELECT id FROM (SELECT id FROM records {condition} OFFSET 0) AS matching")
    } else {
        format!("SELECT id FROM records {condition}")
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM records WHERE org_id = $1 AND id IN ({matching} ORDER BY {order} LIMIT {} OFFSET {}) ORDER BY {order}",
        q.limit, q.offset
    );
    Ok((sql, b.params))
}

pub async fn search(c: &impl Typed, org_id: crm::Id, q: &RecordQuery) -> Result<Vec<RecordRow>> {
    let (sql, params) = search_sql(org_id, q)?;
    Ok(query(c, &sql, &params).await?.iter().map(row_from).collect())
}

/// PostgreSQL's plan for a search or COQL read (`count`: for counting its matches).
pub async fn explain(c: &impl Typed, org_id: crm::Id, q: &RecordQuery, count: bool) -> Result<Vec<String>> {
    let (sql, params) = if count {
        let (condition, b) = live_where(org_id, &q.module, &q.filters)?;
        (format!("SELECT COUNT(*) FROM records {condition}"), b.params)
    } else {
        search_sql(org_id, q)?
    };
    Ok(query(c, &format!("EXPLAIN {sql}"), &params).await?.iter().map(|r| r.get::<_, String>(0)).collect())
}

pub async fn deleted(c: &impl Typed, org_id: crm::Id, q: &DeletedQuery) -> Result<Vec<DeletedRow>> {
    let mut b = Builder::new(&Postgres, vec![SqlValue::Int(org_id.as_i64()), SqlValue::Text(q.module.clone())], false);
    let mut condition = "WHERE org_id = $1 AND module = $2 AND deleted_time IS NOT NULL".to_string();
    if let Some(after) = q.after {
        condition.push_str(&format!(" AND deleted_time > {}", b.bind(SqlValue::Int(after))));
    }
    if let Some(until) = q.until {
        condition.push_str(&format!(" AND deleted_time <= {}", b.bind(SqlValue::Int(until))));
    }
    let sql = format!(
        "SELECT id, name, created_by, deleted_by, deleted_time FROM records {condition} ORDER BY deleted_time DESC, id DESC LIMIT {} OFFSET {}",
        q.limit, q.offset
    );
    Ok(query(c, &sql, &b.params)
        .await?
        .iter()
        .map(|r| DeletedRow {
            id: id(r.get(0)),
            name: r.get(1),
            created_by: id(r.get(2)),
            deleted_by: id(r.get(3)),
            deleted_time: r.get(4),
        })
        .collect())
}

pub async fn by_key(c: &impl GenericClient, org_id: crm::Id, module: &str, field: &str, value: &str) -> Result<Option<crm::Id>> {
    let row = c
        .query_opt_prepared(
            "SELECT record_id FROM record_keys WHERE org_id = $1 AND module = $2 AND field = $3 AND value = $4",
            &[&org_id.as_i64(), &module, &field, &value],
        )
        .await?;
    Ok(row.map(|r| id(r.get(0))))
}

pub async fn put_link(c: &impl GenericClient, org_id: crm::Id, link: &Link, now: i64) -> Result<()> {
    c.execute_prepared(
        "INSERT INTO record_links (org_id, kind, a_id, b_id, data, created_time) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (org_id, kind, a_id, b_id) DO UPDATE SET data = excluded.data",
        &[&org_id.as_i64(), &link.kind, &link.a_id.as_i64(), &link.b_id.as_i64(), &Value::Object(link.data.clone()), &now],
    )
    .await?;
    Ok(())
}

pub async fn delete_link(c: &impl GenericClient, org_id: crm::Id, kind: &str, a: crm::Id, b: crm::Id) -> Result<bool> {
    let n = c
        .execute_prepared(
            "DELETE FROM record_links WHERE org_id = $1 AND kind = $2 AND a_id = $3 AND b_id = $4",
            &[&org_id.as_i64(), &kind, &a.as_i64(), &b.as_i64()],
        )
        .await?;
    Ok(n > 0)
}

pub async fn links(
    c: &impl GenericClient,
    org_id: crm::Id,
    kind: &str,
    parent_is_a: bool,
    parent: crm::Id,
    others: &[crm::Id],
) -> Result<Vec<Link>> {
    let (mine, other) = if parent_is_a { ("a_id", "b_id") } else { ("b_id", "a_id") };
    let others: Vec<i64> = others.iter().map(|o| o.as_i64()).collect();
    let sql = format!("SELECT a_id, b_id, data FROM record_links WHERE org_id = $1 AND kind = $2 AND {mine} = $3 AND {other} = ANY($4)");
    let rows = c.query_prepared(&sql, &[&org_id.as_i64(), &kind, &parent.as_i64(), &others]).await?;
    Ok(rows
        .iter()
        .map(|r| {
            let data: Value = r.get(2);
            Link { kind: kind.to_string(), a_id: id(r.get(0)), b_id: id(r.get(1)), data: data.as_object().cloned().unwrap_or_default() }
        })
        .collect())
}

pub async fn delete(tx: &impl GenericClient, org_id: crm::Id, module: &str, record_id: crm::Id, by: crm::Id, now: i64) -> Result<bool> {
    if !lock_live(tx, org_id, module, record_id).await? {
        return Ok(false);
    }
    tx.execute_prepared(
        "UPDATE records SET deleted_time = $3, deleted_by = $4, words = NULL WHERE org_id = $1 AND id = $2",
        &[&org_id.as_i64(), &record_id.as_i64(), &now, &by.as_i64()],
    )
    .await?;
    tx.execute_prepared("DELETE FROM record_keys WHERE org_id = $1 AND record_id = $2", &[&org_id.as_i64(), &record_id.as_i64()]).await?;
    Ok(true)
}

pub async fn names(c: &impl GenericClient, org_id: crm::Id, ids: &[crm::Id]) -> Result<Vec<RecordName>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = ids.iter().map(|i| i.as_i64()).collect();
    let rows = c
        .query_prepared(
            "SELECT id, module, name FROM records WHERE org_id = $1 AND deleted_time IS NULL AND id = ANY($2)",
            &[&org_id.as_i64(), &ids],
        )
        .await?;
    Ok(rows.iter().map(|r| RecordName { id: id(r.get(0)), module: r.get(1), name: r.get(2) }).collect())
}
