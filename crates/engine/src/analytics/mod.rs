//! What mailsight tells about everything sent, from the rollups the store
//! keeps with the events.
//!
//! - [`vdm`]: `BatchGetMetricData` and the account's VDM switch.
//! - [`reputation`]: bounce and complaint rates against AWS's review and
//!   pause thresholds.
//! - [`sending`]: account totals over a recent window (`SentLast24Hours`).

pub mod reputation;
pub mod sending;
pub mod vdm;
