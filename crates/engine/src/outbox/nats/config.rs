//! The `nats` table of a forwarder.

use serde::Deserialize;

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
