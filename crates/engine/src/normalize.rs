//! One normal form: an SES event record becomes the rows the store keeps.
//!
//! Simulated records go through here, and so will records ingested from
//! real SES, so both are expanded per recipient, timestamped and
//! deduplicated the same way.

use mailsight_model::insights::details_for;
use mailsight_model::{EventRecord, isp, parse_timestamp};
use mailsight_store::{Message, NewRecord, Recipient, RecipientEvent};

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
    let configuration_set = record
        .mail
        .tags
        .as_ref()
        .and_then(|t| t.first("ses:configuration-set"))
        .map(str::to_owned);
    // The identity's notification topics get its bounces, complaints and
    // deliveries, as configuration sets' destinations get their events.
    let identity = record
        .mail
        .source_arn
        .as_deref()
        .and_then(identity_of_arn)
        .map(str::to_owned);
    Ok(NewRecord {
        account_id: account.to_owned(),
        message_id,
        event_type: kind,
        timestamp,
        dedupe_key,
        body,
        recipients,
        configuration_set,
        identity,
        machine: None,
    })
}

/// The identity an SES identity ARN names
/// (`arn:aws:ses:<region>:<account>:identity/<identity>`).
pub fn identity_of_arn(arn: &str) -> Option<&str> {
    arn.strip_prefix("arn:")?
        .split_once(":identity/")
        .map(|(_, name)| name)
        .filter(|n| !n.is_empty())
}

/// The message a record belongs to, from its `mail` object: sender,
/// subject, tags (SES's auto-tags included, one per value, as insights list
/// them), configuration set and recipients with their ISP.
pub fn message_from(account: &str, record: &EventRecord) -> Message {
    let mail = &record.mail;
    let tags: Vec<(String, String)> = mail
        .tags
        .as_ref()
        .map(|t| {
            t.iter()
                .flat_map(|(name, values)| values.iter().map(move |v| (name.to_owned(), v.clone())))
                .collect()
        })
        .unwrap_or_default();
    let configuration_set = mail
        .tags
        .as_ref()
        .and_then(|t| t.first("ses:configuration-set"))
        .map(str::to_owned);
    let sent_at = parse_timestamp(&mail.timestamp)
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
        .unwrap_or_default();
    Message {
        message_id: mail.message_id.clone(),
        account_id: account.to_owned(),
        from_address: mail.source.clone(),
        subject: mail.common_headers.as_ref().and_then(|h| h.subject.clone()),
        tags,
        configuration_set,
        sent_at,
        recipients: mail
            .destination
            .iter()
            .map(|a| Recipient {
                address: a.clone(),
                isp: isp::classify(a).to_owned(),
            })
            .collect(),
    }
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

#[cfg(test)]
mod identity_tests {
    use super::identity_of_arn;

    #[test]
    fn the_identity_is_the_arn_resource() {
        assert_eq!(
            identity_of_arn("arn:aws:ses:us-east-1:1:identity/example.com"),
            Some("example.com")
        );
        assert_eq!(
            identity_of_arn("arn:aws:ses:eu-west-1:1:identity/a/b@example.com"),
            Some("a/b@example.com")
        );
        for none in [
            "",
            "example.com",
            "arn:aws:ses:us-east-1:1:identity/",
            "arn:aws:sns:x:1:t",
        ] {
            assert_eq!(identity_of_arn(none), None, "{none}");
        }
    }
}
