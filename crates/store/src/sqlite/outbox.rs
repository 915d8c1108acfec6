//! The outbox: routing records to targets, in the transaction that stores
//! them, and the bookkeeping of every delivery attempt.
//!
//! Routing is SQL over the event destinations and forwarders tables, run
//! for each newly stored record, so a record is never committed without its
//! deliveries (nor delivered twice for a duplicate, which is not stored).

use mailsight_model::{EventType, NotificationType};
use rusqlite::{Connection, params};

use crate::error::StoreError;
use crate::target::Target;
use crate::types::*;

use mailsight_model::now_ms;

/// Creates the deliveries of a freshly stored record: every enabled
/// destination of its configuration set that matches its type, the
/// notification topic its identity set for its type (bounces, complaints
/// and deliveries only), and every forwarder that takes it. The SQL writes
/// each target in the text form of [`Target`]'s `Display`, which reads it
/// back.
pub(crate) fn route(c: &Connection, record_id: i64, r: &NewRecord) -> Result<(), StoreError> {
    let now = now_ms();
    let kind = r.event_type.api_name();
    if let (Some(identity), Some(notification)) = (&r.identity, NotificationType::of(r.event_type))
    {
        // The attributes' JSON names each topic `<Type>Topic`.
        c.prepare_cached(
            "INSERT INTO deliveries (record_id, account_id, target, status, next_attempt, created_at)
             SELECT ?1, ?2, 'identity:' || name || '/' || ?5, 'pending', ?3, ?3
             FROM identities
             WHERE account_id = ?2 AND name = ?4
               AND json_extract(attributes, '$.' || ?5 || 'Topic') IS NOT NULL",
        )?
        .execute(params![record_id, r.account_id, now, identity, notification.name()])?;
    }
    if let Some(set) = &r.configuration_set {
        c.prepare_cached(
            "INSERT INTO deliveries (record_id, account_id, target, status, next_attempt, created_at)
             SELECT ?1, ?2, 'destination:' || configuration_set || '/' || name, 'pending', ?3, ?3
             FROM event_destinations
             WHERE account_id = ?2 AND configuration_set = ?4 AND enabled = 1
               AND instr(',' || matching_types || ',', ',' || ?5 || ',') > 0",
        )?
        .execute(params![record_id, r.account_id, now, set, kind])?;
    }
    c.prepare_cached(
        "INSERT INTO deliveries (record_id, account_id, target, status, next_attempt, created_at)
         SELECT ?1, ?2, 'forwarder:' || name, 'pending', ?3, ?3
         FROM forwarders
         WHERE (event_types = '' OR instr(',' || event_types || ',', ',' || ?4 || ',') > 0)
           AND (configuration_sets = '' OR instr(',' || configuration_sets || ',', ',' || ?5 || ',') > 0)",
    )?
    .execute(params![record_id, r.account_id, now, kind, r.configuration_set.as_deref().unwrap_or("")])?;
    Ok(())
}

pub(crate) fn set_forwarders(
    c: &Connection,
    forwarders: &[ForwarderRoute],
) -> Result<(), StoreError> {
    c.execute("DELETE FROM forwarders", [])?;
    let mut insert = c.prepare_cached(
        "INSERT INTO forwarders (name, event_types, configuration_sets) VALUES (?1, ?2, ?3)",
    )?;
    for f in forwarders {
        let types: Vec<&str> = f.event_types.iter().map(|t| t.api_name()).collect();
        insert.execute(params![
            f.name,
            types.join(","),
            f.configuration_sets.join(",")
        ])?;
    }
    Ok(())
}

pub(crate) fn due_targets(
    c: &Connection,
    now: Millis,
    limit: usize,
) -> Result<Vec<Target>, StoreError> {
    let mut stmt = c.prepare_cached(
        "SELECT DISTINCT target FROM deliveries WHERE status = 'pending' AND next_attempt <= ?1 LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![now, limit as i64], |r| target_at(r, 0))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// The target in column `i`, as [`route`] wrote it.
fn target_at(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Target> {
    let text: String = row.get(i)?;
    text.parse().map_err(|e: crate::target::UnknownTarget| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into())
    })
}

const DELIVERY_COLUMNS: &str =
    "d.id, d.target, d.account_id, m.message_id, r.event_type, r.body, d.status,
     d.attempts, d.next_attempt, d.created_at, d.last_error, m.mail";

/// Deliveries with their record and its message (whose `mail` the body needs).
const DELIVERY_JOIN: &str =
    "deliveries d JOIN records r ON r.id = d.record_id JOIN messages m ON m.mid = r.mid";

fn delivery_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Delivery> {
    let kind: String = row.get(4)?;
    let status: String = row.get(6)?;
    let bad = |what: String| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, what.into())
    };
    Ok(Delivery {
        id: row.get(0)?,
        target: target_at(row, 1)?,
        account_id: row.get(2)?,
        message_id: row.get(3)?,
        event_type: EventType::from_api_name(&kind).map_err(|e| bad(e.to_string()))?,
        body: super::codec::decode(row.get_ref(5)?, row.get_ref(11)?.as_blob_or_null()?)
            .map_err(|e| bad(e.to_string()))?,
        status: DeliveryStatus::parse(&status)
            .ok_or_else(|| bad(format!("unknown status {status}")))?,
        attempts: row.get(7)?,
        next_attempt: row.get(8)?,
        created_at: row.get(9)?,
        last_error: row.get(10)?,
    })
}

