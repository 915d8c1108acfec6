//! SES v1's identity notification actions: `SetIdentityNotificationTopic`,
//! `GetIdentityNotificationAttributes`,
//! `SetIdentityHeadersInNotificationsEnabled` and
//! `SetIdentityFeedbackForwardingEnabled`, on the settings
//! [`mailsight_engine::notifications`] keeps with each identity (SES v2's
//! `PutEmailIdentityFeedbackAttributes` and `GetEmailIdentity` see the same
//! forwarding flag).

use mailsight_engine::notifications::{self, ForwardingRule};
use mailsight_model::NotificationType;
use mailsight_store::IdentityAttributes;

use super::errors::attribute_error as refused;
use super::identities::{asked, identity_map};
use super::{Answer, SesCall};
use crate::error::ApiError;
use crate::query::Params;

/// The `NotificationType` parameter, one of SES's three.
fn notification_type(p: &Params) -> Result<NotificationType, ApiError> {
    let given = p.required("NotificationType")?;
    NotificationType::parse(given).ok_or_else(|| {
        p.malformed(
            "NotificationType",
            given,
            "Member must satisfy enum value set: [Bounce, Complaint, Delivery]",
        )
    })
}

/// Without `SnsTopic` (or with an empty one) the topic is cleared and the
/// type is no longer published.
pub async fn set_identity_notification_topic(c: &SesCall<'_>) -> Answer {
    let p = c.params;
    let identity = p.required("Identity")?;
    let t = notification_type(p)?;
    let topic = p.get("SnsTopic").filter(|t| !t.is_empty());
    notifications::set_topic(c.store(), c.account(), identity, t, topic)
        .await
        .map_err(refused)?;
    Ok(Some(String::new()))
}

pub async fn set_identity_headers_in_notifications_enabled(c: &SesCall<'_>) -> Answer {
    let p = c.params;
    let identity = p.required("Identity")?;
    let t = notification_type(p)?;
    let enabled = p.required_flag("Enabled")?;
    notifications::set_headers(c.store(), c.account(), identity, t, enabled)
        .await
        .map_err(refused)?;
    Ok(Some(String::new()))
}

pub async fn set_identity_feedback_forwarding_enabled(c: &SesCall<'_>) -> Answer {
    let p = c.params;
    let identity = p.required("Identity")?;
    let enabled = p.required_flag("ForwardingEnabled")?;
    notifications::set_forwarding(
        c.store(),
        c.account(),
        identity,
        enabled,
        ForwardingRule::NeedsTopics,
    )
    .await
    .map_err(refused)?;
    Ok(Some(String::new()))
}

/// The identities asked for that exist, each with its topics (only those
/// set) and its four switches.
pub async fn get_identity_notification_attributes(c: &SesCall<'_>) -> Answer {
    let found: Vec<(String, IdentityAttributes)> = asked(c)
        .await?
        .into_iter()
        .map(|i| (i.name, i.attributes))
        .collect();
    Ok(Some(attributes_xml(&found)))
}

fn attributes_xml(found: &[(String, IdentityAttributes)]) -> String {
    let flag = |b: bool| if b { "true" } else { "false" };
    identity_map("NotificationAttributes", found, |x, a| {
        for t in NotificationType::ALL {
            if let Some(topic) = a.topic(t) {
                x.text(&format!("{t}Topic"), topic);
            }
        }
        x.text("ForwardingEnabled", flag(a.forwarding_enabled));
        for t in NotificationType::ALL {
            x.text(
                &format!("HeadersIn{t}NotificationsEnabled"),
                flag(a.headers(t)),
            );
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_list_set_topics_and_every_switch() {
        let a = IdentityAttributes {
            bounce_topic: Some("arn:aws:sns:us-east-1:1:b".into()),
            headers_in_bounce_notifications_enabled: true,
            ..Default::default()
        };
        assert_eq!(
            attributes_xml(&[("example.com".into(), a)]),
            "<NotificationAttributes><entry><key>example.com</key><value>\
             <BounceTopic>arn:aws:sns:us-east-1:1:b</BounceTopic>\
             <ForwardingEnabled>true</ForwardingEnabled>\
             <HeadersInBounceNotificationsEnabled>true</HeadersInBounceNotificationsEnabled>\
             <HeadersInComplaintNotificationsEnabled>false</HeadersInComplaintNotificationsEnabled>\
             <HeadersInDeliveryNotificationsEnabled>false</HeadersInDeliveryNotificationsEnabled>\
             </value></entry></NotificationAttributes>"
        );
    }
}
