//! Versioned schema migrations, tracked in `PRAGMA user_version`.
//!
//! Each entry of [`MIGRATIONS`] runs once, in order, in its own transaction.
//! Never edit a released migration: add a new one.

use rusqlite::{Connection, OptionalExtension};

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
    // 4: account-scoped documents (templates, contacts, suppression, settings),
    // the MIME of sent messages, and opens/clicks judged to be machines.
    "CREATE TABLE items (
         account_id TEXT NOT NULL,
         kind       TEXT NOT NULL,
         key        TEXT NOT NULL,
         body       TEXT NOT NULL,
         created_at INTEGER NOT NULL,
         updated_at INTEGER NOT NULL,
         PRIMARY KEY (account_id, kind, key)
     ) WITHOUT ROWID;

     CREATE TABLE message_content (
         message_id TEXT NOT NULL,
         recipient  TEXT NOT NULL,
         account_id TEXT NOT NULL,
         mime       BLOB NOT NULL,
         PRIMARY KEY (message_id, recipient)
     ) WITHOUT ROWID;

     CREATE TABLE machine_activity (
         dedupe_key TEXT PRIMARY KEY,
         account_id TEXT NOT NULL,
         message_id TEXT NOT NULL,
         reason     TEXT NOT NULL
     );
     CREATE INDEX machine_activity_by_message ON machine_activity (message_id);",
    COMPACT_EVENTS,
    ROLLUPS,
    SEARCH_INDEX,
    EXPORT_JOBS,
    ROLLUP_DAYS,
    IDENTITY_ATTRIBUTES,
    SECRETS,
    EXPORT_LEASES,
    SEARCH_KEYS,
];

/// 5: compact event storage (see `sqlite::codec` and `sqlite::events`).
/// Messages get an integer key and keep the `mail` object their records
/// share; records and events refer to messages by that key; dedupe keys
/// become 64-bit hashes unique per message (computed in Rust by
/// [`after_compact_events`], as SQL has no hash); bodies become compressed
/// blobs for new rows (old ones stay TEXT, which readers accept).
const COMPACT_EVENTS: &str = "CREATE TABLE messages_v5 (
         mid               INTEGER PRIMARY KEY,
         message_id        TEXT NOT NULL UNIQUE,
         account_id        TEXT NOT NULL,
         from_address      TEXT,
         subject           TEXT,
         tags              TEXT NOT NULL,
         configuration_set TEXT,
         sent_at           INTEGER NOT NULL,
         recipients        TEXT NOT NULL,
         mail_hash         INTEGER,
         mail              BLOB
     );
     INSERT INTO messages_v5 (message_id, account_id, from_address, subject, tags,
                              configuration_set, sent_at, recipients)
         SELECT message_id, account_id, from_address, subject, tags, configuration_set,
                sent_at, recipients FROM messages;
     INSERT INTO messages_v5 (message_id, account_id, tags, sent_at, recipients)
         SELECT message_id, min(account_id), '[]', min(timestamp), '[]' FROM records
         WHERE message_id NOT IN (SELECT message_id FROM messages) GROUP BY message_id;
     DROP TABLE messages;
     ALTER TABLE messages_v5 RENAME TO messages;
     CREATE INDEX messages_by_account_time ON messages (account_id, sent_at);

     CREATE TABLE records_v5 (
         id         INTEGER PRIMARY KEY,
         mid        INTEGER NOT NULL,
         event_type TEXT NOT NULL,
         timestamp  INTEGER NOT NULL,
         dedupe     INTEGER NOT NULL,
         body       BLOB NOT NULL,
         UNIQUE (mid, dedupe)
     );
     INSERT INTO records_v5 (id, mid, event_type, timestamp, dedupe, body)
         SELECT r.id, m.mid, r.event_type, r.timestamp, r.dedupe_key, r.body
         FROM records r JOIN messages m ON m.message_id = r.message_id;
     DROP TABLE records;
     ALTER TABLE records_v5 RENAME TO records;

     CREATE TABLE events_v5 (
         mid        INTEGER NOT NULL,
         recipient  TEXT NOT NULL,
         timestamp  INTEGER NOT NULL,
         record_id  INTEGER NOT NULL,
         event_type TEXT NOT NULL,
         details    TEXT,
         PRIMARY KEY (mid, recipient, timestamp, record_id)
     ) WITHOUT ROWID;
     INSERT INTO events_v5 (mid, recipient, timestamp, record_id, event_type, details)
         SELECT m.mid, e.recipient, e.timestamp, e.record_id, e.event_type, e.details
         FROM events e JOIN messages m ON m.message_id = e.message_id;
     DROP TABLE events;
     ALTER TABLE events_v5 RENAME TO events;";

