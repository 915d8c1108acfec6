//! Rollups: counts per account, metric, hour and dimension, kept in the
//! transaction that stores the events they count, so a count is never
//! ahead of or behind the log (and a duplicate record, not stored, is not
//! counted). They answer `BatchGetMetricData`, `GetAccount`'s
//! `SentLast24Hours`, `GetSendStatistics` and the dashboard in time that
//! depends on the range asked for, not on how many events are stored.
//!
//! Four tables (schema versions 6 and 9):
//! - `rollups`: one row per (account, metric, dimension, value, hour,
//!   tracked); dimension `''` is the account total. Single-dimension
//!   questions, the common ones, are one index range each.
//! - `rollup_days`: the same per UTC day, so that a daily series (every
//!   `BatchGetMetricData` query) reads a row per day, not 24.
//! - `rollup_cells`: one row per (account, metric, hour, tracked, identity,
//!   set, ISP, tenant), for questions that combine dimensions.
//! - `rollup_quarters`: account totals per 15 minutes, for
//!   `GetSendStatistics` and the last 24 hours.
//!
//! `tracked` marks what VDM itself counts (see [`crate::metrics::MetricQuery`]).
//! A write adds to a [`Tally`] per event and recipient and flushes it once
//! at its end, so a batch of a thousand events of one hour costs a few
//! upserts, not thousands. What is counted, and how a series is cut into
//! ranges, is [`crate::tally`]'s, shared with the other backends.

use std::cell::RefCell;

use mailsight_model::{Dimension, EventType, Metric};
use rusqlite::{Connection, params};
use serde_json::Value;

use crate::error::StoreError;
use crate::metrics::*;
use crate::tally::{self, Grain, SeriesPlan};
pub(crate) use crate::tally::{Counted, Tally, counts_once};
use crate::types::*;

thread_local! {
    /// The counts of the writes in the writer thread's open batch (one
    /// transaction), kept until [`batch::close`]: every send adds to the
    /// same hot hourly, daily and quarter rows, and upserting them once per
    /// batch instead of once per write took a sixth of the writer's time
    /// off a SendEmail load. `None` outside a batch.
    static PENDING: RefCell<Option<Vec<Tally>>> = const { RefCell::new(None) };
}

/// Adds a write's gathered counts to the tables: at the end of the
/// writer's batch when one is open on this thread (still inside the
/// transaction that stores the events), else now.
pub(crate) fn flush(tally: &mut Tally, c: &Connection) -> Result<(), StoreError> {
    if tally.len() == 0 {
        return Ok(());
    }
    let deferred = PENDING.with(|p| match p.borrow_mut().as_mut() {
        Some(pending) => {
            pending.push(std::mem::take(tally));
            true
        }
        None => false,
    });
    if deferred { Ok(()) } else { write(tally, c) }
}

/// The writer's batch, as [`super::pool`] runs it: counts are deferred
/// from `open` to `close`, and a write that rolls back to its savepoint
/// takes its counts back with [`discard_since`].
pub(crate) mod batch {
    use super::*;

    pub(crate) fn open() {
        PENDING.with(|p| *p.borrow_mut() = Some(Vec::new()));
    }

    /// Where the next write's counts start.
    pub(crate) fn mark() -> usize {
        PENDING.with(|p| p.borrow().as_ref().map_or(0, Vec::len))
    }

    /// Forgets the counts deferred since `mark` (their write failed).
    pub(crate) fn discard_since(mark: usize) {
        PENDING.with(|p| {
            if let Some(pending) = p.borrow_mut().as_mut() {
                pending.truncate(mark);
            }
        });
    }

    /// Forgets the first `n` deferred counts (a rebuild counted them).
    pub(crate) fn forget_first(n: usize) {
        PENDING.with(|p| {
            if let Some(pending) = p.borrow_mut().as_mut() {
                pending.drain(..n.min(pending.len()));
            }
        });
    }

