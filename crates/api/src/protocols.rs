//! Which protocol answers a request, and the router's fallback that sends
//! it there: the one place that knows every protocol behind the
//! [`crate::front`].

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderValue, Method, Request, StatusCode, header, request::Parts};
use axum::response::Response;

use crate::error::ApiError;
use crate::front::{Protocol, serve};
use crate::state::AppState;

/// The protocols behind the front.
enum Chosen {
    SesV2,
    SesV1,
    Sns,
}

/// Which protocol answers. SES v2 is REST-JSON under `/v2/email/`; the
/// query protocols share `POST /` with a form body, and the service named
/// by the signature's credential scope tells them apart: `ses` for SES v1
/// (SES v2 signs for `ses` too, but never posts a form to `/`), `sns` for
/// SNS. A form request signed for anything else, or not signed, is SNS's
/// to refuse. A `POST /` with no `Content-Type` at all is theirs too (no
/// SES v2 operation lives at `/`), so `curl -X POST` gets an XML error in
/// the query protocol's shape. The unsigned confirmation links SNS puts in its envelopes
/// are `GET /` with an `Action`; everything else is the SES v2 API's,
/// which answers an unknown route in its own error shape.
fn choose(parts: &Parts) -> Chosen {
    if parts.uri.path() != "/" {
        return Chosen::SesV2;
    }
    let untyped = !parts.headers.contains_key(header::CONTENT_TYPE);
    if parts.method == Method::POST && (is_form(parts) || untyped) {
        return match scope_service(parts).as_deref() {
            Some(crate::ses_v1::SIGNING_NAME) => Chosen::SesV1,
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
        Chosen::SesV1 => serve::<crate::ses_v1::SesV1>(&state, peer, parts, body).await,
        Chosen::Sns => serve::<crate::sns::Sns>(&state, peer, parts, body).await,
    }
}

/// The answer to a request refused because the server is busy, in the
/// throttling shape of the protocol that would have answered it; `None`
/// for mailsight's own endpoints (ingest, tracking, admin, dashboard),
/// which answer a plain 503.
pub fn busy(parts: &Parts, message: &str) -> Option<Response> {
    const OWN: [&str; 3] = ["/ingest/", "/_mailsight/", "/dashboard"];
    if OWN.iter().any(|p| parts.uri.path().starts_with(p)) {
        return None;
    }
    Some(match choose(parts) {
        Chosen::SesV2 => throttled::<crate::ses_v2::SesV2>(message),
        Chosen::SesV1 => throttled::<crate::ses_v1::SesV1>(message),
        Chosen::Sns => throttled::<crate::sns::Sns>(message),
    })
}

fn throttled<P: Protocol>(message: &str) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let e = ApiError::new(
        P::THROTTLING_CODE,
        StatusCode::SERVICE_UNAVAILABLE,
        message.to_owned(),
    );
    let mut response = P::render_error(&e, &request_id);
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-amzn-RequestId", v);
    }
    response
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
        let other = auth("sqs");
        let cases = [
            (
                parts("GET", "/v2/email/account", &[("authorization", &sns)]),
                "SesV2",
            ),
            (parts("POST", "/", &[FORM, ("authorization", &sns)]), "Sns"),
            (
                parts("POST", "/", &[FORM, ("authorization", &ses)]),
                "SesV1",
            ),
            (
                parts("POST", "/", &[FORM, ("authorization", &other)]),
                "Sns",
            ),
            (parts("POST", "/", &[FORM]), "Sns"),
            (parts("POST", "/", &[]), "Sns"),
            (parts("POST", "/", &[("authorization", &ses)]), "SesV1"),
            (
                parts(
                    "POST",
                    "/?X-Amz-Credential=AKID%2F20260101%2Fus-east-1%2Fses%2Faws4_request",
                    &[FORM],
                ),
                "SesV1",
            ),
            (
                parts(
                    "POST",
                    "/",
                    &[
                        ("content-type", "application/json"),
                        ("authorization", &ses),
                    ],
                ),
                "SesV2",
            ),
            (
                parts("GET", "/?Action=GetSendQuota", &[("authorization", &ses)]),
                "SesV2",
            ),
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
                Chosen::SesV1 => "SesV1",
                Chosen::Sns => "Sns",
            };
            assert_eq!(got, expected, "{} {}", p.method, p.uri);
        }
    }
}
