//! The HTTP load driver the `send` and `sns` phases share: requests from a
//! number of tasks for a time or a count, with latencies and errors tallied
//! and reported as one JSON line.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Latencies and counts of a load run, printed as JSON.
struct Tally {
    ok: u64,
    errors: u64,
    latencies_us: Vec<u64>,
    first_error: Option<String>,
}

fn report(t: &mut Tally, secs: f64) -> Value {
    t.latencies_us.sort_unstable();
    let pct = |p: f64| {
        t.latencies_us
            .get(((t.latencies_us.len() as f64 - 1.0) * p) as usize)
            .map(|us| *us as f64 / 1000.0)
            .unwrap_or(0.0)
    };
    json!({
        "ok": t.ok, "errors": t.errors, "seconds": secs,
        "rate": t.ok as f64 / secs, "p50_ms": pct(0.5), "p99_ms": pct(0.99),
        "first_error": t.first_error,
    })
}

/// Runs `make(i)` requests from `concurrency` tasks until `deadline`
/// (or until `limit` requests have been made).
pub async fn drive<F>(
    concurrency: usize,
    duration: Option<Duration>,
    limit: Option<u64>,
    make: F,
) -> Value
where
    F: Fn(u64) -> reqwest::RequestBuilder + Send + Sync + 'static,
{
    let make = Arc::new(make);
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = duration.map(|d| started + d);
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (make, next) = (make.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut t = Tally {
                ok: 0,
                errors: 0,
                latencies_us: Vec::new(),
                first_error: None,
            };
            loop {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    break;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                if limit.is_some_and(|l| i >= l) {
                    break;
                }
                let sent = Instant::now();
                let result = make(i).send().await;
                let ok = match result {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        true
                    }
                    Ok(r) => {
                        let status = r.status();
                        let body = r.text().await.unwrap_or_default();
                        t.first_error.get_or_insert(format!("{status}: {body}"));
                        false
                    }
                    Err(e) => {
                        t.first_error.get_or_insert(e.to_string());
                        false
                    }
                };
                if ok {
                    t.ok += 1;
                    t.latencies_us.push(sent.elapsed().as_micros() as u64);
                } else {
                    t.errors += 1;
                }
            }
            t
        }));
    }
    let mut all = Tally {
        ok: 0,
        errors: 0,
        latencies_us: Vec::new(),
        first_error: None,
    };
    for task in tasks {
        if let Ok(t) = task.await {
            all.ok += t.ok;
            all.errors += t.errors;
            all.latencies_us.extend(t.latencies_us);
            if all.first_error.is_none() {
                all.first_error = t.first_error;
            }
        }
    }
    report(&mut all, started.elapsed().as_secs_f64())
}

pub fn client(concurrency: usize) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .timeout(Duration::from_secs(30))
        .build()?)
}
