//! The sending path: check, classify, record, schedule.
//!
//! `send` commits the message, its Send record and every later step of each
//! recipient's fate in one transaction before it returns the message id, so
//! an acknowledged send is never lost and its lifecycle survives a restart.
//!
//! This file holds the [`Engine`] and the orchestration of [`Engine::send`];
//! its steps live one per file:
//!
//! - `identity`: which verified identity the sender may use.
//! - `render`: resolving a stored or inline template, and
//!   [`Engine::test_render`] (`TestRenderEmailTemplate`).
//! - `content`: tracking links in the HTML and composing the MIME kept
//!   for the message (one copy, or one per recipient with an unsubscribe
//!   link).
//! - `plan`: each recipient's fate (suppression list, then contact list,
//!   then the simulator) and the later records it schedules.

mod content;
mod identity;
mod plan;
mod render;

use std::sync::Arc;

use mailsight_model::EventRecord;
use mailsight_store::{ConfigurationSet, NewRecord, Store};
use serde_json::Value;
use tokio::sync::Notify;

use crate::compose::{carries_eicar, strip_ses_headers};
use crate::config::{SendingConfig, SimulatorConfig};
use crate::error::SendError;
use crate::lists;
use crate::normalize::{message_from, normalize};
use crate::outgoing::{Content, SendRequest, prepare};
use crate::records::MailContext;
use crate::scheduler::now_ms;
use crate::suppression;
use crate::template::render;
use crate::tracking::TrackingSettings;
use content::Body;

/// The engine: sends simulated mail and keeps its events flowing.
pub struct Engine {
    store: Arc<dyn Store>,
    simulator: SimulatorConfig,
    sending: SendingConfig,
    pub(crate) tracking: TrackingSettings,
    wake: Arc<Notify>,
}

impl Engine {
    pub fn new(store: Arc<dyn Store>, simulator: SimulatorConfig, sending: SendingConfig) -> Self {
        Engine {
            store,
            simulator,
            sending,
            tracking: TrackingSettings::default(),
            wake: Arc::new(Notify::new()),
        }
    }

