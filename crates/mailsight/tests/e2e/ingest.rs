//! Real SES records arriving through each ingest path become the same
//! insights, whatever the path and whatever the order.

use std::collections::BTreeMap;
use std::path::PathBuf;

use base64::Engine as _;
use mailsight_api::AccessKey;
use serde_json::{Value, json};

use crate::common::*;

/// The fixtures' account.
const ACCOUNT: &str = "123456789012";
const FIREHOSE_KEY: &str = "firehose-test-key";
const BUS_TOKEN: &str = "eventbridge-test-token";

/// The AWS developer guide's example records, beside the repository.
pub fn fixtures() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/ses-docs-examples");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the fixtures must be at {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 15, "all fifteen fixtures");
    files
        .into_iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect()
}

/// A record compacted to one line, as Firehose and SNS carry it.
pub fn compact(record: &[u8]) -> String {
    serde_json::from_slice::<Value>(record).unwrap().to_string()
}

pub fn message_ids() -> Vec<String> {
    let mut ids: Vec<String> = fixtures()
        .iter()
        .map(|(_, r)| {
            serde_json::from_slice::<Value>(r).unwrap()["mail"]["messageId"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

pub async fn start_ingesting(tweak: impl FnOnce(&mut mailsight::Config)) -> TestServer {
    start_with(|c| {
        c.auth.keys = vec![AccessKey {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "secret".into(),
            account_id: ACCOUNT.into(),
        }];
        c.ingest.firehose.access_keys = vec![FIREHOSE_KEY.into()];
        c.ingest.eventbridge.values = vec![BUS_TOKEN.into()];
        c.metrics.scrape_token = Some(SCRAPE_TOKEN.into());
        tweak(c);
    })
    .await
}

/// Every fixture message's insights, as comparable JSON.
pub async fn snapshot(t: &TestServer) -> BTreeMap<String, Value> {
    let c = t.client();
    let mut all = BTreeMap::new();
    for id in message_ids() {
        let out = c
            .get_message_insights()
            .message_id(&id)
            .send()
            .await
            .unwrap();
        let insights: Vec<Value> = out
            .insights()
            .iter()
            .map(|i| {
                json!({
                    "destination": i.destination(),
                    "isp": i.isp(),
                    "events": i.events().iter().map(|e| json!({
                        "type": e.r#type().unwrap().as_str(),
                        "at": e.timestamp().unwrap().as_secs_f64(),
                        "details": format!("{:?}", e.details()),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        all.insert(
            id,
            json!({"from": out.from_email_address(), "subject": out.subject(), "insights": insights,
                   "tags": out.email_tags().iter().map(|t| format!("{}={}", t.name(), t.value())).collect::<Vec<_>>()}),
        );
    }
    all
}

pub async fn post_firehose(
    t: &TestServer,
    records: &[String],
    key: &str,
    gzip: bool,
) -> reqwest::Response {
    let request_id = uuid_like();
    let body = json!({
        "requestId": request_id,
        "timestamp": 1_714_557_605_123u64,
        "records": records.iter().map(|r| json!({"data": base64::engine::general_purpose::STANDARD.encode(r)})).collect::<Vec<_>>(),
    })
    .to_string();
    let mut req = reqwest::Client::new()
        .post(format!("{}/ingest/firehose", t.server.url()))
        .header("x-amz-firehose-protocol-version", "1.0")
        .header("x-amz-firehose-request-id", &request_id)
        .header("x-amz-firehose-access-key", key)
        .header("content-type", "application/json");
    let body = if gzip {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(body.as_bytes()).unwrap();
        req = req.header("content-encoding", "gzip");
        gz.finish().unwrap()
    } else {
        body.into_bytes()
    };
    req.body(body).send().await.unwrap()
}

fn uuid_like() -> String {
    format!("{:032x}", rand_u128())
}

fn rand_u128() -> u128 {
    use std::hash::{BuildHasher, RandomState};
    let s = RandomState::new();
    (u128::from(s.hash_one(1u8)) << 64) | u128::from(s.hash_one(2u8))
}

fn bridge_event(record: &[u8]) -> Value {
    let detail: Value = serde_json::from_slice(record).unwrap();
    let detail_type = match detail["eventType"].as_str().unwrap_or("Bounce") {
        "Send" => "Email Sent",
        "Delivery" => "Email Delivered",
        "Bounce" => "Email Bounced",
        "Complaint" => "Email Complaint Received",
        "Reject" => "Email Rejected",
        "Open" => "Email Opened",
        "Click" => "Email Clicked",
        "Rendering Failure" => "Email Rendering Failed",
        "DeliveryDelay" => "Email Delivery Delayed",
        _ => "Email Subscribed",
    };
    json!({
        "version": "0", "id": uuid_like(), "detail-type": detail_type, "source": "aws.ses",
        "account": ACCOUNT, "time": "2024-05-01T10:00:05Z", "region": "us-east-1", "resources": [],
        "detail": detail,
    })
}

pub async fn post_bridge(t: &TestServer, body: &Value, token: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/ingest/eventbridge", t.server.url()))
        .header("x-api-key", token)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// The insights every path must produce, built by Firehose in file order.
pub async fn firehose_snapshot() -> BTreeMap<String, Value> {
    let t = start_ingesting(|_| {}).await;
    let records: Vec<String> = fixtures().iter().map(|(_, r)| compact(r) + "\n").collect();
    let resp = post_firehose(&t, &records, FIREHOSE_KEY, false).await;
    assert_eq!(resp.status(), 200);
    snapshot(&t).await
}

#[tokio::test]
async fn firehose_delivers_every_fixture() {
    let t = start_ingesting(|_| {}).await;
    let records: Vec<String> = fixtures().iter().map(|(_, r)| compact(r) + "\n").collect();
    let resp = post_firehose(&t, &records, FIREHOSE_KEY, true).await;
    assert_eq!(resp.status(), 200);
    let answer: Value = resp.json().await.unwrap();
    assert!(
        answer["requestId"]
            .as_str()
            .is_some_and(|id| id.len() == 32),
        "{answer}"
    );
    assert!(
        answer["timestamp"].as_i64().unwrap() > 1_700_000_000_000,
        "milliseconds: {answer}"
    );

    let snap = snapshot(&t).await;
    let main = &snap["EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000"];
    let recipient = main["insights"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["destination"] == "recipient@example.com")
        .unwrap();
    let types: Vec<&str> = recipient["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    for expected in [
        "SEND",
        "DELIVERY",
        "BOUNCE",
        "COMPLAINT",
        "OPEN",
        "CLICK",
        "RENDERING_FAILURE",
        "DELIVERY_DELAY",
    ] {
        assert!(types.contains(&expected), "{expected} in {types:?}");
    }
    let times: Vec<f64> = recipient["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["at"].as_f64().unwrap())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "events in time order: {times:?}"
    );
    // The three-recipient feedback bounce lands on each bounced recipient.
    assert!(
        snap.values()
            .any(|m| m["insights"].as_array().unwrap().len() == 3)
    );

    // The same delivery again (a Firehose retry): nothing new is stored.
    let resp = post_firehose(&t, &records, FIREHOSE_KEY, false).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(snapshot(&t).await, snap);
    let stats: Value = scrape(&t, "/_mailsight/ingest", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stats["firehose"]["stored"], 15);
    assert_eq!(stats["firehose"]["duplicates"], 15);

    // The same events through Firehose in another order give the same answer.
    assert_eq!(snap, firehose_snapshot().await);
}

#[tokio::test]
async fn firehose_protocol_errors() {
    let t = start_ingesting(|c| c.ingest.max_body_bytes = 64 * 1024).await;
    let records = vec![compact(&fixtures()[0].1) + "\n"];
    let resp = post_firehose(&t, &records, "wrong-key", false).await;
    assert_eq!(resp.status(), 401);
    let resp = post_firehose(&t, &records, "", false).await;
    assert_eq!(resp.status(), 401);
    let big: Vec<String> = (0..100).map(|_| "x".repeat(1024)).collect();
    let resp = post_firehose(&t, &big, FIREHOSE_KEY, false).await;
    assert_eq!(resp.status(), 413);
    let resp = reqwest::Client::new()
        .post(format!("{}/ingest/firehose", t.server.url()))
        .header("x-amz-firehose-access-key", FIREHOSE_KEY)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert!(resp.json::<Value>().await.unwrap()["errorMessage"].is_string());

    // Bad records beside good ones: the good ones land, the delivery succeeds.
    let mixed = vec![
        "not json at all\n".to_owned(),
        "{\"eventType\":\"Nope\",\"mail\":{}}\n".to_owned(),
        compact(&fixtures()[3].1) + "\n" + &compact(&fixtures()[2].1) + "\n",
    ];
    let resp = post_firehose(&t, &mixed, FIREHOSE_KEY, false).await;
    assert_eq!(resp.status(), 200);
    let stats: Value = scrape(&t, "/_mailsight/ingest", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stats["firehose"]["stored"], 2, "{stats}");
    assert_eq!(stats["firehose"]["rejected"], 2, "{stats}");
    assert_eq!(stats["firehose"]["refusedRequests"], 4, "{stats}");
}

#[tokio::test]
async fn eventbridge_matches_firehose() {
    let expected = firehose_snapshot().await;
    let t = start_ingesting(|_| {}).await;
    let events: Vec<Value> = fixtures().iter().map(|(_, r)| bridge_event(r)).collect();
    // One event alone, then the rest as a batch.
    let resp = post_bridge(&t, &events[0], BUS_TOKEN).await;
    assert_eq!(resp.status(), 200);
    let resp = post_bridge(&t, &Value::Array(events[1..].to_vec()), BUS_TOKEN).await;
    assert_eq!(resp.status(), 200);
    let answer: Value = resp.json().await.unwrap();
    assert_eq!(answer["stored"], 14);
    assert_eq!(snapshot(&t).await, expected);

    let resp = post_bridge(&t, &events[0], "wrong").await;
    assert_eq!(resp.status(), 401);
    let resp = post_bridge(&t, &json!("just a string"), BUS_TOKEN).await;
    assert_eq!(resp.status(), 400);
    let resp = post_bridge(
        &t,
        &json!([{"detail": "not an object"}, events[0]]),
        BUS_TOKEN,
    )
    .await;
    assert_eq!(resp.status(), 200);
    let answer: Value = resp.json().await.unwrap();
    assert_eq!(answer, json!({"stored": 0, "duplicates": 1, "rejected": 1}));
}

#[tokio::test]
async fn a_complaint_before_its_delivery_still_shows_both_in_order() {
    let t = start_ingesting(|_| {}).await;
    let by_name: BTreeMap<String, Vec<u8>> = fixtures().into_iter().collect();
    let complaint = compact(&by_name["event-01-Complaint.json"]) + "\n";
    let delivery = compact(&by_name["event-02-Delivery.json"]) + "\n";
    assert_eq!(
        post_firehose(&t, &[complaint], FIREHOSE_KEY, false)
            .await
            .status(),
        200
    );
    assert_eq!(
        post_firehose(&t, &[delivery], FIREHOSE_KEY, false)
            .await
            .status(),
        200
    );
    let c = t.client();
    let out = c
        .get_message_insights()
        .message_id("EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000")
        .send()
        .await
        .unwrap();
    let types: Vec<_> = out.insights()[0]
        .events()
        .iter()
        .map(|e| e.r#type().unwrap().as_str().to_owned())
        .collect();
    assert_eq!(types, ["DELIVERY", "COMPLAINT"]);
    // The subject came with the later record and filled in the message.
    assert!(out.subject().is_some());
}
