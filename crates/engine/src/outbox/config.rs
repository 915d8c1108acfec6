//! Where deliveries go: the `[delivery]` and `[[forwarders]]` settings,
//! and (re-exported from their kinds' folders) `[[eventbridge.buses]]`
//! and `[[firehose.streams]]`.

use mailsight_model::EventType;
use serde::Deserialize;

pub use super::eventbridge::config::{BusBinding, EventBridgeConfig};
pub use super::firehose::config::{FirehoseConfig, StreamBinding, StreamTarget};
pub use super::nats::config::NatsTarget;
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
