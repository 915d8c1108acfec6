//! One normal form: an SES event record becomes the rows the store keeps.
//!
//! Simulated records go through here, and so will records ingested from
//! real SES, so both are expanded per recipient, timestamped and
//! deduplicated the same way.

use mailsight_model::EventRecord;
use mailsight_model::insights::details_for;
use mailsight_store::{NewRecord, RecipientEvent};

/// Why a record cannot be stored.
#[derive(Debug, thiserror::Error)]
pub enum NormalizeError {
    #[error("invalid event record: {0}")]
    Record(String),
    #[error("the record has no mail.messageId")]
    NoMessageId,
    #[error("the record has no usable timestamp")]
    NoTimestamp,
}

/// Expands one record into a [`NewRecord`] for `account`.
///
/// The event time is the type's own timestamp, else the mail's; recipients
/// are those the event concerns (bounced, complained, delivered, delayed;
/// for the other types every destination of the message).
pub fn normalize(
    account: &str,
    record: &EventRecord,
    body: String,
) -> Result<NewRecord, NormalizeError> {
    let kind = record
        .kind()
        .map_err(|e| NormalizeError::Record(e.to_string()))?;
    let message_id = record.mail.message_id.clone();
    if message_id.is_empty() {
        return Err(NormalizeError::NoMessageId);
    }
    let at = record
        .event_timestamp()
        .ok_or(NormalizeError::NoTimestamp)?;
    let timestamp = (at.unix_timestamp_nanos() / 1_000_000) as i64;
    let recipients: Vec<RecipientEvent> = record
        .affected_recipients()
        .into_iter()
        .map(|address| RecipientEvent {
            details: details_for(record, &address).and_then(|d| serde_json::to_value(d).ok()),
            address,
        })
        .collect();
    let dedupe_key = dedupe_key(
        &message_id,
        kind.record_name(),
        timestamp,
        record,
        &recipients,
    );
    Ok(NewRecord {
        account_id: account.to_owned(),
        message_id,
        event_type: kind,
        timestamp,
        dedupe_key,
        body,
        recipients,
    })
}

/// Identifies an event by what it says, not how it arrived: the same event
/// through SNS and Firehose, or a retried delivery, gets the same key.
fn dedupe_key(
    message_id: &str,
    kind: &str,
    timestamp: i64,
    record: &EventRecord,
    recipients: &[RecipientEvent],
) -> String {
    let who: Vec<&str> = recipients.iter().map(|r| r.address.as_str()).collect();
    // Opens and clicks of one recipient can share a millisecond; what was
    // clicked, and from where, tells them apart.
    let extra = match (&record.click, &record.open) {
        (Some(c), _) => format!(
            "{}|{}|{}",
            c.link.as_deref().unwrap_or(""),
            c.ip_address.as_deref().unwrap_or(""),
            c.user_agent.as_deref().unwrap_or("")
        ),
        (_, Some(o)) => format!(
            "{}|{}",
            o.ip_address.as_deref().unwrap_or(""),
            o.user_agent.as_deref().unwrap_or("")
        ),
        _ => String::new(),
    };
    format!("{message_id}|{kind}|{timestamp}|{}|{extra}", who.join(","))
}
