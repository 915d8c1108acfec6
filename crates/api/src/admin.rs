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
use mailsight_store::{DeliveryFilter, DeliveryStatus, Target, UnknownTarget};
use serde_json::{Value, json};

use crate::body::query_param;
use crate::error::ApiError;
use crate::state::AppState;

/// The JSON answer, or the error in the SES v2 shape.
pub(crate) fn reply(result: Result<Value, ApiError>) -> Response {
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
pub(crate) async fn caller_account(
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
    let Ok(target) = target_param(q) else {
        return Ok(json!({ "deliveries": [], "nextBefore": null }));
    };
    let filter = DeliveryFilter {
        account_id,
        target,
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
    let (account, query) = caller_account(state, request).await?;
    let Ok(target) = target_param(query.as_deref()) else {
        return Ok(json!({ "replayed": 0 }));
    };
    let now = mailsight_model::now_ms();
    // With keys, only the caller's own dead letters (two accounts may have
    // sets of the same name); without keys, every account's.
    let replayed = match account {
        Some(a) => {
            state
                .store()
                .replay_dead_of(&a, target.as_ref(), now)
                .await?
        }
        None => state.store().replay_dead(target.as_ref(), now).await?,
    };
    Ok(json!({ "replayed": replayed }))
}

/// The `target=` filter. Text that names no target is an `Err`, and the
/// callers answer as for a target without deliveries, as they did when
/// targets were compared as plain text.
fn target_param(q: Option<&str>) -> Result<Option<Target>, UnknownTarget> {
    query_param(q, "target").map(|t| t.parse()).transpose()
}

/// The account whose messages an admin request may read: the caller's,
/// or the default account on a server without keys.
async fn message_account(
    state: &AppState,
    request: Request<Body>,
) -> Result<(String, Option<String>), ApiError> {
    let (account, query) = caller_account(state, request).await?;
    Ok((
        account.unwrap_or_else(|| crate::auth::DEFAULT_ACCOUNT.to_owned()),
        query,
    ))
}

/// `GET /_mailsight/messages/{id}`: every stored record of a message, with
/// the machine-activity mark of opens and clicks.
pub async fn message(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request<Body>,
) -> Response {
    reply(message_inner(&state, &id, request).await)
}

async fn message_inner(
    state: &AppState,
    id: &str,
    request: Request<Body>,
) -> Result<Value, ApiError> {
    let (account, _) = message_account(state, request).await?;
    let store = state.store();
    let records = store.message_records(&account, id).await?;
    if records.is_empty() {
        return Err(ApiError::not_found(format!("Message {id} not found.")));
    }
    let marks = store.machine_activity(&account, id).await?;
    let records: Vec<Value> = records
        .into_iter()
        .map(|(kind, body)| {
            let record: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
            let machine = mailsight_engine::engagement::machine_mark(&account, &body, &marks);
            json!({"eventType": kind.api_name(), "machineActivity": machine, "record": record})
        })
        .collect();
    Ok(json!({
        "messageId": id,
        "mime": format!("/_mailsight/messages/{id}/mime"),
        "records": records,
    }))
}

/// `GET /_mailsight/messages/{id}/mime[?recipient=...]`: the message as
/// sent (a recipient's own copy when it differs), as `message/rfc822`.
pub async fn message_mime(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request<Body>,
) -> Response {
    let found = async {
        let (account, query) = message_account(&state, request).await?;
        let recipient = query_param(query.as_deref(), "recipient");
        state
            .store()
            .message_content(&account, &id, recipient.as_deref())
            .await?
            .ok_or_else(|| ApiError::not_found(format!("No content is stored for message {id}.")))
    }
    .await;
    match found {
        Ok(mime) => (StatusCode::OK, [("content-type", "message/rfc822")], mime).into_response(),
        Err(e) => reply(Err(e)),
    }
}
