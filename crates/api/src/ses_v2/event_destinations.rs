//! The event destinations of a configuration set: create, get (all of a
//! set), update and delete. Many per set, names unique per set, exactly one
//! destination kind each, `MatchingEventTypes` checked.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::Call;
use super::validate::resource_name;
use crate::body::json;
use crate::error::ApiError;
use mailsight_model::EventType;
use mailsight_store::EventDestination;

/// SES allows this many event destinations per configuration set.
pub const MAX_PER_SET: usize = 10;

/// The five destination kinds; a definition names exactly one.
const KINDS: &[&str] = &[
    "KinesisFirehoseDestination",
    "CloudWatchDestination",
    "SnsDestination",
    "EventBridgeDestination",
    "PinpointDestination",
];

/// Headers SES does not allow as an `EMAIL_HEADER` dimension.
const FORBIDDEN_HEADERS: &[&str] = &[
    "received",
    "to",
    "from",
    "dkim-signature",
    "cc",
    "message-id",
    "return-path",
];

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(dead_code)]
struct Firehose {
    iam_role_arn: String,
    delivery_stream_arn: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum DimensionSource {
    MessageTag,
    EmailHeader,
    LinkTag,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Dimension {
    dimension_name: String,
    dimension_value_source: DimensionSource,
    default_dimension_value: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CloudWatch {
    dimension_configurations: Vec<Dimension>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(dead_code)]
struct Sns {
    topic_arn: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(dead_code)]
struct EventBridge {
    event_bus_arn: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(dead_code)]
struct Pinpoint {
    application_arn: Option<String>,
}

/// Event types as SES accepts them: the API spelling, and also camelCase
/// or lower case (`renderingFailure`, `deliverydelay`).
fn event_type(name: &str) -> Result<EventType, ApiError> {
    let folded: String = name
        .chars()
        .filter(|c| *c != '_')
        .collect::<String>()
        .to_ascii_lowercase();
    EventType::ALL
        .into_iter()
        .find(|t| t.api_name().replace('_', "").to_ascii_lowercase() == folded)
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "The event destination contains an invalid event type: {name}. Valid values are {}.",
                EventType::ALL.map(|t| t.api_name()).join(", ")
            ))
        })
}

fn dimension_text(what: &str, s: &str, extra: &[u8]) -> Result<(), ApiError> {
    let ok = !s.is_empty()
        && s.len() <= 255
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || extra.contains(&b));
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "Invalid {what} <{s}>: use 1 to 255 ASCII letters, digits, '_' or '-'."
        )))
    }
}

fn parse_kind<T: serde::de::DeserializeOwned>(kind: &str, v: &Value) -> Result<T, ApiError> {
    serde_json::from_value(v.clone())
        .map_err(|e| ApiError::bad_request(format!("Invalid {kind}: {e}")))
}

fn check_arn(kind: &str, arn: &str) -> Result<(), ApiError> {
    if arn.starts_with("arn:") && arn.split(':').count() >= 6 {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "Invalid ARN <{arn}> in {kind}."
        )))
    }
}

