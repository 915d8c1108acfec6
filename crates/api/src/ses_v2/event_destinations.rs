//! The event destinations of a configuration set: create, get (all of a
//! set), update and delete. Many per set, names unique per set, exactly one
//! destination kind each, `MatchingEventTypes` checked.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::Call;
use super::validate::resource_name;
use crate::body::json;
use crate::error::ApiError;
use mailsight_engine::outbox::event_destination;
use mailsight_store::EventDestination;

/// SES allows this many event destinations per configuration set.
pub const MAX_PER_SET: usize = 10;

/// Checks an `EventDestinationDefinition` and returns the destination to
/// store. The rules live with the destination kinds in the engine
/// (`mailsight_engine::outbox::destination`), which parses stored
/// definitions with the same code when it delivers.
fn definition(name: String, def: &Value) -> Result<EventDestination, ApiError> {
    event_destination(name, def).map_err(|e| ApiError::bad_request(e.to_string()))
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
    use mailsight_model::EventType;

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
