//! Webhook forwarders: mailsight's own `[[forwarders]]` with a `url`, which
//! POST each event in their `format` (the SES record, the EventBridge
//! envelope or SendPost's numbering), signed with `X-Mailsight-Signature`
//! when they have a `secret` ([`crate::outbox::sink::signature`]).
//!
//! Their settings are [`crate::outbox::config::ForwarderConfig`], which a
//! NATS forwarder shares (a forwarder names a `url` or a `nats` subject).
//! Routing by event type and configuration set happens in the store.
//!
//! - [`sink`]: the outbox sink.

pub mod sink;

#[cfg(test)]
pub(crate) mod harness;

pub use sink::WebhookSink;
