//! `GET /health`: for load balancers and orchestrators, so unauthenticated.
//! 200 once the store answers a cheap read, 503 when it does not.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::state::AppState;

pub async fn health(State(state): State<AppState>) -> Response {
    let (status, body) = match state.store().ping().await {
        Ok(()) => (
            StatusCode::OK,
            json!({"status": "ok", "version": super::VERSION}),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "health check: the store does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                json!({"status": "unavailable", "error": e.to_string()}),
            )
        }
    };
    (
        status,
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}
