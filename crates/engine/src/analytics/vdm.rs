//! `BatchGetMetricData` as SES runs it: 1–10 queries of namespace `VDM`,
//! one to three dimensions each, answered as whole UTC days (sparse, oldest
//! first) from the rollups; and the account's VDM switch, without which SES
//! answers metrics and insights with `NotFoundException`.

use mailsight_model::{Dimension, Metric};
use mailsight_store::{DAY_MS, ItemKind, MetricQuery, Millis, PutMode, Store, StoreError};
use serde_json::{Value, json};

/// Most queries in one request.
pub const MAX_QUERIES: usize = 10;
/// Longest range of one query.
pub const MAX_RANGE_DAYS: i64 = 60;
/// Most values one dimension may list (`MetricDimensionValue`).
pub const MAX_VALUES: usize = 10;

/// One query as the request gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct VdmQuery {
    pub id: String,
    pub namespace: String,
    pub metric: String,
    /// `(name, value)` as given: a value is `*`, one value, or up to ten
    /// separated by commas.
    pub dimensions: Vec<(String, String)>,
    pub start: Millis,
    pub end: Millis,
}

/// The answer to one query: its daily points, or why it failed.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Points {
        id: String,
        days: Vec<(Millis, u64)>,
    },
    Failed {
        id: String,
        code: &'static str,
        message: String,
    },
}

/// Checks every query as SES validates a request (any failure refuses the
/// whole request); returns the store queries to run.
pub fn check(queries: &[VdmQuery], tracked_only: bool) -> Result<Vec<MetricQuery>, String> {
    if queries.is_empty() || queries.len() > MAX_QUERIES {
        return Err(format!(
            "Queries must hold between 1 and {MAX_QUERIES} queries, not {}.",
            queries.len()
        ));
    }
    let mut ids: Vec<&str> = Vec::new();
    queries
        .iter()
        .map(|q| {
            if q.id.is_empty() || q.id.len() > 255 {
                return Err("A query Id must be 1 to 255 characters long.".to_owned());
            }
            if ids.contains(&q.id.as_str()) {
                return Err(format!("The query Id {} is used twice.", q.id));
            }
            ids.push(&q.id);
            one(q, tracked_only)
        })
        .collect()
}

fn one(q: &VdmQuery, tracked_only: bool) -> Result<MetricQuery, String> {
    let prefixed = |e: String| format!("Query {}: {e}", q.id);
    if q.namespace != "VDM" {
        return Err(prefixed(format!(
            "Namespace must be VDM, not {}.",
            q.namespace
        )));
    }
    let metric = Metric::parse(&q.metric)
        .filter(|m| m.is_vdm())
        .ok_or_else(|| prefixed(format!("{} is not a VDM metric.", q.metric)))?;
    // A BatchGetMetricData value is one string: `*`, or values separated
    // by commas.
    let given: Vec<(String, Vec<String>)> = q
        .dimensions
        .iter()
        .map(|(name, value)| {
            let values = value
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect();
            (name.clone(), values)
        })
        .collect();
    let filters = dimension_filters(&given).map_err(prefixed)?;
    check_range(q.start, q.end).map_err(prefixed)?;
    Ok(MetricQuery {
        metric,
        filters,
        start: q.start.div_euclid(DAY_MS) * DAY_MS,
        end: q.end,
        tracked_only,
    })
}

/// Checks one to three dimensions, each `*` or one to ten values (when one
/// is `*`, the others take one value each), as BatchGetMetricData and
/// metrics exports both take them; returns each with its values (none: any
/// value).
pub fn dimension_filters(
    given: &[(String, Vec<String>)],
) -> Result<Vec<(Dimension, Vec<String>)>, String> {
    if given.is_empty() || given.len() > 3 {
        return Err("Dimensions must hold 1 to 3 entries.".to_owned());
    }
    let mut filters: Vec<(Dimension, Vec<String>)> = Vec::new();
    let (mut wildcards, mut lists) = (0, 0);
    for (name, values) in given {
        let d =
            Dimension::parse(name).ok_or_else(|| format!("{name} is not a metric dimension."))?;
        if filters.iter().any(|(f, _)| *f == d) {
            return Err(format!("dimension {name} is given twice."));
        }
        let values: Vec<String> = values
            .iter()
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect();
        let values = if values.len() == 1 && values[0] == "*" {
            wildcards += 1;
            Vec::new()
        } else {
            if values.is_empty() || values.len() > MAX_VALUES || values.iter().any(|v| v == "*") {
                return Err(format!(
                    "dimension {name} needs '*' or 1 to {MAX_VALUES} values."
                ));
            }
            if values.len() > 1 {
                lists += 1;
            }
            values
        };
        filters.push((d, values));
    }
    if wildcards > 0 && lists > 0 {
        return Err("when one dimension is '*', the others take one value each.".to_owned());
    }
    Ok(filters)
}

