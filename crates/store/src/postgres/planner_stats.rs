//! Keeps PostgreSQL's planner statistics of the records tables current while a database fills.
//!
//! A database that has never been analysed has no statistics, and then the planner guesses: for a
//! page of 200 contacts it walked an index in creation order and sorted every contact of the
//! organization. Autovacuum analyses a table only after a minute's nap, which a test suite or a
//! benchmark on a fresh database never waits for. So each node counts the records it writes and,
//! when they reach a threshold (a tenth of the table, at least `MIN_WRITES`), runs `ANALYZE` in the
//! background. Several nodes may each do so; ANALYZE samples and does not block reads or writes.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use deadpool_postgres::Pool;
use tokio::sync::Notify;

/// Record writes before the first analysis, and the least between two.
const MIN_WRITES: u64 = 500;
/// Between analyses, this share of the rows counted by the last one (as autovacuum's default).
const SHARE_OF_ROWS: f64 = 0.1;

pub struct PlannerStats {
    pool: Pool,
    written: AtomicU64,
    next_at: AtomicU64,
    running: AtomicBool,
    finished: Notify,
}

impl PlannerStats {
    pub fn new(pool: Pool) -> Arc<Self> {
        Arc::new(Self {
            pool,
            written: AtomicU64::new(0),
            next_at: AtomicU64::new(MIN_WRITES),
            running: AtomicBool::new(false),
            finished: Notify::new(),
        })
    }

    /// Counts `records` written (inserted, updated or deleted) and starts an analysis when due.
    pub fn wrote(self: &Arc<Self>, records: u64) {
        if records == 0 {
            return;
        }
        let written = self.written.fetch_add(records, Ordering::Relaxed) + records;
        if written < self.next_at.load(Ordering::Relaxed) || self.running.swap(true, Ordering::AcqRel) {
            return;
        }
        let this = self.clone();
        tokio::spawn(async move {
            let rows = match this.analyze().await {
                Ok(rows) => rows,
                Err(err) => {
                    tracing::warn!(error = %format!("{err:#}"), "analysing the records tables failed");
                    0.0
                }
            };
            let gap = ((rows * SHARE_OF_ROWS) as u64).max(MIN_WRITES);
            this.next_at.store(this.written.load(Ordering::Relaxed) + gap, Ordering::Relaxed);
            this.running.store(false, Ordering::Release);
            this.finished.notify_waiters();
        });
    }

    /// Analyses the records tables; returns the row count the planner now assumes for records.
    async fn analyze(&self) -> anyhow::Result<f64> {
        let conn = self.pool.get().await?;
        conn.batch_execute("ANALYZE records, record_keys").await?;
        let row = conn.query_one("SELECT reltuples::float8 FROM pg_class WHERE oid = 'records'::regclass", &[]).await?;
        Ok(row.get::<_, f64>(0).max(0.0))
    }

    /// Analyses the records tables now when they hold rows but were never analysed.
    pub async fn analyze_if_never_analyzed(&self) -> anyhow::Result<()> {
        let conn = self.pool.get().await?;
        let sql = "SELECT reltuples < 0 AND EXISTS (SELECT 1 FROM records) FROM pg_class WHERE oid = 'records'::regclass";
        if conn.query_one(sql, &[]).await?.get::<_, bool>(0) {
            drop(conn);
            self.analyze().await?;
        }
        Ok(())
    }

    /// Waits for an analysis under way, if any, to finish.
    pub async fn idle(&self) {
        loop {
            let finished = self.finished.notified();
            tokio::pin!(finished);
            // Registered before the check, so a finish between the two is not missed.
            finished.as_mut().enable();
            if !self.running.load(Ordering::Acquire) {
                return;
            }
            finished.await;
        }
    }
}
