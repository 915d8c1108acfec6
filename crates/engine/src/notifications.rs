//! Identity notifications as both SES APIs set them: SES v1's
//! `SetIdentityNotificationTopic`, `SetIdentityHeadersInNotificationsEnabled`
//! and `SetIdentityFeedbackForwardingEnabled`, SES v2's
//! `PutEmailIdentityFeedbackAttributes`. The settings are the identity's
//! [`IdentityAttributes`], stored with it; the store's router reads them
//! for every bounce, complaint and delivery, and the outbox publishes
//! each one in the notification format
//! ([`mailsight_model::notification`]) through the SNS sink.
//!
//! SES's rules are kept: headers can only be switched for a type that has
//! a topic; SES v1 turns email feedback forwarding off only while both
//! bounces and complaints have a topic (SES v2 at any time), and it comes
//! back on when either topic is cleared.
//! mailsight sends no email, so "forwarding" is a stored flag only.
//!

use mailsight_model::NotificationType;
use mailsight_store::Store;

use crate::identities::{AttributeError, update_attributes as update};
use crate::outbox::destination::is_arn;

/// Sets (or with `None` clears) the SNS topic of notifications of type `t`.
/// Whether the topic exists is up to delivery time, as for event
/// destinations: a notification to a missing topic is a dead delivery.
pub async fn set_topic(
    store: &dyn Store,
    account: &str,
    given: &str,
    t: NotificationType,
    topic: Option<&str>,
) -> Result<(), AttributeError> {
    if let Some(arn) = topic
        && !(is_arn(arn) && arn.starts_with("arn:aws:sns:"))
    {
        return Err(AttributeError::Invalid(format!(
            "Invalid SNS topic <{arn}>: give the ARN of an SNS topic."
        )));
    }
    update(store, account, given, |_, a| {
        *a.topic_mut(t) = topic.map(str::to_owned);
        if topic.is_none() && t != NotificationType::Delivery {
            a.forwarding_enabled = true;
        }
        Ok(())
    })
    .await
}

/// Whether notifications of type `t` carry the original headers; only for
/// a type that has a topic.
pub async fn set_headers(
    store: &dyn Store,
    account: &str,
    given: &str,
    t: NotificationType,
    enabled: bool,
) -> Result<(), AttributeError> {
    update(store, account, given, |name, a| {
        if a.topic(t).is_none() {
            return Err(AttributeError::Invalid(format!(
                "Identity <{name}> has no SNS topic for {t} notifications: set one before \
                 choosing whether they include headers."
            )));
        }
        *a.headers_mut(t) = enabled;
        Ok(())
    })
    .await
}

/// Which API turns forwarding off, as each has its own rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForwardingRule {
    /// SES v1: off only while bounces and complaints both have a topic.
    NeedsTopics,
    /// SES v2 (`PutEmailIdentityFeedbackAttributes`): off at any time, as
    /// an event destination may be how the caller learns of bounces.
    Any,
}

/// Whether bounces and complaints are (said to be) forwarded by email.
pub async fn set_forwarding(
    store: &dyn Store,
    account: &str,
    given: &str,
    enabled: bool,
    rule: ForwardingRule,
) -> Result<(), AttributeError> {
    update(store, account, given, |name, a| {
        if !enabled
            && rule == ForwardingRule::NeedsTopics
            && (a.bounce_topic.is_none() || a.complaint_topic.is_none())
        {
            return Err(AttributeError::Invalid(format!(
                "Feedback forwarding cannot be disabled for identity <{name}>: it needs SNS \
                 topics for both Bounce and Complaint notifications first."
            )));
        }
        a.forwarding_enabled = enabled;
        Ok(())
    })
    .await
}
