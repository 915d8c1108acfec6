//! The outbox in PostgreSQL: routing records to targets in the transaction
//! that stores them (as `sqlite::outbox` does), and the bookkeeping of
//! every delivery attempt.
//!
//! Claims are safe with several processes on one database: a claim locks
//! the due rows it takes with `FOR UPDATE SKIP LOCKED` and moves their
//! `next_attempt` to the lease's end before committing, so another process
//! claiming at the same moment skips them, and after the commit they are no
//! longer due.

use mailsight_model::{EventType, NotificationType, now_ms};
use tokio_postgres::Row;

use super::db::{Db, col, execute, query};
use crate::error::StoreError;
use crate::target::Target;
use crate::types::*;

/// Creates the deliveries of a freshly stored record: every enabled
/// destination of its configuration set that matches its type, and every
/// forwarder that takes it. Targets are written in the text form of
/// [`Target`]'s `Display`, which reads them back.
pub(crate) async fn route(c: &impl Db, record_id: i64, r: &NewRecord) -> Result<(), StoreError> {
    let now = now_ms();
    let kind = r.event_type.api_name();
    if let (Some(identity), Some(notification)) = (&r.identity, NotificationType::of(r.event_type))
    {
        // The attributes' JSON names each topic `<Type>Topic`.
        let topic = format!("{}Topic", notification.name());
        execute(
            c,
            "INSERT INTO deliveries (record_id, account_id, target, status, next_attempt, created_at)
             SELECT $1, $2, 'identity:' || name || '/' || $5::text, 'pending', $3, $3
             FROM identities
             WHERE account_id = $2 AND name = $4 AND (attributes::jsonb ->> $6::text) IS NOT NULL",
            &[&record_id, &r.account_id, &now, identity, &notification.name(), &topic],
        )
        .await?;
    }
    if let Some(set) = &r.configuration_set {
        execute(
            c,
            "INSERT INTO deliveries (record_id, account_id, target, status, next_attempt, created_at)
             SELECT $1, $2, 'destination:' || configuration_set || '/' || name, 'pending', $3, $3
             FROM event_destinations
             WHERE account_id = $2 AND configuration_set = $4 AND enabled
               AND strpos(',' || matching_types || ',', ',' || $5::text || ',') > 0
             ORDER BY name",
            &[&record_id, &r.account_id, &now, set, &kind],
        )
        .await?;
    }
    let set = r.configuration_set.as_deref().unwrap_or("");
    execute(
        c,
        "INSERT INTO deliveries (record_id, account_id, target, status, next_attempt, created_at)
         SELECT $1, $2, 'forwarder:' || name, 'pending', $3, $3
         FROM forwarders
         WHERE (event_types = '' OR strpos(',' || event_types || ',', ',' || $4::text || ',') > 0)
           AND (configuration_sets = ''
                OR strpos(',' || configuration_sets || ',', ',' || $5::text || ',') > 0)
         ORDER BY name",
        &[&record_id, &r.account_id, &now, &kind, &set],
    )
    .await?;
    Ok(())
}

pub(crate) async fn set_forwarders(
    c: &impl Db,
    forwarders: &[ForwarderRoute],
) -> Result<(), StoreError> {
    execute(c, "DELETE FROM forwarders", &[]).await?;
    for f in forwarders {
        execute(
            c,
            "INSERT INTO forwarders (name, event_types, configuration_sets) VALUES ($1, $2, $3)",
            &[
                &f.name,
                &types_to_text(&f.event_types),
                &f.configuration_sets.join(","),
            ],
        )
        .await?;
    }
    Ok(())
}

/// The target in column `i`, as [`route`] wrote it.
fn target_at(row: &Row, i: usize) -> Result<Target, StoreError> {
    let text: &str = col(row, i)?;
    text.parse()
        .map_err(|e: crate::target::UnknownTarget| StoreError::Backend(e.to_string()))
}

pub(crate) async fn due_targets(
    c: &impl Db,
    now: Millis,
    limit: usize,
) -> Result<Vec<Target>, StoreError> {
    let rows = query(
        c,
        "SELECT DISTINCT target FROM deliveries
         WHERE status = 'pending' AND next_attempt <= $1 LIMIT $2",
        &[&now, &(limit as i64)],
    )
    .await?;
    rows.iter().map(|r| target_at(r, 0)).collect()
}

const DELIVERY_COLUMNS: &str =
    "d.id, d.target, d.account_id, m.message_id, r.event_type, r.body, d.status,
     d.attempts, d.next_attempt, d.created_at, d.last_error, m.mail";

/// Deliveries with their record and its message (whose `mail` the body needs).
const DELIVERY_JOIN: &str =
    "deliveries d JOIN records r ON r.id = d.record_id JOIN messages m ON m.mid = r.mid";

fn delivery_from_row(row: &Row) -> Result<Delivery, StoreError> {
    let status: &str = col(row, 6)?;
    Ok(Delivery {
        id: col(row, 0)?,
        target: target_at(row, 1)?,
        account_id: col(row, 2)?,
        message_id: col(row, 3)?,
        event_type: EventType::from_api_name(col(row, 4)?)
            .map_err(|e| StoreError::Backend(e.to_string()))?,
        body: crate::codec::decode(col(row, 5)?, col(row, 11)?)?,
        status: DeliveryStatus::parse(status)
            .ok_or_else(|| StoreError::Backend(format!("unknown status {status}")))?,
        attempts: col::<i64>(row, 7)?.clamp(0, u32::MAX as i64) as u32,
        next_attempt: col(row, 8)?,
        created_at: col(row, 9)?,
        last_error: col(row, 10)?,
    })
}

