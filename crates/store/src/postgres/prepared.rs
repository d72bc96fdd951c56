//! Statements whose text is fixed are prepared once per connection (deadpool keeps them with
//! the connection): afterwards a call is one round trip to PostgreSQL instead of two, a parse
//! and then the execution. Statements built per request (lists, searches) are not cached here,
//! as their texts are too many to keep.

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Error, Row};

type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

#[async_trait]
pub trait Prepared {
    async fn query_prepared(&self, sql: &str, params: Params<'_>) -> Result<Vec<Row>, Error>;
    async fn query_one_prepared(&self, sql: &str, params: Params<'_>) -> Result<Row, Error>;
    async fn query_opt_prepared(&self, sql: &str, params: Params<'_>) -> Result<Option<Row>, Error>;
    async fn execute_prepared(&self, sql: &str, params: Params<'_>) -> Result<u64, Error>;
}

#[async_trait]
impl<C: GenericClient + Sync> Prepared for C {
    async fn query_prepared(&self, sql: &str, params: Params<'_>) -> Result<Vec<Row>, Error> {
        let statement = self.prepare_cached(sql).await?;
        self.query(&statement, params).await
    }

    async fn query_one_prepared(&self, sql: &str, params: Params<'_>) -> Result<Row, Error> {
        let statement = self.prepare_cached(sql).await?;
        self.query_one(&statement, params).await
    }

    async fn query_opt_prepared(&self, sql: &str, params: Params<'_>) -> Result<Option<Row>, Error> {
        let statement = self.prepare_cached(sql).await?;
        self.query_opt(&statement, params).await
    }

    async fn execute_prepared(&self, sql: &str, params: Params<'_>) -> Result<u64, Error> {
        let statement = self.prepare_cached(sql).await?;
        self.execute(&statement, params).await
    }
}

/// A statement built per request, sent in one round trip: its parameters carry their types, so
/// PostgreSQL needs no separate parse to tell them.
#[async_trait]
pub trait Typed {
    async fn query_with_types(&self, sql: &str, params: &[(&(dyn ToSql + Sync), Type)]) -> Result<Vec<Row>, Error>;
}

#[async_trait]
impl Typed for deadpool_postgres::Object {
    async fn query_with_types(&self, sql: &str, params: &[(&(dyn ToSql + Sync), Type)]) -> Result<Vec<Row>, Error> {
        self.query_typed(sql, params).await
    }
}

#[async_trait]
impl Typed for deadpool_postgres::Transaction<'_> {
    async fn query_with_types(&self, sql: &str, params: &[(&(dyn ToSql + Sync), Type)]) -> Result<Vec<Row>, Error> {
        self.query_typed(sql, params).await
    }
}
