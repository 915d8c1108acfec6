//! Requests signed by the official `aws-sigv4` signer must verify.

mod common;

use std::time::Duration;

use common::*;
use mailsight_sigv4::{SigV4Error, check_scope, parse};

const JSON: &[u8] = br#"{"FromEmailAddress":"a@example.com","Destination":{"ToAddresses":["b@example.com"]},"Content":{"Simple":{"Subject":{"Data":"hi"},"Body":{"Text":{"Data":"hello  world"}}}}}"#;

#[test]
fn methods_and_bodies() {
    for (method, path, body) in [
        ("GET", "/v2/email/account", &b""[..]),
        ("POST", "/v2/email/outbound-emails", JSON),
        (
            "PUT",
            "/v2/email/account/sending",
            br#"{"SendingEnabled":true}"#,
        ),
        ("DELETE", "/v2/email/identities/example.com", b""),
        ("PATCH", "/v2/email/x", b"{}"),
    ] {
        let req = sign_simple(method, path, body);
        assert_eq!(req.check(), Ok(()), "{method} {path}");
    }
}

#[test]
fn parsed_fields() {
    let req = sign_simple("POST", "/v2/email/outbound-emails", JSON);
    let auth = parse(&req.parts()).unwrap();
    assert_eq!(auth.access_key_id, ACCESS_KEY);
    assert_eq!(auth.region, "us-east-1");
    assert_eq!(auth.service, "ses");
    assert_eq!(auth.scope_date, "20240506");
    assert_eq!(auth.date, signing_time());
    assert!(!auth.presigned);
    assert_eq!(auth.expires, None);
    assert_eq!(auth.signature.len(), 64);
    assert!(auth.signed_headers.contains(&"host".to_owned()));
    assert!(auth.signed_headers.contains(&"x-amz-date".to_owned()));
    assert!(auth.signed_headers.contains(&"content-type".to_owned()));
    assert_eq!(check_scope(&auth, "us-east-1", "ses"), Ok(()));
}

#[test]
fn percent_encoded_labels_are_double_encoded() {
    for path in [
        "/v2/email/identities/user%40example.com",
        "/v2/email/identities/user%2Btag%40example.com",
        "/v2/email/contact-lists/list%20name/contacts/a%2Fb",
        "/v2/email/identities/%E2%9C%93",
        "/v2/email/templates/a%3Ab%2Cc%3Dd",
        "/v2/email/insights/ID/",
        "/v2/email/a/./b/../c",
        "/v2//email//",
        "/v2/email/x@y:z",
        "/",
    ] {
        let req = sign_simple("GET", path, b"");
        assert_eq!(req.check(), Ok(()), "{path}");
    }
}

#[test]
fn query_strings() {
    for pq in [
        "/v2/email/suppression/addresses?Reason=BOUNCE&Reason=COMPLAINT",
        "/v2/email/suppression/addresses?Reason=COMPLAINT&Reason=BOUNCE",
        "/v2/email/suppression/addresses?StartDate=2024-01-01T00%3A00%3A00Z&PageSize=10",
        "/v2/email/identities?NextToken=abc%2Bdef%2F%3D%3D&PageSize=5",
        "/v2/email/x?b=2&a=1&A=0&a=0",
        "/v2/email/x?empty=&novalue",
        "/v2/email/x?k=%E2%9C%93%20space",
        "/v2/email/x?plus=a+b",
    ] {
        let req = sign_simple("GET", pq, b"");
        assert_eq!(req.check(), Ok(()), "{pq}");
    }
}

#[test]
fn extra_headers_and_multi_values() {
    let req = sign_with(
        "POST",
        "/v2/email/outbound-emails",
        &[
            ("content-type", "application/json"),
            ("x-custom", "  spaced   out  value "),
            ("x-multi", "one"),
            ("x-multi", "two"),
        ],
        JSON,
        &Opts::default(),
    );
    assert_eq!(req.check(), Ok(()));
}

#[test]
fn session_token() {
    let opts = Opts {
        session_token: Some("FQoGZXIvYXdzEXAMPLETOKEN//+=".to_owned()),
        ..Opts::default()
    };
    let req = sign_with("POST", "/v2/email/outbound-emails", &[], JSON, &opts);
    let auth = parse(&req.parts()).unwrap();
    assert!(
        auth.signed_headers
            .contains(&"x-amz-security-token".to_owned())
    );
    assert_eq!(
        auth.session_token.as_deref(),
        Some("FQoGZXIvYXdzEXAMPLETOKEN//+=")
    );
    assert!(!format!("{auth:?}").contains("EXAMPLETOKEN"));
    assert_eq!(req.check(), Ok(()));
}

#[test]
fn content_sha256_header() {
    let opts = Opts {
        content_sha256_header: true,
        ..Opts::default()
    };
    let req = sign_with("POST", "/v2/email/outbound-emails", &[], JSON, &opts);
    assert!(req.headers.contains_key("x-amz-content-sha256"));
    assert_eq!(req.check(), Ok(()));

    let mut tampered = req.clone();
    tampered.body.push(b' ');
    assert!(matches!(tampered.check(), Err(SigV4Error::Invalid(_))));
}

