//! Storage for mailsight: one backend-neutral trait and its backends.
//!
//! - [`Store`] (in [`traits`]) is everything the engine and the API need from
//!   storage, phrased in the domain's own types ([`types`]). Nothing above this
//!   crate writes SQL.
//! - [`sqlite`] is the embedded backend: WAL, `synchronous=FULL`, one writer
//!   thread that group-commits concurrent writes, and a small pool of readers.
//! - [`postgres`] keeps the same tables in a PostgreSQL database: a pool of
//!   connections, one transaction per write, claims with `SKIP LOCKED`.
//! - `codec` (record bodies, compressed) and `tally` (what the rollups
//!   count) are shared by both backends, so they store and count alike.
//! - [`metrics`]: the questions asked of the rollups (counts per metric,
//!   hour and dimension kept in the same transaction as the events).
//! - [`target`]: [`Target`], where a delivery goes, typed above the SQL.
//! - [`exports`]: export jobs, the queue the engine's exporter works
//!   through.
//! - [`search`]: message search queries, pages and the index terms every
//!   backend keeps.
//! - `conformance` (with the `conformance` feature) is the test suite every
//!   backend must pass, one file per section of the trait; the SQLite
//!   backend runs it in `tests/sqlite_conformance.rs`, the PostgreSQL one
//!   in `tests/postgres_conformance.rs`. The feature keeps it out of
//!   the server; the crate's own tests enable it.
//!
//! A write that returns `Ok` has been committed to disk: the API relies on this
//! to answer 200 only for what is durable.

mod codec;
#[cfg(feature = "conformance")]
pub mod conformance;
pub mod copy;
pub mod error;
pub mod exports;
pub mod items;
pub mod metrics;
pub mod postgres;
pub mod search;
pub mod sns;
pub mod sqlite;
mod tally;
pub mod target;
pub mod traits;
pub mod types;

pub use error::StoreError;
pub use exports::{ExportCursor, ExportFilter, ExportJob, ExportStatus};
pub use items::{Item, ItemKind, ItemPut, MachineActivity, PutMode, contact_key, contact_prefix};
pub use metrics::{DAY_MS, HOUR_MS, MetricQuery, Point, QUARTER_MS, RebuildReport};
pub use postgres::PostgresStore;
pub use search::{
    MessageQuery, MessageSummary, QueryError, RecipientSummary, SearchCursor, SearchPage,
    SearchQuery,
};
pub use sns::{SnsSubscription, SnsTopic, SubscriptionStatus};
pub use sqlite::{Durability, OpenOptions, SqliteStore, default_readers};
pub use target::{Target, UnknownTarget};
pub use traits::Store;
pub use types::*;
