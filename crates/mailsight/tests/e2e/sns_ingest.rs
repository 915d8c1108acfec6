//! SES records delivered by SNS: signed envelopes (versions 1 and 2) are
//! verified against the certificate their URL names; everything forged,
//! altered, foreign or unsigned is refused; retries are stored once.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use mailsight_sns::{Envelope, SignatureVersion, Signer, notification, subscription_confirmation};
use serde_json::Value;

use crate::common::*;
use crate::ingest::{compact, firehose_snapshot, fixtures, snapshot, start_ingesting};

const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:ses-events";
const RAW_TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:ses-raw";
const CERT_URL: &str =
    "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-mailsight-test.pem";

/// A signer standing in for SNS, and a server that trusts its certificate
/// through a trusted-certificates directory (no route to AWS needed).
async fn start_sns() -> (TestServer, Signer, tempfile::TempDir) {
    let signer = Signer::generate(CERT_URL, "sns.amazonaws.com").unwrap();
    let certs = tempfile::tempdir().unwrap();
    std::fs::write(
        certs
            .path()
            .join("SimpleNotificationService-mailsight-test.pem"),
        signer.cert_pem(),
    )
    .unwrap();
    let dir = certs.path().to_owned();
    let t = start_ingesting(move |c| {
        c.ingest.sns.topics = vec![TOPIC.into()];
        c.ingest.sns.raw_topics = vec![RAW_TOPIC.into()];
        c.ingest.sns.trusted_certs_dir = Some(dir);
    })
    .await;
    (t, signer, certs)
}

fn signed(signer: &Signer, record: &[u8], version: SignatureVersion) -> Envelope {
    let mut e = notification(
        TOPIC,
        &compact(record),
        Some("Amazon SES Email Event Notification"),
        time::OffsetDateTime::now_utc(),
    );
    signer.sign(&mut e, version).unwrap();
    e
}

