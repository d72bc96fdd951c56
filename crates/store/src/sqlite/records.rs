//! Records and their unique keys: SQLite statements.

use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};
use serde_json::Value;

use super::id;
use crate::filters::{order_by, Builder, SqlValue, Sqlite};
use crate::*;

/// The columns `row_from` reads, in its order (a macro, so that fixed statements can `concat!` it
/// rather than format their text on every call).
macro_rules! columns {
    () => {
        "org_id, module, id, name, owner_id, created_by, modified_by, created_time, modified_time, data"
    };
}
const COLUMNS: &str = columns!();

/// Writes a record's row (a fresh insert or a bulk load; its keys and words are the caller's).
pub(super) fn insert_row(c: &Connection, rec: &RecordRow) -> rusqlite::Result<()> {
    c.prepare_cached(concat!("INSERT INTO records (", columns!(), ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"))?.execute(
        params![
            rec.org_id.as_i64(),
            rec.module,
            rec.id.as_i64(),
            rec.name,
            rec.owner_id.as_i64(),
            rec.created_by.as_i64(),
            rec.modified_by.as_i64(),
            rec.created_time,
            rec.modified_time,
            rec.data.as_str()
        ],
    )?;
    Ok(())
}

fn row_from(r: &Row<'_>) -> rusqlite::Result<RecordRow> {
    let data: String = r.get(9)?;
    Ok(RecordRow {
        org_id: id(r.get(0)?),
        module: r.get(1)?,
        id: id(r.get(2)?),
        name: r.get(3)?,
        owner_id: id(r.get(4)?),
        created_by: id(r.get(5)?),
        modified_by: id(r.get(6)?),
        created_time: r.get(7)?,
        modified_time: r.get(8)?,
        data: RecordData::from_stored(data),
        words: Vec::new(),
    })
}

/// Replaces the record's words in the `word` search index.
fn put_words(tx: &Connection, rec: &RecordRow, replace: bool) -> rusqlite::Result<()> {
    if replace {
        tx.prepare_cached("DELETE FROM record_words WHERE rowid = ?1")?.execute([rec.id.as_i64()])?;
    }
    if !rec.words.is_empty() {
        tx.prepare_cached("INSERT INTO record_words (rowid, words) VALUES (?1, ?2)")?
            .execute(params![rec.id.as_i64(), rec.words.join(" ")])?;
    }
    Ok(())
}

/// The live record other than `rec` that holds one of its unique values, if any. SQLite has one
/// writer, so nothing can claim a value between this check and the write that follows it.
fn held_by_another(c: &Connection, rec: &RecordRow, keys: &[UniqueKey]) -> rusqlite::Result<Option<WriteOutcome>> {
    let mut stmt = c.prepare_cached("SELECT record_id FROM record_keys WHERE org_id = ?1 AND module = ?2 AND field = ?3 AND value = ?4")?;
    for key in keys {
        let holder: Option<i64> =
            stmt.query_row(params![rec.org_id.as_i64(), rec.module, key.field, key.value], |r| r.get(0)).optional()?;
        if let Some(holder) = holder.filter(|h| *h != rec.id.as_i64()) {
            return Ok(Some(WriteOutcome::Duplicate { field: key.field.clone(), existing_id: id(holder) }));
        }
    }
    Ok(None)
}

/// Makes `keys` the record's unique values (`fresh`: a new record, which holds none yet).
fn replace_keys(c: &Connection, rec: &RecordRow, keys: &[UniqueKey], fresh: bool) -> rusqlite::Result<()> {
    if !fresh {
        c.prepare_cached("DELETE FROM record_keys WHERE org_id = ?1 AND record_id = ?2")?
            .execute(params![rec.org_id.as_i64(), rec.id.as_i64()])?;
    }
    let mut insert = c.prepare_cached("INSERT INTO record_keys (org_id, module, field, value, record_id) VALUES (?1, ?2, ?3, ?4, ?5)")?;
    for key in keys {
        insert.execute(params![rec.org_id.as_i64(), rec.module, key.field, key.value, rec.id.as_i64()])?;
    }
    Ok(())
}

pub fn insert(tx: &Connection, rec: &RecordRow, keys: &[UniqueKey]) -> rusqlite::Result<WriteOutcome> {
    if let Some(duplicate) = held_by_another(tx, rec, keys)? {
        return Ok(duplicate);
    }
    insert_row(tx, rec)?;
    replace_keys(tx, rec, keys, true)?;
    put_words(tx, rec, false)?;
    Ok(WriteOutcome::Written)
}

pub fn update(tx: &Connection, rec: &RecordRow, keys: &[UniqueKey]) -> rusqlite::Result<WriteOutcome> {
    let exists: bool = tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM records WHERE org_id = ?1 AND id = ?2 AND module = ?3 AND deleted_time IS NULL)")?
        .query_row(params![rec.org_id.as_i64(), rec.id.as_i64(), rec.module], |r| r.get(0))?;
    if !exists {
        return Ok(WriteOutcome::NotFound);
    }
    if let Some(duplicate) = held_by_another(tx, rec, keys)? {
        return Ok(duplicate);
    }
    tx.prepare_cached(
        "UPDATE records SET name = ?3, owner_id = ?4, modified_by = ?5, modified_time = ?6, data = ?7 WHERE org_id = ?1 AND id = ?2",
    )?
    .execute(params![
        rec.org_id.as_i64(),
        rec.id.as_i64(),
        rec.name,
        rec.owner_id.as_i64(),
        rec.modified_by.as_i64(),
        rec.modified_time,
        rec.data.as_str()
    ])?;
    replace_keys(tx, rec, keys, false)?;
    put_words(tx, rec, true)?;
    Ok(WriteOutcome::Written)
}

