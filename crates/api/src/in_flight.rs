//! The cap on requests in flight.
//!
//! Every request holds memory (its body, a store read, a response) while it
//! runs; without a cap, enough concurrent clients make that grow without
//! bound. Beyond `max_requests_in_flight`, a request is answered at once
//! with 503 and `Retry-After`, in its protocol's throttling shape (SES v2's
//! `TooManyRequestsException`, SES v1's `Throttling`, SNS's `Throttled`),
//! which every AWS SDK retries with backoff. Refusing rather than queueing
//! keeps the latency of the requests that are admitted, and a queue would
//! be one more thing to bound.
//!
//! `/health` and `/metrics` are not counted: they are how an operator sees
//! that the server is at its cap.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;

/// How long a refused client is told to wait, in seconds.
const RETRY_AFTER_SECONDS: &str = "1";

/// The permits of requests in flight.
#[derive(Clone)]
pub struct InFlight {
    permits: Arc<Semaphore>,
    limit: usize,
}

impl InFlight {
    pub fn new(limit: usize) -> Self {
        let limit = limit.max(1);
        InFlight {
            permits: Arc::new(Semaphore::new(limit)),
            limit,
        }
    }
}

/// The middleware: runs the request while holding a permit, or refuses it.
pub async fn limit(State(in_flight): State<InFlight>, request: Request, next: Next) -> Response {
    if matches!(request.uri().path(), "/health" | "/metrics") {
        return next.run(request).await;
    }
    let Ok(_permit) = in_flight.permits.clone().try_acquire_owned() else {
        let (parts, _) = request.into_parts();
        let message = format!(
            "mailsight is answering its limit of {} requests at once; retry shortly.",
            in_flight.limit
        );
        tracing::warn!(
            path = parts.uri.path(),
            limit = in_flight.limit,
            "request refused: too many in flight"
        );
        let mut response = match crate::protocols::busy(&parts, &message) {
            Some(r) => r,
            None => (StatusCode::SERVICE_UNAVAILABLE, message).into_response(),
        };
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from_static(RETRY_AFTER_SECONDS),
        );
        return response;
    };
    // The permit is held until the response is produced; a streamed body
    // (export downloads) finishes outside it, bounded by its own reader.
    next.run(request).await
}
