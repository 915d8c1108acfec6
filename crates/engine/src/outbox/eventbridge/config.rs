//! The `EventBridgeDestination` member of a definition, and the
//! `[[eventbridge.buses]]` settings that say where a bus's events go.

use serde::Deserialize;
use serde_json::Value;

use crate::outbox::destination::{DefinitionError, check_arn, parse_kind};

/// The `[eventbridge]` table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EventBridgeConfig {
    /// Event buses an `EventBridgeDestination` may name, each bound to the
    /// HTTP targets that receive its events.
    pub buses: Vec<BusBinding>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusBinding {
    /// The `EventBusArn` of the destination.
    pub arn: String,
    /// URLs that receive each event as a POST of the EventBridge envelope.
    pub targets: Vec<String>,
}

/// An event bus, by ARN.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EventBridgeDestination {
    pub event_bus_arn: String,
}

impl EventBridgeDestination {
    pub const KEY: &'static str = "EventBridgeDestination";

    /// Checks the member: an `EventBusArn` that is an ARN. Whether the bus
    /// is bound is up to the config file, and checked at delivery time.
    pub fn parse(v: &Value) -> Result<Self, DefinitionError> {
        let d: EventBridgeDestination = parse_kind(Self::KEY, v)?;
        check_arn(Self::KEY, &d.event_bus_arn)?;
        Ok(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn needs_a_bus_arn() {
        let arn = "arn:aws:events:us-east-1:1:event-bus/default";
        assert_eq!(
            EventBridgeDestination::parse(&json!({"EventBusArn": arn})).unwrap(),
            EventBridgeDestination {
                event_bus_arn: arn.into()
            }
        );
        assert_eq!(
            EventBridgeDestination::parse(&json!({"EventBusArn": 7}))
                .unwrap_err()
                .to_string(),
            "Invalid EventBridgeDestination: invalid type: integer `7`, expected a string"
        );
        assert_eq!(
            EventBridgeDestination::parse(&json!({"EventBusArn": "arn:aws:events"}))
                .unwrap_err()
                .to_string(),
            "Invalid ARN <arn:aws:events> in EventBridgeDestination."
        );
    }
}
