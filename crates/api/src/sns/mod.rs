//! Just enough of Amazon SNS for an SES configuration set's
//! `SnsDestination` to deliver, and for the unmodified AWS CLI and boto3
//! `sns` clients to manage topics on mailsight (see `docs/SNS.md`).
//!
//! - [`query`]: the query protocol's form parameters and ARNs;
//! - [`xml`]: answers and errors in SNS's XML shape;
//! - [`error`]: [`SnsApiError`], with SNS's codes and statuses;
//! - [`actions`]: `CreateTopic`, `DeleteTopic`, `ListTopics`,
//!   `GetTopicAttributes`, `Subscribe`, `ConfirmSubscription`,
//!   `Unsubscribe`, `ListSubscriptions`, `ListSubscriptionsByTopic`,
//!   `Get/SetSubscriptionAttributes`, `Publish`;
//! - [`config`]: `[sns]` settings and the topics they declare.
//!
//! Routing: only `POST /` with a form body naming an `Action`, the unsigned
//! `GET /?Action=ConfirmSubscription|Unsubscribe` links mailsight puts in its
//! envelopes, and the certificate path come here; everything else goes to
//! the SES dispatcher unchanged, so its unknown-route answer stays the same.
//! Signing, envelopes and fan-out live in `mailsight_engine::outbox::sns`,
//! shared with the outbox.

pub mod actions;
pub mod config;
pub mod error;
pub mod query;
pub mod xml;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderValue, Request, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use mailsight_engine::outbox::sns::SnsHost;

pub use config::{SnsHostingConfig, SnsTopicConfig};
pub use error::SnsApiError;
use query::Params;

use crate::dispatch;
use crate::state::AppState;

/// The SigV4 signing name SNS clients use.
pub const SIGNING_NAME: &str = "sns";

/// What the SNS API needs besides the store.
pub struct SnsApi {
    /// Signing key, public URL, HTTP client.
    pub host: Arc<SnsHost>,
    /// The region named in new topic ARNs.
    pub region: String,
}

fn is_form(parts: &Parts) -> bool {
    parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        })
}

/// `POST /`: an SNS query request if the body is a form naming an
/// `Action`, else whatever the SES dispatcher answers.
pub async fn handle_post(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request<Body>,
) -> Response {
    let (parts, body) = request.into_parts();
    if !is_form(&parts) {
        return dispatch::handle(
            State(state),
            ConnectInfo(peer),
            Request::from_parts(parts, body),
        )
        .await;
    }
    let request_id = uuid::Uuid::new_v4().to_string();
    let limit = state.config.max_body_bytes;
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        let e = SnsApiError::new(
            "RequestEntityTooLarge",
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("The request body is larger than {limit} bytes."),
        );
        return respond(&request_id, "", Err(e));
    };
    let params = Params::parse(&bytes);
    let Some(action) = params.action().map(str::to_owned) else {
        let request = Request::from_parts(parts, Body::from(bytes));
        return dispatch::handle(State(state), ConnectInfo(peer), request).await;
    };
    let result = signed(&state, &parts, &bytes, &action, &params).await;
    respond(&request_id, &action, result)
}

async fn signed(
    state: &AppState,
    parts: &Parts,
    body: &Bytes,
    action: &str,
    p: &Params,
) -> actions::Answer {
    let caller = state.auth.authenticate_for(
        SIGNING_NAME,
        &parts.method,
        &parts.uri,
        &parts.headers,
        body,
    )?;
    let api = &state.sns;
    let store = state.store();
    let account = caller.account_id.as_str();
    tracing::debug!(action, account, "SNS request");
    match action {
        "CreateTopic" => actions::create_topic(api, store.as_ref(), account, p).await,
        "DeleteTopic" => actions::delete_topic(store.as_ref(), account, p).await,
        "ListTopics" => actions::list_topics(store.as_ref(), account, p).await,
        "GetTopicAttributes" => actions::get_topic_attributes(store.as_ref(), account, p).await,
        "Subscribe" => actions::subscribe(api, store, account, p).await,
        "ConfirmSubscription" => actions::confirm_subscription(store.as_ref(), p).await,
        "Unsubscribe" => actions::unsubscribe(store.as_ref(), Some(account), p).await,
        "ListSubscriptions" => actions::list_subscriptions(store.as_ref(), account, p).await,
        "ListSubscriptionsByTopic" => {
            actions::list_subscriptions_by_topic(store.as_ref(), account, p).await
        }
        "GetSubscriptionAttributes" => {
            actions::get_subscription_attributes(store.as_ref(), account, p).await
        }
        "SetSubscriptionAttributes" => {
            actions::set_subscription_attributes(store.as_ref(), account, p).await
        }
        "Publish" => actions::publish(api, store, account, p).await,
        other => Err(SnsApiError::new(
            "InvalidAction",
            StatusCode::BAD_REQUEST,
            format!(
                "The action {other} is not valid for this endpoint (mailsight implements a subset of SNS)."
            ),
        )),
    }
}

/// `GET /`: the unsigned `SubscribeURL` and `UnsubscribeURL` links, else
/// the SES dispatcher.
pub async fn handle_get(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request<Body>,
) -> Response {
    let params = Params::parse(request.uri().query().unwrap_or_default().as_bytes());
    let action = params.action().map(str::to_owned);
    let store = state.store().clone();
    let result = match action.as_deref() {
        Some("ConfirmSubscription") => actions::confirm_subscription(store.as_ref(), &params).await,
        Some("Unsubscribe") => actions::unsubscribe(store.as_ref(), None, &params).await,
        _ => return dispatch::handle(State(state), ConnectInfo(peer), request).await,
    };
    let request_id = uuid::Uuid::new_v4().to_string();
    respond(&request_id, action.as_deref().unwrap_or_default(), result)
}

/// `GET` of the signing certificate (`SigningCertURL`).
pub async fn certificate(State(state): State<AppState>) -> Response {
    let mut r = state.sns.host.cert_pem().to_owned().into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-pem-file"),
    );
    r
}

fn respond(request_id: &str, action: &str, result: actions::Answer) -> Response {
    let (status, body) = match result {
        Ok(inner) => (StatusCode::OK, xml::response(action, inner, request_id)),
        Err(e) => {
            if e.status.is_server_error() {
                tracing::error!(action, code = e.code, message = %e.message, "SNS request failed");
            } else {
                tracing::debug!(action, code = e.code, message = %e.message, "SNS request refused");
            }
            (e.status, xml::error(&e, request_id))
        }
    };
    let mut r = (status, body).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    if let Ok(v) = HeaderValue::from_str(request_id) {
        r.headers_mut().insert("x-amzn-RequestId", v);
    }
    r
}
