//! The outbox sink of an `SnsDestination`.

use std::sync::Arc;

use async_trait::async_trait;
use mailsight_store::{Delivery, SnsTopic, Store};

use super::host::{SES_SUBJECT, SnsHost};
use crate::outbox::policy::SinkError;
use crate::outbox::sink::{Sink, event_id};

/// An `SnsDestination` on a topic mailsight hosts.
pub struct SnsSink {
    host: Arc<SnsHost>,
    store: Arc<dyn Store>,
    topic: SnsTopic,
}

impl SnsSink {
    /// The sink of a destination naming `topic_arn`. A topic that does not
    /// exist (in the delivery's account) is a permanent failure; so is an
    /// SNS destination on a server that hosts no SNS.
    pub async fn resolve(
        host: Option<Arc<SnsHost>>,
        store: Arc<dyn Store>,
        account: &str,
        topic_arn: &str,
    ) -> Result<SnsSink, SinkError> {
        let host = host.ok_or_else(|| SinkError::permanent("SNS hosting is not enabled"))?;
        let topic = store
            .get_sns_topic(account, topic_arn)
            .await
            .map_err(|e| SinkError::retry(e.to_string()))?
            .ok_or_else(|| SinkError::permanent(format!("SNS topic {topic_arn} does not exist")))?;
        Ok(SnsSink { host, store, topic })
    }
}

#[async_trait]
impl Sink for SnsSink {
    async fn deliver(&self, d: &Delivery) -> Result<(), SinkError> {
        // Stable per delivery, so a retried notification keeps its MessageId.
        let message_id = event_id(d);
        self.host
            .fan_out(
                self.store.as_ref(),
                &self.topic,
                &message_id,
                Some(SES_SUBJECT),
                &d.body,
            )
            .await
    }
}
