//! Rejections: what is refused, with which AWS code, status and message.

mod common;

use std::time::Duration;

use common::*;
use http::HeaderValue;
use mailsight_sigv4::{SigV4Error, check_time, parse};

fn with_authorization(req: &Received, value: &str) -> Received {
    let mut req = req.clone();
    req.headers
        .insert("authorization", HeaderValue::from_str(value).unwrap());
    req
}

fn base() -> Received {
    sign_simple("GET", "/v2/email/account", b"")
}

fn authorization_of(req: &Received) -> String {
    req.headers["authorization"].to_str().unwrap().to_owned()
}

#[test]
fn error_codes_and_statuses() {
    let cases = [
        (
            SigV4Error::MissingAuthentication,
            "MissingAuthenticationTokenException",
            403,
        ),
        (
            SigV4Error::Incomplete("x".into()),
            "IncompleteSignatureException",
            400,
        ),
        (
            SigV4Error::UnknownAccessKey,
            "UnrecognizedClientException",
            403,
        ),
        (
            SigV4Error::SignatureMismatch,
            "InvalidSignatureException",
            403,
        ),
        (
            SigV4Error::Expired("x".into()),
            "InvalidSignatureException",
            403,
        ),
        (
            SigV4Error::NotYetCurrent("x".into()),
            "InvalidSignatureException",
            403,
        ),
        (
            SigV4Error::Invalid("x".into()),
            "InvalidSignatureException",
            403,
        ),
    ];
    for (err, code, status) in cases {
        assert_eq!(err.aws_code(), code);
        assert_eq!(err.status(), status);
    }
    assert_eq!(
        SigV4Error::MissingAuthentication.to_string(),
        "Missing Authentication Token"
    );
    assert_eq!(
        SigV4Error::UnknownAccessKey.to_string(),
        "The security token included in the request is invalid."
    );
    assert_eq!(
        SigV4Error::SignatureMismatch.to_string(),
        "The request signature we calculated does not match the signature you provided. \
         Check your AWS Secret Access Key and signing method. Consult the service \
         documentation for details."
    );
}

#[test]
fn missing_authentication() {
    let mut req = base();
    req.headers.remove("authorization");
    assert_eq!(parse(&req.parts()), Err(SigV4Error::MissingAuthentication));
}

#[test]
fn each_missing_part_is_reported() {
    let req = base();
    let full = authorization_of(&req);
    let (credential, rest) = full
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .unwrap()
        .split_once(", ")
        .unwrap();
    let (signed, signature) = rest.split_once(", ").unwrap();
    for (value, missing) in [
        (
            format!("AWS4-HMAC-SHA256 {signed}, {signature}"),
            "Credential",
        ),
        (
            format!("AWS4-HMAC-SHA256 {credential}, {signature}"),
            "SignedHeaders",
        ),
        (
            format!("AWS4-HMAC-SHA256 {credential}, {signed}"),
            "Signature",
        ),
        (
            format!("AWS4-HMAC-SHA256 {credential}, {signed}, Signature="),
            "Signature",
        ),
    ] {
        let err = parse(&with_authorization(&req, &value).parts()).unwrap_err();
        assert_eq!(err.aws_code(), "IncompleteSignatureException");
        assert_eq!(err.status(), 400);
        assert_eq!(
            err.to_string(),
            format!("Authorization header requires '{missing}' parameter. Authorization={value}")
        );
    }
}

#[test]
fn non_sigv4_authorization() {
    let mut req = with_authorization(&base(), "Bearer abc.def");
    req.headers.remove("x-amz-date");
    let err = parse(&req.parts()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Authorization header requires 'Credential' parameter. Authorization header \
         requires 'Signature' parameter. Authorization header requires 'SignedHeaders' \
         parameter. Authorization header requires existence of either a 'X-Amz-Date' or \
         a 'Date' header. Authorization=Bearer abc.def"
    );
}

#[test]
fn missing_equal_sign() {
    let value = "AWS4-HMAC-SHA256 Credential=AKID/20240506/us-east-1/ses/aws4_request, \
                 SignedHeaders=host;x-amz-date, Signature";
    let err = parse(&with_authorization(&base(), value).parts()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "'Signature' not a valid key=value pair (missing equal-sign) in Authorization \
             header: '{value}'."
        )
    );
}

#[test]
fn malformed_pieces() {
    let req = base();
    let good = authorization_of(&req);
    let cases = [
        good.replace("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256"),
        good.replace("AWS4-HMAC-SHA256 ", "AWS4-HMAC-SHA256"),
        good.replace("/aws4_request", "/aws5_request"),
        good.replace("/20240506/", "/2024056/"),
        good.replace("/us-east-1/", "//"),
        good.replace("AKIDEXAMPLE/", "/"),
        good.replace(
            "Credential=AKIDEXAMPLE/20240506/us-east-1/ses/aws4_request",
            "Credential=AKIDEXAMPLE",
        ),
        good.replace("SignedHeaders=", "SignedHeaders=;"),
        format!("{good}, Signature=abc"),
    ];
    for value in cases {
        let err = parse(&with_authorization(&req, &value).parts()).unwrap_err();
        assert_eq!(err.aws_code(), "IncompleteSignatureException", "{value}");
    }
}

