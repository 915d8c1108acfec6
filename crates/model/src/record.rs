//! The SES event record: the JSON object SES publishes for each sending
//! event, and the older identity feedback notification it grew out of.
//!
//! This is mailsight's canonical event form: records are ingested from SNS,
//! Firehose and EventBridge, stored, and re-published to destinations. Two
//! properties drive the design:
//!
//! - **Nothing is lost.** AWS adds fields without notice, so every object
//!   keeps the keys it does not know in `extra` and writes them back; a record
//!   read and written again is the same JSON value. Timestamps stay as the
//!   original strings for the same reason (see [`crate::timestamp`]).
//! - **Absent stays absent.** Optional fields are skipped when `None`, so a
//!   record never gains keys (or `null`s) SES did not send. The one field
//!   where SES sends an explicit `null`, `complaint.complaintSubType`, is a
//!   double option so that `null` and "missing" stay distinct.
//!
//! Limits of the round trip: an explicit `null` on any other optional field
//! is read as absent, and numbers beyond `u64`/`f64` lose precision.
//!
//! Required fields are those SES documents as always present; a record
//! without them is rejected rather than half-understood.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::event_type::EventType;
use crate::feedback::{BounceSubType, BounceType, ComplaintFeedbackType, DelayType};
use crate::tags::TagMap;
use crate::timestamp::parse_timestamp;

/// Keys an object carries that this model does not name.
pub type Extra = Map<String, Value>;

/// Why bytes could not be understood as an event record.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("not a valid SES event record: {0}")]
    Json(#[from] serde_json::Error),
    #[error("event record has neither 'eventType' nor 'notificationType'")]
    MissingType,
    #[error("event record has an unknown event type '{0}'")]
    UnknownType(String),
    #[error(
        "event record has conflicting types: eventType '{event_type}', notificationType '{notification_type}'"
    )]
    ConflictingType {
        event_type: String,
        notification_type: String,
    },
    #[error("{} event record lacks its '{}' object", .event_type.record_name(), .event_type.record_key())]
    MissingObject { event_type: EventType },
}

/// One SES event record (event publishing) or feedback notification
/// (identity notifications, which use `notificationType`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventRecord {
    /// Record spelling (`Rendering Failure`); set by event publishing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_type: Option<String>,
    /// Set instead of `eventType` by identity feedback notifications
    /// (`Bounce`, `Complaint`, `Delivery` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_type: Option<String>,
    pub mail: Mail,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bounce: Option<Bounce>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complaint: Option<Complaint>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send: Option<SendDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reject: Option<Reject>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open: Option<Open>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub click: Option<Click>,
    /// The Rendering Failure object; SES keys it `failure`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<RenderingFailure>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_delay: Option<DeliveryDelay>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription: Option<Subscription>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// The `mail` object common to every record.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Mail {
    /// When the message was sent (record timestamp text).
    pub timestamp: String,
    pub message_id: String,
    /// Envelope MAIL FROM, possibly with a display name.
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_arn: Option<String>,
    /// Feedback notifications only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ip: Option<String>,
    /// Feedback notifications only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caller_identity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sending_account_id: Option<String>,
    pub destination: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers_truncated: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<Vec<Header>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub common_headers: Option<CommonHeaders>,
    /// Absent in feedback notifications; SES does not publish tags there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<TagMap>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// One original header of the message.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub name: String,
    pub value: String,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `mail.commonHeaders`. Address-list headers are arrays; single-valued
/// headers (including `sender`, one mailbox per RFC 5322) are strings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommonHeaders {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cc: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bcc: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `bounce`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bounce {
    pub bounce_type: BounceType,
    pub bounce_sub_type: BounceSubType,
    pub bounced_recipients: Vec<BouncedRecipient>,
    pub timestamp: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback_id: Option<String>,
    /// Present only when a DSN was attached (`dsn; mta.example.com`).
    #[serde(
        rename = "reportingMTA",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub reporting_mta: Option<String>,
    /// Feedback notifications only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_mta_ip: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// One entry of `bounce.bouncedRecipients`; only the address is certain.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BouncedRecipient {
    pub email_address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagnostic_code: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `complaint`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Complaint {
    pub complained_recipients: Vec<ComplainedRecipient>,
    pub timestamp: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback_id: Option<String>,
    /// `None`: key absent. `Some(None)`: SES sent `null` (the usual case in
    /// event publishing). `Some(Some(s))`: e.g. `OnAccountSuppressionList`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "double_option"
    )]
    pub complaint_sub_type: Option<Option<String>>,
    /// Present only when the ISP attached a feedback report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complaint_feedback_type: Option<ComplaintFeedbackType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrival_date: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Complaint {
    /// The subtype with `null` and "absent" collapsed, for callers that do
    /// not need to reproduce the wire form.
    pub fn sub_type(&self) -> Option<&str> {
        self.complaint_sub_type.as_ref().and_then(|s| s.as_deref())
    }
}

