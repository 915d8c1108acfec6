//! Property tests: whatever the official signer signs verifies, any change
//! breaks it, and no input makes the verifier panic.

mod common;

use std::time::Duration;

use common::*;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};
use mailsight_sigv4::{RequestParts, check_time, parse, verify};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use proptest::prelude::*;

const STRICT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');
/// Leaves the sub-delimiters that may appear raw in a path.
const LENIENT: &AsciiSet = &STRICT
    .remove(b'@')
    .remove(b':')
    .remove(b'+')
    .remove(b'=')
    .remove(b'!')
    .remove(b'$')
    .remove(b',')
    .remove(b';');

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => Just(".".to_owned()),
        1 => Just("..".to_owned()),
        1 => Just(String::new()),
        8 => ("\\PC{0,10}", any::<bool>()).prop_map(|(raw, strict)| {
            utf8_percent_encode(&raw, if strict { STRICT } else { LENIENT }).to_string()
        }),
    ]
}

fn query() -> impl Strategy<Value = String> {
    prop::collection::vec(("[a-zA-Z0-9 +/=&%é.-]{0,8}", "\\PC{0,8}"), 0..5).prop_map(|pairs| {
        pairs
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    utf8_percent_encode(k, STRICT),
                    utf8_percent_encode(v, STRICT)
                )
            })
            .collect::<Vec<_>>()
            .join("&")
    })
}

#[derive(Debug, Clone)]
struct Case {
    method: &'static str,
    path_and_query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    presigned: bool,
    token: bool,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::sample::select(vec!["GET", "POST", "PUT", "DELETE", "PATCH"]),
        prop::collection::vec(segment(), 0..5),
        any::<bool>(),
        query(),
        prop::collection::vec(("x-t-[a-z]{1,6}", "[ -~]{0,16}"), 0..4),
        prop::collection::vec(any::<u8>(), 0..64),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(method, segments, trailing, query, headers, body, presigned, token)| {
                let mut path = format!("/v2/email/{}", segments.join("/"));
                if trailing {
                    path.push('/');
                }
                let path_and_query = if query.is_empty() {
                    path
                } else {
                    format!("{path}?{query}")
                };
                Case {
                    method,
                    path_and_query,
                    headers,
                    body,
                    presigned,
                    token,
                }
            },
        )
}

