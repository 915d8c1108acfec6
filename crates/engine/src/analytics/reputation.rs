//! Bounce and complaint rates judged as AWS judges an account: reviewed at
//! 5 % bounces or 0.1 % complaints, sending paused at 10 % or 0.5 %, and no
//! judgement at all below a minimum volume (a handful of sends says nothing).
//!
//! Bounce rate: permanent bounces per send. Complaint rate: complaints per
//! delivery. Both from the rollups, for the account or per value of a
//! dimension.

use mailsight_model::{Dimension, Metric};
use mailsight_store::{MetricQuery, Millis, Store, StoreError};

/// Bounce rate at which AWS reviews an account.
pub const BOUNCE_REVIEW: f64 = 0.05;
/// Bounce rate at which AWS may pause sending.
pub const BOUNCE_PAUSE: f64 = 0.10;
/// Complaint rate at which AWS reviews an account.
pub const COMPLAINT_REVIEW: f64 = 0.001;
/// Complaint rate at which AWS may pause sending.
pub const COMPLAINT_PAUSE: f64 = 0.005;
/// Sends below which no rate is judged.
pub const MIN_VOLUME: u64 = 200;

/// How a rate stands against the thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Too few sends to judge.
    LowVolume,
    Healthy,
    /// At or past the review threshold.
    Review,
    /// At or past the pause threshold.
    Pause,
}

impl Standing {
    pub fn label(self) -> &'static str {
        match self {
            Standing::LowVolume => "too little volume",
            Standing::Healthy => "healthy",
            Standing::Review => "under review",
            Standing::Pause => "at risk of pause",
        }
    }

    /// The worse of two.
    pub fn worst(self, other: Standing) -> Standing {
        let rank = |s: Standing| match s {
            Standing::LowVolume => 0,
            Standing::Healthy => 1,
            Standing::Review => 2,
            Standing::Pause => 3,
        };
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }
}

/// The counts behind the rates of one account, identity, set or ISP.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rates {
    /// The value of the dimension (empty for the account).
    pub value: String,
    pub sends: u64,
    pub deliveries: u64,
    pub bounces: u64,
    pub complaints: u64,
}

impl Rates {
    pub fn bounce_rate(&self) -> Option<f64> {
        (self.sends > 0).then(|| self.bounces as f64 / self.sends as f64)
    }

    pub fn complaint_rate(&self) -> Option<f64> {
        (self.deliveries > 0).then(|| self.complaints as f64 / self.deliveries as f64)
    }

    /// The standing of both rates, judged from `min_volume` sends up.
    pub fn standing(&self, min_volume: u64) -> Standing {
        if self.sends < min_volume.max(1) {
            return Standing::LowVolume;
        }
        let judge = |rate: Option<f64>, review: f64, pause: f64| match rate {
            Some(r) if r >= pause => Standing::Pause,
            Some(r) if r >= review => Standing::Review,
            _ => Standing::Healthy,
        };
        judge(self.bounce_rate(), BOUNCE_REVIEW, BOUNCE_PAUSE).worst(judge(
            self.complaint_rate(),
            COMPLAINT_REVIEW,
            COMPLAINT_PAUSE,
        ))
    }
}

const METRICS: [Metric; 4] = [
    Metric::Send,
    Metric::Delivery,
    Metric::PermanentBounce,
    Metric::Complaint,
];

fn add(r: &mut Rates, metric: Metric, n: u64) {
    match metric {
        Metric::Send => r.sends += n,
        Metric::Delivery => r.deliveries += n,
        Metric::PermanentBounce => r.bounces += n,
        _ => r.complaints += n,
    }
}

fn query(metric: Metric, start: Millis, end: Millis) -> MetricQuery {
    MetricQuery {
        metric,
        filters: Vec::new(),
        start,
        end,
        tracked_only: false,
    }
}

/// The account's counts over `[start, end)`.
pub async fn account(
    store: &dyn Store,
    account: &str,
    start: Millis,
    end: Millis,
) -> Result<Rates, StoreError> {
    let queries = METRICS.iter().map(|m| query(*m, start, end)).collect();
    let series = store.metric_series(account, queries, end - start).await?;
    let mut r = Rates::default();
    for (metric, points) in METRICS.into_iter().zip(series) {
        add(&mut r, metric, points.iter().map(|p| p.count).sum());
    }
    Ok(r)
}

/// Counts per value of `dimension` over `[start, end)`, the `limit` with
/// the most sends first.
pub async fn by(
    store: &dyn Store,
    account: &str,
    dimension: Dimension,
    start: Millis,
    end: Millis,
    limit: usize,
) -> Result<Vec<Rates>, StoreError> {
    let mut rows: Vec<Rates> = Vec::new();
    for metric in METRICS {
        // The top values by sends; the other metrics from a wider list, so
        // that a listed value's bounces are not cut off by another's.
        let n = if metric == Metric::Send {
            limit
        } else {
            limit.saturating_mul(10).min(10_000)
        };
        let values = store
            .metric_breakdown(account, query(metric, start, end), dimension, n)
            .await?;
        for (value, n) in values {
            match rows.iter_mut().find(|r| r.value == value) {
                Some(r) => add(r, metric, n),
                None if metric == Metric::Send => {
                    let mut r = Rates {
                        value,
                        ..Rates::default()
                    };
                    add(&mut r, metric, n);
                    rows.push(r);
                }
                // A value with bounces but none of the top sends: not listed.
                None => {}
            }
        }
    }
    rows.sort_by(|a, b| b.sends.cmp(&a.sends).then_with(|| a.value.cmp(&b.value)));
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rates(sends: u64, deliveries: u64, bounces: u64, complaints: u64) -> Rates {
        Rates {
            value: String::new(),
            sends,
            deliveries,
            bounces,
            complaints,
        }
    }

    #[test]
    fn standing_follows_the_thresholds_above_the_minimum_volume() {
        assert_eq!(rates(199, 199, 100, 0).standing(200), Standing::LowVolume);
        assert_eq!(rates(1000, 1000, 49, 0).standing(200), Standing::Healthy);
        assert_eq!(rates(1000, 1000, 50, 0).standing(200), Standing::Review);
        assert_eq!(rates(1000, 1000, 100, 0).standing(200), Standing::Pause);
        assert_eq!(rates(1000, 1000, 0, 1).standing(200), Standing::Review);
        assert_eq!(rates(1000, 1000, 60, 5).standing(200), Standing::Pause);
        assert_eq!(rates(0, 0, 0, 0).bounce_rate(), None);
        assert_eq!(rates(0, 0, 0, 0).standing(0), Standing::LowVolume);
    }
}