/// One entry of `complaint.complainedRecipients`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ComplainedRecipient {
    pub email_address: String,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `delivery`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub timestamp: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_time_millis: Option<u64>,
    pub recipients: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smtp_response: Option<String>,
    #[serde(
        rename = "reportingMTA",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub reporting_mta: Option<String>,
    /// Feedback notifications only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_mta_ip: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `send`: empty today, but a struct so anything AWS adds is kept.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SendDetails {
    #[serde(flatten)]
    pub extra: Extra,
}

/// `reject`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Reject {
    /// The only documented value is `Bad content` (virus found).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `open`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Open {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    pub timestamp: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `click`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Click {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    pub timestamp: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// The original (untracked) URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// From the anchor's `ses:tags` attribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_tags: Option<TagMap>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `failure` (eventType `Rendering Failure`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RenderingFailure {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `deliveryDelay`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryDelay {
    pub timestamp: String,
    pub delay_type: DelayType,
    /// When SES gives up retrying.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_time: Option<String>,
    pub delayed_recipients: Vec<DelayedRecipient>,
    #[serde(
        rename = "reportingMTA",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub reporting_mta: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// One entry of `deliveryDelay.delayedRecipients`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DelayedRecipient {
    pub email_address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagnostic_code: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `subscription`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_list: Option<String>,
    pub timestamp: String,
    /// How the change was made, e.g. `UnsubscribeHeader`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_topic_preferences: Option<TopicPreferences>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_topic_preferences: Option<TopicPreferences>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A contact's preferences before or after a subscription change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TopicPreferences {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsubscribe_all: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic_subscription_status: Option<Vec<TopicSubscriptionStatus>>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// One topic's status (`OptIn` / `OptOut`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TopicSubscriptionStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_status: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Lets a present `null` become `Some(None)`; serde alone would fold it into
/// `None` and the `null` would vanish on the way out.
fn double_option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// Decodes a record and checks that its type is known and its per-type
/// object present, so callers can rely on [`EventRecord::kind`] afterwards.
/// Use `serde_json::from_slice` directly to decode without that check.
pub fn parse(json: &[u8]) -> Result<EventRecord, RecordError> {
    let record: EventRecord = serde_json::from_slice(json)?;
    record.kind()?;
    Ok(record)
}

impl EventRecord {
    /// Same as the free function [`parse`].
    pub fn parse(json: &[u8]) -> Result<EventRecord, RecordError> {
        parse(json)
    }

    /// Compact JSON, keys in struct order then unknown keys in their
    /// original order.
    pub fn to_json(&self) -> Result<String, RecordError> {
        Ok(serde_json::to_string(self)?)
    }

    pub fn to_json_vec(&self) -> Result<Vec<u8>, RecordError> {
        Ok(serde_json::to_vec(self)?)
    }

    pub fn to_value(&self) -> Result<Value, RecordError> {
        Ok(serde_json::to_value(self)?)
    }

    /// The event type, from `eventType` or (feedback format)
    /// `notificationType`, after checking the matching object is present.
    pub fn kind(&self) -> Result<EventType, RecordError> {
        let unknown = |s: &str| RecordError::UnknownType(s.to_owned());
        let t = match (&self.event_type, &self.notification_type) {
            (Some(e), Some(n)) if e != n => {
                return Err(RecordError::ConflictingType {
                    event_type: e.clone(),
                    notification_type: n.clone(),
                });
            }
            (Some(e), _) => EventType::from_record_name(e).map_err(|_| unknown(e))?,
            (None, Some(n)) => match EventType::from_record_name(n) {
                // Identity notifications only ever carry these three.
                Ok(t @ (EventType::Bounce | EventType::Complaint | EventType::Delivery)) => t,
                _ => return Err(unknown(n)),
            },
            (None, None) => return Err(RecordError::MissingType),
        };
        if !self.has_object(t) {
            return Err(RecordError::MissingObject { event_type: t });
        }
        Ok(t)
    }

