//! Rollup counting shared by every backend: which metrics an event adds
//! to, how a write gathers its counts ([`Tally`]), the rows a tally expands
//! into, and how a series question is cut into index ranges
//! ([`plan_series`]). The backends only write and read the rows, in their
//! own SQL (`sqlite::rollups`, `postgres::rollups`).
//!
//! The tables every backend keeps:
//! - `rollups`: one row per (account, metric, dimension, value, hour,
//!   tracked); dimension `''` is the account total.
//! - `rollup_days`: the same per UTC day.
//! - `rollup_cells`: one row per (account, metric, hour, tracked, identity,
//!   set, ISP, tenant), for questions that combine dimensions.
//! - `rollup_quarters`: account totals per 15 minutes.

use std::collections::HashMap;

use mailsight_model::{Dimension, EventType, Metric, isp, metric};
use serde_json::Value;

use crate::metrics::*;
use crate::types::*;

/// The finest cut of a count: every dimension of one event. A write
/// gathers cells (a batch of a thousand events of one hour and sender is a
/// handful of them) and expands each into its rows only when it flushes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Cell {
    pub account: String,
    pub metric: Metric,
    pub hour: Millis,
    pub tracked: bool,
    /// The From address in lower case; empty while only a stub is known.
    pub identity: String,
    pub set: String,
    pub isp: String,
    pub tenant: String,
}

/// Counts gathered during one write; each backend writes [`Tally::rows`]
/// at the write's end, in its transaction.
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

    /// The rows the gathered counts add to: each cell to its own row and to
    /// one row per dimension it has (the total, the address and the domain,
    /// the set, the ISP, the tenant), per hour and per day. Sorted by key,
    /// so that concurrent writers take row locks in one order.
    pub(crate) fn rows(&self) -> TallyRows<'_> {
        let mut hours: HashMap<RowKey<'_>, i64> = HashMap::new();
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
                let key = RowKey {
                    account: cell.account.as_str(),
                    metric: cell.metric.name(),
                    dimension,
                    value,
                    at: cell.hour,
                    tracked: cell.tracked,
                };
                *hours.entry(key).or_insert(0) += n;
            }
        }
        let mut days: HashMap<RowKey<'_>, i64> = HashMap::new();
        for (key, n) in &hours {
            let day = RowKey {
                at: floor(key.at, DAY_MS),
                ..*key
            };
            *days.entry(day).or_insert(0) += n;
        }
        let mut cells: Vec<(&Cell, i64)> = self.cells.iter().map(|(c, n)| (c, *n)).collect();
        cells.sort_by(|a, b| a.0.sort_key().cmp(&b.0.sort_key()));
        let mut quarters: Vec<(&str, &'static str, Millis, i64)> = self
            .quarters
            .iter()
            .map(|((a, m, q), n)| (a.as_str(), m.name(), *q, *n))
            .collect();
        quarters.sort_unstable();
        TallyRows {
            hours: sorted(hours),
            days: sorted(days),
            cells,
            quarters,
        }
    }

    /// Adds another write's counts to these.
    pub(crate) fn absorb(&mut self, other: Tally) {
        for (cell, n) in other.cells {
            *self.cells.entry(cell).or_insert(0) += n;
        }
        for (key, n) in other.quarters {
            *self.quarters.entry(key).or_insert(0) += n;
        }
    }

    /// Forgets the counts once their rows are written.
    pub(crate) fn clear(&mut self) {
        self.cells.clear();
        self.quarters.clear();
    }
}

fn sorted(rows: HashMap<RowKey<'_>, i64>) -> Vec<(RowKey<'_>, i64)> {
    let mut v: Vec<_> = rows.into_iter().collect();
    v.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    v
}

/// The key of a `rollups` (`at` an hour) or `rollup_days` (`at` a day) row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct RowKey<'a> {
    pub account: &'a str,
    pub metric: &'static str,
    pub dimension: &'static str,
    pub value: &'a str,
    pub at: Millis,
    pub tracked: bool,
}

