//! `EventBridgeDestination`s. SES publishes only to the default event bus;
//! mailsight has no EventBridge of its own, so `[[eventbridge.buses]]`
//! binds each bus ARN to HTTP targets, and each event is POSTed to them
//! as the EventBridge envelope ([`crate::outbox::formats::eventbridge_envelope`]).
//!
//! - [`config`]: the destination's `EventBusArn`, and the bus bindings.
//! - [`sink`]: the outbox sink.

pub mod config;
pub mod sink;

#[cfg(test)]
pub(crate) mod harness;

pub use config::{BusBinding, EventBridgeConfig, EventBridgeDestination};
pub use sink::EventBridgeSink;
