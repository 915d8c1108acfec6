//! The config file (TOML) and how command-line flags override it.
//!
//! Every table is optional; `docs/CONFIG.md` documents each setting.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use mailsight_api::{AccessKey, IngestConfig, InsightsConfig, MetricsConfig, SnsHostingConfig};
use mailsight_engine::outbox::config::{
    EventBridgeConfig, FirehoseConfig, ForwarderConfig, OutboxConfig, RetryPolicy,
};
use mailsight_engine::{SendingConfig, SimulatorConfig};
use serde::Deserialize;

/// Where mailsight listens unless told otherwise (the port LocalStack users
/// already point `AWS_ENDPOINT_URL` at).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:4566";
/// Where mailsight keeps its data unless told otherwise.
pub const DEFAULT_DATA_DIR: &str = "mailsight-data";

/// The whole configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub listen: SocketAddr,
    /// Where the database and the keys live; [`EPHEMERAL_DATA_DIR`] for
    /// the ephemeral mode.
    pub data_dir: PathBuf,
    /// Keep nothing: a fresh database in memory (or a temporary directory
    /// where the system has no memory file system), never synced, removed
    /// at exit. For tests and CI.
    pub ephemeral: bool,
    pub auth: AuthConfig,
    pub sending: SendingConfig,
    pub simulator: SimulatorConfig,
    pub insights: InsightsConfig,
    pub ingest: IngestConfig,
    /// Retries of deliveries to event destinations and forwarders.
    pub delivery: RetryPolicy,
    /// Event buses `EventBridgeDestination`s may name, bound to HTTP targets.
    pub eventbridge: EventBridgeConfig,
    /// mailsight's own forwarders.
    pub forwarders: Vec<ForwarderConfig>,
    /// Delivery streams `KinesisFirehoseDestination`s may name, bound to a
    /// directory or an HTTP endpoint.
    pub firehose: FirehoseConfig,
    /// SNS topics mailsight hosts: the public URL subscribers reach it
    /// at, and topics declared here (`docs/SNS.md`).
    pub sns: SnsHostingConfig,
    /// Open, click and unsubscribe links (`docs/SENDING.md`).
    pub tracking: crate::tracking::TrackingConfig,
    /// The largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Requests answered at once; beyond, 503 and `Retry-After`.
    pub max_requests_in_flight: usize,
    /// The most request-body bytes held at once across all connections
    /// (`docs/RELIABILITY.md`).
    pub max_buffered_bytes: usize,
    /// Connections served at once; beyond, new ones wait in the backlog.
    pub max_connections: usize,
    /// How long a client may take to send a request's head (and, between
    /// requests on a kept-alive connection, to start the next), in ms.
    pub header_read_timeout_ms: u64,
    /// Who may scrape `/metrics` besides signed callers (`docs/CONFIG.md`).
    pub metrics: MetricsConfig,
    /// Where export jobs write their files (`docs/EXPORTS.md`).
    pub exports: ExportsSettings,
    /// Which database keeps the data (`docs/SCALING.md`).
    pub store: StoreSettings,
    /// mailsight's own HTTPS listener (`docs/CONFIG.md`).
    pub tls: crate::tls::TlsSettings,
    /// The file this was read from, if any (for the startup summary).
    #[serde(skip)]
    pub file: Option<PathBuf>,
}

/// The `data_dir` that asks for the ephemeral mode (as SQLite names an
/// in-memory database).
pub const EPHEMERAL_DATA_DIR: &str = ":memory:";

impl Config {
    /// Whether this server keeps nothing (`ephemeral`, or `data_dir =
    /// ":memory:"`).
    pub fn is_ephemeral(&self) -> bool {
        self.ephemeral || self.data_dir.as_os_str() == EPHEMERAL_DATA_DIR
    }

    /// The delivery settings, as the outbox takes them.
    pub fn exports(&self) -> mailsight_engine::exports::ExportsConfig {
        let mut c = mailsight_engine::exports::ExportsConfig::in_data_dir(&self.data_dir);
        if let Some(dir) = &self.exports.directory {
            c.directory = dir.clone();
        }
        c.buckets = self.exports.buckets.clone();
        c.rows_per_second = self.exports.rows_per_second;
        c.public_url = self.exports.public_url.clone();
        c
    }