/// 6: rollups, counts per metric, hour and dimension (see
/// `sqlite::rollups`), filled from the stored events by
/// [`super::rollups::rebuild`] once the day totals (9) exist too.
const ROLLUPS: &str = "CREATE TABLE rollups (
         account_id TEXT NOT NULL,
         metric     TEXT NOT NULL,
         dimension  TEXT NOT NULL,
         value      TEXT NOT NULL,
         hour       INTEGER NOT NULL,
         tracked    INTEGER NOT NULL,
         count      INTEGER NOT NULL,
         PRIMARY KEY (account_id, metric, dimension, value, hour, tracked)
     ) WITHOUT ROWID;

     CREATE TABLE rollup_cells (
         account_id        TEXT NOT NULL,
         metric            TEXT NOT NULL,
         hour              INTEGER NOT NULL,
         tracked           INTEGER NOT NULL,
         identity          TEXT NOT NULL,
         domain            TEXT NOT NULL,
         configuration_set TEXT NOT NULL,
         isp               TEXT NOT NULL,
         tenant            TEXT NOT NULL,
         count             INTEGER NOT NULL,
         PRIMARY KEY (account_id, metric, hour, tracked, identity, configuration_set, isp, tenant)
     ) WITHOUT ROWID;

     CREATE TABLE rollup_quarters (
         account_id TEXT NOT NULL,
         metric     TEXT NOT NULL,
         quarter    INTEGER NOT NULL,
         count      INTEGER NOT NULL,
         PRIMARY KEY (account_id, metric, quarter)
     ) WITHOUT ROWID;";

/// Replaces the text dedupe keys copied by [`COMPACT_EVENTS`] with their hashes.
fn after_compact_events(tx: &Connection) -> Result<(), StoreError> {
    let rows: Vec<(i64, String)> = tx
        .prepare("SELECT id, dedupe FROM records WHERE typeof(dedupe) = 'text'")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut update = tx.prepare("UPDATE records SET dedupe = ?2 WHERE id = ?1")?;
    for (id, key) in rows {
        update.execute(rusqlite::params![id, super::codec::hash(key.as_bytes())])?;
    }
    Ok(())
}

/// 6: the message search index with its terms as text; replaced by
/// [`SEARCH_KEYS`], which fills it, so it is created empty.
const SEARCH_INDEX: &str = "CREATE TABLE search_terms (
         account_id TEXT NOT NULL,
         term       TEXT NOT NULL,
         sent_at    INTEGER NOT NULL,
         mid        INTEGER NOT NULL,
         PRIMARY KEY (account_id, term, sent_at, mid)
     ) WITHOUT ROWID;";

/// 8: export jobs (see `sqlite::exports`): the exporter's queue and the
/// state `GetExportJob` reads.
const EXPORT_JOBS: &str = "CREATE TABLE export_jobs (
         account_id   TEXT NOT NULL,
         job_id       TEXT NOT NULL,
         source_type  TEXT NOT NULL,
         status       TEXT NOT NULL,
         spec         TEXT NOT NULL,
         created_at   INTEGER NOT NULL,
         completed_at INTEGER,
         processed    INTEGER NOT NULL DEFAULT 0,
         exported     INTEGER NOT NULL DEFAULT 0,
         error        TEXT,
         file         TEXT,
         PRIMARY KEY (account_id, job_id)
     ) WITHOUT ROWID;
     CREATE INDEX export_jobs_by_time ON export_jobs (account_id, created_at, job_id);
     CREATE INDEX export_jobs_unfinished ON export_jobs (created_at)
         WHERE status IN ('CREATED', 'PROCESSING');";

