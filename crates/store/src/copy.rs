//! `mailsight copy`: the whole content of an SQLite data directory into a
//! PostgreSQL database, table by table.
//!
//! Both backends keep the same tables with the same columns (the
//! PostgreSQL schema was written after SQLite's), so each table is copied
//! column for column, the types converted by the PostgreSQL column's type:
//! rows are streamed out of SQLite on a blocking thread and inserted in
//! multi-row `INSERT`s, ids included (`OVERRIDING SYSTEM VALUE`); the
//! identity sequences are then moved past the copied ids. Tables are copied
//! parents first, so foreign keys hold throughout.
//!
//! **Resumable.** Each table copied is recorded in `mailsight_copy` in the
//! same transaction as its last rows. Run again after an interruption, the
//! copy skips the tables it finished, empties the ones it had not (children
//! first) and copies those again. A first run refuses a database that
//! already holds data, so a copy never mixes with a running installation;
//! the per-install secrets are the exception: the source's replace any a
//! server made on the new database at its first start, so SNS signatures
//! and tracking links stay valid.

use std::path::Path;

use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, NoTls};

use crate::error::StoreError;

/// The tables, parents before children.
pub const TABLES: &[&str] = &[
    "configuration_sets",
    "event_destinations",
    "identities",
    "forwarders",
    "items",
    "export_jobs",
    "messages",
    "records",
    "events",
    "scheduled",
    "message_content",
    "machine_activity",
    "deliveries",
    "delivery_attempts",
    "sns_topics",
    "sns_subscriptions",
    "search_terms",
    "rollups",
    "rollup_days",
    "rollup_quarters",
    "rollup_cells",
    "secrets",
];

/// Tables a server starting on an empty database fills by itself, which a
/// first copy therefore accepts non-empty (and, for `secrets`, replaces).
const MADE_AT_START: &[&str] = &["forwarders", "secrets"];

/// Rows per `INSERT` at most (PostgreSQL takes 65,535 parameters).
const MAX_PARAMETERS: usize = 60_000;

/// What was copied: each table and its rows (`None`: done by an earlier run).
#[derive(Debug, Default)]
pub struct CopyReport {
    pub tables: Vec<(String, Option<u64>)>,
}

fn pg(e: tokio_postgres::Error) -> StoreError {
    StoreError::Backend(format!("PostgreSQL: {e}"))
}

fn sq(e: rusqlite::Error) -> StoreError {
    StoreError::Backend(format!("SQLite: {e}"))
}

/// One cell, typed as its PostgreSQL column wants it.
#[derive(Debug)]
enum Cell {
    Int(Option<i64>),
    Int4(Option<i32>),
    Bool(Option<bool>),
    Real(Option<f64>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
}

impl Cell {
    fn of(kind: &str, v: rusqlite::types::Value) -> Cell {
        use rusqlite::types::Value as V;
        match kind {
            "bigint" => Cell::Int(match v {
                V::Integer(i) => Some(i),
                V::Real(f) => Some(f as i64),
                V::Text(t) => t.parse().ok(),
                _ => None,
            }),
            "integer" | "smallint" => Cell::Int4(match v {
                V::Integer(i) => i32::try_from(i).ok(),
                _ => None,
            }),
            "boolean" => Cell::Bool(match v {
                V::Integer(i) => Some(i != 0),
                V::Text(t) => Some(t == "1" || t.eq_ignore_ascii_case("true")),
                _ => None,
            }),
            "double precision" | "real" => Cell::Real(match v {
                V::Real(f) => Some(f),
                V::Integer(i) => Some(i as f64),
                _ => None,
            }),
            "bytea" => Cell::Bytes(match v {
                V::Blob(b) => Some(b),
                V::Text(t) => Some(t.into_bytes()),
                _ => None,
            }),
            _ => Cell::Text(match v {
                V::Text(t) => Some(t),
                V::Blob(b) => Some(String::from_utf8_lossy(&b).into_owned()),
                V::Integer(i) => Some(i.to_string()),
                V::Real(f) => Some(f.to_string()),
                V::Null => None,
            }),
        }
    }