#[test]
fn bad_or_missing_date() {
    let mut req = base();
    req.headers.insert(
        "x-amz-date",
        HeaderValue::from_static("2024-05-06T07:08:09Z"),
    );
    assert!(matches!(
        parse(&req.parts()),
        Err(SigV4Error::Incomplete(_))
    ));

    req.headers.remove("x-amz-date");
    let err = parse(&req.parts()).unwrap_err();
    assert!(err.to_string().starts_with(
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
    ));
}

#[test]
fn date_header_fallback_is_parsed() {
    let mut req = base();
    req.headers.remove("x-amz-date");
    req.headers.insert(
        "date",
        HeaderValue::from_static("Mon, 06 May 2024 07:08:09 GMT"),
    );
    let auth = parse(&req.parts()).unwrap();
    assert_eq!(auth.date, signing_time());
    // x-amz-date was signed but is gone now.
    assert!(matches!(req.check(), Err(SigV4Error::Invalid(_))));
}

#[test]
fn scope_date_must_match_request_date() {
    let req = base();
    let value = authorization_of(&req).replace("/20240506/", "/20240507/");
    let err = with_authorization(&req, &value).check().unwrap_err();
    assert_eq!(err.aws_code(), "InvalidSignatureException");
    assert_eq!(err.status(), 403);
    assert!(err.to_string().contains("20240507"), "{err}");
}

#[test]
fn clock_skew_both_directions() {
    let req = base();
    let t = signing_time();
    let fifteen = time::Duration::minutes(15);
    let second = time::Duration::seconds(1);
    assert_eq!(req.check_with(SECRET, t + fifteen), Ok(()));
    assert_eq!(req.check_with(SECRET, t - fifteen), Ok(()));

    let err = req.check_with(SECRET, t + fifteen + second).unwrap_err();
    assert_eq!(err.aws_code(), "InvalidSignatureException");
    assert_eq!(err.status(), 403);
    assert_eq!(
        err.to_string(),
        "Signature expired: 20240506T070809Z is now earlier than 20240506T070810Z \
         (20240506T072310Z - 15 min.)"
    );

    let err = req.check_with(SECRET, t - fifteen - second).unwrap_err();
    assert_eq!(err.aws_code(), "InvalidSignatureException");
    assert_eq!(
        err.to_string(),
        "Signature not yet current: 20240506T070809Z is still later than 20240506T070808Z \
         (20240506T065308Z + 15 min.)"
    );

    // check_time alone gives the same answers.
    let auth = parse(&req.parts()).unwrap();
    assert_eq!(check_time(&auth, t, SKEW), Ok(()));
    assert!(matches!(
        check_time(&auth, t + time::Duration::hours(1), SKEW),
        Err(SigV4Error::Expired(_))
    ));
    assert!(matches!(
        check_time(&auth, t - time::Duration::hours(1), SKEW),
        Err(SigV4Error::NotYetCurrent(_))
    ));
    // Extreme values do not overflow.
    assert!(check_time(&auth, t, Duration::MAX).is_ok());
}

#[test]
fn presigned_time_rules() {
    let opts = Opts {
        presign_for: Some(Duration::from_secs(3600)),
        ..Opts::default()
    };
    let req = sign_with("GET", "/v2/email/account", &[], b"", &opts);
    let t = signing_time();
    // Old but within X-Amz-Expires: fine even beyond the header skew.
    assert_eq!(
        req.check_with(SECRET, t + time::Duration::minutes(59)),
        Ok(())
    );
    let err = req
        .check_with(SECRET, t + time::Duration::minutes(61))
        .unwrap_err();
    assert!(matches!(err, SigV4Error::Expired(_)));
    assert_eq!(err.status(), 403);
    // Signed in the future beyond the skew.
    assert!(matches!(
        req.check_with(SECRET, t - time::Duration::minutes(16)),
        Err(SigV4Error::NotYetCurrent(_))
    ));
}

#[test]
fn presigned_malformed() {
    let opts = Opts {
        presign_for: Some(Duration::from_secs(60)),
        ..Opts::default()
    };
    let req = sign_with("GET", "/v2/email/account", &[], b"", &opts);
    let pq = req.uri.to_string();
    for broken in [
        pq.replace("X-Amz-Expires=60", "X-Amz-Expires=604801"),
        pq.replace("X-Amz-Expires=60", "X-Amz-Expires=-1"),
        pq.replace(
            "X-Amz-Algorithm=AWS4-HMAC-SHA256",
            "X-Amz-Algorithm=AWS4-HMAC-SHA1",
        ),
        pq.replace("X-Amz-Date=", "X-Amz-Nope="),
        pq.replace("X-Amz-SignedHeaders=", "X-Amz-Nope="),
        pq.replace("X-Amz-Credential=", "X-Amz-Nope="),
        format!("{pq}&X-Amz-Signature=00"),
    ] {
        let mut r = req.clone();
        r.uri = broken.parse().unwrap();
        let err = parse(&r.parts()).unwrap_err();
        assert_eq!(err.aws_code(), "IncompleteSignatureException", "{broken}");
    }
    // Both mechanisms at once.
    let both = with_authorization(&req, &authorization_of(&base()));
    assert!(matches!(
        parse(&both.parts()),
        Err(SigV4Error::Incomplete(_))
    ));
}

