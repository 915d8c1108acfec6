//! Messages, the event log and the schedule of future records.
//!
//! Layout (schema version 5): `messages` has an integer key `mid` and keeps
//! the `mail` object its records share (see [`super::codec`]); `records` and
//! `events` refer to the message by `mid`, and a record's dedupe key is kept
//! as a 64-bit hash, unique per message. A record appended before its
//! message is known creates a *stub* message (no `from_address`), invisible
//! to readers until the message itself arrives and fills it in.

use std::collections::HashMap;

use mailsight_model::EventType;
use rusqlite::{Connection, OptionalExtension, params};

use super::codec::{self, Encoded};
use super::rollups::{self, Counted, Tally};
pub(crate) use crate::codec::{encode_all, encode_batch};
use crate::error::StoreError;
use crate::types::*;

const LOAD: &str = "SELECT mid, account_id, from_address, subject, tags, configuration_set, sent_at, recipients, mail_hash
     FROM messages WHERE message_id = ?1";
const INSERT_MESSAGE: &str = "INSERT INTO messages
     (message_id, account_id, from_address, subject, tags, configuration_set, sent_at, recipients, mail_hash, mail)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
const INSERT_RECORD: &str = "INSERT INTO records (mid, event_type, timestamp, dedupe, body)
     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (mid, dedupe) DO NOTHING";
const INSERT_EVENT: &str =
    "INSERT OR IGNORE INTO events (mid, recipient, timestamp, record_id, event_type, details)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

/// The statements a write uses per record, prepared once per write.
struct Stmts<'c> {
    c: &'c Connection,
    load: rusqlite::CachedStatement<'c>,
    insert_message: rusqlite::CachedStatement<'c>,
    insert_record: rusqlite::CachedStatement<'c>,
    insert_event: rusqlite::CachedStatement<'c>,
    routes: bool,
    /// The rollup counts of this write, flushed by [`Stmts::finish`].
    tally: Tally,
}

impl<'c> Stmts<'c> {
    fn new(c: &'c Connection) -> Result<Self, StoreError> {
        Ok(Stmts {
            c,
            load: c.prepare_cached(LOAD)?,
            insert_message: c.prepare_cached(INSERT_MESSAGE)?,
            insert_record: c.prepare_cached(INSERT_RECORD)?,
            insert_event: c.prepare_cached(INSERT_EVENT)?,
            routes: routes_exist(c)?,
            tally: Tally::default(),
        })
    }

    /// Ends the write: adds its counts to the rollups.
    fn finish(mut self) -> Result<(), StoreError> {
        rollups::flush(&mut self.tally, self.c)
    }
}

/// What the writer knows of one message row.
struct Known {
    mid: i64,
    account_id: String,
    mail_hash: Option<i64>,
    /// The message, unless the row is a stub.
    message: Option<Message>,
}

/// Whether any destination, identity notification topic or forwarder
/// could take a record: checked once per write, which is one transaction,
/// so it cannot change meanwhile.
fn routes_exist(c: &Connection) -> Result<bool, StoreError> {
    Ok(c.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM forwarders)
                 OR EXISTS (SELECT 1 FROM event_destinations WHERE enabled = 1)
                 OR EXISTS (SELECT 1 FROM identities
                            WHERE json_extract(attributes, '$.BounceTopic') IS NOT NULL
                               OR json_extract(attributes, '$.ComplaintTopic') IS NOT NULL
                               OR json_extract(attributes, '$.DeliveryTopic') IS NOT NULL)",
    )?
    .query_row([], |r| r.get(0))?)
}

fn load_row(c: &Connection, id: &str) -> Result<Option<Known>, StoreError> {
    let mut stmt = c.prepare_cached(LOAD)?;
    load_with(&mut stmt, id)
}

fn load_with(stmt: &mut rusqlite::Statement<'_>, id: &str) -> Result<Option<Known>, StoreError> {
    let row = stmt
        .query_row(params![id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, i64>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, Option<i64>>(8)?,
            ))
        })
        .optional()?;
    let Some((mid, account_id, from, subject, tags, set, sent_at, recipients, mail_hash)) = row
    else {
        return Ok(None);
    };
    let message = match from {
        Some(from_address) => Some(Message {
            message_id: id.to_owned(),
            account_id: account_id.clone(),
            from_address,
            subject,
            tags: serde_json::from_str(&tags)?,
            configuration_set: set,
            sent_at,
            recipients: serde_json::from_str(&recipients)?,
        }),
        None => None,
    };
    Ok(Some(Known {
        mid,
        account_id,
        mail_hash,
        message,
    }))
}