    pub fn outbox(&self) -> OutboxConfig {
        OutboxConfig {
            delivery: self.delivery.clone(),
            eventbridge: self.eventbridge.clone(),
            forwarders: self.forwarders.clone(),
            firehose: self.firehose.clone(),
        }
    }
}

/// The `[exports]` table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExportsSettings {
    /// Where jobs that name no `S3Url` write (default: `exports` in the
    /// data directory).
    pub directory: Option<PathBuf>,
    /// Bucket name → directory, for jobs whose `S3Url` names the bucket.
    pub buckets: std::collections::BTreeMap<String, PathBuf>,
    /// Rows per second each job writes at most (0: no limit).
    pub rows_per_second: u32,
    /// The base URL of download links (default: the host the client
    /// reached).
    pub public_url: Option<String>,
}

/// The `[store]` table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreSettings {
    /// A PostgreSQL database (`postgres://user:password@host:5432/db`);
    /// unset: the SQLite file in the data directory.
    pub url: Option<String>,
}

/// Who may call the API.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// Access keys; with none, any well-formed signature is accepted (only
    /// on loopback unless `insecure_no_auth`).
    pub keys: Vec<AccessKey>,
    /// Allows running without keys on a non-loopback address.
    pub insecure_no_auth: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: DEFAULT_LISTEN.parse().expect("the default address parses"),
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            ephemeral: false,
            auth: AuthConfig::default(),
            sending: SendingConfig::default(),
            simulator: SimulatorConfig::default(),
            insights: InsightsConfig::default(),
            ingest: IngestConfig::default(),
            delivery: RetryPolicy::default(),
            eventbridge: EventBridgeConfig::default(),
            forwarders: Vec::new(),
            firehose: FirehoseConfig::default(),
            sns: SnsHostingConfig::default(),
            tracking: crate::tracking::TrackingConfig::default(),
            max_body_bytes: mailsight_api::ApiConfig::default().max_body_bytes,
            max_requests_in_flight: mailsight_api::ApiConfig::default().max_requests_in_flight,
            max_buffered_bytes: mailsight_api::ApiConfig::default().max_buffered_bytes,
            max_connections: mailsight_api::ApiConfig::default()
                .connections
                .max_connections,
            header_read_timeout_ms: mailsight_api::ApiConfig::default()
                .connections
                .header_read_timeout
                .as_millis() as u64,
            metrics: MetricsConfig::default(),
            exports: ExportsSettings::default(),
            store: StoreSettings::default(),
            tls: crate::tls::TlsSettings::default(),
            file: None,
        }
    }
}

/// What is wrong with a configuration.
///
/// A variant with a `source` names only what failed and leaves the cause
/// to its source: `main` prints the chain (`Caused by:`), so a message that
/// also held the cause said it twice.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid config file {path}")]
    Parse {
        path: PathBuf,
        source: Box<toml::de::Error>,
    },
    #[error("forwarder {0}: {1}")]
    Forwarder(String, &'static str),
    #[error(
        "refusing to listen on {0} without access keys: anyone who can reach it could use it. \
         Configure [[auth.keys]] (or --access-key-id/--secret-access-key), listen on a loopback \
         address, or pass --insecure-no-auth"
    )]
    OpenWithoutKeys(SocketAddr),
    /// An empty secret would make the key's signatures computable by
    /// anyone who knows its id, so it is refused rather than served.
    #[error(
        "access key '{0}' has an empty secret_access_key: give it a secret (anyone could sign \
         for it otherwise)"
    )]
    EmptySecret(String),
    #[error("an access key has an empty access_key_id")]
    EmptyKeyId,
    #[error(
        "[store] url (or --database) must be a postgres:// or postgresql:// URL; leave it unset \
         for the SQLite file in the data directory"
    )]
    DatabaseUrl,
    #[error(
        "the ephemeral mode keeps its data in memory: it cannot be combined with a database URL"
    )]
    EphemeralDatabase,
}

