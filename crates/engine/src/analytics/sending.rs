//! Recent account totals, from the 15-minute rollups: the same cost after
//! ten events or ten million.

use mailsight_model::Metric;
use mailsight_store::{DAY_MS, Millis, QUARTER_MS, Store, StoreError};

/// Recipients sent to in the 24 hours before `now` (SES counts each
/// recipient against the quota), at 15-minute resolution: the quarter
/// that straddles `now - 24h` is left out.
pub async fn sent_last_24_hours(
    store: &dyn Store,
    account: &str,
    now: Millis,
) -> Result<u64, StoreError> {
    let start = (now - DAY_MS).div_euclid(QUARTER_MS) * QUARTER_MS + QUARTER_MS;
    let points = store
        .metric_quarters(account, Metric::Send, start, now + 1)
        .await?;
    Ok(points.iter().map(|p| p.count).sum())
}

/// One 15-minute data point of SES v1's `GetSendStatistics`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SendDataPoint {
    pub at: Millis,
    pub delivery_attempts: u64,
    pub bounces: u64,
    pub complaints: u64,
    pub rejects: u64,
}

/// Two weeks, the span `GetSendStatistics` covers.
pub const STATISTICS_SPAN: Millis = 14 * DAY_MS;

/// The account's send statistics over the two weeks before `now`, per 15
/// minutes with any activity, oldest first (SES v1's `GetSendStatistics`:
/// attempts are sends, bounces both kinds).
pub async fn send_statistics(
    store: &dyn Store,
    account: &str,
    now: Millis,
) -> Result<Vec<SendDataPoint>, StoreError> {
    let start = (now - STATISTICS_SPAN).div_euclid(QUARTER_MS) * QUARTER_MS;
    let mut points: std::collections::BTreeMap<Millis, SendDataPoint> = Default::default();
    for metric in [
        Metric::Send,
        Metric::PermanentBounce,
        Metric::TransientBounce,
        Metric::Complaint,
        Metric::Reject,
    ] {
        for p in store
            .metric_quarters(account, metric, start, now + 1)
            .await?
        {
            let point = points.entry(p.at).or_insert(SendDataPoint {
                at: p.at,
                ..Default::default()
            });
            match metric {
                Metric::Send => point.delivery_attempts += p.count,
                Metric::Complaint => point.complaints += p.count,
                Metric::Reject => point.rejects += p.count,
                _ => point.bounces += p.count,
            }
        }
    }
    Ok(points.into_values().collect())
}
