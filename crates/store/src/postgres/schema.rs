//! Versioned schema migrations, tracked in the table `schema_version`.
//!
//! Each entry of [`MIGRATIONS`] runs once, in order; the pending ones run in
//! one transaction, under an advisory lock, so that several mailsight
//! processes starting together on one database migrate it once and a
//! failed migration leaves nothing half done. Never edit a released
//! migration: add a new one.
//!
//! The first migration is the layout the SQLite backend reached after its
//! ninth (see `sqlite::schema`), with PostgreSQL's types: `BIGINT` for
//! every time and count, `BYTEA` for compressed bodies, identity columns
//! for row ids. Text keys are `COLLATE "C"`, so that names, ARNs and keys
//! sort byte by byte as SQLite's do, whatever the database's locale.

use deadpool_postgres::Client;

use crate::error::StoreError;

/// The advisory lock key held while migrating ("mailsight" in ASCII, cut).
const MIGRATION_LOCK: i64 = 0x6d61_696c_7369_6768;

const MIGRATIONS: &[&str] = &[
    // 1: everything the SQLite backend keeps at its version 9.
    r#"CREATE TABLE configuration_sets (
         account_id TEXT COLLATE "C" NOT NULL,
         name       TEXT COLLATE "C" NOT NULL,
         options    TEXT NOT NULL,
         created_at BIGINT NOT NULL,
         PRIMARY KEY (account_id, name)
     );

     CREATE TABLE event_destinations (
         account_id        TEXT COLLATE "C" NOT NULL,
         configuration_set TEXT COLLATE "C" NOT NULL,
         name              TEXT COLLATE "C" NOT NULL,
         enabled           BOOLEAN NOT NULL,
         matching_types    TEXT NOT NULL,
         definition        TEXT NOT NULL,
         PRIMARY KEY (account_id, configuration_set, name),
         FOREIGN KEY (account_id, configuration_set)
             REFERENCES configuration_sets (account_id, name) ON DELETE CASCADE
     );

     CREATE TABLE identities (
         account_id        TEXT COLLATE "C" NOT NULL,
         name              TEXT COLLATE "C" NOT NULL,
         identity_type     TEXT NOT NULL,
         tags              TEXT NOT NULL,
         configuration_set TEXT,
         created_at        BIGINT NOT NULL,
         PRIMARY KEY (account_id, name)
     );

     CREATE TABLE messages (
         mid               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         message_id        TEXT COLLATE "C" NOT NULL UNIQUE,
         account_id        TEXT COLLATE "C" NOT NULL,
         from_address      TEXT,
         subject           TEXT,
         tags              TEXT NOT NULL,
         configuration_set TEXT,
         sent_at           BIGINT NOT NULL,
         recipients        TEXT NOT NULL,
         mail_hash         BIGINT,
         mail              BYTEA
     );
     CREATE INDEX messages_by_account_time ON messages (account_id, sent_at, mid);

     CREATE TABLE records (
         id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         mid        BIGINT NOT NULL REFERENCES messages (mid),
         event_type TEXT NOT NULL,
         timestamp  BIGINT NOT NULL,
         dedupe     BIGINT NOT NULL,
         body       BYTEA NOT NULL,
         UNIQUE (mid, dedupe)
     );

     CREATE TABLE events (
         mid        BIGINT NOT NULL,
         recipient  TEXT COLLATE "C" NOT NULL,
         timestamp  BIGINT NOT NULL,
         record_id  BIGINT NOT NULL,
         event_type TEXT NOT NULL,
         details    TEXT,
         PRIMARY KEY (mid, recipient, timestamp, record_id)
     );

     CREATE TABLE scheduled (
         id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         due    BIGINT NOT NULL,
         record TEXT NOT NULL
     );
     CREATE INDEX scheduled_by_due ON scheduled (due, id);

     CREATE TABLE forwarders (
         name               TEXT COLLATE "C" PRIMARY KEY,
         event_types        TEXT NOT NULL,
         configuration_sets TEXT NOT NULL
     );

     CREATE TABLE deliveries (
         id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         record_id    BIGINT NOT NULL REFERENCES records (id),
         account_id   TEXT COLLATE "C" NOT NULL,
         target       TEXT COLLATE "C" NOT NULL,
         status       TEXT NOT NULL,
         attempts     BIGINT NOT NULL DEFAULT 0,
         next_attempt BIGINT NOT NULL,
         created_at   BIGINT NOT NULL,
         last_error   TEXT
     );
     CREATE INDEX deliveries_due ON deliveries (status, next_attempt, target);
     CREATE INDEX deliveries_by_target ON deliveries (target, status, next_attempt);
     CREATE INDEX deliveries_by_account ON deliveries (account_id, target);

     CREATE TABLE delivery_attempts (
         id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         delivery_id BIGINT NOT NULL REFERENCES deliveries (id),
         at          BIGINT NOT NULL,
         ok          BOOLEAN NOT NULL,
         detail      TEXT
     );
     CREATE INDEX delivery_attempts_by_delivery ON delivery_attempts (delivery_id, at, id);

     CREATE TABLE sns_topics (
         arn        TEXT COLLATE "C" PRIMARY KEY,
         account_id TEXT COLLATE "C" NOT NULL,
         name       TEXT NOT NULL,
         attributes TEXT NOT NULL,
         created_at BIGINT NOT NULL
     );
     CREATE INDEX sns_topics_by_account ON sns_topics (account_id, arn);

     CREATE TABLE sns_subscriptions (
         arn        TEXT COLLATE "C" PRIMARY KEY,
         topic_arn  TEXT COLLATE "C" NOT NULL REFERENCES sns_topics (arn) ON DELETE CASCADE,
         account_id TEXT COLLATE "C" NOT NULL,
         protocol   TEXT COLLATE "C" NOT NULL,
         endpoint   TEXT COLLATE "C" NOT NULL,
         status     TEXT NOT NULL CHECK (status IN ('pending', 'confirmed')),
         token      TEXT NOT NULL,
         attributes TEXT NOT NULL,
         created_at BIGINT NOT NULL
     );
     CREATE UNIQUE INDEX sns_subscriptions_by_endpoint
         ON sns_subscriptions (topic_arn, protocol, endpoint);
     CREATE INDEX sns_subscriptions_by_account ON sns_subscriptions (account_id, arn);

     CREATE TABLE items (
         account_id TEXT COLLATE "C" NOT NULL,
         kind       TEXT COLLATE "C" NOT NULL,
         key        TEXT COLLATE "C" NOT NULL,
         body       TEXT NOT NULL,
         created_at BIGINT NOT NULL,
         updated_at BIGINT NOT NULL,
         PRIMARY KEY (account_id, kind, key)
     );

     CREATE TABLE message_content (
         message_id TEXT COLLATE "C" NOT NULL,
         recipient  TEXT COLLATE "C" NOT NULL,
         account_id TEXT COLLATE "C" NOT NULL,
         mime       BYTEA NOT NULL,
         PRIMARY KEY (message_id, recipient)
     );

     CREATE TABLE machine_activity (
         id         BIGINT GENERATED ALWAYS AS IDENTITY,
         dedupe_key TEXT COLLATE "C" PRIMARY KEY,
         account_id TEXT COLLATE "C" NOT NULL,
         message_id TEXT COLLATE "C" NOT NULL,
         reason     TEXT NOT NULL
     );
     CREATE INDEX machine_activity_by_message ON machine_activity (message_id, id);

     CREATE TABLE rollups (
         account_id TEXT COLLATE "C" NOT NULL,
         metric     TEXT COLLATE "C" NOT NULL,
         dimension  TEXT COLLATE "C" NOT NULL,
         value      TEXT COLLATE "C" NOT NULL,
         hour       BIGINT NOT NULL,
         tracked    BOOLEAN NOT NULL,
         count      BIGINT NOT NULL,
         PRIMARY KEY (account_id, metric, dimension, value, hour, tracked)
     );

     CREATE TABLE rollup_days (
         account_id TEXT COLLATE "C" NOT NULL,
         metric     TEXT COLLATE "C" NOT NULL,
         dimension  TEXT COLLATE "C" NOT NULL,
         value      TEXT COLLATE "C" NOT NULL,
         day        BIGINT NOT NULL,
         tracked    BOOLEAN NOT NULL,
         count      BIGINT NOT NULL,
         PRIMARY KEY (account_id, metric, dimension, value, day, tracked)
     );

     CREATE TABLE rollup_cells (
         account_id        TEXT COLLATE "C" NOT NULL,
         metric            TEXT COLLATE "C" NOT NULL,
         hour              BIGINT NOT NULL,
         tracked           BOOLEAN NOT NULL,
         identity          TEXT COLLATE "C" NOT NULL,
         domain            TEXT COLLATE "C" NOT NULL,
         configuration_set TEXT COLLATE "C" NOT NULL,
         isp               TEXT COLLATE "C" NOT NULL,
         tenant            TEXT COLLATE "C" NOT NULL,
         count             BIGINT NOT NULL,
         PRIMARY KEY (account_id, metric, hour, tracked, identity, configuration_set, isp, tenant)
     );

     CREATE TABLE rollup_quarters (
         account_id TEXT COLLATE "C" NOT NULL,
         metric     TEXT COLLATE "C" NOT NULL,
         quarter    BIGINT NOT NULL,
         count      BIGINT NOT NULL,
         PRIMARY KEY (account_id, metric, quarter)
     );

     CREATE TABLE search_terms (
         account_id TEXT COLLATE "C" NOT NULL,
         term       TEXT COLLATE "C" NOT NULL,
         sent_at    BIGINT NOT NULL,
         mid        BIGINT NOT NULL,
         PRIMARY KEY (account_id, term, sent_at, mid)
     );

     CREATE TABLE export_jobs (
         account_id   TEXT COLLATE "C" NOT NULL,
         job_id       TEXT COLLATE "C" NOT NULL,
         source_type  TEXT NOT NULL,
         status       TEXT NOT NULL,
         spec         TEXT NOT NULL,
         created_at   BIGINT NOT NULL,
         completed_at BIGINT,
         processed    BIGINT NOT NULL DEFAULT 0,
         exported     BIGINT NOT NULL DEFAULT 0,
         error        TEXT,
         file         TEXT,
         PRIMARY KEY (account_id, job_id)
     );
     CREATE INDEX export_jobs_by_time ON export_jobs (account_id, created_at, job_id);
     CREATE INDEX export_jobs_unfinished ON export_jobs (created_at, job_id)
         WHERE status IN ('CREATED', 'PROCESSING');"#,
    // 2: each identity's notification settings (`IdentityAttributes`, as
    // JSON), as SQLite's version 10.
    "ALTER TABLE identities ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';",
    // 3: per-install secrets (the SNS signing key, the tracking secret),
    // shared by every instance on the database; as SQLite's version 11.
    r#"CREATE TABLE secrets (
         name       TEXT COLLATE "C" PRIMARY KEY,
         value      BYTEA NOT NULL,
         created_at BIGINT NOT NULL
     );"#,
    // 4: who runs an export job until when, so that the instances on one
    // database run each job once at a time; as SQLite's version 12.
    "ALTER TABLE export_jobs ADD COLUMN lease_until BIGINT NOT NULL DEFAULT 0;",
    // 5: the search index keyed by `search::term_key` (half the size), as
    // SQLite's version 13; refilled by `search::backfill` (SQL has no XXH3).
    SEARCH_KEYS,
];

