//! The ten SES sending event types.
//!
//! SES spells each type two ways: the API enum (`MatchingEventTypes`,
//! `GetMessageInsights`) uses `RENDERING_FAILURE`, while the published event
//! record's `eventType` uses `Rendering Failure`. Both spellings live here so
//! nothing else has to know about the difference.

use std::fmt;
use std::str::FromStr;

/// One of the ten SES sending event types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventType {
    Send,
    Reject,
    Bounce,
    Complaint,
    Delivery,
    Open,
    Click,
    RenderingFailure,
    DeliveryDelay,
    Subscription,
}

/// A name that matches no event type, in either spelling.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown event type '{0}'")]
pub struct UnknownEventType(pub String);

impl EventType {
    /// All ten, in the order the SES API documentation lists them.
    pub const ALL: [EventType; 10] = [
        EventType::Send,
        EventType::Reject,
        EventType::Bounce,
        EventType::Complaint,
        EventType::Delivery,
        EventType::Open,
        EventType::Click,
        EventType::RenderingFailure,
        EventType::DeliveryDelay,
        EventType::Subscription,
    ];

    /// The API enum spelling (`MatchingEventTypes`, insights `Type`).
    pub fn api_name(self) -> &'static str {
        match self {
            EventType::Send => "SEND",
            EventType::Reject => "REJECT",
            EventType::Bounce => "BOUNCE",
            EventType::Complaint => "COMPLAINT",
            EventType::Delivery => "DELIVERY",
            EventType::Open => "OPEN",
            EventType::Click => "CLICK",
            EventType::RenderingFailure => "RENDERING_FAILURE",
            EventType::DeliveryDelay => "DELIVERY_DELAY",
            EventType::Subscription => "SUBSCRIPTION",
        }
    }

    /// The `eventType` spelling of a published event record.
    pub fn record_name(self) -> &'static str {
        match self {
            EventType::Send => "Send",
            EventType::Reject => "Reject",
            EventType::Bounce => "Bounce",
            EventType::Complaint => "Complaint",
            EventType::Delivery => "Delivery",
            EventType::Open => "Open",
            EventType::Click => "Click",
            EventType::RenderingFailure => "Rendering Failure",
            EventType::DeliveryDelay => "DeliveryDelay",
            EventType::Subscription => "Subscription",
        }
    }

    /// The key of the record's per-type object (`bounce`, `failure`, ...).
    /// Rendering Failure is the odd one: its key is `failure`.
    pub fn record_key(self) -> &'static str {
        match self {
            EventType::Send => "send",
            EventType::Reject => "reject",
            EventType::Bounce => "bounce",
            EventType::Complaint => "complaint",
            EventType::Delivery => "delivery",
            EventType::Open => "open",
            EventType::Click => "click",
            EventType::RenderingFailure => "failure",
            EventType::DeliveryDelay => "deliveryDelay",
            EventType::Subscription => "subscription",
        }
    }

    /// Parses the API spelling (`RENDERING_FAILURE`).
    pub fn from_api_name(name: &str) -> Result<Self, UnknownEventType> {
        Self::ALL
            .into_iter()
            .find(|t| t.api_name() == name)
            .ok_or_else(|| UnknownEventType(name.to_owned()))
    }

    /// Parses the record spelling (`Rendering Failure`). The older feedback
    /// format's `notificationType` uses the same names for the three types it has.
    pub fn from_record_name(name: &str) -> Result<Self, UnknownEventType> {
        Self::ALL
            .into_iter()
            .find(|t| t.record_name() == name)
            .ok_or_else(|| UnknownEventType(name.to_owned()))
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.api_name())
    }
}

impl FromStr for EventType {
    type Err = UnknownEventType;

    /// Accepts the API spelling; that is what configuration and queries use.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_api_name(s)
    }
}

impl serde::Serialize for EventType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.api_name())
    }
}

impl<'de> serde::Deserialize<'de> for EventType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::from_api_name(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_spellings_round_trip_for_all_ten() {
        for t in EventType::ALL {
            assert_eq!(EventType::from_api_name(t.api_name()), Ok(t));
            assert_eq!(EventType::from_record_name(t.record_name()), Ok(t));
        }
    }

    #[test]
    fn rendering_failure_is_the_odd_one() {
        let t = EventType::RenderingFailure;
        assert_eq!(t.api_name(), "RENDERING_FAILURE");
        assert_eq!(t.record_name(), "Rendering Failure");
        assert_eq!(t.record_key(), "failure");
    }

    #[test]
    fn spellings_do_not_cross() {
        assert!(EventType::from_api_name("Send").is_err());
        assert!(EventType::from_record_name("SEND").is_err());
        assert!(EventType::from_api_name("").is_err());
    }

    #[test]
    fn serde_uses_api_spelling() {
        let json = serde_json::to_string(&EventType::DeliveryDelay).unwrap();
        assert_eq!(json, "\"DELIVERY_DELAY\"");
        let back: EventType = serde_json::from_str(&json).unwrap();
        assert_eq!(back, EventType::DeliveryDelay);
        assert!(serde_json::from_str::<EventType>("\"NOPE\"").is_err());
    }
}
