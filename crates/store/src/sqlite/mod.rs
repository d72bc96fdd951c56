//! The SQLite backend: one database file in WAL mode, a small pool of reader connections used from
//! tokio's blocking pool, and one writer thread (SQLite allows one writer at a time anyway) that
//! commits in groups: the writes waiting when it starts a transaction go into it together, each
//! inside its own savepoint, so that one `fsync` acknowledges them all while each write stays
//! atomic on its own.

mod accounts;
mod records;
mod search;

use std::sync::{Arc, Mutex};

use anyhow::Context;
use async_trait::async_trait;
use crm::Id;
use rusqlite::{Connection, OpenFlags};

use crate::*;

const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_init", include_str!("../../migrations/sqlite/0001_init.sql")),
    ("0002_records_everywhere", include_str!("../../migrations/sqlite/0002_records_everywhere.sql")),
    ("0003_accounts_complete", include_str!("../../migrations/sqlite/0003_accounts_complete.sql")),
    ("0004_search", include_str!("../../migrations/sqlite/0004_search.sql")),
    ("0005_team_pipelines", include_str!("../../migrations/sqlite/0005_team_pipelines.sql")),
    ("0006_words_merge", include_str!("../../migrations/sqlite/0006_words_merge.sql")),
    ("0007_records_by_rowid", include_str!("../../migrations/sqlite/0007_records_by_rowid.sql")),
];
/// Idle reader connections are kept in shards, each thread using its own: the two async workers
/// read by key at once all the time, and one shared lock bounced between them.
const READER_SHARDS: usize = 4;
const MAX_IDLE_READERS_PER_SHARD: usize = 4;
/// Reads on the blocking pool at once. More than a few cores' worth gains nothing, and past the
/// pool of idle connections each extra read would open (and drop) a connection of its own:
/// searches at 64 connections fell to a fifth of their rate at 16 that way.
const MAX_BLOCKING_READS: usize = 8;

pub struct SqliteStore {
    inner: Arc<Inner>,
    writer: std::sync::mpsc::SyncSender<Job>,
    blocking_reads: Arc<tokio::sync::Semaphore>,
}

struct Inner {
    path: String,
    readers: [Mutex<Vec<Connection>>; READER_SHARDS],
}

/// This thread's shard of the reader connections, handed out in turn to threads as they first
/// read.
fn reader_shard() -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static SHARD: usize = NEXT.fetch_add(1, Ordering::Relaxed) % READER_SHARDS;
    }
    SHARD.with(|shard| *shard)
}

impl Inner {
    fn with_reader<R, F>(&self, f: F) -> Result<R>
    where
        F: FnOnce(&Connection) -> rusqlite::Result<R>,
    {
        let readers = &self.readers[reader_shard()];
        let conn = readers.lock().expect("reader pool poisoned").pop();
        let conn = match conn {
            Some(conn) => conn,
            None => connect(&self.path)?,
        };
        let result = f(&conn);
        let mut pool = readers.lock().expect("reader pool poisoned");
        if pool.len() < MAX_IDLE_READERS_PER_SHARD {
            pool.push(conn);
        }
        Ok(result?)
    }
}

/// Hands a write's result over once its group's commit is known.
type Deliver = Box<dyn FnOnce(std::result::Result<(), String>) + Send>;
/// A write: runs inside its savepoint and says whether it succeeded (else it is rolled back).
type Job = Box<dyn FnOnce(&Connection) -> (bool, Deliver) + Send>;

/// The most writes one transaction commits together.
const MAX_GROUP: usize = 256;

