//! Planning a recipient's fate: what happens to each recipient of a send,
//! and the later records that fate schedules.
//!
//! The decision is made in a fixed order: the account's suppression list,
//! then the contact list's preferences, then the simulator
//! ([`crate::simulator::classify`]). [`Engine::fate`] only looks up what the
//! store knows about the recipient; [`decide`] is the pure rule applied to
//! what it found, and [`later_steps`] the pure timetable of records that
//! follows from each answer. Both are unit-tested here branch by branch.

use mailsight_store::ScheduledRecord;
use serde_json::Value;

use super::{Engine, to_record};
use crate::config::{DelayEnd, Rule, RuleOutcome, Timing};
use crate::error::SendError;
use crate::lists;
use crate::records::{Bounce, Delay, MailContext};
use crate::simulator::{classify, is_simulator_address};
use crate::suppression;

/// How long SES keeps retrying a delayed message before it gives up.
const DELAY_EXPIRY_MS: i64 = 12 * 60 * 60 * 1000;

/// What the store says about one recipient before the simulator is asked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Standing {
    /// The address is on the suppression list the send consults.
    pub suppressed: bool,
    /// That list is the tenant's own, not the account's.
    pub tenant_list: bool,
    /// The recipient is a contact of the message's list and opted out of it
    /// (or of its topic).
    pub unsubscribed: bool,
}

impl Engine {
    /// What happens to one recipient: the suppression list (the account's,
    /// or `tenant_list`'s own: a tenant whose suppression scope is
    /// `TENANT`) and the contact list's preferences come before the
    /// simulator.
    ///
    /// The store is asked only what can still change the answer: never
    /// about a simulator address's suppression, and not about the list once
    /// the address is suppressed.
    pub(super) async fn fate(
        &self,
        account: &str,
        recipient: &str,
        list: Option<&lists::ListTarget>,
        tenant_list: Option<&str>,
    ) -> Result<RuleOutcome, SendError> {
        let suppressed = !is_simulator_address(recipient)
            && match tenant_list {
                Some(t) => {
                    suppression::is_suppressed_for_tenant(&*self.store, account, t, recipient)
                        .await?
                }
                None => suppression::is_suppressed(&*self.store, account, recipient).await?,
            };
        let unsubscribed = match list {
            Some(list) if !suppressed => {
                lists::has_unsubscribed(&*self.store, account, list, recipient).await?
            }
            _ => false,
        };
        let standing = Standing {
            suppressed,
            tenant_list: tenant_list.is_some(),
            unsubscribed,
        };
        Ok(decide(recipient, standing, &self.simulator.rules))
    }
}

/// The fate of `recipient` given its standing: a suppressed address (never
/// a simulator one) bounces off the suppression list, an unsubscribed
/// contact bounces as unsubscribed, and the simulator decides the rest.
pub(crate) fn decide(recipient: &str, standing: Standing, rules: &[Rule]) -> RuleOutcome {
    if standing.suppressed && !is_simulator_address(recipient) {
        return if standing.tenant_list {
            suppression::tenant_suppressed_bounce()
        } else {
            suppression::suppressed_bounce()
        };
    }
    if standing.unsubscribed {
        return lists::unsubscribed_bounce();
    }
    classify(recipient, rules)
}

