//! Messages, the event log and the schedule of future records.

use mailsight_model::EventType;
use rusqlite::{Connection, OptionalExtension, params};

use crate::error::StoreError;
use crate::types::*;

pub(crate) fn insert_message(
    c: &Connection,
    m: &Message,
    now: &[NewRecord],
    later: &[ScheduledRecord],
) -> Result<(), StoreError> {
    let tags = serde_json::to_string(&m.tags)?;
    let recipients = serde_json::to_string(&m.recipients)?;
    c.prepare_cached(
        "INSERT INTO messages
             (message_id, account_id, from_address, subject, tags, configuration_set, sent_at, recipients)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![m.message_id, m.account_id, m.from_address, m.subject, tags, m.configuration_set, m.sent_at, recipients])?;
    append(c, now)?;
    let mut stmt = c.prepare_cached("INSERT INTO scheduled (due, record) VALUES (?1, ?2)")?;
    for s in later {
        stmt.execute(params![s.due, serde_json::to_string(&s.record)?])?;
    }
    Ok(())
}

/// Creates or enriches each record's message, then appends the records.
pub(crate) fn ingest(c: &Connection, batch: &[(Message, NewRecord)]) -> Result<usize, StoreError> {
    let mut fresh = 0;
    for (message, record) in batch {
        if upsert_message(c, message)? {
            fresh += append(c, std::slice::from_ref(record))?;
        } else {
            tracing::warn!(
                message_id = %message.message_id,
                account = %message.account_id,
                "refused a record whose message id belongs to another account"
            );
        }
    }
    Ok(fresh)
}

/// Inserts a message, or fills in what an existing row of the same account
/// lacks: the first record seen may be a bounce without headers, a later
/// Send carries the subject. Returns false when the id belongs to another
/// account: such a record must not be stored at all, since events are read
/// by message id.
fn upsert_message(c: &Connection, m: &Message) -> Result<bool, StoreError> {
    let Some(existing) = load_message(c, &m.message_id)? else {
        insert_message(c, m, &[], &[])?;
        return Ok(true);
    };
    if existing.account_id != m.account_id {
        return Ok(false);
    }
    let mut merged = existing.recipients;
    let before = merged.len();
    for r in &m.recipients {
        if !merged
            .iter()
            .any(|e| e.address.eq_ignore_ascii_case(&r.address))
        {
            merged.push(r.clone());
        }
    }
    let old_tags = existing.tags;
    let fill_subject = existing.subject.is_none() && m.subject.is_some();
    let fill_tags = old_tags.is_empty() && !m.tags.is_empty();
    let fill_set = existing.configuration_set.is_none() && m.configuration_set.is_some();
    if merged.len() == before && !fill_subject && !fill_tags && !fill_set {
        return Ok(true);
    }
    c.prepare_cached(
        "UPDATE messages SET subject = COALESCE(subject, ?2), configuration_set = COALESCE(configuration_set, ?3),
             tags = ?4, recipients = ?5
         WHERE message_id = ?1",
    )?
    .execute(params![
            m.message_id,
            m.subject,
            m.configuration_set,
            serde_json::to_string(if fill_tags { &m.tags } else { &old_tags })?,
            serde_json::to_string(&merged)?,
        ])?;
    Ok(true)
}

/// Reads a message row, whatever its account.
fn load_message(c: &Connection, id: &str) -> Result<Option<Message>, StoreError> {
    let row = c
        .prepare_cached(
            "SELECT account_id, from_address, subject, tags, configuration_set, sent_at, recipients
             FROM messages WHERE message_id = ?1",
        )?
        .query_row(params![id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, String>(6)?,
            ))
        })
        .optional()?;
    let Some((account_id, from_address, subject, tags, configuration_set, sent_at, recipients)) =
        row
    else {
        return Ok(None);
    };
    Ok(Some(Message {
        message_id: id.to_owned(),
        account_id,
        from_address,
        subject,
        tags: serde_json::from_str(&tags)?,
        configuration_set,
        sent_at,
        recipients: serde_json::from_str(&recipients)?,
    }))
}

