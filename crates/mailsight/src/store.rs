//! Which store the server and `mailsight import` use: the PostgreSQL
//! database `[store] url` (or `--database`, `MAILSIGHT_DATABASE_URL`)
//! names, else the SQLite file in the data directory.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;

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

/// Where a command that reads the server's data finds it (`mailsight
/// deliveries`, `message`, `messages`, `rollups`): the data directory's
/// SQLite file, or the PostgreSQL database the server uses.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct StoreArgs {
    /// The data directory of the server [default: ./mailsight-data].
    #[arg(long, env = "MAILSIGHT_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// The server's PostgreSQL database (`postgres://…`), instead of the
    /// SQLite file in the data directory.
    #[arg(
        long,
        env = "MAILSIGHT_DATABASE_URL",
        hide_env_values = true,
        global = true
    )]
    pub database: Option<String>,
}

impl StoreArgs {
    /// Opens the store these name.
    pub async fn open(&self) -> anyhow::Result<Arc<dyn Store>> {
        let mut config = Config::default();
        if let Some(dir) = &self.data_dir {
            config.data_dir = dir.clone();
        }
        config.store.url = self.database.clone();
        config.check_store()?;
        open(&config)
            .await
            .with_context(|| format!("cannot open the store ({})", describe(&config)))
    }
}
