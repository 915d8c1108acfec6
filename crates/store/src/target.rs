//! Where a delivery goes: an event destination of a configuration set, an
//! identity's notification topic, or one of mailsight's own forwarders.
//!
//! The outbox keeps a delivery's target as text (`destination:<set>/<name>`,
//! `identity:<identity>/<type>` or `forwarder:<name>`): the router writes it in SQL, the admin endpoints
//! and the CLI show it, and operators type it into `target=` filters. Above
//! the SQL it is this enum, so nothing outside the store formats or splits
//! the text, and a match over it cannot forget a kind of target.

use std::fmt;
use std::str::FromStr;

use mailsight_model::NotificationType;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The target of a delivery. Its [`Display`](fmt::Display) and
/// [`FromStr`] forms are the text kept in the database.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// An event destination `name` of the configuration set `set`.
    Destination { set: String, name: String },
    /// The SNS topic an identity set for one notification type (SES v1's
    /// `SetIdentityNotificationTopic`).
    Identity {
        identity: String,
        notification: NotificationType,
    },
    /// A forwarder declared in the config file.
    Forwarder { name: String },
}

impl Target {
    /// The event destination `name` of configuration set `set`.
    pub fn destination(set: impl Into<String>, name: impl Into<String>) -> Self {
        Target::Destination {
            set: set.into(),
            name: name.into(),
        }
    }

    /// The `notification` topic of `identity`.
    pub fn identity(identity: impl Into<String>, notification: NotificationType) -> Self {
        Target::Identity {
            identity: identity.into(),
            notification,
        }
    }

    /// The forwarder `name`.
    pub fn forwarder(name: impl Into<String>) -> Self {
        Target::Forwarder { name: name.into() }
    }
}

/// Text that names no target.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown target {0}: use destination:<set>/<name>, identity:<identity>/<Bounce|Complaint|Delivery> or forwarder:<name>"
)]
pub struct UnknownTarget(pub String);

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Destination { set, name } => write!(f, "destination:{set}/{name}"),
            Target::Identity {
                identity,
                notification,
            } => write!(f, "identity:{identity}/{notification}"),
            Target::Forwarder { name } => write!(f, "forwarder:{name}"),
        }
    }
}

impl FromStr for Target {
    type Err = UnknownTarget;

    /// Splits a destination at its first `/`: configuration set names
    /// cannot hold one, destination names could in principle. An
    /// identity's target splits at its last `/`, as an address may hold
    /// one and a notification type does not.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(name) = s.strip_prefix("forwarder:") {
            return Ok(Target::forwarder(name));
        }
        if let Some(rest) = s.strip_prefix("identity:") {
            return rest
                .rsplit_once('/')
                .and_then(|(identity, t)| {
                    Some(Target::identity(identity, NotificationType::parse(t)?))
                })
                .ok_or_else(|| UnknownTarget(s.to_owned()));
        }
        s.strip_prefix("destination:")
            .and_then(|t| t.split_once('/'))
            .map(|(set, name)| Target::destination(set, name))
            .ok_or_else(|| UnknownTarget(s.to_owned()))
    }
}

/// As its text, so JSON listings show what the database holds.
impl Serialize for Target {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Target {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips() {
        for (text, target) in [
            (
                "destination:app/to-bus",
                Target::destination("app", "to-bus"),
            ),
            ("destination:cs/a/b", Target::destination("cs", "a/b")),
            ("forwarder:crm", Target::forwarder("crm")),
            ("forwarder:", Target::forwarder("")),
            ("forwarder:a:b/c", Target::forwarder("a:b/c")),
            (
                "identity:example.com/Bounce",
                Target::identity("example.com", NotificationType::Bounce),
            ),
            (
                "identity:a/b@example.com/Delivery",
                Target::identity("a/b@example.com", NotificationType::Delivery),
            ),
        ] {
            assert_eq!(text.parse::<Target>().unwrap(), target, "{text}");
            assert_eq!(target.to_string(), text);
        }
    }

    #[test]
    fn other_text_names_no_target() {
        for text in [
            "",
            "destination:noslash",
            "Destination:a/b",
            "crm",
            "webhook:x",
            "identity:example.com",
            "identity:example.com/Send",
            "identity:example.com/bounce",
        ] {
            assert_eq!(
                text.parse::<Target>(),
                Err(UnknownTarget(text.to_owned())),
                "{text}"
            );
        }
    }

    #[test]
    fn json_is_the_text() {
        let t = Target::destination("cs", "bus");
        assert_eq!(
            serde_json::to_value(&t).unwrap(),
            serde_json::json!("destination:cs/bus")
        );
        assert_eq!(
            serde_json::from_value::<Target>(serde_json::json!("forwarder:f")).unwrap(),
            Target::forwarder("f")
        );
        assert!(serde_json::from_value::<Target>(serde_json::json!("nope")).is_err());
    }
}
