//! `KinesisFirehoseDestination`s that really deliver: to a directory laid
//! out like Firehose's S3 objects, and to an HTTP endpoint spoken to in the
//! Firehose HTTP endpoint protocol, which is checked here header by header.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_sesv2::types::{EventDestinationDefinition, EventType, KinesisFirehoseDestination};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use base64::Engine as _;
use mailsight_engine::outbox::config::{StreamBinding, StreamTarget};
use serde_json::{Value, json};

use crate::common::*;

fn stream(name: &str) -> String {
    format!("arn:aws:firehose:us-east-1:000000000000:deliverystream/{name}")
}

async fn firehose_destination(
    c: &aws_sdk_sesv2::Client,
    set: &str,
    name: &str,
    arn: &str,
    types: &[EventType],
) {
    c.create_configuration_set_event_destination()
        .configuration_set_name(set)
        .event_destination_name(name)
        .event_destination(
            EventDestinationDefinition::builder()
                .enabled(true)
                .set_matching_event_types(Some(types.to_vec()))
                .kinesis_firehose_destination(
                    KinesisFirehoseDestination::builder()
                        .iam_role_arn("arn:aws:iam::000000000000:role/firehose")
                        .delivery_stream_arn(arn)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
}

async fn create_set(c: &aws_sdk_sesv2::Client, set: &str) {
    c.create_configuration_set()
        .configuration_set_name(set)
        .send()
        .await
        .unwrap();
}

/// (messageId, eventType) of SES records.
fn keys(records: &[Value]) -> BTreeSet<(String, String)> {
    records
        .iter()
        .map(|r| {
            (
                r["mail"]["messageId"].as_str().unwrap().to_owned(),
                r["eventType"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn expected(pairs: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    pairs
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// Objects in place under `root` (the hidden `.tmp` skipped).
fn objects(root: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.file_name().unwrap() == ".tmp" {
                continue;
            }
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(root, &mut out);
    out.sort();
    out
}

/// Every record in the objects under `root`, checking that each object is
/// complete (ends with `\n`) and sits in an hour directory matching its
/// name, and that each line is one SES record.
fn read_records(root: &Path, stream_name: &str, gzip: bool) -> Vec<Value> {
    let mut records = Vec::new();
    for path in objects(root) {
        let rel = path
            .strip_prefix(root)
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        let parts: Vec<&str> = rel.split('/').collect();
        assert_eq!(parts.len(), 5, "YYYY/MM/DD/HH/name: {rel}");
        let name = parts[4];
        let stamp_hour = format!("{}-{}-{}-{}-", parts[0], parts[1], parts[2], parts[3]);
        assert!(
            name.starts_with(&format!("{stream_name}-{stamp_hour}")),
            "{rel}"
        );
        assert_eq!(name.ends_with(".gz"), gzip, "{rel}");
        let raw = std::fs::read(&path).unwrap();
        let text = if gzip {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&raw[..])
                .read_to_end(&mut out)
                .unwrap();
            out
        } else {
            raw
        };
        assert!(text.ends_with(b"\n"), "{rel} is not complete");
        for line in text.as_slice().lines() {
            let record: Value = serde_json::from_str(&line.unwrap()).unwrap();
            assert!(record["mail"]["messageId"].is_string(), "{record}");
            assert!(record["eventType"].is_string(), "{record}");
            records.push(record);
        }
    }
    records
}

#[tokio::test]
async fn a_directory_stream_gets_only_its_matching_records() {
    let plain = tempfile::tempdir().unwrap();
    let zipped = tempfile::tempdir().unwrap();
    let (plain_dir, zipped_dir) = (plain.path().to_owned(), zipped.path().to_owned());
    let t = start_with(move |c| {
        fast_retries(c);
        c.firehose.streams = vec![
            StreamBinding {
                target: StreamTarget::Directory {
                    directory: plain_dir,
                    rotate_bytes: 1 << 20,
                    rotate_secs: 1,
                },
                ..StreamBinding::directory(stream("ses-events"), "")
            },
            StreamBinding {
                gzip: true,
                ..StreamBinding::directory(stream("zipped"), zipped_dir)
            },
        ];
    })
    .await;
    let c = t.client();
    verify_domain(&c).await;
    create_set(&c, "fh").await;
    create_set(&c, "elsewhere").await;
    firehose_destination(
        &c,
        "fh",
        "outcomes",
        &stream("ses-events"),
        &[EventType::Send, EventType::Delivery, EventType::Bounce],
    )
    .await;
    firehose_destination(&c, "fh", "sends", &stream("zipped"), &[EventType::Send]).await;
    firehose_destination(&c, "fh", "unbound", &stream("nowhere"), &[EventType::Send]).await;

    let delivered = send_with_set(&c, "success@simulator.amazonses.com", Some("fh")).await;
    let bounced = send_with_set(&c, "bounce@simulator.amazonses.com", Some("fh")).await;
    let complained = send_with_set(&c, "complaint@simulator.amazonses.com", Some("fh")).await;
    send_with_set(&c, "success@simulator.amazonses.com", Some("elsewhere")).await;
    send_with_set(&c, "success@simulator.amazonses.com", None).await;

    let want = expected(&[
        (&delivered, "Send"),
        (&delivered, "Delivery"),
        (&bounced, "Send"),
        (&bounced, "Bounce"),
        (&complained, "Send"),
        (&complained, "Delivery"),
    ]);
    // rotate_secs = 1: objects come into place while mailsight runs.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let got = keys(&read_records(plain.path(), "ses-events", false));
        if got.is_superset(&want) {
            break;
        }
        assert!(Instant::now() < deadline, "only {got:?} arrived");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // An unbound stream is a dead letter saying what to configure.
    let resp: Value = reqwest::get(format!(
        "{}/_mailsight/deliveries?status=dead&message_id={delivered}",
        t.server.url()
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let dead = resp["deliveries"].as_array().unwrap();
    assert_eq!(dead.len(), 1, "{resp}");
    assert_eq!(dead[0]["target"], "destination:fh/unbound");
    assert!(
        dead[0]["last_error"]
            .as_str()
            .unwrap()
            .contains("firehose.streams"),
        "{resp}"
    );

    // Stopping finalizes whatever is still open (the gzip stream rotates
    // only every 300 s).
    tokio::time::sleep(Duration::from_millis(300)).await;
    let TestServer { server, dir, .. } = t;
    server.stop().await.unwrap();
    let records = read_records(plain.path(), "ses-events", false);
    assert_eq!(keys(&records), want, "exactly the matching records");
    assert_eq!(records.len(), want.len(), "each once");
    let sends = read_records(zipped.path(), "zipped", true);
    assert_eq!(
        keys(&sends),
        expected(&[
            (&delivered, "Send"),
            (&bounced, "Send"),
            (&complained, "Send")
        ])
    );
    let bounce = records.iter().find(|r| r["eventType"] == "Bounce").unwrap();
    assert_eq!(bounce["bounce"]["bounceType"], "Permanent");
    assert_eq!(bounce["mail"]["tags"]["ses:configuration-set"][0], "fh");
    for root in [plain.path(), zipped.path()] {
        let leftovers: Vec<_> = std::fs::read_dir(root.join(".tmp"))
            .unwrap()
            .flat_map(|d| std::fs::read_dir(d.unwrap().path()).unwrap())
            .collect();
        assert!(leftovers.is_empty(), "temp files left: {leftovers:?}");
    }
    drop(dir);
}

/// A request the endpoint got, and what it answered.
#[derive(Clone, Debug)]
struct Request {
    headers: HeaderMap,
    body: Bytes,
    /// Whether the answer echoed the request id correctly.
    echoed: bool,
}

/// A Firehose HTTP endpoint that answers the first request of every
/// request id with a 200 echoing the wrong id, and later ones correctly.
#[derive(Clone, Default)]
struct Endpoint {
    got: Arc<Mutex<Vec<Request>>>,
}

impl Endpoint {
    async fn start(&self) -> String {
        let app = axum::Router::new()
            .fallback(answer)
            .with_state(self.got.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/firehose", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        url
    }

    fn all(&self) -> Vec<Request> {
        self.got.lock().unwrap().clone()
    }
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// The JSON body of a request, decompressed when it says it is gzip.
fn body_json(r: &Request) -> Value {
    let raw = if header(&r.headers, "content-encoding") == Some("gzip") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&r.body[..])
            .read_to_end(&mut out)
            .unwrap();
        out
    } else {
        r.body.to_vec()
    };
    serde_json::from_slice(&raw).unwrap()
}

async fn answer(
    State(got): State<Arc<Mutex<Vec<Request>>>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, [(&'static str, &'static str); 1], String) {
    let id = header(&headers, "x-amz-firehose-request-id")
        .unwrap_or_default()
        .to_owned();
    let mut got = got.lock().unwrap();
    let seen = got
        .iter()
        .any(|r| header(&r.headers, "x-amz-firehose-request-id") == Some(id.as_str()));
    got.push(Request {
        headers,
        body,
        echoed: seen,
    });
    let echo = if seen { id } else { format!("{id}-wrong") };
    let now = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
    (
        StatusCode::OK,
        [("content-type", "application/json")],
        json!({ "requestId": echo, "timestamp": now }).to_string(),
    )
}

#[tokio::test]
async fn an_http_stream_speaks_the_firehose_protocol_and_retries_a_bad_echo() {
    let endpoint = Endpoint::default();
    let url = endpoint.start().await;
    let t = start_with(move |c| {
        fast_retries(c);
        c.firehose.streams = vec![
            StreamBinding::http(stream("plain"), url.clone(), Some("s3cret-key".into())),
            StreamBinding {
                gzip: true,
                ..StreamBinding::http(stream("zipped"), url, None)
            },
        ];
    })
    .await;
    let c = t.client();
    verify_domain(&c).await;
    create_set(&c, "fh").await;
    firehose_destination(
        &c,
        "fh",
        "plain",
        &stream("plain"),
        &[EventType::Send, EventType::Delivery],
    )
    .await;
    firehose_destination(&c, "fh", "zipped", &stream("zipped"), &[EventType::Bounce]).await;
    let delivered = send_with_set(&c, "success@simulator.amazonses.com", Some("fh")).await;
    let bounced = send_with_set(&c, "bounce@simulator.amazonses.com", Some("fh")).await;
    send_with_set(&c, "success@simulator.amazonses.com", None).await;

    let deadline = Instant::now() + Duration::from_secs(15);
    while endpoint.all().iter().filter(|r| r.echoed).count() < 4 {
        assert!(
            Instant::now() < deadline,
            "the endpoint got {:#?}",
            endpoint.all()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Let any stray request arrive before checking that none did.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let all = endpoint.all();

    let mut by_id: BTreeMap<String, Vec<&Request>> = BTreeMap::new();
    let mut records_by_arn: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for r in &all {
        let h = &r.headers;
        assert_eq!(header(h, "x-amz-firehose-protocol-version"), Some("1.0"));
        assert_eq!(header(h, "content-type"), Some("application/json"));
        let arn = header(h, "x-amz-firehose-source-arn").unwrap().to_owned();
        let gzip = arn == stream("zipped");
        assert!(gzip || arn == stream("plain"), "{arn}");
        assert_eq!(
            header(h, "content-encoding"),
            gzip.then_some("gzip"),
            "Content-Encoding only when gzip is on"
        );
        assert_eq!(
            header(h, "x-amz-firehose-access-key"),
            (!gzip).then_some("s3cret-key")
        );
        let id = header(h, "x-amz-firehose-request-id").unwrap().to_owned();
        let groups: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12], "a UUID: {id}");
        assert!(id.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));

        let body = body_json(r);
        let shape: BTreeSet<&str> = body
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        assert_eq!(shape, BTreeSet::from(["requestId", "timestamp", "records"]));
        assert_eq!(
            body["requestId"],
            id.as_str(),
            "the body repeats the header"
        );
        let ms = body["timestamp"].as_i64().expect("integer epoch ms");
        let now = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
        assert!(
            (now - 60_000..=now + 1_000).contains(&ms),
            "{ms} is epoch ms"
        );
        let records = body["records"].as_array().unwrap();
        assert_eq!(records.len(), 1, "one record per request");
        let data = base64::engine::general_purpose::STANDARD
            .decode(records[0]["data"].as_str().unwrap())
            .unwrap();
        let text = String::from_utf8(data).unwrap();
        let line = text.strip_suffix('\n').expect("the record ends with \\n");
        assert!(!line.contains('\n'), "one record per data: {text:?}");
        let record: Value = serde_json::from_str(line).unwrap();
        if r.echoed {
            records_by_arn.entry(arn).or_default().push(record);
        }
        by_id.entry(id).or_default().push(r);
    }

    // Every request id was first answered with a wrong echo and sent again,
    // with the same id and the same record.
    for (id, attempts) in &by_id {
        assert!(!attempts[0].echoed, "{id}");
        assert!(
            attempts.len() >= 2 && attempts.iter().skip(1).all(|r| r.echoed),
            "{id} was not retried after a wrong echo: {attempts:#?}"
        );
        let first = body_json(attempts[0])["records"].clone();
        assert!(attempts.iter().all(|r| body_json(r)["records"] == first));
    }
    assert_eq!(by_id.len(), 4, "four events, each with its own id");
    assert_eq!(
        keys(&records_by_arn[&stream("plain")]),
        expected(&[
            (&delivered, "Send"),
            (&delivered, "Delivery"),
            (&bounced, "Send")
        ])
    );
    assert_eq!(
        keys(&records_by_arn[&stream("zipped")]),
        expected(&[(&bounced, "Bounce")])
    );
    assert_eq!(records_by_arn.values().map(Vec::len).sum::<usize>(), 4);

    // mailsight settled them as delivered only after the correct echo.
    let resp: Value = reqwest::get(format!(
        "{}/_mailsight/deliveries?status=delivered&message_id={delivered}",
        t.server.url()
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let rows = resp["deliveries"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{resp}");
    assert!(
        rows.iter().all(|d| d["attempts"].as_u64() >= Some(2)),
        "{resp}"
    );
}
