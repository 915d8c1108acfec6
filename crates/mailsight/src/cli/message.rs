//! `mailsight message <id>`: one message as a person reads it. A header
//! (id, sender, subject, configuration set, tags, send time), then each
//! recipient with its ISP and, under it, its events in time order with
//! what each says: bounce type and diagnostic code, complaint feedback
//! type, the link clicked, user agent and IP, machine-activity marks,
//! delay type, reject reason. With `--mime`, the message as sent.
//!
//! Events come from the stored record bodies, expanded per recipient by
//! the same normal form that stored them (`engine::normalize`), so a
//! bounce lists under the recipient that bounced and nowhere else.

use std::io::Write;

use mailsight_engine::normalize::{message_from, normalize};
use mailsight_model::{EventRecord, EventType};
use mailsight_store::{MachineActivity, Message, Millis};

use super::iso;

#[derive(clap::Args)]
pub struct MessageArgs {
    /// The SES message id.
    message_id: String,
    #[command(flatten)]
    store: mailsight::store::StoreArgs,
    /// The account that sent it.
    #[arg(long, default_value = "000000000000")]
    account: String,
    /// Print the MIME message as sent instead of the events.
    #[arg(long)]
    mime: bool,
    /// With --mime: the copy this recipient got (unsubscribe links differ).
    #[arg(long)]
    recipient: Option<String>,
}

pub async fn run(args: MessageArgs) -> anyhow::Result<std::process::ExitCode> {
    let store = args.store.open().await?;
    let (account, id) = (&args.account, &args.message_id);
    if args.mime {
        let Some(mime) = store
            .message_content(account, id, args.recipient.as_deref())
            .await?
        else {
            eprintln!("no content is stored for message {id} of account {account}");
            return Ok(std::process::ExitCode::FAILURE);
        };
        std::io::stdout().write_all(&mime)?;
        return Ok(std::process::ExitCode::SUCCESS);
    }
    let records = store.message_records(account, id).await?;
    if records.is_empty() {
        eprintln!("message {id} of account {account} is not stored");
        return Ok(std::process::ExitCode::FAILURE);
    }
    let message = store.message_events(account, id).await?.map(|m| m.message);
    let marks = store.machine_activity(account, id).await?;
    let bodies: Vec<String> = records.into_iter().map(|(_, body)| body).collect();
    print!(
        "{}",
        View::build(account, message, &bodies, &marks).render()
    );
    Ok(std::process::ExitCode::SUCCESS)
}

/// One event of one recipient.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub at: Millis,
    pub kind: EventType,
    /// `(what, value)`, in the order shown.
    pub details: Vec<(&'static str, String)>,
}

/// One recipient and its events, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct RecipientView {
    pub address: String,
    pub isp: String,
    pub events: Vec<Event>,
}

/// What `mailsight message` prints.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    pub message: Message,
    pub recipients: Vec<RecipientView>,
    /// Stored bodies that no longer parse (never expected).
    pub unreadable: usize,
}

impl View {
    /// Builds the view from the stored message row (if any) and record
    /// bodies; the message row is else derived from the first record.
    pub fn build(
        account: &str,
        message: Option<Message>,
        bodies: &[String],
        marks: &[MachineActivity],
    ) -> View {
        let mut unreadable = 0;
        let parsed: Vec<(EventRecord, &String)> = bodies
            .iter()
            .filter_map(|b| match EventRecord::parse(b.as_bytes()) {
                Ok(r) => Some((r, b)),
                Err(_) => {
                    unreadable += 1;
                    None
                }
            })
            .collect();
        let message = message
            .or_else(|| parsed.first().map(|(r, _)| message_from(account, r)))
            .unwrap_or_else(|| Message {
                message_id: String::new(),
                account_id: account.to_owned(),
                from_address: String::new(),
                subject: None,
                tags: Vec::new(),
                configuration_set: None,
                sent_at: 0,
                recipients: Vec::new(),
            });
        let mut recipients: Vec<RecipientView> = message
            .recipients
            .iter()
            .map(|r| RecipientView {
                address: r.address.clone(),
                isp: r.isp.clone(),
                events: Vec::new(),
            })
            .collect();
        for (record, body) in &parsed {
            let Ok(normal) = normalize(account, record, (*body).clone()) else {
                unreadable += 1;
                continue;
            };
            let machine = marks
                .iter()
                .find(|m| m.dedupe_key == normal.dedupe_key)
                .map(|m| m.reason.clone());
            for who in &normal.recipients {
                let mut details = details(record, normal.event_type, &who.address);
                if let Some(reason) = &machine {
                    details.push(("machine activity", reason.clone()));
                }
                let event = Event {
                    at: normal.timestamp,
                    kind: normal.event_type,
                    details,
                };
                let found = recipients
                    .iter_mut()
                    .find(|r| r.address.eq_ignore_ascii_case(&who.address));
                match found {
                    Some(r) => r.events.push(event),
                    None => recipients.push(RecipientView {
                        address: who.address.clone(),
                        isp: mailsight_model::classify(&who.address).to_owned(),
                        events: vec![event],
                    }),
                }
            }
        }
        for r in &mut recipients {
            r.events.sort_by_key(|e| e.at);
        }
        View {
            message,
            recipients,
            unreadable,
        }
    }

