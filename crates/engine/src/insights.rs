//! `GetMessageInsights`' answer from a message's stored events: grouped
//! by recipient (the message's own order first), each in time order, and
//! optionally filtered the way SES itself filters (`ses_exact`).

use std::collections::BTreeMap;

use mailsight_model::insights::{EmailInsights, EventDetails, InsightsEvent, MessageInsights};
use mailsight_model::{EventType, MessageTag, isp};
use mailsight_store::MessageEvents;

use crate::simulator::is_simulator_address;

/// Whether SES would show this event (only applied in `ses_exact` mode).
fn ses_shows(kind: EventType, recipient: &str, multi: bool) -> bool {
    if kind == EventType::Send {
        return true;
    }
    if multi {
        return false;
    }
    !(is_simulator_address(recipient)
        && matches!(
            kind,
            EventType::Delivery | EventType::Bounce | EventType::Complaint
        ))
}

/// Groups stored events by recipient (the message's own order first, then
/// any recipient only events name), each list in time order.
///
/// With `ses_exact`, leaves out what SES does not show: deliveries, bounces
/// and complaints of mailbox simulator recipients, and everything but the
/// send of messages with more than one recipient.
pub fn shape(found: MessageEvents, ses_exact: bool) -> MessageInsights {
    let MessageEvents { message, events } = found;
    let multi = message.recipients.len() > 1;
    let mut by_recipient: BTreeMap<String, Vec<InsightsEvent>> = BTreeMap::new();
    for e in events {
        if ses_exact && !ses_shows(e.event_type, &e.recipient, multi) {
            continue;
        }
        let details = e
            .details
            .and_then(|d| serde_json::from_value::<EventDetails>(d).ok());
        by_recipient
            .entry(e.recipient.to_ascii_lowercase())
            .or_default()
            .push(InsightsEvent {
                timestamp: e.timestamp as f64 / 1000.0,
                event_type: e.event_type,
                details,
            });
    }
    let mut insights = Vec::new();
    for r in &message.recipients {
        let events = by_recipient
            .remove(&r.address.to_ascii_lowercase())
            .unwrap_or_default();
        insights.push(EmailInsights {
            destination: r.address.clone(),
            isp: r.isp.clone(),
            events,
        });
    }
    for (address, events) in by_recipient {
        let isp = isp::classify(&address).to_owned();
        insights.push(EmailInsights {
            destination: address,
            isp,
            events,
        });
    }
    for i in &mut insights {
        // Stored order is by time already; keep it stable for equal times.
        i.events.sort_by(|a, b| a.timestamp.total_cmp(&b.timestamp));
    }
    MessageInsights {
        message_id: message.message_id,
        from_email_address: Some(message.from_address),
        subject: message.subject,
        email_tags: message
            .tags
            .into_iter()
            .map(|(n, v)| MessageTag::new(n, v))
            .collect(),
        insights,
    }
}
