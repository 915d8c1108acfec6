//! mailsight's HTTP front: the SES v2 REST-JSON API.
//!
//! - [`dispatch`]: the single handler every request goes through
//!   (body limit → [`operation::route`] → [`auth`] → [`ops`]).
//! - [`operation`]: one enum variant per SES operation, with routing tests.
//! - [`ops`]: the operations, one file per resource.
//! - [`error`]: errors carrying their AWS code and HTTP status.
//! - [`auth`]: SigV4 (via `mailsight-sigv4`) and access key → account.
//! - [`body`]: JSON and paging helpers; [`state`]: shared state and settings.
//! - [`admin`]: `/_mailsight/deliveries`: what the outbox sent where.
//! - [`sns`]: the SNS query API for topics mailsight hosts (`POST /` with a
//!   form body naming an `Action`), and its confirmation links.
//! - [`ingest`]: the endpoints where real SES events arrive (Firehose,
//!   EventBridge, SNS), outside the SES API.
//!
//! [`serve`] takes a bound listener and a shutdown future, so tests run the
//! server in-process on port 0.

pub mod admin;
pub mod auth;
pub mod body;
pub mod dispatch;
pub mod error;
pub mod ingest;
pub mod operation;
pub mod ops;
pub mod sns;
pub mod state;
pub mod tracking;

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use tokio::net::TcpListener;

pub use auth::{AccessKey, Authenticator, Caller, DEFAULT_ACCOUNT};
pub use error::ApiError;
pub use ingest::IngestConfig;
pub use sns::{SnsApi, SnsHostingConfig, SnsTopicConfig};
pub use state::{ApiConfig, AppState, IngestState, InsightsConfig};

/// The router: the ingest endpoints, and everything else to the SES
/// dispatcher, which answers unknown routes in the AWS error shape.
pub fn router(state: AppState) -> Router {
    use axum::routing::{get, post};
    Router::new()
        .route(
            "/ingest/firehose",
            post(ingest::firehose::handle).fallback(dispatch::handle),
        )
        .route(
            "/ingest/eventbridge",
            post(ingest::eventbridge::handle).fallback(dispatch::handle),
        )
        .route(
            "/ingest/sns",
            post(ingest::sns::handle).fallback(dispatch::handle),
        )
        .route("/metrics", get(metrics).fallback(dispatch::handle))
        .route(
            "/_mailsight/deliveries",
            get(admin::list).fallback(dispatch::handle),
        )
        .route(
            "/_mailsight/deliveries/replay",
            post(admin::replay).fallback(dispatch::handle),
        )
        .route(
            "/_mailsight/deliveries/{id}/attempts",
            get(admin::attempts).fallback(dispatch::handle),
        )
        .route(
            "/_mailsight/t/o/{token}",
            get(tracking::open).fallback(dispatch::handle),
        )
        .route(
            "/_mailsight/t/c/{token}",
            get(tracking::click).fallback(dispatch::handle),
        )
        .route(
            "/_mailsight/unsubscribe/{token}",
            get(tracking::unsubscribe_page)
                .post(tracking::unsubscribe)
                .fallback(dispatch::handle),
        )
        .route(
            "/_mailsight/messages/{id}",
            get(admin::message).fallback(dispatch::handle),
        )
        .route(
            "/_mailsight/messages/{id}/mime",
            get(admin::message_mime).fallback(dispatch::handle),
        )
        .route(
            "/_mailsight/ingest",
            get(ingest_stats).fallback(dispatch::handle),
        )
        .route(
            "/",
            post(sns::handle_post)
                .get(sns::handle_get)
                .fallback(dispatch::handle),
        )
        .route(
            mailsight_engine::outbox::sns::CERT_PATH,
            get(sns::certificate).fallback(dispatch::handle),
        )
        .fallback(dispatch::handle)
        .with_state(state)
}

/// The Prometheus exposition of CloudWatch event destinations' counts.
async fn metrics(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> impl axum::response::IntoResponse {
    (
        [("content-type", "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}

async fn ingest_stats(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::Json<serde_json::Value> {
    axum::Json(state.ingest.stats.json())
}

/// Serves the API on `listener` until `shutdown` resolves, then lets
/// requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
