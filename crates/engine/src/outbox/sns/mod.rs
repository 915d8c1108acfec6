//! SNS topics mailsight hosts itself, as `SnsDestination`s of
//! configuration sets and as identities' notification topics.
//!
//! - [`config`]: the destination's `TopicArn`, checked.
//! - [`host`]: [`SnsHost`], the signing identity shared with the SNS API,
//!   and the posting of envelopes to HTTP(S) subscribers.
//! - [`sink`]: the outbox sink, publishing the record (event publishing)
//!   or the identity notification built from it.
//!
//! A delivery to an `SnsDestination` is one `Notification` posted to every
//! confirmed subscription of the topic. It succeeds only when every
//! subscriber answered 2xx; otherwise the whole delivery is retried, so a
//! subscriber that already accepted it sees the same `MessageId` again
//! (SNS too delivers at least once; receivers drop copies by `MessageId`).

pub mod config;
pub mod host;
pub mod sink;

#[cfg(test)]
pub(crate) mod harness;

pub use config::SnsDestination;
pub use host::{
    CERT_FILE, CERT_PATH, KEY_FILE, SES_SUBJECT, SnsHost, SnsHostError, confirmed_subscriptions,
};
pub use sink::{Publish, SnsSink};
