//! The mailbox simulator: decides each recipient's fate.
//!
//! This is the one classifier per recipient: the records the sender builds
//! and the insights read from them both come from its answer, so they cannot
//! disagree. The five SES simulator addresses (and their `+label` forms) come
//! first, then the config file's rules in order; anyone else is delivered.

use crate::address::{bare_address, pattern_matches};
use crate::config::{Rule, RuleOutcome};

/// The mailbox simulator's domain.
pub const SIMULATOR_DOMAIN: &str = "simulator.amazonses.com";

/// The simulator scenario an address names, if it is a simulator address:
/// `bounce+label@simulator.amazonses.com` → `bounce`.
fn simulator_scenario(address: &str) -> Option<String> {
    let (local, domain) = bare_address(address).rsplit_once('@')?;
    if !domain.eq_ignore_ascii_case(SIMULATOR_DOMAIN) {
        return None;
    }
    let scenario = local.split_once('+').map_or(local, |(base, _)| base);
    Some(scenario.to_ascii_lowercase())
}

/// Whether the address is one of the mailbox simulator's.
pub fn is_simulator_address(address: &str) -> bool {
    simulator_scenario(address).is_some()
}

/// What happens to `address`.
pub fn classify(address: &str, rules: &[Rule]) -> RuleOutcome {
    if let Some(scenario) = simulator_scenario(address) {
        match scenario.as_str() {
            "bounce" => {
                return RuleOutcome::Bounce {
                    bounce_type: "Permanent".into(),
                    bounce_sub_type: "General".into(),
                    status: "5.1.1".into(),
                    diagnostic_code: "smtp; 550 5.1.1 user unknown".into(),
                };
            }
            "suppressionlist" => {
                return RuleOutcome::Bounce {
                    bounce_type: "Permanent".into(),
                    bounce_sub_type: "Suppressed".into(),
                    status: "5.1.1".into(),
                    diagnostic_code: "Amazon SES has suppressed sending to this address because \
                                      it has a recent history of bouncing as an invalid address."
                        .into(),
                };
            }
            "complaint" => {
                return RuleOutcome::Complaint {
                    feedback_type: "abuse".into(),
                };
            }
            // `success` and `ooto` are delivered; the out-of-office reply goes
            // to the sender's Return-Path and publishes no event.
            _ => return RuleOutcome::Deliver,
        }
    }
    rules
        .iter()
        .find(|r| pattern_matches(&r.pattern, address))
        .map_or(RuleOutcome::Deliver, |r| r.outcome.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::DelayEnd;

    #[test]
    fn simulator_addresses_and_labels() {
        for a in [
            "bounce@simulator.amazonses.com",
            "BOUNCE+x-1@Simulator.AmazonSES.com",
        ] {
            assert!(
                matches!(classify(a, &[]), RuleOutcome::Bounce { ref bounce_sub_type, .. } if bounce_sub_type == "General")
            );
        }
        assert!(matches!(
            classify("suppressionlist+z@simulator.amazonses.com", &[]),
            RuleOutcome::Bounce { ref bounce_sub_type, .. } if bounce_sub_type == "Suppressed"
        ));
        assert_eq!(
            classify("complaint@simulator.amazonses.com", &[]),
            RuleOutcome::Complaint {
                feedback_type: "abuse".into()
            }
        );
        assert_eq!(
            classify("success+1@simulator.amazonses.com", &[]),
            RuleOutcome::Deliver
        );
        assert_eq!(
            classify("ooto@simulator.amazonses.com", &[]),
            RuleOutcome::Deliver
        );
        assert!(is_simulator_address("Name <ooto@simulator.amazonses.com>"));
        assert!(!is_simulator_address("bounce@example.com"));
    }

    #[test]
    fn rules_apply_in_order_after_the_simulator() {
        let rules = vec![
            Rule {
                pattern: "slow@*".into(),
                outcome: RuleOutcome::Delay {
                    delay_type: "MailboxFull".into(),
                    status: "4.2.2".into(),
                    diagnostic_code: "x".into(),
                    then: DelayEnd::Expire,
                },
            },
            Rule {
                pattern: "*".into(),
                outcome: RuleOutcome::Complaint {
                    feedback_type: "fraud".into(),
                },
            },
        ];
        assert!(matches!(
            classify("slow@a.test", &rules),
            RuleOutcome::Delay {
                then: DelayEnd::Expire,
                ..
            }
        ));
        assert_eq!(
            classify("x@a.test", &rules),
            RuleOutcome::Complaint {
                feedback_type: "fraud".into()
            }
        );
        // A catch-all rule does not override the simulator addresses.
        assert_eq!(
            classify("success@simulator.amazonses.com", &rules),
            RuleOutcome::Deliver
        );
    }
}
