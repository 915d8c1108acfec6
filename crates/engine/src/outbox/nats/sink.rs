//! The outbox sink of a NATS forwarder, and the connections it shares.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream;
use async_trait::async_trait;
use mailsight_store::Delivery;
use tokio::sync::Mutex;

use super::config::NatsTarget;
use crate::outbox::config::Format;
use crate::outbox::formats::forward_body;
use crate::outbox::policy::SinkError;
use crate::outbox::sink::{Sink, event_id};

/// Connections to NATS servers, opened on first use and shared.
#[derive(Default)]
pub struct NatsPool {
    contexts: Mutex<HashMap<String, jetstream::Context>>,
    streams: Mutex<HashSet<(String, String)>>,
}

impl NatsPool {
    pub fn new() -> Arc<Self> {
        Arc::new(NatsPool::default())
    }

    async fn context(&self, url: &str) -> Result<jetstream::Context, SinkError> {
        let mut contexts = self.contexts.lock().await;
        if let Some(c) = contexts.get(url) {
            return Ok(c.clone());
        }
        let client = tokio::time::timeout(Duration::from_secs(5), async_nats::connect(url))
            .await
            .map_err(|_| SinkError::retry(format!("connecting to NATS at {url} timed out")))?
            .map_err(|e| SinkError::retry(format!("cannot connect to NATS at {url}: {e}")))?;
        let context = jetstream::new(client);
        contexts.insert(url.to_owned(), context.clone());
        Ok(context)
    }

    async fn ensure_stream(
        &self,
        ctx: &jetstream::Context,
        target: &NatsTarget,
    ) -> Result<(), SinkError> {
        let Some(name) = &target.stream else {
            return Ok(());
        };
        let key = (target.url.clone(), name.clone());
        let mut ensured = self.streams.lock().await;
        if ensured.contains(&key) {
            return Ok(());
        }
        ctx.get_or_create_stream(jetstream::stream::Config {
            name: name.clone(),
            subjects: vec![target.subject.clone()],
            ..Default::default()
        })
        .await
        .map_err(|e| SinkError::retry(format!("cannot create JetStream stream {name}: {e}")))?;
        ensured.insert(key);
        Ok(())
    }
}

/// Publishes one forwarder's events to its subject.
pub struct NatsSink {
    pub pool: Arc<NatsPool>,
    pub target: NatsTarget,
    pub format: Format,
    pub region: String,
}

#[async_trait]
impl Sink for NatsSink {
    async fn deliver(&self, d: &Delivery) -> Result<(), SinkError> {
        let id = event_id(d);
        let Some(body) = forward_body(self.format, d, &id, &self.region) else {
            return Ok(());
        };
        let ctx = self.pool.context(&self.target.url).await?;
        self.pool.ensure_stream(&ctx, &self.target).await?;
        let mut headers = async_nats::HeaderMap::new();
        headers.insert("Nats-Msg-Id", id.as_str());
        headers.insert("Mailsight-Event-Type", d.event_type.api_name());
        let ack = ctx
            .publish_with_headers(self.target.subject.clone(), headers, body.into())
            .await
            .map_err(|e| SinkError::retry(format!("publish to {}: {e}", self.target.subject)))?;
        ack.await.map_err(|e| {
            SinkError::retry(format!(
                "JetStream did not store the event on {}: {e}",
                self.target.subject
            ))
        })?;
        Ok(())
    }
}
