//! The counters `/metrics` reports that are kept while serving (the rest
//! is read at scrape time).

use std::sync::Arc;
use std::time::SystemTime;

use mailsight_engine::outbox::AttemptCounters;

use super::requests::RequestMetrics;

/// The counters kept while serving, shared by every request.
pub struct Monitor {
    /// Requests by protocol, operation and status, with latencies.
    pub requests: RequestMetrics,
    /// Settled delivery attempts; shared with the deliverer, which counts.
    pub attempts: Arc<AttemptCounters>,
    /// When this process started (`process_start_time_seconds`).
    pub started_at: SystemTime,
}

impl Monitor {
    pub fn new(attempts: Arc<AttemptCounters>) -> Arc<Self> {
        Arc::new(Monitor {
            requests: RequestMetrics::default(),
            attempts,
            started_at: SystemTime::now(),
        })
    }
}
