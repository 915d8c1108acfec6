//! The `[tracking]` section: where open, click and unsubscribe links point,
//! and the secret that signs them.

use std::net::SocketAddr;
use std::path::Path;

use mailsight_engine::tracking::{TokenKey, TrackingSettings};
use mailsight_store::Store;
use serde::Deserialize;

/// Where mailsight before version 11 of the schema kept the generated
/// secret, in the data directory; adopted into the store if found.
pub const SECRET_FILE: &str = "tracking.key";

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrackingConfig {
    /// The URL mail clients reach mailsight's tracking endpoints at;
    /// defaults to the address mailsight listens on.
    pub base_url: Option<String>,
    /// The secret tracking tokens are signed with. Without one, mailsight
    /// generates a secret once and keeps it in the store, so links in mail
    /// already sent keep working after a restart, on every instance.
    pub secret: Option<String>,
    /// Clicks sooner than this after delivery are marked as machine activity.
    pub min_human_click_seconds: f64,
    /// Take the client's address from `X-Forwarded-For` (behind a proxy).
    pub trust_forwarded_for: bool,
}

impl Default for TrackingConfig {
    fn default() -> Self {
        TrackingConfig {
            base_url: None,
            secret: None,
            min_human_click_seconds: 5.0,
            trust_forwarded_for: false,
        }
    }
}

impl TrackingConfig {
    /// The engine's settings. The secret is the configured one, else the
    /// install's, kept in the store ([`SECRET_NAME`]) so that every instance
    /// on one database signs and verifies links alike; a data directory
    /// from before keeps its `tracking.key`, adopted on first start.
    pub async fn settings(
        &self,
        data_dir: &Path,
        bound: &SocketAddr,
        store: &dyn Store,
    ) -> Result<TrackingSettings, SecretError> {
        let secret = match &self.secret {
            Some(s) => s.as_bytes().to_vec(),
            None => {
                let candidate = match existing_secret(&data_dir.join(SECRET_FILE))? {
                    Some(old) => old,
                    None => hex::encode(rand::random::<[u8; 32]>()).into_bytes(),
                };
                store
                    .adopt_secret(SECRET_NAME, candidate, mailsight_model::now_ms())
                    .await?
            }
        };
        Ok(TrackingSettings {
            base_url: self
                .base_url
                .clone()
                .unwrap_or_else(|| format!("http://{bound}")),
            key: TokenKey::new(secret),
            min_human_click_ms: (self.min_human_click_seconds.max(0.0) * 1000.0) as i64,
        })
    }
}

/// The name of the tracking secret in the store.
pub const SECRET_NAME: &str = "tracking";

/// Why the tracking secret could not be had.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("cannot read {0}")]
    Read(String, #[source] std::io::Error),
    #[error("{0} is shorter than 32 bytes")]
    Short(String),
    #[error("cannot keep the tracking secret in the store")]
    Store(#[from] mailsight_store::StoreError),
}

/// The secret an earlier mailsight kept in the data directory, if any.
fn existing_secret(path: &Path) -> Result<Option<Vec<u8>>, SecretError> {
    match std::fs::read(path) {
        Ok(bytes) if bytes.len() >= 32 => Ok(Some(bytes)),
        Ok(_) => Err(SecretError::Short(path.display().to_string())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(SecretError::Read(path.display().to_string(), e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn store(dir: &Path) -> mailsight_store::SqliteStore {
        mailsight_store::SqliteStore::open(dir).unwrap()
    }

    fn claim() -> mailsight_engine::tracking::Claim {
        mailsight_engine::tracking::Claim::Open {
            account: "a".into(),
            message_id: "m".into(),
        }
    }

    #[tokio::test]
    async fn the_generated_secret_survives_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let addr: SocketAddr = "127.0.0.1:4566".parse().unwrap();
        let c = TrackingConfig::default();
        let a = c
            .settings(dir.path(), &addr, &store(dir.path()).await)
            .await
            .unwrap();
        let b = c
            .settings(dir.path(), &addr, &store(dir.path()).await)
            .await
            .unwrap();
        assert_eq!(b.key.verify(&a.key.sign(&claim())), Some(claim()));
        assert_eq!(a.base_url, "http://127.0.0.1:4566");
        assert_eq!(a.min_human_click_ms, 5_000);
        assert!(
            !dir.path().join(SECRET_FILE).exists(),
            "kept in the store, not a file"
        );
    }

    #[tokio::test]
    async fn a_secret_file_from_before_is_adopted() {
        let dir = tempfile::tempdir().unwrap();
        let old = "0123456789abcdef0123456789abcdef0123456789abcdef";
        std::fs::write(dir.path().join(SECRET_FILE), old).unwrap();
        let addr: SocketAddr = "127.0.0.1:4566".parse().unwrap();
        let got = TrackingConfig::default()
            .settings(dir.path(), &addr, &store(dir.path()).await)
            .await
            .unwrap();
        // A link signed with the old file's secret still verifies.
        let before = TokenKey::new(old.as_bytes().to_vec());
        assert_eq!(got.key.verify(&before.sign(&claim())), Some(claim()));
    }
}