    fn has_object(&self, t: EventType) -> bool {
        match t {
            EventType::Send => self.send.is_some(),
            EventType::Reject => self.reject.is_some(),
            EventType::Bounce => self.bounce.is_some(),
            EventType::Complaint => self.complaint.is_some(),
            EventType::Delivery => self.delivery.is_some(),
            EventType::Open => self.open.is_some(),
            EventType::Click => self.click.is_some(),
            EventType::RenderingFailure => self.failure.is_some(),
            EventType::DeliveryDelay => self.delivery_delay.is_some(),
            EventType::Subscription => self.subscription.is_some(),
        }
    }

    /// The recipients this event is about: the per-type recipient list where
    /// the type has one (a bounce may concern only some of the destinations),
    /// otherwise every destination of the message. A record whose type cannot
    /// be determined is treated as concerning every destination.
    pub fn affected_recipients(&self) -> Vec<String> {
        match self.kind() {
            Ok(EventType::Bounce) => self
                .bounce
                .iter()
                .flat_map(|b| &b.bounced_recipients)
                .map(|r| r.email_address.clone())
                .collect(),
            Ok(EventType::Complaint) => self
                .complaint
                .iter()
                .flat_map(|c| &c.complained_recipients)
                .map(|r| r.email_address.clone())
                .collect(),
            Ok(EventType::Delivery) => self
                .delivery
                .iter()
                .flat_map(|d| &d.recipients)
                .cloned()
                .collect(),
            Ok(EventType::DeliveryDelay) => self
                .delivery_delay
                .iter()
                .flat_map(|d| &d.delayed_recipients)
                .map(|r| r.email_address.clone())
                .collect(),
            _ => self.mail.destination.clone(),
        }
    }

    /// The per-type object's timestamp text, if the type has one.
    pub fn event_timestamp_str(&self) -> Option<&str> {
        let s = match self.kind().ok()? {
            EventType::Bounce => &self.bounce.as_ref()?.timestamp,
            EventType::Complaint => &self.complaint.as_ref()?.timestamp,
            EventType::Delivery => &self.delivery.as_ref()?.timestamp,
            EventType::Open => &self.open.as_ref()?.timestamp,
            EventType::Click => &self.click.as_ref()?.timestamp,
            EventType::DeliveryDelay => &self.delivery_delay.as_ref()?.timestamp,
            EventType::Subscription => &self.subscription.as_ref()?.timestamp,
            EventType::Send | EventType::Reject | EventType::RenderingFailure => return None,
        };
        Some(s)
    }

