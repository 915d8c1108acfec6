//! Settings of the engine, deserialised from the `[simulator]` and
//! `[sending]` tables of the config file.

use serde::Deserialize;

/// How long after the send each simulated step happens. The defaults are
/// quick, so tests and local runs see the whole lifecycle within a second;
/// the event timestamps follow the same schedule, so they always increase.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Timing {
    /// Send → Delivery (and → Bounce for addresses that bounce).
    pub delivery_ms: u64,
    /// Delivery → Complaint.
    pub complaint_ms: u64,
    /// Send → first DeliveryDelay.
    pub delay_ms: u64,
    /// First DeliveryDelay → the delivery or the expiry bounce that ends it.
    pub delay_resolves_ms: u64,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            delivery_ms: 120,
            complaint_ms: 200,
            delay_ms: 100,
            delay_resolves_ms: 400,
        }
    }
}

/// What a rule does to the recipients it matches.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleOutcome {
    /// Delivered normally.
    Deliver,
    /// Bounced with this type, subtype and DSN detail.
    Bounce {
        #[serde(default = "default_bounce_type")]
        bounce_type: String,
        #[serde(default = "default_bounce_sub_type")]
        bounce_sub_type: String,
        #[serde(default = "default_bounce_status")]
        status: String,
        #[serde(default = "default_bounce_diagnostic")]
        diagnostic_code: String,
    },
    /// Delivered, then marked as spam with this feedback type.
    Complaint {
        #[serde(default = "default_feedback_type")]
        feedback_type: String,
    },
    /// Delayed with this delay type, then delivered or given up on.
    Delay {
        #[serde(default = "default_delay_type")]
        delay_type: String,
        #[serde(default = "default_delay_status")]
        status: String,
        #[serde(default = "default_delay_diagnostic")]
        diagnostic_code: String,
        #[serde(default)]
        then: DelayEnd,
    },
}

/// How a delivery delay ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DelayEnd {
    #[default]
    Deliver,
    /// SES stops retrying: a Transient bounce follows.
    Expire,
}

fn default_bounce_type() -> String {
    "Permanent".into()
}
fn default_bounce_sub_type() -> String {
    "General".into()
}
fn default_bounce_status() -> String {
    "5.1.1".into()
}
fn default_bounce_diagnostic() -> String {
    "smtp; 550 5.1.1 user unknown".into()
}
fn default_feedback_type() -> String {
    "abuse".into()
}
fn default_delay_type() -> String {
    "MailboxFull".into()
}
fn default_delay_status() -> String {
    "4.2.2".into()
}
fn default_delay_diagnostic() -> String {
    "smtp; 452 4.2.2 mailbox full".into()
}

/// A recipient pattern and what happens to recipients that match it.
// No `deny_unknown_fields` here: serde cannot combine it with `flatten`;
// the flattened outcome refuses unknown fields instead.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Rule {
    /// An address glob (`*@bounce.test`, `vip-*@example.com`) or a bare
    /// domain (`example.net`, which also matches its subdomains). Matching
    /// ignores case; `*` matches any run of characters, `?` one.
    #[serde(rename = "match")]
    pub pattern: String,
    #[serde(flatten)]
    pub outcome: RuleOutcome,
}

/// The simulator's settings.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SimulatorConfig {
    pub timing: Timing,
    /// Checked in order; the first match wins. The mailbox simulator
    /// addresses are checked before any rule.
    pub rules: Vec<Rule>,
}

/// Settings of the sending path.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SendingConfig {
    /// As in SES, refuse a sender that matches no verified identity with
    /// `MessageRejected`. Turn off for quick local use.
    pub require_verified_identity: bool,
    /// The region named in ARNs and error messages.
    pub region: String,
    /// The account's dedicated IP addresses, as `GetDedicatedIps` lists
    /// them (mailsight sends from none: they are names to manage).
    pub dedicated_ips: Vec<String>,
}

impl Default for SendingConfig {
    fn default() -> Self {
        SendingConfig {
            require_verified_identity: true,
            region: "us-east-1".into(),
            dedicated_ips: Vec::new(),
        }
    }
}
