//! Which sink delivers a target's deliveries: one match over the
//! [`Target`] and, for event destinations, the [`DestinationKind`] parsed
//! from the stored definition; an identity's notifications go to the SNS
//! sink, with the topic and headers switch the identity has now. A kind's sink decides what its own
//! configuration needs (a bound bus, a bound stream, an existing topic).

use std::sync::Arc;

use mailsight_model::NotificationType;
use mailsight_store::Target;

use super::cloudwatch::CloudWatchSink;
use super::deliverer::Deliverer;
use super::destination::DestinationKind;
use super::eventbridge::EventBridgeSink;
use super::nats::NatsSink;
use super::pinpoint::StoredOnly;
use super::policy::SinkError;
use super::sink::Sink;
use super::sns::{Publish, SnsSink};
use super::webhook::WebhookSink;

impl Deliverer {
    /// The sink for `account`'s deliveries to `target`, as configured now.
    /// A target that no longer exists, or whose configuration cannot be
    /// delivered to, is a permanent failure; a store that cannot be read
    /// is a transient one.
    pub(super) async fn sink_for(
        &self,
        account: &str,
        target: &Target,
    ) -> Result<Arc<dyn Sink>, SinkError> {
        let (set, name) = match target {
            Target::Forwarder { name } => return self.forwarder_sink(name),
            Target::Identity {
                identity,
                notification,
            } => {
                return self
                    .notification_sink(account, identity, *notification)
                    .await;
            }
            Target::Destination { set, name } => (set, name),
        };
        Ok(match self.destination_kind(account, set, name).await? {
            DestinationKind::Sns(d) => Arc::new(
                SnsSink::resolve(
                    self.sns.clone(),
                    self.store.clone(),
                    account,
                    &d.topic_arn,
                    Publish::Record,
                )
                .await?,
            ),
            DestinationKind::Firehose(d) => {
                Arc::new(self.firehose.sink(&d.delivery_stream_arn, &self.client)?)
            }
            DestinationKind::EventBridge(d) => Arc::new(EventBridgeSink::resolve(
                &self.config.eventbridge,
                &d,
                &self.client,
                &self.region,
            )?),
            DestinationKind::CloudWatch(d) => Arc::new(CloudWatchSink {
                metrics: self.metrics.clone(),
                destination: format!("{set}/{name}"),
                dimensions: d.dimension_configurations,
            }),
            DestinationKind::Pinpoint(_) => Arc::new(StoredOnly),
        })
    }

    /// The SNS sink of `identity`'s `notification` topic. An identity
    /// deleted, or whose topic was cleared, since the record was routed is
    /// a permanent failure, as a deleted event destination is.
    async fn notification_sink(
        &self,
        account: &str,
        identity: &str,
        notification: NotificationType,
    ) -> Result<Arc<dyn Sink>, SinkError> {
        let found = self
            .store
            .get_identity(account, identity)
            .await
            .map_err(|e| SinkError::retry(e.to_string()))?
            .ok_or_else(|| SinkError::permanent(format!("identity {identity} no longer exists")))?;
        let topic = found.attributes.topic(notification).ok_or_else(|| {
            SinkError::permanent(format!(
                "identity {identity} no longer has a {notification} notification topic"
            ))
        })?;
        let publish = Publish::Notification {
            headers: found.attributes.headers(notification),
        };
        Ok(Arc::new(
            SnsSink::resolve(
                self.sns.clone(),
                self.store.clone(),
                account,
                topic,
                publish,
            )
            .await?,
        ))
    }

    /// The kind of event destination `set/name`, read from the store.
    async fn destination_kind(
        &self,
        account: &str,
        set: &str,
        name: &str,
    ) -> Result<DestinationKind, SinkError> {
        let destinations = self
            .store
            .list_event_destinations(account, set)
            .await
            .map_err(|e| SinkError::retry(e.to_string()))?;
        let destination = destinations
            .into_iter()
            .find(|x| x.name == name)
            .ok_or_else(|| {
                SinkError::permanent(format!("event destination {set}/{name} no longer exists"))
            })?;
        // Definitions were checked by the same parser when stored, so this
        // fails only for one stored by a version with other rules.
        DestinationKind::from_definition(&destination.definition).map_err(|e| {
            SinkError::permanent(format!(
                "event destination {set}/{name} cannot be delivered to: {e}"
            ))
        })
    }

