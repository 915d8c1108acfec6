//! The sending path: check, classify, record, schedule.
//!
//! `send` commits the message, its Send record and every later step of each
//! recipient's fate in one transaction before it returns the message id, so
//! an acknowledged send is never lost and its lifecycle survives a restart.

use std::sync::Arc;

use mailsight_model::EventRecord;
use mailsight_store::{NewRecord, ScheduledRecord, Store};
use serde_json::Value;
use tokio::sync::Notify;

use crate::address::{bare_address, domain_of};
use crate::compose::{Parts, address_headers, carries_eicar, compose, strip_ses_headers};
use crate::config::{DelayEnd, RuleOutcome, SendingConfig, SimulatorConfig};
use crate::error::SendError;
use crate::lists;
use crate::normalize::{message_from, normalize};
use crate::outgoing::{Attachment, Content, TemplateContent, TemplateSource};
use crate::outgoing::{Outgoing, SendRequest, prepare};
use crate::records::{Bounce, Delay, MailContext};
use crate::scheduler::now_ms;
use crate::simulator::{classify, is_simulator_address};
use crate::suppression;
use crate::template::{parse_data, render};
use crate::tracking::rewrite::{Tracking, Wrap, rewrite_html};
use crate::tracking::{Claim, TrackingSettings, UrlBase};
use mailsight_model::EventType;
use mailsight_store::{ConfigurationSet, ItemKind};

