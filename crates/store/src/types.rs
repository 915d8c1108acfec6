//! The rows the store keeps, as plain data.
//!
//! Option members of configuration sets and event destinations are kept as
//! the JSON the API received: the store has no opinion on their meaning, and
//! every member a client set comes back unchanged.

use std::collections::BTreeMap;

use mailsight_model::{EventType, NotificationType};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::StoreError;
use crate::target::Target;

/// Milliseconds since the Unix epoch; all store timestamps use it.
pub type Millis = i64;

/// A configuration set: its name and its option members, as API JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigurationSet {
    pub name: String,
    /// The request's members other than the name (`TrackingOptions`, ...).
    pub options: Value,
    pub created_at: Millis,
}

/// An event destination of a configuration set.
#[derive(Debug, Clone, PartialEq)]
pub struct EventDestination {
    pub name: String,
    pub enabled: bool,
    pub matching_event_types: Vec<EventType>,
    /// The whole `EventDestinationDefinition` as the API received it.
    pub definition: Value,
}

/// Whether an identity is an address or a whole domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IdentityType {
    EmailAddress,
    Domain,
}

impl IdentityType {
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityType::EmailAddress => "EMAIL_ADDRESS",
            IdentityType::Domain => "DOMAIN",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "EMAIL_ADDRESS" => Some(IdentityType::EmailAddress),
            "DOMAIN" => Some(IdentityType::Domain),
            _ => None,
        }
    }
}

/// An email identity (address or domain) the account may send from.
#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    pub name: String,
    pub identity_type: IdentityType,
    /// `Tags`, as API JSON (`[{"Key":..,"Value":..}]`).
    pub tags: Value,
    pub configuration_set: Option<String>,
    pub created_at: Millis,
    /// Its notification settings (and whatever else SES keeps per
    /// identity), stored as one value with it.
    pub attributes: IdentityAttributes,
}

/// What SES keeps per identity besides its name and tags: the SNS topic of
/// each notification type, whether those notifications carry the original
/// headers, email feedback forwarding, and its sending authorization
/// policies. One value, stored as JSON with
/// the identity, so a new setting needs no new table or trait method.
/// The JSON members are SES v1's names (`BounceTopic`, ...): the router
/// reads `<Type>Topic` to decide whether a record is notified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct IdentityAttributes {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bounce_topic: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub complaint_topic: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_topic: Option<String>,
    pub headers_in_bounce_notifications_enabled: bool,
    pub headers_in_complaint_notifications_enabled: bool,
    pub headers_in_delivery_notifications_enabled: bool,
    /// Bounces and complaints forwarded by email; SES's default is on.
    pub forwarding_enabled: bool,
    /// DKIM signing switched on or off (SES v1's `SetIdentityDkimEnabled`,
    /// SES v2's `PutEmailIdentityDkimAttributes`); `None` is SES's default
    /// (on for a domain, off for an address).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dkim_signing_enabled: Option<bool>,
    /// Sending authorization policies: name → the policy's JSON text.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub policies: BTreeMap<String, String>,
}

impl Default for IdentityAttributes {
    fn default() -> Self {
        IdentityAttributes {
            bounce_topic: None,
            complaint_topic: None,
            delivery_topic: None,
            headers_in_bounce_notifications_enabled: false,
            headers_in_complaint_notifications_enabled: false,
            headers_in_delivery_notifications_enabled: false,
            forwarding_enabled: true,
            dkim_signing_enabled: None,
            policies: BTreeMap::new(),
        }
    }
}

impl IdentityAttributes {
    /// The SNS topic notifications of type `t` go to.
    pub fn topic(&self, t: NotificationType) -> Option<&str> {
        match t {
            NotificationType::Bounce => self.bounce_topic.as_deref(),
            NotificationType::Complaint => self.complaint_topic.as_deref(),
            NotificationType::Delivery => self.delivery_topic.as_deref(),
        }
    }

