//! An event destination definition, parsed once: whether it is enabled,
//! the event types it takes, and its [`DestinationKind`] with that kind's
//! typed configuration.
//!
//! The API checks a definition with [`event_destination`] before storing
//! it, and the deliverer reads a stored one back with
//! [`DestinationKind::from_definition`]: one parser, so what was accepted
//! is exactly what gets delivered. Each kind checks its own part (in its
//! folder's `config.rs`); this file checks what all definitions share.

use mailsight_model::EventType;
use mailsight_store::EventDestination;
use serde_json::{Map, Value, json};

use super::cloudwatch::CloudWatchDestination;
use super::eventbridge::EventBridgeDestination;
use super::firehose::FirehoseDestination;
use super::pinpoint::PinpointDestination;
use super::sns::SnsDestination;

/// Why a definition is refused. The texts are the API's error messages
/// (`BadRequestException`), which clients and tests match on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DefinitionError {
    #[error("Missing required parameter: EventDestination.")]
    Missing,
    #[error("Enabled must be a boolean.")]
    EnabledNotBoolean,
    #[error("MatchingEventTypes must name at least one event type.")]
    NoEventTypes,
    #[error("MatchingEventTypes must be a list of event types.")]
    EventTypesNotList,
    #[error("The event destination contains an invalid event type: {0}. Valid values are {valid}.", valid = EventType::ALL.map(|t| t.api_name()).join(", "))]
    UnknownEventType(String),
    #[error("The event destination names no destination.")]
    NoKind,
    #[error("An event destination has exactly one destination; this one names {}.", .0.join(", "))]
    SeveralKinds(Vec<&'static str>),
    /// The kind's object does not have the kind's shape.
    #[error("Invalid {kind}: {reason}")]
    Shape { kind: &'static str, reason: String },
    #[error("Invalid ARN <{arn}> in {kind}.")]
    Arn { kind: &'static str, arn: String },
    #[error("CloudWatchDestination needs at least one dimension.")]
    NoDimensions,
    #[error("Invalid {what} <{value}>: use 1 to 255 ASCII letters, digits, {allowed}.")]
    DimensionText {
        what: &'static str,
        value: String,
        /// The other characters allowed, in words.
        allowed: &'static str,
    },
    #[error("The header {0} cannot be used as an EMAIL_HEADER dimension.")]
    ForbiddenHeader(String),
}

/// Where a destination's events go, with that kind's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DestinationKind {
    Firehose(FirehoseDestination),
    CloudWatch(CloudWatchDestination),
    Sns(SnsDestination),
    EventBridge(EventBridgeDestination),
    Pinpoint(PinpointDestination),
}

/// The definition members that name a kind, in the order error messages
/// list them.
pub const KINDS: [&str; 5] = [
    FirehoseDestination::KEY,
    CloudWatchDestination::KEY,
    SnsDestination::KEY,
    EventBridgeDestination::KEY,
    PinpointDestination::KEY,
];

impl DestinationKind {
    /// The definition member that holds this kind (`SnsDestination`, ...).
    pub fn key(&self) -> &'static str {
        match self {
            DestinationKind::Firehose(_) => FirehoseDestination::KEY,
            DestinationKind::CloudWatch(_) => CloudWatchDestination::KEY,
            DestinationKind::Sns(_) => SnsDestination::KEY,
            DestinationKind::EventBridge(_) => EventBridgeDestination::KEY,
            DestinationKind::Pinpoint(_) => PinpointDestination::KEY,
        }
    }

    /// The kind of a definition (as received, or as stored): exactly one
    /// kind member, valid by that kind's rules.
    pub fn from_definition(def: &Value) -> Result<Self, DefinitionError> {
        let def = def.as_object().ok_or(DefinitionError::Missing)?;
        Self::from_members(def)
    }

    fn from_members(def: &Map<String, Value>) -> Result<Self, DefinitionError> {
        let present: Vec<&'static str> = KINDS
            .into_iter()
            .filter(|k| def.get(*k).is_some_and(|v| !v.is_null()))
            .collect();
        let key = match present.as_slice() {
            [one] => *one,
            [] => return Err(DefinitionError::NoKind),
            _ => return Err(DefinitionError::SeveralKinds(present)),
        };
        let v = &def[key];
        Ok(match key {
            FirehoseDestination::KEY => DestinationKind::Firehose(FirehoseDestination::parse(v)?),
            CloudWatchDestination::KEY => {
                DestinationKind::CloudWatch(CloudWatchDestination::parse(v)?)
            }
            SnsDestination::KEY => DestinationKind::Sns(SnsDestination::parse(v)?),
            EventBridgeDestination::KEY => {
                DestinationKind::EventBridge(EventBridgeDestination::parse(v)?)
            }
            _ => DestinationKind::Pinpoint(PinpointDestination::parse(v)?),
        })
    }
}

