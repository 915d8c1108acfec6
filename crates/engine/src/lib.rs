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
//! - [`insights`]: a message's stored events shaped as `GetMessageInsights`
//!   answers them.
//! - [`analytics`]: metrics from the rollups (`BatchGetMetricData`, the
//!   VDM switch, recent totals).
//! - [`exports`]: export jobs (`CreateExportJob`), written in the background;
//!   [`imports`]: the files import jobs (`CreateImportJob`) read.
//! - [`scheduler`]: releases the planned later events when due.
//! - [`outbox`]: delivers routed events to their targets (event
//!   destinations and forwarders), with retries and dead letters.
//! - [`dedicated_ips`]: dedicated IP pools and the configured dedicated IPs;
//! - [`templates`]: the stored templates both SES APIs manage;
//!   [`tenants`]: how tenants' resource associations are kept;
//! - [`verification_templates`]: custom verification email templates and
//!   their sending, for both SES APIs;
//!   [`template`]: Handlebars rendering as SES runs it; [`compose`]: the
//!   MIME of simple and rendered content, and the EICAR check.
//! - [`tracking`]: signed tokens, link and pixel rewriting, and the
//!   machine-activity rules; [`engagement`]: the opens, clicks and
//!   unsubscribes those links record.
//! - [`bulk`]: the tags and data of each destination of a bulk send.
//! - [`lists`] (contact lists, unsubscribe) and [`suppression`] (the
//!   account's suppression list): per-recipient checks before the simulator.
//! - [`account`]: the account-wide sending switch both SES APIs share;
//!   [`identities`]: the sending identities both manage;
//!   [`notifications`]: their notification topics, headers and feedback
//!   forwarding; [`policies`]: their sending authorization policies.
//! - [`address`], [`config`], [`error`]: helpers, settings and errors.

pub mod account;
pub mod address;
pub mod analytics;
pub mod bulk;
pub mod compose;
pub mod config;
pub mod dedicated_ips;
pub mod engagement;
pub mod error;
pub mod exports;
pub mod identities;
pub mod imports;
pub mod ingest;
pub mod insights;
pub mod lists;
pub mod normalize;
pub mod notifications;
pub mod outbox;
pub mod outgoing;
pub mod policies;
pub mod records;
pub mod scheduler;
pub mod send;
pub mod simulator;
pub mod suppression;
pub mod template;
pub mod templates;
pub mod tenants;
pub mod tracking;
pub mod verification_templates;

pub use config::{Rule, RuleOutcome, SendingConfig, SimulatorConfig, Timing};
pub use engagement::{TrackKind, Tracked, UnsubscribeSource, Visitor};
pub use error::SendError;
pub use ingest::{IngestOutcome, Ingestor, Rejected};
pub use outgoing::{
    Attachment, Content, ListManagement, SendRequest, TemplateContent, TemplateSource,
};
pub use send::Engine;
