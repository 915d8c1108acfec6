//! `/dashboard/messages/{id}`: one message, every event of every
//! recipient in time order with what it says, and the message as sent.
//!
//! Events come from the stored SES records (`Store::message_records`),
//! each expanded to the recipients it concerns by the same
//! `engine::normalize` that stored it, so a real SES event and a
//! simulated one read alike; opens and clicks judged to be a machine's
//! carry their mark (`Store::machine_activity`). The message as sent
//! (`Store::message_content`, kept for simulated sends) is shown as
//! escaped text, its HTML part in a sandboxed `iframe` that may run no
//! script and, under the page's policy, load no image (so looking at it
//! records no open).

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use mailsight_model::{EventRecord, EventType};
use mailsight_store::{MachineActivity, Message};
use maud::{Markup, html};
use serde_json::Value;

use super::access::{Viewer, viewer};
use super::components::{self, MAX_SHOWN_BYTES, badge, json_block, segment, time};
use super::layout::{Chrome, page as shell};
use super::{DashError, respond, see_other};
use crate::body::query_param;
use crate::state::AppState;

/// Records shown of one message; opens and clicks beyond are summed up.
pub const MAX_EVENTS: usize = 2_000;

/// `GET /dashboard/messages?id=…`: the lookup form's target.
pub async fn lookup(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> Response {
    let found = viewer(&state, &headers, uri.query()).and_then(|v| {
        let id = query_param(uri.query(), "id")
            .map(|id| id.trim().to_owned())
            .filter(|id| !id.is_empty())
            .ok_or_else(|| DashError::bad_request("Give a message id."))?;
        Ok(v.href(&format!("/dashboard/messages/{}", segment(&id))))
    });
    match found {
        Ok(to) => see_other(&to),
        Err(e) => e.into_response(),
    }
}

/// `GET /dashboard/messages/{id}[?recipient=…]`.
pub async fn page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    respond(render(&state, &id, &headers, uri.query()).await)
}

/// One event of one recipient.
struct Event<'a> {
    at: i64,
    kind: Option<EventType>,
    body: &'a str,
    json: Value,
    machine: Option<&'a str>,
}

async fn render(
    state: &AppState,
    id: &str,
    headers: &HeaderMap,
    query: Option<&str>,
) -> Result<Markup, DashError> {
    let v = viewer(state, headers, query)?;
    let store = state.store();
    let found = store.message_events(&v.account, id).await?.ok_or_else(|| {
        DashError::not_found(format!("No message {id} in account {}.", v.account))
    })?;
    let message = found.message;
    let records = store.message_records(&v.account, id).await?;
    let marks = store.machine_activity(&v.account, id).await?;
    let shown = records.len().min(MAX_EVENTS);
    let by_recipient = events_by_recipient(&v.account, &message, &records[..shown], &marks);
    let chosen = query_param(query, "recipient")
        .filter(|r| message.recipients.iter().any(|x| &x.address == r));
    let content = store
        .message_content(&v.account, id, chosen.as_deref())
        .await?;
    let here = format!("/dashboard/messages/{}", segment(id));
    let markup = html! {
        (header(&v, &message))
        @if records.len() > shown {
            p.notice { "Showing the first " (shown) " of " (records.len()) " records." }
        }
        h2 { "Events by recipient" }
        @for (address, events) in &by_recipient {
            section.recipient data-recipient=(address) {
                h3 {
                    (address) " "
                    @if let Some(r) = message.recipients.iter().find(|r| &r.address == address) {
                        span.muted { "ISP: " (r.isp) }
                    }
                }
                @if events.is_empty() {
                    p.muted { "No events yet." }
                } @else {
                    table.events {
                        thead { tr { th { "Time" } th { "Event" } th { "Details" } th { "Record" } } }
                        tbody {
                            @for e in events { (event_row(e, address)) }
                        }
                    }
                }
            }
        }
        h2 { "As sent" }
        (sent(&v, &here, &message, chosen.as_deref(), content.as_deref()))
    };
    Ok(shell(
        &Chrome {
            viewer: &v,
            title: "Message",
            active: "",
            refresh: components::refresh(query),
        },
        markup,
    ))
}

