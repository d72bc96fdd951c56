//! Search and COQL on PostgreSQL: the indexes the schema asks for, and the words of records
//! written before `word` search existed.

use deadpool_postgres::GenericClient;

use crate::filters::Postgres;
use crate::search::{custom_field_ddls, default_index_ddls, words_of};
use crate::{RecordData, Result};

/// Creates the indexes of default fields and of every organization's custom fields.
pub async fn ensure_indexes(c: &impl GenericClient) -> Result<()> {
    for ddl in default_index_ddls(&Postgres) {
        c.batch_execute(&ddl).await?;
    }
    for row in c.query("SELECT DISTINCT org_id FROM custom_fields", &[]).await? {
        for field in super::accounts::custom_fields(c, crm::Id::from_i64(row.get(0))).await? {
            index_custom_field(c, &field).await?;
        }
    }
    Ok(())
}

/// The index of a new custom field.
pub async fn index_custom_field(c: &impl GenericClient, field: &crm::modules::CustomField) -> Result<()> {
    for ddl in custom_field_ddls(&Postgres, field) {
        c.batch_execute(&ddl).await?;
    }
    Ok(())
}

/// Fills the words of every live record (once, when `word` search arrives in a database).
pub async fn backfill_words(c: &impl GenericClient) -> Result<()> {
    for org in c.query("SELECT DISTINCT org_id FROM records WHERE deleted_time IS NULL", &[]).await? {
        let org_id = crm::Id::from_i64(org.get(0));
        let schema = crm::modules::Schema::for_org(org_id, &super::accounts::custom_fields(c, org_id).await?);
        let rows = c.query("SELECT id, module, data FROM records WHERE org_id = $1 AND deleted_time IS NULL", &[&org_id.as_i64()]).await?;
        for row in rows {
            let (id, module, data): (i64, String, serde_json::Value) = (row.get(0), row.get(1), row.get(2));
            let words = words_of(&schema, &module, data.as_object().unwrap_or(&serde_json::Map::new()));
            c.execute(
                "UPDATE records SET words = array_to_tsvector($3::text[]) WHERE org_id = $1 AND id = $2",
                &[&org_id.as_i64(), &id, &words],
            )
            .await?;
        }
    }
    Ok(())
}

/// Inserts many records at once (seeding) in the caller's transaction: rows whose unique values
/// are taken are skipped. Returns how many were written.
pub async fn bulk_insert(c: &impl GenericClient, rows: &[(crate::RecordRow, Vec<crate::UniqueKey>)]) -> Result<u64> {
    use std::collections::HashMap;
    let (mut k_org, mut k_module, mut k_field, mut k_value, mut k_record) = (vec![], vec![], vec![], vec![], vec![]);
    for (rec, keys) in rows {
        for key in keys {
            k_org.push(rec.org_id.as_i64());
            k_module.push(rec.module.clone());
            k_field.push(key.field.clone());
            k_value.push(key.value.clone());
            k_record.push(rec.id.as_i64());
        }
    }
    let claimed = c
        .query(
            "INSERT INTO record_keys (org_id, module, field, value, record_id)
             SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[]) ON CONFLICT DO NOTHING RETURNING record_id",
            &[&k_org, &k_module, &k_field, &k_value, &k_record],
        )
        .await?;
    let mut got: HashMap<i64, usize> = HashMap::new();
    for row in claimed {
        *got.entry(row.get(0)).or_default() += 1;
    }
    let (keep, lost): (Vec<_>, Vec<_>) = rows.iter().partition(|(rec, keys)| got.get(&rec.id.as_i64()).copied().unwrap_or(0) == keys.len());
    for (rec, _) in &lost {
        c.execute("DELETE FROM record_keys WHERE org_id = $1 AND record_id = $2", &[&rec.org_id.as_i64(), &rec.id.as_i64()]).await?;
    }
    let col = |f: fn(&crate::RecordRow) -> i64| keep.iter().map(|(r, _)| f(r)).collect::<Vec<i64>>();
    let (orgs, ids, owners, creators, modifiers, created, modified) = (
        col(|r| r.org_id.as_i64()),
        col(|r| r.id.as_i64()),
        col(|r| r.owner_id.as_i64()),
        col(|r| r.created_by.as_i64()),
        col(|r| r.modified_by.as_i64()),
        col(|r| r.created_time),
        col(|r| r.modified_time),
    );
    let modules: Vec<String> = keep.iter().map(|(r, _)| r.module.clone()).collect();
    let names: Vec<String> = keep.iter().map(|(r, _)| r.name.clone()).collect();
    let data: Vec<&RecordData> = keep.iter().map(|(r, _)| &r.data).collect();
    let words: Vec<String> = keep.iter().map(|(r, _)| r.words.join(" ")).collect();
    c.execute(
        "INSERT INTO records (org_id, module, id, name, owner_id, created_by, modified_by, created_time, modified_time, data, words)
         SELECT o, m, i, n, ow, cb, mb, ct, mt, d, array_to_tsvector(string_to_array(w, ' '))
         FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::jsonb[], $11::text[])
              AS t(o, m, i, n, ow, cb, mb, ct, mt, d, w)",
        &[&orgs, &modules, &ids, &names, &owners, &creators, &modifiers, &created, &modified, &data, &words],
    )
    .await?;
    Ok(keep.len() as u64)
}
