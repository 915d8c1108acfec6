//! The `[tracking]` section: where open, click and unsubscribe links point,
//! and the secret that signs them.

use std::net::SocketAddr;
use std::path::Path;

use mailsight_engine::tracking::{TokenKey, TrackingSettings};
use serde::Deserialize;

/// The file in the data directory holding the generated signing secret.
pub const SECRET_FILE: &str = "tracking.key";

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrackingConfig {
    /// The URL mail clients reach mailsight's tracking endpoints at;
    /// defaults to the address mailsight listens on.
    pub base_url: Option<String>,
    /// The secret tracking tokens are signed with. Without one, mailsight
    /// generates a secret once and keeps it in the data directory, so links
    /// in mail already sent keep working after a restart.
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
    /// The engine's settings, reading or creating the secret file.
    pub fn settings(
        &self,
        data_dir: &Path,
        bound: &SocketAddr,
    ) -> std::io::Result<TrackingSettings> {
        let secret = match &self.secret {
            Some(s) => s.as_bytes().to_vec(),
            None => load_or_create_secret(&data_dir.join(SECRET_FILE))?,
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

fn load_or_create_secret(path: &Path) -> std::io::Result<Vec<u8>> {
    match std::fs::read(path) {
        Ok(bytes) if bytes.len() >= 32 => return Ok(bytes),
        Ok(_) => {
            return Err(std::io::Error::other(format!(
                "{} is shorter than 32 bytes",
                path.display()
            )));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let secret = hex::encode(rand::random::<[u8; 32]>()).into_bytes();
    let tmp = path.with_extension("tmp");
    {
        use std::io::Write;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut f = options.open(&tmp)?;
        f.write_all(&secret)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_secret_survives_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let addr: SocketAddr = "127.0.0.1:4566".parse().unwrap();
        let c = TrackingConfig::default();
        let a = c.settings(dir.path(), &addr).unwrap();
        let b = c.settings(dir.path(), &addr).unwrap();
        let claim = mailsight_engine::tracking::Claim::Open {
            account: "a".into(),
            message_id: "m".into(),
        };
        assert_eq!(b.key.verify(&a.key.sign(&claim)), Some(claim));
        assert_eq!(a.base_url, "http://127.0.0.1:4566");
        assert_eq!(a.min_human_click_ms, 5_000);
    }
}
