//! Records and their unique keys: SQLite statements.

use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row, Transaction};
use serde_json::{Map, Value};

use super::id;
use crate::*;

const COLUMNS: &str = "org_id, module, id, name, owner_id, created_by, modified_by, created_time, modified_time, data";

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
        data: serde_json::from_str::<Map<String, Value>>(&data).unwrap_or_default(),
    })
}

/// Claims the unique keys of a record, or reports the live record that holds one of them.
fn claim_keys(tx: &Transaction<'_>, rec: &RecordRow, keys: &[UniqueKey]) -> rusqlite::Result<Option<WriteOutcome>> {
    for key in keys {
        let holder: Option<i64> = tx
            .query_row(
                "SELECT record_id FROM record_keys WHERE org_id = ?1 AND module = ?2 AND field = ?3 AND value = ?4",
                params![rec.org_id.as_i64(), rec.module, key.field, key.value],
                |r| r.get(0),
            )
            .optional()?;
        match holder {
            Some(holder) if holder != rec.id.as_i64() => {
                return Ok(Some(WriteOutcome::Duplicate { field: key.field.clone(), existing_id: id(holder) }));
            }
            Some(_) => {}
            None => {
                tx.execute(
                    "INSERT INTO record_keys (org_id, module, field, value, record_id) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![rec.org_id.as_i64(), rec.module, key.field, key.value, rec.id.as_i64()],
                )?;
            }
        }
    }
    Ok(None)
}

pub fn insert(tx: &Transaction<'_>, rec: &RecordRow, keys: &[UniqueKey]) -> rusqlite::Result<WriteOutcome> {
    if let Some(duplicate) = claim_keys(tx, rec, keys)? {
        return Ok(duplicate);
    }
    tx.execute(
        &format!("INSERT INTO records ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"),
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
            Value::Object(rec.data.clone()).to_string()
        ],
    )?;
    Ok(WriteOutcome::Written)
}

pub fn update(tx: &Transaction<'_>, rec: &RecordRow, keys: &[UniqueKey]) -> rusqlite::Result<WriteOutcome> {
    let exists: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM records WHERE org_id = ?1 AND id = ?2 AND module = ?3 AND deleted_time IS NULL)",
        params![rec.org_id.as_i64(), rec.id.as_i64(), rec.module],
        |r| r.get(0),
    )?;
    if !exists {
        return Ok(WriteOutcome::NotFound);
    }
    // The record's keys are replaced by the ones it now has.
    tx.execute("DELETE FROM record_keys WHERE org_id = ?1 AND record_id = ?2", params![rec.org_id.as_i64(), rec.id.as_i64()])?;
    if let Some(duplicate) = claim_keys(tx, rec, keys)? {
        return Ok(duplicate);
    }
    tx.execute(
        "UPDATE records SET name = ?3, owner_id = ?4, modified_by = ?5, modified_time = ?6, data = ?7 WHERE org_id = ?1 AND id = ?2",
        params![
            rec.org_id.as_i64(),
            rec.id.as_i64(),
            rec.name,
            rec.owner_id.as_i64(),
            rec.modified_by.as_i64(),
            rec.modified_time,
            Value::Object(rec.data.clone()).to_string()
        ],
    )?;
    Ok(WriteOutcome::Written)
}

pub fn get(c: &Connection, org_id: crm::Id, module: &str, record_id: crm::Id) -> rusqlite::Result<Option<RecordRow>> {
    c.query_row(
        &format!("SELECT {COLUMNS} FROM records WHERE org_id = ?1 AND id = ?2 AND module = ?3 AND deleted_time IS NULL"),
        params![org_id.as_i64(), record_id.as_i64(), module],
        row_from,
    )
    .optional()
}

pub fn list(c: &Connection, org_id: crm::Id, q: &ListQuery) -> rusqlite::Result<Vec<RecordRow>> {
    let direction = if q.descending { "DESC" } else { "ASC" };
    let mut args: Vec<rusqlite::types::Value> = vec![org_id.as_i64().into(), q.module.clone().into()];
    let order = match &q.sort {
        SortKey::Id => format!("id {direction}"),
        SortKey::CreatedTime => format!("created_time {direction}, id {direction}"),
        SortKey::ModifiedTime => format!("modified_time {direction}, id {direction}"),
        SortKey::Field(field) => {
            args.push(format!("$.\"{}\"", field.replace('"', "")).into());
            format!("json_extract(data, ?3) {direction}, id {direction}")
        }
    };
    let mut filter = String::new();
    if let Some(ids) = &q.ids {
        let first = args.len() + 1;
        let marks: Vec<String> = (first..first + ids.len()).map(|i| format!("?{i}")).collect();
        filter = format!(" AND id IN ({})", marks.join(", "));
        args.extend(ids.iter().map(|i| rusqlite::types::Value::from(i.as_i64())));
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM records WHERE org_id = ?1 AND module = ?2 AND deleted_time IS NULL{filter} ORDER BY {order} LIMIT {} OFFSET {}",
        q.limit, q.offset
    );
    let mut stmt = c.prepare(&sql)?;
    let rows = stmt.query_map(params_from_iter(args), row_from)?;
    rows.collect()
}

pub fn delete(tx: &Transaction<'_>, org_id: crm::Id, module: &str, record_id: crm::Id, by: crm::Id, now: i64) -> rusqlite::Result<bool> {
    let changed = tx.execute(
        "UPDATE records SET deleted_time = ?4, deleted_by = ?5 WHERE org_id = ?1 AND id = ?2 AND module = ?3 AND deleted_time IS NULL",
        params![org_id.as_i64(), record_id.as_i64(), module, now, by.as_i64()],
    )?;
    if changed > 0 {
        tx.execute("DELETE FROM record_keys WHERE org_id = ?1 AND record_id = ?2", params![org_id.as_i64(), record_id.as_i64()])?;
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
    let mut stmt = c.prepare(&sql)?;
    let rows = stmt.query_map(params_from_iter(args), |r| Ok(RecordName { id: id(r.get(0)?), module: r.get(1)?, name: r.get(2)? }))?;
    rows.collect()
}
