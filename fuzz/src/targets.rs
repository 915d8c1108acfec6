//! The body of every fuzz target, one function per parser of untrusted
//! input. `fuzz_targets/<name>.rs` hands libFuzzer's input to the function
//! of that name; the workspace's test `crates/mailsight/tests/fuzz_regressions.rs`
//! includes this file and replays the inputs kept under `fuzz/regressions/`
//! and `fuzz/seeds/` through the same functions, on the stable toolchain.
//! Each function may panic only where it asserts an invariant.

use mailsight_api::query::Params;
use mailsight_engine::ingest::split as splitter;
use mailsight_engine::outgoing::{Content, SendRequest, TemplateContent, prepare};
use mailsight_engine::template::{check_syntax, parse_data, render};
use mailsight_engine::tracking::TokenKey;
use mailsight_engine::tracking::entities::decode_attribute;
use mailsight_engine::tracking::rewrite::{Tracking, rewrite_html};
use mailsight_sigv4::{RequestParts, check_head, parse, verify};
use mailsight_sns::{CertUrlPolicy, Envelope};

/// A target: takes any bytes, panics only on a broken invariant.
pub type Target = fn(&[u8]);

/// Every target, by name (the directory names under `fuzz/regressions/`).
pub const TARGETS: &[(&str, Target)] = &[
    ("sigv4", sigv4),
    ("sns_envelope", sns_envelope),
    ("cert_url", cert_url),
    ("ses_record", ses_record),
    ("split", split),
    ("firehose_body", firehose_body),
    ("eventbridge_body", eventbridge_body),
    ("query_form", query_form),
    ("raw_mime", raw_mime),
    ("template", template),
    ("tracking", tracking),
];

/// SigV4: the Authorization header and presigned-URL query parsers, then
/// the verifier. The input is a request as text: "METHOD URI", header
/// lines "name: value", a blank line, the body.
pub fn sigv4(data: &[u8]) {
    let (head, body) = match data.windows(2).position(|w| w == b"\n\n") {
        Some(at) => (&data[..at], &data[at + 2..]),
        None => (data, &[][..]),
    };
    let Ok(head) = std::str::from_utf8(head) else {
        return;
    };
    let mut lines = head.split('\n');
    let first = lines.next().unwrap_or_default();
    let (method, uri) = first.split_once(' ').unwrap_or(("GET", first));
    let (Ok(method), Ok(uri)) = (method.parse::<http::Method>(), uri.parse::<http::Uri>()) else {
        return;
    };
    let mut headers = http::HeaderMap::new();
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        if let (Ok(n), Ok(v)) = (
            http::HeaderName::from_bytes(name.trim().as_bytes()),
            http::HeaderValue::from_str(value.trim()),
        ) {
            headers.append(n, v);
        }
    }
    let req = RequestParts {
        method: &method,
        uri: &uri,
        headers: &headers,
        body,
    };
    let Ok(auth) = parse(&req) else {
        return;
    };
    // At the request's own time, so the time window is not what refuses it.
    let skew = std::time::Duration::from_secs(900);
    let _ = check_head(&req, &auth, auth.date, skew);
    let _ = verify(&req, &auth, "secret", auth.date, skew);
}

/// The SNS envelope parser (`/ingest/sns` bodies): whatever parses
/// serialises and parses back to the same envelope.
pub fn sns_envelope(data: &[u8]) {
    let Ok(envelope) = Envelope::parse(data) else {
        return;
    };
    let again = Envelope::parse(envelope.to_json().as_bytes()).expect("its own JSON parses");
    assert_eq!(again, envelope);
}

/// The SigningCertURL and SubscribeURL policy: no panic, and nothing but
/// https is ever accepted for SNS's hosts. The scheme is the parsed URL's:
/// the URL standard drops leading controls and spaces, as the HTTP client
/// that would fetch it does (the first crash this target found was this
/// invariant written against the raw string).
pub fn cert_url(data: &[u8]) {
    let Ok(url) = std::str::from_utf8(data) else {
        return;
    };
    let aws = CertUrlPolicy::aws();
    if aws.check(url).is_ok() || aws.trusts_https_url(url) {
        let parsed = url::Url::parse(url).expect("an accepted URL parses");
        assert_eq!(parsed.scheme(), "https", "{url}");
    }
    let local = CertUrlPolicy::none()
        .allow_host("127.0.0.1:8443")
        .allow_http_host("localhost:4566");
    let _ = local.check(url);
    let _ = local.trusts_https_url(url);
}

