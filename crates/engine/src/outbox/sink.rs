//! Sinks: how one delivery reaches one kind of target.

use std::time::SystemTime;

use async_trait::async_trait;
use hmac::{Hmac, Mac};
use mailsight_store::Delivery;
use sha2::Sha256;

use super::config::{Format, ForwarderConfig};
use super::formats::{eventbridge_envelope, sendpost_event};
use super::policy::SinkError;

/// Delivers one record to one target.
#[async_trait]
pub trait Sink: Send + Sync {
    async fn deliver(&self, delivery: &Delivery) -> Result<(), SinkError>;
}

/// A stable id for a delivery's event, so a retried POST keeps its id and
/// receivers can drop the copy.
pub fn event_id(d: &Delivery) -> String {
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_OID,
        format!("mailsight-delivery-{}", d.id).as_bytes(),
    )
    .to_string()
}

/// The `X-Mailsight-Signature` value for `body` at unix time `t`.
pub fn signature(secret: &str, t: u64, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes any key length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// Posts JSON to a URL: 2xx is delivered; 4xx other than 408 and 429 is a
/// refusal retrying cannot change; anything else is retried.
pub async fn post(
    client: &reqwest::Client,
    url: &str,
    body: Vec<u8>,
    secret: Option<&str>,
    id: &str,
) -> Result<(), SinkError> {
    let mut req = client
        .post(url)
        .header("content-type", "application/json")
        .header("user-agent", "mailsight")
        .header("x-mailsight-event-id", id);
    if let Some(secret) = secret {
        let t = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        req = req.header("x-mailsight-signature", signature(secret, t, &body));
    }
    let resp = req
        .body(body)
        .send()
        .await
        .map_err(|e| SinkError::retry(format!("POST {url}: {e}")))?;
    let status = resp.status();
    if status.is_success() {
        Ok(())
    } else if status.is_client_error() && status.as_u16() != 408 && status.as_u16() != 429 {
        Err(SinkError::permanent(format!("POST {url}: {status}")))
    } else {
        Err(SinkError::retry(format!("POST {url}: {status}")))
    }
}

/// A forwarder from the config file.
pub struct ForwarderSink {
    pub client: reqwest::Client,
    pub config: ForwarderConfig,
    pub region: String,
}

/// The bytes a forwarder sends for a delivery in `format`, or `None` when
/// the format has nothing for this event (SendPost has no id for delivery
/// delays, nor for bounces that are neither hard nor soft).
pub fn forward_body(format: Format, d: &Delivery, id: &str, region: &str) -> Option<Vec<u8>> {
    Some(match format {
        Format::Ses => d.body.clone().into_bytes(),
        Format::EventBridge => {
            eventbridge_envelope(d.event_type, &d.body, id, &d.account_id, region)
                .to_string()
                .into_bytes()
        }
        Format::SendPost => sendpost_event(&d.body)?.to_string().into_bytes(),
    })
}

#[async_trait]
impl Sink for ForwarderSink {
    async fn deliver(&self, d: &Delivery) -> Result<(), SinkError> {
        let id = event_id(d);
        let Some(body) = forward_body(self.config.format, d, &id, &self.region) else {
            return Ok(());
        };
        let url = self
            .config
            .url
            .as_deref()
            .ok_or_else(|| SinkError::permanent("the forwarder has no url"))?;
        post(&self.client, url, body, self.config.secret.as_deref(), &id).await
    }
}

/// An `EventBridgeDestination`: the envelope, posted to every target bound
/// to the bus.
pub struct EventBridgeSink {
    pub client: reqwest::Client,
    pub targets: Vec<String>,
    pub region: String,
}

#[async_trait]
impl Sink for EventBridgeSink {
    async fn deliver(&self, d: &Delivery) -> Result<(), SinkError> {
        let id = event_id(d);
        let body = eventbridge_envelope(d.event_type, &d.body, &id, &d.account_id, &self.region)
            .to_string();
        for url in &self.targets {
            post(&self.client, url, body.clone().into_bytes(), None, &id).await?;
        }
        Ok(())
    }
}

/// A destination mailsight keeps but does not send anywhere (Pinpoint).
pub struct StoredOnly;

#[async_trait]
impl Sink for StoredOnly {
    async fn deliver(&self, _: &Delivery) -> Result<(), SinkError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_cover_time_and_body() {
        let a = signature("s3cret", 1_700_000_000, b"{}");
        assert!(a.starts_with("t=1700000000,v1="));
        assert_eq!(a.len(), "t=1700000000,v1=".len() + 64);
        assert_ne!(a, signature("s3cret", 1_700_000_001, b"{}"));
        assert_ne!(a, signature("s3cret", 1_700_000_000, b"{ }"));
        assert_ne!(a, signature("other", 1_700_000_000, b"{}"));
        // A known answer: HMAC-SHA256(key "key", "1.x").
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"key").unwrap();
        mac.update(b"1.x");
        assert_eq!(
            signature("key", 1, b"x"),
            format!("t=1,v1={}", hex::encode(mac.finalize().into_bytes()))
        );
    }
}
