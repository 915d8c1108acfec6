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
