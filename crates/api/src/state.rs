//! What every request handler shares.

use std::sync::Arc;

use mailsight_engine::Engine;
use mailsight_store::Store;
use serde::Deserialize;

use crate::auth::Authenticator;
use crate::ingest::{IngestConfig, IngestStats};
use mailsight_engine::Ingestor;

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
    pub insights: InsightsConfig,
    /// Take a tracking request's client address from `X-Forwarded-For`
    /// (behind a reverse proxy serving a custom redirect domain).
    pub trust_forwarded_for: bool,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            max_body_bytes: 40 * 1024 * 1024,
            insights: InsightsConfig::default(),
            trust_forwarded_for: false,
        }
    }
}

/// What the ingest endpoints share.
pub struct IngestState {
    pub config: IngestConfig,
    pub ingestor: Ingestor,
    pub stats: IngestStats,
    /// Verifies SNS signatures; certificates are fetched once and cached.
    pub sns_certs: mailsight_sns::CertificateStore,
    /// For confirming SNS subscriptions.
    pub http: reqwest::Client,
}

impl IngestState {
    /// Builds the ingest state from its settings.
    pub fn new(config: IngestConfig, ingestor: Ingestor) -> Self {
        let mut policy = mailsight_sns::CertUrlPolicy::aws();
        for host in &config.sns.cert_hosts {
            policy = policy.allow_host(host);
        }
        let sns_certs = mailsight_sns::CertificateStore::new(
            policy,
            config.sns.trusted_certs_dir.clone(),
            config.sns.fetch_certs,
        );
        IngestState {
            config,
            ingestor,
            stats: IngestStats::default(),
            sns_certs,
            http: reqwest::Client::new(),
        }
    }
}

/// Shared state of the API.
#[derive(Clone)]
pub struct AppState {
    pub engine: Arc<Engine>,
    pub auth: Arc<Authenticator>,
    pub config: Arc<ApiConfig>,
    pub ingest: Arc<IngestState>,
    /// The SNS topics mailsight hosts (see [`crate::sns`]).
    pub sns: Arc<crate::sns::SnsApi>,
    /// Counters of CloudWatch event destinations, served at `/metrics`.
    pub metrics: Arc<mailsight_engine::outbox::cloudwatch::Metrics>,
}

impl AppState {
    pub fn store(&self) -> &Arc<dyn Store> {
        self.engine.store()
    }
}
