//! Which store the server and `mailsight import` use: the PostgreSQL
//! database `[store] url` (or `--database`, `MAILSIGHT_DATABASE_URL`)
//! names, else the SQLite file in the data directory.

use std::sync::Arc;

use mailsight_store::{PostgresStore, SqliteStore, Store, StoreError};

use crate::config::Config;

/// Opens (and migrates) the configured store.
pub async fn open(config: &Config) -> Result<Arc<dyn Store>, StoreError> {
    match &config.store.url {
        Some(url) => Ok(Arc::new(PostgresStore::open(url).await?)),
        None => Ok(Arc::new(SqliteStore::open(&config.data_dir)?)),
    }
}

/// Where the data is, for people (no password): the startup summary, errors.
pub fn describe(config: &Config) -> String {
    match &config.store.url {
        Some(url) => format!("PostgreSQL {}", mailsight_store::postgres::redacted(url)),
        None => format!(
            "SQLite {}",
            config
                .data_dir
                .join(mailsight_store::sqlite::DATABASE_FILE)
                .display()
        ),
    }
}