/// What a [`Tally`] adds, row by row, each with its count.
pub(crate) struct TallyRows<'a> {
    pub hours: Vec<(RowKey<'a>, i64)>,
    pub days: Vec<(RowKey<'a>, i64)>,
    pub cells: Vec<(&'a Cell, i64)>,
    /// (account, metric, quarter, count).
    pub quarters: Vec<(&'a str, &'static str, Millis, i64)>,
}

impl Cell {
    /// The domain of the identity, empty when there is none.
    pub(crate) fn domain(&self) -> &str {
        self.identity.rsplit_once('@').map_or("", |(_, d)| d)
    }

    fn sort_key(&self) -> (&str, &'static str, Millis, bool, &str, &str, &str, &str) {
        (
            &self.account,
            self.metric.name(),
            self.hour,
            self.tracked,
            &self.identity,
            &self.set,
            &self.isp,
            &self.tenant,
        )
    }
}

/// Whether counting this event type needs to know if the recipient already
/// had one (opens and clicks count once per recipient).
pub(crate) fn counts_once(event_type: EventType) -> bool {
    matches!(event_type, EventType::Open | EventType::Click)
}

/// Counts one message's stored events again (`rebuild_rollups`), in the
/// order the store keeps them (by recipient, then time), with the rules
/// the writes use. Returns how many events it counted.
pub(crate) fn recount<'a>(
    tally: &mut Tally,
    account: &str,
    message: Option<&Message>,
    events: impl IntoIterator<Item = (&'a str, EventType, Millis, Option<&'a Value>)>,
) -> u64 {
    let mut seen: Vec<(&str, EventType)> = Vec::new();
    let mut n = 0;
    for (recipient, event_type, timestamp, details) in events {
        let first_of_kind = if counts_once(event_type) {
            let first = !seen.contains(&(recipient, event_type));
            if first {
                seen.push((recipient, event_type));
            }
            first
        } else {
            true
        };
        tally.add(&Counted {
            account,
            message,
            recipient,
            event_type,
            timestamp,
            details,
            first_of_kind,
        });
        n += 1;
    }
    n
}

/// Where the rows of one single-dimension series range are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Grain {
    /// `rollups`, by hour.
    Hours,
    /// `rollup_days`, by day.
    Days,
}

/// How to answer one series question.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SeriesPlan {
    /// One value of one dimension (or the account total, dimension `""`):
    /// index ranges of `rollups` and `rollup_days`, read in order and
    /// [`merge`]d. Whole days of a daily (or coarser) series come from the
    /// day totals, the hours before the first and after the last from the
    /// hourly rows.
    Single {
        dimension: &'static str,
        value: String,
        ranges: Vec<(Grain, Millis, Millis)>,
    },
    /// Several dimensions or values: `rollup_cells` in `[start, end)`,
    /// every group of `(column, values)` alternatives holding (AND of ORs).
    Cells {
        start: Millis,
        end: Millis,
        groups: Vec<Vec<(&'static str, Vec<String>)>>,
    },
}

/// Plans a series: the bucket (whole hours, at least one), the least
/// `tracked` value to count, and where the rows are.
pub(crate) fn plan_series(q: &MetricQuery, bucket: Millis) -> (Millis, bool, SeriesPlan) {
    let bucket = floor(bucket.max(HOUR_MS), HOUR_MS);
    let (start, end) = (floor(q.start, HOUR_MS), floor(q.end, HOUR_MS));
    let filters: Vec<&(Dimension, Vec<String>)> =
        q.filters.iter().filter(|(_, v)| !v.is_empty()).collect();
    let single = match filters.as_slice() {
        [] => Some(("", String::new())),
        [(d, values)] if values.len() == 1 => Some((d.name(), filter_value(*d, &values[0]))),
        _ => None,
    };
    if let Some((dimension, value)) = single {
        let (first_day, last_day) = (ceil(start, DAY_MS), floor(end, DAY_MS));
        let ranges = if bucket % DAY_MS == 0 && first_day < last_day {
            vec![
                (Grain::Hours, start, first_day),
                (Grain::Days, first_day, last_day),
                (Grain::Hours, last_day, end),
            ]
        } else {
            vec![(Grain::Hours, start, end)]
        };
        let ranges = ranges.into_iter().filter(|(_, s, e)| s < e).collect();
        return (
            bucket,
            q.tracked_only,
            SeriesPlan::Single {
                dimension,
                value,
                ranges,
            },
        );
    }
    let groups = filters
        .into_iter()
        .map(|(d, values)| {
            let values: Vec<String> = values.iter().map(|v| filter_value(*d, v)).collect();
            let columns: Vec<(&'static str, Vec<String>)> = match d {
                Dimension::EmailIdentity => {
                    let (addresses, domains) = values.into_iter().partition(|v| v.contains('@'));
                    vec![("identity", addresses), ("domain", domains)]
                }
                Dimension::ConfigurationSet => vec![("configuration_set", values)],
                Dimension::Isp => vec![("isp", values)],
                Dimension::TenantName => vec![("tenant", values)],
            };
            columns.into_iter().filter(|(_, v)| !v.is_empty()).collect()
        })
        .collect();
    (
        bucket,
        q.tracked_only,
        SeriesPlan::Cells { start, end, groups },
    )
}

/// Points read in order from adjacent ranges, one per bucket (a bucket
/// cut by a range's edge was read twice).
pub(crate) fn merge(points: Vec<Point>) -> Vec<Point> {
    let mut out: Vec<Point> = Vec::with_capacity(points.len());
    for p in points {
        match out.last_mut() {
            Some(last) if last.at == p.at => last.count += p.count,
            _ => out.push(p),
        }
    }
    out
}

pub(crate) fn floor(t: Millis, unit: Millis) -> Millis {
    t.div_euclid(unit) * unit
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
