//! The outbox's delivering side: takes due deliveries from the store and
//! hands each to the sink of its target, at least once.
//!
//! Routing happened when the record was stored (`mailsight-store`'s outbox
//! writes deliveries in the same transaction), so everything here can
//! crash and restart: claimed deliveries are leased, and fall due again if
//! they are not settled. Each target has its own worker, so a dead or slow
//! endpoint delays only its own deliveries.
//!
//! Shared pieces sit at this level: the [`Deliverer`] ([`deliverer`]), the
//! choice of a sink for a target ([`resolve`]), event destination
//! definitions and their [`DestinationKind`] ([`destination`]), the
//! [`sink::Sink`] trait and HTTP posting ([`sink`]), the retry policy
//! ([`policy`]), the formats ([`formats`]), the settings ([`config`]) and
//! the counts of settled attempts ([`attempts`]).
//! Each kind of target has a folder with its configuration, its checks,
//! its sink and its tests, the way vector keeps one folder per sink:
//! [`sns`], [`firehose`], [`eventbridge`], [`cloudwatch`], [`pinpoint`]
//! and the forwarders [`webhook`] and [`nats`]. Every kind also runs the
//! sink compliance suite (`compliance`, tests only), through a harness in
//! its folder.

pub mod attempts;
pub mod config;
pub mod deliverer;
pub mod destination;
pub mod formats;
pub mod policy;
pub mod resolve;
pub mod sink;

pub mod cloudwatch;
pub mod eventbridge;
pub mod firehose;
pub mod nats;
pub mod pinpoint;
pub mod sns;
pub mod webhook;

#[cfg(test)]
mod compliance;

pub use attempts::{AttemptCounters, AttemptCounts};
pub use config::{Format, ForwarderConfig, OutboxConfig};
pub use deliverer::Deliverer;
pub use destination::{Definition, DefinitionError, DestinationKind, event_destination};
pub use policy::{RetryPolicy, SinkError};
