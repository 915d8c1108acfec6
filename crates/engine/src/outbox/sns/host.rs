//! [`SnsHost`]: mailsight's SNS signing key and the public base URL that
//! `SigningCertURL`, `SubscribeURL` and `UnsubscribeURL` point back at.
//! Both the SNS API (`Subscribe`, `Publish`) and the outbox use it, so a
//! subscriber sees one kind of envelope whichever path produced it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use mailsight_sns::{Envelope, SignatureVersion, Signer, SnsError};
use mailsight_store::{SnsSubscription, SnsTopic, Store, SubscriptionStatus};

use crate::outbox::policy::SinkError;

/// Where mailsight serves its signing certificate (the `SigningCertURL` path).
pub const CERT_PATH: &str = "/_mailsight/sns/SimpleNotificationService-mailsight.pem";
/// The name of the signing key and certificate in the store.
pub const SECRET_NAME: &str = "sns-signing";
/// Where a mailsight before schema version 11 kept the private key, in the
/// data directory (PKCS#8 DER); adopted into the store if found.
pub const KEY_FILE: &str = "sns-signing-key.pk8";
/// The self-signed certificate of that key, beside it (PEM).
pub const CERT_FILE: &str = "sns-signing-key.pem";
/// The `Subject` SES gives its event notifications.
pub const SES_SUBJECT: &str = "Amazon SES Email Event Notification";
/// How long SNS waits for a subscriber (wire facts §3.1).
const POST_TIMEOUT: Duration = Duration::from_secs(15);
/// Subscriptions read per page when fanning out.
const PAGE: usize = 100;

