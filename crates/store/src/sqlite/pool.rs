//! Connections: one writer thread with group commit, and a bounded pool of
//! readers.
//!
//! SQLite allows one writer at a time, and with `synchronous=FULL` each
//! commit costs an fsync. Funnelling every write through one thread lets it
//! take all the writes waiting at that moment and commit them together: one
//! fsync for many callers. Each write runs inside its own savepoint, so one
//! failing write rolls back alone, and no caller hears `Ok` before the
//! COMMIT that contains its write has returned.
//!
//! Readers are at most `readers` connections (twice the cores by default,
//! [`default_readers`]): a read beyond them waits for one to come back
//! instead of opening another. Each connection keeps its own page
//! cache, so an unbounded pool grew with the number of concurrent requests
//! (2.4–2.9 GB at 256 connections); bounded, the caches total at most
//! `readers × READER_CACHE_KIB`, and the reads that wait also keep the
//! blocking thread pool from growing.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::Connection;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, oneshot};

use super::rollups;
use crate::error::StoreError;

/// The writer's page cache.
const WRITER_CACHE_KIB: usize = 32 * 1024;

/// Each reader's page cache. Readers share the operating system's file
/// cache besides, so a small private cache costs little speed and bounds
/// the pool's memory.
const READER_CACHE_KIB: usize = 8 * 1024;

/// How a store commits: `Full` fsyncs every commit (a write acknowledged
/// is on disk); `None` never syncs, for an ephemeral store whose file is
/// thrown away at exit (tests and CI, where speed matters and a crash
/// loses nothing anyone keeps).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    Full,
    None,
}

impl Durability {
    fn pragma(self) -> &'static str {
        match self {
            Durability::Full => "FULL",
            Durability::None => "OFF",
        }
    }
}

/// How many read connections a store opens at most by default: two per
/// core, so a read that waits on the disk leaves the cores busy.
pub fn default_readers() -> usize {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    (cores * 2).clamp(4, 32)
}

/// How many queued writes one transaction takes at most.
const MAX_BATCH: usize = 512;

type Completion = Box<dyn FnOnce(Result<(), StoreError>) + Send>;
/// A queued write. Called with `None` when the batch could not start: the
/// write is then not run, and its caller gets the batch's error.
type Job = Box<dyn FnOnce(Option<&Connection>) -> (bool, Completion) + Send>;

/// The writer handle and the reader pool of one database file.
pub(crate) struct Pool {
    jobs: mpsc::UnboundedSender<Job>,
    readers: Arc<Readers>,
    /// Joined on drop, so the writer's last commit and checkpoint finish
    /// before the process can exit.
    writer: Option<std::thread::JoinHandle<()>>,
}

/// The read connections: idle ones, and one permit per connection that may
/// exist, idle or lent.
struct Readers {
    path: PathBuf,
    durability: Durability,
    idle: Mutex<Vec<Connection>>,
    permits: Arc<Semaphore>,
}

/// A read connection lent to one read; back to the idle list when dropped,
/// before its permit is released.
struct Lease {
    conn: Option<Connection>,
    readers: Arc<Readers>,
    _permit: OwnedSemaphorePermit,
}

impl Readers {
    /// Waits for a permit, then takes an idle connection or opens one (at
    /// most one per permit, so never more than the pool's size).
    async fn lease(self: &Arc<Self>) -> Result<Lease, StoreError> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Closed)?;
        let idle = self.idle.lock().map_err(|_| poisoned())?.pop();
        let conn = match idle {
            Some(c) => c,
            None => {
                let c = open_connection(&self.path, self.durability)?;
                c.execute_batch(&format!("PRAGMA cache_size = -{READER_CACHE_KIB};"))?;
                c
            }
        };
        Ok(Lease {
            conn: Some(conn),
            readers: self.clone(),
            _permit: permit,
        })
    }
}

impl Lease {
    fn conn(&self) -> &Connection {
        self.conn
            .as_ref()
            .expect("a lease holds its connection until dropped")
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let (Some(conn), Ok(mut idle)) = (self.conn.take(), self.readers.idle.lock()) {
            idle.push(conn);
        }
    }
}

