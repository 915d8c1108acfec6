//! Builders for unsigned envelopes, as SNS would write them.

use serde_json::Map;
use time::OffsetDateTime;
use time::macros::format_description;

use crate::envelope::{Envelope, MessageType};

/// SNS's timestamp: UTC with milliseconds, e.g. `2012-05-02T00:54:06.655Z`.
pub fn sns_timestamp(t: OffsetDateTime) -> String {
    let format =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    t.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_default()
}

fn unsigned(
    message_type: MessageType,
    topic_arn: &str,
    message: String,
    timestamp: OffsetDateTime,
) -> Envelope {
    Envelope {
        message_type,
        message_id: uuid::Uuid::new_v4().to_string(),
        topic_arn: topic_arn.to_owned(),
        subject: None,
        message,
        timestamp: sns_timestamp(timestamp),
        signature_version: String::new(),
        signature: String::new(),
        signing_cert_url: String::new(),
        subscribe_url: None,
        unsubscribe_url: None,
        token: None,
        message_attributes: None,
        extra: Map::new(),
    }
}

/// An unsigned `Notification` with a new UUID `MessageId`. Set
/// `unsubscribe_url` if there is one, then sign with [`crate::Signer::sign`].
pub fn notification(
    topic_arn: &str,
    message: &str,
    subject: Option<&str>,
    timestamp: OffsetDateTime,
) -> Envelope {
    let mut e = unsigned(
        MessageType::Notification,
        topic_arn,
        message.to_owned(),
        timestamp,
    );
    e.subject = subject.map(str::to_owned);
    e
}

/// An unsigned `SubscriptionConfirmation` with SNS's message text.
pub fn subscription_confirmation(
    topic_arn: &str,
    token: &str,
    subscribe_url: &str,
    timestamp: OffsetDateTime,
) -> Envelope {
    let message = format!(
        "You have chosen to subscribe to the topic {topic_arn}.\n\
         To confirm the subscription, visit the SubscribeURL included in this message."
    );
    confirmation(
        MessageType::SubscriptionConfirmation,
        topic_arn,
        token,
        subscribe_url,
        message,
        timestamp,
    )
}

/// An unsigned `UnsubscribeConfirmation`; `subscribe_url` re-subscribes.
pub fn unsubscribe_confirmation(
    topic_arn: &str,
    token: &str,
    subscribe_url: &str,
    timestamp: OffsetDateTime,
) -> Envelope {
    let message = format!(
        "You have chosen to deactivate subscription to the topic {topic_arn}.\n\
         To cancel this operation and restore the subscription, visit the SubscribeURL included in this message."
    );
    confirmation(
        MessageType::UnsubscribeConfirmation,
        topic_arn,
        token,
        subscribe_url,
        message,
        timestamp,
    )
}

fn confirmation(
    message_type: MessageType,
    topic_arn: &str,
    token: &str,
    subscribe_url: &str,
    message: String,
    timestamp: OffsetDateTime,
) -> Envelope {
    let mut e = unsigned(message_type, topic_arn, message, timestamp);
    e.token = Some(token.to_owned());
    e.subscribe_url = Some(subscribe_url.to_owned());
    e
}
