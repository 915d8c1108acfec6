//! The rows the store keeps, as plain data.
//!
//! Option members of configuration sets and event destinations are kept as
//! the JSON the API received: the store has no opinion on their meaning, and
//! every member a client set comes back unchanged.

use mailsight_model::EventType;
use serde::{Deserialize, Serialize};
use serde_json::Value;

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
