//! One front for every protocol: the credential scope's service and the
//! route decide which protocol answers, and each answers in its own shape
//! (SES v2: JSON with `x-amzn-ErrorType`; SNS and SES v1: an XML
//! `<ErrorResponse>` in their own namespaces),
//! never in the other's.

use std::time::SystemTime;

use crate::common::*;

/// Sends a request signed for `service` with a test key.
async fn signed(
    url: &str,
    method: &str,
    path: &str,
    service: &str,
    content_type: &str,
    body: &[u8],
) -> reqwest::Response {
    let signing = Signing {
        service,
        content_type,
        secret: "secret",
        time: SystemTime::now(),
    };
    signed_as(url, method, path, body, signing).await
}

const FORM: &str = "application/x-www-form-urlencoded; charset=utf-8";

const SNS_NAMESPACE: &str = "http://sns.amazonaws.com/doc/2010-03-31/";
const SES_NAMESPACE: &str = "http://ses.amazonaws.com/doc/2010-12-01/";

/// Status, `Code` and the whole body of an SNS-shaped XML error.
async fn xml_error(resp: reqwest::Response) -> (u16, String, String) {
    xml_error_in(resp, SNS_NAMESPACE).await
}

/// Status, `Code` and the whole body of a query-protocol XML error in
/// `namespace`.
async fn xml_error_in(resp: reqwest::Response, namespace: &str) -> (u16, String, String) {
    let status = resp.status().as_u16();
    assert!(
        resp.headers().get("x-amzn-ErrorType").is_none(),
        "a query-protocol error carries no REST-JSON error header"
    );
    assert!(resp.headers().get("x-amzn-RequestId").is_some());
    assert_eq!(resp.headers().get("content-type").unwrap(), "text/xml");
    let body = resp.text().await.unwrap();
    assert!(
        body.starts_with(&format!(r#"<ErrorResponse xmlns="{namespace}">"#)),
        "{body}"
    );
    let code = xml_text(&body, "Code").unwrap_or_default();
    (status, code, body)
}

#[tokio::test]
async fn a_request_signed_for_sns_on_an_ses_route_gets_the_ses_error() {
    let t = start().await;
    let url = t.server.url();
    let resp = signed(
        &url,
        "GET",
        "/v2/email/account",
        "sns",
        "application/json",
        b"",
    )
    .await;
    let body = expect_error(resp, 403, "InvalidSignatureException").await;
    assert!(
        body["message"].as_str().unwrap().contains("'ses'"),
        "{body}"
    );
    // Signed for SES, the same call works.
    let resp = signed(
        &url,
        "GET",
        "/v2/email/account",
        "ses",
        "application/json",
        b"",
    )
    .await;
    assert_eq!(resp.status(), 200);
    t.server.stop().await.unwrap();
}

#[tokio::test]
async fn form_posts_go_to_ses_v1_or_sns_by_the_scope_s_service() {
    let t = start().await;
    let url = t.server.url();
    let body = b"Action=ListTopics&Version=2010-03-31";
    // Signed for another service: SNS's to refuse, in its XML.
    let (status, code, xml) = xml_error(signed(&url, "POST", "/", "sqs", FORM, body).await).await;
    assert_eq!(
        (status, code.as_str()),
        (403, "InvalidSignatureException"),
        "{xml}"
    );
    assert!(xml.contains("&apos;sns&apos;"), "{xml}");
    // Signed for SES: SES v1 answers, in its own XML, and has no ListTopics.
    let resp = signed(&url, "POST", "/", "ses", FORM, body).await;
    let (status, code, xml) = xml_error_in(resp, SES_NAMESPACE).await;
    assert_eq!((status, code.as_str()), (400, "InvalidAction"), "{xml}");
    // Signed for SNS, the same call works and answers in SNS's XML.
    let resp = signed(&url, "POST", "/", "sns", FORM, body).await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers().get("x-amzn-RequestId").is_some());
    let text = resp.text().await.unwrap();
    assert!(text.starts_with("<ListTopicsResponse"), "{text}");
    // Signed for SES, an SES v1 action answers in SES v1's XML.
    let body = b"Action=GetSendQuota&Version=2010-12-01";
    let resp = signed(&url, "POST", "/", "ses", FORM, body).await;
    assert_eq!(resp.status(), 200);
    let text = resp.text().await.unwrap();
    assert!(
        text.starts_with(&format!(
            r#"<GetSendQuotaResponse xmlns="{SES_NAMESPACE}">"#
        )),
        "{text}"
    );
    t.server.stop().await.unwrap();
}

#[tokio::test]
async fn query_protocol_requests_without_an_action_get_an_xml_error() {
    let t = start().await;
    let url = t.server.url();
    let resp = signed(&url, "POST", "/", "sns", FORM, b"Version=2010-03-31").await;
    let (status, code, xml) = xml_error(resp).await;
    assert_eq!((status, code.as_str()), (400, "MissingAction"), "{xml}");
    let resp = reqwest::Client::new()
        .post(format!("{url}/"))
        .header("content-type", FORM)
        .body("Action=")
        .send()
        .await
        .unwrap();
    let (status, code, _) = xml_error(resp).await;
    assert_eq!((status, code.as_str()), (400, "MissingAction"));
    t.server.stop().await.unwrap();
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_in_each_protocol_s_shape() {
    let t = start_with(|c| c.max_body_bytes = 1024).await;
    let url = t.server.url();
    let big = vec![b'a'; 4096];
    let resp = signed(
        &url,
        "POST",
        "/v2/email/configuration-sets",
        "ses",
        "application/json",
        &big,
    )
    .await;
    expect_error(resp, 413, "RequestEntityTooLargeException").await;
    let mut form = b"Action=ListTopics&Name=".to_vec();
    form.extend_from_slice(&big);
    let (status, code, _) = xml_error(signed(&url, "POST", "/", "sns", FORM, &form).await).await;
    assert_eq!((status, code.as_str()), (413, "RequestEntityTooLarge"));
    let resp = signed(&url, "POST", "/", "ses", FORM, &form).await;
    let (status, code, _) = xml_error_in(resp, SES_NAMESPACE).await;
    assert_eq!((status, code.as_str()), (413, "RequestEntityTooLarge"));
    t.server.stop().await.unwrap();
}