/// Checks a metrics range: `start` before `end`, at most
/// [`MAX_RANGE_DAYS`] apart.
pub fn check_range(start: Millis, end: Millis) -> Result<(), String> {
    if start >= end {
        return Err("StartDate must be before EndDate.".to_owned());
    }
    if end - start > MAX_RANGE_DAYS * DAY_MS {
        return Err(format!("the range may not exceed {MAX_RANGE_DAYS} days."));
    }
    Ok(())
}

/// Runs checked queries, all in one read of the rollups; if the read
/// fails, every query is reported failed (SES reports failures per query).
pub async fn run(
    store: &dyn Store,
    account: &str,
    queries: &[VdmQuery],
    checked: Vec<MetricQuery>,
) -> Vec<Outcome> {
    match store.metric_series(account, checked, DAY_MS).await {
        Ok(series) => queries
            .iter()
            .zip(series)
            .map(|(q, points)| Outcome::Points {
                id: q.id.clone(),
                days: points.into_iter().map(|p| (p.at, p.count)).collect(),
            })
            .collect(),
        Err(e) => {
            tracing::warn!(error = %e, queries = queries.len(), "metric queries failed");
            queries
                .iter()
                .map(|q| Outcome::Failed {
                    id: q.id.clone(),
                    code: "INTERNAL_FAILURE",
                    message: "The query could not be answered.".to_owned(),
                })
                .collect()
        }
    }
}

/// The account setting holding `VdmAttributes`.
const VDM_SETTING: &str = "vdm";

/// The account's `VdmAttributes`: as last put, else enabled (mailsight's
/// default, so that insights and metrics work out of the box).
pub async fn attributes(store: &dyn Store, account: &str) -> Result<Value, StoreError> {
    Ok(store
        .get_item(account, ItemKind::AccountSetting, VDM_SETTING)
        .await?
        .map(|i| i.body)
        .unwrap_or_else(|| json!({"VdmEnabled": "ENABLED"})))
}

/// Whether VDM is on for the account.
pub async fn enabled(store: &dyn Store, account: &str) -> Result<bool, StoreError> {
    Ok(attributes(store, account)
        .await?
        .get("VdmEnabled")
        .and_then(Value::as_str)
        != Some("DISABLED"))
}

/// Stores `VdmAttributes` (`PutAccountVdmAttributes`).
pub async fn put_attributes(
    store: &dyn Store,
    account: &str,
    attributes: Value,
    now: Millis,
) -> Result<(), StoreError> {
    store
        .put_item(
            account,
            ItemKind::AccountSetting,
            VDM_SETTING,
            attributes,
            PutMode::Upsert,
            now,
        )
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(dims: &[(&str, &str)]) -> VdmQuery {
        VdmQuery {
            id: "q1".into(),
            namespace: "VDM".into(),
            metric: "SEND".into(),
            dimensions: dims
                .iter()
                .map(|(a, b)| ((*a).into(), (*b).into()))
                .collect(),
            start: 10 * DAY_MS + 5,
            end: 12 * DAY_MS,
        }
    }

    #[test]
    fn accepts_what_ses_accepts() {
        let m = check(&[q(&[("ISP", "Gmail")])], false).unwrap();
        assert_eq!(m[0].filters, [(Dimension::Isp, vec!["Gmail".to_owned()])]);
        assert_eq!(m[0].start, 10 * DAY_MS, "start rounds down to its day");
        let m = check(&[q(&[("EMAIL_IDENTITY", "*"), ("ISP", "Gmail")])], true).unwrap();
        assert!(m[0].filters[0].1.is_empty() && m[0].tracked_only);
        let m = check(&[q(&[("CONFIGURATION_SET", "a, b")])], false).unwrap();
        assert_eq!(m[0].filters[0].1, ["a", "b"]);
    }

    #[test]
    fn refuses_what_ses_refuses() {
        let eleven = ["x"; 11].join(",");
        let mut bad = vec![
            vec![],
            (0..11).map(|_| q(&[("ISP", "x")])).collect(),
            vec![q(&[])],
            vec![q(&[("ISP", "a"), ("ISP", "b")])],
            vec![q(&[("COUNTRY", "x")])],
            vec![q(&[("ISP", "*"), ("CONFIGURATION_SET", "a,b")])],
            vec![q(&[("ISP", eleven.as_str())])],
        ];
        let mut metric = q(&[("ISP", "x")]);
        metric.metric = "REJECT".into();
        bad.push(vec![metric]);
        let mut ns = q(&[("ISP", "x")]);
        ns.namespace = "AWS".into();
        bad.push(vec![ns]);
        let mut long = q(&[("ISP", "x")]);
        long.end = long.start + 61 * DAY_MS;
        bad.push(vec![long]);
        let mut backwards = q(&[("ISP", "x")]);
        backwards.end = backwards.start;
        bad.push(vec![backwards]);
        bad.push(vec![q(&[("ISP", "x")]), q(&[("ISP", "y")])]);
        for b in bad {
            assert!(check(&b, false).is_err(), "{b:?}");
        }
    }
}