#[test]
fn unsigned_payload_header_is_refused() {
    let opts = Opts {
        content_sha256_header: true,
        unsigned_payload: true,
        ..Opts::default()
    };
    let req = sign_with("POST", "/v2/email/outbound-emails", &[], JSON, &opts);
    assert_eq!(
        req.headers.get("x-amz-content-sha256").unwrap(),
        "UNSIGNED-PAYLOAD"
    );
    // Correctly signed, yet any body would pass: refused.
    let err = req.check().unwrap_err();
    assert!(matches!(err, SigV4Error::Invalid(_)), "{err:?}");
    assert_eq!(err.aws_code(), "InvalidSignatureException");
    assert_eq!(err.status(), 403);
    assert!(err.to_string().contains("UNSIGNED-PAYLOAD"), "{err}");
    let mut other_body = req.clone();
    other_body.body = b"{\"Anything\":1}".to_vec();
    assert!(matches!(other_body.check(), Err(SigV4Error::Invalid(_))));
}

#[test]
fn presigned() {
    let opts = Opts {
        presign_for: Some(Duration::from_secs(300)),
        ..Opts::default()
    };
    for pq in [
        "/v2/email/account",
        "/v2/email/suppression/addresses?Reason=BOUNCE&Reason=COMPLAINT",
        "/v2/email/identities/user%40example.com",
    ] {
        let req = sign_with("GET", pq, &[], b"", &opts);
        assert!(!req.headers.contains_key("authorization"));
        let auth = parse(&req.parts()).unwrap();
        assert!(auth.presigned);
        assert_eq!(auth.expires, Some(300));
        assert_eq!(req.check(), Ok(()), "{pq}");
        // Still fine near the end of its lifetime, expired after it.
        let t = signing_time();
        assert_eq!(
            req.check_with(SECRET, t + time::Duration::seconds(300)),
            Ok(())
        );
        assert!(matches!(
            req.check_with(SECRET, t + time::Duration::seconds(301)),
            Err(SigV4Error::Expired(_))
        ));
    }
}

#[test]
fn presigned_with_session_token_and_unsigned_payload() {
    let opts = Opts {
        presign_for: Some(Duration::from_secs(3600)),
        session_token: Some("session/token+value".to_owned()),
        unsigned_payload: true,
        ..Opts::default()
    };
    // Without a body there is nothing to swap: fine.
    let get = sign_with("GET", "/v2/email/account", &[], b"", &opts);
    let auth = parse(&get.parts()).unwrap();
    assert_eq!(auth.session_token.as_deref(), Some("session/token+value"));
    assert_eq!(get.check(), Ok(()));
    // With one, the unsigned payload would let any body through.
    let post = sign_with("POST", "/v2/email/outbound-emails", &[], JSON, &opts);
    assert_eq!(post.check(), Err(SigV4Error::SignatureMismatch));
}

#[test]
fn presigned_with_body_hash() {
    let opts = Opts {
        presign_for: Some(Duration::from_secs(60)),
        ..Opts::default()
    };
    let req = sign_with("POST", "/v2/email/outbound-emails", &[], JSON, &opts);
    assert_eq!(req.check(), Ok(()));
    let mut tampered = req.clone();
    tampered.body[3] ^= 1;
    assert_eq!(tampered.check(), Err(SigV4Error::SignatureMismatch));
}

#[test]
fn other_region_and_service_verify_but_scope_check_tells() {
    let opts = Opts {
        region: "eu-west-1",
        service: "email",
        ..Opts::default()
    };
    let req = sign_with("GET", "/v2/email/account", &[], b"", &opts);
    assert_eq!(req.check(), Ok(()));
    let auth = parse(&req.parts()).unwrap();
    assert_eq!(auth.region, "eu-west-1");
    assert_eq!(auth.service, "email");
    assert_eq!(check_scope(&auth, "eu-west-1", "email"), Ok(()));
    let err = check_scope(&auth, "us-east-1", "email").unwrap_err();
    assert_eq!(err.aws_code(), "InvalidSignatureException");
    assert_eq!(
        err.to_string(),
        "Credential should be scoped to a valid region, not 'eu-west-1'."
    );
    let err = check_scope(&auth, "eu-west-1", "ses").unwrap_err();
    assert_eq!(
        err.to_string(),
        "Credential should be scoped to correct service: 'ses'."
    );
}

#[test]
fn http2_without_host_header_uses_authority() {
    let req = sign_simple("GET", "/v2/email/account", b"");
    let mut h2 = req.clone();
    h2.headers.remove("host");
    h2.uri = format!("https://{HOST}/v2/email/account").parse().unwrap();
    assert_eq!(h2.check(), Ok(()));
}

#[test]
fn uppercase_signature_hex_is_accepted() {
    let mut req = sign_simple("GET", "/v2/email/account", b"");
    let value = req.headers["authorization"].to_str().unwrap().to_owned();
    let (head, sig) = value.rsplit_once("Signature=").unwrap();
    let upper = format!("{head}Signature={}", sig.to_ascii_uppercase());
    req.headers.insert("authorization", upper.parse().unwrap());
    assert_eq!(req.check(), Ok(()));
}
