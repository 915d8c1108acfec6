//! Rollups in PostgreSQL: the tables of `sqlite::rollups`, written in the
//! transaction that stores the events they count, and the series,
//! breakdowns and quarters read from them. What counts and how a series is
//! cut into ranges is [`crate::tally`]'s.
//!
//! A write's counts go in as one `INSERT … SELECT FROM unnest(…) ON
//! CONFLICT DO UPDATE` per table, rows sorted by key so that concurrent
//! writers lock shared rows in the same order (no deadlock between two
//! processes counting the same hour).

use mailsight_model::{Dimension, EventType, Metric};
use serde_json::Value;
use tokio_postgres::types::ToSql;

use super::db::{Db, col, execute, query, query_one};
use crate::error::StoreError;
use crate::metrics::*;
use crate::tally::{self, Grain, RowKey, SeriesPlan, Tally};
use crate::types::*;

/// Adds a write's gathered counts to the tables.
pub(crate) async fn flush(tally: &mut Tally, c: &impl Db) -> Result<(), StoreError> {
    if tally.len() == 0 {
        return Ok(());
    }
    let rows = tally.rows();
    upsert_rows(c, "rollups", "hour", &rows.hours).await?;
    upsert_rows(c, "rollup_days", "day", &rows.days).await?;
    if !rows.cells.is_empty() {
        let cells = &rows.cells;
        let account: Vec<&str> = cells.iter().map(|(k, _)| k.account.as_str()).collect();
        let metric: Vec<&str> = cells.iter().map(|(k, _)| k.metric.name()).collect();
        let hour: Vec<i64> = cells.iter().map(|(k, _)| k.hour).collect();
        let tracked: Vec<bool> = cells.iter().map(|(k, _)| k.tracked).collect();
        let identity: Vec<&str> = cells.iter().map(|(k, _)| k.identity.as_str()).collect();
        let domain: Vec<&str> = cells.iter().map(|(k, _)| k.domain()).collect();
        let set: Vec<&str> = cells.iter().map(|(k, _)| k.set.as_str()).collect();
        let isp: Vec<&str> = cells.iter().map(|(k, _)| k.isp.as_str()).collect();
        let tenant: Vec<&str> = cells.iter().map(|(k, _)| k.tenant.as_str()).collect();
        let count: Vec<i64> = cells.iter().map(|(_, n)| *n).collect();
        execute(
            c,
            "INSERT INTO rollup_cells (account_id, metric, hour, tracked, identity, domain,
                                       configuration_set, isp, tenant, count)
             SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::boolean[],
                                  $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                                  $10::bigint[])
             ON CONFLICT (account_id, metric, hour, tracked, identity, configuration_set, isp,
                          tenant)
             DO UPDATE SET count = rollup_cells.count + excluded.count",
            &[
                &account, &metric, &hour, &tracked, &identity, &domain, &set, &isp, &tenant, &count,
            ],
        )
        .await?;
    }
    if !rows.quarters.is_empty() {
        let q = &rows.quarters;
        let account: Vec<&str> = q.iter().map(|r| r.0).collect();
        let metric: Vec<&str> = q.iter().map(|r| r.1).collect();
        let quarter: Vec<i64> = q.iter().map(|r| r.2).collect();
        let count: Vec<i64> = q.iter().map(|r| r.3).collect();
        execute(
            c,
            "INSERT INTO rollup_quarters (account_id, metric, quarter, count)
             SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[])
             ON CONFLICT (account_id, metric, quarter)
             DO UPDATE SET count = rollup_quarters.count + excluded.count",
            &[&account, &metric, &quarter, &count],
        )
        .await?;
    }
    drop(rows);
    tally.clear();
    Ok(())
}

