//! Counters of what each ingest endpoint took and refused, for logs and
//! `GET /_mailsight/ingest`.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use serde_json::{Value, json};

/// Counts for one source.
#[derive(Debug, Default)]
pub struct SourceStats {
    pub stored: AtomicU64,
    pub duplicates: AtomicU64,
    pub rejected: AtomicU64,
    pub refused_requests: AtomicU64,
    /// When the source last handed over records (ms since the epoch); 0
    /// if never since start.
    pub last_received_ms: AtomicI64,
}

impl SourceStats {
    pub fn add(&self, stored: usize, duplicates: usize, rejected: usize) {
        self.stored.fetch_add(stored as u64, Ordering::Relaxed);
        self.duplicates
            .fetch_add(duplicates as u64, Ordering::Relaxed);
        self.rejected.fetch_add(rejected as u64, Ordering::Relaxed);
        self.last_received_ms
            .fetch_max(mailsight_model::now_ms(), Ordering::Relaxed);
    }

    /// When records last arrived, if they did since start.
    pub fn last_received(&self) -> Option<i64> {
        Some(self.last_received_ms.load(Ordering::Relaxed)).filter(|&t| t > 0)
    }

    pub fn refuse(&self) {
        self.refused_requests.fetch_add(1, Ordering::Relaxed);
    }

    fn json(&self) -> Value {
        json!({
            "stored": self.stored.load(Ordering::Relaxed),
            "duplicates": self.duplicates.load(Ordering::Relaxed),
            "rejected": self.rejected.load(Ordering::Relaxed),
            "refusedRequests": self.refused_requests.load(Ordering::Relaxed),
            "lastReceivedAt": self.last_received(),
        })
    }
}

/// Counts for every source.
#[derive(Debug, Default)]
pub struct IngestStats {
    pub firehose: SourceStats,
    pub eventbridge: SourceStats,
    pub sns: SourceStats,
}

impl IngestStats {
    pub fn json(&self) -> Value {
        json!({
            "firehose": self.firehose.json(),
            "eventbridge": self.eventbridge.json(),
            "sns": self.sns.json(),
        })
    }

    /// Each endpoint's counts under its name (the `endpoint` label of
    /// `/metrics`).
    pub fn by_endpoint(&self) -> [(&'static str, &SourceStats); 3] {
        [
            ("firehose", &self.firehose),
            ("eventbridge", &self.eventbridge),
            ("sns", &self.sns),
        ]
    }
}