pub(crate) async fn claim(
    c: &impl Db,
    target: &str,
    now: Millis,
    lease_until: Millis,
    limit: usize,
) -> Result<Vec<Delivery>, StoreError> {
    let rows = query(
        c,
        &format!(
            "WITH claimed AS (
                 SELECT id FROM deliveries
                 WHERE target = $1 AND status = 'pending' AND next_attempt <= $2
                 ORDER BY next_attempt, id LIMIT $3
                 FOR UPDATE SKIP LOCKED
             )
             SELECT {DELIVERY_COLUMNS} FROM {DELIVERY_JOIN}
             WHERE d.id IN (SELECT id FROM claimed)
             ORDER BY d.next_attempt, d.id"
        ),
        &[&target, &now, &(limit as i64)],
    )
    .await?;
    let claimed = rows
        .iter()
        .map(delivery_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let ids: Vec<i64> = claimed.iter().map(|d| d.id).collect();
    execute(
        c,
        "UPDATE deliveries SET next_attempt = $2 WHERE id = ANY($1)",
        &[&ids, &lease_until],
    )
    .await?;
    Ok(claimed)
}

pub(crate) async fn settle(
    c: &impl Db,
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
    let n = execute(
        c,
        "UPDATE deliveries SET status = $2, next_attempt = $3, attempts = attempts + 1,
             last_error = COALESCE($4, last_error)
         WHERE id = $1",
        &[&id, &status, &next, &error],
    )
    .await?;
    if n == 0 {
        return Err(StoreError::NotFound(format!("Delivery <{id}>")));
    }
    execute(
        c,
        "INSERT INTO delivery_attempts (delivery_id, at, ok, detail) VALUES ($1, $2, $3, $4)",
        &[&id, &at, &ok, &error],
    )
    .await?;
    Ok(())
}

pub(crate) async fn list(
    c: &impl Db,
    f: &DeliveryFilter,
    before: Option<i64>,
    limit: usize,
) -> Result<Vec<Delivery>, StoreError> {
    let rows = query(
        c,
        &format!(
            "SELECT {DELIVERY_COLUMNS} FROM {DELIVERY_JOIN}
             WHERE ($1::text IS NULL OR d.account_id = $1) AND ($2::text IS NULL OR d.target = $2)
               AND ($3::text IS NULL OR d.status = $3) AND ($4::text IS NULL OR m.message_id = $4)
               AND d.id < $5
             ORDER BY d.id DESC LIMIT $6"
        ),
        &[
            &f.account_id,
            &f.target.as_ref().map(Target::to_string),
            &f.status.map(DeliveryStatus::as_str),
            &f.message_id,
            &before.unwrap_or(i64::MAX),
            &(limit as i64),
        ],
    )
    .await?;
    rows.iter().map(delivery_from_row).collect()
}

pub(crate) async fn attempts(c: &impl Db, id: i64) -> Result<Vec<Attempt>, StoreError> {
    let rows = query(
        c,
        "SELECT at, ok, detail FROM delivery_attempts WHERE delivery_id = $1 ORDER BY at, id",
        &[&id],
    )
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Attempt {
                at: col(r, 0)?,
                ok: col(r, 1)?,
                detail: col(r, 2)?,
            })
        })
        .collect()
}

pub(crate) async fn replay_dead(
    c: &impl Db,
    target: Option<&str>,
    now: Millis,
) -> Result<usize, StoreError> {
    Ok(execute(
        c,
        "UPDATE deliveries SET status = 'pending', next_attempt = $2
         WHERE status = 'dead' AND ($1::text IS NULL OR target = $1)",
        &[&target, &now],
    )
    .await? as usize)
}

pub(crate) async fn replay_dead_of(
    c: &impl Db,
    account: &str,
    target: Option<&str>,
    now: Millis,
) -> Result<usize, StoreError> {
    Ok(execute(
        c,
        "UPDATE deliveries SET status = 'pending', next_attempt = $3
         WHERE status = 'dead' AND account_id = $1 AND ($2::text IS NULL OR target = $2)",
        &[&account, &target, &now],
    )
    .await? as usize)
}

pub(crate) async fn counts(
    c: &impl Db,
    account: &str,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<TargetCounts>, StoreError> {
    let rows = query(
        c,
        "SELECT target,
                count(*) FILTER (WHERE status = 'pending'),
                count(*) FILTER (WHERE status = 'delivered'),
                count(*) FILTER (WHERE status = 'dead')
         FROM deliveries
         WHERE account_id = $1 AND ($2::text IS NULL OR target > $2)
         GROUP BY target ORDER BY target LIMIT $3",
        &[&account, &after, &(limit as i64)],
    )
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TargetCounts {
                target: target_at(r, 0)?,
                pending: col::<i64>(r, 1)?.max(0) as u64,
                delivered: col::<i64>(r, 2)?.max(0) as u64,
                dead: col::<i64>(r, 3)?.max(0) as u64,
            })
        })
        .collect()
}

pub(crate) async fn prune_delivered(c: &impl Db, before: Millis) -> Result<usize, StoreError> {
    // A delivered row's next_attempt is the time it was settled.
    execute(
        c,
        "DELETE FROM delivery_attempts WHERE delivery_id IN
             (SELECT id FROM deliveries WHERE status = 'delivered' AND next_attempt < $1)",
        &[&before],
    )
    .await?;
    Ok(execute(
        c,
        "DELETE FROM deliveries WHERE status = 'delivered' AND next_attempt < $1",
        &[&before],
    )
    .await? as usize)
}
