//! mailsight's HTTP side: every AWS protocol it speaks behind one front,
//! and its own endpoints beside them.
//!
//! - [`front`]: the [`front::Protocol`] trait and the one handler every
//!   AWS request goes through (request id → body limit → route → SigV4 →
//!   operation → rendering), and the `operations!` macro that declares each
//!   operation once.
//! - [`protocols`]: which protocol answers a request (the router's
//!   fallback).
//! - [`in_flight`]: the cap on requests answered at once, around every
//!   route (503 in the protocol's throttling shape beyond it).
//! - [`ses_v2`]: the SES v2 REST-JSON API: the operation table and one file
//!   of handlers per resource.
//! - [`ses_v1`]: the SES v1 query API (the account actions so far).
//! - [`sns`]: the SNS query API for topics mailsight hosts, and its
//!   confirmation links; [`query`]: the AWS query protocol's form
//!   parameters and XML, shared by the query protocols.
//! - [`error`]: the one error type, carrying its AWS code and HTTP status;
//!   each protocol renders it in its own shape.
//! - [`auth`]: SigV4 (via `mailsight-sigv4`) and access key → account.
//! - [`body`]: JSON, query and paging helpers; [`state`]: shared state;
//!   [`config`]: the settings of this crate.
//! - [`budget`]: the bytes of request bodies all connections may hold at
//!   once (503 `Throttling` beyond).
//! - [`admin`]: `/_mailsight/…`: what the outbox sent where, messages.
//! - [`search`]: `/_mailsight/messages`: message search.
//! - [`exports`]: `/_mailsight/exports/…`: export jobs' files, at the
//!   `S3Url` `GetExportJob` reports.
//! - [`ingest`]: the endpoints where real SES events arrive (Firehose,
//!   EventBridge, SNS), outside the AWS APIs.
//! - [`tracking`]: open, click and unsubscribe links.
//! - [`dashboard`]: the web pages under `/dashboard` (server-rendered
//!   HTML, SVG charts).
//! - [`monitoring`]: `/health` and `/metrics` (Prometheus text and
//!   OpenMetrics), and who may scrape.
//! - [`connections`]: the accept loop (connections at once, time to send
//!   a request's head).
//! - [`tls_listener`]: TLS connections for [`serve_tls`] (handshakes beside
//!   the accept loop, bounded).
//!
//! Modules point one way: `in_flight` → `protocols` → handlers (`ses_v2`, `ses_v1`, `sns`,
//! `ingest`, `admin`, `tracking`, `dashboard`, `monitoring`) → `front` →
//! `state` → `config`, `auth`, `error`, `budget`.
//!
//! [`serve`] takes a bound listener and a shutdown future, so tests run the
//! server in-process on port 0.

pub mod admin;
pub mod auth;
pub mod body;
pub mod budget;
pub mod config;
pub mod connections;
pub mod dashboard;
pub mod error;
pub mod exports;
pub mod front;
pub mod in_flight;
pub mod ingest;
pub mod monitoring;
pub mod protocols;
pub mod query;
pub mod search;
pub mod ses_v1;
pub mod ses_v2;
pub mod sns;
pub mod state;
pub mod strict;
pub mod tls_listener;
pub mod tracking;

use std::future::Future;

use axum::Router;
use tokio::net::TcpListener;

pub use auth::{AccessKey, Authenticator, Caller, DEFAULT_ACCOUNT, open_mode_account};
pub use config::{
    ApiConfig, IngestConfig, InsightsConfig, MetricsConfig, SnsHostingConfig, SnsTopicConfig,
};
pub use error::ApiError;
pub use state::{AppState, IngestState, Monitor, SnsApi};

/// The router: mailsight's own endpoints, and everything else to the
/// [`protocols`], which picks the AWS protocol that answers (the SES v2 API
/// answers unknown routes in its error shape).
pub fn router(state: AppState) -> Router {
    use axum::routing::{get, post};
    let in_flight = in_flight::InFlight::new(state.config.max_requests_in_flight);
    Router::new()
        .route(
            "/ingest/firehose",
            post(ingest::firehose::handle).fallback(protocols::handle),
        )
        .route(
            "/ingest/eventbridge",
            post(ingest::eventbridge::handle).fallback(protocols::handle),
        )
        .route(
            "/ingest/sns",
            post(ingest::sns::handle).fallback(protocols::handle),
        )
        .route(
            "/metrics",
            get(monitoring::scrape::metrics).fallback(protocols::handle),
        )
        .route(
            "/health",
            get(monitoring::health::health).fallback(protocols::handle),
        )
        .route(
            "/_mailsight/deliveries",
            get(admin::list).fallback(protocols::handle),
        )
        .route(
            "/_mailsight/deliveries/replay",
            post(admin::replay).fallback(protocols::handle),
        )
        .route(
            "/_mailsight/deliveries/{id}/attempts",
            get(admin::attempts).fallback(protocols::handle),
        )
        .route(
            "/_mailsight/t/o/{token}",
            get(tracking::open).fallback(protocols::handle),
        )
        .route(
            "/_mailsight/t/c/{token}",
            get(tracking::click).fallback(protocols::handle),
        )
        .route(
            "/_mailsight/unsubscribe/{token}",
            get(tracking::unsubscribe_page)
                .post(tracking::unsubscribe)
                .fallback(protocols::handle),
        )
        .route(
            "/_mailsight/exports/{token}",
            get(exports::download).fallback(protocols::handle),
        )
        .route(
            "/_mailsight/messages",
            get(search::messages).fallback(protocols::handle),
        )
        .route(
            "/_mailsight/messages/{id}",
            get(admin::message).fallback(protocols::handle),
        )
        .route(
            "/_mailsight/messages/{id}/mime",
            get(admin::message_mime).fallback(protocols::handle),
        )
        .route(
            "/_mailsight/ingest",
            get(ingest_stats).fallback(protocols::handle),
        )
        .route(
            mailsight_engine::outbox::sns::CERT_PATH,
            get(sns::certificate).fallback(protocols::handle),
        )
        .merge(dashboard::routes())
        .fallback(protocols::handle)
        .with_state(state)
        .layer(axum::middleware::from_fn_with_state(
            in_flight,
            in_flight::limit,
        ))
}

/// `GET /_mailsight/ingest`: the ingest endpoints' counts, for whoever
/// may scrape `/metrics`.
async fn ingest_stats(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::http::Request<axum::body::Body>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match monitoring::access::allowed(&state, request).await {
        Ok(()) => axum::Json(state.ingest.stats.json()).into_response(),
        Err(e) => monitoring::access::refusal(&e),
    }
}

/// Serves the API on `listener` until `shutdown` resolves, then lets
/// requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = state.config.connections;
    connections::serve(listener, router(state), limits, shutdown).await
}

/// [`serve`] over TLS: the same routes and state on a second listener.
pub async fn serve_tls(
    listener: tls_listener::TlsListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = state.config.connections;
    connections::serve(listener, router(state), limits, shutdown).await
}
