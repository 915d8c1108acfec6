//! The `PinpointDestination` member of a definition.

use serde::Deserialize;
use serde_json::Value;

use crate::outbox::destination::{DefinitionError, check_arn, parse_kind};

/// A Pinpoint project; SES allows the ARN to be left out.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PinpointDestination {
    pub application_arn: Option<String>,
}

impl PinpointDestination {
    pub const KEY: &'static str = "PinpointDestination";

    /// Checks the member: an `ApplicationArn`, if given, is an ARN.
    pub fn parse(v: &Value) -> Result<Self, DefinitionError> {
        let d: PinpointDestination = parse_kind(Self::KEY, v)?;
        if let Some(arn) = &d.application_arn {
            check_arn(Self::KEY, arn)?;
        }
        Ok(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_arn_is_optional_but_checked() {
        assert_eq!(
            PinpointDestination::parse(&json!({})).unwrap(),
            PinpointDestination {
                application_arn: None
            }
        );
        let arn = "arn:aws:mobiletargeting:us-east-1:1:apps/x";
        assert_eq!(
            PinpointDestination::parse(&json!({"ApplicationArn": arn}))
                .unwrap()
                .application_arn
                .as_deref(),
            Some(arn)
        );
        assert_eq!(
            PinpointDestination::parse(&json!({"ApplicationArn": "x"}))
                .unwrap_err()
                .to_string(),
            "Invalid ARN <x> in PinpointDestination."
        );
        assert!(PinpointDestination::parse(&json!([])).is_err());
    }
}
