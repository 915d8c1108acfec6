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
use crate::config::{DelayEnd, RuleOutcome, SendingConfig, SimulatorConfig};
use crate::error::SendError;
use crate::normalize::{message_from, normalize};
use crate::outgoing::{Outgoing, SendRequest, prepare};
use crate::records::{Bounce, Delay, MailContext};
use crate::scheduler::now_ms;
use crate::simulator::classify;

/// How long SES keeps retrying a delayed message before it gives up.
const DELAY_EXPIRY_MS: i64 = 12 * 60 * 60 * 1000;

/// The engine: sends simulated mail and keeps its events flowing.
pub struct Engine {
    store: Arc<dyn Store>,
    simulator: SimulatorConfig,
    sending: SendingConfig,
    wake: Arc<Notify>,
}

impl Engine {
    pub fn new(store: Arc<dyn Store>, simulator: SimulatorConfig, sending: SendingConfig) -> Self {
        Engine {
            store,
            simulator,
            sending,
            wake: Arc::new(Notify::new()),
        }
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
    pub async fn send(&self, req: SendRequest) -> Result<String, SendError> {
        let account = req.account_id.clone();
        let caller = req.caller.clone();
        let mut out = prepare(req)?;
        out.identity = self.check_identity(&account, &out.from).await?;
        if let Some(name) = &out.configuration_set {
            let set = self.store.get_configuration_set(&account, name).await?;
            let Some(set) = set else {
                return Err(SendError::ConfigurationSetNotFound(name.clone()));
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
        }

        let sent_at = now_ms();
        let message_id = new_message_id(sent_at);
        let ctx = MailContext::new(
            &out,
            &message_id,
            sent_at,
            &account,
            &self.sending.region,
            &caller,
        );
        let send_body = ctx.send().to_string();
        let send_record = EventRecord::parse(send_body.as_bytes())
            .map_err(|e| SendError::Internal(e.to_string()))?;
        // The message row comes from the Send record, exactly as it would
        // for a Send ingested from real SES.
        let message = message_from(&account, &send_record);
        let send = normalize(&account, &send_record, send_body)
            .map_err(|e| SendError::Internal(e.to_string()))?;
        let later = self.plan(&out, &ctx, &account, sent_at)?;
        self.store
            .insert_message(message, vec![send], later)
            .await?;
        self.wake.notify_one();
        Ok(message_id)
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
        out: &Outgoing,
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
        for r in &out.recipients {
            match classify(r, &self.simulator.rules) {
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
        let body = record.to_string();
        let parsed = EventRecord::parse(body.as_bytes())
            .map_err(|e| SendError::BadRequest(format!("internal record error: {e}")))?;
        normalize(account, &parsed, body)
            .map_err(|e| SendError::BadRequest(format!("internal record error: {e}")))
    }
}

/// A message id shaped like SES's: hex send time, a UUID, `-000000`.
fn new_message_id(sent_at: i64) -> String {
    format!("0100{sent_at:012x}-{}-000000", uuid::Uuid::new_v4())
}
