//! Where deliveries go: the `[delivery]`, `[[eventbridge.buses]]` and
//! `[[forwarders]]` settings.

use mailsight_model::EventType;
use serde::Deserialize;

pub use super::firehose::config::{FirehoseConfig, StreamBinding, StreamTarget};
pub use super::policy::RetryPolicy;

/// The delivery side of the config file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutboxConfig {
    pub delivery: RetryPolicy,
    pub eventbridge: EventBridgeConfig,
    pub forwarders: Vec<ForwarderConfig>,
    /// Delivery streams `KinesisFirehoseDestination`s may name.
    pub firehose: FirehoseConfig,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EventBridgeConfig {
    /// Event buses an `EventBridgeDestination` may name, each bound to the
    /// HTTP targets that receive its events.
    pub buses: Vec<BusBinding>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusBinding {
    /// The `EventBusArn` of the destination.
    pub arn: String,
    /// URLs that receive each event as a POST of the EventBridge envelope.
    pub targets: Vec<String>,
}

/// The shape a forwarder posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// The SES event record, unchanged.
    #[default]
    Ses,
    /// The EventBridge event envelope with the record as `detail`.
    EventBridge,
    /// SendPost's numbering (27–36).
    SendPost,
}

/// A forwarder: mailsight's own delivery of events to an HTTP URL,
/// independent of configuration sets (useful for ingested events).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForwarderConfig {
    pub name: String,
    /// An HTTP(S) URL to POST each event to; or set `nats` instead.
    #[serde(default)]
    pub url: Option<String>,
    /// A NATS JetStream subject to publish each event to.
    #[serde(default)]
    pub nats: Option<NatsTarget>,
    #[serde(default)]
    pub format: Format,
    /// Event types to forward (API spelling); empty: all.
    #[serde(default)]
    pub event_types: Vec<EventType>,
    /// Configuration sets whose events to forward; empty: all.
    #[serde(default)]
    pub configuration_sets: Vec<String>,
    /// When set, each POST carries `X-Mailsight-Signature: t=<unix>,v1=<hex>`,
    /// the HMAC-SHA256 of `<t>.<body>` with this secret.
    #[serde(default)]
    pub secret: Option<String>,
}

/// A JetStream subject a forwarder publishes to.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NatsTarget {
    /// The NATS server.
    #[serde(default = "default_nats_url")]
    pub url: String,
    pub subject: String,
    /// A stream to create for the subject if none exists yet (events are
    /// only stored, and acknowledged, when a stream covers the subject).
    #[serde(default)]
    pub stream: Option<String>,
}

fn default_nats_url() -> String {
    "nats://127.0.0.1:4222".into()
}
