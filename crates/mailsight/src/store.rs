//! Which store the server and `mailsight import` use: the PostgreSQL
//! database `[store] url` (or `--database`, `MAILSIGHT_DATABASE_URL`)
//! names, else the SQLite file in the data directory.

use std::sync::Arc;

use mailsight_store::{Durability, OpenOptions, PostgresStore, SqliteStore, Store, StoreError};

use crate::config::Config;

/// Opens (and migrates) the configured store; an ephemeral one (the data
/// directory is then the ephemeral mode's) never syncs.
pub async fn open(config: &Config) -> Result<Arc<dyn Store>, StoreError> {
    match &config.store.url {
        Some(url) => Ok(Arc::new(PostgresStore::open(url).await?)),
        None => {
            let durability = if config.ephemeral {
                Durability::None
            } else {
                Durability::Full
            };
            let options = OpenOptions {
                durability,
                ..OpenOptions::default()
            };
            Ok(Arc::new(SqliteStore::open_with(&config.data_dir, options)?))
        }
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
