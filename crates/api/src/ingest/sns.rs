//! `POST /ingest/sns`: an HTTP(S) subscription of an SNS topic that SES
//! publishes to.
//!
//! Only configured topics are accepted. Every envelope's signature is
//! verified (versions 1 and 2) with the certificate its `SigningCertURL`
//! names, after that URL passed the SNS host policy, so nothing is fetched
//! from anywhere else. A subscription is confirmed (a GET of its
//! `SubscribeURL`, itself on an SNS host) only once its signature verifies.
//! Raw message delivery carries no signature, so it is refused unless the
//! topic is listed in `raw_topics`.

use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use mailsight_sns::{Envelope, MessageType};
use serde_json::{Value, json};

use crate::state::AppState;

fn answer(status: StatusCode, message: &str) -> Response {
    (
        status,
        [("content-type", "application/json")],
        json!({ "message": message }).to_string(),
    )
        .into_response()
}

pub async fn handle(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let monitor = state.monitor.clone();
    super::timed(&monitor, "sns", receive(state, headers, body)).await
}

async fn receive(state: AppState, headers: HeaderMap, body: Body) -> Response {
    let ingest = &state.ingest;
    let config = &ingest.config.sns;
    let stats = &ingest.stats.sns;
    if config.topics.is_empty() && config.raw_topics.is_empty() {
        stats.refuse();
        return answer(
            StatusCode::FORBIDDEN,
            "SNS ingestion is not configured: add topics under [ingest.sns].",
        );
    }
    let (raw, _reserved) = match super::read_body(&state, &headers, body).await {
        Ok(read) => read,
        Err(r) => {
            stats.refuse();
            return answer(r.status, r.message);
        }
    };
    let header_topic = headers
        .get("x-amz-sns-topic-arn")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();

    let envelope = match Envelope::parse(&raw) {
        Ok(e) => e,
        Err(e) => {
            // No envelope: raw message delivery, which only listed topics may use.
            let looks_raw = serde_json::from_slice::<Value>(&raw)
                .is_ok_and(|v| v.get("eventType").is_some() || v.get("notificationType").is_some());
            if looks_raw && config.raw_topics.iter().any(|t| t == header_topic) {
                return store(&state, &[raw.to_vec()]).await;
            }
            stats.refuse();
            tracing::warn!(error = %e, topic = header_topic, "SNS delivery without a valid envelope refused");
            let why = if looks_raw {
                "Raw message delivery carries no signature; allow it for this topic in [ingest.sns] raw_topics."
            } else {
                "The body is not an SNS message."
            };
            return answer(StatusCode::BAD_REQUEST, why);
        }
    };
    if !config.topics.contains(&envelope.topic_arn) {
        stats.refuse();
        tracing::warn!(topic = %envelope.topic_arn, "SNS message from a topic that is not configured refused");
        return answer(StatusCode::FORBIDDEN, "This topic is not accepted here.");
    }
    if let Err(e) = ingest.sns_certs.verify(&envelope).await {
        stats.refuse();
        tracing::warn!(error = %e, topic = %envelope.topic_arn, message_id = %envelope.message_id, "SNS signature refused");
        return answer(
            StatusCode::FORBIDDEN,
            "The message signature does not verify.",
        );
    }
    match envelope.message_type {
        MessageType::Notification => store(&state, &[envelope.message.into_bytes()]).await,
        MessageType::SubscriptionConfirmation => confirm(&state, &envelope).await,
        MessageType::UnsubscribeConfirmation => {
            tracing::info!(topic = %envelope.topic_arn, "SNS says this endpoint was unsubscribed");
            answer(StatusCode::OK, "Noted.")
        }
    }
}

async fn confirm(state: &AppState, envelope: &Envelope) -> Response {
    let config = &state.ingest.config.sns;
    let Some(url) = envelope.subscribe_url.as_deref() else {
        return answer(
            StatusCode::BAD_REQUEST,
            "The confirmation has no SubscribeURL.",
        );
    };
    if !config.auto_confirm {
        tracing::info!(topic = %envelope.topic_arn, subscribe_url = url, "SNS subscription awaits confirmation: visit the URL");
        return answer(StatusCode::OK, "Logged for confirmation.");
    }
    if !state.ingest.sns_certs.policy().trusts_https_url(url) {
        tracing::warn!(
            subscribe_url = url,
            "SubscribeURL is not on an SNS host; not confirming"
        );
        return answer(
            StatusCode::FORBIDDEN,
            "The SubscribeURL is not on an SNS host.",
        );
    }
    let sent = state
        .ingest
        .http
        .get(url)
        .timeout(Duration::from_secs(15))
        .send()
        .await;
    match sent.map(|r| r.status()) {
        Ok(status) if status.is_success() => {
            tracing::info!(topic = %envelope.topic_arn, "SNS subscription confirmed");
            answer(StatusCode::OK, "Confirmed.")
        }
        Ok(status) if status.is_redirection() => {
            tracing::warn!(%status, subscribe_url = url, "the SubscribeURL answered a redirect, which is not followed; not confirmed");
            answer(
                StatusCode::BAD_GATEWAY,
                "The confirmation did not go through.",
            )
        }
        other => {
            tracing::warn!(result = ?other, "SNS subscription confirmation failed; SNS will resend it");
            answer(
                StatusCode::BAD_GATEWAY,
                "The confirmation did not go through.",
            )
        }
    }
}

async fn store(state: &AppState, bodies: &[Vec<u8>]) -> Response {
    // A notification that is not an SES record is acknowledged anyway:
    // retrying could not fix it.
    match super::store(state, "sns", &state.ingest.stats.sns, bodies, 0).await {
        Some(_) => answer(StatusCode::OK, "Stored."),
        None => answer(StatusCode::SERVICE_UNAVAILABLE, "Storage failed; retry."),
    }
}
