//! The counters across restarts: a snapshot kept in the store every few
//! seconds and when the server stops, added back at the next start, so
//! `aws_ses_<Type>_total` goes on from where it was instead of from zero.
//!
//! The rollups cannot give these counts back: a series is labelled by the
//! destination's dimensions, whose values come from message tags, headers
//! and link tags the rollups do not keep. What a kill (not a stop) loses is
//! the counting since the last snapshot, at most [`EVERY`]: the counter
//! then steps back a little, which Prometheus reads as a reset.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use mailsight_model::{EventType, now_ms};
use mailsight_store::{ItemKind, PutMode, Store, StoreError};
use serde_json::{Value, json};

use super::metrics::{Metrics, Series, metric_name};

/// How often a changed snapshot is written.
pub const EVERY: Duration = Duration::from_secs(5);
/// Where the snapshot is kept: a server-wide setting (no SES account id
/// is empty, so no account can read or overwrite it).
const ACCOUNT: &str = "";
const KEY: &str = "cloudwatch-counters";

fn to_json(snapshot: &[(Series, u64)]) -> Value {
    let series: Vec<Value> = snapshot
        .iter()
        .map(|((metric, labels), n)| json!({"metric": metric, "labels": labels, "count": n}))
        .collect();
    json!({ "series": series })
}

/// The series of a stored snapshot; entries it cannot read are skipped.
fn from_json(v: &Value) -> Vec<(Series, u64)> {
    let Some(series) = v.get("series").and_then(Value::as_array) else {
        return Vec::new();
    };
    series
        .iter()
        .filter_map(|s| {
            let name = s.get("metric")?.as_str()?;
            let metric = EventType::ALL
                .into_iter()
                .map(metric_name)
                .find(|m| *m == name)?;
            let labels: Vec<(String, String)> =
                serde_json::from_value(s.get("labels")?.clone()).ok()?;
            Some(((metric, labels), s.get("count")?.as_u64()?))
        })
        .collect()
}

/// Adds the stored snapshot to `metrics` (call once, before deliveries run).
pub async fn restore(store: &dyn Store, metrics: &Metrics) -> Result<usize, StoreError> {
    let Some(item) = store
        .get_item(ACCOUNT, ItemKind::AccountSetting, KEY)
        .await?
    else {
        return Ok(0);
    };
    let series = from_json(&item.body);
    let n = series.len();
    metrics.restore(series);
    Ok(n)
}

async fn save(store: &dyn Store, snapshot: &[(Series, u64)]) -> Result<(), StoreError> {
    store
        .put_item(
            ACCOUNT,
            ItemKind::AccountSetting,
            KEY,
            to_json(snapshot),
            PutMode::Upsert,
            now_ms(),
        )
        .await
}

/// Writes the snapshot every [`EVERY`] when it changed, and once more when
/// `shutdown` resolves.
pub async fn keep(
    store: Arc<dyn Store>,
    metrics: Arc<Metrics>,
    shutdown: impl Future<Output = ()>,
) {
    let mut saved = metrics.snapshot();
    tokio::pin!(shutdown);
    loop {
        let stopping = tokio::select! {
            _ = tokio::time::sleep(EVERY) => false,
            _ = &mut shutdown => true,
        };
        let now = metrics.snapshot();
        if now != saved {
            match save(store.as_ref(), &now).await {
                Ok(()) => saved = now,
                Err(e) => tracing::warn!(error = %e, "cannot keep the CloudWatch counters"),
            }
        }
        if stopping {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_reads_back_and_skips_what_it_cannot_read() {
        let series: Series = (
            "RenderingFailure",
            vec![("ses_destination".into(), "cs/cw".into())],
        );
        let v = to_json(&[(series.clone(), 7), (("Send", vec![]), 2)]);
        assert_eq!(from_json(&v), [(series, 7), (("Send", vec![]), 2)]);
        let broken = json!({"series": [{"metric": "Nope", "labels": [], "count": 1},
                                       {"metric": "Open", "labels": "x", "count": 1},
                                       {"metric": "Open", "labels": [], "count": 3}]});
        assert_eq!(from_json(&broken), [(("Open", vec![]), 3)]);
        assert!(from_json(&json!([])).is_empty());
    }
}
