//! `POST /ingest/firehose`: a Firehose HTTP endpoint destination.
//!
//! The protocol: `X-Amz-Firehose-Access-Key` must match, the body may be
//! gzip (`Content-Encoding: gzip`), it is `{requestId, timestamp, records:
//! [{data: base64}]}`, and each decoded record holds one or more SES records.
//! The answer always echoes `requestId` with a millisecond `timestamp`; only
//! a 200 counts as delivered, 413 is final, anything else is retried.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use serde_json::json;

use mailsight_engine::ingest::split::{GunzipError, maybe_gunzip, split};

use super::secret_matches;
use crate::state::AppState;
use mailsight_model::now_ms;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Delivery {
    request_id: String,
    records: Vec<Record>,
}

#[derive(Deserialize)]
struct Record {
    data: String,
}

fn answer(status: StatusCode, request_id: &str, error: Option<&str>) -> Response {
    let mut body = json!({ "requestId": request_id, "timestamp": now_ms() });
    if let Some(e) = error {
        body["errorMessage"] = json!(e);
    }
    (
        status,
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// Decodes the body (gzip if so marked, unpacked to at most `limit`
/// bytes) into a Firehose delivery; on failure, the status and message.
fn parse(raw: &[u8], gzip: bool, limit: usize) -> Result<Delivery, (StatusCode, String)> {
    let decoded = if gzip {
        maybe_gunzip(raw, limit).map_err(|e| match e {
            GunzipError::TooLarge(_) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "The gzip body unpacks to more than {limit} bytes (ingest.max_body_bytes)."
                ),
            ),
            GunzipError::Io(e) => (
                StatusCode::BAD_REQUEST,
                format!("The gzip body cannot be read: {e}"),
            ),
        })?
    } else {
        std::borrow::Cow::Borrowed(raw)
    };
    serde_json::from_slice(&decoded).map_err(|e| {
        (
            StatusCode::BAD_REQUEST,
            format!("The body is not a Firehose delivery: {e}"),
        )
    })
}

pub async fn handle(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let monitor = state.monitor.clone();
    super::timed(&monitor, "firehose", receive(state, headers, body)).await
}

async fn receive(state: AppState, headers: HeaderMap, body: Body) -> Response {
    let config = &state.ingest.config.firehose;
    let stats = &state.ingest.stats.firehose;
    let header_id = headers
        .get("x-amz-firehose-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let key = headers
        .get("x-amz-firehose-access-key")
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if config.access_keys.is_empty() || !secret_matches(key, &config.access_keys) {
        stats.refuse();
        tracing::warn!("firehose delivery with a wrong or missing access key refused");
        return answer(
            StatusCode::UNAUTHORIZED,
            &header_id,
            Some("The access key is not valid."),
        );
    }
    let (raw, reserved) = match super::read_body(&state, &headers, body).await {
        Ok(read) => read,
        Err(r) => {
            stats.refuse();
            return answer(r.status, &header_id, Some(r.message));
        }
    };
    let gzip = headers
        .get("content-encoding")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"gzip"));
    let limit = state.ingest.config.max_body_bytes;
    // What the body unpacks to is held in the budget too: reserved whole
    // before unpacking, as its size is known only after (at most what the
    // budget has beside the body's own bytes, or it could never be had).
    let room = state.budget.total().saturating_sub(reserved.bytes());
    let _unpacked = if gzip {
        match state.budget.reserve(limit.min(room)).await {
            Ok(r) => Some(r),
            Err(e) => {
                stats.refuse();
                let r = super::Refusal::from(e);
                return answer(r.status, &header_id, Some(r.message));
            }
        }
    } else {
        None
    };
    let decoded = match decode(&raw, gzip, limit) {
        Ok(d) => d,
        Err((status, e)) => {
            stats.refuse();
            return answer(status, &header_id, Some(&e));
        }
    };
    match super::store(
        &state,
        "firehose",
        stats,
        &decoded.bodies,
        decoded.malformed,
    )
    .await
    {
        Some(_) => answer(StatusCode::OK, &decoded.request_id, None),
        None => answer(
            StatusCode::SERVICE_UNAVAILABLE,
            &decoded.request_id,
            Some("Storage failed; retry."),
        ),
    }
}

/// What a Firehose request body holds.
#[derive(Debug)]
pub struct Decoded {
    /// The delivery's `requestId`, echoed in the answer.
    pub request_id: String,
    /// Each SES record found in the records' data.
    pub bodies: Vec<Vec<u8>>,
    /// Records (or pieces of them) that were not base64 or not JSON.
    pub malformed: usize,
}

/// Decodes a Firehose HTTP endpoint request body (gzip if so marked) into
/// the SES records its base64 records carry. Public for the fuzz targets
/// (`fuzz/`); on failure, the status and message of the refusal.
pub fn decode(raw: &[u8], gzip: bool, limit: usize) -> Result<Decoded, (StatusCode, String)> {
    let delivery = parse(raw, gzip, limit)?;
    let mut bodies: Vec<Vec<u8>> = Vec::new();
    let mut malformed = 0;
    for record in &delivery.records {
        let Ok(data) = STANDARD.decode(record.data.trim()) else {
            malformed += 1;
            continue;
        };
        for piece in split(&data) {
            match piece {
                Ok(p) => bodies.push(p.bytes.to_vec()),
                Err(_) => malformed += 1,
            }
        }
    }
    Ok(Decoded {
        request_id: delivery.request_id,
        bodies,
        malformed,
    })
}
