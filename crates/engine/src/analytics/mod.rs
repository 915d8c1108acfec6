//! What mailsight tells about everything sent, from the rollups the store
//! keeps with the events.
//!
//! - [`vdm`]: `BatchGetMetricData` and the account's VDM switch.
//! - [`sending`]: account totals over a recent window (`SentLast24Hours`).

pub mod sending;
pub mod vdm;
