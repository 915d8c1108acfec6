//! The message as kept: HTML rewritten for open and click tracking when
//! the configuration set asks for it, then composed into MIME, one copy for
//! everyone or one per recipient when it carries a personal unsubscribe link.

use mailsight_model::EventType;
use mailsight_store::ConfigurationSet;
use serde_json::Value;

use super::Engine;
use crate::compose::{Parts, address_headers, compose};
use crate::error::SendError;
use crate::lists;
use crate::outgoing::{Attachment, Outgoing};
use crate::tracking::rewrite::{Tracking, Wrap, rewrite_html};
use crate::tracking::{Claim, UrlBase};

/// Simple or rendered content, before it is composed.
pub(super) struct Body {
    pub(super) subject: String,
    pub(super) text: Option<String>,
    pub(super) html: Option<String>,
    pub(super) headers: Vec<(String, String)>,
    pub(super) attachments: Vec<Attachment>,
}

impl Engine {
    /// Rewrites HTML for open and click tracking when the set asks for it:
    /// it publishes Open or Click to an enabled destination, or sets
    /// `TrackingOptions`.
    pub(super) async fn track_html(
        &self,
        account: &str,
        message_id: &str,
        set: Option<&ConfigurationSet>,
        html: &str,
    ) -> Result<String, SendError> {
        let Some(set) = set else {
            return Ok(html.to_owned());
        };
        let options = set.options.get("TrackingOptions");
        let mut opens = options.is_some();
        let mut clicks = options.is_some();
        for d in self
            .store
            .list_event_destinations(account, &set.name)
            .await?
        {
            if d.enabled {
                opens |= d.matching_event_types.contains(&EventType::Open);
                clicks |= d.matching_event_types.contains(&EventType::Click);
            }
        }
        if !opens && !clicks {
            return Ok(html.to_owned());
        }
        let urls = UrlBase::new(&self.tracking, options);
        let key = &self.tracking.key;
        let pixel = opens.then(|| {
            urls.open(&key.sign(&Claim::Open {
                account: account.to_owned(),
                message_id: message_id.to_owned(),
            }))
        });
        let wrap = |link: &str, tags: serde_json::Map<String, Value>| {
            let token = key.sign(&Claim::Click {
                account: account.to_owned(),
                message_id: message_id.to_owned(),
                link: link.to_owned(),
                tags,
            });
            urls.click(&token, link)
        };
        Ok(rewrite_html(
            html,
            &Tracking {
                pixel,
                wrap: clicks.then_some(&wrap as Wrap<'_>),
            },
        ))
    }

    /// The MIME of the message: one copy for everyone, or one per
    /// recipient when it carries a personal unsubscribe link.
    pub(super) fn compose_all(
        &self,
        out: &Outgoing,
        message_id: &str,
        body: &Body,
        list: Option<&lists::ListTarget>,
        account: &str,
    ) -> Vec<(String, Vec<u8>)> {
        let addresses = address_headers(out);
        let one = |recipient: &str, extra: &[(String, String)], url: Option<&str>| {
            let fill = |s: &Option<String>| {
                s.as_ref()
                    .map(|s| url.map_or_else(|| s.clone(), |u| s.replace(lists::PLACEHOLDER, u)))
            };
            let (text, html) = (fill(&body.text), fill(&body.html));
            let mime = compose(
                Some(message_id),
                &addresses,
                &Parts {
                    subject: &body.subject,
                    text: text.as_deref(),
                    html: html.as_deref(),
                    headers: &body.headers,
                    attachments: &body.attachments,
                    extra_headers: extra,
                },
            );
            (recipient.to_owned(), mime)
        };
        let Some(list) = list else {
            return vec![one("", &[], None)];
        };
        let urls = UrlBase::new(&self.tracking, None);
        out.recipients
            .iter()
            .map(|r| {
                let token = self.tracking.key.sign(&Claim::Unsubscribe {
                    account: account.to_owned(),
                    message_id: message_id.to_owned(),
                    recipient: r.clone(),
                    contact_list: list.name.clone(),
                    topic: list.topic.clone(),
                });
                let url = urls.unsubscribe(&token);
                let extra = lists::unsubscribe_headers(&url);
                one(r, &extra, Some(&url))
            })
            .collect()
    }
}