/// Every later step of every recipient's fate, timestamped in advance
/// from the send time `t0`.
pub(crate) fn later_steps(
    fates: &[(String, RuleOutcome)],
    ctx: &MailContext,
    account: &str,
    t0: i64,
    timing: &Timing,
) -> Result<Vec<ScheduledRecord>, SendError> {
    let (deliver_at, delay_at) = (t0 + timing.delivery_ms as i64, t0 + timing.delay_ms as i64);
    let mut later = Vec::new();
    let mut push = |due: i64, record: Value| -> Result<(), SendError> {
        later.push(ScheduledRecord {
            due,
            record: to_record(account, record)?,
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use mailsight_model::EventType;
    use mailsight_store::{ItemKind, PutMode, SqliteStore, contact_key};
    use serde_json::json;

    use super::*;
    use crate::config::{SendingConfig, SimulatorConfig};

    const PERSON: &str = "person@example.com";
    const SIMULATED_BOUNCE: &str = "bounce@simulator.amazonses.com";

    fn standing(suppressed: bool, unsubscribed: bool) -> Standing {
        Standing {
            suppressed,
            tenant_list: false,
            unsubscribed,
        }
    }

    fn rule(pattern: &str, outcome: RuleOutcome) -> Rule {
        Rule {
            pattern: pattern.into(),
            outcome,
        }
    }

    fn complaint() -> RuleOutcome {
        RuleOutcome::Complaint {
            feedback_type: "abuse".into(),
        }
    }

    #[test]
    fn a_suppressed_address_bounces_off_the_suppression_list() {
        let rules = [rule("*@example.com", complaint())];
        assert_eq!(
            decide(PERSON, standing(true, false), &rules),
            suppression::suppressed_bounce()
        );
    }

    #[test]
    fn suppression_comes_before_the_contact_list() {
        assert_eq!(
            decide(PERSON, standing(true, true), &[]),
            suppression::suppressed_bounce()
        );
    }

    #[test]
    fn simulator_addresses_are_never_suppressed() {
        assert_eq!(
            decide(SIMULATED_BOUNCE, standing(true, false), &[]),
            classify(SIMULATED_BOUNCE, &[])
        );
        assert_ne!(
            decide(SIMULATED_BOUNCE, standing(true, false), &[]),
            suppression::suppressed_bounce()
        );
    }

    #[test]
    fn an_unsubscribed_contact_bounces_as_unsubscribed() {
        let rules = [rule("*@example.com", complaint())];
        assert_eq!(
            decide(PERSON, standing(false, true), &rules),
            lists::unsubscribed_bounce()
        );
        // The contact list applies to simulator addresses too.
        assert_eq!(
            decide(SIMULATED_BOUNCE, standing(false, true), &[]),
            lists::unsubscribed_bounce()
        );
    }

    #[test]
    fn the_simulator_decides_the_rest() {
        let rules = [rule("*@example.com", complaint())];
        assert_eq!(decide(PERSON, Standing::default(), &rules), complaint());
        assert_eq!(
            decide("someone@example.net", Standing::default(), &rules),
            RuleOutcome::Deliver
        );
        // Simulator addresses come before the rules.
        let everyone = [rule("*", complaint())];
        assert_eq!(
            decide(SIMULATED_BOUNCE, Standing::default(), &everyone),
            classify(SIMULATED_BOUNCE, &[])
        );
    }

    /// An engine on a fresh SQLite store, with `rules` for the simulator.
    fn engine(dir: &std::path::Path, rules: Vec<Rule>) -> Engine {
        let store = Arc::new(SqliteStore::open(dir).unwrap());
        let simulator = SimulatorConfig {
            rules,
            ..Default::default()
        };
        Engine::new(store, simulator, SendingConfig::default())
    }

    fn list() -> lists::ListTarget {
        lists::ListTarget {
            name: "news".into(),
            topic: None,
            topics: vec![],
        }
    }

    async fn suppress(e: &Engine, account: &str, address: &str) {
        e.store()
            .put_item(
                account,
                ItemKind::Suppressed,
                &suppression::key(address),
                json!({"Reason": "BOUNCE"}),
                PutMode::Upsert,
                1,
            )
            .await
            .unwrap();
    }

    async fn unsubscribe(e: &Engine, account: &str, address: &str) {
        e.store()
            .put_item(
                account,
                ItemKind::Contact,
                &contact_key("news", address),
                json!({"EmailAddress": address, "UnsubscribeAll": true}),
                PutMode::Upsert,
                1,
            )
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn fate_reads_the_suppression_list_then_the_contact_list() {
        let dir = tempfile::tempdir().unwrap();
        let e = engine(dir.path(), vec![rule("*@example.com", complaint())]);
        let a = "acct";
        // Nothing stored: the simulator's rules decide.
        assert_eq!(
            e.fate(a, PERSON, Some(&list()), None).await.unwrap(),
            complaint()
        );

        unsubscribe(&e, a, PERSON).await;
        assert_eq!(
            e.fate(a, PERSON, Some(&list()), None).await.unwrap(),
            lists::unsubscribed_bounce()
        );
        // Without the list, the contact's preference does not apply.
        assert_eq!(e.fate(a, PERSON, None, None).await.unwrap(), complaint());

        suppress(&e, a, PERSON).await;
        assert_eq!(
            e.fate(a, PERSON, Some(&list()), None).await.unwrap(),
            suppression::suppressed_bounce()
        );
        // The list is per account.
        assert_eq!(
            e.fate("other", PERSON, None, None).await.unwrap(),
            complaint()
        );
    }

    #[tokio::test]
    async fn fate_ignores_suppression_of_simulator_addresses() {
        let dir = tempfile::tempdir().unwrap();
        let e = engine(dir.path(), vec![]);
        suppress(&e, "acct", SIMULATED_BOUNCE).await;
        assert_eq!(
            e.fate("acct", SIMULATED_BOUNCE, None, None).await.unwrap(),
            classify(SIMULATED_BOUNCE, &[])
        );
    }

    const T0: i64 = 1_767_225_600_000;

    fn timing() -> Timing {
        Timing {
            delivery_ms: 100,
            complaint_ms: 200,
            delay_ms: 50,
            delay_resolves_ms: 400,
        }
    }

    fn ctx() -> MailContext {
        MailContext::from_mail(json!({
            "timestamp": crate::records::at(T0),
            "source": "sender@example.com",
            "sendingAccountId": "111122223333",
            "messageId": "0100019b-plan-test-000000",
            "destination": [PERSON],
            "headersTruncated": false,
            "tags": {},
        }))
    }

    /// The due time, type and body of each planned record for one fate.
    fn steps(fate: RuleOutcome) -> Vec<(i64, EventType, Value)> {
        let fates = [(PERSON.to_owned(), fate)];
        later_steps(&fates, &ctx(), "111122223333", T0, &timing())
            .unwrap()
            .into_iter()
            .map(|s| {
                let body = serde_json::from_str(&s.record.body).unwrap();
                (s.due, s.record.event_type, body)
            })
            .collect()
    }

    fn kinds(steps: &[(i64, EventType, Value)]) -> Vec<(i64, EventType)> {
        steps.iter().map(|(due, kind, _)| (*due, *kind)).collect()
    }

    #[test]
    fn a_delivery_is_planned_after_the_delivery_time() {
        assert_eq!(
            kinds(&steps(RuleOutcome::Deliver)),
            [(T0 + 100, EventType::Delivery)]
        );
    }

    #[test]
    fn a_bounce_comes_when_the_delivery_would_have() {
        let s = steps(suppression::suppressed_bounce());
        assert_eq!(kinds(&s), [(T0 + 100, EventType::Bounce)]);
        assert_eq!(
            s[0].2["bounce"]["bounceSubType"],
            "OnAccountSuppressionList"
        );
    }

    #[test]
    fn a_complaint_follows_its_delivery() {
        let s = steps(complaint());
        assert_eq!(
            kinds(&s),
            [
                (T0 + 100, EventType::Delivery),
                (T0 + 300, EventType::Complaint)
            ]
        );
        assert_eq!(s[1].2["complaint"]["complaintFeedbackType"], "abuse");
    }

    fn delay(delay_type: &str, then: DelayEnd) -> RuleOutcome {
        RuleOutcome::Delay {
            delay_type: delay_type.into(),
            status: "4.2.2".into(),
            diagnostic_code: "smtp; 452 4.2.2 mailbox full".into(),
            then,
        }
    }

    #[test]
    fn a_delay_then_delivers() {
        let s = steps(delay("MailboxFull", DelayEnd::Deliver));
        assert_eq!(
            kinds(&s),
            [
                (T0 + 50, EventType::DeliveryDelay),
                (T0 + 450, EventType::Delivery)
            ]
        );
        assert_eq!(
            s[0].2["deliveryDelay"]["expirationTime"],
            crate::records::at(T0 + DELAY_EXPIRY_MS)
        );
    }

    #[test]
    fn an_expired_delay_bounces_transiently() {
        let s = steps(delay("MailboxFull", DelayEnd::Expire));
        assert_eq!(
            kinds(&s),
            [
                (T0 + 50, EventType::DeliveryDelay),
                (T0 + 450, EventType::Bounce)
            ]
        );
        assert_eq!(s[1].2["bounce"]["bounceType"], "Transient");
        assert_eq!(s[1].2["bounce"]["bounceSubType"], "MailboxFull");

        let s = steps(delay("TransientCommunicationFailure", DelayEnd::Expire));
        assert_eq!(s[1].2["bounce"]["bounceSubType"], "General");
    }

    #[test]
    fn every_recipient_gets_its_own_steps() {
        let fates = [
            ("a@example.com".to_owned(), RuleOutcome::Deliver),
            ("b@example.com".to_owned(), complaint()),
        ];
        let planned = later_steps(&fates, &ctx(), "111122223333", T0, &timing()).unwrap();
        let who: Vec<_> = planned
            .iter()
            .map(|s| (s.record.event_type, s.record.recipients[0].address.as_str()))
            .collect();
        assert_eq!(
            who,
            [
                (EventType::Delivery, "a@example.com"),
                (EventType::Delivery, "b@example.com"),
                (EventType::Complaint, "b@example.com"),
            ]
        );
    }
}
