//! Identity notifications: the older *notification* format SES publishes
//! to an identity's SNS topics (SES v1's `SetIdentityNotificationTopic`),
//! built from the event-publishing record of the same event.
//!
//! The two formats carry the same event; the notification differs in a few
//! members (wire facts §2.4, SES's "notification contents" page):
//! `notificationType` instead of `eventType`, only for bounces, complaints
//! and deliveries; `mail.sourceIp` and `mail.callerIdentity` (which event
//! publishing carries as the `ses:source-ip` and `ses:caller-identity`
//! tags); no `mail.tags`; and the original headers (`headersTruncated`,
//! `headers`, `commonHeaders`) only when the identity asked for them for
//! that notification type. Building one from the other keeps a single
//! source of truth: the stored record.

use std::fmt;

use serde_json::{Map, Value};

use crate::event_type::EventType;

/// The three kinds of identity notification (SES v1's `NotificationType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NotificationType {
    Bounce,
    Complaint,
    Delivery,
}

impl NotificationType {
    pub const ALL: [NotificationType; 3] = [
        NotificationType::Bounce,
        NotificationType::Complaint,
        NotificationType::Delivery,
    ];

    /// SES's spelling, in the API and in `notificationType`.
    pub fn name(self) -> &'static str {
        match self {
            NotificationType::Bounce => "Bounce",
            NotificationType::Complaint => "Complaint",
            NotificationType::Delivery => "Delivery",
        }
    }

    /// Parses SES's spelling (case-sensitive, as SES's enum is).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The notification an event type gives, if any: only bounces,
    /// complaints and deliveries are notified.
    pub fn of(event: EventType) -> Option<Self> {
        match event {
            EventType::Bounce => Some(NotificationType::Bounce),
            EventType::Complaint => Some(NotificationType::Complaint),
            EventType::Delivery => Some(NotificationType::Delivery),
            _ => None,
        }
    }

    /// The event type it notifies.
    pub fn event_type(self) -> EventType {
        match self {
            NotificationType::Bounce => EventType::Bounce,
            NotificationType::Complaint => EventType::Complaint,
            NotificationType::Delivery => EventType::Delivery,
        }
    }
}

impl fmt::Display for NotificationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The `mail` members that only identities asking for headers get.
const HEADER_MEMBERS: [&str; 3] = ["headersTruncated", "headers", "commonHeaders"];

/// Why a record cannot be turned into a notification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotificationError {
    #[error("the record is not JSON: {0}")]
    NotJson(String),
    #[error("the record has no mail object")]
    NoMail,
    #[error("{0} events are not identity notifications")]
    NotNotified(String),
}

/// The notification for an event-publishing `record` (JSON text):
/// `headers` says whether the identity asked for the original headers in
/// notifications of this type. Members of the event object (`bounce`,
/// `complaint`, `delivery`) are kept as they are; unknown members of the
/// record survive too, as SES may add fields to either format.
pub fn from_record(record: &str, headers: bool) -> Result<Value, NotificationError> {
    let value: Value =
        serde_json::from_str(record).map_err(|e| NotificationError::NotJson(e.to_string()))?;
    let Value::Object(mut fields) = value else {
        return Err(NotificationError::NotJson("not an object".into()));
    };
    let kind = fields
        .remove("eventType")
        .or_else(|| fields.remove("notificationType"))
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let notification = EventType::from_record_name(&kind)
        .ok()
        .and_then(NotificationType::of)
        .ok_or_else(|| NotificationError::NotNotified(kind.clone()))?;
    let Some(Value::Object(mail)) = fields.remove("mail") else {
        return Err(NotificationError::NoMail);
    };
    let mut out = Map::new();
    out.insert(
        "notificationType".into(),
        Value::String(notification.name().into()),
    );
    out.insert(
        "mail".into(),
        Value::Object(notification_mail(mail, headers)),
    );
    out.extend(fields);
    Ok(Value::Object(out))
}

