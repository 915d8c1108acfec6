//! SigV4: configured keys decide the account; wrong secrets, unknown keys,
//! stale dates and missing signatures are refused with AWS's codes.

use std::time::{Duration, SystemTime};

use crate::common::*;

#[tokio::test]
async fn keys_decide_the_account() {
    let t = start_with(with_two_accounts).await;
    let first = t.client();
    let second = client_for(&t.server.url(), "AKIDOTHER", "other-secret");
    first
        .create_configuration_set()
        .configuration_set_name("mine")
        .send()
        .await
        .unwrap();
    let err = second
        .get_configuration_set()
        .configuration_set_name("mine")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.into_service_error().is_not_found_exception(),
        "another account's set is invisible"
    );
    let listed = first.list_configuration_sets().send().await.unwrap();
    assert_eq!(listed.configuration_sets(), ["mine"]);

    first
        .create_email_identity()
        .email_identity("example.com")
        .send()
        .await
        .unwrap();
    let id = send_to(&first, &["success@simulator.amazonses.com"]).await;
    let err = second
        .get_message_insights()
        .message_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.into_service_error().meta().message(),
        Some(format!("Message {id} not found for account 444455556666").as_str())
    );
}

#[tokio::test]
async fn bad_credentials_are_refused() {
    let t = start_with(with_two_accounts).await;
    let url = t.server.url();

    let wrong_secret = client_for(&url, "AKIDEXAMPLE", "not-the-secret");
    let err = wrong_secret.get_account().send().await.unwrap_err();
    let raw = err.raw_response().unwrap();
    assert_eq!(raw.status().as_u16(), 403);
    assert_eq!(
        err.into_service_error().meta().code(),
        Some("InvalidSignatureException")
    );

    let unknown = client_for(&url, "AKIDUNKNOWN", "secret");
    let err = unknown.get_account().send().await.unwrap_err();
    assert_eq!(
        err.into_service_error().meta().code(),
        Some("UnrecognizedClientException")
    );

    // A correct signature from too long ago, and from the future.
    let stale = SystemTime::now() - Duration::from_secs(20 * 60);
    let resp = signed(&url, "GET", "/v2/email/account", b"", "secret", stale).await;
    let body = expect_error(resp, 403, "InvalidSignatureException").await;
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("Signature expired"),
        "{body}"
    );
    let future = SystemTime::now() + Duration::from_secs(20 * 60);
    let resp = signed(&url, "GET", "/v2/email/account", b"", "secret", future).await;
    expect_error(resp, 403, "InvalidSignatureException").await;

    // The same request, signed now, is accepted.
    let resp = signed(
        &url,
        "GET",
        "/v2/email/account",
        b"",
        "secret",
        SystemTime::now(),
    )
    .await;
    assert_eq!(resp.status(), 200);

    let resp = reqwest::get(format!("{url}/v2/email/account"))
        .await
        .unwrap();
    expect_error(resp, 403, "MissingAuthenticationTokenException").await;
    let resp = reqwest::Client::new()
        .get(format!("{url}/v2/email/account"))
        .header("authorization", "AWS4-HMAC-SHA256 garbage")
        .header("x-amz-date", "20260101T000000Z")
        .send()
        .await
        .unwrap();
    expect_error(resp, 400, "IncompleteSignatureException").await;
}

#[tokio::test]
async fn a_tampered_body_breaks_the_signature() {
    let t = start_with(with_two_accounts).await;
    let url = t.server.url();
    let resp = signed(
        &url,
        "POST",
        "/v2/email/configuration-sets",
        br#"{"ConfigurationSetName":"a"}"#,
        "secret",
        SystemTime::now(),
    )
    .await;
    assert_eq!(resp.status(), 200);
    // Sign one body, send another.
    use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
    let identity =
        aws_credential_types::Credentials::new("AKIDEXAMPLE", "secret", None, None, "t").into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("ses")
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let full = format!("{url}/v2/email/configuration-sets");
    let host = url.trim_start_matches("http://");
    let signable = SignableRequest::new(
        "POST",
        &full,
        [("host", host)].into_iter(),
        SignableBody::Bytes(br#"{"ConfigurationSetName":"b"}"#),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut req = http::Request::builder()
        .method("POST")
        .uri(&full)
        .body(())
        .unwrap();
    instructions.apply_to_request_http1x(&mut req);
    let mut out = reqwest::Client::new().post(&full);
    for (k, v) in req.headers() {
        out = out.header(k.as_str(), v.to_str().unwrap());
    }
    let resp = out
        .body(r#"{"ConfigurationSetName":"evil"}"#)
        .send()
        .await
        .unwrap();
    expect_error(resp, 403, "InvalidSignatureException").await;
    let err = t
        .client()
        .get_configuration_set()
        .configuration_set_name("evil")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.into_service_error().is_not_found_exception(),
        "the tampered request changed nothing"
    );
}

#[tokio::test]
async fn without_keys_any_well_formed_signature_is_accepted() {
    let t = start().await;
    let c = client_for(&t.server.url(), "ANYKEY", "any-secret");
    c.get_account().send().await.unwrap();
    // Unsigned requests are still refused.
    let resp = reqwest::get(format!("{}/v2/email/account", t.server.url()))
        .await
        .unwrap();
    expect_error(resp, 403, "MissingAuthenticationTokenException").await;
}

#[tokio::test]
async fn presigned_query_strings_are_verified() {
    use aws_sigv4::http_request::{
        SignableBody, SignableRequest, SignatureLocation, SigningSettings, sign,
    };
    let t = start_with(with_two_accounts).await;
    let url = t.server.url();
    let presign = |secret: &str, service: &str| {
        let identity =
            aws_credential_types::Credentials::new("AKIDEXAMPLE", secret, None, None, "t").into();
        let mut settings = SigningSettings::default();
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(Duration::from_secs(300));
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region("eu-west-1")
            .name(service)
            .time(SystemTime::now())
            .settings(settings)
            .build()
            .unwrap()
            .into();
        let full = format!("{url}/v2/email/account");
        let host = url.trim_start_matches("http://").to_owned();
        let signable = SignableRequest::new(
            "GET",
            &full,
            [("host", host.as_str())].into_iter(),
            SignableBody::Bytes(b""),
        )
        .unwrap();
        let (instructions, _) = sign(signable, &params).unwrap().into_parts();
        let mut req = http::Request::builder()
            .method("GET")
            .uri(&full)
            .body(())
            .unwrap();
        instructions.apply_to_request_http1x(&mut req);
        req.uri().to_string()
    };
    let resp = reqwest::get(presign("secret", "ses")).await.unwrap();
    assert_eq!(resp.status(), 200, "a presigned URL works, in any region");
    let resp = reqwest::get(presign("wrong", "ses")).await.unwrap();
    expect_error(resp, 403, "InvalidSignatureException").await;
    let resp = reqwest::get(presign("secret", "s3")).await.unwrap();
    let body = expect_error(resp, 403, "InvalidSignatureException").await;
    assert!(
        body["message"].as_str().unwrap().contains("'ses'"),
        "{body}"
    );
}