/// Checks an `EventDestinationDefinition` and returns the destination to store.
fn definition(name: String, def: &Value) -> Result<EventDestination, ApiError> {
    let Some(def) = def.as_object() else {
        return Err(ApiError::bad_request(
            "Missing required parameter: EventDestination.",
        ));
    };
    let enabled = match def.get("Enabled") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(ApiError::bad_request("Enabled must be a boolean.")),
    };
    let types = match def.get("MatchingEventTypes") {
        Some(Value::Array(items)) if !items.is_empty() => items,
        Some(Value::Array(_)) | None | Some(Value::Null) => {
            return Err(ApiError::bad_request(
                "MatchingEventTypes must name at least one event type.",
            ));
        }
        Some(_) => {
            return Err(ApiError::bad_request(
                "MatchingEventTypes must be a list of event types.",
            ));
        }
    };
    let mut matching = Vec::new();
    for t in types {
        let t = event_type(t.as_str().unwrap_or_default())?;
        if !matching.contains(&t) {
            matching.push(t);
        }
    }
    let present: Vec<&str> = KINDS
        .iter()
        .copied()
        .filter(|k| def.get(*k).is_some_and(|v| !v.is_null()))
        .collect();
    let kind = match present.as_slice() {
        [one] => *one,
        [] => {
            return Err(ApiError::bad_request(
                "The event destination names no destination.",
            ));
        }
        _ => {
            return Err(ApiError::bad_request(format!(
                "An event destination has exactly one destination; this one names {}.",
                present.join(", ")
            )));
        }
    };
    let target = &def[kind];
    match kind {
        "KinesisFirehoseDestination" => {
            let f: Firehose = parse_kind(kind, target)?;
            check_arn(kind, &f.iam_role_arn)?;
            check_arn(kind, &f.delivery_stream_arn)?;
        }
        "CloudWatchDestination" => {
            let c: CloudWatch = parse_kind(kind, target)?;
            if c.dimension_configurations.is_empty() {
                return Err(ApiError::bad_request(
                    "CloudWatchDestination needs at least one dimension.",
                ));
            }
            for d in &c.dimension_configurations {
                dimension_text("dimension name", &d.dimension_name, b"")?;
                dimension_text("default dimension value", &d.default_dimension_value, b"@.")?;
                if matches!(d.dimension_value_source, DimensionSource::EmailHeader)
                    && FORBIDDEN_HEADERS.contains(&d.dimension_name.to_ascii_lowercase().as_str())
                {
                    return Err(ApiError::bad_request(format!(
                        "The header {} cannot be used as an EMAIL_HEADER dimension.",
                        d.dimension_name
                    )));
                }
            }
        }
        "SnsDestination" => check_arn(kind, &parse_kind::<Sns>(kind, target)?.topic_arn)?,
        "EventBridgeDestination" => check_arn(
            kind,
            &parse_kind::<EventBridge>(kind, target)?.event_bus_arn,
        )?,
        _ => {
            if let Some(arn) = parse_kind::<Pinpoint>(kind, target)?.application_arn {
                check_arn(kind, &arn)?;
            }
        }
    }
    let mut stored = Map::new();
    stored.insert("Enabled".into(), json!(enabled));
    stored.insert(
        "MatchingEventTypes".into(),
        json!(matching.iter().map(|t| t.api_name()).collect::<Vec<_>>()),
    );
    stored.insert(kind.into(), target.clone());
    Ok(EventDestination {
        name,
        enabled,
        matching_event_types: matching,
        definition: Value::Object(stored),
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateRequest {
    event_destination_name: Option<String>,
    event_destination: Option<Value>,
}

pub async fn create(c: &Call<'_>) -> Result<Value, ApiError> {
    let (state, caller, set, body) = (c.state, c.caller, c.label("ConfigurationSetName")?, c.body);
    let req: CreateRequest = json(body)?;
    let name = req.event_destination_name.ok_or_else(|| {
        ApiError::bad_request("Missing required parameter: EventDestinationName.")
    })?;
    resource_name("event destination", &name)?;
    let destination = definition(name, req.event_destination.as_ref().unwrap_or(&Value::Null))?;
    let existing = state
        .store()
        .list_event_destinations(&caller.account_id, set)
        .await?;
    if existing.len() >= MAX_PER_SET && !existing.iter().any(|d| d.name == destination.name) {
        return Err(ApiError::limit_exceeded(format!(
            "Configuration set <{set}> already has {MAX_PER_SET} event destinations, the most allowed."
        )));
    }
    state
        .store()
        .create_event_destination(&caller.account_id, set, destination)
        .await?;
    Ok(json!({}))
}

pub async fn get(c: &Call<'_>) -> Result<Value, ApiError> {
    let (state, caller, set) = (c.state, c.caller, c.label("ConfigurationSetName")?);
    let destinations = state
        .store()
        .list_event_destinations(&caller.account_id, set)
        .await?;
    let list: Vec<Value> = destinations
        .into_iter()
        .map(|d| {
            let mut out = Map::new();
            out.insert("Name".into(), json!(d.name));
            if let Value::Object(def) = d.definition {
                out.extend(def);
            }
            Value::Object(out)
        })
        .collect();
    Ok(json!({ "EventDestinations": list }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateRequest {
    event_destination: Option<Value>,
}

pub async fn update(c: &Call<'_>) -> Result<Value, ApiError> {
    let (state, caller, set, name, body) = (
        c.state,
        c.caller,
        c.label("ConfigurationSetName")?,
        c.label("EventDestinationName")?,
        c.body,
    );
    let req: UpdateRequest = json(body)?;
    let destination = definition(
        name.to_owned(),
        req.event_destination.as_ref().unwrap_or(&Value::Null),
    )?;
    state
        .store()
        .update_event_destination(&caller.account_id, set, destination)
        .await?;
    Ok(json!({}))
}

pub async fn delete(c: &Call<'_>) -> Result<Value, ApiError> {
    let (state, caller, set, name) = (
        c.state,
        c.caller,
        c.label("ConfigurationSetName")?,
        c.label("EventDestinationName")?,
    );
    state
        .store()
        .delete_event_destination(&caller.account_id, set, name)
        .await?;
    Ok(json!({}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(v: Value) -> Result<EventDestination, ApiError> {
        definition("d".into(), &v)
    }

    #[test]
    fn accepts_each_spelling_of_event_types() {
        let d = def(json!({
            "Enabled": true,
            "MatchingEventTypes": ["SEND", "renderingFailure", "deliverydelay", "SEND"],
            "SnsDestination": {"TopicArn": "arn:aws:sns:us-east-1:111122223333:t"}
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
            d.definition["MatchingEventTypes"],
            json!(["SEND", "RENDERING_FAILURE", "DELIVERY_DELAY"])
        );
        assert!(d.enabled);
    }

    #[test]
    fn enabled_defaults_to_false() {
        let d = def(json!({"MatchingEventTypes": ["SEND"], "EventBridgeDestination": {"EventBusArn": "arn:aws:events:us-east-1:1:event-bus/default"}})).unwrap();
        assert!(!d.enabled);
    }

    #[test]
    fn refuses_bad_definitions() {
        let sns = json!({"TopicArn": "arn:aws:sns:us-east-1:111122223333:t"});
        let cases = [
            json!({"MatchingEventTypes": ["SEND"]}),
            json!({"MatchingEventTypes": [], "SnsDestination": sns}),
            json!({"SnsDestination": sns}),
            json!({"MatchingEventTypes": ["SENT"], "SnsDestination": sns}),
            json!({"MatchingEventTypes": ["SEND"], "SnsDestination": sns, "PinpointDestination": {}}),
            json!({"MatchingEventTypes": ["SEND"], "SnsDestination": {}}),
            json!({"MatchingEventTypes": ["SEND"], "SnsDestination": {"TopicArn": "nope"}}),
            json!({"MatchingEventTypes": ["SEND"], "CloudWatchDestination": {"DimensionConfigurations": []}}),
            json!({"MatchingEventTypes": ["SEND"], "CloudWatchDestination": {"DimensionConfigurations": [
                {"DimensionName": "From", "DimensionValueSource": "EMAIL_HEADER", "DefaultDimensionValue": "x"}]}}),
            json!({"MatchingEventTypes": ["SEND"], "CloudWatchDestination": {"DimensionConfigurations": [
                {"DimensionName": "a b", "DimensionValueSource": "MESSAGE_TAG", "DefaultDimensionValue": "x"}]}}),
            json!({"MatchingEventTypes": "SEND", "SnsDestination": sns}),
            json!({"Enabled": "yes", "MatchingEventTypes": ["SEND"], "SnsDestination": sns}),
            json!("not an object"),
        ];
        for c in cases {
            let e = def(c.clone()).unwrap_err();
            assert_eq!(e.code, "BadRequestException", "{c}");
        }
    }

    #[test]
    fn cloudwatch_values_may_hold_at_and_dot() {
        def(json!({"MatchingEventTypes": ["OPEN"], "CloudWatchDestination": {"DimensionConfigurations": [
            {"DimensionName": "domain", "DimensionValueSource": "MESSAGE_TAG", "DefaultDimensionValue": "a@b.c"}]}}))
        .unwrap();
    }
}