const SEARCH_KEYS: &str = "DROP TABLE search_terms;
     CREATE TABLE search_terms (
         term_key BIGINT NOT NULL,
         sent_at  BIGINT NOT NULL,
         mid      BIGINT NOT NULL,
         PRIMARY KEY (term_key, sent_at, mid)
     );";

/// Brings the database up to the newest schema version.
pub(crate) async fn migrate(c: &mut Client) -> Result<(), StoreError> {
    let tx = c.transaction().await?;
    // Held until this transaction ends: another process migrating waits here.
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
        .await?;
    let current: i64 = tx
        .query_opt("SELECT max(version) FROM schema_version", &[])
        .await?
        .and_then(|r| r.get::<_, Option<i64>>(0))
        .unwrap_or(0);
    let current = current.max(0) as usize;
    if current > MIGRATIONS.len() {
        return Err(StoreError::Backend(format!(
            "the database has schema version {current}, newer than this mailsight knows ({}); \
             upgrade mailsight",
            MIGRATIONS.len()
        )));
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        tx.batch_execute(sql).await?;
        if *sql == SEARCH_KEYS {
            super::search::backfill(&tx).await?;
        }
        let version = (index + 1) as i64;
        tx.execute(
            "INSERT INTO schema_version (version) VALUES ($1)",
            &[&version],
        )
        .await?;
        tracing::info!(version, "applied PostgreSQL schema migration");
    }
    tx.commit().await?;
    Ok(())
}
