//! mailsight's own admin API under `/_mailsight/`: what the outbox sent
//! where, each attempt, and replaying dead letters.
//!
//! With access keys configured, requests must be SigV4-signed like SES
//! calls, and see only their account's deliveries. Without keys (a local
//! server on loopback), plain requests are accepted, so `curl` works.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use mailsight_store::{DeliveryFilter, DeliveryStatus};
use serde_json::{Value, json};

use crate::body::query_param;
use crate::error::ApiError;
use crate::state::AppState;

fn reply(result: Result<Value, ApiError>) -> Response {
    match result {
        Ok(v) => (
            StatusCode::OK,
            [("content-type", "application/json")],
            v.to_string(),
        )
            .into_response(),
        Err(e) => (
            e.status,
            [
                ("content-type", "application/json"),
                ("x-amzn-ErrorType", e.code),
            ],
            e.body(),
        )
            .into_response(),
    }
}

/// The account the caller may see: `None` means every account (no keys).
async fn caller_account(
    state: &AppState,
    request: Request<Body>,
) -> Result<(Option<String>, Option<String>), ApiError> {
    let (parts, body) = request.into_parts();
    let query = parts.uri.query().map(str::to_owned);
    if !state.auth.has_keys() {
        return Ok((None, query));
    }
    let body = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map_err(|_| ApiError::bad_request("The request body is too large."))?;
    let caller = state
        .auth
        .authenticate(&parts.method, &parts.uri, &parts.headers, &body)?;
    Ok((Some(caller.account_id), query))
}

pub async fn list(State(state): State<AppState>, request: Request<Body>) -> Response {
    reply(list_inner(&state, request).await)
}

async fn list_inner(state: &AppState, request: Request<Body>) -> Result<Value, ApiError> {
    let (account_id, query) = caller_account(state, request).await?;
    let q = query.as_deref();
    let status = match query_param(q, "status") {
        Some(s) => Some(
            DeliveryStatus::parse(&s)
                .ok_or_else(|| ApiError::bad_request(format!("Unknown status {s}.")))?,
        ),
        None => None,
    };
    let number = |name: &str| -> Result<Option<i64>, ApiError> {
        query_param(q, name)
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| ApiError::bad_request(format!("{name} must be a number.")))
            })
            .transpose()
    };
    let limit = number("limit")?.unwrap_or(100).clamp(1, 1000) as usize;
    let filter = DeliveryFilter {
        account_id,
        target: query_param(q, "target"),
        status,
        message_id: query_param(q, "message_id"),
    };
    let deliveries = state
        .store()
        .list_deliveries(filter, number("before")?, limit)
        .await?;
    let next = (deliveries.len() == limit)
        .then(|| deliveries.last().map(|d| d.id))
        .flatten();
    Ok(json!({ "deliveries": deliveries, "nextBefore": next }))
}

pub async fn attempts(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    request: Request<Body>,
) -> Response {
    reply(attempts_inner(&state, id, request).await)
}

async fn attempts_inner(
    state: &AppState,
    id: i64,
    request: Request<Body>,
) -> Result<Value, ApiError> {
    let (account_id, _) = caller_account(state, request).await?;
    let filter = DeliveryFilter {
        account_id,
        ..Default::default()
    };
    let found = state
        .store()
        .list_deliveries(filter, Some(id.saturating_add(1)), 1)
        .await?;
    let delivery = found
        .into_iter()
        .find(|d| d.id == id)
        .ok_or_else(|| ApiError::not_found(format!("Delivery <{id}> does not exist.")))?;
    let attempts = state.store().delivery_attempts(id).await?;
    Ok(json!({ "delivery": delivery, "attempts": attempts }))
}

pub async fn replay(State(state): State<AppState>, request: Request<Body>) -> Response {
    reply(replay_inner(&state, request).await)
}

async fn replay_inner(state: &AppState, request: Request<Body>) -> Result<Value, ApiError> {
    let (_, query) = caller_account(state, request).await?;
    let target = query_param(query.as_deref(), "target");
    let now = (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64;
    let replayed = state.store().replay_dead(target.as_deref(), now).await?;
    Ok(json!({ "replayed": replayed }))
}