    /// Ends the batch: writes every deferred count, merged, in the
    /// transaction about to commit.
    pub(crate) fn close(c: &Connection) -> Result<(), StoreError> {
        let pending = PENDING.with(|p| p.borrow_mut().take()).unwrap_or_default();
        let mut all = Tally::default();
        for t in pending {
            all.absorb(t);
        }
        write(&mut all, c)
    }
}

/// Writes gathered counts to the tables now.
fn write(tally: &mut Tally, c: &Connection) -> Result<(), StoreError> {
    if tally.len() == 0 {
        return Ok(());
    }
    let rows = tally.rows();
    let mut row = c.prepare_cached(
        "INSERT INTO rollups (account_id, metric, dimension, value, hour, tracked, count)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT DO UPDATE SET count = count + excluded.count",
    )?;
    for (k, n) in &rows.hours {
        row.execute(params![
            k.account,
            k.metric,
            k.dimension,
            k.value,
            k.at,
            k.tracked,
            n
        ])?;
    }
    let mut day_row = c.prepare_cached(
        "INSERT INTO rollup_days (account_id, metric, dimension, value, day, tracked, count)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT DO UPDATE SET count = count + excluded.count",
    )?;
    for (k, n) in &rows.days {
        day_row.execute(params![
            k.account,
            k.metric,
            k.dimension,
            k.value,
            k.at,
            k.tracked,
            n
        ])?;
    }
    let mut cell_row = c.prepare_cached(
        "INSERT INTO rollup_cells (account_id, metric, hour, tracked, identity, domain,
                                   configuration_set, isp, tenant, count)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT DO UPDATE SET count = count + excluded.count",
    )?;
    for (cell, n) in &rows.cells {
        cell_row.execute(params![
            cell.account,
            cell.metric.name(),
            cell.hour,
            cell.tracked,
            cell.identity,
            cell.domain(),
            cell.set,
            cell.isp,
            cell.tenant,
            n
        ])?;
    }
    let mut quarter = c.prepare_cached(
        "INSERT INTO rollup_quarters (account_id, metric, quarter, count)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT DO UPDATE SET count = count + excluded.count",
    )?;
    for (account, metric, q, n) in &rows.quarters {
        quarter.execute(params![account, metric, q, n])?;
    }
    drop(rows);
    tally.clear();
    Ok(())
}

/// Whether the recipient already has an event of this type (before the one
/// being stored): opens and clicks are counted once per recipient.
pub(crate) fn seen_before(
    c: &Connection,
    mid: i64,
    recipient: &str,
    event_type: EventType,
) -> Result<bool, StoreError> {
    Ok(c
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM events WHERE mid = ?1 AND recipient = ?2 AND event_type = ?3)",
        )?
        .query_row(params![mid, recipient, event_type.api_name()], |r| r.get(0))?)
}

