//! Endpoints where real SES events arrive: Firehose HTTP endpoint delivery
//! ([`firehose`]), EventBridge API destinations ([`eventbridge`]) and SNS
//! HTTP(S) subscriptions ([`sns`]).
//!
//! Each speaks its sender's protocol (auth, response shape, retry rules),
//! and all store through [`mailsight_engine::Ingestor`], so a record becomes
//! the same stored events whichever way it came. The rules they share:
//! answer 200 only once the records are committed; a storage failure is a
//! 5xx so the sender retries; a record that can never be stored is counted,
//! logged and dropped without failing the good ones beside it. Every
//! answer is counted for `/metrics` by [`timed`].

pub mod eventbridge;
pub mod firehose;
pub mod sns;

use std::future::Future;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use crate::budget::{ReadError, Reserved};

use crate::state::stats::SourceStats;
use crate::state::{AppState, Monitor};

/// The protocol label of ingest requests in `/metrics`.
pub const PROTOCOL: &str = "ingest";

/// Answers a request to the ingest endpoint `endpoint` and counts it for
/// `/metrics` (protocol `ingest`, the endpoint as operation).
pub(crate) async fn timed(
    monitor: &Monitor,
    endpoint: &'static str,
    answer: impl Future<Output = Response>,
) -> Response {
    let started = std::time::Instant::now();
    let response = answer.await;
    monitor.requests.record(
        PROTOCOL,
        endpoint,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

/// Why a body was not taken, for each endpoint to answer in its
/// sender's shape.
pub(crate) struct Refusal {
    pub status: StatusCode,
    pub message: &'static str,
}

impl From<ReadError> for Refusal {
    fn from(e: ReadError) -> Self {
        let (status, message) = match e {
            ReadError::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "The body is larger than ingest.max_body_bytes.",
            ),
            ReadError::Busy => (
                StatusCode::SERVICE_UNAVAILABLE,
                "The server holds as many request bytes as it may; retry.",
            ),
            ReadError::Broken => (StatusCode::BAD_REQUEST, "The body could not be read."),
        };
        Refusal { status, message }
    }
}

/// Reads a request body up to the ingest limit, within the byte budget
/// all connections share; the reservation is held while it is kept.
pub(crate) async fn read_body(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
) -> Result<(Bytes, Reserved), Refusal> {
    let limit = state.ingest.config.max_body_bytes;
    Ok(state.budget.read(headers, body, limit).await?)
}

/// What storing one request's records did.
pub(crate) struct Counts {
    pub stored: usize,
    pub duplicates: usize,
    pub rejected: usize,
}

/// Stores record bodies from one source and counts what happened;
/// `malformed` are records the caller could not even extract. `None` means
/// storage failed and nothing was committed: answer 5xx so the sender
/// retries.
pub(crate) async fn store(
    state: &AppState,
    source: &'static str,
    stats: &SourceStats,
    bodies: &[Vec<u8>],
    malformed: usize,
) -> Option<Counts> {
    let ingest = &state.ingest;
    match ingest
        .ingestor
        .ingest(&ingest.config.default_account, bodies)
        .await
    {
        Ok(outcome) => {
            let rejected = malformed + outcome.rejected.len();
            stats.add(outcome.stored, outcome.duplicates, rejected);
            if let Some((_, why)) = outcome.rejected.first() {
                tracing::warn!(source, rejected, first = %why, "records that are not SES events were dropped");
            } else if rejected > 0 {
                tracing::warn!(source, rejected, "malformed records were dropped");
            }
            Some(Counts {
                stored: outcome.stored,
                duplicates: outcome.duplicates,
                rejected,
            })
        }
        Err(e) => {
            tracing::error!(source, error = %e, "records not stored; the sender will retry");
            None
        }
    }
}

/// Compares a presented secret with the configured ones in constant time.
pub(crate) fn secret_matches(presented: &[u8], allowed: &[String]) -> bool {
    use subtle::ConstantTimeEq;
    allowed.iter().fold(false, |found, a| {
        found | bool::from(a.as_bytes().ct_eq(presented))
    })
}
