//! [`CertificateStore`]: where signing keys come from — a trusted directory,
//! else an HTTPS fetch — with a bounded, expiring cache.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use url::Url;

use crate::cert_url::CertUrlPolicy;
use crate::envelope::Envelope;
use crate::error::{SnsError, cut};
use crate::public_key::PublicKey;

/// Largest certificate accepted from the network.
const MAX_CERT_BYTES: usize = 64 * 1024;

struct Cached {
    key: Arc<PublicKey>,
    at: Instant,
}

/// Looks up the public key for a `SigningCertURL`.
///
/// Every URL is first checked against the [`CertUrlPolicy`]; a refused URL
/// is never looked up nor fetched. Then the trusted directory (if any) is
/// searched for a file named as the URL's last path segment (e.g.
/// `SimpleNotificationService-abc.pem`); else, if fetching is enabled, the
/// URL is fetched (no redirects, bounded size and time). Keys are cached per
/// URL (at most `capacity`, each for `ttl`), and concurrent look-ups of an
/// uncached URL fetch it once.
pub struct CertificateStore {
    policy: CertUrlPolicy,
    trusted_dir: Option<PathBuf>,
    fetch: bool,
    ttl: Duration,
    capacity: usize,
    timeout: Duration,
    client: OnceLock<reqwest::Client>,
    cache: Mutex<HashMap<String, Cached>>,
    load_lock: tokio::sync::Mutex<()>,
    fetches: AtomicU64,
}

impl std::fmt::Debug for CertificateStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertificateStore")
            .field("policy", &self.policy)
            .field("trusted_dir", &self.trusted_dir)
            .field("fetch", &self.fetch)
            .finish_non_exhaustive()
    }
}

impl CertificateStore {
    /// A store with a 24-hour TTL, 64 cached keys and a 10-second fetch timeout.
    pub fn new(policy: CertUrlPolicy, trusted_dir: Option<PathBuf>, fetch: bool) -> Self {
        CertificateStore {
            policy,
            trusted_dir,
            fetch,
            ttl: Duration::from_secs(24 * 3600),
            capacity: 64,
            timeout: Duration::from_secs(10),
            client: OnceLock::new(),
            cache: Mutex::new(HashMap::new()),
            load_lock: tokio::sync::Mutex::new(()),
            fetches: AtomicU64::new(0),
        }
    }

    /// How long a key stays cached.
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// How many keys are cached at most (at least 1).
    pub fn with_capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity.max(1);
        self
    }

    /// The HTTP client for fetches (e.g. one trusting a test CA). It should
    /// not follow redirects: the policy checks only the first URL.
    pub fn with_http_client(self, client: reqwest::Client) -> Self {
        let _ = self.client.set(client);
        self
    }

    /// The policy every URL is checked against (also what a `SubscribeURL`
    /// must satisfy before it is visited).
    pub fn policy(&self) -> &CertUrlPolicy {
        &self.policy
    }

    /// How many fetches were attempted.
    pub fn fetch_count(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    /// The key for `url`: policy check, cache, trusted directory, fetch.
    pub async fn public_key(&self, url: &str) -> Result<Arc<PublicKey>, SnsError> {
        let parsed = self.policy.check_parsed(url)?;
        if let Some(key) = self.cached(url) {
            return Ok(key);
        }
        let _guard = self.load_lock.lock().await;
        if let Some(key) = self.cached(url) {
            return Ok(key);
        }
        let key = Arc::new(self.load(url, &parsed).await?);
        self.insert(url, key.clone());
        Ok(key)
    }

    /// Policy check, key look-up and [`crate::verify`].
    pub async fn verify(&self, envelope: &Envelope) -> Result<(), SnsError> {
        let key = self.public_key(&envelope.signing_cert_url).await?;
        crate::verify(envelope, &key)
    }

    fn cached(&self, url: &str) -> Option<Arc<PublicKey>> {
        let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        cache
            .get(url)
            .filter(|c| c.at.elapsed() < self.ttl)
            .map(|c| c.key.clone())
    }

    fn insert(&self, url: &str, key: Arc<PublicKey>) {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        cache.retain(|_, c| c.at.elapsed() < self.ttl);
        while cache.len() >= self.capacity {
            let oldest = cache
                .iter()
                .min_by_key(|(_, c)| c.at)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(k) => cache.remove(&k),
                None => break,
            };
        }
        cache.insert(
            url.to_owned(),
            Cached {
                key,
                at: Instant::now(),
            },
        );
    }

    async fn load(&self, url: &str, parsed: &Url) -> Result<PublicKey, SnsError> {
        if let Some(dir) = &self.trusted_dir
            && let Some(name) = file_name(parsed)
        {
            let path = dir.join(name);
            match tokio::fs::read(&path).await {
                Ok(pem) => {
                    tracing::debug!(path = %path.display(), "SNS signing certificate from trusted directory");
                    return PublicKey::from_pem(&pem);
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(SnsError::CertUnavailable(format!(
                        "{}: {e}",
                        path.display()
                    )));
                }
            }
        }
        if !self.fetch {
            return Err(SnsError::CertUnavailable(cut(url)));
        }
        let pem = self.fetch(parsed).await?;
        PublicKey::from_pem(&pem)
    }

    async fn fetch(&self, url: &Url) -> Result<Vec<u8>, SnsError> {
        self.fetches.fetch_add(1, Ordering::Relaxed);
        tracing::debug!(%url, "fetching SNS signing certificate");
        let client = self.client()?;
        let fail = |e: reqwest::Error| SnsError::CertFetch(e.to_string());
        let mut response = client
            .get(url.clone())
            .timeout(self.timeout)
            .send()
            .await
            .map_err(fail)?;
        if !response.status().is_success() {
            return Err(SnsError::CertFetch(format!("HTTP {}", response.status())));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(fail)? {
            if body.len() + chunk.len() > MAX_CERT_BYTES {
                return Err(SnsError::CertFetch("certificate too large".into()));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    fn client(&self) -> Result<&reqwest::Client, SnsError> {
        if let Some(c) = self.client.get() {
            return Ok(c);
        }
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| SnsError::CertFetch(e.to_string()))?;
        Ok(self.client.get_or_init(|| client))
    }
}

/// The URL's last path segment, if it is a plain file name.
fn file_name(url: &Url) -> Option<&str> {
    let name = url.path_segments()?.next_back()?;
    let plain = !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    plain.then_some(name)
}
