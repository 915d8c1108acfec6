//! Vectors of the public AWS SigV4 test suite (as shipped with the official
//! signers): request as sent, secret, time and expected signature.

use http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};
use mailsight_sigv4::{RequestParts, SigV4Error, parse, verify};
use time::OffsetDateTime;
use time::macros::datetime;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const SUITE_TIME: OffsetDateTime = datetime!(2015-08-30 12:36:00 UTC);
const SKEW: std::time::Duration = std::time::Duration::from_secs(900);

fn check(
    method: &str,
    path_and_query: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    now: OffsetDateTime,
) -> Result<(), SigV4Error> {
    let method: Method = method.parse().unwrap();
    let uri: Uri = path_and_query.parse().unwrap();
    let mut map = HeaderMap::new();
    for (k, v) in headers {
        map.append(
            HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    let parts = RequestParts {
        method: &method,
        uri: &uri,
        headers: &map,
        body,
    };
    let auth = parse(&parts)?;
    verify(&parts, &auth, SECRET, now, SKEW)
}

fn authz(signed_headers: &str, signature: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
         SignedHeaders={signed_headers}, Signature={signature}"
    )
}

fn header_vector(
    method: &str,
    pq: &str,
    extra: &[(&str, &str)],
    body: &[u8],
    signed: &str,
    sig: &str,
) {
    let authorization = authz(signed, sig);
    let mut headers = vec![
        ("Host", "example.amazonaws.com"),
        ("X-Amz-Date", "20150830T123600Z"),
    ];
    headers.extend_from_slice(extra);
    headers.push(("Authorization", authorization.as_str()));
    assert_eq!(
        check(method, pq, &headers, body, SUITE_TIME),
        Ok(()),
        "{method} {pq}"
    );

    // The same vector with one hex digit of the signature changed must fail.
    let mut bad = sig.to_owned().into_bytes();
    bad[10] = if bad[10] == b'0' { b'1' } else { b'0' };
    let bad_authorization = authz(signed, std::str::from_utf8(&bad).unwrap());
    let last = headers.len() - 1;
    headers[last] = ("Authorization", bad_authorization.as_str());
    assert_eq!(
        check(method, pq, &headers, body, SUITE_TIME),
        Err(SigV4Error::SignatureMismatch)
    );
}

#[test]
fn get_vanilla() {
    header_vector(
        "GET",
        "/",
        &[],
        b"",
        "host;x-amz-date",
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    );
}

#[test]
fn get_vanilla_query_order_key_case() {
    header_vector(
        "GET",
        "/?Param2=value2&Param1=value1",
        &[],
        b"",
        "host;x-amz-date",
        "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
    );
}

#[test]
fn post_vanilla() {
    header_vector(
        "POST",
        "/",
        &[],
        b"",
        "host;x-amz-date",
        "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
    );
}

#[test]
fn get_vanilla_with_session_token() {
    header_vector(
        "GET",
        "/",
        &[(
            "X-Amz-Security-Token",
            "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267",
        )],
        b"",
        "host;x-amz-date;x-amz-security-token",
        "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8",
    );
}

#[test]
fn get_header_value_trim() {
    header_vector(
        "GET",
        "/",
        &[("My-Header1", " value1"), ("My-Header2", " \"a   b   c\"")],
        b"",
        "host;my-header1;my-header2;x-amz-date",
        "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
    );
}

#[test]
fn get_slashes_normalized() {
    header_vector(
        "GET",
        "//example//",
        &[],
        b"",
        "host;x-amz-date",
        "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84",
    );
}

#[test]
fn get_relative_relative_normalized() {
    header_vector(
        "GET",
        "/example1/example2/../..",
        &[],
        b"",
        "host;x-amz-date",
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    );
}

#[test]
fn post_x_www_form_urlencoded_parameters() {
    header_vector(
        "POST",
        "/",
        &[
            (
                "Content-Type",
                "application/x-www-form-urlencoded; charset=utf-8",
            ),
            ("Content-Length", "13"),
            (
                "x-amz-content-sha256",
                "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
            ),
        ],
        b"Param1=value1",
        "content-length;content-type;host;x-amz-content-sha256;x-amz-date",
        "328d1b9eaadca9f5818ef05e8392801e091653bafec24fcab71e7344e7f51422",
    );
}

#[test]
fn double_url_encoded_path() {
    // Lambda invoke with ':' percent-encoded in the function ARN label.
    let path = "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-west-2%3A892717189312%3Afunction%3Amy-rusty-fun/invocations";
    let authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20210511/us-east-2/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=4b93abbcc68be32bd64c18e2c71150660ab4c29bbd6c32a383a7517a88fc1804";
    let headers = [
        ("Host", "lambda.us-east-2.amazonaws.com"),
        ("X-Amz-Date", "20210511T154045Z"),
        ("Authorization", authorization),
    ];
    assert_eq!(
        check(
            "POST",
            path,
            &headers,
            b"",
            datetime!(2021-05-11 15:40:45 UTC)
        ),
        Ok(())
    );
}

#[test]
fn presigned_get_vanilla() {
    let pq = "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d";
    let headers = [("Host", "example.amazonaws.com")];
    assert_eq!(check("GET", pq, &headers, b"", SUITE_TIME), Ok(()));
    let later = SUITE_TIME + time::Duration::seconds(3601);
    assert!(matches!(
        check("GET", pq, &headers, b"", later),
        Err(SigV4Error::Expired(_))
    ));
    let tampered = pq.replace("X-Amz-Expires=3600", "X-Amz-Expires=7200");
    assert_eq!(
        check("GET", &tampered, &headers, b"", SUITE_TIME),
        Err(SigV4Error::SignatureMismatch)
    );
}

#[test]
fn presigned_with_session_token() {
    let pq = "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Security-Token=6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267&X-Amz-Signature=7ff2b50b376cb4d151970630573d6291dc128cc5c2a12ffb237f73cc53f67b6c";
    let headers = [("Host", "example.amazonaws.com")];
    assert_eq!(check("GET", pq, &headers, b"", SUITE_TIME), Ok(()));
}