/// Adds rows to `rollups` (by `hour`) or `rollup_days` (by `day`).
async fn upsert_rows(
    c: &impl Db,
    table: &str,
    at: &str,
    rows: &[(RowKey<'_>, i64)],
) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let account: Vec<&str> = rows.iter().map(|(k, _)| k.account).collect();
    let metric: Vec<&str> = rows.iter().map(|(k, _)| k.metric).collect();
    let dimension: Vec<&str> = rows.iter().map(|(k, _)| k.dimension).collect();
    let value: Vec<&str> = rows.iter().map(|(k, _)| k.value).collect();
    let time: Vec<i64> = rows.iter().map(|(k, _)| k.at).collect();
    let tracked: Vec<bool> = rows.iter().map(|(k, _)| k.tracked).collect();
    let count: Vec<i64> = rows.iter().map(|(_, n)| *n).collect();
    let sql = format!(
        "INSERT INTO {table} (account_id, metric, dimension, value, {at}, tracked, count)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[],
                              $6::boolean[], $7::bigint[])
         ON CONFLICT (account_id, metric, dimension, value, {at}, tracked)
         DO UPDATE SET count = {table}.count + excluded.count"
    );
    execute(
        c,
        &sql,
        &[
            &account, &metric, &dimension, &value, &time, &tracked, &count,
        ],
    )
    .await?;
    Ok(())
}

/// Whether the recipient already has an event of this type (before the one
/// being stored): opens and clicks are counted once per recipient.
pub(crate) async fn seen_before(
    c: &impl Db,
    mid: i64,
    recipient: &str,
    event_type: EventType,
) -> Result<bool, StoreError> {
    col(
        &query_one(
            c,
            "SELECT EXISTS (SELECT 1 FROM events
                            WHERE mid = $1 AND recipient = $2 AND event_type = $3)",
            &[&mid, &recipient, &event_type.api_name()],
        )
        .await?,
        0,
    )
}

fn points(rows: &[tokio_postgres::Row]) -> Result<Vec<Point>, StoreError> {
    rows.iter()
        .map(|r| {
            Ok(Point {
                at: col(r, 0)?,
                count: col::<i64>(r, 1)?.max(0) as u64,
            })
        })
        .collect()
}

/// A query's counts in buckets of `bucket` (a whole number of hours,
/// aligned to UTC midnight), sparse, oldest first.
pub(crate) async fn series(
    c: &impl Db,
    account: &str,
    q: &MetricQuery,
    bucket: Millis,
) -> Result<Vec<Point>, StoreError> {
    let (bucket, tracked_only, plan) = tally::plan_series(q, bucket);
    // `tracked >= least`: false counts everything, true only tracked rows.
    let least = tracked_only;
    let metric = q.metric.name();
    match plan {
        SeriesPlan::Single {
            dimension,
            value,
            ranges,
        } => {
            let mut out = Vec::new();
            for (grain, start, end) in ranges {
                let sql = match grain {
                    Grain::Hours => {
                        "SELECT (hour / $7) * $7 AS at, sum(count)::bigint FROM rollups
                         WHERE account_id = $1 AND metric = $2 AND dimension = $3 AND value = $4
                           AND hour >= $5 AND hour < $6 AND tracked >= $8
                         GROUP BY at ORDER BY at"
                    }
                    Grain::Days => {
                        "SELECT (day / $7) * $7 AS at, sum(count)::bigint FROM rollup_days
                         WHERE account_id = $1 AND metric = $2 AND dimension = $3 AND value = $4
                           AND day >= $5 AND day < $6 AND tracked >= $8
                         GROUP BY at ORDER BY at"
                    }
                };
                let rows = query(
                    c,
                    sql,
                    &[
                        &account, &metric, &dimension, &value, &start, &end, &bucket, &least,
                    ],
                )
                .await?;
                out.extend(points(&rows)?);
            }
            Ok(tally::merge(out))
        }
        SeriesPlan::Cells { start, end, groups } => {
            let mut sql = String::from(
                "SELECT (hour / $5) * $5 AS at, sum(count)::bigint FROM rollup_cells
                 WHERE account_id = $1 AND metric = $2 AND hour >= $3 AND hour < $4
                   AND tracked >= $6",
            );
            let mut lists: Vec<Vec<String>> = Vec::new();
            for group in groups {
                let alternatives: Vec<String> = group
                    .into_iter()
                    .map(|(column, values)| {
                        lists.push(values);
                        format!("{column} = ANY(${})", 6 + lists.len())
                    })
                    .collect();
                sql.push_str(&format!(" AND ({})", alternatives.join(" OR ")));
            }
            sql.push_str(" GROUP BY at ORDER BY at");
            let mut params: Vec<&(dyn ToSql + Sync)> =
                vec![&account, &metric, &start, &end, &bucket, &least];
            params.extend(lists.iter().map(|l| l as &(dyn ToSql + Sync)));
            let rows = query(c, &sql, &params).await?;
            points(&rows)
        }
    }
}

