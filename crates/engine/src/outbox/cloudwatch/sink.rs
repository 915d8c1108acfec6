//! The outbox sink of a `CloudWatchDestination`: one count per delivery,
//! in the series its dimensions pick for the record.

use std::sync::Arc;

use async_trait::async_trait;
use mailsight_model::EventRecord;
use mailsight_store::Delivery;

use super::config::{Dimension, DimensionSource};
use super::metrics::{Metrics, metric_name};
use crate::outbox::policy::SinkError;
use crate::outbox::sink::Sink;

/// The value of one dimension for one record, if the record has one.
fn dimension_value(record: &EventRecord, source: DimensionSource, name: &str) -> Option<String> {
    match source {
        DimensionSource::MessageTag => record.mail.tags.as_ref()?.first(name).map(str::to_owned),
        DimensionSource::EmailHeader => record
            .mail
            .headers
            .as_ref()?
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.clone()),
        DimensionSource::LinkTag => record
            .click
            .as_ref()?
            .link_tags
            .as_ref()?
            .first(name)
            .map(str::to_owned),
    }
}

/// Counts a delivery to one CloudWatch destination.
pub struct CloudWatchSink {
    pub metrics: Arc<Metrics>,
    /// `<set>/<name>` of the destination.
    pub destination: String,
    /// The destination's `DimensionConfigurations`.
    pub dimensions: Vec<Dimension>,
}

#[async_trait]
impl Sink for CloudWatchSink {
    async fn deliver(&self, d: &Delivery) -> Result<(), SinkError> {
        let record = EventRecord::parse(d.body.as_bytes())
            .map_err(|e| SinkError::permanent(format!("the stored record does not parse: {e}")))?;
        let mut labels = Vec::with_capacity(self.dimensions.len() + 1);
        for dim in &self.dimensions {
            let name = &dim.dimension_name;
            let value = dimension_value(&record, dim.dimension_value_source, name)
                .unwrap_or_else(|| dim.default_dimension_value.clone());
            labels.push((name.clone(), value));
        }
        labels.push(("ses_destination".to_owned(), self.destination.clone()));
        self.metrics.add((metric_name(d.event_type), labels));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outbox::cloudwatch::CloudWatchDestination;
    use mailsight_model::EventType;
    use mailsight_store::DeliveryStatus;
    use serde_json::{Value, json};

    fn delivery(kind: EventType, body: Value) -> Delivery {
        Delivery {
            id: 1,
            target: mailsight_store::Target::destination("cs", "cw"),
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
            dimensions: CloudWatchDestination::parse(&json!({"DimensionConfigurations": [
                {"DimensionName": "team", "DimensionValueSource": "MESSAGE_TAG", "DefaultDimensionValue": "none"},
                {"DimensionName": "X-Campaign", "DimensionValueSource": "EMAIL_HEADER", "DefaultDimensionValue": "none"},
                {"DimensionName": "product", "DimensionValueSource": "LINK_TAG", "DefaultDimensionValue": "no-link"},
            ]}))
            .unwrap()
            .dimension_configurations,
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
        let labels = |product: &str| -> Vec<(String, String)> {
            [
                ("team", "growth"),
                ("X-Campaign", "spring \"sale\""),
                ("product", product),
                ("ses_destination", "cs/cw"),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
        };
        assert_eq!(
            metrics.snapshot(),
            [
                (("Click", labels("book")), 1),
                (("Send", labels("no-link")), 2)
            ]
        );
    }
}