/// The SES event record parser (every ingest path and `mailsight import`).
pub fn ses_record(data: &[u8]) {
    let _ = mailsight_model::record::parse(data);
}

const LIMIT: usize = 1 << 20;
/// The NDJSON / concatenated / pretty JSON splitter and the bounded
/// gunzip: pieces are slices of the input, in order; gunzip never gives
/// more than its limit.
pub fn split(data: &[u8]) {
    let whole = splitter::split(data);
    let mut last_end = 0;
    for piece in whole.iter().flatten() {
        let start = piece.bytes.as_ptr() as usize - data.as_ptr() as usize;
        assert!(start >= last_end && start + piece.bytes.len() <= data.len());
        last_end = start + piece.bytes.len();
    }
    let (partial, consumed) = splitter::split_partial(data, false);
    assert!(consumed <= data.len());
    assert!(partial.len() <= whole.len() + 1);
    if let Ok(unpacked) = splitter::maybe_gunzip(data, LIMIT) {
        assert!(unpacked.len() <= LIMIT.max(data.len()));
    }
}

/// `/ingest/firehose` request bodies: the delivery JSON, base64 records,
/// the records inside, gzip when the first byte says so.
pub fn firehose_body(data: &[u8]) {
    let Some((&flag, body)) = data.split_first() else {
        return;
    };
    let _ = mailsight_api::ingest::firehose::decode(body, flag & 1 == 1, 1 << 20);
}

/// `/ingest/eventbridge` request bodies: an event or an array of them.
pub fn eventbridge_body(data: &[u8]) {
    if let Some((bodies, malformed)) = mailsight_api::ingest::eventbridge::record_bodies(data) {
        for body in &bodies {
            serde_json::from_slice::<serde_json::Value>(body).expect("a detail is JSON");
        }
        let _ = malformed;
    }
}

/// The AWS query protocol's form parser (SES v1, SNS): lists, maps and
/// scalars read from any form.
pub fn query_form(data: &[u8]) {
    let params = Params::parse(data);
    let _ = params.named_action();
    let _ = params.list("Destination.ToAddresses");
    let _ = params.items("Tags");
    let _ = params.map("Attributes");
    let _ = params.number("MaxItems");
    let _ = params.flag("Enabled");
}

/// SendRawEmail's MIME: the raw message, its headers (From, the X-SES-*
/// ones) and recipients, as the sending path reads them.
pub fn raw_mime(data: &[u8]) {
    let req = SendRequest {
        account_id: "000000000000".into(),
        caller: "AKIDFUZZ".into(),
        source_ip: "127.0.0.1".into(),
        from: None,
        to: Vec::new(),
        cc: Vec::new(),
        bcc: Vec::new(),
        reply_to: Vec::new(),
        content: Content::Raw(data.to_vec()),
        tags: Vec::new(),
        configuration_set: None,
        list_management: None,
        operation: "SendRawEmail",
        tenant: None,
    };
    let _ = prepare(&req);
}

/// Templates: the syntax check, `TemplateData` and rendering. The input is
/// subject, text, html and data, separated by 0xFF bytes.
pub fn template(data: &[u8]) {
    let mut parts = data.split(|&b| b == 0xff).map(String::from_utf8_lossy);
    let mut next = || parts.next().map(|p| p.into_owned());
    let t = TemplateContent {
        subject: next(),
        text: next(),
        html: next(),
    };
    let data = next().unwrap_or_else(|| "{}".into());
    let syntax = check_syntax(&t);
    let Ok(value) = parse_data("TemplateData", &data) else {
        return;
    };
    let rendered = render(&t, &value);
    if syntax.is_err() {
        assert!(
            rendered.is_err(),
            "a template its check refuses does not render"
        );
    }
}

/// Tracking: tokens from open/click/unsubscribe URLs, and the HTML link
/// rewriter (with its entity decoding). The first byte picks which.
pub fn tracking(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    match which % 3 {
        0 => {
            let key = TokenKey::new(b"fuzz-secret".to_vec());
            // A token nobody signed never verifies.
            assert!(key.verify(&text).is_none() || text.contains('.'));
        }
        1 => {
            let wrap = |link: &str, _tags: serde_json::Map<String, serde_json::Value>| {
                format!("https://t.example/c/{}", link.len())
            };
            let t = Tracking {
                pixel: Some("https://t.example/o/x".into()),
                wrap: Some(&wrap),
            };
            let _ = rewrite_html(&text, &t);
        }
        _ => {
            let _ = decode_attribute(&text);
        }
    }
}
