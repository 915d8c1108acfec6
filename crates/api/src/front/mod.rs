//! The one front every AWS protocol sits behind.
//!
//! Every request that is not an ingest, tracking or admin endpoint comes to
//! [`crate::protocols::handle`], which picks the [`Protocol`] that answers;
//! then [`serve`] does the same steps for all of them, in this order: a request
//! id, the body read up to the limit, the operation routed, the SigV4
//! signature checked over the exact bytes for the protocol's signing name,
//! the handler run, and the answer or error rendered in the protocol's
//! shape with `x-amzn-RequestId`. With access keys configured, everything
//! about the signature that needs no body (its form, scope, time and a
//! known key) is checked before the body is read, so a stranger's request
//! is refused having cost its headers only; the body is then read within
//! the byte budget all connections share ([`crate::budget`]), and the
//! signature checked over it. Every answer is counted here, once, for
//! `/metrics` (protocol, operation from the table, status, latency), and
//! every error answer logged here, once (a refusal at `info`). A
//! protocol only says how to route, what to run and how to render; adding
//! one (as SES v1 was, next to SNS) is one more implementation and one more
//! arm in `protocols::choose`.
//!
//! - [`operations`]: the `operations!` macro declaring each operation once.

pub mod operations;

use std::future::Future;
use std::net::SocketAddr;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, request::Parts};
use axum::response::Response;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::state::requests::UNKNOWN_OPERATION;

/// A request whose body has been read, not yet authenticated.
pub struct Incoming {
    pub parts: Parts,
    pub body: Bytes,
    pub peer: SocketAddr,
}

/// One AWS protocol mailsight speaks.
pub trait Protocol: Send + Sync + 'static {
    /// For logs.
    const NAME: &'static str;
    /// The service a request's SigV4 credential scope must name.
    const SIGNING_NAME: &'static str;
    /// The error code the protocol's clients retry as throttling.
    const THROTTLING_CODE: &'static str;
    /// A routed operation with whatever the route carried.
    type Operation: Send + Sync;
    /// What a successful operation answers, before rendering.
    type Answer: Send;

    /// Finds the operation a request names (before authentication, so it
    /// must not act on anything but the request's own bytes).
    fn route(request: &Incoming) -> Result<Self::Operation, ApiError>;

    /// The operation's AWS name, for logs and rendering.
    fn operation_name(op: &Self::Operation) -> &'static str;

    /// Whether the operation needs a signature (only SNS's confirmation
    /// links do not).
    fn signed(_op: &Self::Operation) -> bool {
        true
    }

    /// Whether every operation a request with this head could name needs
    /// a signature, so its headers may be checked before its body is read.
    fn signed_head(_parts: &Parts) -> bool {
        true
    }

    /// Runs the operation for the caller (`None` for unsigned operations).
    fn call(
        state: &AppState,
        caller: Option<&Caller>,
        op: &Self::Operation,
        request: &Incoming,
    ) -> impl Future<Output = Result<Self::Answer, ApiError>> + Send;

    /// A success, in the protocol's shape.
    fn render(op: &Self::Operation, answer: Self::Answer, request_id: &str) -> Response;

    /// An error, in the protocol's shape.
    fn render_error(e: &ApiError, request_id: &str) -> Response;

    /// The error for a body over the limit, in the protocol's codes.
    fn too_large(limit: usize) -> ApiError;
}

/// The longest path and query accepted, in bytes. Below the 64 KiB at
/// which the HTTP layer (hyper) refuses a URI with a bare 414 before any
/// handler sees it, so up to there the caller gets its protocol's error.
pub const MAX_URI_BYTES: usize = 16 * 1024;

/// 414 for a URI over [`MAX_URI_BYTES`].
fn uri_too_long() -> ApiError {
    ApiError::new(
        "RequestURITooLong",
        axum::http::StatusCode::URI_TOO_LONG,
        format!("The request URI is longer than {MAX_URI_BYTES} bytes."),
    )
}

/// The steps every protocol shares; see the module doc.
pub async fn serve<P: Protocol>(
    state: &AppState,
    peer: SocketAddr,
    parts: Parts,
    body: Body,
) -> Response {
    let started = std::time::Instant::now();
    let request_id = uuid::Uuid::new_v4().to_string();
    let method = parts.method.clone();
    let path = parts.uri.path().to_owned();
    let (named, mut response) = match answer::<P>(state, peer, parts, body, &request_id).await {
        Ok((name, response)) => (Some(name), response),
        Err((named, e)) => {
            // Every error answer is logged here, once: a refusal at `info`,
            // because the caller sees only an AWS error code and the person
            // running mailsight needs to see what was refused and why (an
            // operation mailsight lacks, a signature for the wrong service,
            // a wrong secret); a failure of mailsight's own at `error`.
            let operation = named.unwrap_or(UNKNOWN_OPERATION);
            if e.status.is_server_error() {
                tracing::error!(protocol = P::NAME, operation, %method, %path, status = e.status.as_u16(), code = e.code, message = %e.message, "request failed");
            } else {
                tracing::info!(protocol = P::NAME, operation, %method, %path, status = e.status.as_u16(), code = e.code, message = %e.message, "request refused");
            }
            (named, P::render_error(&e, &request_id))
        }
    };
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-amzn-RequestId", v);
    }
    state.monitor.requests.record(
        P::NAME,
        named.unwrap_or(UNKNOWN_OPERATION),
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

type Failure = (Option<&'static str>, ApiError);

async fn answer<P: Protocol>(
    state: &AppState,
    peer: SocketAddr,
    parts: Parts,
    body: Body,
    request_id: &str,
) -> Result<(&'static str, Response), Failure> {
    let uri_len = parts.uri.path_and_query().map_or(0, |pq| pq.as_str().len());
    if uri_len > MAX_URI_BYTES {
        return Err((None, uri_too_long()));
    }
    let mut request = Incoming {
        parts,
        body: Bytes::new(),
        peer,
    };
    let auth = &state.auth;
    let head = if auth.has_keys() && P::signed_head(&request.parts) {
        let p = &request.parts;
        match auth.check_head(P::SIGNING_NAME, &p.method, &p.uri, &p.headers) {
            Ok(head) => Some(head),
            // Named for the log when the head alone names it (SES v2's
            // routes do; a query protocol's Action is in the body).
            Err(e) => return Err((P::route(&request).ok().map(|op| P::operation_name(&op)), e)),
        }
    } else {
        None
    };
    let limit = state.config.max_body_bytes;
    // Held until the answer is built: the body's bytes stay in the budget.
    let (body, _reserved) = state
        .budget
        .read(&request.parts.headers, body, limit)
        .await
        .map_err(|e| (None, e.into_api(P::too_large(limit), P::THROTTLING_CODE)))?;
    request.body = body;
    let op = P::route(&request).map_err(|e| (None, e))?;
    let name = P::operation_name(&op);
    let caller = if P::signed(&op) {
        let p = &request.parts;
        let (method, uri, headers, body) = (&p.method, &p.uri, &p.headers, &request.body);
        let checked = match head {
            Some(head) => auth.check_body(head, method, uri, headers, body),
            None => auth.authenticate_for(P::SIGNING_NAME, method, uri, headers, body),
        };
        let caller = checked.map_err(|e| (Some(name), e))?;
        tracing::debug!(protocol = P::NAME, operation = name, account = %caller.account_id, "request");
        Some(caller)
    } else {
        None
    };
    let answer = P::call(state, caller.as_ref(), &op, &request)
        .await
        .map_err(|e| (Some(name), e))?;
    Ok((name, P::render(&op, answer, request_id)))
}
