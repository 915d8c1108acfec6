//! Builds SES event-publishing records for simulated messages.
//!
//! Records are built as JSON in SES's exact field names and then go through
//! the same [`crate::normalize`] step as records ingested from real SES, so a
//! simulated event is stored exactly as a real one would be.

use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use mailsight_model::timestamp::format_timestamp;

use crate::outgoing::Outgoing;

/// The host name simulated deliveries report as their `reportingMTA`.
const REPORTING_MTA: &str = "a8-70.smtp-out.mailsight.local";
/// The outgoing IP simulated deliveries report (TEST-NET-3, never routable).
const OUTGOING_IP: &str = "203.0.113.25";

/// Converts epoch milliseconds to a record timestamp.
pub fn at(ms: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format_timestamp(t)
}

/// Everything the `mail` object of every record of one message shares.
pub struct MailContext {
    mail: Value,
}

impl MailContext {
    /// Builds the `mail` object for a message sent at `sent_at`.
    pub fn new(
        out: &Outgoing,
        message_id: &str,
        sent_at: i64,
        account: &str,
        region: &str,
        caller: &str,
    ) -> Self {
        let mut tags = Map::new();
        if let Some(set) = &out.configuration_set {
            tags.insert("ses:configuration-set".into(), json!([set]));
        }
        tags.insert("ses:source-ip".into(), json!([out.source_ip]));
        tags.insert("ses:from-domain".into(), json!([out.from_domain]));
        tags.insert("ses:caller-identity".into(), json!([caller]));
        tags.insert("ses:operation".into(), json!([out.operation]));
        for (name, value) in &out.tags {
            match tags.get_mut(name).and_then(Value::as_array_mut) {
                Some(values) => values.push(json!(value)),
                None => {
                    tags.insert(name.clone(), json!([value]));
                }
            }
        }
        let headers: Vec<Value> = out
            .headers
            .iter()
            .map(|(name, value)| json!({"name": name, "value": value}))
            .collect();
        let mut common = Map::new();
        common.insert("from".into(), json!([out.from]));
        if !out.reply_to.is_empty() {
            common.insert("replyTo".into(), json!(out.reply_to));
        }
        if !out.to.is_empty() {
            common.insert("to".into(), json!(out.to));
        }
        if !out.cc.is_empty() {
            common.insert("cc".into(), json!(out.cc));
        }
        common.insert(
            "messageId".into(),
            json!(
                out.message_id_header
                    .clone()
                    .unwrap_or_else(|| message_id.to_owned())
            ),
        );
        if let Some(subject) = &out.subject {
            common.insert("subject".into(), json!(subject));
        }
        let mail = json!({
            "timestamp": at(sent_at),
            "source": out.from,
            "sourceArn": format!("arn:aws:ses:{region}:{account}:identity/{}", out.identity),
            "sendingAccountId": account,
            "messageId": message_id,
            "destination": out.recipients,
            "headersTruncated": false,
            "headers": headers,
            "commonHeaders": common,
            "tags": tags,
        });
        MailContext { mail }
    }

    /// The context of a message already sent, from the `mail` object of
    /// one of its stored records (for opens, clicks and unsubscribes).
    pub fn from_mail(mut mail: Value) -> Self {
        // Engagement happens after delivery: SES's records then carry the
        // outgoing IP, as the Delivery record does.
        if let Some(tags) = mail.get_mut("tags").and_then(Value::as_object_mut) {
            tags.entry("ses:outgoing-ip")
                .or_insert_with(|| json!([OUTGOING_IP]));
        }
        MailContext { mail }
    }

    /// The `mail` object every record of this message carries.
    pub fn mail(&self) -> &Value {
        &self.mail
    }

    /// Sets the subject once a template has been rendered.
    pub fn set_subject(&mut self, subject: &str) {
        if let Some(common) = self
            .mail
            .get_mut("commonHeaders")
            .and_then(Value::as_object_mut)
        {
            common.insert("subject".into(), json!(subject));
        }
    }

