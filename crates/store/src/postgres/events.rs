//! Messages, the event log and the schedule of future records: the layout
//! and rules of `sqlite::events` (an integer `mid` per message, the shared
//! `mail` kept once on the message, dedupe keys as 64-bit hashes unique per
//! message, stub messages for records seen before their message), in
//! PostgreSQL.
//!
//! Duplicates are refused by the unique keys (`ON CONFLICT DO NOTHING`),
//! not by reading first, so two processes storing the same record store
//! it once. A message row is created with `ON CONFLICT (message_id) DO
//! NOTHING` and read again when another writer was first.

use std::collections::HashMap;

use mailsight_model::EventType;
use tokio_postgres::Row;

use super::db::{Db, col, execute, query, query_one, query_opt};
use super::rollups;
use crate::codec::{self, Encoded};
use crate::error::StoreError;
use crate::tally::{Counted, Tally, counts_once};
use crate::types::*;

const LOAD: &str = "SELECT mid, account_id, from_address, subject, tags, configuration_set,
            sent_at, recipients, mail_hash
     FROM messages WHERE message_id = $1";

/// What a write knows of one message row.
struct Known {
    mid: i64,
    account_id: String,
    mail_hash: Option<i64>,
    /// The message, unless the row is a stub.
    message: Option<Message>,
}

/// One write's state: whether records can be routed at all, and the
/// rollup counts it flushes at its end.
struct Write {
    routes: bool,
    tally: Tally,
}

impl Write {
    async fn new(c: &impl Db) -> Result<Self, StoreError> {
        let routes: bool = col(
            &query_one(
                c,
                "SELECT EXISTS (SELECT 1 FROM forwarders)
                     OR EXISTS (SELECT 1 FROM event_destinations WHERE enabled)
                     OR EXISTS (SELECT 1 FROM identities
                                WHERE (attributes::jsonb ->> 'BounceTopic') IS NOT NULL
                                   OR (attributes::jsonb ->> 'ComplaintTopic') IS NOT NULL
                                   OR (attributes::jsonb ->> 'DeliveryTopic') IS NOT NULL)",
                &[],
            )
            .await?,
            0,
        )?;
        Ok(Write {
            routes,
            tally: Tally::default(),
        })
    }

    async fn finish(mut self, c: &impl Db) -> Result<(), StoreError> {
        rollups::flush(&mut self.tally, c).await
    }
}

fn message_of(id: &str, r: &Row) -> Result<Known, StoreError> {
    let account_id: String = col(r, 1)?;
    let from: Option<String> = col(r, 2)?;
    let message = match from {
        Some(from_address) => Some(Message {
            message_id: id.to_owned(),
            account_id: account_id.clone(),
            from_address,
            subject: col(r, 3)?,
            tags: serde_json::from_str(col::<&str>(r, 4)?)?,
            configuration_set: col(r, 5)?,
            sent_at: col(r, 6)?,
            recipients: serde_json::from_str(col::<&str>(r, 7)?)?,
        }),
        None => None,
    };
    Ok(Known {
        mid: col(r, 0)?,
        account_id,
        mail_hash: col(r, 8)?,
        message,
    })
}

async fn load(c: &impl Db, id: &str) -> Result<Option<Known>, StoreError> {
    query_opt(c, LOAD, &[&id])
        .await?
        .map(|r| message_of(id, &r))
        .transpose()
}

/// Loads a message row for an update in this transaction (locked, so that
/// two writers enriching it do not lose each other's change).
async fn load_for_update(c: &impl Db, id: &str) -> Result<Option<Known>, StoreError> {
    query_opt(c, &format!("{LOAD} FOR UPDATE"), &[&id])
        .await?
        .map(|r| message_of(id, &r))
        .transpose()
}

/// The JSON columns of a message: prepared with the batch, or made now.
fn message_json(m: &Message, e: Option<&Encoded>) -> Result<(String, String), StoreError> {
    match e.and_then(|e| e.message_json.clone()) {
        Some(json) => Ok(json),
        None => Ok((
            serde_json::to_string(&m.tags)?,
            serde_json::to_string(&m.recipients)?,
        )),
    }
}

/// Fills in a stub row with its message; returns its `mail_hash`.
async fn fill_stub(c: &impl Db, mid: i64, m: &Message) -> Result<Option<i64>, StoreError> {
    let (tags, recipients) = message_json(m, None)?;
    let row = query_one(
        c,
        "UPDATE messages SET account_id = $2, from_address = $3, subject = $4, tags = $5,
             configuration_set = $6, sent_at = $7, recipients = $8
         WHERE mid = $1 RETURNING mail_hash",
        &[
            &mid,
            &m.account_id,
            &m.from_address,
            &m.subject,
            &tags,
            &m.configuration_set,
            &m.sent_at,
            &recipients,
        ],
    )
    .await?;
    super::search::index_message(c, mid, m, true).await?;
    col(&row, 0)
}

