//! PostgreSQL's plans on a database that is filling up: what a test suite or a benchmark sees on a
//! fresh database, before autovacuum has analysed anything. Needs the PostgreSQL of
//! `BIGINBOX_TEST_PG_URL` (an admin URL; default `postgres://postgres@127.0.0.1:5432/postgres`).

use std::sync::Arc;

use crm::Id;
use store::{RecordData, RecordRow, Store, UniqueKey, WriteOutcome};
use tokio_postgres::{Client, NoTls};

const ORG: i64 = 7_000_001;

fn admin_url() -> String {
    std::env::var("BIGINBOX_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

async fn client(url: &str) -> Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await.unwrap_or_else(|err| panic!("connecting to {url}: {err}"));
    tokio::spawn(connection);
    client
}

/// The URL of database `name` on the admin URL's server.
fn database_url(name: &str) -> String {
    format!("{}/{name}", admin_url().rsplit_once('/').expect("a URL with a database").0)
}

/// A fresh database, migrated, and a client on it; dropped by `drop_database`.
async fn fresh_database(tag: &str) -> (String, Arc<dyn Store>, Client) {
    let name = format!("biginbox_planner_{tag}_{}", std::process::id());
    let admin = client(&admin_url()).await;
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await.unwrap();
    admin.batch_execute(&format!("CREATE DATABASE {name}")).await.unwrap();
    let store = store::open(&database_url(&name)).await.unwrap();
    store.migrate().await.unwrap();
    let db = client(&database_url(&name)).await;
    (name, store, db)
}

/// A fresh database holding 300 contacts, fewer than the writes that bring statistics.
async fn unanalyzed_database(tag: &str) -> (String, Arc<dyn Store>, Client) {
    let (name, store, db) = fresh_database(tag).await;
    insert_contacts(store.as_ref(), 0, 300).await;
    store.maintenance_idle().await;
    assert!(planner_rows(&db).await < 0.0, "no statistics yet");
    (name, store, db)
}

async fn drop_database(name: &str) {
    client(&admin_url()).await.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await.unwrap();
}

fn contact(n: i64) -> (RecordRow, Vec<UniqueKey>) {
    let mut data = serde_json::Map::new();
    data.insert("Last_Name".into(), format!("Last {n}").into());
    data.insert("Email".into(), format!("c{n}@example.com").into());
    let row = RecordRow {
        org_id: Id::from_i64(ORG),
        module: "Contacts".into(),
        id: Id::from_i64(1_000_000 + n),
        name: format!("Last {n}"),
        owner_id: Id::from_i64(1),
        created_by: Id::from_i64(1),
        modified_by: Id::from_i64(1),
        created_time: 1_700_000_000_000 + n,
        modified_time: 1_700_000_000_000 + n,
        data: RecordData::from_map(&data),
        words: vec![format!("last{n}")],
    };
    (row, Vec::new())
}

async fn insert_contacts(store: &dyn Store, from: i64, count: i64) {
    let rows: Vec<_> = (from..from + count).map(contact).collect();
    for chunk in rows.chunks(100) {
        let outcomes = store.insert_records(chunk).await.unwrap();
        assert!(outcomes.iter().all(|o| *o == WriteOutcome::Written));
    }
}

async fn planner_rows(db: &Client) -> f32 {
    db.query_one("SELECT reltuples FROM pg_class WHERE oid = 'records'::regclass", &[]).await.unwrap().get(0)
}

async fn plan(db: &Client, sql: &str) -> String {
    let rows = db.query(&format!("EXPLAIN {sql}"), &[]).await.unwrap();
    rows.iter().map(|r| r.get::<_, String>(0)).collect::<Vec<_>>().join("\n")
}

#[tokio::test]
async fn writes_through_the_store_bring_the_planner_statistics_as_the_table_grows() {
    let (name, store, db) = fresh_database("stats").await;
    insert_contacts(store.as_ref(), 0, 400).await;
    store.maintenance_idle().await;
    assert!(planner_rows(&db).await < 0.0, "fewer writes than the threshold leave the table unanalysed");

    // Each analysis waits for the writes before it to finish here, so it counts them all.
    insert_contacts(store.as_ref(), 400, 100).await;
    store.maintenance_idle().await;
    assert_eq!(planner_rows(&db).await, 500.0, "the 500th write analyses the table");
    let list =
        format!("SELECT id FROM records WHERE org_id = {ORG} AND module = 'Contacts' AND deleted_time IS NULL ORDER BY id LIMIT 201");
    let list_plan = plan(&db, &list).await;
    assert!(!list_plan.contains("Sort"), "with statistics, a page walks an index in id order:\n{list_plan}");

    // The next one comes after a tenth of the rows counted, and at least 500 more writes.
    insert_contacts(store.as_ref(), 500, 400).await;
    store.maintenance_idle().await;
    assert_eq!(planner_rows(&db).await, 500.0);
    insert_contacts(store.as_ref(), 900, 100).await;
    store.maintenance_idle().await;
    assert_eq!(planner_rows(&db).await, 1000.0);

    drop(store);
    drop_database(&name).await;
}

#[tokio::test]
async fn a_store_opened_on_a_filled_database_never_analyzed_analyzes_it_at_migration() {
    let (name, store, db) = unanalyzed_database("reopen").await;
    drop(store);

    let reopened = store::open(&database_url(&name)).await.unwrap();
    reopened.migrate().await.unwrap();
    assert_eq!(planner_rows(&db).await, 300.0);

    drop(reopened);
    drop_database(&name).await;
}

#[tokio::test]
async fn reads_and_deletes_by_id_check_the_module_and_the_recycle_bin_on_the_row_found() {
    let (name, store, _db) = unanalyzed_database("point").await;

    let id = Id::from_i64(1_000_123);
    let found = store.record(Id::from_i64(ORG), "Contacts", id).await.unwrap().expect("the contact");
    assert_eq!(found.name, "Last 123");
    assert!(store.record(Id::from_i64(ORG), "Accounts", id).await.unwrap().is_none(), "another module's id is not found");

    assert!(!store.delete_record(Id::from_i64(ORG), "Accounts", id, Id::from_i64(1), 1).await.unwrap(), "wrong module");
    assert!(store.delete_record(Id::from_i64(ORG), "Contacts", id, Id::from_i64(1), 1).await.unwrap());
    assert!(store.record(Id::from_i64(ORG), "Contacts", id).await.unwrap().is_none(), "in the recycle bin");
    assert!(!store.delete_record(Id::from_i64(ORG), "Contacts", id, Id::from_i64(1), 2).await.unwrap(), "already deleted");

    drop(store);
    drop_database(&name).await;
}