    fn record(&self, event_type: &str, key: &str, body: Value) -> Value {
        json!({ "eventType": event_type, "mail": self.mail, key: body })
    }

    pub fn send(&self) -> Value {
        self.record("Send", "send", json!({}))
    }

    pub fn delivery(&self, recipient: &str, at_ms: i64, sent_at: i64) -> Value {
        let mut record = self.record(
            "Delivery",
            "delivery",
            json!({
                "timestamp": at(at_ms),
                "processingTimeMillis": at_ms - sent_at,
                "recipients": [recipient],
                "smtpResponse": "250 2.6.0 Message received",
                "reportingMTA": REPORTING_MTA,
            }),
        );
        // SES adds the outgoing IP only once the message has left.
        if let Some(tags) = record
            .pointer_mut("/mail/tags")
            .and_then(Value::as_object_mut)
        {
            tags.insert("ses:outgoing-ip".into(), json!([OUTGOING_IP]));
        }
        record
    }

    pub fn bounce(&self, recipient: &str, at_ms: i64, b: &Bounce<'_>) -> Value {
        self.record(
            "Bounce",
            "bounce",
            json!({
                "feedbackId": feedback_id(at_ms),
                "bounceType": b.bounce_type,
                "bounceSubType": b.sub_type,
                "bouncedRecipients": [{
                    "emailAddress": recipient,
                    "action": "failed",
                    "status": b.status,
                    "diagnosticCode": b.diagnostic,
                }],
                "timestamp": at(at_ms),
                "reportingMTA": format!("dsn; {REPORTING_MTA}"),
            }),
        )
    }

    pub fn complaint(&self, recipient: &str, at_ms: i64, feedback_type: &str) -> Value {
        self.record(
            "Complaint",
            "complaint",
            json!({
                "feedbackId": feedback_id(at_ms),
                "complaintSubType": null,
                "complainedRecipients": [{"emailAddress": recipient}],
                "timestamp": at(at_ms),
                "userAgent": "mailsight-simulator",
                "complaintFeedbackType": feedback_type,
                "arrivalDate": at(at_ms),
            }),
        )
    }

    /// SES found a virus (the EICAR test string) and sent nothing.
    pub fn reject(&self) -> Value {
        self.record("Reject", "reject", json!({"reason": "Bad content"}))
    }

    /// The template could not be rendered; nothing was sent. SES's record
    /// carries no headers then: the message was never composed.
    pub fn rendering_failure(&self, template: &str, error: &str) -> Value {
        let mut record = self.record(
            "Rendering Failure",
            "failure",
            json!({"errorMessage": error, "templateName": template}),
        );
        if let Some(mail) = record.get_mut("mail").and_then(Value::as_object_mut) {
            mail.remove("headers");
            mail.remove("commonHeaders");
        }
        record
    }

    /// The recipient's client loaded the open pixel.
    pub fn open(&self, ip: &str, user_agent: &str, at_ms: i64) -> Value {
        self.record(
            "Open",
            "open",
            json!({"ipAddress": ip, "timestamp": at(at_ms), "userAgent": user_agent}),
        )
    }

    /// The recipient followed a tracked link.
    pub fn click(
        &self,
        ip: &str,
        user_agent: &str,
        at_ms: i64,
        link: &str,
        link_tags: &Map<String, Value>,
    ) -> Value {
        let mut click = json!({
            "ipAddress": ip,
            "link": link,
            "timestamp": at(at_ms),
            "userAgent": user_agent,
        });
        if !link_tags.is_empty() {
            click["linkTags"] = Value::Object(link_tags.clone());
        }
        self.record("Click", "click", click)
    }

    /// A recipient changed their subscription to a contact list.
    pub fn subscription(
        &self,
        contact_list: &str,
        at_ms: i64,
        source: &str,
        new: Value,
        old: Value,
    ) -> Value {
        self.record(
            "Subscription",
            "subscription",
            json!({
                "contactList": contact_list,
                "timestamp": at(at_ms),
                "source": source,
                "newTopicPreferences": new,
                "oldTopicPreferences": old,
            }),
        )
    }

