//! `CloudWatchDestination`: event counts exported at `/metrics` in the
//! Prometheus text format, one metric per event type under CloudWatch's
//! name (`aws_ses_Send`, `aws_ses_RenderingFailure`, …), labelled by the
//! destination's `DimensionConfigurations`.
//!
//! Each dimension's value comes from the message tag (`MESSAGE_TAG`, SES's
//! auto-tags included), the email header (`EMAIL_HEADER`) or the link tag
//! of a click (`LINK_TAG`), else the dimension's default, as CloudWatch
//! does. An `ses_destination` label (`<set>/<name>`) keeps two destinations
//! with the same dimensions apart. Counters live in memory, like any
//! Prometheus exporter's: a restart starts them from zero, which `rate()`
//! and `increase()` handle.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use mailsight_model::{EventRecord, EventType};
use mailsight_store::Delivery;
use serde_json::Value;

use super::policy::SinkError;
use super::sink::Sink;

/// CloudWatch's metric name for each event type: the record's own name,
/// without the space of `Rendering Failure`.
pub fn metric_name(kind: EventType) -> &'static str {
    match kind {
        EventType::RenderingFailure => "RenderingFailure",
        other => other.record_name(),
    }
}

/// One series: the metric and its labels, in order.
type Series = (&'static str, Vec<(String, String)>);

/// The counters of every CloudWatch destination.
#[derive(Default)]
pub struct Metrics {
    counts: Mutex<BTreeMap<Series, u64>>,
}

impl Metrics {
    pub fn new() -> Arc<Self> {
        Arc::new(Metrics::default())
    }

    fn add(&self, series: Series) {
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
fn label_name(name: &str) -> String {
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

/// The value of one dimension for one record.
fn dimension_value(record: &EventRecord, source: &str, name: &str) -> Option<String> {
    match source {
        "MESSAGE_TAG" => record.mail.tags.as_ref()?.first(name).map(str::to_owned),
        "EMAIL_HEADER" => record
            .mail
            .headers
            .as_ref()?
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.clone()),
        "LINK_TAG" => record
            .click
            .as_ref()?
            .link_tags
            .as_ref()?
            .first(name)
            .map(str::to_owned),
        _ => None,
    }
}

/// Counts a delivery to one CloudWatch destination.
pub struct CloudWatchSink {
    pub metrics: Arc<Metrics>,
    /// `<set>/<name>` of the destination.
    pub destination: String,
    /// The destination's `DimensionConfigurations`.
    pub dimensions: Vec<Value>,
}

#[async_trait]
impl Sink for CloudWatchSink {
    async fn deliver(&self, d: &Delivery) -> Result<(), SinkError> {
        let record = EventRecord::parse(d.body.as_bytes())
            .map_err(|e| SinkError::permanent(format!("the stored record does not parse: {e}")))?;
        let mut labels = Vec::with_capacity(self.dimensions.len() + 1);
        for dim in &self.dimensions {
            let text = |k: &str| dim.get(k).and_then(Value::as_str).unwrap_or_default();
            let name = text("DimensionName");
            let value = dimension_value(&record, text("DimensionValueSource"), name)
                .unwrap_or_else(|| text("DefaultDimensionValue").to_owned());
            labels.push((name.to_owned(), value));
        }
        labels.push(("ses_destination".to_owned(), self.destination.clone()));
        self.metrics.add((metric_name(d.event_type), labels));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailsight_store::DeliveryStatus;
    use serde_json::json;

    fn delivery(kind: EventType, body: Value) -> Delivery {
        Delivery {
            id: 1,
            target: "destination:cs/cw".into(),
            account_id: "a".into(),
            message_id: "m".into(),
            event_type: kind,
            body: body.to_string(),
            status: DeliveryStatus::Pending,
            attempts: 0,
            next_attempt: 0,
            created_at: 0,
            last_error: None,
        }
    }

    fn record(event: &str, extra: Value) -> Value {
        let mut r = json!({
            "eventType": event,
            "mail": {
                "timestamp": "2024-01-01T00:00:00.000Z", "messageId": "m", "source": "a@b.c",
                "destination": ["x@y.z"],
                "headers": [{"name": "X-Campaign", "value": "spring \"sale\""}],
                "tags": {"ses:configuration-set": ["cs"], "team": ["growth"]}
            },
        });
        r.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        r
    }

    #[tokio::test]
    async fn counts_by_dimension_with_defaults_and_escaping() {
        let metrics = Metrics::new();
        let sink = CloudWatchSink {
            metrics: metrics.clone(),
            destination: "cs/cw".into(),
            dimensions: vec![
                json!({"DimensionName": "team", "DimensionValueSource": "MESSAGE_TAG", "DefaultDimensionValue": "none"}),
                json!({"DimensionName": "X-Campaign", "DimensionValueSource": "EMAIL_HEADER", "DefaultDimensionValue": "none"}),
                json!({"DimensionName": "product", "DimensionValueSource": "LINK_TAG", "DefaultDimensionValue": "no-link"}),
            ],
        };
        let send = record("Send", json!({"send": {}}));
        let click = record(
            "Click",
            json!({"click": {"timestamp": "2024-01-01T00:00:01.000Z", "ipAddress": "1.2.3.4", "userAgent": "u",
                             "link": "https://x", "linkTags": {"product": ["book"]}}}),
        );
        sink.deliver(&delivery(EventType::Send, send.clone()))
            .await
            .unwrap();
        sink.deliver(&delivery(EventType::Send, send))
            .await
            .unwrap();
        sink.deliver(&delivery(EventType::Click, click))
            .await
            .unwrap();
        let text = metrics.render();
        assert!(text.contains("# TYPE aws_ses_Send counter"), "{text}");
        assert!(
            text.contains(r#"aws_ses_Send{team="growth",X_Campaign="spring \"sale\"",product="no-link",ses_destination="cs/cw"} 2"#),
            "{text}"
        );
        assert!(text.contains(r#"aws_ses_Click{team="growth",X_Campaign="spring \"sale\"",product="book",ses_destination="cs/cw"} 1"#), "{text}");
    }

    #[test]
    fn label_names_are_sanitised() {
        assert_eq!(label_name("X-Campaign"), "X_Campaign");
        assert_eq!(label_name("9lives"), "_9lives");
        assert_eq!(label_name("ses:from-domain"), "ses_from_domain");
    }
}