    pub fn topic_mut(&mut self, t: NotificationType) -> &mut Option<String> {
        match t {
            NotificationType::Bounce => &mut self.bounce_topic,
            NotificationType::Complaint => &mut self.complaint_topic,
            NotificationType::Delivery => &mut self.delivery_topic,
        }
    }

    /// Whether notifications of type `t` carry the original headers.
    pub fn headers(&self, t: NotificationType) -> bool {
        match t {
            NotificationType::Bounce => self.headers_in_bounce_notifications_enabled,
            NotificationType::Complaint => self.headers_in_complaint_notifications_enabled,
            NotificationType::Delivery => self.headers_in_delivery_notifications_enabled,
        }
    }

    pub fn headers_mut(&mut self, t: NotificationType) -> &mut bool {
        match t {
            NotificationType::Bounce => &mut self.headers_in_bounce_notifications_enabled,
            NotificationType::Complaint => &mut self.headers_in_complaint_notifications_enabled,
            NotificationType::Delivery => &mut self.headers_in_delivery_notifications_enabled,
        }
    }
}

/// One page of names, with the name to continue after.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// `Some(last)` when more rows follow `last`.
    pub next_after: Option<String>,
}

/// One recipient of a message, with the ISP it was classified to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recipient {
    pub address: String,
    pub isp: String,
}

/// A message, as sent through the API or learnt from an ingested record.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub message_id: String,
    pub account_id: String,
    pub from_address: String,
    pub subject: Option<String>,
    /// Message tags as `(name, value)`, in the order given.
    pub tags: Vec<(String, String)>,
    pub configuration_set: Option<String>,
    pub sent_at: Millis,
    /// To, Cc and Bcc, in that order.
    pub recipients: Vec<Recipient>,
}

impl Message {
    /// Fills in what this stored message lacks from a later view of it
    /// (`Store::ingest`: the first record seen may be a bounce without
    /// headers, a later Send carries the subject): recipients not yet
    /// listed, and the subject, tags and set when missing. Returns whether
    /// anything changed, i.e. whether the row must be written again.
    pub fn enrich_from(&mut self, m: &Message) -> bool {
        let before = self.recipients.len();
        for r in &m.recipients {
            if !self
                .recipients
                .iter()
                .any(|e| e.address.eq_ignore_ascii_case(&r.address))
            {
                self.recipients.push(r.clone());
            }
        }
        let mut changed = self.recipients.len() != before;
        if self.subject.is_none() && m.subject.is_some() {
            self.subject = m.subject.clone();
            changed = true;
        }
        if self.tags.is_empty() && !m.tags.is_empty() {
            self.tags = m.tags.clone();
            changed = true;
        }
        if self.configuration_set.is_none() && m.configuration_set.is_some() {
            self.configuration_set = m.configuration_set.clone();
            changed = true;
        }
        changed
    }
}

/// One event-publishing record to store, expanded to the recipients it
/// concerns. The record JSON is kept whole so that forwarders lose nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewRecord {
    pub account_id: String,
    pub message_id: String,
    pub event_type: EventType,
    pub timestamp: Millis,
    /// A record with a key already stored is a duplicate and is skipped.
    pub dedupe_key: String,
    /// The SES event record, serialised.
    pub body: String,
    pub recipients: Vec<RecipientEvent>,
    /// The configuration set the message was sent with: the router sends
    /// the record to that set's matching destinations.
    #[serde(default)]
    pub configuration_set: Option<String>,
    /// The identity the message was sent from (the name in its
    /// `mail.sourceArn`): the router also sends bounces, complaints and
    /// deliveries to that identity's notification topics.
    #[serde(default)]
    pub identity: Option<String>,
    /// Set on an open or click judged to come from a machine (a privacy
    /// proxy, a link scanner): the record is stored and published as usual,
    /// and the mark lets analytics count human engagement.
    #[serde(default)]
    pub machine: Option<String>,
}

