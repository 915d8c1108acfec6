//! The outbox sink of a webhook forwarder.

use async_trait::async_trait;
use mailsight_store::Delivery;

use crate::outbox::config::ForwarderConfig;
use crate::outbox::formats::forward_body;
use crate::outbox::policy::SinkError;
use crate::outbox::sink::{Sink, event_id, post};

/// A forwarder from the config file that POSTs to its `url`.
pub struct WebhookSink {
    pub client: reqwest::Client,
    pub config: ForwarderConfig,
    pub region: String,
}

#[async_trait]
impl Sink for WebhookSink {
    async fn deliver(&self, d: &Delivery) -> Result<(), SinkError> {
        let id = event_id(d);
        let Some(body) = forward_body(self.config.format, d, &id, &self.region) else {
            return Ok(());
        };
        let url = self
            .config
            .url
            .as_deref()
            .ok_or_else(|| SinkError::permanent("the forwarder has no url"))?;
        post(&self.client, url, body, self.config.secret.as_deref(), &id).await
    }
}