impl SqliteStore {
    pub fn open(path: &str) -> Result<Self> {
        // `:memory:` databases are shared between this store's connections through a named
        // in-memory database, so that readers see what the writer wrote.
        let path = if path == ":memory:" || path.is_empty() {
            format!("file:biginbox-{}?mode=memory&cache=shared", rand_suffix())
        } else {
            path.to_string()
        };
        let conn = connect(&path).with_context(|| format!("opening SQLite database {path}"))?;
        let (writer, jobs) = std::sync::mpsc::sync_channel::<Job>(4 * MAX_GROUP);
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || write_groups(conn, jobs))
            .context("starting the SQLite writer")?;
        Ok(Self {
            inner: Arc::new(Inner { path, readers: Default::default() }),
            writer,
            blocking_reads: Arc::new(tokio::sync::Semaphore::new(MAX_BLOCKING_READS)),
        })
    }

    /// Runs `f` on a reader connection, off the async workers: for reads that may visit many
    /// rows (lists, searches, counts).
    async fn read<R, F>(&self, f: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<R> + Send + 'static,
    {
        let permit = self.blocking_reads.clone().acquire_owned().await.context("the SQLite read limit closed")?;
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            inner.with_reader(f)
        })
        .await
        .context("SQLite reader task failed")?
    }

    /// Runs `f` on a reader connection right here, on the async worker: for reads of a few rows
    /// by key, which take microseconds from the page cache, less than the two thread switches
    /// of a hop to the blocking pool and back. (WAL readers do not wait for the writer.)
    fn read_by_key<R, F>(&self, f: F) -> Result<R>
    where
        F: FnOnce(&Connection) -> rusqlite::Result<R>,
    {
        self.inner.with_reader(f)
    }

    /// Runs `f` atomically on the writer: its changes are kept when it returns `Ok` (and only
    /// when `keep` approves the result), and the answer comes once they are committed.
    async fn write_if<R, F, K>(&self, f: F, keep: K) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<R> + Send + 'static,
        K: FnOnce(&R) -> bool + Send + 'static,
    {
        let (job, answered) = job(f, keep);
        self.submit(vec![job]).await?;
        answered.await.map_err(|_| anyhow::anyhow!("the SQLite write was not carried out"))?
    }

    /// Queues writes in order; queued together, they are committed together.
    async fn submit(&self, jobs: Vec<Job>) -> Result<()> {
        let stopped = || anyhow::anyhow!("the SQLite writer stopped");
        let mut jobs = jobs.into_iter();
        // Usually the queue has room and a job is handed over at once ...
        for job in jobs.by_ref() {
            match self.writer.try_send(job) {
                Ok(()) => continue,
                Err(std::sync::mpsc::TrySendError::Disconnected(_)) => return Err(stopped()),
                Err(std::sync::mpsc::TrySendError::Full(job)) => {
                    // ... but the queue is bounded, and waiting for room must not block an
                    // async worker.
                    let writer = self.writer.clone();
                    let rest: Vec<Job> = std::iter::once(job).chain(jobs).collect();
                    return tokio::task::spawn_blocking(move || rest.into_iter().try_for_each(|job| writer.send(job)))
                        .await
                        .context("SQLite writer task failed")?
                        .map_err(|_| stopped());
                }
            }
        }
        Ok(())
    }

    async fn write<R, F>(&self, f: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<R> + Send + 'static,
    {
        self.write_if(f, |_| true).await
    }
}

/// The writer thread: takes every write waiting (up to `MAX_GROUP`), runs each in a savepoint of
/// one transaction, commits once, then answers them all.
fn write_groups(conn: Connection, jobs: std::sync::mpsc::Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match jobs.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let mut deliveries = Vec::with_capacity(group.len());
        if let Err(err) = conn.execute_batch("BEGIN IMMEDIATE") {
            // Dropping the group answers each of its writes with an error.
            tracing::error!(%err, "starting a SQLite transaction failed");
            continue;
        }
        for job in group {
            // Cached statements: parsing these again for every write showed in profiles.
            let savepoint = run_cached(&conn, "SAVEPOINT write");
            let (ok, deliver) = job(&conn);
            let closed = if ok && savepoint.is_ok() {
                run_cached(&conn, "RELEASE write")
            } else {
                run_cached(&conn, "ROLLBACK TO write").and_then(|()| run_cached(&conn, "RELEASE write"))
            };
            if let Err(err) = closed {
                tracing::error!(%err, "closing a SQLite savepoint failed");
            }
            deliveries.push(deliver);
        }
        let committed = conn.execute_batch("COMMIT").map_err(|e| e.to_string());
        if committed.is_err() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        for deliver in deliveries {
            deliver(committed.clone());
        }
    }
}

fn run_cached(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(|_| ())
}

fn rand_suffix() -> u64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0);
    nanos ^ (std::process::id() as u64) << 32
}