    /// The text: header, then each recipient and its events.
    pub fn render(&self) -> String {
        let m = &self.message;
        let or_none = |v: Option<&str>| v.filter(|s| !s.is_empty()).unwrap_or("-").to_owned();
        let tags = if m.tags.is_empty() {
            "-".to_owned()
        } else {
            m.tags
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let header = [
            ("message", m.message_id.clone()),
            ("from", or_none(Some(&m.from_address))),
            ("subject", or_none(m.subject.as_deref())),
            ("configuration set", or_none(m.configuration_set.as_deref())),
            ("tags", tags),
            ("sent at", iso(m.sent_at)),
        ];
        let width = header.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        let mut out = String::new();
        for (k, v) in &header {
            out.push_str(&format!("{k:<width$}  {v}\n"));
        }
        let kind_width = self
            .recipients
            .iter()
            .flat_map(|r| &r.events)
            .map(|e| e.kind.record_name().len())
            .max()
            .unwrap_or(0);
        for r in &self.recipients {
            out.push('\n');
            out.push_str(&format!("{} ({})\n", r.address, r.isp));
            if r.events.is_empty() {
                out.push_str("  no events\n");
            }
            for e in &r.events {
                let kind = e.kind.record_name();
                let lead = format!("  {}  {kind:<kind_width$}", iso(e.at));
                let indent = " ".repeat(lead.chars().count() + 2);
                let mut details = e.details.iter();
                match details.next() {
                    Some((k, v)) => out.push_str(&format!("{lead}  {k}: {v}\n")),
                    None => out.push_str(&format!("{}\n", lead.trim_end())),
                }
                for (k, v) in details {
                    out.push_str(&format!("{indent}{k}: {v}\n"));
                }
            }
        }
        if self.unreadable > 0 {
            out.push_str(&format!(
                "\n{} stored records could not be read\n",
                self.unreadable
            ));
        }
        out
    }
}

/// What a record says about one of its recipients, as `(what, value)`.
fn details(record: &EventRecord, kind: EventType, address: &str) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let mut put = |what: &'static str, value: Option<&str>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            out.push((what, v.to_owned()));
        }
    };
    let same = |a: &str| a.eq_ignore_ascii_case(address);
    match kind {
        EventType::Bounce => {
            if let Some(b) = &record.bounce {
                put(
                    "bounce",
                    Some(&format!("{}/{}", b.bounce_type, b.bounce_sub_type)),
                );
                if let Some(r) = b.bounced_recipients.iter().find(|r| same(&r.email_address)) {
                    put("status", r.status.as_deref());
                    put("action", r.action.as_deref());
                    put("diagnostic code", r.diagnostic_code.as_deref());
                }
                put("reporting MTA", b.reporting_mta.as_deref());
            }
        }
        EventType::Complaint => {
            if let Some(c) = &record.complaint {
                let feedback = c.complaint_feedback_type.as_ref().map(|f| f.to_string());
                put("feedback type", feedback.as_deref());
                put("sub-type", c.sub_type());
                put("user agent", c.user_agent.as_deref());
            }
        }
        EventType::Delivery => {
            if let Some(d) = &record.delivery {
                put("SMTP response", d.smtp_response.as_deref());
                put("reporting MTA", d.reporting_mta.as_deref());
            }
        }
        EventType::DeliveryDelay => {
            if let Some(d) = &record.delivery_delay {
                put("delay type", Some(&d.delay_type.to_string()));
                if let Some(r) = d.delayed_recipients.iter().find(|r| same(&r.email_address)) {
                    put("status", r.status.as_deref());
                    put("diagnostic code", r.diagnostic_code.as_deref());
                }
                put("expires", d.expiration_time.as_deref());
            }
        }
        EventType::Open => {
            if let Some(o) = &record.open {
                put("IP", o.ip_address.as_deref());
                put("user agent", o.user_agent.as_deref());
            }
        }
        EventType::Click => {
            if let Some(c) = &record.click {
                put("link", c.link.as_deref());
                put("IP", c.ip_address.as_deref());
                put("user agent", c.user_agent.as_deref());
            }
        }
        EventType::Reject => {
            if let Some(r) = &record.reject {
                put("reason", r.reason.as_deref());
            }
        }
        EventType::RenderingFailure => {
            if let Some(f) = &record.failure {
                put("template", f.template_name.as_deref());
                put("error", f.error_message.as_deref());
            }
        }
        EventType::Subscription => {
            if let Some(s) = &record.subscription {
                put("contact list", s.contact_list.as_deref());
                put("source", s.source.as_deref());
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn mail() -> serde_json::Value {
        json!({
            "timestamp": "2024-05-01T10:00:00.000Z",
            "messageId": "m-1",
            "source": "sender@example.com",
            "destination": ["ann@gmail.com", "bob@yahoo.com"],
            "commonHeaders": {"subject": "Spring sale"},
            "tags": {"ses:configuration-set": ["cs"], "campaign": ["spring"]}
        })
    }

    fn bodies() -> Vec<String> {
        let send = json!({"eventType": "Send", "mail": mail(), "send": {}});
        let bounce = json!({"eventType": "Bounce", "mail": mail(), "bounce": {
            "bounceType": "Permanent", "bounceSubType": "General",
            "timestamp": "2024-05-01T10:00:02.000Z", "feedbackId": "f",
            "bouncedRecipients": [{"emailAddress": "bob@yahoo.com", "status": "5.1.1",
                                   "action": "failed", "diagnosticCode": "smtp; 550 5.1.1 user unknown"}]
        }});
        let delivery = json!({"eventType": "Delivery", "mail": mail(), "delivery": {
            "timestamp": "2024-05-01T10:00:01.000Z", "recipients": ["ann@gmail.com"],
            "smtpResponse": "250 2.6.0 Message received"
        }});
        let click = json!({"eventType": "Click", "mail": mail(), "click": {
            "timestamp": "2024-05-01T10:05:00.000Z", "ipAddress": "192.0.2.1",
            "userAgent": "Mozilla/5.0", "link": "https://example.com/sale"
        }});
        // Out of time order, as records may be stored.
        [send, bounce, click, delivery]
            .iter()
            .map(|v| v.to_string())
            .collect()
    }

    #[test]
    fn each_event_is_under_the_recipient_it_concerns() {
        let view = View::build("000000000000", None, &bodies(), &[]);
        let rendered = view.render();
        let ann = &view.recipients[0];
        let bob = &view.recipients[1];
        assert_eq!(
            (ann.address.as_str(), ann.isp.as_str()),
            ("ann@gmail.com", "Gmail")
        );
        assert_eq!(
            ann.events.iter().map(|e| e.kind).collect::<Vec<_>>(),
            [EventType::Send, EventType::Delivery, EventType::Click],
            "in time order"
        );
        assert_eq!(
            bob.events.iter().map(|e| e.kind).collect::<Vec<_>>(),
            [EventType::Send, EventType::Bounce, EventType::Click]
        );
        let bounce = &bob.events[1];
        assert!(
            bounce
                .details
                .contains(&("bounce", "Permanent/General".into()))
        );
        assert!(
            bounce
                .details
                .contains(&("diagnostic code", "smtp; 550 5.1.1 user unknown".into()))
        );
        let click = &ann.events[2];
        assert_eq!(
            click.details,
            [
                ("link", "https://example.com/sale".to_owned()),
                ("IP", "192.0.2.1".to_owned()),
                ("user agent", "Mozilla/5.0".to_owned())
            ]
        );
        // Bob's section holds the bounce, Ann's does not.
        let (ann_text, bob_text) = rendered.split_at(rendered.find("bob@yahoo.com").unwrap());
        assert!(
            bob_text.contains("Bounce") && bob_text.contains("550 5.1.1"),
            "{rendered}"
        );
        assert!(!ann_text.contains("Bounce"));
        assert!(ann_text.contains("250 2.6.0 Message received"));
    }

    #[test]
    fn the_header_and_event_columns_line_up() {
        let view = View::build("000000000000", None, &bodies(), &[]);
        let text = view.render();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "message            m-1");
        assert_eq!(lines[1], "from               sender@example.com");
        assert_eq!(lines[2], "subject            Spring sale");
        assert_eq!(lines[3], "configuration set  cs");
        assert!(
            lines[4].starts_with("tags               ") && lines[4].contains("campaign=spring")
        );
        assert_eq!(lines[5], "sent at            2024-05-01T10:00:00.000Z");
        assert!(text.contains("\nann@gmail.com (Gmail)\n"));
        // Every event's details start in one column, continuation lines too.
        let starts: Vec<usize> = lines
            .iter()
            .filter(|l| l.starts_with("  2024-") && l.contains(": "))
            .map(|l| {
                let at = l.find(": ").unwrap();
                l[..at].rfind("  ").unwrap() + 2
            })
            .collect();
        assert!(starts.windows(2).all(|w| w[0] == w[1]), "{text}");
        let continuation = lines
            .iter()
            .find(|l| l.trim_start().starts_with("user agent: ") && !l.starts_with("  2024-"))
            .unwrap();
        assert_eq!(
            continuation.len() - continuation.trim_start().len(),
            starts[0]
        );
    }

    #[test]
    fn machine_activity_is_marked() {
        let bodies = bodies();
        let click = EventRecord::parse(bodies[2].as_bytes()).unwrap();
        let key = normalize("000000000000", &click, bodies[2].clone())
            .unwrap()
            .dedupe_key;
        let marks = [MachineActivity {
            dedupe_key: key,
            reason: "security-scanner".into(),
        }];
        let view = View::build("000000000000", None, &bodies, &marks);
        let click = view.recipients[0]
            .events
            .iter()
            .find(|e| e.kind == EventType::Click)
            .unwrap();
        assert!(
            click
                .details
                .contains(&("machine activity", "security-scanner".into()))
        );
        assert!(view.render().contains("machine activity: security-scanner"));
    }
}