    fn sql(&self) -> &(dyn ToSql + Sync) {
        match self {
            Cell::Int(v) => v,
            Cell::Int4(v) => v,
            Cell::Bool(v) => v,
            Cell::Real(v) => v,
            Cell::Text(v) => v,
            Cell::Bytes(v) => v,
        }
    }
}

/// The columns of `table` in PostgreSQL that SQLite has too, with their
/// PostgreSQL types, and whether any is an identity column.
async fn columns(
    client: &Client,
    sqlite: &rusqlite::Connection,
    table: &str,
) -> Result<(Vec<(String, String)>, Vec<String>), StoreError> {
    let rows = client
        .query(
            "SELECT column_name, data_type, is_identity FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            &[&table],
        )
        .await
        .map_err(pg)?;
    let mut here = sqlite
        .prepare(&format!("PRAGMA table_info({table})"))
        .map_err(sq)?;
    let names: Vec<String> = here
        .query_map([], |r| r.get::<_, String>(1))
        .map_err(sq)?
        .collect::<Result<_, _>>()
        .map_err(sq)?;
    let mut cols = Vec::new();
    let mut identities = Vec::new();
    for r in rows {
        let (name, kind, identity): (String, String, String) = (r.get(0), r.get(1), r.get(2));
        if names.contains(&name) {
            if identity == "YES" {
                identities.push(name.clone());
            }
            cols.push((name, kind));
        }
    }
    Ok((cols, identities))
}

/// Copies the SQLite database of `data_dir` into the PostgreSQL database at
/// `url` (both brought to the newest schema first); `progress` hears of
/// each table as it is done.
pub async fn sqlite_to_postgres(
    data_dir: &Path,
    url: &str,
    progress: impl Fn(&str, Option<u64>),
) -> Result<CopyReport, StoreError> {
    // Opening each store migrates it, so both have the newest tables.
    drop(crate::SqliteStore::open(data_dir)?);
    drop(crate::PostgresStore::open(url).await?);
    let path = data_dir.join(crate::sqlite::DATABASE_FILE);
    let (mut client, connection) = url
        .parse::<tokio_postgres::Config>()
        .map_err(|e| StoreError::Backend(format!("bad PostgreSQL URL: {e}")))?
        .connect(NoTls)
        .await
        .map_err(pg)?;
    let driver = tokio::spawn(connection);
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS mailsight_copy (
                 name        TEXT PRIMARY KEY,
                 rows        BIGINT NOT NULL,
                 finished_at BIGINT NOT NULL
             )",
        )
        .await
        .map_err(pg)?;
    let done: Vec<String> = client
        .query("SELECT name FROM mailsight_copy", &[])
        .await
        .map_err(pg)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    if done.is_empty() {
        for t in TABLES.iter().filter(|t| !MADE_AT_START.contains(t)) {
            let row = client
                .query_one(&format!("SELECT EXISTS (SELECT 1 FROM {t})"), &[])
                .await
                .map_err(pg)?;
            if row.get::<_, bool>(0) {
                return Err(StoreError::Backend(format!(
                    "the database already holds data (table {t}); copy into an empty database"
                )));
            }
        }
    }
    // What an interrupted run left of the unfinished tables, children first.
    for t in TABLES
        .iter()
        .rev()
        .filter(|t| !done.iter().any(|d| d == *t))
    {
        if *t != "secrets" {
            client
                .execute(&format!("DELETE FROM {t}"), &[])
                .await
                .map_err(pg)?;
        }
    }
    let mut report = CopyReport::default();
    for table in TABLES {
        if done.iter().any(|d| d == table) {
            progress(table, None);
            report.tables.push(((*table).to_owned(), None));
            continue;
        }
        let rows = copy_table(&mut client, &path, table).await?;
        progress(table, Some(rows));
        report.tables.push(((*table).to_owned(), Some(rows)));
    }
    drop(client);
    let _ = driver.await;
    Ok(report)
}

