//! Test helper: signs requests with the official `aws-sigv4` signer and
//! turns them into what the server sees.
#![allow(dead_code)]

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    SignableBody, SignableRequest, SignatureLocation, SigningSettings, sign,
};
use aws_sigv4::sign::v4;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};
use mailsight_sigv4::RequestParts;
use time::OffsetDateTime;

pub const ACCESS_KEY: &str = "AKIDEXAMPLE";
pub const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
pub const HOST: &str = "email.us-east-1.amazonaws.com";
pub const SKEW: Duration = Duration::from_secs(15 * 60);

/// 2024-05-06T07:08:09Z
pub fn signing_time() -> OffsetDateTime {
    time::macros::datetime!(2024-05-06 07:08:09 UTC)
}

/// A request as received by the server: origin-form URI, headers, body.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Received {
    pub fn parts(&self) -> RequestParts<'_> {
        RequestParts {
            method: &self.method,
            uri: &self.uri,
            headers: &self.headers,
            body: &self.body,
        }
    }

    /// `parse` + `verify` with the test secret at signing time.
    pub fn check(&self) -> Result<(), mailsight_sigv4::SigV4Error> {
        self.check_with(SECRET, signing_time())
    }

    pub fn check_with(
        &self,
        secret: &str,
        now: OffsetDateTime,
    ) -> Result<(), mailsight_sigv4::SigV4Error> {
        let parts = self.parts();
        let auth = mailsight_sigv4::parse(&parts)?;
        mailsight_sigv4::verify(&parts, &auth, secret, now, SKEW)
    }
}

#[derive(Debug, Clone)]
pub struct Opts {
    pub region: &'static str,
    pub service: &'static str,
    pub session_token: Option<String>,
    pub presign_for: Option<Duration>,
    pub time: OffsetDateTime,
    pub unsigned_payload: bool,
    pub content_sha256_header: bool,
}

impl Default for Opts {
    fn default() -> Self {
        Opts {
            region: "us-east-1",
            service: "ses",
            session_token: None,
            presign_for: None,
            time: signing_time(),
            unsigned_payload: false,
            content_sha256_header: false,
        }
    }
}

/// Signs `method path_and_query` (already percent-encoded, as it goes on the
/// wire) with a `Host` header plus `headers`, the way an SDK would.
pub fn sign_with(
    method: &str,
    path_and_query: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    opts: &Opts,
) -> Received {
    let full_uri = format!("https://{HOST}{path_and_query}");
    let mut all_headers: Vec<(&str, &str)> = vec![("host", HOST)];
    all_headers.extend_from_slice(headers);

    let identity =
        Credentials::new(ACCESS_KEY, SECRET, opts.session_token.clone(), None, "test").into();
    let mut settings = SigningSettings::default();
    if let Some(expires) = opts.presign_for {
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(expires);
    }
    if opts.content_sha256_header {
        settings.payload_checksum_kind = aws_sigv4::http_request::PayloadChecksumKind::XAmzSha256;
    }
    let time = SystemTime::UNIX_EPOCH + Duration::from_secs(opts.time.unix_timestamp() as u64);
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(opts.region)
        .name(opts.service)
        .time(time)
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let signable_body = if opts.unsigned_payload {
        SignableBody::UnsignedPayload
    } else {
        SignableBody::Bytes(body)
    };
    let signable = SignableRequest::new(
        method,
        full_uri.as_str(),
        all_headers.iter().copied(),
        signable_body,
    )
    .unwrap();
    let (instructions, _signature) = sign(signable, &params).unwrap().into_parts();

    let mut request = http::Request::builder()
        .method(method)
        .uri(full_uri.as_str())
        .body(())
        .unwrap();
    for (name, value) in &all_headers {
        request.headers_mut().append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    instructions.apply_to_request_http1x(&mut request);

    let uri: Uri = request
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str())
        .unwrap_or("/")
        .parse()
        .unwrap();
    Received {
        method: request.method().clone(),
        uri,
        headers: request.headers().clone(),
        body: body.to_vec(),
    }
}

pub fn sign_simple(method: &str, path_and_query: &str, body: &[u8]) -> Received {
    let headers: &[(&str, &str)] = if body.is_empty() {
        &[]
    } else {
        &[("content-type", "application/json")]
    };
    sign_with(method, path_and_query, headers, body, &Opts::default())
}
