//! The outbox sink of an SNS topic mailsight hosts: an `SnsDestination` of
//! a configuration set, or the notification topic an identity set.

use std::sync::Arc;

use async_trait::async_trait;
use mailsight_model::notification;
use mailsight_store::{Delivery, SnsTopic, Store};

use super::host::{SES_SUBJECT, SnsHost};
use crate::outbox::policy::SinkError;
use crate::outbox::sink::{Sink, event_id};

/// What a topic is sent, and under which `Subject`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Publish {
    /// Event publishing: the record as stored, with SES's subject.
    Record,
    /// An identity notification: the older `notificationType` format,
    /// with the original headers if the identity asked for them, and no
    /// subject (wire facts §2.4).
    Notification { headers: bool },
}

/// One topic mailsight hosts, and what it is sent.
pub struct SnsSink {
    host: Arc<SnsHost>,
    store: Arc<dyn Store>,
    topic: SnsTopic,
    publish: Publish,
}

impl SnsSink {
    /// The sink publishing to `topic_arn`. A topic that does not exist
    /// (in the delivery's account) is a permanent failure; so is an SNS
    /// topic on a server that hosts no SNS.
    pub async fn resolve(
        host: Option<Arc<SnsHost>>,
        store: Arc<dyn Store>,
        account: &str,
        topic_arn: &str,
        publish: Publish,
    ) -> Result<SnsSink, SinkError> {
        let host = host.ok_or_else(|| SinkError::permanent("SNS hosting is not enabled"))?;
        let topic = store
            .get_sns_topic(account, topic_arn)
            .await
            .map_err(|e| SinkError::retry(e.to_string()))?
            .ok_or_else(|| SinkError::permanent(format!("SNS topic {topic_arn} does not exist")))?;
        Ok(SnsSink {
            host,
            store,
            topic,
            publish,
        })
    }
}

#[async_trait]
impl Sink for SnsSink {
    async fn deliver(&self, d: &Delivery) -> Result<(), SinkError> {
        // Stable per delivery, so a retried notification keeps its MessageId.
        let message_id = event_id(d);
        let (subject, message) = match self.publish {
            Publish::Record => (Some(SES_SUBJECT), d.body.clone()),
            Publish::Notification { headers } => (
                None,
                notification::from_record(&d.body, headers)
                    .map_err(|e| SinkError::permanent(e.to_string()))?
                    .to_string(),
            ),
        };
        self.host
            .fan_out(
                self.store.as_ref(),
                &self.topic,
                &message_id,
                subject,
                &message,
            )
            .await
    }
}