/// A query's counts in buckets of `bucket` (a whole number of hours,
/// aligned to UTC midnight), sparse, oldest first.
pub(crate) fn series(
    c: &Connection,
    account: &str,
    q: &MetricQuery,
    bucket: Millis,
) -> Result<Vec<Point>, StoreError> {
    let (bucket, tracked_only, plan) = tally::plan_series(q, bucket);
    let tracked = if tracked_only { 1 } else { 0 };
    let mut out = Vec::new();
    let mut push = |r: &rusqlite::Row<'_>| -> rusqlite::Result<()> {
        out.push(Point {
            at: r.get(0)?,
            count: r.get::<_, i64>(1)?.max(0) as u64,
        });
        Ok(())
    };
    let (start, end, groups) = match plan {
        SeriesPlan::Single {
            dimension,
            value,
            ranges,
        } => {
            let key = (account, q.metric.name(), dimension, value.as_str(), tracked);
            for (grain, start, end) in ranges {
                read_range(c, grain, key, (start, end), bucket, &mut push)?;
            }
            return Ok(tally::merge(out));
        }
        SeriesPlan::Cells { start, end, groups } => (start, end, groups),
    };
    use rusqlite::types::Value as Sql;
    let mut sql = String::from(
        "SELECT (hour / ?5) * ?5 AS at, sum(count) FROM rollup_cells
         WHERE account_id = ?1 AND metric = ?2 AND hour >= ?3 AND hour < ?4 AND tracked >= ?6",
    );
    let mut bound = vec![
        Sql::Text(account.to_owned()),
        Sql::Text(q.metric.name().to_owned()),
        Sql::Integer(start),
        Sql::Integer(end),
        Sql::Integer(bucket),
        Sql::Integer(tracked),
    ];
    for group in groups {
        let alternatives: Vec<String> = group
            .into_iter()
            .map(|(column, vals)| {
                let marks: Vec<String> = vals
                    .into_iter()
                    .map(|v| {
                        bound.push(Sql::Text(v));
                        format!("?{}", bound.len())
                    })
                    .collect();
                format!("{column} IN ({})", marks.join(", "))
            })
            .collect();
        sql.push_str(&format!(" AND ({})", alternatives.join(" OR ")));
    }
    sql.push_str(" GROUP BY at ORDER BY at");
    let mut stmt = c.prepare(&sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(bound))?;
    while let Some(r) = rows.next()? {
        push(r)?;
    }
    Ok(out)
}

/// The key of one single-dimension series: account, metric, dimension,
/// value, least `tracked`.
type SeriesKey<'a> = (&'a str, &'a str, &'a str, &'a str, i64);

fn grain_sql(grain: Grain) -> &'static str {
    match grain {
        Grain::Hours => {
            "SELECT (hour / ?7) * ?7 AS at, sum(count) FROM rollups
             WHERE account_id = ?1 AND metric = ?2 AND dimension = ?3 AND value = ?4
               AND hour >= ?5 AND hour < ?6 AND tracked >= ?8
             GROUP BY at ORDER BY at"
        }
        Grain::Days => {
            "SELECT (day / ?7) * ?7 AS at, sum(count) FROM rollup_days
             WHERE account_id = ?1 AND metric = ?2 AND dimension = ?3 AND value = ?4
               AND day >= ?5 AND day < ?6 AND tracked >= ?8
             GROUP BY at ORDER BY at"
        }
    }
}

/// The rows of a series in `[start, end)` (whole days for
/// [`Grain::Days`]), in buckets.
fn read_range(
    c: &Connection,
    grain: Grain,
    (account, metric, dimension, value, tracked): SeriesKey<'_>,
    (start, end): (Millis, Millis),
    bucket: Millis,
    push: &mut impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<()>,
) -> Result<(), StoreError> {
    if start >= end {
        return Ok(());
    }
    let mut stmt = c.prepare_cached(grain_sql(grain))?;
    let mut rows = stmt.query(params![
        account, metric, dimension, value, start, end, bucket, tracked
    ])?;
    while let Some(r) = rows.next()? {
        push(r)?;
    }
    Ok(())
}

