//! The `GetMessageInsights` response, and how a stored event record becomes
//! one entry of it.
//!
//! The API differs from the event record in ways that are easy to get wrong,
//! so the conversion lives here once: PascalCase keys, UPPER_SNAKE event and
//! bounce types, and timestamps as epoch seconds in a JSON *number* (the Rust
//! SDK rejects a string there). Absent details are omitted, never `null`.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::event_type::EventType;
use crate::record::{EventRecord, RecordError};
use crate::tags::MessageTag;

/// The whole response body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MessageInsights {
    pub message_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_email_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(default)]
    pub email_tags: Vec<MessageTag>,
    #[serde(default)]
    pub insights: Vec<EmailInsights>,
}

/// All events of one message for one recipient.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EmailInsights {
    pub destination: String,
    /// Display name from [`crate::isp::classify`].
    pub isp: String,
    /// Chronological, as SES returns them.
    #[serde(default)]
    pub events: Vec<InsightsEvent>,
}

/// One event in an insight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InsightsEvent {
    /// Epoch seconds; fractional part carries the milliseconds.
    pub timestamp: f64,
    #[serde(rename = "Type")]
    pub event_type: EventType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<EventDetails>,
}

/// Bounce or complaint details; empty for every other type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EventDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bounce: Option<BounceDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complaint: Option<ComplaintDetails>,
}

/// Strings rather than enums: the API defines the subtype as a free string,
/// and the values are already converted to the API spelling.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BounceDetails {
    /// `UNDETERMINED` / `TRANSIENT` / `PERMANENT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bounce_type: Option<String>,
    /// UPPER_SNAKE, e.g. `ON_ACCOUNT_SUPPRESSION_LIST`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bounce_sub_type: Option<String>,
    /// Only when the DSN carried one for this recipient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagnostic_code: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ComplaintDetails {
    /// As in the record (`OnAccountSuppressionList`); omitted when `null`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complaint_sub_type: Option<String>,
    /// As in the record (`abuse`): the API passes the ISP's value through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complaint_feedback_type: Option<String>,
}

/// Epoch seconds with millisecond precision, computed from whole
/// milliseconds so the number prints as SES would (`1501893662.669`, not
/// `1501893662.6689999`).
pub fn epoch_seconds(t: OffsetDateTime) -> f64 {
    let millis = t.unix_timestamp_nanos().div_euclid(1_000_000);
    millis as f64 / 1000.0
}

/// The insight details of a bounce or complaint record for one recipient.
///
/// `None` for other event types, and when the recipient is not among the
/// bounced / complained recipients (the record does not concern them).
/// Addresses are compared ASCII-case-insensitively: SES and receiving MTAs
/// are not consistent about the case they report.
pub fn details_for(record: &EventRecord, recipient: &str) -> Option<EventDetails> {
    match record.kind().ok()? {
        EventType::Bounce => {
            let b = record.bounce.as_ref()?;
            let r = b
                .bounced_recipients
                .iter()
                .find(|r| r.email_address.eq_ignore_ascii_case(recipient))?;
            Some(EventDetails {
                bounce: Some(BounceDetails {
                    bounce_type: Some(b.bounce_type.insights_name()),
                    bounce_sub_type: Some(b.bounce_sub_type.insights_name()),
                    diagnostic_code: r.diagnostic_code.clone(),
                }),
                complaint: None,
            })
        }
        EventType::Complaint => {
            let c = record.complaint.as_ref()?;
            c.complained_recipients
                .iter()
                .find(|r| r.email_address.eq_ignore_ascii_case(recipient))?;
            Some(EventDetails {
                bounce: None,
                complaint: Some(ComplaintDetails {
                    complaint_sub_type: c.sub_type().map(str::to_owned),
                    complaint_feedback_type: c
                        .complaint_feedback_type
                        .as_ref()
                        .map(|f| f.as_str().to_owned()),
                }),
            })
        }
        _ => None,
    }
}

impl InsightsEvent {
    /// The insight entry a record contributes for one recipient. Fails only
    /// if the record's type is unusable; an unparsable timestamp falls back
    /// to 0 rather than dropping the event from the history.
    pub fn from_record(record: &EventRecord, recipient: &str) -> Result<Self, RecordError> {
        let event_type = record.kind()?;
        Ok(InsightsEvent {
            timestamp: record.event_timestamp().map_or(0.0, epoch_seconds),
            event_type,
            details: details_for(record, recipient),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn serialises_exactly_like_the_api() {
        let body = MessageInsights {
            message_id: "m-1".into(),
            from_email_address: Some("sender@example.com".into()),
            subject: None,
            email_tags: vec![MessageTag::new("campaign", "spring")],
            insights: vec![EmailInsights {
                destination: "r@gmail.com".into(),
                isp: "Gmail".into(),
                events: vec![
                    InsightsEvent {
                        timestamp: epoch_seconds(datetime!(2017-08-05 00:40:02.012 UTC)),
                        event_type: EventType::Send,
                        details: None,
                    },
                    InsightsEvent {
                        timestamp: epoch_seconds(datetime!(2017-08-05 00:41:02.669 UTC)),
                        event_type: EventType::Bounce,
                        details: Some(EventDetails {
                            bounce: Some(BounceDetails {
                                bounce_type: Some("PERMANENT".into()),
                                bounce_sub_type: Some("ON_ACCOUNT_SUPPRESSION_LIST".into()),
                                diagnostic_code: None,
                            }),
                            complaint: None,
                        }),
                    },
                ],
            }],
        };
        let got = serde_json::to_string(&body).unwrap();
        assert_eq!(
            got,
            concat!(
                r#"{"MessageId":"m-1","FromEmailAddress":"sender@example.com","#,
                r#""EmailTags":[{"Name":"campaign","Value":"spring"}],"#,
                r#""Insights":[{"Destination":"r@gmail.com","Isp":"Gmail","Events":["#,
                r#"{"Timestamp":1501893602.012,"Type":"SEND"},"#,
                r#"{"Timestamp":1501893662.669,"Type":"BOUNCE","Details":{"Bounce":"#,
                r#"{"BounceType":"PERMANENT","BounceSubType":"ON_ACCOUNT_SUPPRESSION_LIST"}}}"#,
                r#"]}]}"#
            )
        );
        let back: MessageInsights = serde_json::from_str(&got).unwrap();
        assert_eq!(back, body);
    }

    #[test]
    fn epoch_seconds_keeps_milliseconds_and_whole_seconds() {
        assert_eq!(epoch_seconds(datetime!(1970-01-01 00:00:01.5 UTC)), 1.5);
        assert_eq!(
            epoch_seconds(datetime!(2024-08-08 00:00:00 UTC)),
            1723075200.0
        );
        // Sub-millisecond digits are dropped.
        assert_eq!(
            epoch_seconds(datetime!(2024-08-08 00:00:00.123999 UTC)),
            1723075200.123
        );
        assert_eq!(epoch_seconds(datetime!(1969-12-31 23:59:59.5 UTC)), -0.5);
    }
}