pub fn get(c: &Connection, org_id: crm::Id, module: &str, record_id: crm::Id) -> rusqlite::Result<Option<RecordRow>> {
    c.prepare_cached(concat!(
        "SELECT ",
        columns!(),
        " FROM records WHERE org_id = ?1 AND id = ?2 AND module = ?3 AND deleted_time IS NULL"
    ))?
    .query_row(params![org_id.as_i64(), record_id.as_i64(), module], row_from)
    .optional()
}

fn to_sqlite(values: Vec<SqlValue>) -> Vec<rusqlite::types::Value> {
    values
        .into_iter()
        .map(|v| match v {
            SqlValue::Int(i) => rusqlite::types::Value::Integer(i),
            SqlValue::Real(f) => rusqlite::types::Value::Real(f),
            SqlValue::Bool(b) => rusqlite::types::Value::Integer(i64::from(b)),
            SqlValue::Text(t) => rusqlite::types::Value::Text(t),
        })
        .collect()
}

/// `WHERE` for live records of `module` that pass `filters`, and its parameters. The module is
/// written as a literal so that the partial indexes of search apply.
fn live_where(org_id: crm::Id, module: &str, filters: &[RecordFilter]) -> rusqlite::Result<(String, Builder<'static, Sqlite>)> {
    let mut b = Builder::new(&Sqlite, vec![SqlValue::Int(org_id.as_i64())], true);
    let module = b.module_is(module);
    b.or_scope = Some(format!("org_id = ?1 AND {module} AND deleted_time IS NULL"));
    let filters = b.filters(filters, "?1");
    if b.refused {
        return Err(rusqlite::Error::InvalidQuery);
    }
    Ok((format!("WHERE org_id = ?1 AND {module} AND deleted_time IS NULL{filters}"), b))
}

pub fn list(c: &Connection, org_id: crm::Id, q: &ListQuery) -> rusqlite::Result<Vec<RecordRow>> {
    let direction = if q.descending { "DESC" } else { "ASC" };
    let (condition, mut b) = live_where(org_id, &q.module, &q.filters)?;
    let order = match &q.sort {
        SortKey::Id => format!("id {direction}"),
        SortKey::CreatedTime => format!("created_time {direction}, id {direction}"),
        SortKey::ModifiedTime => format!("modified_time {direction}, id {direction}"),
        SortKey::Field(field) => {
            let path = b.bind(SqlValue::Text(format!("$.\"{}\"", field.replace('"', ""))));
            format!("json_extract(data, {path}) {direction}, id {direction}")
        }
    };
    let sql = format!("SELECT {COLUMNS} FROM records {condition} ORDER BY {order} LIMIT {} OFFSET {}", q.limit, q.offset);
    let mut stmt = c.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(to_sqlite(b.params)), row_from)?;
    rows.collect()
}

