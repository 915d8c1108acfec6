//! Bad input over raw HTTP: malformed JSON, wrong types, oversized bodies,
//! unknown routes and bad path encodings each get an AWS-shaped error, and
//! the server keeps serving.

use std::time::SystemTime;

use crate::common::*;

#[tokio::test]
async fn malformed_requests_get_aws_shaped_errors() {
    let t = start_with(|c| c.max_body_bytes = 4096).await;
    let url = t.server.url();
    let now = SystemTime::now;
    let send = |method: &'static str, path: &'static str, body: Vec<u8>| {
        let url = url.clone();
        async move { signed(&url, method, path, &body, "secret", now()).await }
    };

    let resp = send(
        "POST",
        "/v2/email/configuration-sets",
        b"{not json".to_vec(),
    )
    .await;
    let body = expect_error(resp, 400, "BadRequestException").await;
    assert!(
        body["message"].as_str().unwrap().contains("not valid JSON"),
        "{body}"
    );

    let resp = send(
        "POST",
        "/v2/email/configuration-sets",
        br#"{"ConfigurationSetName": 42}"#.to_vec(),
    )
    .await;
    expect_error(resp, 400, "BadRequestException").await;

    let resp = send(
        "POST",
        "/v2/email/configuration-sets",
        br#"[1,2,3]"#.to_vec(),
    )
    .await;
    expect_error(resp, 400, "BadRequestException").await;

    let resp = send(
        "POST",
        "/v2/email/configuration-sets",
        br#"{"ConfigurationSetName":"a","TrackingOptions":{"HttpsPolicy":"SOMETIMES"}}"#.to_vec(),
    )
    .await;
    expect_error(resp, 400, "BadRequestException").await;

    let resp = send(
        "POST",
        "/v2/email/outbound-emails",
        br#"{"Content":{"Raw":{"Data":"***"}}}"#.to_vec(),
    )
    .await;
    expect_error(resp, 400, "BadRequestException").await;

    let resp = send(
        "POST",
        "/v2/email/outbound-emails",
        br#"{"Destination":{"ToAddresses":"x"}}"#.to_vec(),
    )
    .await;
    expect_error(resp, 400, "BadRequestException").await;

    let big = format!(r#"{{"ConfigurationSetName":"{}"}}"#, "a".repeat(8000)).into_bytes();
    let resp = send("POST", "/v2/email/configuration-sets", big).await;
    expect_error(resp, 413, "RequestEntityTooLargeException").await;

    let resp = send("GET", "/v2/email/no-such-thing", vec![]).await;
    expect_error(resp, 404, "UnknownOperationException").await;
    let resp = send("GET", "/", vec![]).await;
    expect_error(resp, 404, "UnknownOperationException").await;

    let resp = send("GET", "/v2/email/configuration-sets/%FF%FE", vec![]).await;
    expect_error(resp, 400, "BadRequestException").await;

    let resp = send("GET", "/v2/email/configuration-sets?PageSize=zero", vec![]).await;
    expect_error(resp, 400, "BadRequestException").await;
    let resp = send(
        "GET",
        "/v2/email/configuration-sets?NextToken=%21%21",
        vec![],
    )
    .await;
    expect_error(resp, 400, "BadRequestException").await;

    // The server is still healthy, and success answers carry a request id too.
    let resp = send("GET", "/v2/email/account", vec![]).await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers().get("x-amzn-RequestId").is_some());
    assert_eq!(
        resp.headers().get("content-type").unwrap(),
        "application/json"
    );
}

#[tokio::test]
async fn nothing_is_created_by_a_refused_request() {
    let t = start().await;
    let url = t.server.url();
    let resp = signed(
        &url,
        "POST",
        "/v2/email/configuration-sets/cs/event-destinations",
        br#"{"EventDestinationName":"d","EventDestination":{"MatchingEventTypes":["SEND"],"SnsDestination":{"TopicArn":"arn:aws:sns:us-east-1:0:t"}}}"#,
        "secret",
        SystemTime::now(),
    )
    .await;
    expect_error(resp, 404, "NotFoundException").await;
    let listed = t.client().list_configuration_sets().send().await.unwrap();
    assert!(listed.configuration_sets().is_empty());
}
