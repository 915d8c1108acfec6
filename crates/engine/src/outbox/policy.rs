//! When to try a failed delivery again, and when to give up.

use std::time::Duration;

use mailsight_store::{AttemptResult, Delivery, Millis};
use serde::Deserialize;

/// Retry settings (`[delivery]` in the config file), the same for every
/// target: exponential backoff with jitter, a retry limit and a maximum age.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetryPolicy {
    /// Attempts before a delivery is dead-lettered.
    pub max_attempts: u32,
    /// Age (since routing) after which a failing delivery is dead-lettered.
    pub max_age_secs: u64,
    /// Wait after the first failure; doubles with each failure.
    pub initial_backoff_ms: u64,
    /// The longest wait between attempts.
    pub max_backoff_ms: u64,
    /// How long one attempt may take.
    pub timeout_ms: u64,
    /// How long delivered deliveries stay listable before they are pruned
    /// (dead and pending ones are kept until replayed or delivered).
    pub retain_delivered_secs: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 12,
            max_age_secs: 24 * 60 * 60,
            initial_backoff_ms: 1_000,
            max_backoff_ms: 5 * 60 * 1_000,
            timeout_ms: 15_000,
            retain_delivered_secs: 7 * 24 * 60 * 60,
        }
    }
}

/// Why an attempt failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinkError {
    pub message: String,
    /// Retrying cannot help (the target refuses this event for good).
    pub permanent: bool,
}

impl SinkError {
    pub fn retry(message: impl Into<String>) -> Self {
        SinkError {
            message: message.into(),
            permanent: false,
        }
    }

    pub fn permanent(message: impl Into<String>) -> Self {
        SinkError {
            message: message.into(),
            permanent: true,
        }
    }
}

impl RetryPolicy {
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }

    /// The backoff before attempt `n + 1`, after `n` failures, with ±20 %
    /// jitter so that retries of many deliveries do not arrive together.
    pub fn backoff(&self, failures: u32, jitter: f64) -> Duration {
        let exp = self
            .initial_backoff_ms
            .saturating_mul(1u64 << failures.saturating_sub(1).min(30));
        let base = exp.min(self.max_backoff_ms) as f64;
        Duration::from_millis((base * (0.8 + 0.4 * jitter.clamp(0.0, 1.0))) as u64)
    }

    /// What to record after an attempt that ended with `outcome`.
    pub fn settle(
        &self,
        d: &Delivery,
        now: Millis,
        outcome: Result<(), SinkError>,
    ) -> AttemptResult {
        let error = match outcome {
            Ok(()) => return AttemptResult::Delivered,
            Err(e) => e,
        };
        let failures = d.attempts + 1;
        if error.permanent {
            return AttemptResult::Dead {
                error: error.message,
            };
        }
        if failures >= self.max_attempts {
            return AttemptResult::Dead {
                error: format!("gave up after {failures} attempts: {}", error.message),
            };
        }
        if now - d.created_at >= (self.max_age_secs * 1000) as i64 {
            return AttemptResult::Dead {
                error: format!("gave up after {} s: {}", self.max_age_secs, error.message),
            };
        }
        let wait = self.backoff(failures, rand::random::<f64>());
        AttemptResult::Retry {
            error: error.message,
            next_attempt: now + wait.as_millis() as i64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailsight_model::EventType;
    use mailsight_store::DeliveryStatus;

    fn delivery(attempts: u32, created_at: i64) -> Delivery {
        Delivery {
            id: 1,
            target: mailsight_store::Target::forwarder("x"),
            account_id: "a".into(),
            message_id: "m".into(),
            event_type: EventType::Send,
            body: "{}".into(),
            status: DeliveryStatus::Pending,
            attempts,
            next_attempt: 0,
            created_at,
            last_error: None,
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_with_bounded_jitter() {
        let p = RetryPolicy {
            initial_backoff_ms: 100,
            max_backoff_ms: 1_000,
            ..Default::default()
        };
        assert_eq!(p.backoff(1, 0.5), Duration::from_millis(100));
        assert_eq!(p.backoff(2, 0.5), Duration::from_millis(200));
        assert_eq!(p.backoff(3, 0.5), Duration::from_millis(400));
        assert_eq!(p.backoff(10, 0.5), Duration::from_millis(1_000));
        assert_eq!(p.backoff(40, 0.5), Duration::from_millis(1_000));
        assert_eq!(p.backoff(1, 0.0), Duration::from_millis(80));
        assert_eq!(p.backoff(1, 1.0), Duration::from_millis(120));
    }

    #[test]
    fn settles_by_outcome_attempts_and_age() {
        let p = RetryPolicy {
            max_attempts: 3,
            max_age_secs: 60,
            initial_backoff_ms: 100,
            ..Default::default()
        };
        assert_eq!(
            p.settle(&delivery(0, 0), 0, Ok(())),
            AttemptResult::Delivered
        );
        assert!(matches!(
            p.settle(&delivery(0, 0), 1_000, Err(SinkError::retry("503"))),
            AttemptResult::Retry { next_attempt, .. } if (1_080..=1_120).contains(&next_attempt)
        ));
        assert!(matches!(
            p.settle(&delivery(2, 0), 0, Err(SinkError::retry("503"))),
            AttemptResult::Dead { .. }
        ));
        assert!(matches!(
            p.settle(&delivery(0, 0), 61_000, Err(SinkError::retry("503"))),
            AttemptResult::Dead { .. }
        ));
        assert!(matches!(
            p.settle(&delivery(0, 0), 0, Err(SinkError::permanent("410"))),
            AttemptResult::Dead { .. }
        ));
    }
}
