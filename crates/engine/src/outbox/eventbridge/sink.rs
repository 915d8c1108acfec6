//! The outbox sink of an `EventBridgeDestination`.

use async_trait::async_trait;
use mailsight_store::Delivery;

use super::config::{EventBridgeConfig, EventBridgeDestination};
use crate::outbox::formats::eventbridge_envelope;
use crate::outbox::policy::SinkError;
use crate::outbox::sink::{Sink, event_id, post};

/// The envelope, posted to every target bound to the bus.
pub struct EventBridgeSink {
    pub client: reqwest::Client,
    pub targets: Vec<String>,
    pub region: String,
}

impl EventBridgeSink {
    /// The sink of `destination`'s bus; a bus with no binding is a
    /// permanent failure naming the missing config entry.
    pub fn resolve(
        config: &EventBridgeConfig,
        destination: &EventBridgeDestination,
        client: &reqwest::Client,
        region: &str,
    ) -> Result<EventBridgeSink, SinkError> {
        let arn = &destination.event_bus_arn;
        let bus = config.buses.iter().find(|b| b.arn == *arn).ok_or_else(|| {
            SinkError::permanent(format!(
                "no [[eventbridge.buses]] entry binds {arn} to HTTP targets"
            ))
        })?;
        Ok(EventBridgeSink {
            client: client.clone(),
            targets: bus.targets.clone(),
            region: region.to_owned(),
        })
    }
}

#[async_trait]
impl Sink for EventBridgeSink {
    async fn deliver(&self, d: &Delivery) -> Result<(), SinkError> {
        let id = event_id(d);
        let body = eventbridge_envelope(d.event_type, &d.body, &id, &d.account_id, &self.region)
            .to_string();
        for url in &self.targets {
            post(&self.client, url, body.clone().into_bytes(), None, &id).await?;
        }
        Ok(())
    }
}