fn connect(path: &str) -> rusqlite::Result<Connection> {
    let flags =
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    // WAL lets readers run beside the writer; FULL syncs each commit, so an acknowledged write
    // survives a crash of the machine, not only of the process.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    // No memory map of the file: mapped pages count in the server's resident memory (630 MB in
    // a search over 100,000 contacts), and reads through SQLite's page cache measured as fast.
    conn.pragma_update(None, "mmap_size", 0_i64)?;
    // Room for every fixed statement and the recent search shapes: planning over the records
    // table's dozens of indexes is dear.
    conn.set_prepared_statement_cache_capacity(128);
    Ok(conn)
}

/// A record write keeps its changes only when it wrote the record.
fn written(outcome: &WriteOutcome) -> bool {
    *outcome == WriteOutcome::Written
}

/// A write for the writer thread, and where its answer will arrive.
fn job<R, F, K>(f: F, keep: K) -> (Job, tokio::sync::oneshot::Receiver<Result<R>>)
where
    R: Send + 'static,
    F: FnOnce(&Connection) -> rusqlite::Result<R> + Send + 'static,
    K: FnOnce(&R) -> bool + Send + 'static,
{
    let (answer, answered) = tokio::sync::oneshot::channel::<Result<R>>();
    let job: Job = Box::new(move |conn| {
        let result = f(conn);
        let ok = result.as_ref().is_ok_and(keep);
        let deliver: Deliver = Box::new(move |commit| {
            let outcome = match commit {
                Ok(()) => result.map_err(anyhow::Error::from),
                Err(err) => Err(anyhow::anyhow!("committing to SQLite failed: {err}")),
            };
            let _ = answer.send(outcome);
        });
        (ok, deliver)
    });
    (job, answered)
}

fn id(raw: i64) -> Id {
    Id::from_i64(raw)
}

#[async_trait]
impl Store for SqliteStore {
    async fn migrate(&self) -> Result<()> {
        self.write(|tx| {
            tx.execute_batch("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_time INTEGER NOT NULL)")?;
            for (name, sql) in MIGRATIONS {
                let done: bool = tx.query_row("SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE name = ?1)", [name], |r| r.get(0))?;
                if !done {
                    tx.execute_batch(sql)?;
                    tx.execute("INSERT INTO schema_migrations (name, applied_time) VALUES (?1, strftime('%s','now') * 1000)", [name])?;
                    if *name == "0004_search" {
                        search::backfill_words(tx)?;
                    }
                }
            }
            search::ensure_indexes(tx)?;
            Ok(())
        })
        .await
    }

    async fn server_key(&self, candidate: [u8; 32]) -> Result<[u8; 32]> {
        self.write(move |tx| {
            tx.execute("INSERT OR IGNORE INTO server_settings (name, value) VALUES ('digest_key', ?1)", [&candidate[..]])?;
            let key: Vec<u8> = tx.query_row("SELECT value FROM server_settings WHERE name = 'digest_key'", [], |r| r.get(0))?;
            Ok(key.try_into().unwrap_or(candidate))
        })
        .await
    }

    async fn create_org(&self, org: &NewOrg) -> Result<CreateOrgOutcome> {
        let org = org.clone();
        self.write(move |tx| accounts::create_org(tx, &org)).await
    }

    async fn org(&self, org_id: Id) -> Result<Option<Org>> {
        self.read_by_key(|c| accounts::org(c, org_id))
    }

    async fn count_orgs(&self) -> Result<u64> {
        self.read(|c| c.query_row("SELECT COUNT(*) FROM orgs", [], |r| r.get::<_, i64>(0)).map(|n| n as u64)).await
    }

    async fn orgs_of_account(&self, account_id: Id) -> Result<Vec<Org>> {
        self.read(move |c| accounts::orgs_of_account(c, account_id)).await
    }

    async fn account_by_email(&self, email: &str) -> Result<Option<Account>> {
        let email = email.to_lowercase();
        self.read_by_key(|c| accounts::account_where(c, "email_lower = ?1", rusqlite::params![email]))
    }

    async fn account(&self, account_id: Id) -> Result<Option<Account>> {
        self.read_by_key(|c| accounts::account_where(c, "id = ?1", rusqlite::params![account_id.as_i64()]))
    }

    async fn org_users(&self, org_id: Id) -> Result<Vec<OrgUser>> {
        self.read_by_key(|c| accounts::org_users_where(c, "org_id = ?1 ORDER BY created_time, id", rusqlite::params![org_id.as_i64()]))
    }

