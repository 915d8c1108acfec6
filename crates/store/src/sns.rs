//! The rows of the SNS topics mailsight hosts: topics and their HTTP(S)
//! subscriptions.
//!
//! They live in the store (not in memory) so that an SES configuration
//! set's `SnsDestination` keeps delivering across restarts, and so that a
//! subscription confirmed once stays confirmed.

use serde_json::Value;

use crate::types::Millis;

/// A topic: `arn:aws:sns:<region>:<account>:<name>`.
#[derive(Debug, Clone, PartialEq)]
pub struct SnsTopic {
    pub account_id: String,
    pub arn: String,
    pub name: String,
    /// Attributes set at creation (`SignatureVersion`, `DisplayName`, ...),
    /// as a JSON object of strings.
    pub attributes: Value,
    pub created_at: Millis,
}

/// Whether the endpoint has proven it wants the messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionStatus {
    /// Waiting for the endpoint to visit its `SubscribeURL`; gets nothing.
    Pending,
    /// Receives every notification of its topic.
    Confirmed,
}

impl SubscriptionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriptionStatus::Pending => "pending",
            SubscriptionStatus::Confirmed => "confirmed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(SubscriptionStatus::Pending),
            "confirmed" => Some(SubscriptionStatus::Confirmed),
            _ => None,
        }
    }
}

/// A subscription of an endpoint to a topic.
#[derive(Debug, Clone, PartialEq)]
pub struct SnsSubscription {
    /// `<topic arn>:<uuid>`; the UUID makes it unguessable, which matters
    /// because the unsigned `UnsubscribeURL` names only this ARN.
    pub arn: String,
    pub topic_arn: String,
    pub account_id: String,
    /// `http` or `https`.
    pub protocol: String,
    pub endpoint: String,
    pub status: SubscriptionStatus,
    /// The confirmation token: whoever knows it may confirm.
    pub token: String,
    /// Subscription attributes (`RawMessageDelivery`, ...), a JSON object of strings.
    pub attributes: Value,
    pub created_at: Millis,
}