/// The `mail` to keep on a new message row: its first record's.
fn mail_of(
    first: Option<(&NewRecord, &Encoded)>,
) -> Result<(Option<i64>, Option<Vec<u8>>), StoreError> {
    match first.and_then(|(r, e)| e.mail.as_ref().map(|m| (r, e, m))) {
        Some((r, e, (span, h))) => Ok((Some(*h), Some(e.mail_blob(&r.body, span)?))),
        None => Ok((None, None)),
    }
}

/// Inserts a full message row; `None` if its id is taken.
async fn insert_row(
    c: &impl Db,
    m: &Message,
    first: Option<(&NewRecord, &Encoded)>,
    if_new: bool,
) -> Result<Option<(i64, Option<i64>)>, StoreError> {
    let (tags, recipients) = message_json(m, first.map(|(_, e)| e))?;
    let (hash, mail) = mail_of(first)?;
    let sql = if if_new {
        "INSERT INTO messages (message_id, account_id, from_address, subject, tags,
             configuration_set, sent_at, recipients, mail_hash, mail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (message_id) DO NOTHING RETURNING mid"
    } else {
        "INSERT INTO messages (message_id, account_id, from_address, subject, tags,
             configuration_set, sent_at, recipients, mail_hash, mail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING mid"
    };
    let row = query_opt(
        c,
        sql,
        &[
            &m.message_id,
            &m.account_id,
            &m.from_address,
            &m.subject,
            &tags,
            &m.configuration_set,
            &m.sent_at,
            &recipients,
            &hash,
            &mail,
        ],
    )
    .await?;
    let Some(row) = row else { return Ok(None) };
    let mid: i64 = col(&row, 0)?;
    super::search::index_message(c, mid, m, false).await?;
    Ok(Some((mid, hash)))
}

pub(crate) async fn insert_message(
    c: &impl Db,
    m: &Message,
    now: &[NewRecord],
    encoded: &[Encoded],
    later: &[ScheduledRecord],
) -> Result<(), StoreError> {
    let mut w = Write::new(c).await?;
    let first = now.first().zip(encoded.first());
    let stub = match load_for_update(c, &m.message_id).await? {
        Some(k) if k.message.is_none() && k.account_id == m.account_id => Some(k.mid),
        _ => None, // a real row makes the INSERT fail, as it should
    };
    let (mid, hash) = match stub {
        Some(mid) => (mid, fill_stub(c, mid, m).await?),
        None => insert_row(c, m, first, false)
            .await?
            .ok_or_else(|| StoreError::AlreadyExists(format!("Message <{}>", m.message_id)))?,
    };
    let mut known = Known {
        mid,
        account_id: m.account_id.clone(),
        mail_hash: hash,
        message: Some(m.clone()),
    };
    for (r, e) in now.iter().zip(encoded) {
        append_one(c, &mut w, &mut known, r, e).await?;
    }
    for s in later {
        execute(
            c,
            "INSERT INTO scheduled (due, record) VALUES ($1, $2)",
            &[&s.due, &serde_json::to_string(&s.record)?],
        )
        .await?;
    }
    w.finish(c).await
}

/// The row of an ingested record's message: loaded, or created from it.
async fn known_for_ingest(
    c: &impl Db,
    message: &Message,
    first: (&NewRecord, &Encoded),
) -> Result<Known, StoreError> {
    if let Some(k) = load_for_update(c, &message.message_id).await? {
        return Ok(k);
    }
    if let Some((mid, mail_hash)) = insert_row(c, message, Some(first), true).await? {
        return Ok(Known {
            mid,
            account_id: message.account_id.clone(),
            mail_hash,
            message: Some(message.clone()),
        });
    }
    // Another writer created it meanwhile.
    load_for_update(c, &message.message_id)
        .await?
        .ok_or_else(|| StoreError::Backend("a message row vanished while ingesting".into()))
}

