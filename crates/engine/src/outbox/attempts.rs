//! How the outbox's attempts ended, counted where the deliverer settles
//! them, for `/metrics` (`mailsight_outbox_attempts_total{outcome}`).
//!
//! In memory like any exporter's counters: a restart starts them from zero,
//! which `rate()` and `increase()` handle.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use mailsight_store::AttemptResult;

/// Attempts by outcome since the server started.
#[derive(Debug, Default)]
pub struct AttemptCounters {
    delivered: AtomicU64,
    retry: AtomicU64,
    dead: AtomicU64,
}

/// A reading of [`AttemptCounters`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AttemptCounts {
    pub delivered: u64,
    pub retry: u64,
    pub dead: u64,
}

impl AttemptCounters {
    pub fn new() -> Arc<Self> {
        Arc::new(AttemptCounters::default())
    }

    /// Counts one settled attempt.
    pub fn count(&self, result: &AttemptResult) {
        let counter = match result {
            AttemptResult::Delivered => &self.delivered,
            AttemptResult::Retry { .. } => &self.retry,
            AttemptResult::Dead { .. } => &self.dead,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> AttemptCounts {
        AttemptCounts {
            delivered: self.delivered.load(Ordering::Relaxed),
            retry: self.retry.load(Ordering::Relaxed),
            dead: self.dead.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_outcome_has_its_counter() {
        let c = AttemptCounters::new();
        c.count(&AttemptResult::Delivered);
        c.count(&AttemptResult::Delivered);
        c.count(&AttemptResult::Retry {
            error: "503".into(),
            next_attempt: 1,
        });
        c.count(&AttemptResult::Dead { error: "x".into() });
        assert_eq!(
            c.snapshot(),
            AttemptCounts {
                delivered: 2,
                retry: 1,
                dead: 1
            }
        );
    }
}