/// 9: day totals beside the hourly `rollups` rows (see `sqlite::rollups`),
/// so a daily series of a month reads 30 rows rather than 720; filled from
/// the hourly rows.
const ROLLUP_DAYS: &str = "CREATE TABLE rollup_days (
         account_id TEXT NOT NULL,
         metric     TEXT NOT NULL,
         dimension  TEXT NOT NULL,
         value      TEXT NOT NULL,
         day        INTEGER NOT NULL,
         tracked    INTEGER NOT NULL,
         count      INTEGER NOT NULL,
         PRIMARY KEY (account_id, metric, dimension, value, day, tracked)
     ) WITHOUT ROWID;
     INSERT INTO rollup_days (account_id, metric, dimension, value, day, tracked, count)
         SELECT account_id, metric, dimension, value, (hour / 86400000) * 86400000, tracked,
                sum(count)
         FROM rollups GROUP BY 1, 2, 3, 4, 5, 6;";

/// 10: each identity's notification settings (`IdentityAttributes`, as
/// JSON); identities stored before keep SES's defaults.
const IDENTITY_ATTRIBUTES: &str =
    "ALTER TABLE identities ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';";

/// 11: per-install secrets (the SNS signing key, the tracking secret),
/// which earlier versions kept as files in the data directory.
const SECRETS: &str = "CREATE TABLE secrets (
         name       TEXT PRIMARY KEY,
         value      BLOB NOT NULL,
         created_at INTEGER NOT NULL
     );";

/// 12: who runs an export job until when (see `Store::lease_export_job`),
/// so that processes sharing a store run each job once at a time.
const EXPORT_LEASES: &str =
    "ALTER TABLE export_jobs ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;";

/// 13: the search index keyed by [`crate::search::term_key`] instead of
/// the account and the term's text (half the size); rebuilt from every
/// stored message and record by [`super::search::backfill`], as SQL has no
/// XXH3.
const SEARCH_KEYS: &str = "DROP TABLE search_terms;
     CREATE TABLE search_terms (
         term_key INTEGER NOT NULL,
         sent_at  INTEGER NOT NULL,
         mid      INTEGER NOT NULL,
         PRIMARY KEY (term_key, sent_at, mid)
     ) WITHOUT ROWID;";

/// The schema version that brought the hourly rollups.
fn rollups_version() -> usize {
    MIGRATIONS
        .iter()
        .position(|m| *m == ROLLUPS)
        .map_or(0, |i| i + 1)
}

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
    // Tables are rebuilt with foreign keys off, as SQLite prescribes (the
    // pragma is a no-op inside a transaction), and checked before commit.
    conn.execute_batch("PRAGMA foreign_keys = OFF")?;
    let result = apply(conn, current);
    conn.execute_batch("PRAGMA foreign_keys = ON")?;
    result
}

