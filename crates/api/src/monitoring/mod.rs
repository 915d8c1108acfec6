//! What an operator watches: `GET /health` ([`health`]) and the scrape
//! target `GET /metrics` ([`scrape`]), in the Prometheus text or
//! OpenMetrics format ([`exposition`]), behind the access rule of
//! [`access`] (which `/_mailsight/ingest` shares).
//!
//! Counters kept while serving live in the state's
//! [`crate::state::Monitor`]: requests per protocol and operation
//! (recorded by `front::serve` and the ingest endpoints) and the outbox's
//! settled attempts (counted by the engine's deliverer). Everything else is
//! read at scrape time: outbox depth, the scheduler's lag and the database
//! size from the store, the ingest endpoints' counters, and the CloudWatch
//! destinations' counters.

pub mod access;
pub mod exposition;
pub mod health;
pub mod scrape;

/// The version `/health` and `mailsight_build_info` report.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
