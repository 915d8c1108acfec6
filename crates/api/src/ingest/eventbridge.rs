//! `POST /ingest/eventbridge`: events from an EventBridge API destination,
//! one event or a JSON array of them, authorised by a configured header.
//! Each event's `detail` is the SES record.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::secret_matches;
use crate::state::AppState;

fn answer(status: StatusCode, body: Value) -> Response {
    (
        status,
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

pub async fn handle(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let monitor = state.monitor.clone();
    super::timed(&monitor, "eventbridge", receive(state, headers, body)).await
}

async fn receive(state: AppState, headers: HeaderMap, body: Body) -> Response {
    let config = &state.ingest.config.eventbridge;
    let stats = &state.ingest.stats.eventbridge;
    let presented = headers
        .get(config.header.as_str())
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if config.values.is_empty() || !secret_matches(presented, &config.values) {
        stats.refuse();
        tracing::warn!("eventbridge delivery without the configured auth header refused");
        return answer(
            StatusCode::UNAUTHORIZED,
            json!({"message": "Missing or wrong authorization header."}),
        );
    }
    let (raw, _reserved) = match super::read_body(&state, &headers, body).await {
        Ok(read) => read,
        Err(r) => {
            stats.refuse();
            return answer(r.status, json!({ "message": r.message }));
        }
    };
    let Some((bodies, malformed)) = record_bodies(&raw) else {
        stats.refuse();
        return answer(
            StatusCode::BAD_REQUEST,
            json!({"message": "The body must be an event or an array of events."}),
        );
    };
    match super::store(&state, "eventbridge", stats, &bodies, malformed).await {
        Some(c) => answer(
            StatusCode::OK,
            json!({"stored": c.stored, "duplicates": c.duplicates, "rejected": c.rejected}),
        ),
        None => answer(
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"message": "Storage failed; retry."}),
        ),
    }
}

/// The SES records (each event's `detail`) of an EventBridge API
/// destination request body — one event or an array of them — and how many
/// events had none; `None` when the body is neither. Public for the fuzz
/// targets (`fuzz/`).
pub fn record_bodies(raw: &[u8]) -> Option<(Vec<Vec<u8>>, usize)> {
    let events = match serde_json::from_slice::<Value>(raw) {
        Ok(Value::Array(events)) => events,
        Ok(event @ Value::Object(_)) => vec![event],
        Ok(_) | Err(_) => return None,
    };
    let bodies: Vec<Vec<u8>> = events
        .iter()
        .filter_map(|e| {
            e.get("detail")
                .filter(|d| d.is_object())
                .map(|d| d.to_string().into_bytes())
        })
        .collect();
    let malformed = events.len() - bodies.len();
    Some((bodies, malformed))
}
