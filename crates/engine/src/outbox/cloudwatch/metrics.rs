//! The counters of every CloudWatch destination, and their Prometheus
//! text exposition (served at `/metrics`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
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

/// One series: the metric and its labels, in order.
pub(super) type Series = (&'static str, Vec<(String, String)>);

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

    /// The Prometheus text exposition of every counter.
    pub fn render(&self) -> String {
        let counts = match self.counts.lock() {
            Ok(c) => c.clone(),
            Err(_) => return String::new(),
        };
        let mut out = String::new();
        let mut last = "";
        for ((name, labels), count) in &counts {
            if *name != last {
                let _ = writeln!(
                    out,
                    "# HELP aws_ses_{name} SES {name} events, as a CloudWatch event destination counts them."
                );
                let _ = writeln!(out, "# TYPE aws_ses_{name} counter");
                last = name;
            }
            let labels: Vec<String> = labels
                .iter()
                .map(|(k, v)| format!("{}=\"{}\"", label_name(k), escape(v)))
                .collect();
            let _ = writeln!(out, "aws_ses_{name}{{{}}} {count}", labels.join(","));
        }
        out
    }
}

/// Prometheus label names allow letters, digits and `_`, not starting
/// with a digit; dimension names may also hold `-`.
pub(super) fn label_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_names_are_sanitised() {
        assert_eq!(label_name("X-Campaign"), "X_Campaign");
        assert_eq!(label_name("9lives"), "_9lives");
        assert_eq!(label_name("ses:from-domain"), "ses_from_domain");
    }

    #[test]
    fn metric_names_are_cloudwatch_names() {
        assert_eq!(metric_name(EventType::RenderingFailure), "RenderingFailure");
        assert_eq!(metric_name(EventType::DeliveryDelay), "DeliveryDelay");
        assert_eq!(metric_name(EventType::Send), "Send");
    }
}