/// A checked `EventDestinationDefinition`.
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    pub enabled: bool,
    /// Without repeats, in the order given.
    pub matching_event_types: Vec<EventType>,
    pub kind: DestinationKind,
    /// What to store: `Enabled`, `MatchingEventTypes` in the API spelling,
    /// and the kind's member exactly as received (so a client gets back
    /// every member it set).
    pub stored: Value,
}

impl Definition {
    /// Checks a definition as `Create`/`UpdateConfigurationSetEventDestination`
    /// receive it.
    pub fn parse(def: &Value) -> Result<Definition, DefinitionError> {
        let def = def.as_object().ok_or(DefinitionError::Missing)?;
        let enabled = match def.get("Enabled") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(DefinitionError::EnabledNotBoolean),
        };
        let types = match def.get("MatchingEventTypes") {
            Some(Value::Array(items)) if !items.is_empty() => items,
            Some(Value::Array(_)) | None | Some(Value::Null) => {
                return Err(DefinitionError::NoEventTypes);
            }
            Some(_) => return Err(DefinitionError::EventTypesNotList),
        };
        let mut matching = Vec::new();
        for t in types {
            let t = event_type(t.as_str().unwrap_or_default())?;
            if !matching.contains(&t) {
                matching.push(t);
            }
        }
        let kind = DestinationKind::from_members(def)?;
        let mut stored = Map::new();
        stored.insert("Enabled".into(), json!(enabled));
        stored.insert(
            "MatchingEventTypes".into(),
            json!(matching.iter().map(|t| t.api_name()).collect::<Vec<_>>()),
        );
        stored.insert(kind.key().into(), def[kind.key()].clone());
        Ok(Definition {
            enabled,
            matching_event_types: matching,
            kind,
            stored: Value::Object(stored),
        })
    }
}

/// Checks a received definition and returns the destination to store
/// under `name`.
pub fn event_destination(name: String, def: &Value) -> Result<EventDestination, DefinitionError> {
    let d = Definition::parse(def)?;
    Ok(EventDestination {
        name,
        enabled: d.enabled,
        matching_event_types: d.matching_event_types,
        definition: d.stored,
    })
}

/// Event types as SES accepts them: the API spelling, and also camelCase
/// or lower case (`renderingFailure`, `deliverydelay`).
fn event_type(name: &str) -> Result<EventType, DefinitionError> {
    let folded: String = name
        .chars()
        .filter(|c| *c != '_')
        .collect::<String>()
        .to_ascii_lowercase();
    EventType::ALL
        .into_iter()
        .find(|t| t.api_name().replace('_', "").to_ascii_lowercase() == folded)
        .ok_or_else(|| DefinitionError::UnknownEventType(name.to_owned()))
}

/// A kind's member in its typed shape (serde's message says what is wrong).
pub(super) fn parse_kind<T: serde::de::DeserializeOwned>(
    kind: &'static str,
    v: &Value,
) -> Result<T, DefinitionError> {
    serde_json::from_value(v.clone()).map_err(|e| DefinitionError::Shape {
        kind,
        reason: e.to_string(),
    })
}

/// An ARN as SES checks it: `arn:` and at least six `:`-separated parts.
pub fn is_arn(arn: &str) -> bool {
    arn.starts_with("arn:") && arn.split(':').count() >= 6
}

