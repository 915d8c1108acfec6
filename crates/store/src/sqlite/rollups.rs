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
//! upserts, not thousands.

use std::collections::HashMap;

use mailsight_model::{Metric, isp, metric};
use rusqlite::{Connection, params};
use serde_json::Value;

use crate::error::StoreError;
use crate::metrics::*;
use crate::types::*;
use mailsight_model::{Dimension, EventType};

/// The finest cut of a count: every dimension of one event. A write
/// gathers cells (a batch of a thousand events of one hour and sender is a
/// handful of them) and expands each into its rows only when it flushes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Cell {
    account: String,
    metric: Metric,
    hour: Millis,
    tracked: bool,
    /// The From address in lower case; empty while only a stub is known.
    identity: String,
    set: String,
    isp: String,
    tenant: String,
}

/// Counts gathered during one write, flushed by [`Tally::flush`].
#[derive(Default)]
pub(crate) struct Tally {
    cells: HashMap<Cell, i64>,
    quarters: HashMap<(String, Metric, Millis), i64>,
}

/// One stored event of one recipient, with what counting it needs.
pub(crate) struct Counted<'a> {
    pub account: &'a str,
    /// The message, unless only a stub is known.
    pub message: Option<&'a Message>,
    pub recipient: &'a str,
    pub event_type: EventType,
    pub timestamp: Millis,
    /// The insights `Details` (bounce type and subtype).
    pub details: Option<&'a Value>,
    /// Whether no earlier event of this type exists for the recipient
    /// (opens and clicks count once).
    pub first_of_kind: bool,
}

/// The metrics one event adds to.
fn metrics_of(e: &Counted<'_>, isp_name: &str) -> Vec<Metric> {
    match e.event_type {
        EventType::Send => vec![Metric::Send],
        EventType::Delivery => {
            let mut m = vec![Metric::Delivery];
            if e.message.is_some_and(|m| m.configuration_set.is_some()) {
                m.extend([Metric::DeliveryOpen, Metric::DeliveryClick]);
            }
            if metric::has_feedback_loop(isp_name) {
                m.push(Metric::DeliveryComplaint);
            }
            m
        }
        EventType::Bounce => vec![if bounce_type(e.details) == Some("PERMANENT") {
            Metric::PermanentBounce
        } else {
            Metric::TransientBounce
        }],
        EventType::Complaint => vec![Metric::Complaint],
        EventType::Open if e.first_of_kind => vec![Metric::Open],
        EventType::Click if e.first_of_kind => vec![Metric::Click],
        EventType::Open | EventType::Click => vec![],
        EventType::Reject => vec![Metric::Reject],
        EventType::RenderingFailure => vec![Metric::RenderingFailure],
        EventType::DeliveryDelay => vec![Metric::DeliveryDelay],
        EventType::Subscription => vec![Metric::Subscription],
    }
}

fn bounce_field<'a>(details: Option<&'a Value>, field: &str) -> Option<&'a str> {
    details?.get("Bounce")?.get(field)?.as_str()
}

fn bounce_type(details: Option<&Value>) -> Option<&str> {
    bounce_field(details, "BounceType")
}

fn floor(t: Millis, unit: Millis) -> Millis {
    t.div_euclid(unit) * unit
}