/// Counts per value of `dimension` over the query's range (its filters
/// other than `dimension` are ignored), largest first.
pub(crate) fn breakdown(
    c: &Connection,
    account: &str,
    q: &MetricQuery,
    dimension: Dimension,
    limit: usize,
) -> Result<Vec<(String, u64)>, StoreError> {
    let mut stmt = c.prepare_cached(
        "SELECT value, sum(count) AS n FROM rollups
         WHERE account_id = ?1 AND metric = ?2 AND dimension = ?3
           AND hour >= ?4 AND hour < ?5 AND tracked >= ?6
         GROUP BY value ORDER BY n DESC, value LIMIT ?7",
    )?;
    let rows = stmt.query_map(
        params![
            account,
            q.metric.name(),
            dimension.name(),
            tally::floor(q.start, HOUR_MS),
            tally::floor(q.end, HOUR_MS),
            if q.tracked_only { 1 } else { 0 },
            limit as i64
        ],
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.max(0) as u64)),
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Account totals of `metric` per 15 minutes in `[start, end)`, sparse.
pub(crate) fn quarters(
    c: &Connection,
    account: &str,
    metric: Metric,
    start: Millis,
    end: Millis,
) -> Result<Vec<Point>, StoreError> {
    let mut stmt = c.prepare_cached(
        "SELECT quarter, count FROM rollup_quarters
         WHERE account_id = ?1 AND metric = ?2 AND quarter >= ?3 AND quarter < ?4
         ORDER BY quarter",
    )?;
    let rows = stmt.query_map(params![account, metric.name(), start, end], |r| {
        Ok(Point {
            at: r.get(0)?,
            count: r.get::<_, i64>(1)?.max(0) as u64,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Forgets every rollup and counts the stored events again, message by
/// message, with the rules the writes use.
pub(crate) fn rebuild(c: &Connection) -> Result<RebuildReport, StoreError> {
    c.execute_batch(
        "DELETE FROM rollups; DELETE FROM rollup_days; DELETE FROM rollup_cells;
         DELETE FROM rollup_quarters;",
    )?;
    // The counts deferred by earlier writes of this batch are of events
    // stored already, which the recount below counts again: they are
    // forgotten once the recount has succeeded (if it fails, its savepoint
    // is rolled back and they still count).
    let earlier = batch::mark();
    let mut report = RebuildReport::default();
    let mut tally = Tally::default();
    let mut messages = c.prepare(
        "SELECT mid, message_id, account_id, from_address, subject, tags, configuration_set,
                sent_at, recipients FROM messages ORDER BY mid",
    )?;
    let mut events = c.prepare(
        "SELECT recipient, event_type, timestamp, details FROM events
         WHERE mid = ?1 ORDER BY recipient, timestamp, record_id",
    )?;
    let mut rows = messages.query([])?;
    while let Some(r) = rows.next()? {
        let mid: i64 = r.get(0)?;
        let account: String = r.get(2)?;
        let message = match r.get::<_, Option<String>>(3)? {
            Some(from_address) => Some(Message {
                message_id: r.get(1)?,
                account_id: account.clone(),
                from_address,
                subject: r.get(4)?,
                // A column that does not parse counts as empty rather than
                // stopping the rebuild (or the migration that runs it).
                tags: serde_json::from_str(&r.get::<_, String>(5)?).unwrap_or_default(),
                configuration_set: r.get(6)?,
                sent_at: r.get(7)?,
                recipients: serde_json::from_str(&r.get::<_, String>(8)?).unwrap_or_default(),
            }),
            None => None,
        };
        report.messages += 1;
        let mut stored: Vec<(String, EventType, Millis, Option<Value>)> = Vec::new();
        let mut ev = events.query(params![mid])?;
        while let Some(e) = ev.next()? {
            let kind = e.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
            let event_type =
                EventType::from_api_name(kind).map_err(|x| StoreError::Backend(x.to_string()))?;
            let details: Option<Value> = e
                .get::<_, Option<String>>(3)?
                .and_then(|d| serde_json::from_str(&d).ok());
            stored.push((e.get(0)?, event_type, e.get(2)?, details));
        }
        report.events += tally::recount(
            &mut tally,
            &account,
            message.as_ref(),
            stored
                .iter()
                .map(|(r, t, at, d)| (r.as_str(), *t, *at, d.as_ref())),
        );
        if tally.len() > 50_000 {
            write(&mut tally, c)?;
        }
    }
    write(&mut tally, c)?;
    batch::forget_first(earlier);
    report.rows = c.query_row(
        "SELECT (SELECT count(*) FROM rollups) + (SELECT count(*) FROM rollup_days)
              + (SELECT count(*) FROM rollup_cells) + (SELECT count(*) FROM rollup_quarters)",
        [],
        |r| r.get::<_, i64>(0),
    )? as u64;
    Ok(report)
}