/// Why the signing key could not be loaded or created.
#[derive(Debug, thiserror::Error)]
pub enum SnsHostError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("SNS signing key: {0}")]
    Key(#[from] SnsError),
    #[error("the SNS signing key in the store: {0}")]
    Stored(String),
    #[error("cannot keep the SNS signing key in the store")]
    Store(#[from] mailsight_store::StoreError),
}

/// mailsight's SNS signing identity and where it is reachable.
pub struct SnsHost {
    signer: Signer,
    public_url: String,
    client: reqwest::Client,
}

impl std::fmt::Debug for SnsHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SnsHost")
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

impl SnsHost {
    /// The install's key and certificate, kept in the store
    /// ([`SECRET_NAME`]) so that every instance on one database signs
    /// alike and certificates subscribers cached stay valid across restarts.
    /// Made on first start, or adopted from the files an earlier mailsight
    /// kept in `data_dir` ([`KEY_FILE`], [`CERT_FILE`]).
    pub async fn load_or_create(
        store: &dyn Store,
        data_dir: &Path,
        public_url: &str,
    ) -> Result<SnsHost, SnsHostError> {
        let public_url = public_url.trim_end_matches('/').to_owned();
        let cert_url = format!("{public_url}{CERT_PATH}");
        let key_path = data_dir.join(KEY_FILE);
        let cert_path = data_dir.join(CERT_FILE);
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| SnsHostError::Io { path, source }
        };
        let (der, pem) = if key_path.exists() && cert_path.exists() {
            let der = std::fs::read(&key_path).map_err(io(&key_path))?;
            let pem = std::fs::read_to_string(&cert_path).map_err(io(&cert_path))?;
            (der, pem)
        } else {
            let fresh = Signer::generate(&cert_url, "mailsight SNS signing")?;
            (fresh.pkcs8_der().to_vec(), fresh.cert_pem().to_owned())
        };
        // Key and certificate travel as one secret, so two instances
        // starting together cannot end up with one's key and the other's
        // certificate.
        let candidate = serde_json::to_vec(&serde_json::json!({
            "pkcs8": STANDARD.encode(&der),
            "cert_pem": pem,
        }))
        .map_err(|e| SnsHostError::Stored(e.to_string()))?;
        let kept = store
            .adopt_secret(SECRET_NAME, candidate, mailsight_model::now_ms())
            .await?;
        let kept: serde_json::Value =
            serde_json::from_slice(&kept).map_err(|e| SnsHostError::Stored(e.to_string()))?;
        let der = kept["pkcs8"]
            .as_str()
            .and_then(|k| STANDARD.decode(k).ok())
            .ok_or_else(|| SnsHostError::Stored("no pkcs8 key".into()))?;
        let pem = kept["cert_pem"]
            .as_str()
            .ok_or_else(|| SnsHostError::Stored("no certificate".into()))?;
        let signer = Signer::from_pkcs8_and_cert(&der, pem, &cert_url)?;
        Ok(SnsHost::new(signer, &public_url))
    }

    /// A host signing with `signer`; `public_url` is mailsight's base URL.
    pub fn new(signer: Signer, public_url: &str) -> SnsHost {
        let client = reqwest::Client::builder()
            .timeout(POST_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        SnsHost {
            signer,
            public_url: public_url.trim_end_matches('/').to_owned(),
            client,
        }
    }

    /// The certificate, PEM, served at [`CERT_PATH`].
    pub fn cert_pem(&self) -> &str {
        self.signer.cert_pem()
    }

    /// The `SigningCertURL` of every envelope.
    pub fn cert_url(&self) -> &str {
        self.signer.cert_url()
    }

    /// The `SubscribeURL`: an unsigned GET that confirms (the token is the
    /// capability, as in SNS).
    pub fn subscribe_url(&self, topic_arn: &str, token: &str) -> String {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("Action", "ConfirmSubscription")
            .append_pair("TopicArn", topic_arn)
            .append_pair("Token", token)
            .finish();
        format!("{}/?{query}", self.public_url)
    }

    /// The `UnsubscribeURL`: an unsigned GET naming the subscription.
    pub fn unsubscribe_url(&self, subscription_arn: &str) -> String {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("Action", "Unsubscribe")
            .append_pair("SubscriptionArn", subscription_arn)
            .finish();
        format!("{}/?{query}", self.public_url)
    }

    /// The topic's `SignatureVersion` attribute; `"1"` unless set to `"2"`.
    pub fn signature_version(topic: &SnsTopic) -> SignatureVersion {
        topic
            .attributes
            .get("SignatureVersion")
            .and_then(|v| v.as_str())
            .and_then(SignatureVersion::parse)
            .unwrap_or(SignatureVersion::V1)
    }

    /// Posts a signed `SubscriptionConfirmation` to a new subscription.
    pub async fn send_confirmation(
        &self,
        topic: &SnsTopic,
        sub: &SnsSubscription,
    ) -> Result<(), SinkError> {
        let subscribe_url = self.subscribe_url(&topic.arn, &sub.token);
        let mut envelope = mailsight_sns::subscription_confirmation(
            &topic.arn,
            &sub.token,
            &subscribe_url,
            time::OffsetDateTime::now_utc(),
        );
        self.sign(&mut envelope, topic)?;
        let headers = [
            ("x-amz-sns-message-type", envelope.message_type.as_str()),
            ("x-amz-sns-message-id", envelope.message_id.as_str()),
            ("x-amz-sns-topic-arn", topic.arn.as_str()),
        ];
        self.post(&sub.endpoint, &headers, envelope.to_json()).await
    }

    /// A signed `Notification` (without `UnsubscribeURL`, which differs per
    /// subscription and is not signed).
    pub fn notification(
        &self,
        topic: &SnsTopic,
        message_id: &str,
        subject: Option<&str>,
        message: &str,
    ) -> Result<Envelope, SinkError> {
        let mut envelope = mailsight_sns::notification(
            &topic.arn,
            message,
            subject,
            time::OffsetDateTime::now_utc(),
        );
        envelope.message_id = message_id.to_owned();
        self.sign(&mut envelope, topic)?;
        Ok(envelope)
    }

    /// Posts `envelope` to one subscription: the envelope with its
    /// `UnsubscribeURL`, or only the `Message` when `RawMessageDelivery` is on.
    pub async fn deliver(
        &self,
        envelope: &Envelope,
        sub: &SnsSubscription,
    ) -> Result<(), SinkError> {
        let raw = sub
            .attributes
            .get("RawMessageDelivery")
            .and_then(|v| v.as_str())
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let mut headers = vec![
            ("x-amz-sns-message-type", envelope.message_type.as_str()),
            ("x-amz-sns-message-id", envelope.message_id.as_str()),
            ("x-amz-sns-topic-arn", envelope.topic_arn.as_str()),
            ("x-amz-sns-subscription-arn", sub.arn.as_str()),
        ];
        let body = if raw {
            headers.push(("x-amz-sns-rawdelivery", "true"));
            envelope.message.clone()
        } else {
            let mut e = envelope.clone();
            e.unsubscribe_url = Some(self.unsubscribe_url(&sub.arn));
            e.to_json()
        };
        self.post(&sub.endpoint, &headers, body).await
    }

    /// Posts one notification to every confirmed subscription of `topic`.
    /// Every subscriber is tried even when one fails; the result is an error
    /// naming the failures if any did.
    pub async fn fan_out(
        &self,
        store: &dyn Store,
        topic: &SnsTopic,
        message_id: &str,
        subject: Option<&str>,
        message: &str,
    ) -> Result<(), SinkError> {
        let envelope = self.notification(topic, message_id, subject, message)?;
        let subs = confirmed_subscriptions(store, topic).await?;
        let mut failures = Vec::new();
        for sub in &subs {
            if let Err(e) = self.deliver(&envelope, sub).await {
                failures.push(e.message);
            }
        }
        if failures.is_empty() {
            Ok(())
        } else {
            Err(SinkError::retry(failures.join("; ")))
        }
    }

    fn sign(&self, envelope: &mut Envelope, topic: &SnsTopic) -> Result<(), SinkError> {
        self.signer
            .sign(envelope, Self::signature_version(topic))
            .map_err(|e| SinkError::retry(e.to_string()))
    }

    /// One POST as SNS makes it; only 2xx counts as delivered.
    async fn post(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        body: String,
    ) -> Result<(), SinkError> {
        let mut req = self
            .client
            .post(url)
            .header("content-type", "text/plain; charset=UTF-8")
            .header("user-agent", "Amazon Simple Notification Service Agent");
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let resp = req
            .body(body)
            .send()
            .await
            .map_err(|e| SinkError::retry(format!("POST {url}: {e}")))?;
        if resp.status().is_success() {
            Ok(())
        } else {
            Err(SinkError::retry(format!("POST {url}: {}", resp.status())))
        }
    }
}

/// Every confirmed subscription of the topic, all pages.
pub async fn confirmed_subscriptions(
    store: &dyn Store,
    topic: &SnsTopic,
) -> Result<Vec<SnsSubscription>, SinkError> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store
            .list_sns_subscriptions(&topic.account_id, Some(&topic.arn), after.as_deref(), PAGE)
            .await
            .map_err(|e| SinkError::retry(e.to_string()))?;
        out.extend(
            page.items
                .into_iter()
                .filter(|s| s.status == SubscriptionStatus::Confirmed),
        );
        match page.next_after {
            Some(next) => after = Some(next),
            None => return Ok(out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(dir: &Path) -> mailsight_store::SqliteStore {
        mailsight_store::SqliteStore::open(dir).unwrap()
    }

    #[tokio::test]
    async fn the_key_is_created_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let a = SnsHost::load_or_create(&store(dir.path()), dir.path(), "http://127.0.0.1:4566/")
            .await
            .unwrap();
        assert_eq!(
            a.cert_url(),
            "http://127.0.0.1:4566/_mailsight/sns/SimpleNotificationService-mailsight.pem"
        );
        let b = SnsHost::load_or_create(&store(dir.path()), dir.path(), "http://mailsight:8080")
            .await
            .unwrap();
        assert_eq!(a.cert_pem(), b.cert_pem());
        assert!(
            b.cert_url()
                .starts_with("http://mailsight:8080/_mailsight/")
        );
        assert!(
            !dir.path().join(KEY_FILE).exists(),
            "kept in the store, not a file"
        );
    }

    #[tokio::test]
    async fn key_files_from_before_are_adopted() {
        let dir = tempfile::tempdir().unwrap();
        let old = Signer::generate("http://x/c.pem", "old").unwrap();
        std::fs::write(dir.path().join(KEY_FILE), old.pkcs8_der()).unwrap();
        std::fs::write(dir.path().join(CERT_FILE), old.cert_pem()).unwrap();
        let h = SnsHost::load_or_create(&store(dir.path()), dir.path(), "http://h:1")
            .await
            .unwrap();
        assert_eq!(
            h.cert_pem(),
            old.cert_pem(),
            "subscribers' cached certificate stays valid"
        );
    }

    #[tokio::test]
    async fn urls_point_back_at_mailsight() {
        let dir = tempfile::tempdir().unwrap();
        let h = SnsHost::load_or_create(&store(dir.path()), dir.path(), "http://h:1")
            .await
            .unwrap();
        assert_eq!(
            h.subscribe_url("arn:aws:sns:us-east-1:1:t", "a b"),
            "http://h:1/?Action=ConfirmSubscription&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A1%3At&Token=a+b"
        );
        assert_eq!(
            h.unsubscribe_url("arn:x"),
            "http://h:1/?Action=Unsubscribe&SubscriptionArn=arn%3Ax"
        );
    }
}
