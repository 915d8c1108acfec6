//! Endpoints where real SES events arrive: Firehose HTTP endpoint delivery
//! ([`firehose`]), EventBridge API destinations ([`eventbridge`]) and SNS
//! HTTP(S) subscriptions ([`sns`]).
//!
//! Each speaks its sender's protocol (auth, response shape, retry rules),
//! and all store through [`mailsight_engine::Ingestor`], so a record becomes
//! the same stored events whichever way it came. The rules they share:
//! answer 200 only once the records are committed; a storage failure is a
//! 5xx so the sender retries; a record that can never be stored is counted,
//! logged and dropped without failing the good ones beside it.

pub mod config;
pub mod eventbridge;
pub mod firehose;
pub mod sns;
pub mod stats;

pub use config::IngestConfig;
pub use stats::IngestStats;

/// Compares a presented secret with the configured ones in constant time.
pub(crate) fn secret_matches(presented: &[u8], allowed: &[String]) -> bool {
    use subtle::ConstantTimeEq;
    allowed.iter().fold(false, |found, a| {
        found | bool::from(a.as_bytes().ct_eq(presented))
    })
}