/// Inserts records and their per-recipient events; duplicates are skipped.
pub(crate) fn append(c: &Connection, records: &[NewRecord]) -> Result<usize, StoreError> {
    let mut insert_record = c.prepare_cached(
        "INSERT INTO records (account_id, message_id, event_type, timestamp, dedupe_key, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (dedupe_key) DO NOTHING",
    )?;
    let mut insert_event = c.prepare_cached(
        "INSERT OR IGNORE INTO events (message_id, recipient, timestamp, record_id, event_type, details)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let mut fresh = 0;
    for r in records {
        let inserted = insert_record.execute(params![
            r.account_id,
            r.message_id,
            r.event_type.api_name(),
            r.timestamp,
            r.dedupe_key,
            r.body
        ])?;
        if inserted == 0 {
            continue;
        }
        fresh += 1;
        let record_id = c.last_insert_rowid();
        super::outbox::route(c, record_id, r)?;
        for e in &r.recipients {
            let details = e.details.as_ref().map(|d| d.to_string());
            insert_event.execute(params![
                r.message_id,
                e.address,
                r.timestamp,
                record_id,
                r.event_type.api_name(),
                details
            ])?;
        }
    }
    Ok(fresh)
}

pub(crate) fn release_due(
    c: &Connection,
    now: Millis,
    limit: usize,
) -> Result<Vec<NewRecord>, StoreError> {
    let mut stmt = c.prepare_cached(
        "SELECT id, record FROM scheduled WHERE due <= ?1 ORDER BY due, id LIMIT ?2",
    )?;
    let rows = stmt
        .query_map(params![now, limit as i64], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut records = Vec::with_capacity(rows.len());
    let mut delete = c.prepare_cached("DELETE FROM scheduled WHERE id = ?1")?;
    for (id, json) in rows {
        records.push(serde_json::from_str::<NewRecord>(&json)?);
        delete.execute(params![id])?;
    }
    append(c, &records)?;
    Ok(records)
}

pub(crate) fn next_due(c: &Connection) -> Result<Option<Millis>, StoreError> {
    Ok(c.query_row("SELECT min(due) FROM scheduled", [], |r| {
        r.get::<_, Option<i64>>(0)
    })?)
}

pub(crate) fn message_events(
    c: &Connection,
    acct: &str,
    id: &str,
) -> Result<Option<MessageEvents>, StoreError> {
    let Some(message) = load_message(c, id)?.filter(|m| m.account_id == acct) else {
        return Ok(None);
    };
    let mut stmt = c.prepare_cached(
        "SELECT recipient, event_type, timestamp, details FROM events
         WHERE message_id = ?1 ORDER BY recipient, timestamp, record_id",
    )?;
    let rows = stmt
        .query_map(params![id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let events = rows
        .into_iter()
        .map(|(recipient, kind, timestamp, details)| {
            Ok(StoredEvent {
                recipient,
                event_type: EventType::from_api_name(&kind)
                    .map_err(|e| StoreError::Backend(e.to_string()))?,
                timestamp,
                details: details.map(|d| serde_json::from_str(&d)).transpose()?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Some(MessageEvents { message, events }))
}

pub(crate) fn message_records(
    c: &Connection,
    acct: &str,
    id: &str,
) -> Result<Vec<(EventType, String)>, StoreError> {
    let mut stmt = c.prepare_cached(
        "SELECT event_type, body FROM records WHERE message_id = ?1 AND account_id = ?2 ORDER BY id",
    )?;
    let rows = stmt
        .query_map(params![id, acct], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter()
        .map(|(kind, body)| {
            Ok((
                EventType::from_api_name(&kind).map_err(|e| StoreError::Backend(e.to_string()))?,
                body,
            ))
        })
        .collect()
}

pub(crate) fn count_messages_since(
    c: &Connection,
    acct: &str,
    since: Millis,
) -> Result<u64, StoreError> {
    let n: i64 = c.query_row(
        "SELECT count(*) FROM messages WHERE account_id = ?1 AND sent_at >= ?2",
        params![acct, since],
        |r| r.get(0),
    )?;
    Ok(n as u64)
}
