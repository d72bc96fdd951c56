//! The PostgreSQL backend, for fleets of stateless nodes sharing one database. Statements are
//! written to stay portable to Postgres-compatible distributed engines: no sequences, no
//! cross-organization joins on the request path.

mod accounts;
mod jsonb;
mod planner_stats;
mod prepared;
mod records;
mod search;

use anyhow::Context;
use async_trait::async_trait;
use crm::Id;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use planner_stats::PlannerStats;
use prepared::Prepared;

use crate::*;

const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_init", include_str!("../../migrations/postgres/0001_init.sql")),
    ("0002_records_everywhere", include_str!("../../migrations/postgres/0002_records_everywhere.sql")),
    ("0003_accounts_complete", include_str!("../../migrations/postgres/0003_accounts_complete.sql")),
    ("0004_search", include_str!("../../migrations/postgres/0004_search.sql")),
    ("0005_team_pipelines", include_str!("../../migrations/postgres/0005_team_pipelines.sql")),
];
const POOL_SIZE: usize = 16;

pub struct PgStore {
    pool: Pool,
    stats: std::sync::Arc<PlannerStats>,
}

impl PgStore {
    pub async fn connect(url: &str) -> Result<Self> {
        let config: tokio_postgres::Config = url.parse().context("parsing the PostgreSQL URL")?;
        let manager = Manager::from_config(config, tokio_postgres::NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager).max_size(POOL_SIZE).build().context("building the PostgreSQL pool")?;
        // Fail at start-up, not on the first request, when the database cannot be reached.
        drop(pool.get().await.with_context(|| format!("connecting to PostgreSQL at {}", redact(url)))?);
        Ok(Self { stats: PlannerStats::new(pool.clone()), pool })
    }

    async fn conn(&self) -> Result<deadpool_postgres::Object> {
        self.pool.get().await.context("getting a PostgreSQL connection")
    }
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{}@{}", &url[..scheme + 3], user, &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

fn id(raw: i64) -> Id {
    Id::from_i64(raw)
}

#[async_trait]
impl Store for PgStore {
    async fn migrate(&self) -> Result<()> {
        let mut conn = self.conn().await?;
        let tx = conn.transaction().await?;
        // One migrator at a time across the fleet.
        tx.execute_prepared("SELECT pg_advisory_xact_lock(72620543991349)", &[]).await?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_time BIGINT NOT NULL)").await?;
        for (name, sql) in MIGRATIONS {
            let done = tx.query_opt_prepared("SELECT 1 FROM schema_migrations WHERE name = $1", &[name]).await?.is_some();
            if !done {
                tx.batch_execute(sql).await.with_context(|| format!("applying migration {name}"))?;
                tx.execute_prepared(
                    "INSERT INTO schema_migrations (name, applied_time) VALUES ($1, (extract(epoch from now()) * 1000)::bigint)",
                    &[name],
                )
                .await?;
                if *name == "0004_search" {
                    search::backfill_words(&tx).await?;
                }
            }
        }
        search::ensure_indexes(&tx).await?;
        tx.commit().await?;
        // Records this node did not write (a restored database, or one filled before a restart
        // below the keeper's threshold) get their first statistics here.
        self.stats.analyze_if_never_analyzed().await
    }

    async fn server_key(&self, candidate: [u8; 32]) -> Result<[u8; 32]> {
        let conn = self.conn().await?;
        conn.execute_prepared(
            "INSERT INTO server_settings (name, value) VALUES ('digest_key', $1) ON CONFLICT (name) DO NOTHING",
            &[&&candidate[..]],
        )
        .await?;
        let row = conn.query_one_prepared("SELECT value FROM server_settings WHERE name = 'digest_key'", &[]).await?;
        let key: Vec<u8> = row.get(0);
        Ok(key.try_into().unwrap_or(candidate))
    }