/// Copies one table in one transaction, and records it done.
async fn copy_table(client: &mut Client, path: &Path, table: &str) -> Result<u64, StoreError> {
    let sqlite = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sq)?;
    let (cols, identities) = columns(client, &sqlite, table).await?;
    let names: Vec<&str> = cols.iter().map(|(n, _)| n.as_str()).collect();
    let kinds: Vec<String> = cols.iter().map(|(_, k)| k.clone()).collect();
    let per_batch = (MAX_PARAMETERS / names.len().max(1)).clamp(1, 2_000);
    // Rows come out of SQLite on a blocking thread, a batch at a time.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Vec<Vec<Cell>>, StoreError>>(4);
    let select = format!("SELECT {} FROM {table}", names.join(", "));
    let reader = tokio::task::spawn_blocking(move || {
        let run = || -> Result<(), StoreError> {
            let mut stmt = sqlite.prepare(&select).map_err(sq)?;
            let mut rows = stmt.query([]).map_err(sq)?;
            let mut batch = Vec::with_capacity(per_batch);
            while let Some(row) = rows.next().map_err(sq)? {
                let mut cells = Vec::with_capacity(kinds.len());
                for (i, kind) in kinds.iter().enumerate() {
                    cells.push(Cell::of(kind, row.get(i).map_err(sq)?));
                }
                batch.push(cells);
                if batch.len() == per_batch
                    && tx.blocking_send(Ok(std::mem::take(&mut batch))).is_err()
                {
                    return Ok(());
                }
            }
            if !batch.is_empty() {
                let _ = tx.blocking_send(Ok(batch));
            }
            Ok(())
        };
        if let Err(e) = run() {
            let _ = tx.blocking_send(Err(e));
        }
    });
    let t = client.transaction().await.map_err(pg)?;
    let overriding = if identities.is_empty() {
        ""
    } else {
        " OVERRIDING SYSTEM VALUE"
    };
    let conflict = if table == "secrets" {
        " ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, created_at = EXCLUDED.created_at"
    } else if table == "forwarders" {
        " ON CONFLICT DO NOTHING"
    } else {
        ""
    };
    let mut copied = 0u64;
    while let Some(batch) = rx.recv().await {
        let batch = batch?;
        let mut sql = format!(
            "INSERT INTO {table} ({}){overriding} VALUES ",
            names.join(", ")
        );
        let mut params: Vec<&(dyn ToSql + Sync)> = Vec::with_capacity(batch.len() * names.len());
        for (r, row) in batch.iter().enumerate() {
            if r > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for (c, cell) in row.iter().enumerate() {
                if c > 0 {
                    sql.push_str(", ");
                }
                params.push(cell.sql());
                sql.push_str(&format!("${}", params.len()));
            }
            sql.push(')');
        }
        sql.push_str(conflict);
        t.execute(&sql, &params).await.map_err(pg)?;
        copied += batch.len() as u64;
    }
    reader
        .await
        .map_err(|e| StoreError::Backend(format!("the SQLite reader failed: {e}")))?;
    for id in &identities {
        t.execute(
            &format!(
                "SELECT setval(pg_get_serial_sequence('{table}', '{id}'),
                               GREATEST((SELECT COALESCE(MAX({id}), 0) FROM {table}), 1))"
            ),
            &[],
        )
        .await
        .map_err(pg)?;
    }
    let now = mailsight_model::now_ms();
    t.execute(
        "INSERT INTO mailsight_copy (name, rows, finished_at) VALUES ($1, $2, $3)",
        &[&table, &(copied as i64), &now],
    )
    .await
    .map_err(pg)?;
    t.commit().await.map_err(pg)?;
    Ok(copied)
}