/// The record's `mail` as notifications carry it: the source IP and the
/// caller out of the tags, the tags gone, the headers only if asked for.
fn notification_mail(mail: Map<String, Value>, headers: bool) -> Map<String, Value> {
    let tag = |name: &str| -> Option<Value> {
        mail.get("tags")?
            .get(name)?
            .as_array()?
            .first()
            .filter(|v| v.is_string())
            .cloned()
    };
    let (source_ip, caller) = (tag("ses:source-ip"), tag("ses:caller-identity"));
    let mut out = Map::new();
    for (key, value) in mail {
        if key == "tags" || (!headers && HEADER_MEMBERS.contains(&key.as_str())) {
            continue;
        }
        out.insert(key.clone(), value);
        // In the order SES's examples show them.
        if key == "sourceArn"
            && let Some(ip) = &source_ip
        {
            out.insert("sourceIp".into(), ip.clone());
        }
        if key == "sendingAccountId"
            && let Some(c) = &caller
        {
            out.insert("callerIdentity".into(), c.clone());
        }
    }
    // Records without those members still get the two.
    if let Some(ip) = source_ip {
        out.entry("sourceIp").or_insert(ip);
    }
    if let Some(c) = caller {
        out.entry("callerIdentity").or_insert(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(kind: &str) -> String {
        json!({
            "eventType": kind,
            "mail": {
                "timestamp": "2026-01-01T00:00:00.000Z",
                "source": "a@example.com",
                "sourceArn": "arn:aws:ses:us-east-1:1:identity/example.com",
                "sendingAccountId": "1",
                "messageId": "m",
                "destination": ["b@example.net"],
                "headersTruncated": false,
                "headers": [{"name": "Subject", "value": "Hi"}],
                "commonHeaders": {"subject": "Hi"},
                "tags": {"ses:source-ip": ["192.0.2.9"], "ses:caller-identity": ["key"],
                         "campaign": ["x"]}
            },
            "bounce": {"bounceType": "Permanent"}
        })
        .to_string()
    }

    #[test]
    fn renames_the_type_moves_tags_out_and_keeps_the_event() {
        let n = from_record(&record("Bounce"), false).unwrap();
        assert_eq!(n["notificationType"], "Bounce");
        assert!(n.get("eventType").is_none());
        assert_eq!(n["bounce"], json!({"bounceType": "Permanent"}));
        let mail = n["mail"].as_object().unwrap();
        assert_eq!(mail["sourceIp"], "192.0.2.9");
        assert_eq!(mail["callerIdentity"], "key");
        for gone in ["tags", "headers", "headersTruncated", "commonHeaders"] {
            assert!(!mail.contains_key(gone), "{gone}");
        }
    }

    #[test]
    fn headers_only_when_asked_for() {
        let n = from_record(&record("Bounce"), true).unwrap();
        assert_eq!(n["mail"]["headers"][0]["name"], "Subject");
        assert_eq!(n["mail"]["headersTruncated"], false);
        assert_eq!(n["mail"]["commonHeaders"]["subject"], "Hi");
        assert!(n["mail"].get("tags").is_none());
    }

    #[test]
    fn only_bounces_complaints_and_deliveries() {
        for kind in ["Send", "Open", "Rendering Failure", "nonsense"] {
            assert!(
                matches!(
                    from_record(&record(kind), false),
                    Err(NotificationError::NotNotified(_))
                ),
                "{kind}"
            );
        }
        assert_eq!(
            from_record("[]", false),
            Err(NotificationError::NotJson("not an object".into()))
        );
    }

    #[test]
    fn names_round_trip() {
        for t in NotificationType::ALL {
            assert_eq!(NotificationType::parse(t.name()), Some(t));
            assert_eq!(NotificationType::of(t.event_type()), Some(t));
        }
        assert_eq!(NotificationType::parse("bounce"), None);
        assert_eq!(NotificationType::of(EventType::Send), None);
    }
}
