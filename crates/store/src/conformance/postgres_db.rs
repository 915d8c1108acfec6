//! A PostgreSQL database of its own for one test, for the tests of the
//! PostgreSQL backend (the conformance run, the server's end-to-end test).
//!
//! The server comes from `MAILSIGHT_TEST_POSTGRES` (default
//! [`DEFAULT_SERVER`]; `scripts/services` starts one). An unreachable server
//! panics with what to do: CI runs these tests, and a silent skip would
//! hide a backend nobody tested.

use std::time::{SystemTime, UNIX_EPOCH};

use tokio_postgres::NoTls;

/// The server the tests use unless `MAILSIGHT_TEST_POSTGRES` names another.
pub const DEFAULT_SERVER: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A database made for one test, dropped when this goes out of scope, the
/// test failed or not.
pub struct TestDatabase {
    server: String,
    name: String,
    /// The URL of the new database.
    pub url: String,
}

/// The test server's URL.
pub fn server_url() -> String {
    std::env::var("MAILSIGHT_TEST_POSTGRES").unwrap_or_else(|_| DEFAULT_SERVER.to_owned())
}

/// `url` with its database name replaced by `name` (query kept).
pub fn with_database(url: &str, name: &str) -> String {
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

/// A plain connection to `url`; panics, saying what to do, when the
/// server cannot be reached.
pub async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "PostgreSQL is not reachable at {url}: {e}. Start it (scripts/services) or point \
                 MAILSIGHT_TEST_POSTGRES at a server where this user may create databases."
            )
        });
    tokio::spawn(connection);
    client
}

impl TestDatabase {
    /// Creates `mailsight_test_<pid>_<nanos>` on the test server.
    pub async fn create() -> Self {
        let server = server_url();
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let name = format!("mailsight_test_{}_{nanos}", std::process::id());
        connect(&server)
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
        // Drop runs outside async code, maybe while a test panics: a thread
        // of its own with its own runtime does the cleanup. FORCE ends the
        // connections a store still holds.
        let done = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                if let Ok((client, connection)) = tokio_postgres::connect(&server, NoTls).await {
                    tokio::spawn(connection);
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    if let Err(e) = client.batch_execute(&sql).await {
                        eprintln!("could not drop the test database {name}: {e}");
                    }
                }
            });
        });
        let _ = done.join();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