/// The `mail` to keep on a new message row: the first record's.
fn mail_of(
    first: Option<(&NewRecord, &Encoded)>,
) -> Result<(Option<i64>, Option<Vec<u8>>), StoreError> {
    match first.and_then(|(r, e)| e.mail.as_ref().map(|m| (r, e, m))) {
        Some((r, e, (span, h))) => Ok((Some(*h), Some(mail_blob(r, e, span)?))),
        None => Ok((None, None)),
    }
}

fn mail_blob(
    r: &NewRecord,
    e: &Encoded,
    span: &std::ops::Range<usize>,
) -> Result<Vec<u8>, StoreError> {
    e.mail_blob(&r.body, span)
}

/// Inserts a full message row, or fills in a stub; returns its `mid`.
fn write_message(
    st: &mut Stmts<'_>,
    m: &Message,
    stub: Option<i64>,
    first: Option<(&NewRecord, &Encoded)>,
) -> Result<(i64, Option<i64>), StoreError> {
    let c = st.c;
    let (tags, recipients) = match first.and_then(|(_, e)| e.message_json.clone()) {
        Some(json) => json,
        None => (
            serde_json::to_string(&m.tags)?,
            serde_json::to_string(&m.recipients)?,
        ),
    };
    if let Some(mid) = stub {
        c.prepare_cached(
            "UPDATE messages SET account_id = ?2, from_address = ?3, subject = ?4, tags = ?5,
                 configuration_set = ?6, sent_at = ?7, recipients = ?8
             WHERE mid = ?1",
        )?
        .execute(params![
            mid,
            m.account_id,
            m.from_address,
            m.subject,
            tags,
            m.configuration_set,
            m.sent_at,
            recipients
        ])?;
        let hash = c
            .prepare_cached("SELECT mail_hash FROM messages WHERE mid = ?1")?
            .query_row(params![mid], |r| r.get(0))?;
        super::search::index_message(c, mid, m, true)?;
        return Ok((mid, hash));
    }
    let (hash, mail) = mail_of(first)?;
    st.insert_message.execute(params![
        m.message_id,
        m.account_id,
        m.from_address,
        m.subject,
        tags,
        m.configuration_set,
        m.sent_at,
        recipients,
        hash,
        mail
    ])?;
    let mid = c.last_insert_rowid();
    super::search::index_message(c, mid, m, false)?;
    Ok((mid, hash))
}

pub(crate) fn insert_message(
    c: &Connection,
    m: &Message,
    now: &[NewRecord],
    encoded: &[Encoded],
    later: &[ScheduledRecord],
) -> Result<(), StoreError> {
    let mut st = Stmts::new(c)?;
    let stub = match load_with(&mut st.load, &m.message_id)? {
        Some(k) if k.message.is_none() && k.account_id == m.account_id => Some(k.mid),
        _ => None, // a real row makes the INSERT fail, as it should
    };
    let first = now.first().zip(encoded.first());
    let (mid, hash) = write_message(&mut st, m, stub, first)?;
    let mut known = Known {
        mid,
        account_id: m.account_id.clone(),
        mail_hash: hash,
        message: Some(m.clone()),
    };
    for (r, e) in now.iter().zip(encoded) {
        append_one(&mut st, &mut known, r, e)?;
    }
    let mut stmt = c.prepare_cached("INSERT INTO scheduled (due, record) VALUES (?1, ?2)")?;
    for s in later {
        stmt.execute(params![s.due, serde_json::to_string(&s.record)?])?;
    }
    st.finish()
}

/// Creates or enriches each record's message, then appends the records.
pub(crate) fn ingest(
    c: &Connection,
    batch: &[(Message, NewRecord)],
    encoded: &[Encoded],
) -> Result<usize, StoreError> {
    let mut st = Stmts::new(c)?;
    let mut cache: HashMap<&str, Known> = HashMap::new();
    let mut fresh = 0;
    for ((message, record), enc) in batch.iter().zip(encoded) {
        let id = message.message_id.as_str();
        if !cache.contains_key(id) {
            let known = match load_with(&mut st.load, id)? {
                Some(k) => k,
                None => {
                    let (mid, mail_hash) =
                        write_message(&mut st, message, None, Some((record, enc)))?;
                    Known {
                        mid,
                        account_id: message.account_id.clone(),
                        mail_hash,
                        message: Some(message.clone()),
                    }
                }
            };
            cache.insert(id, known);
        }
        let known = cache.get_mut(id).expect("inserted above");
        if known.account_id != message.account_id {
            tracing::warn!(
                message_id = %message.message_id,
                account = %message.account_id,
                "refused a record whose message id belongs to another account"
            );
            continue;
        }
        match &mut known.message {
            None => {
                let (_, mail_hash) = write_message(&mut st, message, Some(known.mid), None)?;
                known.mail_hash = mail_hash;
                known.message = Some(message.clone());
            }
            Some(existing) => enrich(c, known.mid, existing, message)?,
        }
        if append_one(&mut st, known, record, enc)? {
            fresh += 1;
        }
    }
    st.finish()?;
    Ok(fresh)
}

