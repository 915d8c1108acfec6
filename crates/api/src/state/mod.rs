//! What every request handler shares: the engine, the authenticator, the
//! settings, and the state of the ingest endpoints and hosted SNS topics.
//!
//! - [`stats`]: counters of what each ingest endpoint took and refused.
//! - [`monitor`], [`requests`]: the other counters `/metrics` reports.

pub mod monitor;
pub mod requests;
pub mod stats;

use std::sync::Arc;

use mailsight_engine::Engine;
use mailsight_store::Store;

use crate::auth::Authenticator;
use crate::config::{ApiConfig, IngestConfig};
use mailsight_engine::Ingestor;
pub use monitor::Monitor;
pub use stats::IngestStats;

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
    pub sns: Arc<SnsApi>,
    /// Counters of CloudWatch event destinations, served at `/metrics`.
    pub metrics: Arc<mailsight_engine::outbox::cloudwatch::Metrics>,
    /// Requests and delivery attempts counted for `/metrics`.
    pub monitor: Arc<Monitor>,
    /// Export jobs (`CreateExportJob`) and their download links.
    pub exports: Arc<mailsight_engine::exports::Exports>,
}

impl AppState {
    pub fn store(&self) -> &Arc<dyn Store> {
        self.engine.store()
    }
}

/// What the SNS API needs besides the store.
pub struct SnsApi {
    /// Signing key, public URL, HTTP client.
    pub host: Arc<mailsight_engine::outbox::sns::SnsHost>,
    /// The region named in new topic ARNs.
    pub region: String,
}
