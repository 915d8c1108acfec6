//! Questions asked of the rollups: the counts per metric, hour and
//! dimension the store keeps beside the event log (see
//! [`crate::traits::Store::metric_series`]).

use mailsight_model::{Dimension, Metric};

use crate::types::Millis;

/// One hour in milliseconds: the rollups' resolution.
pub const HOUR_MS: Millis = 60 * 60 * 1000;
/// One UTC day in milliseconds.
pub const DAY_MS: Millis = 24 * HOUR_MS;
/// Fifteen minutes: the resolution of account totals (`GetSendStatistics`).
pub const QUARTER_MS: Millis = 15 * 60 * 1000;

/// Which counts to add up.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricQuery {
    pub metric: Metric,
    /// Each dimension at most once, with the values it may take (any of
    /// them; none listed: any value). No filters: the whole account. An
    /// `EMAIL_IDENTITY` value with an `@` is an address, else a domain.
    pub filters: Vec<(Dimension, Vec<String>)>,
    /// The range `[start, end)`, in whole hours (other values are rounded
    /// down to the hour).
    pub start: Millis,
    pub end: Millis,
    /// Only what VDM tracks: messages with one recipient, not to the
    /// mailbox simulator, not bounced by the account's suppression list.
    pub tracked_only: bool,
}

/// A count at the start of its bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Point {
    pub at: Millis,
    pub count: u64,
}

/// What `rebuild_rollups` went through.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RebuildReport {
    pub messages: u64,
    pub events: u64,
    /// Rollup rows written.
    pub rows: u64,
}

/// The form of an identity value as rollups keep it: lower case.
pub fn identity_key(value: &str) -> String {
    value.trim().to_ascii_lowercase()
}
