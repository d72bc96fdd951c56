//! Records and their unique keys: PostgreSQL statements.

use deadpool_postgres::GenericClient;
use serde_json::Value;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use super::id;
use crate::*;

const COLUMNS: &str = "org_id, module, id, name, owner_id, created_by, modified_by, created_time, modified_time, data";

fn row_from(r: &Row) -> RecordRow {
    let data: Value = r.get(9);
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
        data: match data {
            Value::Object(map) => map,
            _ => Default::default(),
        },
    }
}

async fn claim_keys(tx: &impl GenericClient, rec: &RecordRow, keys: &[UniqueKey]) -> Result<Option<WriteOutcome>> {
    for key in keys {
        // ON CONFLICT waits for a concurrent claimant to finish, so two nodes cannot both win.
        let inserted = tx
            .execute(
                "INSERT INTO record_keys (org_id, module, field, value, record_id) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                &[&rec.org_id.as_i64(), &rec.module, &key.field, &key.value, &rec.id.as_i64()],
            )
            .await?;
        if inserted == 0 {
            let row = tx
                .query_one(
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
    tx.execute(
        &format!("INSERT INTO records ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"),
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
            &Value::Object(rec.data.clone()),
        ],
    )
    .await?;
    Ok(WriteOutcome::Written)
}

pub async fn update(tx: &impl GenericClient, rec: &RecordRow, keys: &[UniqueKey]) -> Result<WriteOutcome> {
    let exists = tx
        .query_opt(
            "SELECT 1 FROM records WHERE org_id = $1 AND id = $2 AND module = $3 AND deleted_time IS NULL FOR UPDATE",
            &[&rec.org_id.as_i64(), &rec.id.as_i64(), &rec.module],
        )
        .await?
        .is_some();
    if !exists {
        return Ok(WriteOutcome::NotFound);
    }
    tx.execute("DELETE FROM record_keys WHERE org_id = $1 AND record_id = $2", &[&rec.org_id.as_i64(), &rec.id.as_i64()]).await?;
    if let Some(duplicate) = claim_keys(tx, rec, keys).await? {
        return Ok(duplicate);
    }
    tx.execute(
        "UPDATE records SET name = $3, owner_id = $4, modified_by = $5, modified_time = $6, data = $7 WHERE org_id = $1 AND id = $2",
        &[
            &rec.org_id.as_i64(),
            &rec.id.as_i64(),
            &rec.name,
            &rec.owner_id.as_i64(),
            &rec.modified_by.as_i64(),
            &rec.modified_time,
            &Value::Object(rec.data.clone()),
        ],
    )
    .await?;
    Ok(WriteOutcome::Written)
}

pub async fn get(c: &impl GenericClient, org_id: crm::Id, module: &str, record_id: crm::Id) -> Result<Option<RecordRow>> {
    let row = c
        .query_opt(
            &format!("SELECT {COLUMNS} FROM records WHERE org_id = $1 AND id = $2 AND module = $3 AND deleted_time IS NULL"),
            &[&org_id.as_i64(), &record_id.as_i64(), &module],
        )
        .await?;
    Ok(row.as_ref().map(row_from))
}

pub async fn list(c: &impl GenericClient, org_id: crm::Id, q: &ListQuery) -> Result<Vec<RecordRow>> {
    let direction = if q.descending { "DESC" } else { "ASC" };
    let org = org_id.as_i64();
    let mut params: Vec<Box<dyn ToSql + Sync + Send>> = vec![Box::new(org), Box::new(q.module.clone())];
    let order = match &q.sort {
        SortKey::Id => format!("id {direction}"),
        SortKey::CreatedTime => format!("created_time {direction}, id {direction}"),
        SortKey::ModifiedTime => format!("modified_time {direction}, id {direction}"),
        SortKey::Field(field) => {
            params.push(Box::new(field.clone()));
            format!("data -> $3 {direction}, id {direction}")
        }
    };
    let mut filter = String::new();
    if let Some(ids) = &q.ids {
        params.push(Box::new(ids.iter().map(|i| i.as_i64()).collect::<Vec<i64>>()));
        filter = format!(" AND id = ANY(${})", params.len());
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM records WHERE org_id = $1 AND module = $2 AND deleted_time IS NULL{filter} ORDER BY {order} LIMIT {} OFFSET {}",
        q.limit, q.offset
    );
    let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| &**p as &(dyn ToSql + Sync)).collect();
    Ok(c.query(&sql, &refs).await?.iter().map(row_from).collect())
}

pub async fn delete(tx: &impl GenericClient, org_id: crm::Id, module: &str, record_id: crm::Id, by: crm::Id, now: i64) -> Result<bool> {
    let changed = tx
        .execute(
            "UPDATE records SET deleted_time = $4, deleted_by = $5 WHERE org_id = $1 AND id = $2 AND module = $3 AND deleted_time IS NULL",
            &[&org_id.as_i64(), &record_id.as_i64(), &module, &now, &by.as_i64()],
        )
        .await?;
    if changed > 0 {
        tx.execute("DELETE FROM record_keys WHERE org_id = $1 AND record_id = $2", &[&org_id.as_i64(), &record_id.as_i64()]).await?;
    }
    Ok(changed > 0)
}

pub async fn names(c: &impl GenericClient, org_id: crm::Id, ids: &[crm::Id]) -> Result<Vec<RecordName>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = ids.iter().map(|i| i.as_i64()).collect();
    let rows = c
        .query(
            "SELECT id, module, name FROM records WHERE org_id = $1 AND deleted_time IS NULL AND id = ANY($2)",
            &[&org_id.as_i64(), &ids],
        )
        .await?;
    Ok(rows.iter().map(|r| RecordName { id: id(r.get(0)), module: r.get(1), name: r.get(2) }).collect())
}