    /// Sets where tracking and unsubscribe links point and the secret that
    /// signs them.
    pub fn with_tracking(mut self, tracking: TrackingSettings) -> Self {
        self.tracking = tracking;
        self
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Where tracking links point and the key that signs them (export
    /// download links are signed with it too).
    pub fn tracking(&self) -> &TrackingSettings {
        &self.tracking
    }

    pub fn sending(&self) -> &SendingConfig {
        &self.sending
    }

    /// Runs the scheduler that releases later events, until `shutdown`.
    pub async fn run_scheduler(&self, shutdown: impl std::future::Future<Output = ()>) {
        crate::scheduler::run(self.store.clone(), self.wake.clone(), shutdown).await
    }

    /// Accepts a message and returns its SES message id once committed.
    ///
    /// The call fails only for what SES refuses at once (sending turned off
    /// for the account, bad input, an unknown template, set or contact
    /// list, an unverified sender). What
    /// SES finds later (missing template data, a virus, a suppressed or
    /// unsubscribed recipient) is accepted here and becomes an event.
    pub async fn send(&self, req: SendRequest) -> Result<String, SendError> {
        let account = req.account_id.clone();
        if !crate::account::sending_enabled(&*self.store, &account).await? {
            return Err(SendError::AccountSendingPaused);
        }
        let mut out = prepare(&req)?;
        let template = match &req.content {
            Content::Template { source, data, .. } => {
                Some(self.resolve_template(&account, source, data).await?)
            }
            _ => None,
        };
        out.identity = self.check_identity(&account, &out.from).await?;
        // A send naming no configuration set takes its identity's default
        // (`PutEmailIdentityConfigurationSetAttributes`), as in SES.
        if out.configuration_set.is_none()
            && let Some(identity) = self.store.get_identity(&account, &out.identity).await?
        {
            out.configuration_set = identity.configuration_set;
        }
        let set = self
            .configuration_set(&account, out.configuration_set.as_deref())
            .await?;
        let list = match &req.list_management {
            Some(lm) => Some(lists::resolve(&*self.store, &account, lm).await?),
            None => None,
        };

        let rendered = template.map(|t| {
            let result = render(&t.content, &t.data);
            (t.name, result)
        });
        if let Some((_, Ok(r))) = &rendered {
            out.set_subject(&r.subject);
        }
        let sent_at = now_ms();
        let message_id = new_message_id(sent_at);
        let ctx = MailContext::new(
            &out,
            &message_id,
            sent_at,
            &account,
            &self.sending.region,
            &req.caller,
        );
        let body = match (&req.content, rendered) {
            (_, Some((name, Err(error)))) => {
                let (parsed, record) = prepared(&account, ctx.rendering_failure(&name, &error))?;
                let message = message_from(&account, &parsed);
                self.store
                    .insert_message(message, vec![record], vec![])
                    .await?;
                return Ok(message_id);
            }
            (Content::Raw(_), _) => None,
            (
                Content::Simple {
                    subject,
                    text,
                    html,
                    headers,
                    attachments,
                },
                _,
            ) => Some(Body {
                subject: subject.clone(),
                text: text.clone(),
                html: html.clone(),
                headers: headers.clone(),
                attachments: attachments.clone(),
            }),
            (
                Content::Template {
                    headers,
                    attachments,
                    ..
                },
                Some((_, Ok(r))),
            ) => Some(Body {
                subject: r.subject,
                text: r.text,
                html: r.html,
                headers: headers.clone(),
                attachments: attachments.clone(),
            }),
            (Content::Template { .. }, None) => {
                return Err(SendError::Internal(
                    "template content without a template".into(),
                ));
            }
        };

        let (contents, virus) = match (&req.content, body) {
            (Content::Raw(bytes), _) => {
                let mime = strip_ses_headers(bytes);
                let virus = carries_eicar(&mime, &[]);
                (vec![(String::new(), mime)], virus)
            }
            (_, Some(mut body)) => {
                if let Some(html) = &body.html {
                    body.html = Some(
                        self.track_html(&account, &message_id, set.as_ref(), html)
                            .await?,
                    );
                }
                let contents = self.compose_all(&out, &message_id, &body, list.as_ref(), &account);
                let virus = contents
                    .first()
                    .is_some_and(|(_, mime)| carries_eicar(mime, &body.attachments));
                (contents, virus)
            }
            (_, None) => (Vec::new(), false),
        };
        // The message row comes from the Send record, exactly as it would
        // for a Send ingested from real SES.
        let (parsed, send) = prepared(&account, ctx.send())?;
        let message = message_from(&account, &parsed);
        let (now, later) = if virus {
            (vec![send, to_record(&account, ctx.reject())?], Vec::new())
        } else {
            // A tenant keeping a suppression list of its own consults it
            // instead of the account's.
            let tenant_list = match &req.tenant {
                Some(t) => suppression::tenant_reasons(&*self.store, &account, t)
                    .await?
                    .map(|_| t.as_str()),
                None => None,
            };
            let mut fates = Vec::with_capacity(out.recipients.len());
            for r in &out.recipients {
                let fate = self.fate(&account, r, list.as_ref(), tenant_list).await?;
                fates.push((r.clone(), fate));
            }
            (
                vec![send],
                plan::later_steps(&fates, &ctx, &account, sent_at, &self.simulator.timing)?,
            )
        };
        // The MIME and the records are stored in one transaction.
        self.store
            .insert_sent_message(message, contents, now, later)
            .await?;
        self.wake.notify_one();
        Ok(message_id)
    }

    /// The configuration set a message names, refusing a missing or paused one.
    async fn configuration_set(
        &self,
        account: &str,
        name: Option<&str>,
    ) -> Result<Option<ConfigurationSet>, SendError> {
        let Some(name) = name else { return Ok(None) };
        let Some(set) = self.store.get_configuration_set(account, name).await? else {
            return Err(SendError::ConfigurationSetNotFound(name.to_owned()));
        };
        // SDKs leave out `false` booleans: a SendingOptions member
        // without SendingEnabled means sending is off.
        let enabled = set.options.get("SendingOptions").map(|o| {
            o.get("SendingEnabled")
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false)
        });
        if enabled == Some(false) {
            return Err(SendError::SendingPaused(format!(
                "Sending is paused for configuration set <{name}>."
            )));
        }
        Ok(Some(set))
    }
}

/// A record mailsight built, parsed and in its stored form: it goes
/// through the same normal form as records ingested from real SES.
pub(crate) fn prepared(
    account: &str,
    record: Value,
) -> Result<(EventRecord, NewRecord), SendError> {
    let body = record.to_string();
    let parsed =
        EventRecord::parse(body.as_bytes()).map_err(|e| SendError::Internal(e.to_string()))?;
    let stored =
        normalize(account, &parsed, body).map_err(|e| SendError::Internal(e.to_string()))?;
    Ok((parsed, stored))
}

/// A record mailsight built, in its stored form only.
fn to_record(account: &str, record: Value) -> Result<NewRecord, SendError> {
    prepared(account, record).map(|(_, r)| r)
}

/// A message id shaped like SES's: hex send time, a UUID, `-000000`.
pub(crate) fn new_message_id(sent_at: i64) -> String {
    format!("0100{sent_at:012x}-{}-000000", uuid::Uuid::new_v4())
}
