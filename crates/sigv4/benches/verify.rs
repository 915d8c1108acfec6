//! SigV4 verification of a header-signed request (AWS's `get-vanilla`
//! vector), the check every API call pays. `cargo bench -p mailsight-sigv4`.

use http::{HeaderMap, HeaderValue, Method, Uri};
use mailsight_sigv4::{RequestParts, parse, verify};

fn main() {
    divan::main();
}

const AUTH: &str = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
     SignedHeaders=host;x-amz-date, \
     Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";

fn request() -> (Method, Uri, HeaderMap) {
    let mut headers = HeaderMap::new();
    headers.insert("host", HeaderValue::from_static("example.amazonaws.com"));
    headers.insert("x-amz-date", HeaderValue::from_static("20150830T123600Z"));
    headers.insert("authorization", HeaderValue::from_static(AUTH));
    (Method::GET, Uri::from_static("/"), headers)
}

#[divan::bench]
fn parse_and_verify(b: divan::Bencher) {
    let (method, uri, headers) = request();
    let now = time::macros::datetime!(2015-08-30 12:36:00 UTC);
    b.bench(|| {
        let parts = RequestParts {
            method: &method,
            uri: &uri,
            headers: &headers,
            body: b"",
        };
        let auth = parse(&parts).unwrap();
        verify(
            &parts,
            &auth,
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            now,
            mailsight_sigv4::DEFAULT_MAX_SKEW,
        )
        .unwrap();
    });
}
