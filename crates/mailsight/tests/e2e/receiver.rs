//! A real HTTP receiver on port 0 that records every request it gets and
//! answers with a status the test sets (to play a dead or flaky endpoint).

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;

#[derive(Clone, Debug)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

/// What the handler shares with the test: the requests, and the status to answer.
type Shared = (Arc<Mutex<Vec<Received>>>, Arc<AtomicU16>);

#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    got: Arc<Mutex<Vec<Received>>>,
    status: Arc<AtomicU16>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let got = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(AtomicU16::new(200));
        let app = axum::Router::new()
            .fallback(record)
            .with_state((got.clone(), status.clone()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { url, got, status }
    }

    /// Answers every later request with `status` (but records it).
    pub fn answer(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }

    /// Requests answered 2xx so far.
    pub fn accepted(&self) -> Vec<Received> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.header("x-test-status").starts_with('2'))
            .cloned()
            .collect()
    }

    pub fn all(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// Waits until `done` holds for the accepted requests.
    pub async fn until(&self, what: &str, done: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let got = self.accepted();
            if done(&got) {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "{what}: receiver got {:#?}",
                got.iter().map(|r| r.json()).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn record(
    State((got, status)): State<Shared>,
    mut headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let code = status.load(Ordering::SeqCst);
    headers.insert("x-test-status", code.to_string().parse().unwrap());
    got.lock().unwrap().push(Received { headers, body });
    StatusCode::from_u16(code).unwrap()
}
