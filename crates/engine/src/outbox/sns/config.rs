//! The `SnsDestination` member of an event destination definition.

use serde::Deserialize;
use serde_json::Value;

use crate::outbox::destination::{DefinitionError, check_arn, parse_kind};

/// A topic mailsight hosts, by ARN.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SnsDestination {
    pub topic_arn: String,
}

impl SnsDestination {
    pub const KEY: &'static str = "SnsDestination";

    /// Checks the member: a `TopicArn` that is an ARN. Whether the topic
    /// exists is up to delivery time (topics come and go on their own).
    pub fn parse(v: &Value) -> Result<Self, DefinitionError> {
        let d: SnsDestination = parse_kind(Self::KEY, v)?;
        check_arn(Self::KEY, &d.topic_arn)?;
        Ok(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn needs_a_topic_arn() {
        let arn = "arn:aws:sns:us-east-1:111122223333:t";
        assert_eq!(
            SnsDestination::parse(&json!({"TopicArn": arn})).unwrap(),
            SnsDestination {
                topic_arn: arn.into()
            }
        );
        assert_eq!(
            SnsDestination::parse(&json!({})).unwrap_err().to_string(),
            "Invalid SnsDestination: missing field `TopicArn`"
        );
        assert_eq!(
            SnsDestination::parse(&json!({"TopicArn": "nope"}))
                .unwrap_err()
                .to_string(),
            "Invalid ARN <nope> in SnsDestination."
        );
    }
}
