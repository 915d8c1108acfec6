//! `METRICS_DATA` exports: one row per UTC day and combination of the
//! requested dimensions' values that has data, with one column per
//! requested metric (`<metric>_volume`, or `<metric>_rate`: the metric's
//! count over `SEND`'s of the same day and values), read from the rollups.

use std::collections::BTreeMap;

use mailsight_model::{Dimension, Metric};
use mailsight_store::{DAY_MS, MetricQuery, Millis, Store, StoreError};
use serde_json::Value;

use super::Page;
use super::spec::MetricsPlan;

/// Most values a `*` dimension expands to.
pub const MAX_WILDCARD_VALUES: usize = 1_000;

/// A metrics export in progress: the value combinations, one per page.
pub struct MetricsRun {
    plan: MetricsPlan,
    tracked_only: bool,
    combos: Option<Vec<Vec<(Dimension, String)>>>,
    next: usize,
}

/// A day as exports write it.
pub fn day(ms: Millis) -> String {
    super::iso(ms).get(..10).unwrap_or_default().to_owned()
}

impl MetricsRun {
    pub fn new(plan: MetricsPlan, tracked_only: bool) -> MetricsRun {
        MetricsRun {
            plan,
            tracked_only,
            combos: None,
            next: 0,
        }
    }

    pub fn columns(&self) -> Vec<String> {
        let mut c = vec!["date".to_owned()];
        c.extend(
            self.plan
                .dimensions
                .iter()
                .map(|(d, _)| d.name().to_ascii_lowercase()),
        );
        c.extend(self.plan.metrics.iter().map(|(m, rate)| {
            format!(
                "{}_{}",
                m.name().to_ascii_lowercase(),
                if *rate { "rate" } else { "volume" }
            )
        }));
        c
    }

    fn query(&self, metric: Metric, filters: Vec<(Dimension, Vec<String>)>) -> MetricQuery {
        MetricQuery {
            metric,
            filters,
            start: self.plan.start,
            end: self.plan.end,
            tracked_only: self.tracked_only,
        }
    }

    /// Every combination of one value per dimension: the listed values, or
    /// for `*` every value that has any of the requested metrics.
    async fn combos(
        &self,
        store: &dyn Store,
        account: &str,
    ) -> Result<Vec<Vec<(Dimension, String)>>, StoreError> {
        let mut combos: Vec<Vec<(Dimension, String)>> = vec![Vec::new()];
        for (d, values) in &self.plan.dimensions {
            let values = if values.is_empty() {
                let mut seen: Vec<String> = Vec::new();
                for (m, _) in &self.plan.metrics {
                    let found = store
                        .metric_breakdown(
                            account,
                            self.query(*m, Vec::new()),
                            *d,
                            MAX_WILDCARD_VALUES,
                        )
                        .await?;
                    for (v, _) in found {
                        if !seen.contains(&v) && seen.len() < MAX_WILDCARD_VALUES {
                            seen.push(v);
                        }
                    }
                }
                seen.sort();
                seen
            } else {
                values.clone()
            };
            combos = combos
                .into_iter()
                .flat_map(|c| {
                    values.iter().map(move |v| {
                        let mut c = c.clone();
                        c.push((*d, v.clone()));
                        c
                    })
                })
                .collect();
        }
        Ok(combos)
    }

    /// The rows of the next combination; `None` when all are done.
    pub async fn next_page(
        &mut self,
        store: &dyn Store,
        account: &str,
    ) -> Result<Option<Page>, StoreError> {
        if self.combos.is_none() {
            self.combos = Some(self.combos(store, account).await?);
        }
        let Some(combo) = self.combos.as_ref().and_then(|c| c.get(self.next)).cloned() else {
            return Ok(None);
        };
        self.next += 1;
        let filters: Vec<(Dimension, Vec<String>)> =
            combo.iter().map(|(d, v)| (*d, vec![v.clone()])).collect();
        let mut needed: Vec<Metric> = self.plan.metrics.iter().map(|(m, _)| *m).collect();
        if self.plan.metrics.iter().any(|(_, rate)| *rate) && !needed.contains(&Metric::Send) {
            needed.push(Metric::Send);
        }
        let mut processed = 0;
        let mut by_day: BTreeMap<Millis, BTreeMap<Metric, u64>> = BTreeMap::new();
        let queries = needed
            .iter()
            .map(|m| self.query(*m, filters.clone()))
            .collect();
        let series = store.metric_series(account, queries, DAY_MS).await?;
        for (m, points) in needed.into_iter().zip(series) {
            processed += points.len() as u64;
            for p in points {
                by_day.entry(p.at).or_default().insert(m, p.count);
            }
        }
        let rows = by_day
            .into_iter()
            .filter(|(_, counts)| {
                self.plan
                    .metrics
                    .iter()
                    .any(|(m, _)| counts.get(m).copied().unwrap_or(0) > 0)
            })
            .map(|(at, counts)| {
                let count = |m: &Metric| counts.get(m).copied().unwrap_or(0);
                let mut row: Vec<Value> = vec![day(at).into()];
                row.extend(combo.iter().map(|(_, v)| Value::from(v.clone())));
                row.extend(self.plan.metrics.iter().map(|(m, rate)| {
                    if *rate {
                        let sends = count(&Metric::Send);
                        if sends == 0 {
                            Value::Null
                        } else {
                            Value::from(count(m) as f64 / sends as f64)
                        }
                    } else {
                        Value::from(count(m))
                    }
                }));
                row
            })
            .collect();
        Ok(Some(Page { rows, processed }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_name_each_dimension_and_metric() {
        let run = MetricsRun::new(
            MetricsPlan {
                dimensions: vec![(Dimension::EmailIdentity, vec!["a.test".into()])],
                metrics: vec![(Metric::Send, false), (Metric::PermanentBounce, true)],
                start: 0,
                end: DAY_MS,
            },
            true,
        );
        assert_eq!(
            run.columns(),
            [
                "date",
                "email_identity",
                "send_volume",
                "permanent_bounce_rate"
            ]
        );
        assert_eq!(day(DAY_MS * 20_454), "2026-01-01");
    }
}