    async fn org_user(&self, org_id: Id, user_id: Id) -> Result<Option<OrgUser>> {
        self.read_by_key(|c| accounts::org_users_where(c, "org_id = ?1 AND id = ?2", rusqlite::params![org_id.as_i64(), user_id.as_i64()]))
            .map(|v| v.into_iter().next())
    }

    async fn org_user_by_account(&self, org_id: Id, account_id: Id) -> Result<Option<OrgUser>> {
        self.read_by_key(|c| {
            accounts::org_users_where(c, "org_id = ?1 AND account_id = ?2", rusqlite::params![org_id.as_i64(), account_id.as_i64()])
        })
        .map(|v| v.into_iter().next())
    }

    async fn insert_org_user(&self, user: &OrgUser) -> Result<bool> {
        let user = user.clone();
        self.write(move |tx| accounts::insert_org_user(tx, &user)).await
    }

    async fn update_org_user(&self, user: &OrgUser) -> Result<bool> {
        let user = user.clone();
        self.write(move |tx| accounts::update_org_user(tx, &user)).await
    }

    async fn custom_fields(&self, org_id: Id) -> Result<Vec<crm::modules::CustomField>> {
        self.read_by_key(|c| accounts::custom_fields(c, org_id))
    }

    async fn insert_custom_field(&self, org_id: Id, field: &crm::modules::CustomField, now: i64) -> Result<bool> {
        let field = field.clone();
        self.write(move |tx| {
            let inserted = accounts::insert_custom_field(tx, org_id, &field, now)?;
            if inserted {
                search::index_custom_field(tx, &field)?;
            }
            Ok(inserted)
        })
        .await
    }

    async fn team_pipelines(&self, org_id: Id) -> Result<Vec<crm::pipelines::PipelineSpec>> {
        self.read(move |c| accounts::team_pipelines(c, org_id)).await
    }

    async fn insert_team_pipeline(&self, org_id: Id, pipeline: &crm::pipelines::PipelineSpec, now: i64) -> Result<bool> {
        let pipeline = pipeline.clone();
        self.write(move |tx| accounts::insert_team_pipeline(tx, org_id, &pipeline, now)).await
    }

    async fn create_client(&self, client: &Client) -> Result<()> {
        let client = client.clone();
        self.write(move |tx| accounts::insert_client(tx, &client)).await
    }

    async fn client(&self, client_id: &str) -> Result<Option<Client>> {
        self.read_by_key(|c| accounts::clients_where(c, "client_id = ?1", rusqlite::params![client_id])).map(|v| v.into_iter().next())
    }

    async fn clients_of_owner(&self, owner: Id) -> Result<Vec<Client>> {
        self.read(move |c| accounts::clients_where(c, "owner_account_id = ?1 ORDER BY created_time", rusqlite::params![owner.as_i64()]))
            .await
    }

    async fn delete_client(&self, client_id: &str) -> Result<bool> {
        let client_id = client_id.to_string();
        self.write(move |tx| accounts::delete_client(tx, &client_id)).await
    }

    async fn update_client(&self, client: &Client) -> Result<bool> {
        let client = client.clone();
        self.write(move |tx| accounts::update_client(tx, &client)).await
    }

    async fn list_clients(&self) -> Result<Vec<Client>> {
        self.read(|c| accounts::clients_where(c, "1 = 1 ORDER BY created_time", [])).await
    }

    async fn refresh_tokens_of_account(&self, account_id: Id) -> Result<Vec<RefreshToken>> {
        self.read(move |c| accounts::refresh_tokens_of_account(c, account_id)).await
    }

    async fn insert_refreshed_access_token(&self, token: &AccessToken, since: i64, max: u64) -> Result<Refreshed> {
        let token = token.clone();
        // One write: SQLite's single writer makes the count and the insert atomic.
        self.write(move |tx| accounts::insert_refreshed_access_token(tx, &token, since, max)).await
    }

    async fn insert_device_code(&self, code: &DeviceCode) -> Result<()> {
        let code = code.clone();
        self.write(move |tx| accounts::insert_device_code(tx, &code)).await
    }

    async fn device_code_by_user_code(&self, user_code: &str) -> Result<Option<DeviceCode>> {
        let user_code = user_code.to_string();
        self.read(move |c| accounts::device_code_where(c, "user_code = ?1", [user_code])).await
    }

