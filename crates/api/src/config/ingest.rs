//! The `[ingest]` settings.

use std::path::PathBuf;

use serde::Deserialize;

/// Settings of the ingest endpoints.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IngestConfig {
    /// The account of records without a 12-digit `mail.sendingAccountId`.
    pub default_account: String,
    /// The largest request accepted on an ingest endpoint, in bytes
    /// (Firehose sends up to 64 MiB).
    pub max_body_bytes: usize,
    pub firehose: FirehoseConfig,
    pub eventbridge: EventBridgeConfig,
    pub sns: SnsConfig,
}

impl Default for IngestConfig {
    fn default() -> Self {
        IngestConfig {
            default_account: crate::auth::DEFAULT_ACCOUNT.into(),
            max_body_bytes: 64 * 1024 * 1024,
            firehose: FirehoseConfig::default(),
            eventbridge: EventBridgeConfig::default(),
            sns: SnsConfig::default(),
        }
    }
}

/// `POST /ingest/firehose`: off until an access key is configured.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FirehoseConfig {
    /// Accepted values of `X-Amz-Firehose-Access-Key`.
    pub access_keys: Vec<String>,
}

/// `POST /ingest/eventbridge`: off until a header value is configured.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EventBridgeConfig {
    /// The header the API destination's connection sends.
    pub header: String,
    /// Its accepted values.
    pub values: Vec<String>,
}

impl Default for EventBridgeConfig {
    fn default() -> Self {
        EventBridgeConfig {
            header: "x-api-key".into(),
            values: Vec::new(),
        }
    }
}

/// `POST /ingest/sns`: off until a topic is configured.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SnsConfig {
    /// Topic ARNs whose notifications are accepted; all others are refused.
    pub topics: Vec<String>,
    /// Topics allowed to use raw message delivery (no envelope, so no
    /// signature): anyone who can reach the endpoint can post to them.
    pub raw_topics: Vec<String>,
    /// Confirm subscriptions (GET of `SubscribeURL`) once their signature
    /// verifies. When off, the URL is logged for a person to visit.
    pub auto_confirm: bool,
    /// A directory of trusted signing certificates, named as the last path
    /// segment of their `SigningCertURL`; used before any fetch.
    pub trusted_certs_dir: Option<PathBuf>,
    /// Fetch certificates from `SigningCertURL` (HTTPS, SNS hosts only).
    pub fetch_certs: bool,
    /// Further certificate hosts to trust, beyond SNS's regional hosts.
    pub cert_hosts: Vec<String>,
    /// More certificate authorities (a PEM file) to trust when fetching
    /// certificates and confirming subscriptions over https, e.g. another
    /// mailsight's local authority (`<its data_dir>/tls/ca.pem`).
    pub ca_file: Option<PathBuf>,
}

impl Default for SnsConfig {
    fn default() -> Self {
        SnsConfig {
            topics: Vec::new(),
            raw_topics: Vec::new(),
            auto_confirm: true,
            trusted_certs_dir: None,
            fetch_certs: true,
            cert_hosts: Vec::new(),
            ca_file: None,
        }
    }
}
