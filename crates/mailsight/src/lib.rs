//! The mailsight server and CLI as a library, so tests can run the whole
//! server in-process.
//!
//! - [`config`]: the TOML config file and its defaults.
//! - [`ephemeral`]: the ephemeral mode's data directory (`--ephemeral`).
//! - [`import`]: `mailsight import`, bulk loading of SES record files.
//! - [`logging`]: where logs go, and colour only for a terminal.
//! - [`messages`]: `mailsight messages`, message search from the data directory.
//! - [`server`]: wiring (store → engine → API) and [`server::Running`], a
//!   server started on any port and stopped on demand.
//! - [`startup`]: the summary `mailsight serve` logs when it starts.
//! - [`store`]: which store to open (SQLite in the data directory, or
//!   PostgreSQL).
//! - [`tls`]: the HTTPS listener's certificate (the operator's, or one
//!   from a local authority kept in the data directory).
//!
//! The crates below it: `mailsight-model` (event types and shapes),
//! `mailsight-store` (storage), `mailsight-engine` (simulation, scheduling),
//! `mailsight-api` (HTTP) and `mailsight-sigv4` (request signatures).

pub mod config;
pub mod ephemeral;
pub mod import;
pub mod logging;
pub mod messages;
pub mod server;
pub mod startup;
pub mod store;
pub mod tls;
pub mod tracking;

pub use config::Config;
pub use server::{Running, run};
