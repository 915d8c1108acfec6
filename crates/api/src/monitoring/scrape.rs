//! `GET /metrics`: everything an operator scrapes, in one exposition.
//! The metrics, their types and labels are listed in docs/OPERATIONS.md.
//!
//! Store reads (outbox depth, next due record, size) are bounded and
//! answered from indexes; if one fails its families are left out and the
//! rest is served, so a scrape still shows the process is up.

use axum::body::Body;
use axum::extract::State;
use axum::http::{Request, header};
use axum::response::{IntoResponse, Response};
use mailsight_model::now_ms;

use super::exposition::{Exposition, Format, HistogramReading, Kind};
use crate::state::AppState;
use crate::state::requests::BOUNDS;

/// The most delivery targets one scrape reports (each is two series).
pub const MAX_TARGETS: usize = 1_000;

pub async fn metrics(State(state): State<AppState>, request: Request<Body>) -> Response {
    let format = Format::from_accept(
        request
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok()),
    );
    if let Err(e) = super::access::allowed(&state, request).await {
        return super::access::refusal(&e);
    }
    let text = render(&state, format).await;
    ([("content-type", format.content_type())], text).into_response()
}

/// The whole exposition.
pub async fn render(state: &AppState, format: Format) -> String {
    let mut e = Exposition::new(format);
    requests(state, &mut e);
    outbox(state, &mut e).await;
    ingest(state, &mut e);
    store(state, &mut e).await;
    process(state, &mut e);
    cloudwatch(state, &mut e);
    e.finish()
}

fn requests(state: &AppState, e: &mut Exposition) {
    let snapshot = state.monitor.requests.snapshot();
    let mut f = e.family(
        "mailsight_requests",
        Kind::Counter,
        "Requests answered, by protocol, operation and HTTP status.",
    );
    for ((protocol, operation), s) in &snapshot {
        for (status, n) in &s.by_status {
            let status = status.to_string();
            f.sample(
                &[
                    ("protocol", *protocol),
                    ("operation", *operation),
                    ("status", status.as_str()),
                ],
                *n as f64,
            );
        }
    }
    let mut f = e.family(
        "mailsight_request_duration_seconds",
        Kind::Histogram,
        "Time to answer a request, by protocol and operation.",
    );
    for ((protocol, operation), s) in &snapshot {
        f.histogram(
            &[("protocol", *protocol), ("operation", *operation)],
            &HistogramReading {
                bounds: &BOUNDS,
                buckets: &s.buckets,
                sum: s.sum_seconds,
                count: s.count,
            },
        );
    }
}

async fn outbox(state: &AppState, e: &mut Exposition) {
    let counts = state.monitor.attempts.snapshot();
    let mut f = e.family(
        "mailsight_outbox_attempts",
        Kind::Counter,
        "Delivery attempts settled by the outbox, by outcome.",
    );
    for (outcome, n) in [
        ("delivered", counts.delivered),
        ("retry", counts.retry),
        ("dead", counts.dead),
    ] {
        f.sample(&[("outcome", outcome)], n as f64);
    }
    let depth = match state.store().outbox_depth(MAX_TARGETS).await {
        Ok(d) => d,
        Err(err) => {
            tracing::warn!(error = %err, "metrics: cannot read the outbox depth");
            return;
        }
    };
    let now = now_ms();
    let targets: Vec<String> = depth.iter().map(|d| d.target.to_string()).collect();
    let mut f = e.family(
        "mailsight_outbox_pending",
        Kind::Gauge,
        "Deliveries waiting to be delivered (due or retrying), by target.",
    );
    for (d, target) in depth.iter().zip(&targets) {
        f.sample(&[("target", target.as_str())], d.pending as f64);
    }
    let mut f = e.family(
        "mailsight_outbox_oldest_pending_age_seconds",
        Kind::Gauge,
        "Age of the oldest pending delivery, by target (0 when none is pending).",
    );
    for (d, target) in depth.iter().zip(&targets) {
        let age = d
            .oldest_pending_at
            .map(|at| (now - at).max(0) as f64 / 1000.0)
            .unwrap_or(0.0);
        f.sample(&[("target", target.as_str())], age);
    }
}

fn ingest(state: &AppState, e: &mut Exposition) {
    use std::sync::atomic::Ordering::Relaxed;
    let stats = &state.ingest.stats;
    let endpoints = stats.by_endpoint();
    let mut f = e.family(
        "mailsight_ingest_records",
        Kind::Counter,
        "Records the ingest endpoints received, by endpoint and outcome.",
    );
    for (endpoint, s) in endpoints {
        for (outcome, n) in [
            ("stored", &s.stored),
            ("duplicate", &s.duplicates),
            ("rejected", &s.rejected),
        ] {
            f.sample(
                &[("endpoint", endpoint), ("outcome", outcome)],
                n.load(Relaxed) as f64,
            );
        }
    }
    let mut f = e.family(
        "mailsight_ingest_refused_requests",
        Kind::Counter,
        "Requests an ingest endpoint refused whole (auth, size, shape), by endpoint.",
    );
    for (endpoint, s) in endpoints {
        f.sample(
            &[("endpoint", endpoint)],
            s.refused_requests.load(Relaxed) as f64,
        );
    }
}

async fn store(state: &AppState, e: &mut Exposition) {
    let none: &[(&str, &str)] = &[];
    match state.store().next_due().await {
        Ok(due) => {
            let lag = due
                .map(|d| (now_ms() - d).max(0) as f64 / 1000.0)
                .unwrap_or(0.0);
            e.family(
                "mailsight_scheduler_lag_seconds",
                Kind::Gauge,
                "How long the oldest due scheduled record has been overdue (0 when none is).",
            )
            .sample(none, lag);
        }
        Err(err) => tracing::warn!(error = %err, "metrics: cannot read the schedule"),
    }
    match state.store().size_bytes().await {
        Ok(bytes) => e
            .family(
                "mailsight_database_size_bytes",
                Kind::Gauge,
                "Bytes the database takes on disk.",
            )
            .sample(none, bytes as f64),
        Err(err) => tracing::warn!(error = %err, "metrics: cannot read the database size"),
    }
}

fn process(state: &AppState, e: &mut Exposition) {
    e.family(
        "mailsight_build",
        Kind::Info,
        "The running mailsight's version.",
    )
    .sample(&[("version", super::VERSION)], 1.0);
    let started = state
        .monitor
        .started_at
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    let none: &[(&str, &str)] = &[];
    e.family(
        "process_start_time_seconds",
        Kind::Gauge,
        "When the server started, in seconds since the Unix epoch.",
    )
    .sample(none, started);
}

/// The CloudWatch destinations' counters, one family per event type.
fn cloudwatch(state: &AppState, e: &mut Exposition) {
    let snapshot = state.metrics.snapshot();
    let mut i = 0;
    while let Some(((name, _), _)) = snapshot.get(i) {
        let family = format!("aws_ses_{name}");
        let help = format!("SES {name} events, as a CloudWatch event destination counts them.");
        let mut f = e.family(&family, Kind::Counter, &help);
        while let Some(((n, labels), count)) = snapshot.get(i) {
            if n != name {
                break;
            }
            f.sample(labels, *count as f64);
            i += 1;
        }
    }
}