    async fn decide_device_code(&self, user_code: &str, approved: bool, org_id: Id, account_id: Id) -> Result<bool> {
        let user_code = user_code.to_string();
        self.write(move |tx| accounts::decide_device_code(tx, &user_code, approved, org_id, account_id)).await
    }

    async fn poll_device_code(&self, digest: &[u8], now: i64) -> Result<Option<DeviceCode>> {
        let digest = digest.to_vec();
        self.write(move |tx| accounts::poll_device_code(tx, &digest, now)).await
    }

    async fn finish_device_code(&self, digest: &[u8]) -> Result<bool> {
        let digest = digest.to_vec();
        self.write(move |tx| accounts::finish_device_code(tx, &digest)).await
    }

    async fn insert_code(&self, code: &GrantCode) -> Result<()> {
        let code = code.clone();
        self.write(move |tx| accounts::insert_code(tx, &code)).await
    }

    async fn consume_code(&self, digest: &[u8], client_id: &str, now: i64) -> Result<CodeUse> {
        let (digest, client_id) = (digest.to_vec(), client_id.to_string());
        self.write(move |tx| accounts::consume_code(tx, &digest, &client_id, now)).await
    }

    async fn code(&self, digest: &[u8]) -> Result<Option<GrantCode>> {
        let digest = digest.to_vec();
        self.read(move |c| accounts::code(c, &digest)).await
    }

    async fn insert_refresh_token(&self, token: &RefreshToken, keep: u32, now: i64) -> Result<Vec<Id>> {
        let token = token.clone();
        self.write(move |tx| {
            accounts::insert_refresh_token(tx, &token)?;
            accounts::evict_refresh_tokens(tx, token.account_id, &token.client_id, keep, now)
        })
        .await
    }

    async fn refresh_token(&self, digest: &[u8]) -> Result<Option<RefreshToken>> {
        self.read_by_key(|c| accounts::refresh_token(c, digest))
    }

    async fn insert_access_token(&self, token: &AccessToken) -> Result<()> {
        let token = token.clone();
        self.write(move |tx| accounts::insert_access_token(tx, &token)).await
    }

    async fn access_token(&self, digest: &[u8]) -> Result<Option<AccessToken>> {
        self.read_by_key(|c| accounts::access_token(c, digest))
    }

    async fn revoke_refresh_token(&self, digest: &[u8], now: i64) -> Result<bool> {
        let digest = digest.to_vec();
        self.write(move |tx| accounts::revoke_refresh_token(tx, &digest, now)).await
    }

    async fn revoke_access_token(&self, digest: &[u8], now: i64) -> Result<bool> {
        let digest = digest.to_vec();
        self.write(move |tx| {
            Ok(tx.execute(
                "UPDATE access_tokens SET revoked_at = ?2 WHERE digest = ?1 AND revoked_at IS NULL",
                rusqlite::params![digest, now],
            )? > 0)
        })
        .await
    }

    async fn revoke_tokens_of_code(&self, code_id: Id, now: i64) -> Result<Vec<Vec<u8>>> {
        self.write(move |tx| accounts::revoke_tokens_of_code(tx, code_id, now)).await
    }

