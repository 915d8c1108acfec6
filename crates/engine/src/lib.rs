//! mailsight's engine: everything between the API and the store.
//!
//! - [`send`]: the [`Engine`] and its sending path (identity check,
//!   configuration set, classification, records, schedule).
//! - [`outgoing`]: a send request (simple or raw MIME) resolved into one
//!   outgoing message.
//! - [`simulator`]: the per-recipient classifier (mailbox simulator
//!   addresses, then config rules).
//! - [`records`]: SES event records for simulated messages.
//! - [`normalize`]: record → stored rows and message, shared by the
//!   simulator and ingestion.
//! - [`ingest`]: storing records that arrive from real SES.
//! - [`scheduler`]: releases the planned later events when due.
//! - [`outbox`]: delivers routed events to their targets (event
//!   destinations and forwarders), with retries and dead letters.
//! - [`address`], [`config`], [`error`]: helpers, settings and errors.

pub mod address;
pub mod config;
pub mod error;
pub mod ingest;
pub mod normalize;
pub mod outbox;
pub mod outgoing;
pub mod records;
pub mod scheduler;
pub mod send;
pub mod simulator;

pub use config::{Rule, RuleOutcome, SendingConfig, SimulatorConfig, Timing};
pub use error::SendError;
pub use ingest::{IngestOutcome, Ingestor, Rejected};
pub use outgoing::{Content, SendRequest};
pub use send::Engine;