/// Fills in what the stored message lacks: the first record seen may be a
/// bounce without headers, a later Send carries the subject.
fn enrich(c: &Connection, mid: i64, existing: &mut Message, m: &Message) -> Result<(), StoreError> {
    if !existing.enrich_from(m) {
        return Ok(());
    }
    c.prepare_cached(
        "UPDATE messages SET subject = ?2, configuration_set = ?3, tags = ?4, recipients = ?5
         WHERE mid = ?1",
    )?
    .execute(params![
        mid,
        existing.subject,
        existing.configuration_set,
        serde_json::to_string(&existing.tags)?,
        serde_json::to_string(&existing.recipients)?,
    ])?;
    super::search::index_message(c, mid, existing, false)
}

/// Stores one record of a known message; false if it is a duplicate.
fn append_one(
    st: &mut Stmts<'_>,
    known: &mut Known,
    r: &NewRecord,
    e: &Encoded,
) -> Result<bool, StoreError> {
    let c = st.c;
    let whole;
    let body: &[u8] = match &e.mail {
        None => &e.split,
        Some((_, h)) if known.mail_hash == Some(*h) => &e.split,
        Some((span, h)) if known.mail_hash.is_none() => {
            c.prepare_cached("UPDATE messages SET mail_hash = ?2, mail = ?3 WHERE mid = ?1")?
                .execute(params![known.mid, h, mail_blob(r, e, span)?])?;
            known.mail_hash = Some(*h);
            &e.split
        }
        Some(_) => {
            whole = codec::whole(&r.body)?;
            &whole
        }
    };
    let inserted = st.insert_record.execute(params![
        known.mid,
        r.event_type.api_name(),
        r.timestamp,
        e.dedupe,
        body
    ])?;
    if inserted == 0 {
        return Ok(false);
    }
    let record_id = c.last_insert_rowid();
    // A stub is not indexed until its message arrives (`index_message`).
    if let Some(m) = &known.message {
        super::search::index_event(c, known.mid, &known.account_id, m.sent_at, r.event_type)?;
    }
    if st.routes {
        super::outbox::route(c, record_id, r)?;
    }
    for (i, ev) in r.recipients.iter().enumerate() {
        let owned;
        let details = match e.details.get(i) {
            Some(d) => d.as_deref(),
            None => {
                owned = ev.details.as_ref().map(|d| d.to_string());
                owned.as_deref()
            }
        };
        let first_of_kind = !rollups::counts_once(r.event_type)
            || !rollups::seen_before(c, known.mid, &ev.address, r.event_type)?;
        st.insert_event.execute(params![
            known.mid,
            ev.address,
            r.timestamp,
            record_id,
            r.event_type.api_name(),
            details
        ])?;
        st.tally.add(&Counted {
            account: &known.account_id,
            message: known.message.as_ref(),
            recipient: &ev.address,
            event_type: r.event_type,
            timestamp: r.timestamp,
            details: ev.details.as_ref(),
            first_of_kind,
        });
    }
    Ok(true)
}

/// Inserts records and their per-recipient events; duplicates are skipped,
/// and so are records whose message id belongs to another account.
pub(crate) fn append(
    c: &Connection,
    records: &[NewRecord],
    encoded: &[Encoded],
) -> Result<usize, StoreError> {
    let mut st = Stmts::new(c)?;
    let mut cache: HashMap<&str, Known> = HashMap::new();
    let mut fresh = 0;
    for (r, e) in records.iter().zip(encoded) {
        let id = r.message_id.as_str();
        if !cache.contains_key(id) {
            let known = match load_with(&mut st.load, id)? {
                Some(k) => k,
                None => {
                    c.prepare_cached(
                        "INSERT INTO messages (message_id, account_id, tags, sent_at, recipients)
                         VALUES (?1, ?2, '[]', ?3, '[]')",
                    )?
                    .execute(params![id, r.account_id, r.timestamp])?;
                    Known {
                        mid: c.last_insert_rowid(),
                        account_id: r.account_id.clone(),
                        mail_hash: None,
                        message: None,
                    }
                }
            };
            cache.insert(id, known);
        }
        let known = cache.get_mut(id).expect("inserted above");
        if known.account_id != r.account_id {
            tracing::warn!(message_id = %id, account = %r.account_id,
                "refused a record whose message id belongs to another account");
            continue;
        }
        if append_one(&mut st, known, r, e)? {
            fresh += 1;
        }
    }
    st.finish()?;
    Ok(fresh)
}

