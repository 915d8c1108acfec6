//! Runs the backend conformance suite against the PostgreSQL store.
//!
//! The server comes from `MAILSIGHT_TEST_POSTGRES` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`; `scripts/services`
//! starts one). The test makes a database of its own and drops it at the
//! end, failed or not. An unreachable server fails the test: CI runs it,
//! and a silent skip would hide a backend nobody tested.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use mailsight_store::{PostgresStore, conformance};
use tokio_postgres::NoTls;

const DEFAULT_SERVER: &str = "postgres://postgres@127.0.0.1:5432/postgres";

fn server_url() -> String {
    std::env::var("MAILSIGHT_TEST_POSTGRES").unwrap_or_else(|_| DEFAULT_SERVER.to_owned())
}

/// `url` with its database name replaced by `name` (query kept).
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let host_start = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[host_start..]
        .find('/')
        .map_or(base.len(), |i| host_start + i);
    format!("{}/{name}{query}", &base[..host_end])
}

/// A database made for one test, dropped when this goes out of scope.
struct TestDatabase {
    server: String,
    name: String,
    url: String,
}

async fn admin(server: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(server, NoTls)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "PostgreSQL is not reachable at {server}: {e}. Start it (scripts/services) \
             or point MAILSIGHT_TEST_POSTGRES at a server where this user may create databases."
            )
        });
    tokio::spawn(connection);
    client
}

impl TestDatabase {
    async fn create() -> Self {
        let server = server_url();
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let name = format!("mailsight_test_{}_{nanos}", std::process::id());
        admin(&server)
            .await
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap_or_else(|e| panic!("cannot create the test database {name}: {e}"));
        let url = with_database(&server, &name);
        TestDatabase { server, name, url }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let (server, name) = (self.server.clone(), self.name.clone());
        // Drop runs outside async code, maybe while a test panics: a
        // thread of its own with its own runtime does the cleanup.
        let done = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let _ = admin(&server)
                    .await
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await;
            });
        });
        let _ = done.join();
    }
}

/// Opens a store from synchronous code inside the test's runtime, as the
/// suite's `open` is a plain closure.
fn open(url: &str) -> PostgresStore {
    tokio::task::block_in_place(|| {
        tokio::runtime::Handle::current().block_on(PostgresStore::open(url))
    })
    .unwrap_or_else(|e| panic!("cannot open the PostgreSQL store: {e}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_passes_the_conformance_suite() {
    let db = TestDatabase::create().await;
    let started = Instant::now();
    conformance::run(|| open(&db.url)).await;
    eprintln!("conformance suite on PostgreSQL: {:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread")]
async fn opening_twice_migrates_once() {
    let db = TestDatabase::create().await;
    drop(PostgresStore::open(&db.url).await.unwrap());
    let store = PostgresStore::open(&db.url).await.unwrap();
    let c = admin(&db.url).await;
    let versions: i64 = c
        .query_one("SELECT count(*) FROM schema_version", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(versions, 1, "each migration is recorded once");
    use mailsight_store::Store;
    store.ping().await.unwrap();
}

#[test]
fn the_test_database_replaces_the_server_url_path() {
    assert_eq!(
        with_database("postgres://u@h:5432/postgres", "t1"),
        "postgres://u@h:5432/t1"
    );
    assert_eq!(
        with_database("postgres://u@h:5432?sslmode=disable", "t1"),
        "postgres://u@h:5432/t1?sslmode=disable"
    );
}