impl Config {
    /// Reads a config file.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.into(),
            source,
        })?;
        let mut config = Self::from_toml(&text).map_err(|source| ConfigError::Parse {
            path: path.into(),
            source: Box::new(source),
        })?;
        config.file = Some(path.into());
        Ok(config)
    }

    pub fn from_toml(text: &str) -> Result<Self, toml::de::Error> {
        toml::from_str(text)
    }

    /// Refuses a database URL that is not PostgreSQL's (all the commands
    /// that open the store check this; [`Config::check`] the rest too).
    pub fn check_store(&self) -> Result<(), ConfigError> {
        match &self.store.url {
            Some(url) if !mailsight_store::postgres::is_postgres_url(url) => {
                Err(ConfigError::DatabaseUrl)
            }
            Some(_) if self.is_ephemeral() => Err(ConfigError::EphemeralDatabase),
            _ => Ok(()),
        }
    }

    /// Refuses an open server (no keys on a non-loopback address), access
    /// keys without an id or a secret, a database URL that is not
    /// PostgreSQL's, and forwarders that name no target,
    /// or two targets, or a taken name.
    pub fn check(&self) -> Result<(), ConfigError> {
        for key in &self.auth.keys {
            if key.access_key_id.trim().is_empty() {
                return Err(ConfigError::EmptyKeyId);
            }
            if key.secret_access_key.is_empty() {
                return Err(ConfigError::EmptySecret(key.access_key_id.clone()));
            }
        }
        self.check_store()?;
        let mut names = std::collections::HashSet::new();
        for f in &self.forwarders {
            if f.url.is_some() == f.nats.is_some() {
                return Err(ConfigError::Forwarder(
                    f.name.clone(),
                    "give exactly one of url and nats",
                ));
            }
            if !names.insert(f.name.as_str()) {
                return Err(ConfigError::Forwarder(
                    f.name.clone(),
                    "the name is used twice",
                ));
            }
        }
        if self.auth.keys.is_empty()
            && !self.listen.ip().is_loopback()
            && !self.auth.insecure_no_auth
        {
            return Err(ConfigError::OpenWithoutKeys(self.listen));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_store_url_must_be_postgres() {
        let c = Config::from_toml("[store]\nurl = \"postgres://db/mail\"").unwrap();
        c.check().unwrap();
        let c = Config::from_toml("[store]\nurl = \"mysql://db/mail\"").unwrap();
        assert!(matches!(c.check(), Err(ConfigError::DatabaseUrl)));
    }

    #[test]
    fn the_ephemeral_mode_is_asked_for_either_way_and_keeps_no_database() {
        let c = Config::from_toml("data_dir = \":memory:\"").unwrap();
        assert!(c.is_ephemeral());
        let c = Config::from_toml("ephemeral = true").unwrap();
        assert!(c.is_ephemeral());
        c.check().unwrap();
        assert!(!Config::default().is_ephemeral());
        let c =
            Config::from_toml("ephemeral = true\n[store]\nurl = \"postgres://db/mail\"").unwrap();
        assert!(matches!(c.check(), Err(ConfigError::EphemeralDatabase)));
    }

    #[test]
    fn an_empty_file_gives_the_defaults() {
        let c = Config::from_toml("").unwrap();
        assert_eq!(c.listen.to_string(), DEFAULT_LISTEN);
        assert!(c.sending.require_verified_identity);
        assert!(!c.insights.ses_exact);
        c.check().unwrap();
    }

    #[test]
    fn a_full_file_parses() {
        let c = Config::from_toml(
            r#"
            listen = "0.0.0.0:8080"
            data_dir = "/var/lib/mailsight"
            [[auth.keys]]
            access_key_id = "AKIDEXAMPLE"
            secret_access_key = "secret"
            account_id = "111122223333"
            [sending]
            require_verified_identity = false
            [simulator.timing]
            delivery_ms = 5
            [[simulator.rules]]
            match = "*@bounce.test"
            outcome = "bounce"
            bounce_sub_type = "NoEmail"
            [[simulator.rules]]
            match = "slow.test"
            outcome = "delay"
            then = "expire"
            [insights]
            ses_exact = true
            [metrics]
            scrape_token = "scrape-me"
            "#,
        )
        .unwrap();
        assert_eq!(c.auth.keys[0].account_id, "111122223333");
        assert_eq!(c.simulator.rules.len(), 2);
        assert_eq!(c.simulator.timing.delivery_ms, 5);
        assert_eq!(c.metrics.token(), Some("scrape-me"));
        c.check().unwrap();
    }

    #[test]
    fn unknown_settings_and_bad_outcomes_are_errors() {
        assert!(Config::from_toml("lisen = \"127.0.0.1:1\"").is_err());
        assert!(
            Config::from_toml("[[simulator.rules]]\nmatch = \"x\"\noutcome = \"explode\"").is_err()
        );
        let typo = "[[simulator.rules]]\nmatch = \"x\"\noutcome = \"bounce\"\nbounce_subtype = \"NoEmail\"";
        assert!(
            Config::from_toml(typo).is_err(),
            "a misspelt rule setting is an error"
        );
    }

    #[test]
    fn forwarders_need_exactly_one_target() {
        let both = "[[forwarders]]\nname = \"f\"\nurl = \"http://x\"\nnats = { subject = \"s\" }";
        assert!(matches!(
            Config::from_toml(both).unwrap().check(),
            Err(ConfigError::Forwarder(..))
        ));
        let none = "[[forwarders]]\nname = \"f\"";
        assert!(matches!(
            Config::from_toml(none).unwrap().check(),
            Err(ConfigError::Forwarder(..))
        ));
        let twice = "[[forwarders]]\nname = \"f\"\nurl = \"http://x\"\n[[forwarders]]\nname = \"f\"\nurl = \"http://y\"";
        assert!(matches!(
            Config::from_toml(twice).unwrap().check(),
            Err(ConfigError::Forwarder(..))
        ));
        let nats = "[[forwarders]]\nname = \"f\"\nformat = \"sendpost\"\nnats = { subject = \"ses.events\" }";
        let c = Config::from_toml(nats).unwrap();
        c.check().unwrap();
        assert_eq!(
            c.forwarders[0].nats.as_ref().unwrap().url,
            "nats://127.0.0.1:4222"
        );
    }

    #[test]
    fn firehose_streams_parse_and_reach_the_outbox() {
        use mailsight_engine::outbox::config::StreamTarget;
        let c = Config::from_toml(
            r#"
            [[firehose.streams]]
            arn = "arn:aws:firehose:us-east-1:000000000000:deliverystream/ses-events"
            directory = "firehose-out"
            gzip = false
            rotate_bytes = 134217728
            rotate_secs = 300
            [[firehose.streams]]
            arn = "arn:aws:firehose:us-east-1:000000000000:deliverystream/collector"
            url = "https://collector.example/firehose"
            access_key = "k"
            gzip = true
            "#,
        )
        .unwrap();
        let streams = c.outbox().firehose.streams;
        assert_eq!(streams.len(), 2);
        assert!(matches!(
            &streams[0].target,
            StreamTarget::Directory {
                rotate_secs: 300,
                ..
            }
        ));
        assert!(
            matches!(&streams[1].target, StreamTarget::Http { access_key: Some(k), .. } if k == "k")
        );
        let both = "[[firehose.streams]]\narn = \"a\"\ndirectory = \"d\"\nurl = \"http://x\"";
        assert!(Config::from_toml(both).is_err());
    }

    #[test]
    fn an_open_address_needs_keys_or_the_insecure_flag() {
        let mut c = Config::from_toml("listen = \"0.0.0.0:4566\"").unwrap();
        assert!(matches!(c.check(), Err(ConfigError::OpenWithoutKeys(_))));
        c.auth.insecure_no_auth = true;
        c.check().unwrap();
    }

    #[test]
    fn keys_need_an_id_and_a_secret() {
        let key = |id: &str, secret: &str| {
            format!(
                "[[auth.keys]]\naccess_key_id = \"{id}\"\nsecret_access_key = \"{secret}\"\n\
                 account_id = \"111122223333\""
            )
        };
        Config::from_toml(&key("AKIDEXAMPLE", "s"))
            .unwrap()
            .check()
            .unwrap();
        let err = Config::from_toml(&key("AKIDEXAMPLE", ""))
            .unwrap()
            .check()
            .unwrap_err();
        assert!(matches!(err, ConfigError::EmptySecret(ref id) if id == "AKIDEXAMPLE"));
        assert!(err.to_string().contains("empty secret_access_key"), "{err}");
        assert!(matches!(
            Config::from_toml(&key("", "s")).unwrap().check(),
            Err(ConfigError::EmptyKeyId)
        ));
    }
}
