//! Bounds on load: requests beyond the in-flight cap are refused in each
//! protocol's throttling shape, and the ephemeral mode keeps nothing.

use std::time::{Duration, Instant, SystemTime};

use aws_sdk_sesv2::config::retry::RetryConfig;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::common::*;

/// Starts a request that holds its place in flight: the headers (signed
/// in form, for whatever checks come before the body) and half its body.
async fn hold(url: &str) -> TcpStream {
    let addr = url.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).await.unwrap();
    let now = time::OffsetDateTime::now_utc();
    let date = format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    let head = format!(
        "POST /v2/email/outbound-emails HTTP/1.1\r\nHost: {addr}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\nX-Amz-Date: {date}\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/{}/us-east-1/ses/aws4_request, \
         SignedHeaders=host;x-amz-date, Signature={}\r\n\r\n{{\"Content\":",
        &date[..8],
        "0".repeat(64)
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s
}

/// Calls GetAccount until it is refused as busy (the held requests reach
/// the server asynchronously).
async fn until_busy(url: &str) -> reqwest::Response {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let r = signed(
            url,
            "GET",
            "/v2/email/account",
            b"",
            "secret",
            SystemTime::now(),
        )
        .await;
        if r.status().as_u16() == 503 {
            return r;
        }
        assert!(Instant::now() < deadline, "never refused: {}", r.status());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn requests_beyond_the_cap_get_each_protocol_s_throttling_error() {
    let t = start_with(|c| c.max_requests_in_flight = 2).await;
    let url = t.server.url();
    let held = vec![hold(&url).await, hold(&url).await];

    let r = until_busy(&url).await;
    assert_eq!(r.headers()["retry-after"], "1");
    let body = expect_error(r, 503, "TooManyRequestsException").await;
    assert!(body["message"].as_str().unwrap().contains("limit of 2"));

    for (service, version, action, code) in [
        ("ses", "2010-12-01", "GetSendQuota", "Throttling"),
        ("sns", "2010-03-31", "ListTopics", "Throttled"),
    ] {
        let (status, xml) = query_as(&url, service, version, &[("Action", action)]).await;
        assert_eq!(status, 503, "{service}: {xml}");
        assert_eq!(xml_text(&xml, "Code").as_deref(), Some(code), "{xml}");
    }
    // mailsight's own endpoints answer a plain 503; health and metrics are
    // not counted, so an operator still sees the server.
    let http = reqwest::Client::new();
    let own = http
        .get(format!("{url}/_mailsight/deliveries"))
        .send()
        .await
        .unwrap();
    assert_eq!(own.status().as_u16(), 503);
    assert!(own.headers().contains_key("retry-after"));
    let health = http.get(format!("{url}/health")).send().await.unwrap();
    assert_eq!(health.status().as_u16(), 200);

    // The SDK classifies the refusal as throttling.
    let client = t.client();
    let no_retries = aws_sdk_sesv2::Client::from_conf(
        client
            .config()
            .to_builder()
            .retry_config(RetryConfig::disabled())
            .build(),
    );
    let e = no_retries.get_account().send().await.unwrap_err();
    let e = e.into_service_error();
    assert!(e.is_too_many_requests_exception(), "{e:?}");

    // Once the held requests end, requests are answered again.
    drop(held);
    let deadline = Instant::now() + Duration::from_secs(10);
    while client.get_account().send().await.is_err() {
        assert!(Instant::now() < deadline, "still refused");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn the_ephemeral_mode_keeps_nothing() {
    // (Ephemeral is SQLite in memory, also when the suite runs on PostgreSQL.)
    let t = start_with(|c| {
        c.ephemeral = true;
        c.store.url = None;
    })
    .await;
    let client = t.client();
    verify_domain(&client).await;
    let id = send_to(&client, &["success@simulator.amazonses.com"]).await;
    let insights = insights_with_events(&client, &id, 2).await;
    assert_eq!(
        types_by_recipient(&insights),
        [(
            "success@simulator.amazonses.com".to_owned(),
            vec!["SEND".to_owned(), "DELIVERY".to_owned()]
        )]
    );
    // Nothing went to the configured data directory...
    assert_eq!(std::fs::read_dir(t.dir.path()).unwrap().count(), 0);
    // ...and a restart starts from nothing.
    let t = t.restart().await;
    let e = t
        .client()
        .get_message_insights()
        .message_id(&id)
        .send()
        .await
        .unwrap_err();
    assert!(e.into_service_error().is_not_found_exception());
}
