//! Counts and latencies of the requests every AWS protocol and ingest
//! endpoint answered, recorded in one place each (`front::serve` and
//! `ingest::timed`).
//!
//! Cardinality is bounded by construction: the protocol and operation are
//! `&'static str` from the protocols' operation tables (an unrouted request
//! is [`UNKNOWN_OPERATION`]), and a status is an HTTP status code.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

/// The operation label of a request that named no known operation.
pub const UNKNOWN_OPERATION: &str = "unknown";

/// The upper bounds of the latency histogram, in seconds.
pub const BOUNDS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// `(protocol, operation)`.
pub type Key = (&'static str, &'static str);

/// What one `(protocol, operation)` saw.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    /// Answers by HTTP status.
    pub by_status: BTreeMap<u16, u64>,
    /// Observations per bucket of [`BOUNDS`], plus one above the last.
    pub buckets: [u64; BOUNDS.len() + 1],
    pub sum_seconds: f64,
    pub count: u64,
}

/// Every request's count and latency since the server started.
#[derive(Debug, Default)]
pub struct RequestMetrics {
    series: Mutex<BTreeMap<Key, Series>>,
}

impl RequestMetrics {
    /// Counts one answered request.
    pub fn record(
        &self,
        protocol: &'static str,
        operation: &'static str,
        status: u16,
        took: Duration,
    ) {
        let seconds = took.as_secs_f64();
        let bucket = BOUNDS
            .iter()
            .position(|b| seconds <= *b)
            .unwrap_or(BOUNDS.len());
        if let Ok(mut all) = self.series.lock() {
            let s = all.entry((protocol, operation)).or_default();
            *s.by_status.entry(status).or_default() += 1;
            s.buckets[bucket] += 1;
            s.sum_seconds += seconds;
            s.count += 1;
        }
    }

    /// Every series, ordered by protocol then operation.
    pub fn snapshot(&self) -> Vec<(Key, Series)> {
        match self.series.lock() {
            Ok(all) => all.iter().map(|(k, s)| (*k, s.clone())).collect(),
            Err(_) => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_status_and_buckets_by_latency() {
        let m = RequestMetrics::default();
        m.record("SES v2", "SendEmail", 200, Duration::from_micros(500));
        m.record("SES v2", "SendEmail", 200, Duration::from_millis(30));
        m.record("SES v2", "SendEmail", 400, Duration::from_secs(60));
        m.record("SNS", "Publish", 200, Duration::from_millis(1));
        let snap = m.snapshot();
        assert_eq!(snap.len(), 2);
        let ((protocol, op), s) = &snap[0];
        assert_eq!((*protocol, *op), ("SES v2", "SendEmail"));
        assert_eq!(s.by_status, BTreeMap::from([(200, 2), (400, 1)]));
        assert_eq!(s.count, 3);
        assert_eq!(s.buckets[0], 1, "0.5 ms is within the first bound");
        assert_eq!(s.buckets[5], 1, "30 ms is within 50 ms");
        assert_eq!(s.buckets[BOUNDS.len()], 1, "a minute is above every bound");
        assert!((s.sum_seconds - 60.0305).abs() < 1e-9);
        assert_eq!(snap[1].1.buckets[0], 1, "1 ms is at the first bound");
    }
}
