//! Runs the backend conformance suite against the PostgreSQL store, in a
//! database of its own on the server `MAILSIGHT_TEST_POSTGRES` names (see
//! `conformance::postgres_db`). An unreachable server fails the test.

use std::time::Instant;

use mailsight_store::conformance::postgres_db::{TestDatabase, connect};
use mailsight_store::{PostgresStore, Store, conformance};

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
    let versions: i64 = connect(&db.url)
        .await
        .query_one("SELECT count(*) FROM schema_version", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(versions, 1, "each migration is recorded once");
    store.ping().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_server_is_an_error_not_a_hang() {
    // Nothing listens on port 1.
    let err = PostgresStore::open("postgres://postgres@127.0.0.1:1/none")
        .await
        .err()
        .expect("no server there");
    assert!(err.to_string().contains("cannot reach PostgreSQL"), "{err}");
}