/// Each recipient's events, oldest first: the message's recipients in
/// their order, then any address only the records name.
fn events_by_recipient<'a>(
    account: &str,
    message: &Message,
    records: &'a [(EventType, String)],
    marks: &'a [MachineActivity],
) -> Vec<(String, Vec<Event<'a>>)> {
    let mut groups: Vec<(String, Vec<Event<'a>>)> = message
        .recipients
        .iter()
        .map(|r| (r.address.clone(), Vec::new()))
        .collect();
    let mut index: BTreeMap<String, usize> = groups
        .iter()
        .enumerate()
        .map(|(i, (a, _))| (a.to_ascii_lowercase(), i))
        .collect();
    for (kind, body) in records {
        let json: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        let normal = EventRecord::parse(body.as_bytes())
            .ok()
            .and_then(|r| mailsight_engine::normalize::normalize(account, &r, body.clone()).ok());
        let (at, addresses) = match &normal {
            Some(n) => (
                n.timestamp,
                n.recipients.iter().map(|r| r.address.clone()).collect(),
            ),
            None => (0, vec!["(not attributed to a recipient)".to_owned()]),
        };
        let machine = mailsight_engine::engagement::machine_mark(account, body, marks);
        for address in addresses {
            let key = address.to_ascii_lowercase();
            let i = *index.entry(key).or_insert_with(|| {
                groups.push((address.clone(), Vec::new()));
                groups.len() - 1
            });
            groups[i].1.push(Event {
                at,
                kind: Some(*kind),
                body,
                json: json.clone(),
                machine,
            });
        }
    }
    for (_, events) in &mut groups {
        // Stable: records of the same instant keep the store's order.
        events.sort_by_key(|e| e.at);
    }
    groups
}

fn header(v: &Viewer, m: &Message) -> Markup {
    html! {
        dl.facts.message {
            dt { "Message id" } dd { code { (m.message_id) } }
            dt { "From" } dd { (m.from_address) }
            dt { "Subject" } dd.subject { (m.subject.as_deref().unwrap_or("(none)")) }
            dt { "Configuration set" } dd { (m.configuration_set.as_deref().unwrap_or("(none)")) }
            dt { "Tags" } dd {
                @if m.tags.is_empty() { span.muted { "(none)" } }
                @for (name, value) in &m.tags { code { (name) "=" (value) } " " }
            }
            dt { "Sent at" } dd { (time(m.sent_at)) }
            dt { "Recipients" } dd { (m.recipients.len()) }
        }
        @if !v.authenticated {
            p.muted {
                "Also as "
                a href=(format!("/_mailsight/messages/{}", segment(&m.message_id))) { "JSON" }
                " and "
                a href=(format!("/_mailsight/messages/{}/mime", segment(&m.message_id))) { "MIME" }
                "."
            }
        }
    }
}

fn event_row(e: &Event<'_>, address: &str) -> Markup {
    let name = e.kind.map(EventType::api_name).unwrap_or("UNKNOWN");
    let facts = facts(e.kind, &e.json, address);
    html! {
        tr.event data-type=(name) {
            td { (time(e.at)) }
            td {
                (badge(name))
                @if let Some(reason) = e.machine {
                    " " span.badge.machine title="Judged to be a machine, not a person" { "machine: " (reason) }
                }
            }
            td {
                @if facts.is_empty() { span.muted { "—" } } @else {
                    dl.facts { @for (k, v) in &facts { dt { (k) } dd { (v) } } }
                }
            }
            td { details { summary { "record" } (json_block(e.body)) } }
        }
    }
}

/// What an event says about `address`, from its record.
fn facts(kind: Option<EventType>, record: &Value, address: &str) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let mut put = |label: &'static str, v: Option<&Value>| {
        if let Some(v) = v.filter(|v| !v.is_null()) {
            let text = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            if !text.is_empty() {
                out.push((label, text));
            }
        }
    };
    // The entry of a recipient list that names `address`.
    let entry = |object: &Value, list: &str| -> Option<Value> {
        object.get(list)?.as_array()?.iter().find_map(|r| {
            let a = r.get("emailAddress")?.as_str()?;
            a.eq_ignore_ascii_case(address).then(|| r.clone())
        })
    };
    let get = |k: &str| record.get(k).cloned().unwrap_or(Value::Null);
    match kind {
        Some(EventType::Bounce) => {
            let b = get("bounce");
            put("Bounce type", b.get("bounceType"));
            put("Subtype", b.get("bounceSubType"));
            if let Some(r) = entry(&b, "bouncedRecipients") {
                put("Status", r.get("status"));
                put("Action", r.get("action"));
                put("Diagnostic code", r.get("diagnosticCode"));
            }
            put("Reporting MTA", b.get("reportingMTA"));
            put("Feedback id", b.get("feedbackId"));
        }
        Some(EventType::Complaint) => {
            let c = get("complaint");
            put("Feedback type", c.get("complaintFeedbackType"));
            put("Subtype", c.get("complaintSubType"));
            put("User agent", c.get("userAgent"));
            put("Arrival date", c.get("arrivalDate"));
            put("Feedback id", c.get("feedbackId"));
        }
        Some(EventType::Delivery) => {
            let d = get("delivery");
            put("SMTP response", d.get("smtpResponse"));
            put("Reporting MTA", d.get("reportingMTA"));
            put("Processing time (ms)", d.get("processingTimeMillis"));
        }
        Some(EventType::DeliveryDelay) => {
            let d = get("deliveryDelay");
            put("Delay type", d.get("delayType"));
            put("Expires", d.get("expirationTime"));
            if let Some(r) = entry(&d, "delayedRecipients") {
                put("Status", r.get("status"));
                put("Diagnostic code", r.get("diagnosticCode"));
            }
        }
        Some(EventType::Open) => {
            let o = get("open");
            put("User agent", o.get("userAgent"));
            put("IP address", o.get("ipAddress"));
        }
        Some(EventType::Click) => {
            let c = get("click");
            put("Link", c.get("link"));
            put("Link tags", c.get("linkTags"));
            put("User agent", c.get("userAgent"));
            put("IP address", c.get("ipAddress"));
        }
        Some(EventType::Reject) => put("Reason", get("reject").get("reason")),
        Some(EventType::RenderingFailure) => {
            let f = get("failure");
            put("Template", f.get("templateName"));
            put("Error", f.get("errorMessage"));
        }
        Some(EventType::Subscription) => {
            let s = get("subscription");
            put("Contact list", s.get("contactList"));
            put("Source", s.get("source"));
            put("New preferences", s.get("newTopicPreferences"));
        }
        Some(EventType::Send) | None => {}
    }
    out
}