    async fn create_org(&self, org: &NewOrg) -> Result<CreateOrgOutcome> {
        let mut conn = self.conn().await?;
        let tx = conn.transaction().await?;
        let outcome = accounts::create_org(&tx, org).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    async fn org(&self, org_id: Id) -> Result<Option<Org>> {
        accounts::org(&self.conn().await?, org_id).await
    }

    async fn count_orgs(&self) -> Result<u64> {
        let row = self.conn().await?.query_one_prepared("SELECT COUNT(*) FROM orgs", &[]).await?;
        Ok(row.get::<_, i64>(0) as u64)
    }

    async fn orgs_of_account(&self, account_id: Id) -> Result<Vec<Org>> {
        accounts::orgs_of_account(&self.conn().await?, account_id).await
    }

    async fn account_by_email(&self, email: &str) -> Result<Option<Account>> {
        accounts::account_where(&self.conn().await?, "email_lower = $1", &email.to_lowercase()).await
    }

    async fn account(&self, account_id: Id) -> Result<Option<Account>> {
        accounts::account_where(&self.conn().await?, "id = $1", &account_id.as_i64()).await
    }

    async fn org_users(&self, org_id: Id) -> Result<Vec<OrgUser>> {
        accounts::org_users_where(&self.conn().await?, "org_id = $1 ORDER BY created_time, id", &[&org_id.as_i64()]).await
    }

    async fn org_user(&self, org_id: Id, user_id: Id) -> Result<Option<OrgUser>> {
        let users =
            accounts::org_users_where(&self.conn().await?, "org_id = $1 AND id = $2", &[&org_id.as_i64(), &user_id.as_i64()]).await?;
        Ok(users.into_iter().next())
    }

    async fn org_user_by_account(&self, org_id: Id, account_id: Id) -> Result<Option<OrgUser>> {
        let users =
            accounts::org_users_where(&self.conn().await?, "org_id = $1 AND account_id = $2", &[&org_id.as_i64(), &account_id.as_i64()])
                .await?;
        Ok(users.into_iter().next())
    }

    async fn insert_org_user(&self, user: &OrgUser) -> Result<bool> {
        accounts::insert_org_user(&self.conn().await?, user).await
    }

    async fn update_org_user(&self, user: &OrgUser) -> Result<bool> {
        accounts::update_org_user(&self.conn().await?, user).await
    }

    async fn custom_fields(&self, org_id: Id) -> Result<Vec<crm::modules::CustomField>> {
        accounts::custom_fields(&self.conn().await?, org_id).await
    }

    async fn insert_custom_field(&self, org_id: Id, field: &crm::modules::CustomField, now: i64) -> Result<bool> {
        let mut conn = self.conn().await?;
        let tx = conn.transaction().await?;
        let inserted = accounts::insert_custom_field(&tx, org_id, field, now).await?;
        if inserted {
            search::index_custom_field(&tx, field).await?;
        }
        tx.commit().await?;
        Ok(inserted)
    }

    async fn team_pipelines(&self, org_id: Id) -> Result<Vec<crm::pipelines::PipelineSpec>> {
        accounts::team_pipelines(&self.conn().await?, org_id).await
    }

    async fn insert_team_pipeline(&self, org_id: Id, pipeline: &crm::pipelines::PipelineSpec, now: i64) -> Result<bool> {
        accounts::insert_team_pipeline(&self.conn().await?, org_id, pipeline, now).await
    }

    async fn create_client(&self, client: &Client) -> Result<()> {
        accounts::insert_client(&self.conn().await?, client).await
    }

    async fn client(&self, client_id: &str) -> Result<Option<Client>> {
        Ok(accounts::clients_where(&self.conn().await?, "client_id = $1", &[&client_id]).await?.into_iter().next())
    }

    async fn clients_of_owner(&self, owner: Id) -> Result<Vec<Client>> {
        accounts::clients_where(&self.conn().await?, "owner_account_id = $1 ORDER BY created_time", &[&owner.as_i64()]).await
    }

    async fn delete_client(&self, client_id: &str) -> Result<bool> {
        let mut conn = self.conn().await?;
        let tx = conn.transaction().await?;
        let deleted = accounts::delete_client(&tx, client_id).await?;
        tx.commit().await?;
        Ok(deleted)
    }

    async fn update_client(&self, client: &Client) -> Result<bool> {
        accounts::update_client(&self.conn().await?, client).await
    }

    async fn list_clients(&self) -> Result<Vec<Client>> {
        accounts::clients_where(&self.conn().await?, "TRUE ORDER BY created_time", &[]).await
    }

    async fn refresh_tokens_of_account(&self, account_id: Id) -> Result<Vec<RefreshToken>> {
        accounts::refresh_tokens_of_account(&self.conn().await?, account_id).await
    }

    async fn insert_refreshed_access_token(&self, token: &AccessToken, since: i64, max: u64) -> Result<Refreshed> {
        let mut conn = self.conn().await?;
        let tx = conn.transaction().await?;
        let outcome = accounts::insert_refreshed_access_token(&tx, token, since, max).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    async fn insert_device_code(&self, code: &DeviceCode) -> Result<()> {
        accounts::insert_device_code(&self.conn().await?, code).await
    }

    async fn device_code_by_user_code(&self, user_code: &str) -> Result<Option<DeviceCode>> {
        accounts::device_code_by_user_code(&self.conn().await?, user_code).await
    }

    async fn decide_device_code(&self, user_code: &str, approved: bool, org_id: Id, account_id: Id) -> Result<bool> {
        accounts::decide_device_code(&self.conn().await?, user_code, approved, org_id, account_id).await
    }

    async fn poll_device_code(&self, digest: &[u8], now: i64) -> Result<Option<DeviceCode>> {
        accounts::poll_device_code(&self.conn().await?, digest, now).await
    }

    async fn finish_device_code(&self, digest: &[u8]) -> Result<bool> {
        accounts::finish_device_code(&self.conn().await?, digest).await
    }

    async fn insert_code(&self, code: &GrantCode) -> Result<()> {
        accounts::insert_code(&self.conn().await?, code).await
    }

    async fn consume_code(&self, digest: &[u8], client_id: &str, now: i64) -> Result<CodeUse> {
        accounts::consume_code(&self.conn().await?, digest, client_id, now).await
    }

    async fn code(&self, digest: &[u8]) -> Result<Option<GrantCode>> {
        accounts::code(&self.conn().await?, digest).await
    }

    async fn insert_refresh_token(&self, token: &RefreshToken, keep: u32, now: i64) -> Result<Vec<Id>> {
        let mut conn = self.conn().await?;
        let tx = conn.transaction().await?;
        accounts::lock_refresh_tokens_of(&tx, token.account_id, &token.client_id).await?;
        accounts::insert_refresh_token(&tx, token).await?;
        let evicted = accounts::evict_refresh_tokens(&tx, token.account_id, &token.client_id, keep, now).await?;
        tx.commit().await?;
        Ok(evicted)
    }

    async fn refresh_token(&self, digest: &[u8]) -> Result<Option<RefreshToken>> {
        accounts::refresh_token(&self.conn().await?, digest).await
    }

    async fn insert_access_token(&self, token: &AccessToken) -> Result<()> {
        accounts::insert_access_token(&self.conn().await?, token).await
    }

    async fn access_token(&self, digest: &[u8]) -> Result<Option<AccessToken>> {
        accounts::access_token(&self.conn().await?, digest).await
    }

    async fn revoke_refresh_token(&self, digest: &[u8], now: i64) -> Result<bool> {
        let mut conn = self.conn().await?;
        let tx = conn.transaction().await?;
        let revoked = accounts::revoke_refresh_token(&tx, digest, now).await?;
        tx.commit().await?;
        Ok(revoked)
    }

    async fn revoke_access_token(&self, digest: &[u8], now: i64) -> Result<bool> {
        let changed = self
            .conn()
            .await?
            .execute_prepared("UPDATE access_tokens SET revoked_at = $2 WHERE digest = $1 AND revoked_at IS NULL", &[&digest, &now])
            .await?;
        Ok(changed > 0)
    }

    async fn revoke_tokens_of_code(&self, code_id: Id, now: i64) -> Result<Vec<Vec<u8>>> {
        let mut conn = self.conn().await?;
        let tx = conn.transaction().await?;
        let digests = accounts::revoke_tokens_of_code(&tx, code_id, now).await?;
        tx.commit().await?;
        Ok(digests)
    }

    async fn create_session(&self, s: &Session) -> Result<()> {
        self.conn()
            .await?
            .execute_prepared(
                "INSERT INTO sessions (digest, account_id, created_time, expires_at) VALUES ($1, $2, $3, $4)",
                &[&s.digest, &s.account_id.as_i64(), &s.created_time, &s.expires_at],
            )
            .await?;
        Ok(())
    }

    async fn session(&self, digest: &[u8]) -> Result<Option<Session>> {
        let row = self
            .conn()
            .await?
            .query_opt_prepared("SELECT digest, account_id, created_time, expires_at FROM sessions WHERE digest = $1", &[&digest])
            .await?;
        Ok(row.map(|r| Session { digest: r.get(0), account_id: id(r.get(1)), created_time: r.get(2), expires_at: r.get(3) }))
    }

    async fn delete_session(&self, digest: &[u8]) -> Result<()> {
        self.conn().await?.execute_prepared("DELETE FROM sessions WHERE digest = $1", &[&digest]).await?;
        Ok(())
    }

    async fn insert_record(&self, record: &RecordRow, keys: &[UniqueKey]) -> Result<WriteOutcome> {
        let mut conn = self.conn().await?;
        let tx = conn.transaction().await?;
        let outcome = records::insert(&tx, record, keys).await?;
        finish(tx, &outcome).await?;
        self.stats.wrote(u64::from(outcome == WriteOutcome::Written));
        Ok(outcome)
    }

    async fn insert_records(&self, rows: &[(RecordRow, Vec<UniqueKey>)]) -> Result<Vec<WriteOutcome>> {
        // One transaction, a savepoint per record: a duplicate undoes only its own record.
        let mut conn = self.conn().await?;
        let tx = conn.transaction().await?;
        let mut outcomes = Vec::with_capacity(rows.len());
        for (record, keys) in rows {
            tx.batch_execute("SAVEPOINT record").await?;
            let outcome = records::insert(&tx, record, keys).await?;
            let close = if outcome == WriteOutcome::Written {
                "RELEASE SAVEPOINT record"
            } else {
                "ROLLBACK TO SAVEPOINT record; RELEASE SAVEPOINT record"
            };
            tx.batch_execute(close).await?;
            outcomes.push(outcome);
        }
        tx.commit().await?;
        self.stats.wrote(outcomes.iter().filter(|o| **o == WriteOutcome::Written).count() as u64);
        Ok(outcomes)
    }

    async fn update_record(&self, record: &RecordRow, keys: &[UniqueKey]) -> Result<WriteOutcome> {
        let mut conn = self.conn().await?;
        let tx = conn.transaction().await?;
        let outcome = records::update(&tx, record, keys).await?;
        finish(tx, &outcome).await?;
        self.stats.wrote(u64::from(outcome == WriteOutcome::Written));
        Ok(outcome)
    }

    async fn record(&self, org_id: Id, module: &str, record_id: Id) -> Result<Option<RecordRow>> {
        records::get(&self.conn().await?, org_id, module, record_id).await
    }

    async fn list_records(&self, org_id: Id, query: &ListQuery) -> Result<Vec<RecordRow>> {
        records::list(&self.conn().await?, org_id, query).await
    }

    async fn count_records(&self, org_id: Id, query: &ListQuery) -> Result<u64> {
        records::count(&self.conn().await?, org_id, query).await
    }

    async fn query_records(&self, org_id: Id, query: &RecordQuery) -> Result<Vec<RecordRow>> {
        records::search(&self.conn().await?, org_id, query).await
    }

    async fn explain_records(&self, org_id: Id, query: &RecordQuery, count: bool, avoid_seq_scan: bool) -> Result<Vec<String>> {
        let mut conn = self.conn().await?;
        let tx = conn.transaction().await?;
        if avoid_seq_scan {
            tx.batch_execute("SET LOCAL enable_seqscan = off").await?;
        }
        let plan = records::explain(&tx, org_id, query, count).await?;
        tx.rollback().await?;
        Ok(plan)
    }

    async fn analyze(&self) -> Result<()> {
        // VACUUM also marks the freshly loaded pages all-visible, which index-only scans need;
        // each statement on its own, as VACUUM runs outside a transaction.
        let conn = self.conn().await?;
        conn.batch_execute("VACUUM (ANALYZE) records").await?;
        conn.batch_execute("VACUUM (ANALYZE) record_keys").await?;
        Ok(())
    }

    async fn maintenance_idle(&self) {
        self.stats.idle().await;
    }

    async fn bulk_insert_records(&self, rows: &[(RecordRow, Vec<UniqueKey>)]) -> Result<u64> {
        let mut conn = self.conn().await?;
        let tx = conn.transaction().await?;
        let written = search::bulk_insert(&tx, rows).await?;
        tx.commit().await?;
        Ok(written)
    }

    async fn deleted_records(&self, org_id: Id, query: &DeletedQuery) -> Result<Vec<DeletedRow>> {
        records::deleted(&self.conn().await?, org_id, query).await
    }

    async fn record_by_key(&self, org_id: Id, module: &str, field: &str, value: &str) -> Result<Option<Id>> {
        records::by_key(&self.conn().await?, org_id, module, field, value).await
    }

    async fn put_link(&self, org_id: Id, link: &Link, now: i64) -> Result<()> {
        records::put_link(&self.conn().await?, org_id, link, now).await
    }

    async fn delete_link(&self, org_id: Id, kind: &str, a_id: Id, b_id: Id) -> Result<bool> {
        records::delete_link(&self.conn().await?, org_id, kind, a_id, b_id).await
    }

    async fn links(&self, org_id: Id, kind: &str, parent_is_a: bool, parent: Id, others: &[Id]) -> Result<Vec<Link>> {
        records::links(&self.conn().await?, org_id, kind, parent_is_a, parent, others).await
    }

    async fn delete_record(&self, org_id: Id, module: &str, record_id: Id, by: Id, now: i64) -> Result<bool> {
        let mut conn = self.conn().await?;
        let tx = conn.transaction().await?;
        let deleted = records::delete(&tx, org_id, module, record_id, by, now).await?;
        tx.commit().await?;
        self.stats.wrote(u64::from(deleted));
        Ok(deleted)
    }

    async fn record_names(&self, org_id: Id, ids: &[Id]) -> Result<Vec<RecordName>> {
        records::names(&self.conn().await?, org_id, ids).await
    }
}

/// Commits a record write that succeeded; rolls back one that found a duplicate or nothing.
async fn finish(tx: deadpool_postgres::Transaction<'_>, outcome: &WriteOutcome) -> Result<()> {
    if *outcome == WriteOutcome::Written {
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    Ok(())
}
