//! The counters of every CloudWatch destination. `/metrics` (in
//! `mailsight-api`) renders a [`Metrics::snapshot`] as
//! `aws_ses_<Type>_total` counters.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use mailsight_model::EventType;

/// CloudWatch's metric name for each event type: the record's own name,
/// without the space of `Rendering Failure`.
pub fn metric_name(kind: EventType) -> &'static str {
    match kind {
        EventType::RenderingFailure => "RenderingFailure",
        other => other.record_name(),
    }
}

/// One series: the CloudWatch metric name ([`metric_name`]) and its
/// labels in order, as `(dimension name, value)` (the last one is
/// `ses_destination`). Names are as configured; the exposition makes them
/// valid label names.
pub type Series = (&'static str, Vec<(String, String)>);

/// The counters of every CloudWatch destination.
#[derive(Default)]
pub struct Metrics {
    counts: Mutex<BTreeMap<Series, u64>>,
}

impl Metrics {
    pub fn new() -> Arc<Self> {
        Arc::new(Metrics::default())
    }

    pub(super) fn add(&self, series: Series) {
        if let Ok(mut counts) = self.counts.lock() {
            *counts.entry(series).or_default() += 1;
        }
    }

    /// Every series and its count, ordered by metric then labels.
    pub fn snapshot(&self) -> Vec<(Series, u64)> {
        match self.counts.lock() {
            Ok(c) => c.iter().map(|(s, n)| (s.clone(), *n)).collect(),
            Err(_) => Vec::new(),
        }
    }

    /// Adds counts kept elsewhere, so counters go on from what was counted
    /// before a restart instead of from zero ([`super::persist::restore`]
    /// calls it once at start, before the deliverer runs).
    pub fn restore(&self, counts: impl IntoIterator<Item = (Series, u64)>) {
        if let Ok(mut current) = self.counts.lock() {
            for (series, n) in counts {
                *current.entry(series).or_default() += n;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restored_counts_add_to_the_live_ones() {
        let m = Metrics::default();
        let series: Series = ("Send", vec![("ses_destination".into(), "cs/cw".into())]);
        m.add(series.clone());
        m.restore([(series.clone(), 41), (("Open", vec![]), 2)]);
        assert_eq!(m.snapshot(), [(("Open", vec![]), 2), (series, 42)]);
    }

    #[test]
    fn metric_names_are_cloudwatch_names() {
        assert_eq!(metric_name(EventType::RenderingFailure), "RenderingFailure");
        assert_eq!(metric_name(EventType::DeliveryDelay), "DeliveryDelay");
        assert_eq!(metric_name(EventType::Send), "Send");
    }
}