/// How long SES keeps retrying a delayed message before it gives up.
const DELAY_EXPIRY_MS: i64 = 12 * 60 * 60 * 1000;

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

    pub fn sending(&self) -> &SendingConfig {
        &self.sending
    }

    /// Runs the scheduler that releases later events, until `shutdown`.
    pub async fn run_scheduler(&self, shutdown: impl std::future::Future<Output = ()>) {
        crate::scheduler::run(self.store.clone(), self.wake.clone(), shutdown).await
    }

    /// Accepts a message and returns its SES message id once committed.
    ///
    /// The call fails only for what SES refuses at once (bad input, an
    /// unknown template, set or contact list, an unverified sender). What
    /// SES finds later (missing template data, a virus, a suppressed or
    /// unsubscribed recipient) is accepted here and becomes an event.
    pub async fn send(&self, req: SendRequest) -> Result<String, SendError> {
        let account = req.account_id.clone();
        let mut out = prepare(&req)?;
        let template = match &req.content {
            Content::Template { source, data, .. } => {
                Some(self.resolve_template(&account, source, data).await?)
            }
            _ => None,
        };
        out.identity = self.check_identity(&account, &out.from).await?;
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
        self.store
            .put_message_content(&account, &message_id, contents)
            .await?;

        // The message row comes from the Send record, exactly as it would
        // for a Send ingested from real SES.
        let (parsed, send) = prepared(&account, ctx.send())?;
        let message = message_from(&account, &parsed);
        let (now, later) = if virus {
            (
                vec![send, self.to_record(&account, ctx.reject())?],
                Vec::new(),
            )
        } else {
            let mut fates = Vec::with_capacity(out.recipients.len());
            for r in &out.recipients {
                fates.push((r.clone(), self.fate(&account, r, list.as_ref()).await?));
            }
            (vec![send], self.plan(&fates, &ctx, &account, sent_at)?)
        };
        self.store.insert_message(message, now, later).await?;
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

    /// A stored template (by name or ARN) or the inline one, with its data
    /// parsed. Missing template data is found later, when rendering.
    async fn resolve_template(
        &self,
        account: &str,
        source: &TemplateSource,
        data: &str,
    ) -> Result<ResolvedTemplate, SendError> {
        let mut data = parse_data("TemplateData", data).map_err(SendError::BadRequest)?;
        // The unsubscribe placeholder is mailsight's to fill, per recipient.
        if let Some(obj) = data.as_object_mut() {
            obj.entry(lists::PLACEHOLDER_NAME)
                .or_insert_with(|| Value::String(lists::PLACEHOLDER.into()));
        }
        let (name, content) = match (source, source.stored_name()) {
            (TemplateSource::Inline(content), _) => ("InlineTemplate".to_owned(), content.clone()),
            (_, Some(name)) => (name.to_owned(), self.stored_template(account, name).await?),
            (_, None) => {
                return Err(SendError::Internal(
                    "a template source without a name".into(),
                ));
            }
        };
        Ok(ResolvedTemplate {
            name,
            content,
            data,
        })
    }

    async fn stored_template(
        &self,
        account: &str,
        name: &str,
    ) -> Result<TemplateContent, SendError> {
        let item = self
            .store
            .get_item(account, ItemKind::Template, name)
            .await?
            .ok_or_else(|| SendError::TemplateNotFound(name.to_owned()))?;
        serde_json::from_value(item.body["TemplateContent"].clone())
            .map_err(|e| SendError::Internal(format!("stored template {name}: {e}")))
    }

    /// Renders the stored template `name` with `data` into the complete
    /// MIME text, as `TestRenderEmailTemplate` answers. Missing data is a
    /// `BadRequest` carrying the message a Rendering Failure event would.
    pub async fn test_render(
        &self,
        account: &str,
        name: &str,
        data: &str,
    ) -> Result<String, SendError> {
        let t = self
            .resolve_template(account, &TemplateSource::Name(name.to_owned()), data)
            .await?;
        let r = render(&t.content, &t.data).map_err(SendError::BadRequest)?;
        let mime = compose(
            None,
            &[],
            &Parts {
                subject: &r.subject,
                text: r.text.as_deref(),
                html: r.html.as_deref(),
                ..Default::default()
            },
        );
        Ok(String::from_utf8_lossy(&mime).into_owned())
    }

    /// Rewrites HTML for open and click tracking when the set asks for it:
    /// it publishes Open or Click to an enabled destination, or sets
    /// `TrackingOptions`.
    async fn track_html(
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
    fn compose_all(
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

    /// What happens to one recipient: the account's suppression list and
    /// the contact list's preferences come before the simulator.
    async fn fate(
        &self,
        account: &str,
        recipient: &str,
        list: Option<&lists::ListTarget>,
    ) -> Result<RuleOutcome, SendError> {
        if !is_simulator_address(recipient)
            && suppression::is_suppressed(&*self.store, account, recipient).await?
        {
            return Ok(suppression::suppressed_bounce());
        }
        if let Some(list) = list
            && lists::has_unsubscribed(&*self.store, account, list, recipient).await?
        {
            return Ok(lists::unsubscribed_bounce());
        }
        Ok(classify(recipient, &self.simulator.rules))
    }

    /// The identity the sender may use: its address, its domain or a parent
    /// domain. Refused as SES refuses when none is verified (and the check is on).
    async fn check_identity(&self, account: &str, from: &str) -> Result<String, SendError> {
        let address = bare_address(from).to_owned();
        let domain = domain_of(from).unwrap_or_default();
        let mut candidates = vec![address.clone(), address.to_ascii_lowercase()];
        let mut rest = domain.as_str();
        loop {
            candidates.push(rest.to_owned());
            match rest.split_once('.') {
                Some((_, parent)) if parent.contains('.') => rest = parent,
                _ => break,
            }
        }
        for c in &candidates {
            if self.store.get_identity(account, c).await?.is_some() {
                return Ok(c.clone());
            }
        }
        if !self.sending.require_verified_identity {
            return Ok(domain);
        }
        Err(SendError::MessageRejected(format!(
            "Email address is not verified. The following identities failed the check in region {}: {}",
            self.sending.region.to_ascii_uppercase(),
            address
        )))
    }

    /// Every later step of every recipient's fate, timestamped in advance.
    fn plan(
        &self,
        fates: &[(String, RuleOutcome)],
        ctx: &MailContext,
        account: &str,
        t0: i64,
    ) -> Result<Vec<ScheduledRecord>, SendError> {
        let timing = &self.simulator.timing;
        let (deliver_at, delay_at) = (t0 + timing.delivery_ms as i64, t0 + timing.delay_ms as i64);
        let mut later = Vec::new();
        let mut push = |due: i64, record: Value| -> Result<(), SendError> {
            later.push(ScheduledRecord {
                due,
                record: self.to_record(account, record)?,
            });
            Ok(())
        };
        for (r, fate) in fates {
            match fate.clone() {
                RuleOutcome::Deliver => push(deliver_at, ctx.delivery(r, deliver_at, t0))?,
                RuleOutcome::Bounce {
                    bounce_type,
                    bounce_sub_type,
                    status,
                    diagnostic_code,
                } => {
                    let b = Bounce {
                        bounce_type: &bounce_type,
                        sub_type: &bounce_sub_type,
                        status: &status,
                        diagnostic: &diagnostic_code,
                    };
                    push(deliver_at, ctx.bounce(r, deliver_at, &b))?
                }
                RuleOutcome::Complaint { feedback_type } => {
                    push(deliver_at, ctx.delivery(r, deliver_at, t0))?;
                    let at = deliver_at + timing.complaint_ms as i64;
                    push(at, ctx.complaint(r, at, &feedback_type))?
                }
                RuleOutcome::Delay {
                    delay_type,
                    status,
                    diagnostic_code,
                    then,
                } => {
                    let d = Delay {
                        delay_type: &delay_type,
                        status: &status,
                        diagnostic: &diagnostic_code,
                    };
                    push(
                        delay_at,
                        ctx.delivery_delay(r, delay_at, t0 + DELAY_EXPIRY_MS, &d),
                    )?;
                    let end = delay_at + timing.delay_resolves_ms as i64;
                    match then {
                        DelayEnd::Deliver => push(end, ctx.delivery(r, end, t0))?,
                        DelayEnd::Expire => {
                            let sub_type = if delay_type == "MailboxFull" {
                                "MailboxFull"
                            } else {
                                "General"
                            };
                            let b = Bounce {
                                bounce_type: "Transient",
                                sub_type,
                                status: &status,
                                diagnostic: &diagnostic_code,
                            };
                            push(end, ctx.bounce(r, end, &b))?
                        }
                    }
                }
            }
        }
        Ok(later)
    }

    fn to_record(&self, account: &str, record: Value) -> Result<NewRecord, SendError> {
        prepared(account, record).map(|(_, r)| r)
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

/// Simple or rendered content, before it is composed.
struct Body {
    subject: String,
    text: Option<String>,
    html: Option<String>,
    headers: Vec<(String, String)>,
    attachments: Vec<Attachment>,
}

/// A template ready to render.
struct ResolvedTemplate {
    name: String,
    content: TemplateContent,
    data: Value,
}

/// A message id shaped like SES's: hex send time, a UUID, `-000000`.
fn new_message_id(sent_at: i64) -> String {
    format!("0100{sent_at:012x}-{}-000000", uuid::Uuid::new_v4())
}
