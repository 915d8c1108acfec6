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
    /// For confirming SNS subscriptions ([`confirmation_client`]).
    pub http: reqwest::Client,
}

/// Why the ingest endpoints cannot start.
#[derive(Debug, thiserror::Error)]
pub enum IngestSetupError {
    #[error("cannot read [ingest.sns] ca_file {path}")]
    ReadCaFile {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("[ingest.sns] ca_file {path} holds no usable PEM certificate")]
    BadCaFile {
        path: std::path::PathBuf,
        source: reqwest::Error,
    },
}

impl IngestState {
    /// Builds the ingest state from its settings.
    pub fn new(config: IngestConfig, ingestor: Ingestor) -> Result<Self, IngestSetupError> {
        let mut policy = mailsight_sns::CertUrlPolicy::aws();
        for host in &config.sns.cert_hosts {
            policy = policy.allow_host(host);
        }
        let roots = match &config.sns.ca_file {
            Some(path) => extra_roots(path)?,
            None => Vec::new(),
        };
        let http = confirmation_client(&roots);
        let sns_certs = mailsight_sns::CertificateStore::new(
            policy,
            config.sns.trusted_certs_dir.clone(),
            config.sns.fetch_certs,
        )
        // The same client fetches certificates: no redirects either, and
        // the same extra authorities.
        .with_http_client(http.clone());
        Ok(IngestState {
            config,
            ingestor,
            stats: IngestStats::default(),
            sns_certs,
            http,
        })
    }
}

fn extra_roots(path: &std::path::Path) -> Result<Vec<reqwest::Certificate>, IngestSetupError> {
    let pem = std::fs::read(path).map_err(|source| IngestSetupError::ReadCaFile {
        path: path.to_owned(),
        source,
    })?;
    reqwest::Certificate::from_pem_bundle(&pem).map_err(|source| IngestSetupError::BadCaFile {
        path: path.to_owned(),
        source,
    })
}

/// The client that GETs a `SubscribeURL` (and fetches signing
/// certificates). It follows no redirect: the host policy checked only the
/// URL SNS sent, and a redirect could take the request anywhere (an
/// internal address included); a 3xx answer is a failed confirmation.
/// `roots` are trusted beside the system's authorities.
pub fn confirmation_client(roots: &[reqwest::Certificate]) -> reqwest::Client {
    let mut builder = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none());
    if !roots.is_empty() {
        builder = builder.tls_certs_merge(roots.iter().cloned());
    }
    builder
        .build()
        // As `reqwest::Client::new` does: only a TLS backend that cannot
        // start fails here, at startup, whatever any request holds.
        .expect("the HTTP client's TLS backend starts")
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    /// A listener answering every request with `head` (and no body);
    /// returns its address and a count of the requests it saw.
    async fn answering(
        head: String,
    ) -> (
        std::net::SocketAddr,
        std::sync::Arc<std::sync::atomic::AtomicUsize>,
    ) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = seen.clone();
        tokio::spawn(async move {
            while let Ok((mut conn, _)) = listener.accept().await {
                count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let mut buf = [0u8; 4096];
                let _ = conn.read(&mut buf).await;
                let _ = conn.write_all(head.as_bytes()).await;
            }
        });
        (addr, seen)
    }

    #[tokio::test]
    async fn a_confirmation_follows_no_redirect() {
        let ok = "HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
        let (target, hits) = answering(ok.to_owned()).await;
        let redirect = format!(
            "HTTP/1.1 302 Found\r\nlocation: http://{target}/\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
        );
        let (first, _) = answering(redirect).await;
        let status = super::confirmation_client(&[])
            .get(format!("http://{first}/?Action=ConfirmSubscription"))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 302, "the redirect is the answer");
        assert!(!status.is_success(), "so the confirmation failed");
        assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 0);
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
    /// The request bytes all connections may hold at once.
    pub budget: Arc<crate::budget::ByteBudget>,
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
