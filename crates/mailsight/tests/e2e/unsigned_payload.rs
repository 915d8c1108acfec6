//! `x-amz-content-sha256: UNSIGNED-PAYLOAD` is refused by SES v2 (JSON
//! error), SES v1 and SNS (XML errors): a signature that leaves the body
//! out would let anyone who saw one request send any body under it. A key
//! whose secret is empty, which anyone could sign for, stops the start.

use std::time::SystemTime;

use crate::common::*;

/// Sends a request signed with the official signer, the payload left
/// unsigned (`UNSIGNED-PAYLOAD`), as only S3 clients do.
async fn unsigned(
    url: &str,
    service: &str,
    path: &str,
    content_type: &str,
    body: &[u8],
) -> reqwest::Response {
    use aws_sigv4::http_request::{
        PayloadChecksumKind, SignableBody, SignableRequest, SigningSettings, sign,
    };
    use aws_sigv4::sign::v4;
    let full = format!("{url}{path}");
    let host = url.trim_start_matches("http://").to_owned();
    let identity =
        aws_credential_types::Credentials::new("AKIDEXAMPLE", "secret", None, None, "test").into();
    let mut settings = SigningSettings::default();
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name(service)
        .time(SystemTime::now())
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let headers = [("host", host.as_str()), ("content-type", content_type)];
    let signable = SignableRequest::new(
        "POST",
        &full,
        headers.into_iter(),
        SignableBody::UnsignedPayload,
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut request = http::Request::builder().method("POST").uri(&full);
    for (k, v) in headers {
        request = request.header(k, v);
    }
    let mut request = request.body(body.to_vec()).unwrap();
    instructions.apply_to_request_http1x(&mut request);
    assert_eq!(
        request.headers()["x-amz-content-sha256"],
        "UNSIGNED-PAYLOAD"
    );
    let mut out = reqwest::Client::new().post(&full);
    for (k, v) in request.headers() {
        if k != "host" {
            out = out.header(k.as_str(), v.to_str().unwrap());
        }
    }
    out.body(request.into_body()).send().await.unwrap()
}

#[tokio::test]
async fn unsigned_payloads_are_refused_in_each_protocol() {
    // With keys: without any, signatures are not checked at all.
    let t = start_with(with_two_accounts).await;
    let url = t.server.url();

    let resp = unsigned(
        &url,
        "ses",
        "/v2/email/configuration-sets",
        "application/json",
        br#"{"ConfigurationSetName":"unsigned"}"#,
    )
    .await;
    let body = expect_error(resp, 403, "InvalidSignatureException").await;
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("UNSIGNED-PAYLOAD"),
        "{body}"
    );
    let sets = t.client().list_configuration_sets().send().await.unwrap();
    assert!(sets.configuration_sets().is_empty(), "nothing was created");

    let form = "application/x-www-form-urlencoded; charset=utf-8";
    for (service, body) in [
        ("ses", "Action=ListIdentities&Version=2010-12-01"),
        ("sns", "Action=ListTopics&Version=2010-03-31"),
    ] {
        let resp = unsigned(&url, service, "/", form, body.as_bytes()).await;
        assert_eq!(resp.status(), 403, "{service}");
        let xml = resp.text().await.unwrap();
        assert_eq!(
            xml_text(&xml, "Code").as_deref(),
            Some("InvalidSignatureException"),
            "{service}: {xml}"
        );
        assert!(
            xml_text(&xml, "Message")
                .unwrap()
                .contains("UNSIGNED-PAYLOAD"),
            "{xml}"
        );
    }
}

#[tokio::test]
async fn a_key_with_an_empty_secret_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(&dir);
    with_two_accounts(&mut config);
    config.auth.keys[1].secret_access_key = String::new();
    let err = match mailsight::Running::start(config).await {
        Ok(_) => panic!("a server with an empty secret started"),
        Err(e) => e,
    };
    let text = format!("{err:#}");
    assert!(
        text.contains("AKIDOTHER") && text.contains("empty secret_access_key"),
        "{text}"
    );
}
