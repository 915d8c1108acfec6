//! The `CloudWatchDestination` member of a definition: its dimension
//! configurations, with SES's rules for names, defaults and headers.

use serde::Deserialize;
use serde_json::Value;

use crate::outbox::destination::{DefinitionError, parse_kind};

/// Headers SES does not allow as an `EMAIL_HEADER` dimension.
pub const FORBIDDEN_HEADERS: &[&str] = &[
    "received",
    "to",
    "from",
    "dkim-signature",
    "cc",
    "message-id",
    "return-path",
];

/// Where a dimension's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DimensionSource {
    MessageTag,
    EmailHeader,
    LinkTag,
}

/// One `DimensionConfiguration`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Dimension {
    pub dimension_name: String,
    pub dimension_value_source: DimensionSource,
    /// Used when the record has no value for the dimension.
    pub default_dimension_value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CloudWatchDestination {
    pub dimension_configurations: Vec<Dimension>,
}

impl CloudWatchDestination {
    pub const KEY: &'static str = "CloudWatchDestination";

    /// Checks the member: at least one dimension, names and defaults of
    /// 1 to 255 allowed characters, and no header SES reserves. Names may
    /// hold `:`, as SES's v1 model says, so that SES's auto-tags
    /// (`ses:from-domain`, `ses:configuration-set`) can be dimensions: the
    /// use SES's guide shows (the v2 model's text leaves `:` out, but both
    /// APIs configure the same destinations). Defaults may hold `@` and `.`.
    pub fn parse(v: &Value) -> Result<Self, DefinitionError> {
        let c: CloudWatchDestination = parse_kind(Self::KEY, v)?;
        if c.dimension_configurations.is_empty() {
            return Err(DefinitionError::NoDimensions);
        }
        for d in &c.dimension_configurations {
            dimension_text("dimension name", &d.dimension_name, NAME_EXTRA)?;
            dimension_text(
                "default dimension value",
                &d.default_dimension_value,
                DEFAULT_EXTRA,
            )?;
            if d.dimension_value_source == DimensionSource::EmailHeader
                && FORBIDDEN_HEADERS.contains(&d.dimension_name.to_ascii_lowercase().as_str())
            {
                return Err(DefinitionError::ForbiddenHeader(d.dimension_name.clone()));
            }
        }
        Ok(c)
    }
}

/// Characters besides letters and digits a dimension name may hold, and
/// how the error says so.
const NAME_EXTRA: (&[u8], &str) = (b"_-:", "'_', '-' or ':'");
/// The same for a default dimension value.
const DEFAULT_EXTRA: (&[u8], &str) = (b"_-@.", "'_', '-', '@' or '.'");

/// 1 to 255 ASCII letters, digits, or one of `extra`.
fn dimension_text(
    what: &'static str,
    s: &str,
    (extra, allowed): (&[u8], &'static str),
) -> Result<(), DefinitionError> {
    let ok = !s.is_empty()
        && s.len() <= 255
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || extra.contains(&b));
    if ok {
        Ok(())
    } else {
        Err(DefinitionError::DimensionText {
            what,
            value: s.to_owned(),
            allowed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn dims(d: Value) -> Result<CloudWatchDestination, String> {
        CloudWatchDestination::parse(&json!({ "DimensionConfigurations": d }))
            .map_err(|e| e.to_string())
    }

    fn dim(name: &str, source: &str, default: &str) -> Value {
        json!([{"DimensionName": name, "DimensionValueSource": source, "DefaultDimensionValue": default}])
    }

    #[test]
    fn parses_each_source() {
        let c = dims(json!([
            {"DimensionName": "a", "DimensionValueSource": "MESSAGE_TAG", "DefaultDimensionValue": "a@b.c"},
            {"DimensionName": "X-H", "DimensionValueSource": "EMAIL_HEADER", "DefaultDimensionValue": "x"},
            {"DimensionName": "l", "DimensionValueSource": "LINK_TAG", "DefaultDimensionValue": "y"},
        ]))
        .unwrap();
        let sources: Vec<_> = c
            .dimension_configurations
            .iter()
            .map(|d| d.dimension_value_source)
            .collect();
        assert_eq!(
            sources,
            [
                DimensionSource::MessageTag,
                DimensionSource::EmailHeader,
                DimensionSource::LinkTag
            ]
        );
        assert_eq!(
            c.dimension_configurations[0].default_dimension_value,
            "a@b.c"
        );
    }

    #[test]
    fn refuses_what_ses_refuses_with_its_messages() {
        assert_eq!(
            dims(json!([])).unwrap_err(),
            "CloudWatchDestination needs at least one dimension."
        );
        assert_eq!(
            dims(dim("From", "EMAIL_HEADER", "x")).unwrap_err(),
            "The header From cannot be used as an EMAIL_HEADER dimension."
        );
        // The same name is fine from another source.
        assert!(dims(dim("From", "MESSAGE_TAG", "x")).is_ok());
        assert_eq!(
            dims(dim("a b", "MESSAGE_TAG", "x")).unwrap_err(),
            "Invalid dimension name <a b>: use 1 to 255 ASCII letters, digits, '_', '-' or ':'."
        );
        // SES's auto-tags are dimension names SES accepts.
        assert!(dims(dim("ses:from-domain", "MESSAGE_TAG", "none")).is_ok());
        assert_eq!(
            dims(dim("a", "MESSAGE_TAG", "x@y")).map(|_| ()),
            Ok(()),
            "defaults may hold @"
        );
        assert_eq!(
            dims(dim("a@b", "MESSAGE_TAG", "x")).unwrap_err(),
            "Invalid dimension name <a@b>: use 1 to 255 ASCII letters, digits, '_', '-' or ':'."
        );
        assert_eq!(
            dims(dim("a", "MESSAGE_TAG", "")).unwrap_err(),
            "Invalid default dimension value <>: use 1 to 255 ASCII letters, digits, '_', '-', '@' or '.'."
        );
        assert_eq!(
            dims(dim("a", "MESSAGE_TAG", "x:y")).unwrap_err(),
            "Invalid default dimension value <x:y>: use 1 to 255 ASCII letters, digits, '_', '-', '@' or '.'.",
            "':' is for names only"
        );
        assert!(dims(dim(&"n".repeat(255), "MESSAGE_TAG", "x")).is_ok());
        assert!(dims(dim(&"n".repeat(256), "MESSAGE_TAG", "x")).is_err());
        assert!(
            dims(dim("a", "HEADER", "x"))
                .unwrap_err()
                .starts_with("Invalid CloudWatchDestination: unknown variant `HEADER`"),
        );
    }
}