/// The part of a record that concerns one recipient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecipientEvent {
    pub address: String,
    /// The insights `Details` object (bounce or complaint), as API JSON.
    pub details: Option<Value>,
}

/// A record that becomes visible at `due`: the simulator plans a recipient's
/// whole fate at send time and the scheduler releases each step when due, so
/// a restart in between loses nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduledRecord {
    pub due: Millis,
    pub record: NewRecord,
}

/// One stored event of one recipient, as insights show it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    pub recipient: String,
    pub event_type: EventType,
    pub timestamp: Millis,
    pub details: Option<Value>,
}

/// A message with all its events, ordered by recipient then time.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageEvents {
    pub message: Message,
    pub events: Vec<StoredEvent>,
}

/// A forwarder as the router sees it: which events it takes.
#[derive(Debug, Clone, PartialEq)]
pub struct ForwarderRoute {
    pub name: String,
    /// Empty: every type.
    pub event_types: Vec<EventType>,
    /// Empty: every configuration set (and messages without one).
    pub configuration_sets: Vec<String>,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    Pending,
    Delivered,
    /// Gave up (retry limit, age limit, or a permanent failure); can be replayed.
    Dead,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(DeliveryStatus::Pending),
            "delivered" => Some(DeliveryStatus::Delivered),
            "dead" => Some(DeliveryStatus::Dead),
            _ => None,
        }
    }
}

/// One record on its way to one target (an event destination of a
/// configuration set, or a forwarder).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delivery {
    pub id: i64,
    /// Serialised as its text: `destination:<set>/<name>`,
    /// `identity:<identity>/<type>` or `forwarder:<name>`.
    pub target: Target,
    pub account_id: String,
    pub message_id: String,
    pub event_type: EventType,
    /// The SES event record, as stored.
    pub body: String,
    pub status: DeliveryStatus,
    pub attempts: u32,
    pub next_attempt: Millis,
    pub created_at: Millis,
    pub last_error: Option<String>,
}

/// How many deliveries one target holds, by status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetCounts {
    pub target: Target,
    pub pending: u64,
    pub delivered: u64,
    pub dead: u64,
}

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum AttemptResult {
    Delivered,
    /// Failed; try again at `next_attempt`.
    Retry {
        error: String,
        next_attempt: Millis,
    },
    /// Failed for good.
    Dead {
        error: String,
    },
}

/// One logged attempt.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attempt {
    pub at: Millis,
    pub ok: bool,
    pub detail: Option<String>,
}

/// Which deliveries to list.
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    pub account_id: Option<String>,
    pub target: Option<Target>,
    pub status: Option<DeliveryStatus>,
    pub message_id: Option<String>,
}

/// How far behind one delivery target is (for monitoring): its pending
/// deliveries and when the oldest of them was created.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetDepth {
    pub target: Target,
    /// Pending deliveries (due or waiting for a retry).
    pub pending: u64,
    /// `created_at` of the oldest pending delivery; `None` when none is
    /// pending (the target has only delivered or dead ones).
    pub oldest_pending_at: Option<Millis>,
}

/// Cuts one extra row off a `limit + 1` query and turns it into a cursor.
pub(crate) fn paginate<T>(mut items: Vec<T>, limit: usize, key: impl Fn(&T) -> String) -> Page<T> {
    let next_after = if items.len() > limit {
        items.truncate(limit);
        items.last().map(key)
    } else {
        None
    };
    Page { items, next_after }
}

/// Event types as every backend stores them: API names joined by commas.
pub(crate) fn types_to_text(types: &[EventType]) -> String {
    types
        .iter()
        .map(|t| t.api_name())
        .collect::<Vec<_>>()
        .join(",")
}

/// Reads [`types_to_text`] back.
pub(crate) fn types_from_text(text: &str) -> Result<Vec<EventType>, StoreError> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(|s| EventType::from_api_name(s).map_err(|e| StoreError::Backend(e.to_string())))
        .collect()
}