fn sign_case(c: &Case) -> Received {
    let opts = Opts {
        presign_for: c.presigned.then_some(Duration::from_secs(900)),
        session_token: c.token.then(|| "token/with+chars=".to_owned()),
        ..Opts::default()
    };
    let headers: Vec<(&str, &str)> = c
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    sign_with(c.method, &c.path_and_query, &headers, &c.body, &opts)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn signed_requests_verify(c in case()) {
        let req = sign_case(&c);
        prop_assert_eq!(req.check(), Ok(()));
    }

    #[test]
    fn any_change_breaks_the_signature(c in case(), pick in any::<prop::sample::Index>()) {
        let req = sign_case(&c);
        prop_assert_eq!(req.check(), Ok(()));

        prop_assert!(req.check_with("another-secret", signing_time()).is_err());

        if !req.body.is_empty() {
            let mut r = req.clone();
            let i = pick.index(r.body.len());
            r.body[i] ^= 0x01;
            prop_assert!(r.check().is_err(), "body change accepted");
        }

        // Change one alphanumeric character of the path.
        {
            let path = req.uri.path();
            let positions: Vec<usize> = path
                .char_indices()
                .filter(|(_, ch)| ch.is_ascii_alphanumeric())
                .map(|(i, _)| i)
                .collect();
            let i = positions[pick.index(positions.len())];
            let mut bytes = path.as_bytes().to_vec();
            bytes[i] = if bytes[i] == b'a' { b'b' } else { b'a' };
            let new_path = String::from_utf8(bytes).unwrap();
            let pq = match req.uri.query() {
                Some(q) => format!("{new_path}?{q}"),
                None => new_path.clone(),
            };
            // Dot segments make some changes invisible to SigV4 (the signers
            // normalise the path); only changes that survive must fail.
            if dot_normalized(&new_path) != dot_normalized(req.uri.path()) {
                let mut r = req.clone();
                r.uri = pq.parse().unwrap();
                prop_assert!(r.check().is_err(), "path change accepted: {}", pq);
            }
        }

        // Change the value of one signed header.
        {
            let auth = parse(&req.parts()).unwrap();
            let name = &auth.signed_headers[pick.index(auth.signed_headers.len())];
            let mut r = req.clone();
            let old = r.headers.get(name.as_str()).unwrap().to_str().unwrap().to_owned();
            r.headers.insert(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(&format!("{old}z")).unwrap(),
            );
            prop_assert!(r.check().is_err(), "header {} change accepted", name);
        }

        // Change one hex digit of the signature.
        {
            let auth = parse(&req.parts()).unwrap();
            let mut sig = auth.signature.clone().into_bytes();
            let i = pick.index(sig.len());
            sig[i] = if sig[i] == b'0' { b'1' } else { b'0' };
            let mut tampered = auth.clone();
            tampered.signature = String::from_utf8(sig).unwrap();
            let parts = req.parts();
            prop_assert!(verify(&parts, &tampered, SECRET, signing_time(), SKEW).is_err());
        }
    }

    #[test]
    fn garbage_authorization_never_panics(
        authorization in prop::collection::vec(any::<u8>(), 0..200),
        date in prop::collection::vec(any::<u8>(), 0..24),
        content_sha in "\\PC{0,70}",
        body in prop::collection::vec(any::<u8>(), 0..16),
        now in -10_000_000_000i64..10_000_000_000i64,
        skew in any::<u64>(),
    ) {
        let mut headers = HeaderMap::new();
        if let Ok(v) = HeaderValue::from_bytes(&authorization) {
            headers.insert("authorization", v);
        }
        if let Ok(v) = HeaderValue::from_bytes(&date) {
            headers.insert("x-amz-date", v);
        }
        if let Ok(v) = HeaderValue::from_str(&content_sha) {
            headers.insert("x-amz-content-sha256", v);
        }
        headers.insert("host", HeaderValue::from_static(HOST));
        exercise(&Method::POST, &"/v2/email/x".parse().unwrap(), &headers, &body, now, skew);
    }

    #[test]
    fn near_valid_authorization_never_panics(
        key in "[A-Z0-9/]{0,6}",
        day in "[0-9]{0,9}",
        region in "[a-z0-9/-]{0,6}",
        service in "[a-z/]{0,4}",
        term in prop::sample::select(vec!["aws4_request", "aws4", ""]),
        signed in "[a-z;-]{0,20}",
        sig in "[0-9a-fA-F]{0,66}",
        date in "[0-9TZ]{14,17}",
        sep in prop::sample::select(vec![", ", ",", " , ", ",,"]),
        now in -10_000_000_000i64..10_000_000_000i64,
        skew in any::<u64>(),
    ) {
        let value = format!(
            "AWS4-HMAC-SHA256 Credential={key}/{day}/{region}/{service}/{term}{sep}SignedHeaders={signed}{sep}Signature={sig}"
        );
        let mut headers = HeaderMap::new();
        headers.insert("authorization", HeaderValue::from_str(&value).unwrap());
        headers.insert("x-amz-date", HeaderValue::from_str(&date).unwrap());
        headers.insert("host", HeaderValue::from_static(HOST));
        exercise(&Method::GET, &"/".parse().unwrap(), &headers, b"", now, skew);
    }

    #[test]
    fn garbage_query_never_panics(
        pq in "/[ -~]{0,80}",
        expires in "[0-9-]{0,20}",
        date in "[0-9TZ]{0,17}",
        now in -10_000_000_000i64..10_000_000_000i64,
        skew in any::<u64>(),
    ) {
        let mut headers = HeaderMap::new();
        headers.insert("host", HeaderValue::from_static(HOST));
        if let Ok(uri) = pq.parse::<Uri>() {
            exercise(&Method::GET, &uri, &headers, b"", now, skew);
        }
        let presigned = format!(
            "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20240506%2Fus-east-1%2Fses%2Faws4_request&X-Amz-Date={date}&X-Amz-Expires={expires}&X-Amz-SignedHeaders=host&X-Amz-Signature=00"
        );
        if let Ok(uri) = presigned.parse::<Uri>() {
            exercise(&Method::GET, &uri, &headers, b"", now, skew);
        }
    }
}

/// Independent RFC 3986 dot-segment removal (plus empty segments), enough to
/// tell whether two paths are the same for SigV4.
fn dot_normalized(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    out
}

fn exercise(method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8], now: i64, skew: u64) {
    let parts = RequestParts {
        method,
        uri,
        headers,
        body,
    };
    let now = time::OffsetDateTime::from_unix_timestamp(now).unwrap();
    let skew = Duration::from_secs(skew);
    if let Ok(auth) = parse(&parts) {
        let _ = check_time(&auth, now, skew);
        let result = verify(&parts, &auth, SECRET, now, skew);
        assert!(result.is_err(), "garbage verified: {auth:?}");
        let _ = result.map_err(|e| (e.aws_code(), e.status(), e.to_string()));
    }
}