pub fn count(c: &Connection, org_id: crm::Id, q: &ListQuery) -> rusqlite::Result<u64> {
    let (condition, b) = live_where(org_id, &q.module, &q.filters)?;
    c.prepare_cached(&format!("SELECT COUNT(*) FROM records {condition}"))?
        .query_row(params_from_iter(to_sqlite(b.params)), |r| r.get::<_, i64>(0))
        .map(|n| n as u64)
}

/// The statement of a search or COQL read: the page's ids first (from the indexes alone when
/// they cover the condition and the order), then those records.
fn query_sql(org_id: crm::Id, q: &RecordQuery) -> rusqlite::Result<(String, Vec<SqlValue>)> {
    let (condition, b) = live_where(org_id, &q.module, &q.filters)?;
    let order = order_by(&Sqlite, &q.order).ok_or(rusqlite::Error::InvalidQuery)?;
    let sql = format!(
        "SELECT {COLUMNS} FROM records WHERE org_id = ?1 AND id IN (SELECT id FROM records {condition} ORDER BY {order} LIMIT {} OFFSET {}) ORDER BY {order}",
        q.limit, q.offset
    );
    Ok((sql, b.params))
}

pub fn query(c: &Connection, org_id: crm::Id, q: &RecordQuery) -> rusqlite::Result<Vec<RecordRow>> {
    let (sql, params) = query_sql(org_id, q)?;
    // Cached: planning a statement over a table with dozens of indexes costs more than running
    // an indexed search, and the same shapes come again with other values.
    let mut stmt = c.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(to_sqlite(params)), row_from)?;
    rows.collect()
}

/// SQLite's plan for a search or COQL read (`count`: for counting its matches).
pub fn explain(c: &Connection, org_id: crm::Id, q: &RecordQuery, count: bool) -> rusqlite::Result<Vec<String>> {
    let (sql, params) = if count {
        let (condition, b) = live_where(org_id, &q.module, &q.filters)?;
        (format!("SELECT COUNT(*) FROM records {condition}"), b.params)
    } else {
        query_sql(org_id, q)?
    };
    let mut stmt = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
    let rows =
        stmt.query_map(params_from_iter(to_sqlite(params)), |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(3)?)))?;
    let rows: Vec<(i64, i64, String)> = rows.collect::<rusqlite::Result<_>>()?;
    let depth = |mut parent: i64| {
        let mut d = 0;
        while let Some(p) = rows.iter().find(|(id, _, _)| *id == parent) {
            d += 1;
            parent = p.1;
        }
        d
    };
    Ok(rows.iter().map(|(_, parent, detail)| format!("{}{detail}", "  ".repeat(depth(*parent)))).collect())
}

pub fn deleted(c: &Connection, org_id: crm::Id, q: &DeletedQuery) -> rusqlite::Result<Vec<DeletedRow>> {
    let mut b = Builder::new(&Sqlite, vec![SqlValue::Int(org_id.as_i64()), SqlValue::Text(q.module.clone())], true);
    let mut condition = "WHERE org_id = ?1 AND module = ?2 AND deleted_time IS NOT NULL".to_string();
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
    let mut stmt = c.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(to_sqlite(b.params)), |r| {
        Ok(DeletedRow { id: id(r.get(0)?), name: r.get(1)?, created_by: id(r.get(2)?), deleted_by: id(r.get(3)?), deleted_time: r.get(4)? })
    })?;
    rows.collect()
}

