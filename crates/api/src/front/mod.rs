//! The one front every AWS protocol sits behind.
//!
//! Every request that is not an ingest, tracking or admin endpoint comes to
//! [`handle`]. It picks the [`Protocol`] that answers ([`choose`]), then
//! [`serve`] does the same steps for all of them, in this order: a request
//! id, the body read up to the limit, the operation routed, the SigV4
//! signature checked over the exact bytes for the protocol's signing name,
//! the handler run, and the answer or error rendered in the protocol's
//! shape with `x-amzn-RequestId`. A protocol only says how to route, what
//! to run and how to render; adding one (SES v1 next to SNS) is one more
//! implementation and one more arm in [`choose`].
//!
//! - [`operations`]: the `operations!` macro declaring each operation once.

pub mod operations;

use std::future::Future;
use std::net::SocketAddr;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderValue, Method, Request, header, request::Parts};
use axum::response::Response;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

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

/// The protocols behind the front.
enum Chosen {
    SesV2,
    Sns,
}

/// Which protocol answers. SES v2 is REST-JSON under `/v2/email/`; the
/// query protocols share `POST /` with a form body, and the service named
/// by the signature's credential scope tells them apart (`sns` for SNS; SES
/// v1, signed for `ses`, will be the other arm). Until SES v1 answers, a
/// form request signed for anything but `sns` is SNS's to refuse. The
/// unsigned confirmation links SNS puts in its envelopes are `GET /` with
/// an `Action`; everything else is the SES v2 API's, which answers an
/// unknown route in its own error shape.
fn choose(parts: &Parts) -> Chosen {
    if parts.uri.path() != "/" {
        return Chosen::SesV2;
    }
    if parts.method == Method::POST && is_form(parts) {
        return match scope_service(parts).as_deref() {
            Some(crate::sns::SIGNING_NAME) => Chosen::Sns,
            _ => Chosen::Sns,
        };
    }
    if parts.method == Method::GET && crate::sns::is_link(parts.uri.query()) {
        return Chosen::Sns;
    }
    Chosen::SesV2
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

/// The service of the credential scope (`AKID/date/region/service/aws4_request`),
/// from the `Authorization` header or a presigned `X-Amz-Credential`;
/// `None` for an unsigned or malformed request (the protocol refuses it).
fn scope_service(parts: &Parts) -> Option<String> {
    let credential = match parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        Some(auth) => auth
            .split([',', ' '])
            .find_map(|p| p.trim().strip_prefix("Credential="))?
            .to_owned(),
        None => crate::body::query_param(parts.uri.query(), "X-Amz-Credential")?,
    };
    credential.split('/').nth(3).map(str::to_owned)
}

/// The router's fallback: every request for an AWS protocol.
pub async fn handle(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request<Body>,
) -> Response {
    let (parts, body) = request.into_parts();
    match choose(&parts) {
        Chosen::SesV2 => serve::<crate::ses_v2::SesV2>(&state, peer, parts, body).await,
        Chosen::Sns => serve::<crate::sns::Sns>(&state, peer, parts, body).await,
    }
}

/// The steps every protocol shares; see the module doc.
pub async fn serve<P: Protocol>(
    state: &AppState,
    peer: SocketAddr,
    parts: Parts,
    body: Body,
) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let method = parts.method.clone();
    let path = parts.uri.path().to_owned();
    let mut response = match answer::<P>(state, peer, parts, body, &request_id).await {
        Ok(response) => response,
        Err((operation, e)) => {
            let operation = operation.unwrap_or_default();
            if e.status.is_server_error() {
                tracing::error!(protocol = P::NAME, operation, %method, %path, code = e.code, message = %e.message, "request failed");
            } else {
                tracing::debug!(protocol = P::NAME, operation, %method, %path, code = e.code, message = %e.message, "request refused");
            }
            P::render_error(&e, &request_id)
        }
    };
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-amzn-RequestId", v);
    }
    response
}

type Failure = (Option<&'static str>, ApiError);

async fn answer<P: Protocol>(
    state: &AppState,
    peer: SocketAddr,
    parts: Parts,
    body: Body,
    request_id: &str,
) -> Result<Response, Failure> {
    let limit = state.config.max_body_bytes;
    let body = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| (None, P::too_large(limit)))?;
    let request = Incoming { parts, body, peer };
    let op = P::route(&request).map_err(|e| (None, e))?;
    let name = P::operation_name(&op);
    let caller = if P::signed(&op) {
        let p = &request.parts;
        let caller = state
            .auth
            .authenticate_for(
                P::SIGNING_NAME,
                &p.method,
                &p.uri,
                &p.headers,
                &request.body,
            )
            .map_err(|e| (Some(name), e))?;
        tracing::debug!(protocol = P::NAME, operation = name, account = %caller.account_id, "request");
        Some(caller)
    } else {
        None
    };
    let answer = P::call(state, caller.as_ref(), &op, &request)
        .await
        .map_err(|e| (Some(name), e))?;
    Ok(P::render(&op, answer, request_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(method: &str, uri: &str, headers: &[(&str, &str)]) -> Parts {
        let mut b = Request::builder().method(method).uri(uri);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(()).unwrap().into_parts().0
    }

    const FORM: (&str, &str) = (
        "content-type",
        "application/x-www-form-urlencoded; charset=utf-8",
    );

    fn auth(service: &str) -> String {
        format!(
            "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=00"
        )
    }

    #[test]
    fn the_scope_s_service_is_read_from_header_or_query() {
        let a = auth("sns");
        let p = parts("POST", "/", &[FORM, ("authorization", &a)]);
        assert_eq!(scope_service(&p).as_deref(), Some("sns"));
        let p = parts(
            "GET",
            "/?X-Amz-Credential=AKID%2F20260101%2Fus-east-1%2Fses%2Faws4_request",
            &[],
        );
        assert_eq!(scope_service(&p).as_deref(), Some("ses"));
        assert_eq!(scope_service(&parts("POST", "/", &[FORM])), None);
    }

    #[test]
    fn protocols_are_chosen_by_path_body_and_scope() {
        let sns = auth("sns");
        let ses = auth("ses");
        let cases = [
            (
                parts("GET", "/v2/email/account", &[("authorization", &sns)]),
                "SesV2",
            ),
            (parts("POST", "/", &[FORM, ("authorization", &sns)]), "Sns"),
            (parts("POST", "/", &[FORM, ("authorization", &ses)]), "Sns"),
            (parts("POST", "/", &[FORM]), "Sns"),
            (
                parts("POST", "/", &[("content-type", "application/json")]),
                "SesV2",
            ),
            (
                parts("GET", "/?Action=ConfirmSubscription&Token=x", &[]),
                "Sns",
            ),
            (parts("GET", "/?Action=Other", &[]), "SesV2"),
            (parts("GET", "/", &[]), "SesV2"),
            (parts("POST", "/v2/email/outbound-emails", &[FORM]), "SesV2"),
        ];
        for (p, expected) in cases {
            let got = match choose(&p) {
                Chosen::SesV2 => "SesV2",
                Chosen::Sns => "Sns",
            };
            assert_eq!(got, expected, "{} {}", p.method, p.uri);
        }
    }
}
