//! mailsight's own HTTPS listener (`[tls] listen`): the topics it hosts
//! then sign with an https `SigningCertURL` under its local authority, which
//! is what SNS validators require, and another mailsight's `/ingest/sns`
//! that trusts that authority (`[ingest.sns] ca_file`) confirms the
//! subscription and stores the events, as it would from Amazon SNS.

use std::time::{Duration, Instant};

use aws_sdk_sesv2::types::EventType;

use crate::common::*;
use crate::sns_hosting::{create_topic, send_in_set, sns_destination};

/// A loopback address nothing listens on (the listener takes it next).
fn free_addr() -> std::net::SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

async fn sns(url: &str, params: &[(&str, &str)]) -> String {
    let (status, body) = query_as(url, "sns", "2010-03-31", params).await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test]
async fn a_hosted_topic_over_https_feeds_another_mailsights_sns_ingest() {
    let tls = free_addr();
    let a = start_with(|c| c.tls.listen = Some(tls)).await;
    // `Running::start` returns once the API's port is bound; the server
    // makes its authority, then binds the HTTPS port, just after.
    let ca = a.dir.path().join("tls").join("ca.pem");
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(tls).is_err() {
        assert!(Instant::now() < deadline, "the HTTPS port never answered");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        ca.is_file(),
        "the local authority is written before the port answers"
    );

    // The API answers over https too, with a certificate the authority signed.
    let https = reqwest::Client::builder()
        .tls_certs_merge([reqwest::Certificate::from_pem(&std::fs::read(&ca).unwrap()).unwrap()])
        .build()
        .unwrap();
    let health = https
        .get(format!("https://{tls}/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    assert!(
        reqwest::get(format!("https://{tls}/health")).await.is_err(),
        "a client that does not trust the local authority refuses the certificate"
    );

    let topic = create_topic(&a.server.url(), "to-ingest", &[]).await;
    let b = start_with(|c| {
        c.ingest.sns.topics = vec![topic.clone()];
        c.ingest.sns.cert_hosts = vec![tls.to_string()];
        c.ingest.sns.ca_file = Some(ca.clone());
    })
    .await;
    let endpoint = format!("{}/ingest/sns", b.server.url());
    sns(
        &a.server.url(),
        &[
            ("Action", "Subscribe"),
            ("TopicArn", &topic),
            ("Protocol", "http"),
            ("Endpoint", &endpoint),
        ],
    )
    .await;
    // B verifies the confirmation (fetching the certificate over https)
    // and visits its https SubscribeURL.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let listed = sns(
            &a.server.url(),
            &[("Action", "ListSubscriptionsByTopic"), ("TopicArn", &topic)],
        )
        .await;
        let arns = xml_texts(&listed, "SubscriptionArn");
        if arns.len() == 1 && arns[0].starts_with(&format!("{topic}:")) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the ingest endpoint never confirmed: {listed}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let c = a.client();
    verify_domain(&c).await;
    sns_destination(&c, "to-b", &topic, &[EventType::Send, EventType::Delivery]).await;
    let id = send_in_set(&c, "to-b", "success@simulator.amazonses.com").await;
    // B knows the message once the first notification has arrived. The
    // two are posted separately and, as with SNS, need not arrive in order:
    // wait for both.
    let b_client = b.client();
    let want = [(
        "success@simulator.amazonses.com".to_owned(),
        vec!["SEND".to_owned(), "DELIVERY".to_owned()],
    )];
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut got = Vec::new();
    while Instant::now() < deadline {
        if let Ok(out) = b_client.get_message_insights().message_id(&id).send().await {
            got = types_by_recipient(&out);
            if got == want {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(got, want, "B stored both events A published");
}
