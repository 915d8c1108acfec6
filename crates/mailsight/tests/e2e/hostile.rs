//! Hostile input and hostile load: what a stranger's bytes can cost.
//!
//! The server runs in-process, so these tests assert the mechanism (what
//! is refused, when, and how much of the request was read for it) rather
//! than resident memory; docs/RELIABILITY.md says how the memory was
//! measured against the binary.

use std::io::Write;
use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::*;

/// A raw answer: the status, the headers (names lower-cased) and the body.
#[derive(Debug)]
struct Raw {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Opens a connection and sends `head` (request line and headers) and
/// `body`, which may be much shorter than the `Content-Length` declared.
async fn send_head(addr: SocketAddr, head: &str, body: &[u8]) -> TcpStream {
    let mut conn = TcpStream::connect(addr).await.unwrap();
    conn.write_all(head.as_bytes()).await.unwrap();
    conn.write_all(b"\r\n").await.unwrap();
    conn.write_all(body).await.unwrap();
    conn
}

/// Reads one answer from `conn` within `within`, or `None`.
async fn read_answer(conn: &mut TcpStream, within: Duration) -> Option<Raw> {
    let deadline = Instant::now() + within;
    let mut buf = Vec::new();
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            let mut lines = head.split("\r\n");
            let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
            let headers: Vec<(String, String)> = lines
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
                .collect();
            let length: usize = headers
                .iter()
                .find(|(k, _)| k == "content-length")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                let body = String::from_utf8_lossy(&buf[end + 4..end + 4 + length]).to_string();
                return Some(Raw {
                    status,
                    headers,
                    body,
                });
            }
        }
        let left = deadline.checked_duration_since(Instant::now())?;
        let mut chunk = [0u8; 8192];
        match tokio::time::timeout(left, conn.read(&mut chunk)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => return None,
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

fn amz_date(t: SystemTime) -> String {
    let t = time::OffsetDateTime::from(t);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// An `Authorization` header (with its `x-amz-date`) of the right form
/// whose signature cannot be right: what a stranger can send.
fn forged(key: &str, service: &str, at: SystemTime) -> String {
    let date = amz_date(at);
    format!(
        "Authorization: AWS4-HMAC-SHA256 Credential={key}/{}/us-east-1/{service}/aws4_request, \
         SignedHeaders=host;x-amz-date, Signature={}\r\nx-amz-date: {date}\r\n",
        &date[..8],
        "0".repeat(64)
    )
}

async fn with_keys() -> TestServer {
    start_with(|c| {
        c.auth.keys = vec![mailsight_api::AccessKey {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "secret".into(),
            account_id: "111122223333".into(),
        }];
    })
    .await
}

/// 39 MiB, just under the default `max_body_bytes`.
const BIG: usize = 39 * 1024 * 1024;

#[tokio::test]
async fn strangers_are_refused_before_their_body_is_read() {
    let t = with_keys().await;
    let addr = t.server.addr;
    let now = SystemTime::now();
    let hour_ago = now - Duration::from_secs(3600);
    let cases = [
        ("", "MissingAuthenticationTokenException"),
        (
            &forged("AKIDUNKNOWN", "ses", now)[..],
            "UnrecognizedClientException",
        ),
        (
            &forged("AKIDEXAMPLE", "sqs", now)[..],
            "InvalidSignatureException",
        ),
        (
            &forged("AKIDEXAMPLE", "ses", hour_ago)[..],
            "InvalidSignatureException",
        ),
    ];
    for (auth, code) in cases {
        // The body is declared, never sent: an answer proves it was not
        // waited for.
        let head = format!(
            "POST /v2/email/outbound-emails HTTP/1.1\r\nHost: {addr}\r\n\
             Content-Type: application/json\r\nContent-Length: {BIG}\r\n{auth}"
        );
        let mut conn = send_head(addr, &head, b"{").await;
        let answer = read_answer(&mut conn, Duration::from_secs(5))
            .await
            .unwrap_or_else(|| panic!("no answer before the body for {code}"));
        assert_eq!(answer.status, 403, "{answer:?}");
        assert_eq!(answer.header("x-amzn-errortype"), Some(code), "{answer:?}");
    }

    // The query protocols too, in their XML shape.
    for auth in ["".to_owned(), forged("AKIDUNKNOWN", "sns", now)] {
        let head = format!(
            "POST / HTTP/1.1\r\nHost: {addr}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {BIG}\r\n{auth}"
        );
        let mut conn = send_head(addr, &head, b"Action=Publish").await;
        let answer = read_answer(&mut conn, Duration::from_secs(5))
            .await
            .expect("an answer before the body");
        assert_eq!(answer.status, 403, "{answer:?}");
        assert!(answer.body.contains("<ErrorResponse"), "{answer:?}");
    }

    // A body that declares more than the limit is refused unread, signed
    // or not.
    let head = format!(
        "POST /v2/email/outbound-emails HTTP/1.1\r\nHost: {addr}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n{}",
        41 * 1024 * 1024,
        forged("AKIDEXAMPLE", "ses", now)
    );
    let mut conn = send_head(addr, &head, b"{").await;
    let answer = read_answer(&mut conn, Duration::from_secs(5))
        .await
        .expect("an answer before the body");
    assert_eq!(answer.status, 413, "{answer:?}");
    assert_eq!(
        answer.header("x-amzn-errortype"),
        Some("RequestEntityTooLargeException")
    );

    // A signed request still works.
    t.client().get_account().send().await.unwrap();
}

#[tokio::test]
async fn the_byte_budget_is_shared_by_all_connections() {
    let t = start_with(|c| c.max_buffered_bytes = 1_000_000).await;
    let addr = t.server.addr;
    let post = |length: usize| {
        format!(
            "POST /v2/email/outbound-emails HTTP/1.1\r\nHost: {addr}\r\n\
             Content-Type: application/json\r\nContent-Length: {length}\r\n"
        )
    };
    // One slow client holds 900 kB of the budget...
    let mut slow = send_head(addr, &post(900_000), b"{").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    // ...so another body of 150 kB finds no room and is refused, unread.
    let mut second = send_head(addr, &post(150_000), b"").await;
    let answer = read_answer(&mut second, Duration::from_secs(10))
        .await
        .expect("an answer");
    assert_eq!(answer.status, 503, "{answer:?}");
    // SES v2's throttling code, which the SDKs retry.
    assert_eq!(
        answer.header("x-amzn-errortype"),
        Some("TooManyRequestsException")
    );
    assert!(answer.header("x-amzn-requestid").is_some());

    // Once the slow client is gone, its bytes are free again.
    slow.shutdown().await.unwrap();
    drop(slow);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let body = vec![b' '; 150_000];
    let resp = signed(
        &t.server.url(),
        "POST",
        "/v2/email/outbound-emails",
        &body,
        "secret",
        SystemTime::now(),
    )
    .await;
    assert_ne!(resp.status(), 503);
    assert_ne!(
        resp.headers()
            .get("x-amzn-ErrorType")
            .and_then(|v| v.to_str().ok()),
        Some("TooManyRequestsException")
    );
}

fn gzip(parts: &[&[u8]], repeat: usize) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    for _ in 0..repeat {
        for p in parts {
            gz.write_all(p).unwrap();
        }
    }
    gz.finish().unwrap()
}

#[tokio::test]
async fn a_gzip_bomb_is_refused_by_what_it_unpacks_to() {
    let t = start_with(|c| {
        c.ingest.firehose.access_keys = vec!["firehose-key".into()];
        c.ingest.max_body_bytes = 1024 * 1024;
    })
    .await;
    // 64 MiB of spaces inside a Firehose delivery: a few dozen kilobytes
    // of gzip, well under the 1 MiB limit on the wire.
    let spaces = vec![b' '; 1024 * 1024];
    // (A multi-member gzip: the members' contents concatenate.)
    let bomb = [
        gzip(&[b"{\"requestId\":\"r-1\",\"records\":[]"], 1),
        gzip(&[&spaces], 64),
        gzip(&[b"}"], 1),
    ]
    .concat();
    assert!(bomb.len() < 1024 * 1024, "{} bytes", bomb.len());
    let post = |body: Vec<u8>| {
        reqwest::Client::new()
            .post(format!("{}/ingest/firehose", t.server.url()))
            .header("x-amz-firehose-request-id", "r-1")
            .header("x-amz-firehose-access-key", "firehose-key")
            .header("content-type", "application/json")
            .header("content-encoding", "gzip")
            .body(body)
            .send()
    };
    let resp = post(bomb).await.unwrap();
    assert_eq!(resp.status(), 413);
    let answer: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(answer["requestId"], "r-1", "{answer}");
    assert!(answer["timestamp"].is_u64(), "{answer}");
    assert!(
        answer["errorMessage"]
            .as_str()
            .is_some_and(|m| m.contains("unpacks to more than")),
        "{answer}"
    );

    // The same delivery, small enough unpacked, is taken.
    let fine = gzip(&[b"{\"requestId\":\"r-2\",\"records\":[]}"], 1);
    let resp = post(fine).await.unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn long_uris_get_the_protocol_s_error() {
    let t = start().await;
    let addr = t.server.addr;
    let long = "a".repeat(20 * 1024);
    let head = format!("GET /v2/email/identities?NextToken={long} HTTP/1.1\r\nHost: {addr}\r\n");
    let mut conn = send_head(addr, &head, b"").await;
    let answer = read_answer(&mut conn, Duration::from_secs(5))
        .await
        .expect("an answer");
    assert_eq!(answer.status, 414, "{answer:?}");
    assert_eq!(answer.header("x-amzn-errortype"), Some("RequestURITooLong"));
    let body: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    assert!(body["message"].as_str().is_some_and(|m| m.contains("URI")));

    let head = format!(
        "POST /?x={long} HTTP/1.1\r\nHost: {addr}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 0\r\n"
    );
    let mut conn = send_head(addr, &head, b"").await;
    let answer = read_answer(&mut conn, Duration::from_secs(5))
        .await
        .expect("an answer");
    assert_eq!(answer.status, 414, "{answer:?}");
    assert!(answer.body.contains("<ErrorResponse"), "{answer:?}");
    assert!(answer.body.contains("RequestURITooLong"), "{answer:?}");

    // A form `POST /` naming no Action is SNS's to refuse, in its XML.
    let head = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 18\r\n"
    );
    let mut conn = send_head(addr, &head, b"Version=2010-03-31").await;
    let answer = read_answer(&mut conn, Duration::from_secs(5))
        .await
        .expect("an answer");
    assert_eq!(answer.status, 400, "{answer:?}");
    assert!(answer.body.contains("<ErrorResponse"), "{answer:?}");
    assert!(answer.body.contains("MissingAction"), "{answer:?}");
    // So is one with no Content-Type at all (`curl -X POST`).
    let head = format!("POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\n");
    let mut conn = send_head(addr, &head, b"").await;
    let answer = read_answer(&mut conn, Duration::from_secs(5))
        .await
        .expect("an answer");
    assert_eq!(answer.status, 400, "{answer:?}");
    assert!(answer.body.contains("MissingAction"), "{answer:?}");
}

#[tokio::test]
async fn with_keys_no_admin_endpoint_answers_a_stranger() {
    let t = with_keys().await;
    let url = t.server.url();
    let http = reqwest::Client::new();
    let gets = [
        "/metrics",
        "/_mailsight/ingest",
        "/_mailsight/deliveries",
        "/_mailsight/deliveries/1/attempts",
        "/_mailsight/messages",
        "/_mailsight/messages/0000000000000000-00000000-0000-0000-0000-000000000000-000000",
        "/_mailsight/messages/0000000000000000-00000000-0000-0000-0000-000000000000-000000/mime",
    ];
    for path in gets {
        for bearer in [None, Some("not-the-token")] {
            let mut req = http.get(format!("{url}{path}"));
            if let Some(b) = bearer {
                req = req.bearer_auth(b);
            }
            let resp = req.send().await.unwrap();
            // 403, or 400 `IncompleteSignatureException` where a bearer
            // token is no SigV4 header at all, as AWS answers.
            let status = resp.status().as_u16();
            assert!(matches!(status, 400 | 403), "{path} {bearer:?}: {status}");
            assert!(
                resp.headers().get("x-amzn-ErrorType").is_some(),
                "{path}: the API's error shape"
            );
        }
    }
    let resp = http
        .post(format!("{url}/_mailsight/deliveries/replay"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403, "replay");
    let resp = http.get(format!("{url}/dashboard")).send().await.unwrap();
    assert_eq!(resp.status(), 401, "the dashboard asks for credentials");
    let resp = http.get(format!("{url}/health")).send().await.unwrap();
    assert_eq!(resp.status(), 200, "/health stays open");
}