#[test]
fn host_must_be_signed() {
    let req = base();
    let value = authorization_of(&req).replace("SignedHeaders=host;", "SignedHeaders=");
    let err = with_authorization(&req, &value).check().unwrap_err();
    assert_eq!(err.aws_code(), "InvalidSignatureException");
    assert_eq!(
        err.to_string(),
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
    );
}

#[test]
fn signed_header_must_be_present() {
    let mut req = sign_simple("POST", "/v2/email/outbound-emails", b"{}");
    req.headers.remove("content-type");
    assert!(matches!(req.check(), Err(SigV4Error::Invalid(_))));
}

#[test]
fn wrong_secret_and_tampering() {
    let req = sign_simple("POST", "/v2/email/outbound-emails", b"{\"a\":1}");
    assert_eq!(req.check(), Ok(()));
    assert_eq!(
        req.check_with("wrong-secret", signing_time()),
        Err(SigV4Error::SignatureMismatch)
    );

    let mut other_method = req.clone();
    other_method.method = http::Method::PUT;
    assert_eq!(other_method.check(), Err(SigV4Error::SignatureMismatch));

    let mut other_path = req.clone();
    other_path.uri = "/v2/email/outbound-emails/".parse().unwrap();
    assert_eq!(other_path.check(), Err(SigV4Error::SignatureMismatch));

    let mut added_query = req.clone();
    added_query.uri = "/v2/email/outbound-emails?x=1".parse().unwrap();
    assert_eq!(added_query.check(), Err(SigV4Error::SignatureMismatch));

    let mut host = req.clone();
    host.headers
        .insert("host", HeaderValue::from_static("evil.example.com"));
    assert_eq!(host.check(), Err(SigV4Error::SignatureMismatch));

    // Unsigned payload claimed after the fact does not help.
    let mut unsigned = req.clone();
    unsigned.body = b"{\"a\":2}".to_vec();
    unsigned.headers.insert(
        "x-amz-content-sha256",
        HeaderValue::from_static("UNSIGNED-PAYLOAD"),
    );
    assert!(matches!(unsigned.check(), Err(SigV4Error::Invalid(_))));

    // Streaming payloads are not supported.
    let mut streaming = req.clone();
    streaming.headers.insert(
        "x-amz-content-sha256",
        HeaderValue::from_static("STREAMING-AWS4-HMAC-SHA256-PAYLOAD"),
    );
    assert!(matches!(streaming.check(), Err(SigV4Error::Incomplete(_))));
}

#[test]
fn double_encoding_matters() {
    // `%40` and `@` are different on the wire and must not be interchangeable.
    let req = sign_simple("GET", "/v2/email/identities/user%40example.com", b"");
    assert_eq!(req.check(), Ok(()));
    let mut decoded = req.clone();
    decoded.uri = "/v2/email/identities/user@example.com".parse().unwrap();
    assert_eq!(decoded.check(), Err(SigV4Error::SignatureMismatch));
}

/// `check_head` decides on the headers alone: a good signature passes it
/// whatever the body (the body is [`verify`]'s), and what the headers
/// already condemn is refused without one.
#[test]
fn the_head_check_needs_no_body_and_refuses_what_the_headers_condemn() {
    let req = sign_simple("POST", "/v2/email/outbound-emails", b"{\"a\":1}");
    let head = |r: &Received| {
        let mut parts = r.parts();
        parts.body = b"";
        let auth = parse(&parts)?;
        mailsight_sigv4::check_head(&parts, &auth, signing_time(), SKEW)
    };
    assert_eq!(head(&req), Ok(()));

    let late = signing_time() + Duration::from_secs(16 * 60);
    let auth = parse(&req.parts()).unwrap();
    assert!(matches!(
        mailsight_sigv4::check_head(&req.parts(), &auth, late, SKEW),
        Err(SigV4Error::Expired(_))
    ));

    let mut unsigned = req.clone();
    unsigned.headers.insert(
        "x-amz-content-sha256",
        HeaderValue::from_static("UNSIGNED-PAYLOAD"),
    );
    assert!(matches!(head(&unsigned), Err(SigV4Error::Invalid(_))));

    let no_host = with_authorization(
        &req,
        &authorization_of(&req).replace("SignedHeaders=", "SignedHeaders=x-amz-date;"),
    );
    let no_host = with_authorization(&no_host, &authorization_of(&no_host).replace(";host", ""));
    assert!(matches!(head(&no_host), Err(SigV4Error::Invalid(_))));
}