/// [`is_arn`], refused in the words of an event destination of `kind`.
pub(super) fn check_arn(kind: &'static str, arn: &str) -> Result<(), DefinitionError> {
    if is_arn(arn) {
        Ok(())
    } else {
        Err(DefinitionError::Arn {
            kind,
            arn: arn.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(v: Value) -> String {
        Definition::parse(&v).unwrap_err().to_string()
    }

    const SNS: &str = "arn:aws:sns:us-east-1:111122223333:t";

    #[test]
    fn keeps_the_kind_member_as_received_and_normalises_the_rest() {
        let d = Definition::parse(&json!({
            "Enabled": true,
            "MatchingEventTypes": ["SEND", "renderingFailure", "deliverydelay", "SEND"],
            "SnsDestination": {"TopicArn": SNS, "Extra": 1},
            "Ignored": "x"
        }))
        .unwrap();
        assert_eq!(
            d.matching_event_types,
            [
                EventType::Send,
                EventType::RenderingFailure,
                EventType::DeliveryDelay
            ]
        );
        assert_eq!(
            d.kind,
            DestinationKind::Sns(SnsDestination {
                topic_arn: SNS.into()
            })
        );
        assert_eq!(
            d.stored,
            json!({
                "Enabled": true,
                "MatchingEventTypes": ["SEND", "RENDERING_FAILURE", "DELIVERY_DELAY"],
                "SnsDestination": {"TopicArn": SNS, "Extra": 1}
            })
        );
        // What was stored parses back to the same kind.
        assert_eq!(DestinationKind::from_definition(&d.stored).unwrap(), d.kind);
    }

    #[test]
    fn enabled_defaults_to_false() {
        let d = event_destination(
            "d".into(),
            &json!({"MatchingEventTypes": ["SEND"], "PinpointDestination": {}}),
        )
        .unwrap();
        assert!(!d.enabled);
        assert_eq!(d.name, "d");
    }

    #[test]
    fn shared_rules_give_the_api_messages() {
        let sns = json!({"TopicArn": SNS});
        assert_eq!(
            err(json!("no")),
            "Missing required parameter: EventDestination."
        );
        assert_eq!(
            err(json!({"Enabled": "yes", "MatchingEventTypes": ["SEND"], "SnsDestination": sns})),
            "Enabled must be a boolean."
        );
        assert_eq!(
            err(json!({"MatchingEventTypes": [], "SnsDestination": sns})),
            "MatchingEventTypes must name at least one event type."
        );
        assert_eq!(
            err(json!({"SnsDestination": sns})),
            "MatchingEventTypes must name at least one event type."
        );
        assert_eq!(
            err(json!({"MatchingEventTypes": "SEND", "SnsDestination": sns})),
            "MatchingEventTypes must be a list of event types."
        );
        assert_eq!(
            err(json!({"MatchingEventTypes": ["SENT"], "SnsDestination": sns})),
            "The event destination contains an invalid event type: SENT. Valid values are \
             SEND, REJECT, BOUNCE, COMPLAINT, DELIVERY, OPEN, CLICK, RENDERING_FAILURE, \
             DELIVERY_DELAY, SUBSCRIPTION."
        );
        assert_eq!(
            err(json!({"MatchingEventTypes": ["SEND"]})),
            "The event destination names no destination."
        );
        assert_eq!(
            err(json!({"MatchingEventTypes": ["SEND"], "SnsDestination": null})),
            "The event destination names no destination."
        );
        assert_eq!(
            err(
                json!({"MatchingEventTypes": ["SEND"], "PinpointDestination": {}, "SnsDestination": sns})
            ),
            "An event destination has exactly one destination; this one names SnsDestination, PinpointDestination."
        );
    }

    #[test]
    fn arns_need_six_parts() {
        assert!(check_arn("K", "arn:aws:sns:us-east-1:1:t").is_ok());
        assert_eq!(
            check_arn("K", "arn:aws:sns:us-east-1:1")
                .unwrap_err()
                .to_string(),
            "Invalid ARN <arn:aws:sns:us-east-1:1> in K."
        );
        assert!(check_arn("K", "aws:sns:us-east-1:1:t:x").is_err());
    }
}