/// Scheduled records due at `now`, oldest first, with their row ids. Read
/// outside the writer, which then only has to [`release`] them.
pub(crate) fn due(
    c: &Connection,
    now: Millis,
    limit: usize,
) -> Result<Vec<(i64, NewRecord)>, StoreError> {
    let mut stmt = c.prepare_cached(
        "SELECT id, record FROM scheduled WHERE due <= ?1 ORDER BY due, id LIMIT ?2",
    )?;
    let mut rows = stmt.query(params![now, limit as i64])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let json = r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
        out.push((r.get(0)?, serde_json::from_str::<NewRecord>(json)?));
    }
    Ok(out)
}

/// `messages.mail_hash` of each record's message (`None`: no row yet, or
/// a stub without `mail`), for [`crate::codec::encode_for`].
pub(crate) fn mail_hashes<'a>(
    c: &Connection,
    records: impl Iterator<Item = &'a NewRecord>,
) -> Result<Vec<Option<i64>>, StoreError> {
    let mut stmt = c.prepare_cached("SELECT mail_hash FROM messages WHERE message_id = ?1")?;
    records
        .map(|r| {
            Ok(stmt
                .query_row(params![r.message_id], |row| row.get::<_, Option<i64>>(0))
                .optional()?
                .flatten())
        })
        .collect()
}

/// Moves scheduled records, read by [`due`] and encoded by the caller, into
/// the event log. A row no longer there (released meanwhile) is skipped, so
/// nothing is released twice. Returns the records released.
pub(crate) fn release(
    c: &Connection,
    due: Vec<(i64, NewRecord)>,
    encoded: Vec<Encoded>,
) -> Result<Vec<NewRecord>, StoreError> {
    let mut delete = c.prepare_cached("DELETE FROM scheduled WHERE id = ?1")?;
    let (mut records, mut kept) = (Vec::with_capacity(due.len()), Vec::new());
    for ((id, record), e) in due.into_iter().zip(encoded) {
        if delete.execute(params![id])? == 1 {
            records.push(record);
            kept.push(e);
        }
    }
    append(c, &records, &kept)?;
    Ok(records)
}

pub(crate) fn next_due(c: &Connection) -> Result<Option<Millis>, StoreError> {
    Ok(c.prepare_cached("SELECT min(due) FROM scheduled")?
        .query_row([], |r| r.get::<_, Option<i64>>(0))?)
}

pub(crate) fn message_events(
    c: &Connection,
    acct: &str,
    id: &str,
) -> Result<Option<MessageEvents>, StoreError> {
    let Some((mid, message)) = load_row(c, id)?
        .and_then(|k| k.message.map(|m| (k.mid, m)))
        .filter(|(_, m)| m.account_id == acct)
    else {
        return Ok(None);
    };
    let mut stmt = c.prepare_cached(
        "SELECT recipient, event_type, timestamp, details FROM events
         WHERE mid = ?1 ORDER BY recipient, timestamp, record_id",
    )?;
    let mut rows = stmt.query(params![mid])?;
    let mut events = Vec::new();
    while let Some(r) = rows.next()? {
        let kind = r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
        let details = r
            .get_ref(3)?
            .as_str_or_null()
            .map_err(rusqlite::Error::from)?;
        events.push(StoredEvent {
            recipient: r.get(0)?,
            event_type: EventType::from_api_name(kind)
                .map_err(|e| StoreError::Backend(e.to_string()))?,
            timestamp: r.get(2)?,
            details: details.map(serde_json::from_str).transpose()?,
        });
    }
    Ok(Some(MessageEvents { message, events }))
}

pub(crate) fn message_records(
    c: &Connection,
    acct: &str,
    id: &str,
) -> Result<Vec<(EventType, String)>, StoreError> {
    let mut stmt = c.prepare_cached(
        "SELECT r.event_type, r.body, m.mail FROM messages m JOIN records r ON r.mid = m.mid
         WHERE m.message_id = ?1 AND m.account_id = ?2 ORDER BY r.id",
    )?;
    let mut rows = stmt.query(params![id, acct])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let kind = r.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
        let kind =
            EventType::from_api_name(kind).map_err(|e| StoreError::Backend(e.to_string()))?;
        let mail = r
            .get_ref(2)?
            .as_blob_or_null()
            .map_err(rusqlite::Error::from)?;
        out.push((kind, codec::decode(r.get_ref(1)?, mail)?));
    }
    Ok(out)
}

pub(crate) fn count_messages_since(
    c: &Connection,
    acct: &str,
    since: Millis,
) -> Result<u64, StoreError> {
    let n: i64 = c
        .prepare_cached(
            "SELECT count(*) FROM messages
         WHERE account_id = ?1 AND sent_at >= ?2 AND from_address IS NOT NULL",
        )?
        .query_row(params![acct, since], |r| r.get(0))?;
    Ok(n as u64)
}