/// Creates or enriches each record's message, then appends the records.
pub(crate) async fn ingest(
    c: &impl Db,
    batch: &[(Message, NewRecord)],
    encoded: &[Encoded],
) -> Result<usize, StoreError> {
    let mut w = Write::new(c).await?;
    let mut cache: HashMap<&str, Known> = HashMap::new();
    let mut fresh = 0;
    for ((message, record), enc) in batch.iter().zip(encoded) {
        let id = message.message_id.as_str();
        if !cache.contains_key(id) {
            let known = known_for_ingest(c, message, (record, enc)).await?;
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
                known.mail_hash = fill_stub(c, known.mid, message).await?;
                known.message = Some(message.clone());
            }
            Some(existing) => enrich(c, known.mid, existing, message).await?,
        }
        if append_one(c, &mut w, known, record, enc).await? {
            fresh += 1;
        }
    }
    w.finish(c).await?;
    Ok(fresh)
}

/// Writes what a later view of the message adds (see [`Message::enrich_from`]).
async fn enrich(
    c: &impl Db,
    mid: i64,
    existing: &mut Message,
    m: &Message,
) -> Result<(), StoreError> {
    if !existing.enrich_from(m) {
        return Ok(());
    }
    execute(
        c,
        "UPDATE messages SET subject = $2, configuration_set = $3, tags = $4, recipients = $5
         WHERE mid = $1",
        &[
            &mid,
            &existing.subject,
            &existing.configuration_set,
            &serde_json::to_string(&existing.tags)?,
            &serde_json::to_string(&existing.recipients)?,
        ],
    )
    .await?;
    super::search::index_message(c, mid, existing, false).await
}