/// Counts per value of `dimension` over the query's range (its filters
/// other than `dimension` are ignored), largest first.
pub(crate) async fn breakdown(
    c: &impl Db,
    account: &str,
    q: &MetricQuery,
    dimension: Dimension,
    limit: usize,
) -> Result<Vec<(String, u64)>, StoreError> {
    let rows = query(
        c,
        "SELECT value, sum(count)::bigint AS n FROM rollups
         WHERE account_id = $1 AND metric = $2 AND dimension = $3
           AND hour >= $4 AND hour < $5 AND tracked >= $6
         GROUP BY value ORDER BY n DESC, value LIMIT $7",
        &[
            &account,
            &q.metric.name(),
            &dimension.name(),
            &tally::floor(q.start, HOUR_MS),
            &tally::floor(q.end, HOUR_MS),
            &q.tracked_only,
            &(limit as i64),
        ],
    )
    .await?;
    rows.iter()
        .map(|r| Ok((col(r, 0)?, col::<i64>(r, 1)?.max(0) as u64)))
        .collect()
}

/// Account totals of `metric` per 15 minutes in `[start, end)`, sparse.
pub(crate) async fn quarters(
    c: &impl Db,
    account: &str,
    metric: Metric,
    start: Millis,
    end: Millis,
) -> Result<Vec<Point>, StoreError> {
    let rows = query(
        c,
        "SELECT quarter, count FROM rollup_quarters
         WHERE account_id = $1 AND metric = $2 AND quarter >= $3 AND quarter < $4
         ORDER BY quarter",
        &[&account, &metric.name(), &start, &end],
    )
    .await?;
    points(&rows)
}

/// Forgets every rollup and counts the stored events again, message by
/// message, with the rules the writes use.
pub(crate) async fn rebuild(c: &impl Db) -> Result<RebuildReport, StoreError> {
    // Other writers wait until the rebuild commits: their counts would be
    // lost in the tables being emptied otherwise.
    for table in ["rollups", "rollup_days", "rollup_cells", "rollup_quarters"] {
        execute(c, &format!("LOCK TABLE {table} IN EXCLUSIVE MODE"), &[]).await?;
        execute(c, &format!("DELETE FROM {table}"), &[]).await?;
    }
    let mut report = RebuildReport::default();
    let mut tally = Tally::default();
    let messages = query(
        c,
        "SELECT mid, message_id, account_id, from_address, subject, tags, configuration_set,
                sent_at, recipients FROM messages ORDER BY mid",
        &[],
    )
    .await?;
    for r in &messages {
        let mid: i64 = col(r, 0)?;
        let account: String = col(r, 2)?;
        let message = match col::<Option<String>>(r, 3)? {
            Some(from_address) => Some(Message {
                message_id: col(r, 1)?,
                account_id: account.clone(),
                from_address,
                subject: col(r, 4)?,
                // A column that does not parse counts as empty rather than
                // stopping the rebuild.
                tags: serde_json::from_str(col::<&str>(r, 5)?).unwrap_or_default(),
                configuration_set: col(r, 6)?,
                sent_at: col(r, 7)?,
                recipients: serde_json::from_str(col::<&str>(r, 8)?).unwrap_or_default(),
            }),
            None => None,
        };
        report.messages += 1;
        let rows = query(
            c,
            "SELECT recipient, event_type, timestamp, details FROM events
             WHERE mid = $1 ORDER BY recipient, timestamp, record_id",
            &[&mid],
        )
        .await?;
        let mut stored: Vec<(String, EventType, Millis, Option<Value>)> = Vec::new();
        for e in &rows {
            let details: Option<Value> =
                col::<Option<&str>>(e, 3)?.and_then(|d| serde_json::from_str(d).ok());
            stored.push((
                col(e, 0)?,
                super::events::event_type(col(e, 1)?)?,
                col(e, 2)?,
                details,
            ));
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
            flush(&mut tally, c).await?;
        }
    }
    flush(&mut tally, c).await?;
    let rows: i64 = col(
        &query_one(
            c,
            "SELECT (SELECT count(*) FROM rollups) + (SELECT count(*) FROM rollup_days)
                  + (SELECT count(*) FROM rollup_cells) + (SELECT count(*) FROM rollup_quarters)",
            &[],
        )
        .await?,
        0,
    )?;
    report.rows = rows.max(0) as u64;
    Ok(report)
}