/// Opens a connection with the settings every connection uses.
pub(crate) fn open_connection(
    path: &Path,
    durability: Durability,
) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = {};
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 10000;
         PRAGMA temp_store = MEMORY;",
        durability.pragma()
    ))?;
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
    /// Starts the writer thread on an already migrated connection, with at
    /// most `readers` read connections beside it.
    pub(crate) fn start(
        path: &Path,
        writer: Connection,
        durability: Durability,
        readers: usize,
    ) -> Result<Self, StoreError> {
        // The writer walks the random-keyed indexes (message ids) of every
        // insert: a bigger page cache keeps them in memory for longer.
        // Checkpointing less often writes each hot page back once for many
        // commits instead of once per commit (the WAL grows to ~64 MiB).
        writer.execute_batch(&format!(
            "PRAGMA cache_size = -{WRITER_CACHE_KIB}; PRAGMA wal_autocheckpoint = 16384;"
        ))?;
        let (jobs, rx) = mpsc::unbounded_channel();
        let writer = std::thread::Builder::new()
            .name("mailsight-sqlite-writer".into())
            .spawn(move || writer_loop(writer, rx))
            .map_err(|e| StoreError::Backend(format!("cannot start the writer thread: {e}")))?;
        Ok(Pool {
            jobs,
            writer: Some(writer),
            readers: Arc::new(Readers {
                path: path.to_owned(),
                durability,
                idle: Mutex::new(Vec::new()),
                permits: Arc::new(Semaphore::new(readers.max(1))),
            }),
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
        let lease = self.readers.lease().await?;
        tokio::task::spawn_blocking(move || f(lease.conn()))
            .await
            .map_err(|e| StoreError::Backend(format!("read task failed: {e}")))?
    }

    /// Runs a short read (a point lookup) on a pooled connection right on
    /// the calling thread, once one is free. Handing it to the blocking
    /// pool costs two thread switches, more than the lookup itself:
    /// GetMessageInsights went from about 3,600 to (see BENCHMARKS.md)
    /// requests per second without them. Reads never wait for the writer
    /// in WAL mode, so this does not block.
    pub(crate) async fn read_now<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        F: FnOnce(&Connection) -> Result<R, StoreError>,
    {
        let lease = self.readers.lease().await?;
        f(lease.conn())
    }
}

/// Closing the store: the writer takes the writes still queued, then
/// checkpoints the WAL into the database and truncates it. Without the
/// join, a process ending right after its last write (`mailsight import`)
/// exited before that, and left a WAL of up to ~70 MB beside the database
/// (harmless, replayed at the next open, but counted as disk in use).
impl Drop for Pool {
    fn drop(&mut self) {
        // A fresh sender in its place drops the only one: the queue closes.
        drop(std::mem::replace(
            &mut self.jobs,
            mpsc::unbounded_channel().0,
        ));
        if let Some(writer) = self.writer.take()
            && writer.thread().id() != std::thread::current().id()
        {
            let _ = writer.join();
        }
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
    // Readers may still hold connections open, so closing this one would
    // not checkpoint by itself. A failure only leaves the WAL in place,
    // which the next open replays.
    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())) {
        tracing::warn!(error = %e, "checkpointing the WAL at close failed");
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
    rollups::batch::open();
    for job in batch {
        let mark = rollups::batch::mark();
        let savepoint = run(conn, "SAVEPOINT job");
        let (ok, done) = job(Some(conn));
        let closed = if ok {
            run(conn, "RELEASE job")
        } else {
            run(conn, "ROLLBACK TO job").and_then(|()| run(conn, "RELEASE job"))
        };
        let closed = savepoint.and(closed);
        if !ok || closed.is_err() {
            rollups::batch::discard_since(mark);
        }
        match closed {
            Ok(()) => completions.push(done),
            Err(e) => done(Err(e.into())),
        }
    }
    // The rollup counts of every write above, merged: part of the same
    // transaction, so a count is committed exactly with its events.
    let commit =
        rollups::batch::close(conn).and_then(|()| run(conn, "COMMIT").map_err(StoreError::from));
    if commit.is_err() {
        let _ = run(conn, "ROLLBACK");
    }
    for done in completions {
        done(commit.clone());
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use rusqlite::StatementStatus;

    use super::*;

    /// Many concurrent reads share the pool's connections: they wait for
    /// one instead of opening more (each has its own page cache).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reads_beyond_the_pool_wait_instead_of_opening_connections() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let writer = open_connection(&path, Durability::Full).unwrap();
        let pool = Arc::new(Pool::start(&path, writer, Durability::Full, 2).unwrap());
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let mut reads = Vec::new();
        for i in 0..24 {
            let (pool, running, most) = (pool.clone(), running.clone(), most.clone());
            reads.push(tokio::spawn(async move {
                let work = move |c: &Connection| {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(10));
                    running.fetch_sub(1, Ordering::SeqCst);
                    Ok(c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?)
                };
                // Both kinds of read draw on the same connections.
                if i % 2 == 0 {
                    pool.read(work).await
                } else {
                    pool.read_now(work).await
                }
            }));
        }
        for r in reads {
            assert_eq!(r.await.unwrap().unwrap(), 1);
        }
        assert!(most.load(Ordering::SeqCst) <= 2, "{most:?} reads at once");
        assert!(pool.readers.idle.lock().unwrap().len() <= 2);
    }

    /// Dropping the pool finishes the writer's work and folds the WAL into
    /// the database before it returns, even with read connections open:
    /// a process may exit right after, and would otherwise leave the WAL
    /// (tens of megabytes after an import) on disk.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn dropping_the_pool_checkpoints_the_wal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let writer = open_connection(&path, Durability::Full).unwrap();
        let pool = Pool::start(&path, writer, Durability::Full, 2).unwrap();
        pool.write(|c| {
            c.execute_batch(
                "CREATE TABLE t (x BLOB);
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
                 INSERT INTO t SELECT randomblob(500) FROM n;",
            )?;
            Ok(())
        })
        .await
        .unwrap();
        let wal = dir.path().join("t.db-wal");
        assert!(
            std::fs::metadata(&wal).unwrap().len() > 500_000,
            "the rows are in the WAL"
        );
        // A reader stays open in the pool, so the writer's close is not the
        // database's last (which would checkpoint by itself).
        let rows: i64 = pool
            .read(|c| Ok(c.query_row("SELECT count(*) FROM t", [], |r| r.get(0))?))
            .await
            .unwrap();
        assert_eq!(rows, 2000);
        drop(pool);
        let left = std::fs::metadata(&wal).map_or(0, |m| m.len());
        assert_eq!(left, 0, "the WAL was checkpointed and truncated");
        let c = open_connection(&path, Durability::Full).unwrap();
        let rows: i64 = c
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 2000, "and nothing was lost");
    }

    /// The writes of one batch defer their rollup counts to its end; one
    /// that fails takes its counts back, the others' are all written.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_write_takes_its_deferred_counts_back() {
        use crate::tally::{Counted, Tally};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let mut writer = open_connection(&path, Durability::Full).unwrap();
        super::super::schema::migrate(&mut writer).unwrap();
        let pool = Arc::new(Pool::start(&path, writer, Durability::Full, 2).unwrap());
        let count_one = |fail: bool| {
            move |c: &Connection| {
                let mut t = Tally::default();
                t.add(&Counted {
                    account: "111122223333",
                    message: None,
                    recipient: "a@example.com",
                    event_type: mailsight_model::EventType::Send,
                    timestamp: 0,
                    details: None,
                    first_of_kind: true,
                });
                rollups::flush(&mut t, c)?;
                if fail {
                    return Err(StoreError::Backend("refused".into()));
                }
                Ok(())
            }
        };
        // The first write holds the writer while the others queue, so that
        // they share one batch.
        let slow = pool.write(|_| {
            std::thread::sleep(std::time::Duration::from_millis(100));
            Ok(())
        });
        let rest = async {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            tokio::join!(
                pool.write(count_one(false)),
                pool.write(count_one(true)),
                pool.write(count_one(false))
            )
        };
        let (first, (a, b, c)) = tokio::join!(slow, rest);
        first.unwrap();
        a.unwrap();
        assert!(b.is_err());
        c.unwrap();
        let total: i64 = pool
            .read(|c| {
                Ok(c.query_row(
                    "SELECT count FROM rollups WHERE metric = 'SEND' AND dimension = ''",
                    [],
                    |r| r.get(0),
                )?)
            })
            .await
            .unwrap();
        assert_eq!(total, 2);
    }

    #[test]
    fn statements_are_not_reprepared() {
        let dir = tempfile::tempdir().unwrap();
        let c = super::open_connection(&dir.path().join("t.db"), super::Durability::Full).unwrap();
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