    /// When the event happened: the per-type object's timestamp, or for
    /// Send, Reject and Rendering Failure (which have none) the time the
    /// message was sent. `None` if the text is not a valid timestamp.
    pub fn event_timestamp(&self) -> Option<OffsetDateTime> {
        let s = self
            .event_timestamp_str()
            .unwrap_or(self.mail.timestamp.as_str());
        parse_timestamp(s).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn minimal(event_type: &str, key: &str, obj: Value) -> Value {
        json!({
            "eventType": event_type,
            "mail": {
                "timestamp": "2024-05-01T10:00:00.000Z",
                "source": "s@example.com",
                "messageId": "m1",
                "destination": ["a@example.com", "b@example.com"]
            },
            key: obj
        })
    }

    fn parse_value(v: &Value) -> Result<EventRecord, RecordError> {
        parse(&serde_json::to_vec(v).unwrap())
    }

    #[test]
    fn complaint_sub_type_null_absent_and_value_stay_distinct() {
        let base = |sub: Option<Value>| {
            let mut c = json!({"complainedRecipients": [{"emailAddress": "a@example.com"}],
                               "timestamp": "2024-05-01T10:00:00.000Z"});
            if let Some(s) = sub {
                c["complaintSubType"] = s;
            }
            minimal("Complaint", "complaint", c)
        };
        for (input, expect) in [
            (base(None), None),
            (base(Some(Value::Null)), Some(None)),
            (
                base(Some(json!("OnAccountSuppressionList"))),
                Some(Some("OnAccountSuppressionList".to_owned())),
            ),
        ] {
            let r = parse_value(&input).unwrap();
            let c = r.complaint.as_ref().unwrap();
            assert_eq!(c.complaint_sub_type, expect);
            assert_eq!(r.to_value().unwrap(), input);
        }
    }

    #[test]
    fn kind_errors_are_specific() {
        let mut v = minimal(
            "Bounce",
            "delivery",
            json!({"timestamp": "t", "recipients": []}),
        );
        assert!(matches!(
            parse_value(&v),
            Err(RecordError::MissingObject {
                event_type: EventType::Bounce
            })
        ));
        let msg = parse_value(&v).unwrap_err().to_string();
        assert_eq!(msg, "Bounce event record lacks its 'bounce' object");

        v["eventType"] = json!("Exploded");
        assert!(matches!(parse_value(&v), Err(RecordError::UnknownType(s)) if s == "Exploded"));

        // API spelling is not the record spelling.
        v["eventType"] = json!("DELIVERY");
        assert!(matches!(parse_value(&v), Err(RecordError::UnknownType(_))));

        v.as_object_mut().unwrap().remove("eventType");
        assert!(matches!(parse_value(&v), Err(RecordError::MissingType)));

        v["notificationType"] = json!("Delivery");
        assert_eq!(
            parse_value(&v).unwrap().kind().unwrap(),
            EventType::Delivery
        );

        // The feedback format has only three types.
        let mut o = minimal("Open", "open", json!({"timestamp": "t"}));
        o.as_object_mut().unwrap().remove("eventType");
        o["notificationType"] = json!("Open");
        assert!(matches!(parse_value(&o), Err(RecordError::UnknownType(_))));

        v["eventType"] = json!("Bounce");
        assert!(matches!(
            parse_value(&v),
            Err(RecordError::ConflictingType { .. })
        ));
    }

    #[test]
    fn malformed_input_is_an_error_not_a_panic() {
        assert!(matches!(parse(b""), Err(RecordError::Json(_))));
        assert!(matches!(parse(b"[]"), Err(RecordError::Json(_))));
        assert!(matches!(
            parse(b"{\"eventType\":\"Send\"}"),
            Err(RecordError::Json(_))
        ));
        let mut v = minimal("Send", "send", json!({}));
        v["mail"]["tags"] = json!({"a": "not-a-list"});
        assert!(matches!(parse_value(&v), Err(RecordError::Json(_))));
    }

    #[test]
    fn rendering_failure_uses_the_failure_key() {
        let v = minimal("Rendering Failure", "failure", json!({"templateName": "T"}));
        let r = parse_value(&v).unwrap();
        assert_eq!(r.kind().unwrap(), EventType::RenderingFailure);
        assert_eq!(
            r.failure.as_ref().unwrap().template_name.as_deref(),
            Some("T")
        );
        let v = minimal("Rendering Failure", "renderingFailure", json!({}));
        assert!(matches!(
            parse_value(&v),
            Err(RecordError::MissingObject { .. })
        ));
    }

    #[test]
    fn affected_recipients_fall_back_to_destination() {
        let r = parse_value(&minimal("Open", "open", json!({"timestamp": "t"}))).unwrap();
        assert_eq!(
            r.affected_recipients(),
            vec!["a@example.com", "b@example.com"]
        );
        let r = parse_value(&minimal(
            "Delivery",
            "delivery",
            json!({"timestamp": "t", "recipients": ["b@example.com"]}),
        ))
        .unwrap();
        assert_eq!(r.affected_recipients(), vec!["b@example.com"]);
    }

    #[test]
    fn event_timestamp_prefers_the_event_object() {
        let r = parse_value(&minimal(
            "Open",
            "open",
            json!({"timestamp": "2024-05-01T10:05:00.250Z"}),
        ))
        .unwrap();
        assert_eq!(
            r.event_timestamp(),
            Some(time::macros::datetime!(2024-05-01 10:05:00.25 UTC))
        );
        let r = parse_value(&minimal("Send", "send", json!({}))).unwrap();
        assert_eq!(r.event_timestamp_str(), None);
        assert_eq!(
            r.event_timestamp(),
            Some(time::macros::datetime!(2024-05-01 10:00:00 UTC))
        );
        let r = parse_value(&minimal("Open", "open", json!({"timestamp": "garbage"}))).unwrap();
        assert_eq!(r.event_timestamp(), None);
    }
}