fn apply(conn: &mut Connection, current: usize) -> Result<(), StoreError> {
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        if *sql == COMPACT_EVENTS {
            after_compact_events(&tx)?;
        }
        // The rollups are counted once every rollup table exists: a
        // database older than them gets its counts when the last is made
        // (one that had rollups got its day totals from them above).
        if *sql == ROLLUP_DAYS && current < rollups_version() {
            super::rollups::rebuild(&tx)?;
        }
        if *sql == SEARCH_KEYS {
            super::search::backfill(&tx)?;
        }
        let broken: Option<String> = tx
            .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
            .optional()?;
        if let Some(table) = broken {
            return Err(StoreError::Backend(format!(
                "schema migration {} broke a foreign key of {table}",
                index + 1
            )));
        }
        tx.execute_batch(&format!("PRAGMA user_version = {}", index + 1))?;
        tx.commit()?;
        tracing::info!(version = index + 1, "applied schema migration");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database with every migration before `migration` applied, and the
    /// number of those.
    fn just_before(migration: &str) -> (Connection, usize) {
        let conn = Connection::open_in_memory().unwrap();
        let before = MIGRATIONS.iter().position(|m| *m == migration).unwrap();
        for sql in &MIGRATIONS[..before] {
            conn.execute_batch(sql).unwrap();
        }
        (conn, before)
    }

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
    fn compact_events_keeps_rows_and_rehashes_dedupe_keys() {
        let (mut conn, before) = just_before(COMPACT_EVENTS);
        conn.execute_batch(&format!(
            "PRAGMA user_version = {before};
             PRAGMA foreign_keys = ON;
             INSERT INTO messages VALUES ('m1', 'a', 'f@x', 's', '[]', NULL, 5, '[]');
             INSERT INTO records VALUES (7, 'a', 'm1', 'SEND', 5, 'm1|Send|5', '{{\"x\":1}}');
             INSERT INTO records VALUES (8, 'a', 'orphan', 'OPEN', 6, 'orphan|Open|6', '{{}}');
             INSERT INTO events VALUES ('m1', 'r@x', 5, 7, 'SEND', NULL);
             INSERT INTO deliveries (record_id, account_id, target, status, next_attempt, created_at)
                 VALUES (7, 'a', 't', 'pending', 0, 0);"
        ))
        .unwrap();
        migrate(&mut conn).unwrap();
        let (mid, dedupe, body): (i64, i64, String) = conn
            .query_row(
                "SELECT mid, dedupe, body FROM records WHERE id = 7",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(dedupe, super::super::codec::hash(b"m1|Send|5"));
        assert_eq!(body, r#"{"x":1}"#);
        let events: i64 = conn
            .query_row("SELECT count(*) FROM events WHERE mid = ?1", [mid], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(events, 1);
        let stub: Option<String> = conn
            .query_row(
                "SELECT from_address FROM messages WHERE message_id = 'orphan'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(stub, None);
        // Counted once every rollup table exists.
        let sends: i64 = conn
            .query_row(
                "SELECT sum(count) FROM rollup_days WHERE metric = 'SEND' AND dimension = ''",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(sends, 1);
        let fk: i64 = conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
    }

    #[test]
    fn day_totals_are_summed_from_the_hourly_rollups() {
        let (mut conn, before) = just_before(ROLLUP_DAYS);
        let day = 86_400_000_i64 * 20_000;
        conn.execute_batch(&format!(
            "PRAGMA user_version = {before};
             INSERT INTO rollups VALUES ('a', 'SEND', '', '', {day}, 1, 2),
                                        ('a', 'SEND', '', '', {day} + 3600000, 1, 3),
                                        ('a', 'SEND', '', '', {day} + 86400000, 1, 4),
                                        ('a', 'SEND', '', '', {day}, 0, 7);"
        ))
        .unwrap();
        migrate(&mut conn).unwrap();
        let rows: Vec<(i64, i64, i64)> = conn
            .prepare("SELECT day, tracked, count FROM rollup_days ORDER BY day, tracked")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(rows, [(day, 0, 7), (day, 1, 5), (day + 86_400_000, 1, 4)]);
        // Not counted again from the (here absent) events.
        let hourly: i64 = conn
            .query_row("SELECT count(*) FROM rollups", [], |r| r.get(0))
            .unwrap();
        assert_eq!(hourly, 4);
    }

    #[test]
    fn search_index_is_backfilled_from_messages_and_records() {
        let (mut conn, before) = just_before(SEARCH_INDEX);
        conn.execute_batch(&format!(
            r#"PRAGMA user_version = {before};
             INSERT INTO messages (mid, message_id, account_id, from_address, subject, tags,
                                   configuration_set, sent_at, recipients)
                 VALUES (1, 'm1', 'a', 'Shop <Shop@x.test>', 'Your Order shipped', '[["camp","x"]]',
                         'cs', 5, '[{{"address":"Jane@y.test","isp":"Gmail"}}]'),
                        (2, 'stub', 'a', NULL, NULL, '[]', NULL, 6, '[]'),
                        (3, 'm3', 'b', 'f@x.test', NULL, 'not json', NULL, 7, '[]');
             INSERT INTO records (id, mid, event_type, timestamp, dedupe, body)
                 VALUES (1, 1, 'SEND', 5, 1, '{{}}'), (2, 1, 'BOUNCE', 6, 2, '{{}}'),
                        (3, 2, 'OPEN', 6, 3, '{{}}');"#
        ))
        .unwrap();
        migrate(&mut conn).unwrap();
        let mut stored: Vec<(i64, i64, i64)> = conn
            .prepare("SELECT term_key, sent_at, mid FROM search_terms")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let mut expected: Vec<(i64, i64, i64)> = [
            ("a", "c:cs", 5, 1),
            ("a", "e:BOUNCE", 5, 1),
            ("a", "e:SEND", 5, 1),
            ("a", "f:shop@x.test", 5, 1),
            ("a", "i:gmail", 5, 1),
            ("a", "r:jane@y.test", 5, 1),
            ("a", "t:camp=x", 5, 1),
            ("a", "w:order", 5, 1),
            ("a", "w:shipped", 5, 1),
            ("a", "w:your", 5, 1),
            // The unreadable tags column is left out, not the message.
            ("b", "f:f@x.test", 7, 3),
        ]
        .iter()
        .map(|&(a, t, s, m)| (crate::search::term_key(a, t), s, m))
        .collect();
        stored.sort();
        expected.sort();
        assert_eq!(stored, expected);
    }

    #[test]
    fn text_search_terms_become_keys() {
        let (mut conn, before) = just_before(SEARCH_KEYS);
        conn.execute_batch(&format!(
            r#"PRAGMA user_version = {before};
             INSERT INTO messages (mid, message_id, account_id, from_address, subject, tags,
                                   configuration_set, sent_at, recipients)
                 VALUES (1, 'm1', 'a', 'f@x.test', NULL, '[]', NULL, 5, '[]');
             INSERT INTO records (id, mid, event_type, timestamp, dedupe, body)
                 VALUES (1, 1, 'SEND', 5, 1, '{{}}');
             INSERT INTO search_terms (account_id, term, sent_at, mid)
                 VALUES ('a', 'f:f@x.test', 5, 1), ('a', 'e:SEND', 5, 1),
                        ('a', 'w:gone', 5, 1);"#
        ))
        .unwrap();
        migrate(&mut conn).unwrap();
        let mut stored: Vec<i64> = conn
            .prepare("SELECT term_key FROM search_terms WHERE mid = 1")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        stored.sort();
        // Rebuilt from what is stored: a stray text row does not survive.
        let mut expected = vec![
            crate::search::term_key("a", "f:f@x.test"),
            crate::search::term_key("a", "e:SEND"),
        ];
        expected.sort();
        assert_eq!(stored, expected);
    }

    #[test]
    fn identities_stored_before_attributes_get_ses_defaults() {
        let (mut conn, before) = just_before(IDENTITY_ATTRIBUTES);
        conn.execute_batch(&format!(
            "PRAGMA user_version = {before};
             INSERT INTO identities VALUES ('a', 'example.com', 'DOMAIN', '[]', NULL, 5);"
        ))
        .unwrap();
        migrate(&mut conn).unwrap();
        let got = super::super::identities::get_identity(&conn, "a", "example.com")
            .unwrap()
            .unwrap();
        assert_eq!(got.attributes, crate::IdentityAttributes::default());
        assert!(got.attributes.forwarding_enabled);
    }

    #[test]
    fn refuses_a_newer_schema() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("PRAGMA user_version = 999").unwrap();
        assert!(migrate(&mut conn).is_err());
    }
}