async fn post(t: &TestServer, body: String, kind: &str, topic: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/ingest/sns", t.server.url()))
        .header("x-amz-sns-message-type", kind)
        .header("x-amz-sns-topic-arn", topic)
        .header("content-type", "text/plain; charset=UTF-8")
        .header("user-agent", "Amazon Simple Notification Service Agent")
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn stats(t: &TestServer) -> Value {
    scrape(t, "/_mailsight/ingest", None)
        .await
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn signed_notifications_match_firehose() {
    let expected = firehose_snapshot().await;
    let (t, signer, _certs) = start_sns().await;
    for (i, (name, record)) in fixtures().iter().enumerate() {
        let version = if i % 2 == 0 {
            SignatureVersion::V1
        } else {
            SignatureVersion::V2
        };
        let resp = post(
            &t,
            signed(&signer, record, version).to_json(),
            "Notification",
            TOPIC,
        )
        .await;
        assert_eq!(resp.status(), 200, "{name}");
    }
    assert_eq!(snapshot(&t).await, expected);

    // SNS retries a delivery with the same envelope: stored once.
    let again = signed(&signer, &fixtures()[0].1, SignatureVersion::V2);
    assert_eq!(
        post(&t, again.to_json(), "Notification", TOPIC)
            .await
            .status(),
        200
    );
    let s = stats(&t).await;
    assert_eq!(s["sns"]["stored"], 15, "{s}");
    assert_eq!(s["sns"]["duplicates"], 1, "{s}");
}

#[tokio::test]
async fn forged_altered_and_foreign_messages_are_refused() {
    let (t, signer, _certs) = start_sns().await;
    let record = &fixtures()[3].1;

    let mut altered = signed(&signer, record, SignatureVersion::V1);
    altered.message = altered
        .message
        .replace("recipient@example.com", "attacker@example.com");
    assert_eq!(
        post(&t, altered.to_json(), "Notification", TOPIC)
            .await
            .status(),
        403
    );

    let mut retimed = signed(&signer, record, SignatureVersion::V2);
    retimed.timestamp = "2030-01-01T00:00:00.000Z".into();
    assert_eq!(
        post(&t, retimed.to_json(), "Notification", TOPIC)
            .await
            .status(),
        403
    );

    // Signed by a key whose certificate is not the one the URL names.
    let impostor = Signer::generate(CERT_URL, "sns.amazonaws.com").unwrap();
    assert_eq!(
        post(
            &t,
            signed(&impostor, record, SignatureVersion::V2).to_json(),
            "Notification",
            TOPIC
        )
        .await
        .status(),
        403
    );

    let mut unknown_version = signed(&signer, record, SignatureVersion::V1);
    unknown_version.signature_version = "3".into();
    assert_eq!(
        post(&t, unknown_version.to_json(), "Notification", TOPIC)
            .await
            .status(),
        403
    );

    // A correctly signed message from a topic that is not configured.
    let mut foreign = notification(
        "arn:aws:sns:us-east-1:999999999999:other",
        &compact(record),
        None,
        time::OffsetDateTime::now_utc(),
    );
    signer.sign(&mut foreign, SignatureVersion::V2).unwrap();
    assert_eq!(
        post(
            &t,
            foreign.to_json(),
            "Notification",
            "arn:aws:sns:us-east-1:999999999999:other"
        )
        .await
        .status(),
        403
    );

    assert_eq!(
        post(&t, "not an envelope".into(), "Notification", TOPIC)
            .await
            .status(),
        400
    );
    let s = stats(&t).await;
    assert_eq!(s["sns"]["stored"], 0, "{s}");
    assert_eq!(s["sns"]["refusedRequests"], 6, "{s}");
    let err = t
        .client()
        .get_message_insights()
        .message_id("EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.into_service_error().is_not_found_exception(),
        "nothing was stored"
    );
}

/// A listener that counts the connections it gets, standing in for a host
/// that must never be contacted.
async fn counting_listener() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    tokio::spawn(async move {
        while let Ok((_socket, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
        }
    });
    (addr.to_string(), hits)
}

#[tokio::test]
async fn certificate_urls_off_sns_hosts_are_refused_without_a_fetch() {
    let (t, signer, _certs) = start_sns().await;
    let (host, hits) = counting_listener().await;
    for url in [
        format!("https://{host}/SimpleNotificationService-x.pem"),
        format!("http://{host}/SimpleNotificationService-x.pem"),
        format!("https://sns.us-east-1.amazonaws.com@{host}/x.pem"),
    ] {
        let mut e = signed(&signer, &fixtures()[3].1, SignatureVersion::V2);
        e.signing_cert_url = url.clone();
        assert_eq!(
            post(&t, e.to_json(), "Notification", TOPIC).await.status(),
            403,
            "{url}"
        );
    }
    // A subscription confirmation pointing anywhere but SNS is not followed.
    let mut confirmation = subscription_confirmation(
        TOPIC,
        "token-1",
        &format!("https://{host}/?Action=ConfirmSubscription&Token=token-1"),
        time::OffsetDateTime::now_utc(),
    );
    signer
        .sign(&mut confirmation, SignatureVersion::V1)
        .unwrap();
    assert_eq!(
        post(
            &t,
            confirmation.to_json(),
            "SubscriptionConfirmation",
            TOPIC
        )
        .await
        .status(),
        403
    );
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "nothing was fetched from the listener"
    );
}

#[tokio::test]
async fn raw_delivery_only_for_listed_topics() {
    let (t, _signer, _certs) = start_sns().await;
    let record = compact(&fixtures()[3].1);
    assert_eq!(
        post(&t, record.clone(), "Notification", TOPIC)
            .await
            .status(),
        400,
        "signed topic, no envelope"
    );
    assert_eq!(
        post(&t, record.clone(), "Notification", RAW_TOPIC)
            .await
            .status(),
        200,
        "raw topic"
    );
    let s = stats(&t).await;
    assert_eq!(s["sns"]["stored"], 1, "{s}");
}
