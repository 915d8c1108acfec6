//! The endpoints behind the links mailsight puts in the mail it sends:
//! the open pixel, click redirects and unsubscribe links.
//!
//! Each takes a token the engine signed at send time. A token that does not
//! verify records nothing and gets a 404: these endpoints never redirect
//! anywhere a message did not link to.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use mailsight_engine::tracking::Claim;
use mailsight_engine::{TrackKind, Tracked, UnsubscribeSource, Visitor};

use crate::state::AppState;

/// A transparent 1×1 GIF.
const PIXEL: &[u8] = &[
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b,
];

fn visitor(state: &AppState, peer: SocketAddr, headers: &HeaderMap) -> Visitor {
    let forwarded = state
        .config
        .trust_forwarded_for
        .then(|| headers.get("x-forwarded-for")?.to_str().ok())
        .flatten()
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().to_owned());
    Visitor {
        ip: forwarded.unwrap_or_else(|| peer.ip().to_string()),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
    }
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "This link is not valid.\n").into_response()
}

fn failed(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "recording engagement failed");
    (StatusCode::SERVICE_UNAVAILABLE, "Try again later.\n").into_response()
}

/// `GET /_mailsight/t/o/{token}`: records an Open, answers the pixel.
/// Only an open token counts here: another kind records nothing.
pub async fn open(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let v = visitor(&state, peer, &headers);
    match state.engine.track(TrackKind::Open, &token, &v).await {
        Ok(Tracked::Open { .. }) => (
            [
                (header::CONTENT_TYPE, "image/gif"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            PIXEL,
        )
            .into_response(),
        Ok(_) => not_found(),
        Err(e) => failed(e),
    }
}

/// `GET /_mailsight/t/c/{token}`: records a Click, redirects to the link.
/// Only a click token counts here: another kind records nothing.
pub async fn click(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let v = visitor(&state, peer, &headers);
    match state.engine.track(TrackKind::Click, &token, &v).await {
        Ok(Tracked::Click { link, .. }) => (
            StatusCode::FOUND,
            [
                (header::LOCATION, link),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
        )
            .into_response(),
        Ok(_) => not_found(),
        Err(e) => failed(e),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `GET /_mailsight/unsubscribe/{token}`: a confirmation page. Nothing
/// changes on GET: link scanners follow every link.
pub async fn unsubscribe_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Response {
    let Some(Claim::Unsubscribe {
        recipient,
        contact_list,
        topic,
        ..
    }) = state.engine.claim(&token)
    else {
        return not_found();
    };
    let what = match &topic {
        Some(t) => format!(
            "the topic <b>{}</b> of <b>{}</b>",
            escape(t),
            escape(&contact_list)
        ),
        None => format!("the list <b>{}</b>", escape(&contact_list)),
    };
    Html(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Unsubscribe</title></head><body>\
         <p>Unsubscribe <b>{}</b> from {what}?</p>\
         <form method=\"post\"><input type=\"hidden\" name=\"source\" value=\"link\">\
         <button type=\"submit\">Unsubscribe</button></form></body></html>",
        escape(&recipient)
    ))
    .into_response()
}

/// `POST /_mailsight/unsubscribe/{token}`: RFC 8058 one-click (body
/// `List-Unsubscribe=One-Click`) or the page's form.
pub async fn unsubscribe(
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: Bytes,
) -> Response {
    let form = String::from_utf8_lossy(&body);
    let source = if form.split('&').any(|kv| kv == "source=link") {
        UnsubscribeSource::Link
    } else {
        UnsubscribeSource::Header
    };
    match state.engine.unsubscribe(&token, source).await {
        Ok(true) => {
            Html("<!doctype html><html><body><p>You have been unsubscribed.</p></body></html>")
                .into_response()
        }
        Ok(false) => not_found(),
        Err(e) => failed(e),
    }
}