/// Stores one record of a known message; false if it is a duplicate.
async fn append_one(
    c: &impl Db,
    w: &mut Write,
    known: &mut Known,
    r: &NewRecord,
    e: &Encoded,
) -> Result<bool, StoreError> {
    let whole;
    let body: &[u8] = match &e.mail {
        None => &e.split,
        Some((_, h)) if known.mail_hash == Some(*h) => &e.split,
        Some((span, h)) if known.mail_hash.is_none() => {
            execute(
                c,
                "UPDATE messages SET mail_hash = $2, mail = $3 WHERE mid = $1",
                &[&known.mid, h, &e.mail_blob(&r.body, span)?],
            )
            .await?;
            known.mail_hash = Some(*h);
            &e.split
        }
        Some(_) => {
            whole = codec::whole(&r.body)?;
            &whole
        }
    };
    let inserted = query_opt(
        c,
        "INSERT INTO records (mid, event_type, timestamp, dedupe, body)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (mid, dedupe) DO NOTHING RETURNING id",
        &[
            &known.mid,
            &r.event_type.api_name(),
            &r.timestamp,
            &e.dedupe,
            &body,
        ],
    )
    .await?;
    let Some(row) = inserted else {
        return Ok(false);
    };
    let record_id: i64 = col(&row, 0)?;
    // A stub is not indexed until its message arrives (`index_message`).
    if let Some(m) = &known.message {
        super::search::index_event(c, known.mid, &known.account_id, m.sent_at, r.event_type)
            .await?;
    }
    if w.routes {
        super::outbox::route(c, record_id, r).await?;
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
        let first_of_kind = !counts_once(r.event_type)
            || !rollups::seen_before(c, known.mid, &ev.address, r.event_type).await?;
        execute(
            c,
            "INSERT INTO events (mid, recipient, timestamp, record_id, event_type, details)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            &[
                &known.mid,
                &ev.address,
                &r.timestamp,
                &record_id,
                &r.event_type.api_name(),
                &details,
            ],
        )
        .await?;
        w.tally.add(&Counted {
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

/// The row of an appended record's message: loaded, or a stub made for it.
async fn known_for_append(c: &impl Db, r: &NewRecord) -> Result<Known, StoreError> {
    if let Some(k) = load_for_update(c, &r.message_id).await? {
        return Ok(k);
    }
    let made = query_opt(
        c,
        "INSERT INTO messages (message_id, account_id, tags, sent_at, recipients)
         VALUES ($1, $2, '[]', $3, '[]') ON CONFLICT (message_id) DO NOTHING RETURNING mid",
        &[&r.message_id, &r.account_id, &r.timestamp],
    )
    .await?;
    match made {
        Some(row) => Ok(Known {
            mid: col(&row, 0)?,
            account_id: r.account_id.clone(),
            mail_hash: None,
            message: None,
        }),
        None => load_for_update(c, &r.message_id)
            .await?
            .ok_or_else(|| StoreError::Backend("a message row vanished while appending".into())),
    }
}

/// Inserts records and their per-recipient events; duplicates are skipped,
/// and so are records whose message id belongs to another account.
pub(crate) async fn append(
    c: &impl Db,
    records: &[NewRecord],
    encoded: &[Encoded],
) -> Result<usize, StoreError> {
    let mut w = Write::new(c).await?;
    let mut cache: HashMap<&str, Known> = HashMap::new();
    let mut fresh = 0;
    for (r, e) in records.iter().zip(encoded) {
        let id = r.message_id.as_str();
        if !cache.contains_key(id) {
            let known = known_for_append(c, r).await?;
            cache.insert(id, known);
        }
        let known = cache.get_mut(id).expect("inserted above");
        if known.account_id != r.account_id {
            tracing::warn!(message_id = %id, account = %r.account_id,
                "refused a record whose message id belongs to another account");
            continue;
        }
        if append_one(c, &mut w, known, r, e).await? {
            fresh += 1;
        }
    }
    w.finish(c).await?;
    Ok(fresh)
}

/// Takes the scheduled records due at `now` (oldest first, at most
/// `limit`) out of the schedule and into the event log. Rows another
/// process is releasing are skipped (`SKIP LOCKED`), so nothing is
/// released twice and two processes do not wait on each other.
pub(crate) async fn release_due(
    c: &impl Db,
    now: Millis,
    limit: usize,
) -> Result<Vec<NewRecord>, StoreError> {
    let rows = query(
        c,
        "DELETE FROM scheduled WHERE id IN (
             SELECT id FROM scheduled WHERE due <= $1 ORDER BY due, id LIMIT $2
             FOR UPDATE SKIP LOCKED)
         RETURNING due, id, record",
        &[&now, &(limit as i64)],
    )
    .await?;
    let mut due = rows
        .iter()
        .map(|r| {
            Ok((
                (col::<i64>(r, 0)?, col::<i64>(r, 1)?),
                serde_json::from_str::<NewRecord>(col::<&str>(r, 2)?)?,
            ))
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    if due.is_empty() {
        return Ok(Vec::new());
    }
    due.sort_by_key(|(k, _)| *k);
    let records: Vec<NewRecord> = due.into_iter().map(|(_, r)| r).collect();
    let encoded = codec::encode_all(&records)?;
    append(c, &records, &encoded).await?;
    Ok(records)
}

pub(crate) async fn next_due(c: &impl Db) -> Result<Option<Millis>, StoreError> {
    col(
        &query_one(c, "SELECT min(due) FROM scheduled", &[]).await?,
        0,
    )
}

pub(crate) async fn message_events(
    c: &impl Db,
    acct: &str,
    id: &str,
) -> Result<Option<MessageEvents>, StoreError> {
    let Some((mid, message)) = load(c, id)
        .await?
        .and_then(|k| k.message.map(|m| (k.mid, m)))
        .filter(|(_, m)| m.account_id == acct)
    else {
        return Ok(None);
    };
    let rows = query(
        c,
        "SELECT recipient, event_type, timestamp, details FROM events
         WHERE mid = $1 ORDER BY recipient, timestamp, record_id",
        &[&mid],
    )
    .await?;
    let events = rows
        .iter()
        .map(|r| {
            Ok(StoredEvent {
                recipient: col(r, 0)?,
                event_type: event_type(col(r, 1)?)?,
                timestamp: col(r, 2)?,
                details: col::<Option<&str>>(r, 3)?
                    .map(serde_json::from_str)
                    .transpose()?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Some(MessageEvents { message, events }))
}

/// An event type as stored (its API name).
pub(crate) fn event_type(name: &str) -> Result<EventType, StoreError> {
    EventType::from_api_name(name).map_err(|e| StoreError::Backend(e.to_string()))
}

pub(crate) async fn message_records(
    c: &impl Db,
    acct: &str,
    id: &str,
) -> Result<Vec<(EventType, String)>, StoreError> {
    let rows = query(
        c,
        "SELECT r.event_type, r.body, m.mail FROM messages m JOIN records r ON r.mid = m.mid
         WHERE m.message_id = $1 AND m.account_id = $2 ORDER BY r.id",
        &[&id, &acct],
    )
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                event_type(col(r, 0)?)?,
                codec::decode(col(r, 1)?, col(r, 2)?)?,
            ))
        })
        .collect()
}

pub(crate) async fn count_messages_since(
    c: &impl Db,
    acct: &str,
    since: Millis,
) -> Result<u64, StoreError> {
    let n: i64 = col(
        &query_one(
            c,
            "SELECT count(*) FROM messages
             WHERE account_id = $1 AND sent_at >= $2 AND from_address IS NOT NULL",
            &[&acct, &since],
        )
        .await?,
        0,
    )?;
    Ok(n.max(0) as u64)
}