impl Tally {
    /// Adds one event of one recipient.
    pub(crate) fn add(&mut self, e: &Counted<'_>) {
        let isp_name = e
            .message
            .and_then(|m| {
                m.recipients
                    .iter()
                    .find(|r| r.address.eq_ignore_ascii_case(e.recipient))
                    .map(|r| r.isp.clone())
            })
            .unwrap_or_else(|| isp::classify(e.recipient).to_owned());
        let metrics = metrics_of(e, &isp_name);
        if metrics.is_empty() {
            return;
        }
        let multi = e.message.is_some_and(|m| m.recipients.len() > 1);
        let suppressed =
            bounce_field(e.details, "BounceSubType") == Some("ON_ACCOUNT_SUPPRESSION_LIST");
        let tracked = !multi && isp_name != isp::MAILBOX_SIMULATOR && !suppressed;
        let hour = floor(e.timestamp, HOUR_MS);
        let quarter = floor(e.timestamp, QUARTER_MS);
        let identity = e.message.map(|m| identity_key(&m.from_address));
        let set = e.message.and_then(|m| m.configuration_set.clone());
        let tenant = e.message.and_then(|m| {
            m.tags
                .iter()
                .find(|(n, _)| n == metric::TENANT_TAG)
                .map(|(_, v)| v.clone())
        });
        for metric in metrics {
            let cell = Cell {
                account: e.account.to_owned(),
                metric,
                hour,
                tracked,
                identity: identity.clone().unwrap_or_default(),
                set: set.clone().unwrap_or_default(),
                isp: isp_name.clone(),
                tenant: tenant.clone().unwrap_or_default(),
            };
            *self.cells.entry(cell).or_insert(0) += 1;
            *self
                .quarters
                .entry((e.account.to_owned(), metric, quarter))
                .or_insert(0) += 1;
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.cells.len() + self.quarters.len()
    }

    /// Adds the gathered counts to the tables: each cell to its own row
    /// and to one row per dimension it has (the total, the address and the
    /// domain, the set, the ISP, the tenant).
    pub(crate) fn flush(&mut self, c: &Connection) -> Result<(), StoreError> {
        if self.cells.is_empty() && self.quarters.is_empty() {
            return Ok(());
        }
        let mut rows: HashMap<(&str, Metric, &'static str, &str, Millis, bool), i64> =
            HashMap::new();
        let id = Dimension::EmailIdentity.name();
        for (cell, n) in &self.cells {
            let domain = cell.identity.rsplit_once('@').map(|(_, d)| d);
            let dims = [
                Some(("", "")),
                (!cell.identity.is_empty()).then_some((id, cell.identity.as_str())),
                domain.map(|d| (id, d)),
                (!cell.set.is_empty())
                    .then_some((Dimension::ConfigurationSet.name(), cell.set.as_str())),
                Some((Dimension::Isp.name(), cell.isp.as_str())),
                (!cell.tenant.is_empty())
                    .then_some((Dimension::TenantName.name(), cell.tenant.as_str())),
            ];
            for (dimension, value) in dims.into_iter().flatten() {
                let key = (
                    cell.account.as_str(),
                    cell.metric,
                    dimension,
                    value,
                    cell.hour,
                    cell.tracked,
                );
                *rows.entry(key).or_insert(0) += n;
            }
        }
        let mut row = c.prepare_cached(
            "INSERT INTO rollups (account_id, metric, dimension, value, hour, tracked, count)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT DO UPDATE SET count = count + excluded.count",
        )?;
        let mut days: HashMap<(&str, Metric, &'static str, &str, Millis, bool), i64> =
            HashMap::new();
        for ((account, metric, dimension, value, hour, tracked), n) in rows {
            row.execute(params![
                account,
                metric.name(),
                dimension,
                value,
                hour,
                tracked,
                n
            ])?;
            let day = floor(hour, DAY_MS);
            *days
                .entry((account, metric, dimension, value, day, tracked))
                .or_insert(0) += n;
        }
        let mut day_row = c.prepare_cached(
            "INSERT INTO rollup_days (account_id, metric, dimension, value, day, tracked, count)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT DO UPDATE SET count = count + excluded.count",
        )?;
        for ((account, metric, dimension, value, day, tracked), n) in days {
            day_row.execute(params![
                account,
                metric.name(),
                dimension,
                value,
                day,
                tracked,
                n
            ])?;
        }
        let mut cell_row = c.prepare_cached(
            "INSERT INTO rollup_cells (account_id, metric, hour, tracked, identity, domain,
                                       configuration_set, isp, tenant, count)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT DO UPDATE SET count = count + excluded.count",
        )?;
        for (cell, n) in self.cells.drain() {
            let domain = cell
                .identity
                .rsplit_once('@')
                .map(|(_, d)| d.to_owned())
                .unwrap_or_default();
            cell_row.execute(params![
                cell.account,
                cell.metric.name(),
                cell.hour,
                cell.tracked,
                cell.identity,
                domain,
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
        for ((account, metric, q), n) in self.quarters.drain() {
            quarter.execute(params![account, metric.name(), q, n])?;
        }
        Ok(())
    }
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

/// Whether counting this event type needs [`seen_before`].
pub(crate) fn counts_once(event_type: EventType) -> bool {
    matches!(event_type, EventType::Open | EventType::Click)
}

/// A query's counts in buckets of `bucket` (a whole number of hours,
/// aligned to UTC midnight), sparse, oldest first.
pub(crate) fn series(
    c: &Connection,
    account: &str,
    q: &MetricQuery,
    bucket: Millis,
) -> Result<Vec<Point>, StoreError> {
    let bucket = floor(bucket.max(HOUR_MS), HOUR_MS);
    let (start, end) = (floor(q.start, HOUR_MS), floor(q.end, HOUR_MS));
    let tracked = if q.tracked_only { 1 } else { 0 };
    let mut out = Vec::new();
    let mut push = |r: &rusqlite::Row<'_>| -> rusqlite::Result<()> {
        out.push(Point {
            at: r.get(0)?,
            count: r.get::<_, i64>(1)?.max(0) as u64,
        });
        Ok(())
    };
    let filters: Vec<&(Dimension, Vec<String>)> =
        q.filters.iter().filter(|(_, v)| !v.is_empty()).collect();
    let single = match filters.as_slice() {
        [] => Some(("", String::new())),
        [(d, values)] if values.len() == 1 => Some((d.name(), filter_value(*d, &values[0]))),
        _ => None,
    };
    if let Some((dimension, value)) = single {
        let key = (account, q.metric.name(), dimension, value.as_str(), tracked);
        // Whole days of a daily (or coarser) series come from the day
        // totals, the hours before the first and after the last from the
        // hourly rows.
        let (first_day, last_day) = (ceil(start, DAY_MS), floor(end, DAY_MS));
        if bucket % DAY_MS == 0 && first_day < last_day {
            read_range(c, Grain::Hours, key, (start, first_day), bucket, &mut push)?;
            read_range(
                c,
                Grain::Days,
                key,
                (first_day, last_day),
                bucket,
                &mut push,
            )?;
            read_range(c, Grain::Hours, key, (last_day, end), bucket, &mut push)?;
            return Ok(merge(out));
        }
        read_range(c, Grain::Hours, key, (start, end), bucket, &mut push)?;
        return Ok(out);
    }
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
    for (d, values) in filters {
        let mut alternatives = Vec::new();
        let mut by_column = |column: &str, vals: Vec<String>| {
            if vals.is_empty() {
                return;
            }
            let marks: Vec<String> = vals
                .into_iter()
                .map(|v| {
                    bound.push(Sql::Text(v));
                    format!("?{}", bound.len())
                })
                .collect();
            alternatives.push(format!("{column} IN ({})", marks.join(", ")));
        };
        let values: Vec<String> = values.iter().map(|v| filter_value(*d, v)).collect();
        match d {
            Dimension::EmailIdentity => {
                let (addresses, domains) = values.into_iter().partition(|v| v.contains('@'));
                by_column("identity", addresses);
                by_column("domain", domains);
            }
            Dimension::ConfigurationSet => by_column("configuration_set", values),
            Dimension::Isp => by_column("isp", values),
            Dimension::TenantName => by_column("tenant", values),
        }
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

/// Where a single-dimension series is read from.
#[derive(Clone, Copy)]
enum Grain {
    Hours,
    Days,
}

impl Grain {
    fn sql(self) -> &'static str {
        match self {
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
    let mut stmt = c.prepare_cached(grain.sql())?;
    let mut rows = stmt.query(params![
        account, metric, dimension, value, start, end, bucket, tracked
    ])?;
    while let Some(r) = rows.next()? {
        push(r)?;
    }
    Ok(())
}

/// Points read in order from adjacent ranges, one per bucket (a bucket
/// cut by a range's edge was read twice).
fn merge(points: Vec<Point>) -> Vec<Point> {
    let mut out: Vec<Point> = Vec::with_capacity(points.len());
    for p in points {
        match out.last_mut() {
            Some(last) if last.at == p.at => last.count += p.count,
            _ => out.push(p),
        }
    }
    out
}

fn ceil(t: Millis, unit: Millis) -> Millis {
    floor(t + unit - 1, unit)
}

/// Identities are kept in lower case; other values as given.
fn filter_value(d: Dimension, v: &str) -> String {
    match d {
        Dimension::EmailIdentity => identity_key(v),
        _ => v.to_owned(),
    }
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
            floor(q.start, HOUR_MS),
            floor(q.end, HOUR_MS),
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
        let mut seen: Vec<(String, EventType)> = Vec::new();
        let mut ev = events.query(params![mid])?;
        while let Some(e) = ev.next()? {
            let recipient: String = e.get(0)?;
            let kind = e.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
            let event_type =
                EventType::from_api_name(kind).map_err(|x| StoreError::Backend(x.to_string()))?;
            let details: Option<Value> = e
                .get::<_, Option<String>>(3)?
                .and_then(|d| serde_json::from_str(&d).ok());
            let first_of_kind = if counts_once(event_type) {
                let key = (recipient.clone(), event_type);
                let first = !seen.contains(&key);
                if first {
                    seen.push(key);
                }
                first
            } else {
                true
            };
            tally.add(&Counted {
                account: &account,
                message: message.as_ref(),
                recipient: &recipient,
                event_type,
                timestamp: e.get(2)?,
                details: details.as_ref(),
                first_of_kind,
            });
            report.events += 1;
        }
        if tally.len() > 50_000 {
            tally.flush(c)?;
        }
    }
    tally.flush(c)?;
    report.rows = c.query_row(
        "SELECT (SELECT count(*) FROM rollups) + (SELECT count(*) FROM rollup_days)
              + (SELECT count(*) FROM rollup_cells) + (SELECT count(*) FROM rollup_quarters)",
        [],
        |r| r.get::<_, i64>(0),
    )? as u64;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_sums_a_bucket_read_from_two_ranges() {
        let p = |at, count| Point { at, count };
        assert_eq!(
            merge(vec![p(0, 1), p(10, 2), p(10, 3), p(20, 4)]),
            [p(0, 1), p(10, 5), p(20, 4)]
        );
        assert_eq!(ceil(1, DAY_MS), DAY_MS);
        assert_eq!(ceil(DAY_MS, DAY_MS), DAY_MS);
    }
}