pub(crate) fn claim(
    c: &Connection,
    target: &str,
    now: Millis,
    lease_until: Millis,
    limit: usize,
) -> Result<Vec<Delivery>, StoreError> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM {DELIVERY_JOIN}
         WHERE d.target = ?1 AND d.status = 'pending' AND d.next_attempt <= ?2
         ORDER BY d.next_attempt, d.id LIMIT ?3"
    ))?;
    let claimed = stmt
        .query_map(params![target, now, limit as i64], delivery_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    let mut lease = c.prepare_cached("UPDATE deliveries SET next_attempt = ?2 WHERE id = ?1")?;
    for d in &claimed {
        lease.execute(params![d.id, lease_until])?;
    }
    Ok(claimed)
}

pub(crate) fn settle(
    c: &Connection,
    id: i64,
    at: Millis,
    result: &AttemptResult,
) -> Result<(), StoreError> {
    let (status, next, error, ok) = match result {
        AttemptResult::Delivered => ("delivered", at, None, true),
        AttemptResult::Retry {
            error,
            next_attempt,
        } => ("pending", *next_attempt, Some(error.as_str()), false),
        AttemptResult::Dead { error } => ("dead", at, Some(error.as_str()), false),
    };
    let n = c.execute(
        "UPDATE deliveries SET status = ?2, next_attempt = ?3, attempts = attempts + 1,
             last_error = COALESCE(?4, last_error)
         WHERE id = ?1",
        params![id, status, next, error],
    )?;
    if n == 0 {
        return Err(StoreError::NotFound(format!("Delivery <{id}>")));
    }
    c.execute(
        "INSERT INTO delivery_attempts (delivery_id, at, ok, detail) VALUES (?1, ?2, ?3, ?4)",
        params![id, at, ok, error],
    )?;
    Ok(())
}

pub(crate) fn list(
    c: &Connection,
    f: &DeliveryFilter,
    before: Option<i64>,
    limit: usize,
) -> Result<Vec<Delivery>, StoreError> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM {DELIVERY_JOIN}
         WHERE (?1 IS NULL OR d.account_id = ?1) AND (?2 IS NULL OR d.target = ?2)
           AND (?3 IS NULL OR d.status = ?3) AND (?4 IS NULL OR m.message_id = ?4)
           AND d.id < ?5
         ORDER BY d.id DESC LIMIT ?6"
    ))?;
    let rows = stmt.query_map(
        params![
            f.account_id,
            f.target.as_ref().map(Target::to_string),
            f.status.map(DeliveryStatus::as_str),
            f.message_id,
            before.unwrap_or(i64::MAX),
            limit as i64
        ],
        delivery_from_row,
    )?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

pub(crate) fn attempts(c: &Connection, id: i64) -> Result<Vec<Attempt>, StoreError> {
    let mut stmt = c.prepare_cached(
        "SELECT at, ok, detail FROM delivery_attempts WHERE delivery_id = ?1 ORDER BY at, rowid",
    )?;
    let rows = stmt.query_map(params![id], |r| {
        Ok(Attempt {
            at: r.get(0)?,
            ok: r.get(1)?,
            detail: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

pub(crate) fn replay_dead(
    c: &Connection,
    target: Option<&str>,
    now: Millis,
) -> Result<usize, StoreError> {
    Ok(c.execute(
        "UPDATE deliveries SET status = 'pending', next_attempt = ?2
         WHERE status = 'dead' AND (?1 IS NULL OR target = ?1)",
        params![target, now],
    )?)
}

pub(crate) fn replay_dead_of(
    c: &Connection,
    account: &str,
    target: Option<&str>,
    now: Millis,
) -> Result<usize, StoreError> {
    Ok(c.execute(
        "UPDATE deliveries SET status = 'pending', next_attempt = ?3
         WHERE status = 'dead' AND account_id = ?1 AND (?2 IS NULL OR target = ?2)",
        params![account, target, now],
    )?)
}

pub(crate) fn counts(
    c: &Connection,
    account: &str,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<TargetCounts>, StoreError> {
    let mut stmt = c.prepare_cached(
        "SELECT target,
                sum(status = 'pending'), sum(status = 'delivered'), sum(status = 'dead')
         FROM deliveries
         WHERE account_id = ?1 AND (?2 IS NULL OR target > ?2)
         GROUP BY target ORDER BY target LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![account, after, limit as i64], |r| {
        Ok(TargetCounts {
            target: target_at(r, 0)?,
            pending: r.get::<_, i64>(1)?.max(0) as u64,
            delivered: r.get::<_, i64>(2)?.max(0) as u64,
            dead: r.get::<_, i64>(3)?.max(0) as u64,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

pub(crate) fn prune_delivered(c: &Connection, before: Millis) -> Result<usize, StoreError> {
    // A delivered row's next_attempt is the time it was settled.
    c.execute(
        "DELETE FROM delivery_attempts WHERE delivery_id IN
             (SELECT id FROM deliveries WHERE status = 'delivered' AND next_attempt < ?1)",
        params![before],
    )?;
    Ok(c.execute(
        "DELETE FROM deliveries WHERE status = 'delivered' AND next_attempt < ?1",
        params![before],
    )?)
}
