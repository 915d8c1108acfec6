//! `CloudWatchDestination`s: event counts exported at `/metrics` (in the
//! Prometheus and OpenMetrics text formats), one counter per event type
//! under CloudWatch's name with `_total` (`aws_ses_Send_total`,
//! `aws_ses_RenderingFailure_total`, …), labelled by the destination's
//! `DimensionConfigurations`.
//!
//! Each dimension's value comes from the message tag (`MESSAGE_TAG`, SES's
//! auto-tags included), the email header (`EMAIL_HEADER`) or the link tag
//! of a click (`LINK_TAG`), else the dimension's default, as CloudWatch
//! does. An `ses_destination` label (`<set>/<name>`) keeps two destinations
//! with the same dimensions apart. Counters live in memory and are kept in
//! the store every few seconds and at shutdown ([`persist`]), so a restart
//! goes on from where they were.
//!
//! - [`config`]: the dimension configurations, checked as SES checks them.
//! - [`metrics`]: the counters.
//! - [`sink`]: the outbox sink, which counts.
//! - [`persist`]: the snapshot that carries the counters across restarts.

pub mod config;
pub mod metrics;
pub mod persist;
pub mod sink;

#[cfg(test)]
pub(crate) mod harness;

pub use config::{CloudWatchDestination, Dimension, DimensionSource};
pub use metrics::{Metrics, metric_name};
pub use sink::CloudWatchSink;
