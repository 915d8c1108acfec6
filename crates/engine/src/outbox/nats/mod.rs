//! NATS forwarders: `[[forwarders]]` with a `nats` subject, published to
//! JetStream.
//!
//! A publish counts as delivered only when JetStream acknowledges it, that
//! is, once the stream has stored it. Each message carries `Nats-Msg-Id`
//! (stable per delivery), so JetStream drops the copy a retry may send
//! within its duplicate window.
//!
//! - [`config`]: the subject (and the stream to create for it).
//! - [`sink`]: the shared connections and the outbox sink.

pub mod config;
pub mod sink;

#[cfg(test)]
pub(crate) mod harness;

pub use config::NatsTarget;
pub use sink::{NatsPool, NatsSink};
