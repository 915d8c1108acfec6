//! A delivery stream sent to an HTTP endpoint in the Firehose HTTP
//! endpoint delivery protocol (version 1.0), as a Firehose stream with an
//! HTTP endpoint destination would send it.
//!
//! # Batching
//!
//! Firehose buffers records and sends up to 10 000 per request; mailsight
//! sends **one record per request**. The deliverer settles each delivery on
//! its own (its attempts, backoff and dead letter are per delivery), and a
//! batch would make one failing record retry, and duplicate, all its
//! neighbours. The protocol allows a single record per request, so
//! receivers need no change; the cost is one request per event.
//!
//! The request id is derived from the delivery's id, so it stays the same
//! across retries and restarts, as the protocol promises, and receivers can
//! drop a copy they already stored.

use base64::Engine as _;
use mailsight_model::now_ms;
use mailsight_store::Delivery;
use serde_json::{Value, json};

use super::super::policy::SinkError;

/// The largest record Firehose accepts (decoded `data`).
pub const MAX_RECORD_BYTES: usize = 1_024_000;
/// The largest response body read; the protocol caps it at 1 MiB.
const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// The `X-Amz-Firehose-Request-Id` of a delivery: a UUID that is the same
/// for every attempt of it.
pub fn request_id(d: &Delivery) -> String {
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_OID,
        format!("mailsight-firehose-{}", d.id).as_bytes(),
    )
    .to_string()
}

/// The request body for one record line (which ends with `\n`).
pub fn request_body(request_id: &str, timestamp_ms: i64, line: &[u8]) -> Value {
    json!({
        "requestId": request_id,
        "timestamp": timestamp_ms,
        "records": [{ "data": base64::engine::general_purpose::STANDARD.encode(line) }],
    })
}

/// Whether a response body is a conforming success answer to
/// `request_id`: a JSON object echoing it, with an integer `timestamp`.
/// Firehose treats anything else, even with status 200, as a failure.
pub fn check_response(request_id: &str, body: &[u8]) -> Result<(), String> {
    let v: Value =
        serde_json::from_slice(body).map_err(|e| format!("the response is not JSON ({e})"))?;
    match v.get("requestId").and_then(Value::as_str) {
        Some(echo) if echo == request_id => {}
        Some(echo) => {
            return Err(format!(
                "the response echoes requestId {echo:?}, not {request_id:?}"
            ));
        }
        None => return Err("the response has no requestId".into()),
    }
    if !v.get("timestamp").is_some_and(|t| t.is_i64() || t.is_u64()) {
        return Err("the response has no integer timestamp".into());
    }
    Ok(())
}

/// The endpoint of one stream.
pub struct HttpEndpoint {
    pub arn: String,
    pub url: String,
    pub access_key: Option<String>,
    pub gzip: bool,
}

impl HttpEndpoint {
    /// POSTs one record line: delivered only on a 200 whose body echoes
    /// the request id; 413 is permanent; everything else is retried
    /// (Firehose's own rules).
    pub async fn post(
        &self,
        client: &reqwest::Client,
        d: &Delivery,
        line: &[u8],
    ) -> Result<(), SinkError> {
        if line.len() > MAX_RECORD_BYTES {
            return Err(SinkError::permanent(format!(
                "the record is {} bytes; Firehose takes at most {MAX_RECORD_BYTES}",
                line.len()
            )));
        }
        let id = request_id(d);
        let body = request_body(&id, now_ms(), line).to_string().into_bytes();
        let mut req = client
            .post(&self.url)
            .header("content-type", "application/json")
            .header("user-agent", "mailsight")
            .header("x-amz-firehose-protocol-version", "1.0")
            .header("x-amz-firehose-request-id", &id)
            .header("x-amz-firehose-source-arn", &self.arn);
        if let Some(key) = &self.access_key {
            req = req.header("x-amz-firehose-access-key", key);
        }
        let body = if self.gzip {
            req = req.header("content-encoding", "gzip");
            gzip(&body).map_err(|e| SinkError::retry(format!("cannot compress: {e}")))?
        } else {
            body
        };
        let url = &self.url;
        let mut resp = req
            .body(body)
            .send()
            .await
            .map_err(|e| SinkError::retry(format!("POST {url}: {e}")))?;
        let status = resp.status();
        let mut answer = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| SinkError::retry(format!("POST {url}: reading the response: {e}")))?
        {
            if answer.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(SinkError::retry(format!(
                    "POST {url}: the response is larger than 1 MiB"
                )));
            }
            answer.extend_from_slice(&chunk);
        }
        if status.as_u16() == 413 {
            return Err(SinkError::permanent(format!(
                "POST {url}: 413, the endpoint refuses the record's size{}",
                error_message(&answer)
            )));
        }
        if status.as_u16() != 200 {
            return Err(SinkError::retry(format!(
                "POST {url}: {status}{}",
                error_message(&answer)
            )));
        }
        check_response(&id, &answer).map_err(|e| SinkError::retry(format!("POST {url}: {e}")))
    }
}

/// `": <errorMessage>"` from a response body, when it has one.
fn error_message(body: &[u8]) -> String {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("errorMessage")?.as_str().map(str::to_owned))
        .map(|m| format!(": {}", m.chars().take(500).collect::<String>()))
        .unwrap_or_default()
}

fn gzip(data: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(data)?;
    gz.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_carry_base64_lines() {
        let b = request_body("r-1", 1_714_557_605_123, b"{\"a\":1}\n");
        assert_eq!(b["requestId"], "r-1");
        assert_eq!(b["timestamp"], 1_714_557_605_123_i64);
        let data = b["records"][0]["data"].as_str().unwrap();
        assert_eq!(
            base64::engine::general_purpose::STANDARD
                .decode(data)
                .unwrap(),
            b"{\"a\":1}\n"
        );
        assert_eq!(b["records"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn only_a_conforming_echo_is_success() {
        assert!(check_response("r", br#"{"requestId":"r","timestamp":1}"#).is_ok());
        assert!(check_response("r", br#"{"requestId":"s","timestamp":1}"#).is_err());
        assert!(check_response("r", br#"{"timestamp":1}"#).is_err());
        assert!(check_response("r", br#"{"requestId":"r"}"#).is_err());
        assert!(check_response("r", br#"{"requestId":"r","timestamp":"1"}"#).is_err());
        assert!(check_response("r", b"").is_err());
        assert!(check_response("r", b"ok").is_err());
        assert!(check_response("r", b"[]").is_err());
    }

    #[test]
    fn error_messages_are_short_and_optional() {
        assert_eq!(error_message(br#"{"errorMessage":"nope"}"#), ": nope");
        assert_eq!(error_message(b"<html>"), "");
        let long = format!(r#"{{"errorMessage":"{}"}}"#, "x".repeat(9000));
        assert_eq!(error_message(long.as_bytes()).len(), 502);
    }
}
