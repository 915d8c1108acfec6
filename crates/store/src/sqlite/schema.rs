//! Versioned schema migrations, tracked in `PRAGMA user_version`.
//!
//! Each entry of [`MIGRATIONS`] runs once, in order, in its own transaction.
//! Never edit a released migration: add a new one.

use rusqlite::Connection;

use crate::error::StoreError;

const MIGRATIONS: &[&str] = &[
    // 1: configuration, messages, the event log and the schedule.
    "CREATE TABLE configuration_sets (
         account_id TEXT NOT NULL,
         name       TEXT NOT NULL,
         options    TEXT NOT NULL,
         created_at INTEGER NOT NULL,
         PRIMARY KEY (account_id, name)
     ) WITHOUT ROWID;

     CREATE TABLE event_destinations (
         account_id        TEXT NOT NULL,
         configuration_set TEXT NOT NULL,
         name              TEXT NOT NULL,
         enabled           INTEGER NOT NULL,
         matching_types    TEXT NOT NULL,
         definition        TEXT NOT NULL,
         PRIMARY KEY (account_id, configuration_set, name),
         FOREIGN KEY (account_id, configuration_set)
             REFERENCES configuration_sets (account_id, name) ON DELETE CASCADE
     ) WITHOUT ROWID;

     CREATE TABLE identities (
         account_id        TEXT NOT NULL,
         name              TEXT NOT NULL,
         identity_type     TEXT NOT NULL,
         tags              TEXT NOT NULL,
         configuration_set TEXT,
         created_at        INTEGER NOT NULL,
         PRIMARY KEY (account_id, name)
     ) WITHOUT ROWID;

     CREATE TABLE messages (
         message_id        TEXT PRIMARY KEY,
         account_id        TEXT NOT NULL,
         from_address      TEXT NOT NULL,
         subject           TEXT,
         tags              TEXT NOT NULL,
         configuration_set TEXT,
         sent_at           INTEGER NOT NULL,
         recipients        TEXT NOT NULL
     ) WITHOUT ROWID;
     CREATE INDEX messages_by_account_time ON messages (account_id, sent_at);

     CREATE TABLE records (
         id          INTEGER PRIMARY KEY,
         account_id  TEXT NOT NULL,
         message_id  TEXT NOT NULL,
         event_type  TEXT NOT NULL,
         timestamp   INTEGER NOT NULL,
         dedupe_key  TEXT NOT NULL UNIQUE,
         body        TEXT NOT NULL
     );
     CREATE INDEX records_by_message ON records (message_id, id);

     CREATE TABLE events (
         message_id TEXT NOT NULL,
         recipient  TEXT NOT NULL,
         timestamp  INTEGER NOT NULL,
         record_id  INTEGER NOT NULL,
         event_type TEXT NOT NULL,
         details    TEXT,
         PRIMARY KEY (message_id, recipient, timestamp, record_id)
     ) WITHOUT ROWID;

     CREATE TABLE scheduled (
         id     INTEGER PRIMARY KEY,
         due    INTEGER NOT NULL,
         record TEXT NOT NULL
     );
     CREATE INDEX scheduled_by_due ON scheduled (due, id);",
    // 2: the outbox: what the router decided to deliver, and every attempt.
    "CREATE TABLE forwarders (
         name               TEXT PRIMARY KEY,
         event_types        TEXT NOT NULL,
         configuration_sets TEXT NOT NULL
     );

     CREATE TABLE deliveries (
         id           INTEGER PRIMARY KEY,
         record_id    INTEGER NOT NULL REFERENCES records (id),
         account_id   TEXT NOT NULL,
         target       TEXT NOT NULL,
         status       TEXT NOT NULL,
         attempts     INTEGER NOT NULL DEFAULT 0,
         next_attempt INTEGER NOT NULL,
         created_at   INTEGER NOT NULL,
         last_error   TEXT
     );
     CREATE INDEX deliveries_due ON deliveries (status, next_attempt, target);
     CREATE INDEX deliveries_by_target ON deliveries (target, status, next_attempt);

     CREATE TABLE delivery_attempts (
         delivery_id INTEGER NOT NULL REFERENCES deliveries (id),
         at          INTEGER NOT NULL,
         ok          INTEGER NOT NULL,
         detail      TEXT
     );
     CREATE INDEX delivery_attempts_by_delivery ON delivery_attempts (delivery_id, at);",
    // 3: SNS topics mailsight hosts, and their HTTP(S) subscriptions.
    "CREATE TABLE sns_topics (
         arn        TEXT PRIMARY KEY,
         account_id TEXT NOT NULL,
         name       TEXT NOT NULL,
         attributes TEXT NOT NULL,
         created_at INTEGER NOT NULL
     ) WITHOUT ROWID;
     CREATE INDEX sns_topics_by_account ON sns_topics (account_id, arn);

     CREATE TABLE sns_subscriptions (
         arn        TEXT PRIMARY KEY,
         topic_arn  TEXT NOT NULL REFERENCES sns_topics (arn) ON DELETE CASCADE,
         account_id TEXT NOT NULL,
         protocol   TEXT NOT NULL,
         endpoint   TEXT NOT NULL,
         status     TEXT NOT NULL CHECK (status IN ('pending', 'confirmed')),
         token      TEXT NOT NULL,
         attributes TEXT NOT NULL,
         created_at INTEGER NOT NULL
     ) WITHOUT ROWID;
     CREATE UNIQUE INDEX sns_subscriptions_by_endpoint
         ON sns_subscriptions (topic_arn, protocol, endpoint);
     CREATE INDEX sns_subscriptions_by_account ON sns_subscriptions (account_id, arn);",
];

/// Brings the database up to the newest schema version.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let current: usize =
        conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
    if current > MIGRATIONS.len() {
        return Err(StoreError::Backend(format!(
            "the database has schema version {current}, newer than this mailsight knows ({}); \
             upgrade mailsight",
            MIGRATIONS.len()
        )));
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.execute_batch(&format!("PRAGMA user_version = {}", index + 1))?;
        tx.commit()?;
        tracing::info!(version = index + 1, "applied schema migration");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrating_twice_is_a_no_op() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v as usize, MIGRATIONS.len());
    }

    #[test]
    fn refuses_a_newer_schema() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("PRAGMA user_version = 999").unwrap();
        assert!(migrate(&mut conn).is_err());
    }
}