    pub fn delivery_delay(
        &self,
        recipient: &str,
        at_ms: i64,
        expires_ms: i64,
        d: &Delay<'_>,
    ) -> Value {
        self.record(
            "DeliveryDelay",
            "deliveryDelay",
            json!({
                "timestamp": at(at_ms),
                "delayType": d.delay_type,
                "expirationTime": at(expires_ms),
                "delayedRecipients": [{
                    "emailAddress": recipient,
                    "status": d.status,
                    "diagnosticCode": d.diagnostic,
                }],
            }),
        )
    }
}

/// The parts of a bounce that vary.
pub struct Bounce<'a> {
    pub bounce_type: &'a str,
    pub sub_type: &'a str,
    pub status: &'a str,
    pub diagnostic: &'a str,
}

/// The parts of a delivery delay that vary.
pub struct Delay<'a> {
    pub delay_type: &'a str,
    pub status: &'a str,
    pub diagnostic: &'a str,
}

/// A feedback id shaped like SES's (hex time, a random part, `-000000`).
fn feedback_id(at_ms: i64) -> String {
    format!("{at_ms:016x}-{}-000000", uuid::Uuid::new_v4())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outgoing::{Content, SendRequest, prepare};
    use mailsight_model::notification::from_record;

    /// A message as the SES v1 and v2 sends give it to the engine.
    fn context() -> MailContext {
        let mime = b"From: John Doe <john@example.com>\r\nTo: jane@example.com\r\n\
            Subject: Hello\r\nDate: Wed, 27 Jan 2016 14:05:45 +0000\r\n\
            Message-ID: <custom@example.com>\r\n\r\nbody\r\n";
        let req = SendRequest {
            account_id: "123456789012".into(),
            caller: "AKIDEXAMPLE".into(),
            source_ip: "192.0.2.7".into(),
            from: None,
            to: vec![],
            cc: vec![],
            bcc: vec![],
            reply_to: vec![],
            content: Content::Raw(mime.to_vec()),
            tags: vec![],
            configuration_set: None,
            list_management: None,
            operation: "SendRawEmail",
            tenant: None,
        };
        let mut out = prepare(&req).unwrap();
        out.identity = "example.com".into();
        MailContext::new(&out, "m-1", 0, "123456789012", "us-east-1", "AKIDEXAMPLE")
    }

    fn fixture(name: &str) -> Value {
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/fixtures/ses-docs-examples")
            .join(name);
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
    }

    fn keys(v: &Value) -> Vec<&str> {
        let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        k.sort();
        k
    }

    /// The notifications of simulated bounces and deliveries have the
    /// members of SES's examples, at the top and in `mail` (headers on),
    /// and their event objects only members the examples show (less
    /// `remoteMtaIp`, which a simulated record cannot know).
    #[test]
    fn simulated_notifications_have_the_members_of_ses_examples() {
        let ctx = context();
        let bounce = Bounce {
            bounce_type: "Permanent",
            sub_type: "General",
            status: "5.1.1",
            diagnostic: "smtp; 550 5.1.1 user unknown",
        };
        for (record, example, key) in [
            (
                ctx.bounce("jane@example.com", 5, &bounce),
                "feedback-00-Bounce.json",
                "bounce",
            ),
            (
                ctx.delivery("jane@example.com", 5, 0),
                "feedback-04-Delivery.json",
                "delivery",
            ),
        ] {
            let theirs = fixture(example);
            let ours = from_record(&record.to_string(), true).unwrap();
            assert_eq!(keys(&ours), keys(&theirs), "{example}");
            assert_eq!(keys(&ours["mail"]), keys(&theirs["mail"]), "{example}");
            let mut expected = keys(&theirs[key]);
            expected.retain(|k| *k != "remoteMtaIp");
            assert_eq!(keys(&ours[key]), expected, "{example}");
            for (k, v) in ours["mail"].as_object().unwrap() {
                assert_eq!(
                    std::mem::discriminant(v),
                    std::mem::discriminant(&theirs["mail"][k]),
                    "{example}: mail.{k}"
                );
            }
        }
    }
}