pub fn by_key(c: &Connection, org_id: crm::Id, module: &str, field: &str, value: &str) -> rusqlite::Result<Option<crm::Id>> {
    c.query_row(
        "SELECT record_id FROM record_keys WHERE org_id = ?1 AND module = ?2 AND field = ?3 AND value = ?4",
        params![org_id.as_i64(), module, field, value],
        |r| r.get::<_, i64>(0),
    )
    .optional()
    .map(|o| o.map(id))
}

pub fn put_link(tx: &Connection, org_id: crm::Id, link: &Link, now: i64) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO record_links (org_id, kind, a_id, b_id, data, created_time) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (org_id, kind, a_id, b_id) DO UPDATE SET data = excluded.data",
        params![org_id.as_i64(), link.kind, link.a_id.as_i64(), link.b_id.as_i64(), Value::Object(link.data.clone()).to_string(), now],
    )?;
    Ok(())
}

pub fn delete_link(tx: &Connection, org_id: crm::Id, kind: &str, a: crm::Id, b: crm::Id) -> rusqlite::Result<bool> {
    let n = tx.execute(
        "DELETE FROM record_links WHERE org_id = ?1 AND kind = ?2 AND a_id = ?3 AND b_id = ?4",
        params![org_id.as_i64(), kind, a.as_i64(), b.as_i64()],
    )?;
    Ok(n > 0)
}

pub fn links(
    c: &Connection,
    org_id: crm::Id,
    kind: &str,
    parent_is_a: bool,
    parent: crm::Id,
    others: &[crm::Id],
) -> rusqlite::Result<Vec<Link>> {
    if others.is_empty() {
        return Ok(Vec::new());
    }
    let (mine, other) = if parent_is_a { ("a_id", "b_id") } else { ("b_id", "a_id") };
    let marks: Vec<String> = (4..others.len() + 4).map(|i| format!("?{i}")).collect();
    let sql = format!(
        "SELECT a_id, b_id, data FROM record_links WHERE org_id = ?1 AND kind = ?2 AND {mine} = ?3 AND {other} IN ({})",
        marks.join(", ")
    );
    let mut args: Vec<rusqlite::types::Value> = vec![org_id.as_i64().into(), kind.to_string().into(), parent.as_i64().into()];
    args.extend(others.iter().map(|o| rusqlite::types::Value::from(o.as_i64())));
    let mut stmt = c.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(args), |r| {
        let data: String = r.get(2)?;
        Ok(Link { kind: kind.to_string(), a_id: id(r.get(0)?), b_id: id(r.get(1)?), data: serde_json::from_str(&data).unwrap_or_default() })
    })?;
    rows.collect()
}

pub fn delete(tx: &Connection, org_id: crm::Id, module: &str, record_id: crm::Id, by: crm::Id, now: i64) -> rusqlite::Result<bool> {
    let changed = tx.execute(
        "UPDATE records SET deleted_time = ?4, deleted_by = ?5 WHERE org_id = ?1 AND id = ?2 AND module = ?3 AND deleted_time IS NULL",
        params![org_id.as_i64(), record_id.as_i64(), module, now, by.as_i64()],
    )?;
    if changed > 0 {
        tx.execute("DELETE FROM record_keys WHERE org_id = ?1 AND record_id = ?2", params![org_id.as_i64(), record_id.as_i64()])?;
        tx.execute("DELETE FROM record_words WHERE rowid = ?1", [record_id.as_i64()])?;
    }
    Ok(changed > 0)
}

pub fn names(c: &Connection, org_id: crm::Id, ids: &[crm::Id]) -> rusqlite::Result<Vec<RecordName>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (2..ids.len() + 2).map(|i| format!("?{i}")).collect();
    let sql = format!("SELECT id, module, name FROM records WHERE org_id = ?1 AND deleted_time IS NULL AND id IN ({})", marks.join(", "));
    let mut args: Vec<i64> = vec![org_id.as_i64()];
    args.extend(ids.iter().map(|i| i.as_i64()));
    let mut stmt = c.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(args), |r| Ok(RecordName { id: id(r.get(0)?), module: r.get(1)?, name: r.get(2)? }))?;
    rows.collect()
}
