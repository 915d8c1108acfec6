//! The shapes a record is delivered in: the SES record itself, the
//! EventBridge event envelope, and SendPost's numbered event types.

use mailsight_model::{EventRecord, EventType, parse_timestamp};
use mailsight_store::Delivery;
use serde_json::{Value, json};

use super::config::Format;

/// EventBridge's `detail-type` for each SES event type.
pub fn detail_type(kind: EventType) -> &'static str {
    match kind {
        EventType::Send => "Email Sent",
        EventType::Delivery => "Email Delivered",
        EventType::Bounce => "Email Bounced",
        EventType::Complaint => "Email Complaint Received",
        EventType::Reject => "Email Rejected",
        EventType::Open => "Email Opened",
        EventType::Click => "Email Clicked",
        EventType::RenderingFailure => "Email Rendering Failed",
        EventType::DeliveryDelay => "Email Delivery Delayed",
        EventType::Subscription => "Email Subscribed",
    }
}

/// The EventBridge event SES would put on the default bus for `body`.
/// `id` should be stable per delivery, so a retried event keeps its id.
pub fn eventbridge_envelope(
    kind: EventType,
    body: &str,
    id: &str,
    account: &str,
    region: &str,
) -> Value {
    let detail: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let time = EventRecord::parse(body.as_bytes())
        .ok()
        .and_then(|r| r.event_timestamp())
        .or_else(|| {
            detail
                .pointer("/mail/timestamp")
                .and_then(Value::as_str)
                .and_then(|t| parse_timestamp(t).ok())
        })
        .and_then(|t| t.replace_nanosecond(0).ok())
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default();
    json!({
        "version": "0",
        "id": id,
        "detail-type": detail_type(kind),
        "source": "aws.ses",
        "account": account,
        "time": time,
        "region": region,
        "resources": [],
        "detail": detail,
    })
}

/// SendPost's id and name for an event, or `None` where it has none
/// (delivery delays, and bounces that are neither hard nor soft).
pub fn sendpost_type(record: &EventRecord) -> Option<(u32, &'static str)> {
    Some(match record.kind().ok()? {
        EventType::Send => (27, "SES Processed"),
        EventType::Delivery => (28, "SES Delivered"),
        EventType::Bounce => match record.bounce.as_ref()?.bounce_type.as_str() {
            "Permanent" => (29, "SES Hard Bounced"),
            "Transient" => (30, "SES Soft Bounced"),
            _ => return None,
        },
        EventType::Complaint => (31, "SES Spam Report"),
        EventType::Reject => (32, "SES Dropped"),
        EventType::Open => (33, "SES Open"),
        EventType::Click => (34, "SES Click"),
        EventType::RenderingFailure => (35, "SES Rendering Failure"),
        EventType::Subscription => (36, "SES Unsubscribe"),
        EventType::DeliveryDelay => return None,
    })
}

/// A record in SendPost's numbering: the type id, the fields its events
/// carry (message id, recipients, time, SMTP response, user agent, URL),
/// and the whole SES record under `ses`.
pub fn sendpost_event(body: &str) -> Option<Value> {
    let record = EventRecord::parse(body.as_bytes()).ok()?;
    let (id, name) = sendpost_type(&record)?;
    let smtp = record
        .bounce
        .as_ref()
        .and_then(|b| b.bounced_recipients.first())
        .and_then(|r| r.diagnostic_code.clone())
        .or_else(|| {
            record
                .delivery
                .as_ref()
                .and_then(|d| d.smtp_response.clone())
        });
    let user_agent = record
        .open
        .as_ref()
        .and_then(|o| o.user_agent.clone())
        .or_else(|| record.click.as_ref().and_then(|c| c.user_agent.clone()));
    Some(json!({
        "type": id,
        "typeName": name,
        "messageId": record.mail.message_id,
        "recipients": record.affected_recipients(),
        "timestamp": record.event_timestamp_str().unwrap_or(&record.mail.timestamp),
        "smtpResponse": smtp,
        "userAgent": user_agent,
        "url": record.click.as_ref().and_then(|c| c.link.clone()),
        "ses": serde_json::from_str::<Value>(body).ok()?,
    }))
}
/// The bytes a forwarder sends for a delivery in `format`, or `None` when
/// the format has nothing for this event (SendPost has no id for delivery
/// delays, nor for bounces that are neither hard nor soft).
pub fn forward_body(format: Format, d: &Delivery, id: &str, region: &str) -> Option<Vec<u8>> {
    Some(match format {
        Format::Ses => d.body.clone().into_bytes(),
        Format::EventBridge => {
            eventbridge_envelope(d.event_type, &d.body, id, &d.account_id, region)
                .to_string()
                .into_bytes()
        }
        Format::SendPost => sendpost_event(&d.body)?.to_string().into_bytes(),
    })
}
