//! The few helpers every query of the backend goes through: statements are
//! prepared once per connection (deadpool's statement cache), and errors
//! become [`StoreError`]s.

use deadpool_postgres::GenericClient;
use tokio_postgres::Row;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;

use crate::error::StoreError;

/// A connection or a transaction: reads take either, writes a transaction.
pub(crate) use deadpool_postgres::GenericClient as Db;

/// Query parameters.
pub(crate) type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

pub(crate) async fn query(c: &impl Db, sql: &str, p: Params<'_>) -> Result<Vec<Row>, StoreError> {
    let st = c.prepare_cached(sql).await?;
    Ok(GenericClient::query(c, &st, p).await?)
}

pub(crate) async fn query_opt(
    c: &impl Db,
    sql: &str,
    p: Params<'_>,
) -> Result<Option<Row>, StoreError> {
    let st = c.prepare_cached(sql).await?;
    Ok(GenericClient::query_opt(c, &st, p).await?)
}

pub(crate) async fn query_one(c: &impl Db, sql: &str, p: Params<'_>) -> Result<Row, StoreError> {
    let st = c.prepare_cached(sql).await?;
    Ok(GenericClient::query_one(c, &st, p).await?)
}

/// Runs a statement; returns how many rows it changed.
pub(crate) async fn execute(c: &impl Db, sql: &str, p: Params<'_>) -> Result<u64, StoreError> {
    let st = c.prepare_cached(sql).await?;
    Ok(GenericClient::execute(c, &st, p).await?)
}

/// Runs an insert whose key may be taken: that is `AlreadyExists(what)`.
pub(crate) async fn insert_new(
    c: &impl Db,
    sql: &str,
    p: Params<'_>,
    what: impl FnOnce() -> String,
) -> Result<u64, StoreError> {
    let st = c.prepare_cached(sql).await?;
    GenericClient::execute(c, &st, p).await.map_err(|e| {
        if e.code() == Some(&SqlState::UNIQUE_VIOLATION) {
            StoreError::AlreadyExists(what())
        } else {
            e.into()
        }
    })
}

/// A column read as `T`; a stored value of the wrong type is an error,
/// not a panic.
pub(crate) fn col<'a, T: tokio_postgres::types::FromSql<'a>>(
    r: &'a Row,
    i: usize,
) -> Result<T, StoreError> {
    Ok(r.try_get(i)?)
}