    async fn create_session(&self, session: &Session) -> Result<()> {
        let s = session.clone();
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO sessions (digest, account_id, created_time, expires_at) VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![s.digest, s.account_id.as_i64(), s.created_time, s.expires_at],
            )?;
            Ok(())
        })
        .await
    }

    async fn session(&self, digest: &[u8]) -> Result<Option<Session>> {
        self.read_by_key(|c| {
            use rusqlite::OptionalExtension;
            c.query_row("SELECT digest, account_id, created_time, expires_at FROM sessions WHERE digest = ?1", [digest], |r| {
                Ok(Session { digest: r.get(0)?, account_id: id(r.get(1)?), created_time: r.get(2)?, expires_at: r.get(3)? })
            })
            .optional()
        })
    }

    async fn delete_session(&self, digest: &[u8]) -> Result<()> {
        let digest = digest.to_vec();
        self.write(move |tx| tx.execute("DELETE FROM sessions WHERE digest = ?1", [digest]).map(|_| ())).await
    }

    async fn insert_record(&self, record: &RecordRow, keys: &[UniqueKey]) -> Result<WriteOutcome> {
        let (record, keys) = (record.clone(), keys.to_vec());
        self.write_if(move |tx| records::insert(tx, &record, &keys), written).await
    }

    async fn insert_records(&self, rows: &[(RecordRow, Vec<UniqueKey>)]) -> Result<Vec<WriteOutcome>> {
        // Queued together, the records land in one group: one commit for the batch, each record
        // still in its own savepoint.
        let (jobs, answers): (Vec<Job>, Vec<_>) =
            rows.iter().cloned().map(|(record, keys)| job(move |tx| records::insert(tx, &record, &keys), written)).unzip();
        self.submit(jobs).await?;
        let mut outcomes = Vec::with_capacity(answers.len());
        for answer in answers {
            outcomes.push(answer.await.map_err(|_| anyhow::anyhow!("the SQLite write was not carried out"))??);
        }
        Ok(outcomes)
    }

    async fn update_record(&self, record: &RecordRow, keys: &[UniqueKey]) -> Result<WriteOutcome> {
        let (record, keys) = (record.clone(), keys.to_vec());
        self.write_if(move |tx| records::update(tx, &record, &keys), written).await
    }

    async fn record(&self, org_id: Id, module: &str, record_id: Id) -> Result<Option<RecordRow>> {
        self.read_by_key(|c| records::get(c, org_id, module, record_id))
    }

    async fn list_records(&self, org_id: Id, query: &ListQuery) -> Result<Vec<RecordRow>> {
        let query = query.clone();
        self.read(move |c| records::list(c, org_id, &query)).await
    }

    async fn count_records(&self, org_id: Id, query: &ListQuery) -> Result<u64> {
        let query = query.clone();
        self.read(move |c| records::count(c, org_id, &query)).await
    }

    async fn query_records(&self, org_id: Id, query: &RecordQuery) -> Result<Vec<RecordRow>> {
        let query = query.clone();
        self.read(move |c| records::query(c, org_id, &query)).await
    }

    async fn explain_records(&self, org_id: Id, query: &RecordQuery, count: bool, _avoid_seq_scan: bool) -> Result<Vec<String>> {
        let query = query.clone();
        self.read(move |c| records::explain(c, org_id, &query, count)).await
    }

    async fn analyze(&self) -> Result<()> {
        // A full pass: a sampled one (`analysis_limit`) sees only the first organization's
        // entries of each index and misleads the planner.
        self.write(|c| c.execute_batch("ANALYZE")).await
    }

    async fn bulk_insert_records(&self, rows: &[(RecordRow, Vec<UniqueKey>)]) -> Result<u64> {
        let rows = rows.to_vec();
        self.write(move |c| search::bulk_insert(c, &rows)).await
    }

    async fn deleted_records(&self, org_id: Id, query: &DeletedQuery) -> Result<Vec<DeletedRow>> {
        let query = query.clone();
        self.read(move |c| records::deleted(c, org_id, &query)).await
    }

    async fn record_by_key(&self, org_id: Id, module: &str, field: &str, value: &str) -> Result<Option<Id>> {
        self.read_by_key(|c| records::by_key(c, org_id, module, field, value))
    }

    async fn put_link(&self, org_id: Id, link: &Link, now: i64) -> Result<()> {
        let link = link.clone();
        self.write(move |tx| records::put_link(tx, org_id, &link, now)).await
    }

    async fn delete_link(&self, org_id: Id, kind: &str, a_id: Id, b_id: Id) -> Result<bool> {
        let kind = kind.to_string();
        self.write(move |tx| records::delete_link(tx, org_id, &kind, a_id, b_id)).await
    }

    async fn links(&self, org_id: Id, kind: &str, parent_is_a: bool, parent: Id, others: &[Id]) -> Result<Vec<Link>> {
        self.read_by_key(|c| records::links(c, org_id, kind, parent_is_a, parent, others))
    }

    async fn delete_record(&self, org_id: Id, module: &str, record_id: Id, by: Id, now: i64) -> Result<bool> {
        let module = module.to_string();
        self.write(move |tx| records::delete(tx, org_id, &module, record_id, by, now)).await
    }

    async fn record_names(&self, org_id: Id, ids: &[Id]) -> Result<Vec<RecordName>> {
        self.read_by_key(|c| records::names(c, org_id, ids))
    }
}
