//! Connections: one writer thread with group commit, and pooled readers.
//!
//! SQLite allows one writer at a time, and with `synchronous=FULL` each
//! commit costs an fsync. Funnelling every write through one thread lets it
//! take all the writes waiting at that moment and commit them together: one
//! fsync for many callers. Each write runs inside its own savepoint, so one
//! failing write rolls back alone, and no caller hears `Ok` before the
//! COMMIT that contains its write has returned.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot};

use crate::error::StoreError;

/// The writer's page cache (readers keep the default of every connection).
const WRITER_CACHE_KIB: usize = 32 * 1024;

/// How many queued writes one transaction takes at most.
const MAX_BATCH: usize = 512;

type Completion = Box<dyn FnOnce(Result<(), StoreError>) + Send>;
/// A queued write. Called with `None` when the batch could not start: the
/// write is then not run, and its caller gets the batch's error.
type Job = Box<dyn FnOnce(Option<&Connection>) -> (bool, Completion) + Send>;

/// The writer handle and the reader pool of one database file.
pub(crate) struct Pool {
    path: PathBuf,
    jobs: mpsc::UnboundedSender<Job>,
    readers: Arc<Mutex<Vec<Connection>>>,
}

/// Opens a connection with the settings every connection uses.
pub(crate) fn open_connection(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 10000;
         PRAGMA cache_size = -16384;
         PRAGMA temp_store = MEMORY;",
    )?;
    // SQLite re-prepares a statement on every new binding when its plan
    // might depend on the bound value (an ORDER BY beside `col = ?`, a
    // LIKE on a parameter, ...). The store's queries have one good plan
    // whatever the values, so the query planner stability guarantee turns
    // that off: without it, GetMessageInsights re-parsed its SQL on every
    // request (see `statements_are_not_reprepared` below).
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    // rusqlite keeps 16 prepared statements per connection by default; the
    // store uses more than that, and re-preparing one costs more than the
    // point read it serves.
    conn.set_prepared_statement_cache_capacity(128);
    Ok(conn)
}

impl Pool {
    /// Starts the writer thread on an already migrated connection.
    pub(crate) fn start(path: &Path, writer: Connection) -> Result<Self, StoreError> {
        // The writer walks the random-keyed indexes (message ids) of every
        // insert: a bigger page cache keeps them in memory for longer.
        // Checkpointing less often writes each hot page back once for many
        // commits instead of once per commit (the WAL grows to ~64 MiB).
        writer.execute_batch(&format!(
            "PRAGMA cache_size = -{WRITER_CACHE_KIB}; PRAGMA wal_autocheckpoint = 16384;"
        ))?;
        let (jobs, rx) = mpsc::unbounded_channel();
        std::thread::Builder::new()
            .name("mailsight-sqlite-writer".into())
            .spawn(move || writer_loop(writer, rx))
            .map_err(|e| StoreError::Backend(format!("cannot start the writer thread: {e}")))?;
        Ok(Pool {
            path: path.to_owned(),
            jobs,
            readers: Arc::new(Mutex::new(Vec::new())),
        })
    }

    /// Runs `f` in the next group commit; resolves once that commit is durable.
    pub(crate) async fn write<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R, StoreError> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let result = match conn {
                Some(conn) => f(conn),
                None => Err(StoreError::Backend("the write batch did not start".into())),
            };
            let ok = result.is_ok();
            let done: Completion = Box::new(move |commit| {
                let _ = tx.send(commit.and(result));
            });
            (ok, done)
        });
        self.jobs.send(job).map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }

    /// Runs `f` on a pooled read connection, off the async threads.
    pub(crate) async fn read<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R, StoreError> + Send + 'static,
    {
        let readers = self.readers.clone();
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let pooled = readers.lock().map_err(|_| poisoned())?.pop();
            let conn = match pooled {
                Some(c) => c,
                None => open_connection(&path)?,
            };
            let result = f(&conn);
            readers.lock().map_err(|_| poisoned())?.push(conn);
            result
        })
        .await
        .map_err(|e| StoreError::Backend(format!("read task failed: {e}")))?
    }

    /// Runs a short read (a point lookup) on a pooled connection right on
    /// the calling thread. Handing it to the blocking pool costs two thread
    /// switches, more than the lookup itself: GetMessageInsights went from
    /// about 3,600 to (see BENCHMARKS.md) requests per second without them.
    /// Reads never wait for the writer in WAL mode, so this does not block.
    pub(crate) fn read_now<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        F: FnOnce(&Connection) -> Result<R, StoreError>,
    {
        let pooled = self.readers.lock().map_err(|_| poisoned())?.pop();
        let conn = match pooled {
            Some(c) => c,
            None => open_connection(&self.path)?,
        };
        let result = f(&conn);
        self.readers.lock().map_err(|_| poisoned())?.push(conn);
        result
    }
}

fn poisoned() -> StoreError {
    StoreError::Backend("reader pool lock poisoned".into())
}

fn writer_loop(conn: Connection, mut rx: mpsc::UnboundedReceiver<Job>) {
    while let Some(first) = rx.blocking_recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        run_batch(&conn, batch);
    }
}

/// Runs a transaction-control statement through the statement cache: the
/// writer runs four of them per write, and parsing each anew cost more
/// than some writes.
fn run(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(|_| ())
}

fn run_batch(conn: &Connection, batch: Vec<Job>) {
    if let Err(e) = run(conn, "BEGIN IMMEDIATE") {
        let err = StoreError::from(e);
        for job in batch {
            let (_, done) = job(None);
            done(Err(err.clone()));
        }
        return;
    }
    let mut completions = Vec::with_capacity(batch.len());
    for job in batch {
        let savepoint = run(conn, "SAVEPOINT job");
        let (ok, done) = job(Some(conn));
        let closed = if ok {
            run(conn, "RELEASE job")
        } else {
            run(conn, "ROLLBACK TO job").and_then(|()| run(conn, "RELEASE job"))
        };
        match savepoint.and(closed) {
            Ok(()) => completions.push(done),
            Err(e) => done(Err(e.into())),
        }
    }
    let commit = run(conn, "COMMIT").map_err(StoreError::from);
    if commit.is_err() {
        let _ = run(conn, "ROLLBACK");
    }
    for done in completions {
        done(commit.clone());
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::StatementStatus;

    #[test]
    fn statements_are_not_reprepared() {
        let dir = tempfile::tempdir().unwrap();
        let c = super::open_connection(&dir.path().join("t.db")).unwrap();
        c.execute_batch(
            "CREATE TABLE e (mid INTEGER, r TEXT, t INTEGER, PRIMARY KEY (mid, r, t)) WITHOUT ROWID;
             INSERT INTO e VALUES (1, 'a', 1), (2, 'b', 2), (2, 'a', 3);",
        )
        .unwrap();
        for mid in [1i64, 2, 1, 2] {
            let mut s = c
                .prepare_cached("SELECT r FROM e WHERE mid = ?1 ORDER BY r, t")
                .unwrap();
            let _ = s.query_map([mid], |_| Ok(())).unwrap().count();
            assert_eq!(s.get_status(StatementStatus::RePrepare), 0);
        }
    }
}
