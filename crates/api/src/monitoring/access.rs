//! Who may read `/metrics` and `/_mailsight/ingest`.
//!
//! Without access keys (a local server on loopback) anyone may, as before.
//! With keys, a request must be SigV4-signed by one of them (for `ses`,
//! like the admin API) or carry the configured scrape token as
//! `Authorization: Bearer <token>`, since most scrapers cannot sign.
//! Every refusal is a 403 with `x-amzn-ErrorType` and a JSON `message`.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::state::AppState;

/// The largest body a signed scrape may carry (it needs none).
const MAX_BODY: usize = 64 * 1024;

/// `Ok` when the request may read the monitoring endpoints.
pub async fn allowed(state: &AppState, request: Request<Body>) -> Result<(), ApiError> {
    if !state.auth.has_keys() {
        return Ok(());
    }
    let (parts, body) = request.into_parts();
    let authorization = parts
        .headers
        .get(header::AUTHORIZATION)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if let Some(presented) = strip_bearer(authorization) {
        return match state.config.metrics.token() {
            Some(token) if crate::ingest::secret_matches(presented, &[token.to_owned()]) => Ok(()),
            _ => Err(denied("The bearer token is not the scrape token.")),
        };
    }
    let signed = authorization.starts_with(b"AWS4-")
        || parts
            .uri
            .query()
            .is_some_and(|q| q.contains("X-Amz-Credential="));
    if !signed {
        return Err(denied(
            "This endpoint needs a SigV4 signature or the scrape token (metrics.scrape_token) as a bearer token.",
        ));
    }
    let body = axum::body::to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| denied("The request body is too large."))?;
    state
        .auth
        .authenticate(&parts.method, &parts.uri, &parts.headers, &body)
        .map(|_| ())
        .map_err(|e| ApiError {
            status: StatusCode::FORBIDDEN,
            ..e
        })
}

fn strip_bearer(authorization: &[u8]) -> Option<&[u8]> {
    let scheme = authorization.get(..7)?;
    scheme
        .eq_ignore_ascii_case(b"bearer ")
        .then(|| authorization[7..].trim_ascii())
}

fn denied(message: &str) -> ApiError {
    ApiError::new("AccessDeniedException", StatusCode::FORBIDDEN, message)
}

/// A refusal, in the admin API's JSON error shape.
pub fn refusal(e: &ApiError) -> Response {
    (
        e.status,
        [
            ("content-type", "application/json"),
            ("x-amzn-ErrorType", e.code),
        ],
        e.body(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_are_read_case_insensitively() {
        assert_eq!(strip_bearer(b"Bearer abc"), Some(&b"abc"[..]));
        assert_eq!(strip_bearer(b"bearer  abc "), Some(&b"abc"[..]));
        assert_eq!(strip_bearer(b"Basic abc"), None);
        assert_eq!(strip_bearer(b"Bear"), None);
    }
}