    /// A forwarder's sink: JetStream when it names a `nats` subject, else
    /// its webhook.
    fn forwarder_sink(&self, name: &str) -> Result<Arc<dyn Sink>, SinkError> {
        let config = self
            .config
            .forwarders
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| {
                SinkError::permanent(format!("forwarder {name} is no longer configured"))
            })?;
        Ok(match &config.nats {
            Some(target) => Arc::new(NatsSink {
                pool: self.nats.clone(),
                target: target.clone(),
                format: config.format,
                region: self.region.clone(),
            }),
            None => Arc::new(WebhookSink {
                client: self.client.clone(),
                config: config.clone(),
                region: self.region.clone(),
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use mailsight_model::EventType;
    use mailsight_store::{DeliveryStatus, Target};
    use serde_json::json;

    use crate::outbox::compliance::{ACCOUNT, Env, Mode, Receiver, SET};
    use crate::outbox::config::BusBinding;
    use crate::outbox::destination::event_destination;

    fn bus(n: &str) -> String {
        format!("arn:aws:events:us-east-1:000000000000:event-bus/{n}")
    }

    fn on_bus(n: &str) -> mailsight_store::EventDestination {
        event_destination(
            "d".into(),
            &json!({"Enabled": true, "MatchingEventTypes": ["SEND"],
                    "EventBridgeDestination": {"EventBusArn": bus(n)}}),
        )
        .unwrap()
    }

    /// Sinks are resolved once per batch, not once for the deliverer's
    /// life: a destination changed or deleted while mailsight runs counts
    /// from the next batch on.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_changed_or_deleted_destination_counts_from_the_next_batch() {
        let mut env = Env::new().await;
        let (a, b) = (Receiver::start(false).await, Receiver::start(false).await);
        for (n, r) in [("a", &a), ("b", &b)] {
            env.config.eventbridge.buses.push(BusBinding {
                arn: bus(n),
                targets: vec![r.url.clone()],
            });
        }
        env.store
            .create_event_destination(ACCOUNT, SET, on_bus("a"))
            .await
            .unwrap();
        let target = Target::destination(SET, "d");
        env.start();

        env.send(SET, &[EventType::Send]).await;
        env.until(&target, "delivered to a", |ds| {
            ds.iter().all(|d| d.status == DeliveryStatus::Delivered)
        })
        .await;
        assert_eq!((a.accepted().len(), b.accepted().len()), (1, 0));

        // Changed: the next delivery goes to the new bus.
        env.store
            .update_event_destination(ACCOUNT, SET, on_bus("b"))
            .await
            .unwrap();
        env.send(SET, &[EventType::Send]).await;
        env.until(&target, "delivered to b", |ds| {
            ds.len() == 2 && ds.iter().all(|d| d.status == DeliveryStatus::Delivered)
        })
        .await;
        assert_eq!((a.accepted().len(), b.accepted().len()), (1, 1));

        // Deleted while a delivery is being retried: its next attempt,
        // in a new batch, finds the destination gone.
        b.set(Mode::Fail);
        env.send(SET, &[EventType::Send]).await;
        env.until(&target, "retried", |ds| {
            ds.len() == 3 && ds[0].attempts >= 1
        })
        .await;
        env.store
            .delete_event_destination(ACCOUNT, SET, "d")
            .await
            .unwrap();
        let ds = env
            .until(&target, "dead", |ds| ds[0].status == DeliveryStatus::Dead)
            .await;
        assert_eq!(
            ds[0].last_error.as_deref(),
            Some("event destination cs/d no longer exists")
        );
    }
}
