//! The settings of the HTTP side, as the binary's config file gives them:
//! plain data, so every module can read them without depending on another.
//!
//! - [`ingest`]: `[ingest]`; [`sns`]: `[sns]`; [`metrics`]: `[metrics]`.

pub mod ingest;
pub mod metrics;
pub mod sns;

use serde::Deserialize;

pub use ingest::IngestConfig;
pub use metrics::MetricsConfig;
pub use sns::{SnsHostingConfig, SnsTopicConfig};

/// How `GetMessageInsights` chooses what to show.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InsightsConfig {
    /// SES leaves out deliveries, bounces and complaints of mailbox
    /// simulator recipients, and everything but the send of messages with
    /// more than one recipient. mailsight shows them unless this is on.
    pub ses_exact: bool,
}

/// Settings of the HTTP layer.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// The largest request body accepted, in bytes (SES takes 40 MB messages).
    pub max_body_bytes: usize,
    /// The most bytes of request bodies held at once across all
    /// connections (see [`crate::budget`]).
    pub max_buffered_bytes: usize,
    pub insights: InsightsConfig,
    /// Take a tracking request's client address from `X-Forwarded-For`
    /// (behind a reverse proxy serving a custom redirect domain).
    pub trust_forwarded_for: bool,
    /// Who may scrape `/metrics` besides signed callers.
    pub metrics: MetricsConfig,
    /// Requests answered at once; beyond, 503 with `Retry-After` in the
    /// protocol's throttling shape (see [`crate::in_flight`]).
    pub max_requests_in_flight: usize,
    /// Connections at once and the time to send a request's head (see
    /// [`crate::connections`]).
    pub connections: crate::connections::ConnectionLimits,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            max_body_bytes: 40 * 1024 * 1024,
            max_buffered_bytes: crate::budget::DEFAULT_TOTAL,
            insights: InsightsConfig::default(),
            trust_forwarded_for: false,
            metrics: MetricsConfig::default(),
            max_requests_in_flight: 1024,
            connections: crate::connections::ConnectionLimits::default(),
        }
    }
}