/// The message as sent: headers, text and HTML parts, attachments.
fn sent(v: &Viewer, here: &str, m: &Message, chosen: Option<&str>, mime: Option<&[u8]>) -> Markup {
    let Some(mime) = mime else {
        return html! {
            p.muted { "No copy of this message is kept here (it was not sent through this server, \
                       or its content was pruned)." }
        };
    };
    let parsed = mail_parser::MessageParser::default().parse(mime);
    let head_end = find(mime, b"\r\n\r\n")
        .or_else(|| find(mime, b"\n\n"))
        .unwrap_or(mime.len());
    let head = String::from_utf8_lossy(&mime[..head_end]);
    let (head, _) = components::cut(&head, 64 * 1024);
    let text = parsed.as_ref().and_then(|p| p.body_text(0));
    let html_part = parsed.as_ref().and_then(|p| p.body_html(0));
    html! {
        @if m.recipients.len() > 1 {
            p.muted {
                "Copy of: "
                a href=(v.href(here)) { "every recipient" }
                @for r in &m.recipients {
                    " · "
                    a href=(v.href(&components::link(here, &[("recipient", Some(&r.address))])))
                      aria-current=[(chosen == Some(r.address.as_str())).then_some("true")] { (r.address) }
                }
            }
        }
        h3 { "Headers" }
        pre.headers { (head) }
        @if let Some(text) = &text {
            h3 { "Text part" }
            pre.text-part { (components::cut(text, MAX_SHOWN_BYTES).0) }
        }
        @if let Some(body) = &html_part {
            h3 { "HTML part" }
            p.muted { "Shown sandboxed: no script runs and no image or other resource is fetched." }
            iframe.preview sandbox="" referrerpolicy="no-referrer" title="HTML part as sent"
                srcdoc=(components::cut(body, MAX_SHOWN_BYTES).0) {}
            details { summary { "HTML source" } pre.html-source { (components::cut(body, MAX_SHOWN_BYTES).0) } }
        }
        @if let Some(p) = &parsed {
            @let attachments: Vec<_> = p.attachments().take(100).collect();
            @if !attachments.is_empty() {
                h3 { "Attachments" }
                ul {
                    @for a in attachments {
                        li {
                            (mail_parser::MimeHeaders::attachment_name(a).unwrap_or("(unnamed)"))
                            " "
                            span.muted { "(" (a.len()) " bytes)" }
                        }
                    }
                }
            }
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
