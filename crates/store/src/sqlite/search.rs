//! Search and COQL on SQLite: the indexes the schema asks for, and the words of records written
//! before `word` search existed.

use rusqlite::{params, Connection};

use crate::{RecordRow, UniqueKey};

use crate::filters::Sqlite;
use crate::search::{custom_field_ddls, default_index_ddls, words_of};

/// Creates the indexes of default fields and of every organization's custom fields.
pub fn ensure_indexes(c: &Connection) -> rusqlite::Result<()> {
    for ddl in default_index_ddls(&Sqlite) {
        c.execute_batch(&ddl)?;
    }
    let orgs: Vec<i64> =
        c.prepare("SELECT DISTINCT org_id FROM custom_fields")?.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    for org in orgs {
        for field in super::accounts::custom_fields(c, crm::Id::from_i64(org))? {
            for ddl in custom_field_ddls(&Sqlite, &field) {
                c.execute_batch(&ddl)?;
            }
        }
    }
    seed_planner_stats(c)
}

/// Planner statistics for the records table until `ANALYZE` measures real ones. Without any,
/// SQLite assumes an organization's records are few and walks them by primary key rather than
/// through a field's index; these figures describe a large table, where an organization has many
/// records and a field value few (SQLite documents writing `sqlite_stat1` for this purpose).
pub fn seed_planner_stats(c: &Connection) -> rusqlite::Result<()> {
    c.execute_batch("ANALYZE sqlite_schema")?;
    let measured: bool = c.query_row("SELECT EXISTS (SELECT 1 FROM sqlite_stat1 WHERE tbl = 'records')", [], |r| r.get(0))?;
    if measured {
        return Ok(());
    }
    let indexes: Vec<String> = c
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'records' AND sql IS NOT NULL")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut insert = c.prepare("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('records', ?1, ?2)")?;
    for name in indexes {
        let stat = match name.as_str() {
            "records_by_module" | "records_by_modified" | "records_by_created" => "1000000 20000 20000 20000 1",
            "records_by_owner" => "1000000 20000 20000 20000 4000 1",
            "records_by_deleted" => "10000 200 50 1",
            _ => "1000000 20000 20000 20000 3 1 1",
        };
        insert.execute(params![name, stat])?;
    }
    // Loads the figures on this connection; the others load them with the schema.
    c.execute_batch("ANALYZE sqlite_schema")?;
    Ok(())
}

/// The index of a new custom field.
pub fn index_custom_field(c: &Connection, field: &crm::modules::CustomField) -> rusqlite::Result<()> {
    for ddl in custom_field_ddls(&Sqlite, field) {
        c.execute_batch(&ddl)?;
    }
    Ok(())
}

/// Fills the words of every live record (once, when `word` search arrives in a database).
pub fn backfill_words(c: &Connection) -> rusqlite::Result<()> {
    let orgs: Vec<i64> = c
        .prepare("SELECT DISTINCT org_id FROM records WHERE deleted_time IS NULL")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut insert = c.prepare("INSERT INTO record_words (rowid, words) VALUES (?1, ?2)")?;
    for org in orgs {
        let org_id = crm::Id::from_i64(org);
        let schema = crm::modules::Schema::for_org(org_id, &super::accounts::custom_fields(c, org_id)?);
        let mut stmt = c.prepare("SELECT id, module, data FROM records WHERE org_id = ?1 AND deleted_time IS NULL")?;
        let rows = stmt.query_map([org], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
        for row in rows {
            let (id, module, data) = row?;
            let data = serde_json::from_str(&data).unwrap_or_default();
            let words = words_of(&schema, &module, &data);
            if !words.is_empty() {
                insert.execute(params![id, words.join(" ")])?;
            }
        }
    }
    Ok(())
}

/// Inserts many records at once (seeding): rows whose unique values are taken are skipped.
/// Returns how many were written.
pub fn bulk_insert(c: &Connection, rows: &[(RecordRow, Vec<UniqueKey>)]) -> rusqlite::Result<u64> {
    // A bulk load touches every index of the records table at random places: a page cache that
    // holds them saves most reads (256 MB on the writer connection, kept for later loads).
    c.execute_batch("PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 50000")?;
    let mut claim =
        c.prepare_cached("INSERT OR IGNORE INTO record_keys (org_id, module, field, value, record_id) VALUES (?1, ?2, ?3, ?4, ?5)")?;
    let mut release = c.prepare_cached("DELETE FROM record_keys WHERE org_id = ?1 AND record_id = ?2")?;
    let mut words = c.prepare_cached("INSERT INTO record_words (rowid, words) VALUES (?1, ?2)")?;
    let mut written = 0;
    for (rec, keys) in rows {
        let mut free = true;
        for key in keys {
            if claim.execute(params![rec.org_id.as_i64(), rec.module, key.field, key.value, rec.id.as_i64()])? == 0 {
                free = false;
                break;
            }
        }
        if !free {
            release.execute(params![rec.org_id.as_i64(), rec.id.as_i64()])?;
            continue;
        }
        super::records::insert_row(c, rec)?;
        if !rec.words.is_empty() {
            words.execute(params![rec.id.as_i64(), rec.words.join(" ")])?;
        }
        written += 1;
    }
    Ok(written)
}
