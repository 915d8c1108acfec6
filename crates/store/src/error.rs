//! Errors a storage backend reports, in terms the API can map to SES errors.

/// What went wrong in the store.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The row to create already exists (maps to `AlreadyExistsException`).
    #[error("{0} already exists")]
    AlreadyExists(String),
    /// The row to change or read does not exist (maps to `NotFoundException`).
    #[error("{0} does not exist")]
    NotFound(String),
    /// The backend failed; the write was not committed.
    #[error("storage failure: {0}")]
    Backend(String),
    /// The store is shutting down and takes no more work.
    #[error("the store is closed")]
    Closed,
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Backend(e.to_string())
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Backend(format!("stored JSON is unreadable: {e}"))
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        // The server's own message (with its detail) says more than the
        // driver's summary ("db error").
        match e.as_db_error() {
            Some(db) => StoreError::Backend(format!("PostgreSQL: {db}")),
            None => StoreError::Backend(format!("PostgreSQL: {e}")),
        }
    }
}
