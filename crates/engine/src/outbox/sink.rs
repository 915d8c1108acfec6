//! What every sink shares: the [`Sink`] trait, the stable event id of a
//! delivery, and the HTTP POST (with its optional signature) that the
//! webhook forwarder and EventBridge buses both make.

use std::time::SystemTime;

use async_trait::async_trait;
use hmac::{Hmac, Mac};
use mailsight_store::Delivery;
use sha2::Sha256;

use super::policy::SinkError;

/// Delivers one record to one target. The deliverer resolves a sink once
/// per batch of a target's deliveries and shares it between their
/// attempts, which run at the same time.
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
