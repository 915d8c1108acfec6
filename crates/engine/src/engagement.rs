//! What the tracking and unsubscribe endpoints record: Open, Click and
//! Subscription events of messages mailsight sent.
//!
//! Each starts from a token the engine signed when it sent the message, so
//! an event can only be recorded for that message, and a click can only
//! redirect to a link that was in it. The records reuse the `mail` object
//! of the message's stored Send record and go through the same normal form
//! and router as every other record.

use mailsight_model::{EventRecord, EventType};
use mailsight_store::{ItemKind, MachineActivity, NewRecord, PutMode, contact_key};
use serde_json::Value;

use crate::error::SendError;
use crate::lists;
use crate::normalize::normalize;
use crate::records::MailContext;
use crate::scheduler::now_ms;
use crate::send::{Engine, prepared};
use crate::tracking::Claim;
use crate::tracking::machine::{classify_click, classify_open};

/// The outcome of a tracking request.
#[derive(Debug, Clone, PartialEq)]
pub enum Tracked {
    /// The token is not one of ours, or its message is gone: nothing
    /// was recorded.
    Refused,
    /// An Open was recorded (with the machine rule that matched, if any).
    Open { machine: Option<&'static str> },
    /// A Click was recorded; redirect to `link`.
    Click {
        link: String,
        machine: Option<&'static str>,
    },
}

/// Which tracking endpoint a token arrived at: a token is good only at the
/// endpoint of its own kind, so an open pixel's token fetched as a click
/// (or the reverse) records nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackKind {
    Open,
    Click,
}

/// Who made a tracking request.
#[derive(Debug, Clone, Default)]
pub struct Visitor {
    pub ip: String,
    pub user_agent: String,
}

/// Where an unsubscribe came from (the Subscription event's `source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnsubscribeSource {
    /// RFC 8058 one-click POST by the mail client.
    Header,
    /// The recipient followed the link and confirmed on the page.
    Link,
}

impl UnsubscribeSource {
    fn as_str(self) -> &'static str {
        match self {
            UnsubscribeSource::Header => "UnsubscribeHeader",
            UnsubscribeSource::Link => "UnsubscribeLink",
        }
    }
}

/// The machine-activity mark of one stored record body, if any: marks
/// are keyed by the record's dedupe key, which its normal form gives.
pub fn machine_mark<'m>(
    account: &str,
    body: &str,
    marks: &'m [MachineActivity],
) -> Option<&'m str> {
    if marks.is_empty() {
        return None;
    }
    let record = EventRecord::parse(body.as_bytes()).ok()?;
    let normal = normalize(account, &record, body.to_owned()).ok()?;
    marks
        .iter()
        .find(|m| m.dedupe_key == normal.dedupe_key)
        .map(|m| m.reason.as_str())
}

impl Engine {
    /// The claim of a token this server signed.
    pub fn claim(&self, token: &str) -> Option<Claim> {
        self.tracking.key.verify(token)
    }

    /// The `mail` object of a stored message of `account`.
    async fn sent_mail(
        &self,
        account: &str,
        message_id: &str,
    ) -> Result<Option<MailContext>, SendError> {
        let records = self.store().message_records(account, message_id).await?;
        let send = records
            .iter()
            .find(|(t, _)| *t == EventType::Send)
            .or_else(|| records.first());
        Ok(send.and_then(|(_, body)| {
            let v: Value = serde_json::from_str(body).ok()?;
            Some(MailContext::from_mail(v.get("mail")?.clone()))
        }))
    }

    fn engagement_record(
        &self,
        account: &str,
        record: Value,
        machine: Option<&'static str>,
    ) -> Result<NewRecord, SendError> {
        let (_, mut r) = prepared(account, record)?;
        r.machine = machine.map(str::to_owned);
        Ok(r)
    }

    /// Records an open or a click for `token`, when its claim is of the
    /// `kind` the endpoint serves; anything else is refused unrecorded.
    pub async fn track(
        &self,
        kind: TrackKind,
        token: &str,
        visitor: &Visitor,
    ) -> Result<Tracked, SendError> {
        let ip: Option<std::net::IpAddr> = visitor.ip.parse().ok();
        let now = now_ms();
        match (kind, self.claim(token)) {
            (
                TrackKind::Open,
                Some(Claim::Open {
                    account,
                    message_id,
                }),
            ) => {
                let Some(ctx) = self.sent_mail(&account, &message_id).await? else {
                    return Ok(Tracked::Refused);
                };
                let machine = classify_open(&visitor.user_agent, ip).map(|m| m.as_str());
                let record = ctx.open(&visitor.ip, &visitor.user_agent, now);
                let r = self.engagement_record(&account, record, machine)?;
                self.store().append_records(vec![r]).await?;
                Ok(Tracked::Open { machine })
            }
            (
                TrackKind::Click,
                Some(Claim::Click {
                    account,
                    message_id,
                    link,
                    tags,
                }),
            ) => {
                let Some(ctx) = self.sent_mail(&account, &message_id).await? else {
                    return Ok(Tracked::Refused);
                };
                let delivered = self
                    .store()
                    .message_events(&account, &message_id)
                    .await?
                    .and_then(|m| {
                        m.events
                            .iter()
                            .filter(|e| e.event_type == EventType::Delivery)
                            .map(|e| e.timestamp)
                            .min()
                    });
                let machine = classify_click(
                    &visitor.user_agent,
                    ip,
                    delivered.map(|d| now - d),
                    self.tracking.min_human_click_ms,
                )
                .map(|m| m.as_str());
                let record = ctx.click(&visitor.ip, &visitor.user_agent, now, &link, &tags);
                let r = self.engagement_record(&account, record, machine)?;
                self.store().append_records(vec![r]).await?;
                Ok(Tracked::Click { link, machine })
            }
            _ => Ok(Tracked::Refused),
        }
    }

    /// Unsubscribes the recipient a token names from its list (or topic)
    /// and records a Subscription event with the old and new preferences.
    /// Returns false when the token is not ours or its message is gone.
    pub async fn unsubscribe(
        &self,
        token: &str,
        source: UnsubscribeSource,
    ) -> Result<bool, SendError> {
        let Some(Claim::Unsubscribe {
            account,
            message_id,
            recipient,
            contact_list,
            topic,
        }) = self.claim(token)
        else {
            return Ok(false);
        };
        let Some(ctx) = self.sent_mail(&account, &message_id).await? else {
            return Ok(false);
        };
        let store = self.store();
        let topics = match store
            .get_item(&account, ItemKind::ContactList, &contact_list)
            .await?
        {
            Some(list) => list.body["Topics"].as_array().cloned().unwrap_or_default(),
            // The list was deleted since: nothing left to change.
            None => return Ok(false),
        };
        let key = contact_key(&contact_list, &recipient);
        let old = store
            .get_item(&account, ItemKind::Contact, &key)
            .await?
            .map(|i| i.body)
            .unwrap_or_else(
                || serde_json::json!({"EmailAddress": recipient, "UnsubscribeAll": false}),
            );
        let new = lists::unsubscribed(&old, &recipient, topic.as_deref());
        let now = now_ms();
        store
            .put_item(
                &account,
                ItemKind::Contact,
                &key,
                new.clone(),
                PutMode::Upsert,
                now,
            )
            .await?;
        let record = ctx.subscription(
            &contact_list,
            now,
            source.as_str(),
            lists::event_preferences(&new, &topics),
            lists::event_preferences(&old, &topics),
        );
        let r = self.engagement_record(&account, record, None)?;
        store.append_records(vec![r]).await?;
        Ok(true)
    }
}
