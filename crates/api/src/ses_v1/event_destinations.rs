//! SES v1's event destinations (`Create/Update/Delete
//! ConfigurationSetEventDestination`, and the list in
//! `DescribeConfigurationSet`), kept as SES v2's definitions: v1's
//! `EventDestination.*` parameters are turned into v2's JSON and checked
//! by the engine ([`event_destination`]), the same code that checks v2's
//! and delivers events, so a destination made through v1 delivers
//! exactly as one made through v2.
//!
//! The spellings differ: v1 writes `SNSDestination.TopicARN`,
//! `KinesisFirehoseDestination.IAMRoleARN` / `DeliveryStreamARN`,
//! `DimensionValueSource` as `messageTag` and event types as `send`,
//! `renderingFailure`; v2 `SnsDestination.TopicArn`, `MESSAGE_TAG`, `SEND`.

use axum::http::StatusCode;
use mailsight_engine::outbox::event_destination;
use mailsight_store::{EventDestination, StoreError};
use serde_json::{Map, Value, json};

use super::configuration_sets::load;
use super::errors::store_error;
use super::{Answer, SesCall};
use crate::error::ApiError;
use crate::query::{Params, Xml};
use crate::ses_v2::event_destinations::MAX_PER_SET;
use crate::ses_v2::validate::resource_name;

fn code(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::new(code, StatusCode::BAD_REQUEST, message)
}

/// `messageTag` → `MESSAGE_TAG`.
fn screaming(camel: &str) -> String {
    let mut out = String::new();
    for ch in camel.chars() {
        if ch.is_ascii_uppercase() && !out.is_empty() {
            out.push('_');
        }
        out.push(ch.to_ascii_uppercase());
    }
    out
}

/// `MESSAGE_TAG` → `messageTag`.
fn camel(screaming: &str) -> String {
    let mut out = String::new();
    for (i, word) in screaming.split('_').enumerate() {
        let lower = word.to_ascii_lowercase();
        if i == 0 {
            out.push_str(&lower);
        } else {
            let mut c = lower.chars();
            if let Some(first) = c.next() {
                out.push(first.to_ascii_uppercase());
                out.extend(c);
            }
        }
    }
    out
}

/// The v1 `EventDestination` parameters as SES v2's definition JSON, and
/// the code SES v1 refuses a bad one with (by its destination kind).
fn definition(p: &Params) -> Result<(Value, &'static str), ApiError> {
    let e = "EventDestination";
    let mut def = Map::new();
    def.insert("Enabled".into(), json!(p.flag(&format!("{e}.Enabled"))?));
    let types: Vec<&str> = p.list(&format!("{e}.MatchingEventTypes"));
    def.insert("MatchingEventTypes".into(), json!(types));
    let mut invalid = "InvalidParameterValue";
    let sns = format!("{e}.SNSDestination");
    if p.has(&sns) {
        invalid = "InvalidSNSDestination";
        def.insert(
            "SnsDestination".into(),
            json!({ "TopicArn": p.get(&format!("{sns}.TopicARN")).unwrap_or_default() }),
        );
    }
    let firehose = format!("{e}.KinesisFirehoseDestination");
    if p.has(&firehose) {
        invalid = "InvalidFirehoseDestination";
        def.insert(
            "KinesisFirehoseDestination".into(),
            json!({
                "IamRoleArn": p.get(&format!("{firehose}.IAMRoleARN")).unwrap_or_default(),
                "DeliveryStreamArn": p.get(&format!("{firehose}.DeliveryStreamARN")).unwrap_or_default(),
            }),
        );
    }
    let cloudwatch = format!("{e}.CloudWatchDestination");
    if p.has(&cloudwatch) {
        invalid = "InvalidCloudWatchDestination";
        let dims: Vec<Value> = p
            .items(&format!("{cloudwatch}.DimensionConfigurations"))
            .iter()
            .map(|d| {
                let f = |n: &str| p.get(&format!("{d}.{n}")).unwrap_or_default().to_owned();
                json!({
                    "DimensionName": f("DimensionName"),
                    "DimensionValueSource": screaming(&f("DimensionValueSource")),
                    "DefaultDimensionValue": f("DefaultDimensionValue"),
                })
            })
            .collect();
        def.insert(
            "CloudWatchDestination".into(),
            json!({ "DimensionConfigurations": dims }),
        );
    }
    Ok((Value::Object(def), invalid))
}

/// The destination a create or update names, checked by the engine.
fn destination(p: &Params) -> Result<EventDestination, ApiError> {
    let name = p.required("EventDestination.Name")?;
    resource_name("event destination", name)
        .map_err(|e| code("InvalidParameterValue", e.message))?;
    let (def, invalid) = definition(p)?;
    event_destination(name.to_owned(), &def).map_err(|e| code(invalid, e.to_string()))
}

pub async fn create_configuration_set_event_destination(c: &SesCall<'_>) -> Answer {
    let set = load(c).await?;
    let d = destination(c.params)?;
    let existing = c
        .store()
        .list_event_destinations(c.account(), &set.name)
        .await
        .map_err(store_error)?;
    let taken = || {
        code(
            "EventDestinationAlreadyExists",
            format!("Event destination <{}> already exists.", d.name),
        )
    };
    if existing.iter().any(|e| e.name == d.name) {
        return Err(taken());
    }
    if existing.len() >= MAX_PER_SET {
        return Err(code(
            "LimitExceeded",
            format!(
                "Configuration set <{}> already has {MAX_PER_SET} event destinations, the most allowed.",
                set.name
            ),
        ));
    }
    let name = d.name.clone();
    match c
        .store()
        .create_event_destination(c.account(), &set.name, d)
        .await
    {
        Err(StoreError::AlreadyExists(_)) => Err(code(
            "EventDestinationAlreadyExists",
            format!("Event destination <{name}> already exists."),
        )),
        other => other.map_err(store_error).map(|()| Some(String::new())),
    }
}

fn destination_missing(name: &str) -> ApiError {
    code(
        "EventDestinationDoesNotExist",
        format!("Event destination <{name}> does not exist."),
    )
}

pub async fn update_configuration_set_event_destination(c: &SesCall<'_>) -> Answer {
    let set = load(c).await?;
    let d = destination(c.params)?;
    let name = d.name.clone();
    match c
        .store()
        .update_event_destination(c.account(), &set.name, d)
        .await
    {
        Err(StoreError::NotFound(_)) => Err(destination_missing(&name)),
        other => other.map_err(store_error).map(|()| Some(String::new())),
    }
}

pub async fn delete_configuration_set_event_destination(c: &SesCall<'_>) -> Answer {
    let set = load(c).await?;
    let name = c.params.required("EventDestinationName")?;
    match c
        .store()
        .delete_event_destination(c.account(), &set.name, name)
        .await
    {
        Err(StoreError::NotFound(_)) => Err(destination_missing(name)),
        other => other.map_err(store_error).map(|()| Some(String::new())),
    }
}

/// One stored destination in v1's shape. Kinds v1 does not know
/// (EventBridge, Pinpoint) show only their name, switch and event types.
pub fn destination_xml(x: &mut Xml, d: &EventDestination) {
    let def = &d.definition;
    let s = |v: &Value, k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    x.text("Name", &d.name)
        .text("Enabled", &d.enabled.to_string());
    let types: Vec<String> = d
        .matching_event_types
        .iter()
        .map(|t| camel(t.api_name()))
        .collect();
    x.elem("MatchingEventTypes", |x| {
        for t in &types {
            x.text("member", t);
        }
    });
    if let Some(k) = def.get("KinesisFirehoseDestination") {
        x.elem("KinesisFirehoseDestination", |x| {
            x.text("IAMRoleARN", &s(k, "IamRoleArn"))
                .text("DeliveryStreamARN", &s(k, "DeliveryStreamArn"));
        });
    }
    if let Some(cw) = def.get("CloudWatchDestination") {
        let dims = cw
            .get("DimensionConfigurations")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        x.elem("CloudWatchDestination", |x| {
            x.list("DimensionConfigurations", &dims, |x, d| {
                x.text("DimensionName", &s(d, "DimensionName"))
                    .text(
                        "DimensionValueSource",
                        &camel(&s(d, "DimensionValueSource")),
                    )
                    .text("DefaultDimensionValue", &s(d, "DefaultDimensionValue"));
            });
        });
    }
    if let Some(sns) = def.get("SnsDestination") {
        x.elem("SNSDestination", |x| {
            x.text("TopicARN", &s(sns, "TopicArn"));
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::params::Wording;

    #[test]
    fn spellings_convert_both_ways() {
        assert_eq!(screaming("messageTag"), "MESSAGE_TAG");
        assert_eq!(screaming("linkTag"), "LINK_TAG");
        assert_eq!(camel("EMAIL_HEADER"), "emailHeader");
        assert_eq!(camel("RENDERING_FAILURE"), "renderingFailure");
        assert_eq!(camel("SEND"), "send");
    }

    #[test]
    fn v1_parameters_become_a_v2_definition_the_engine_accepts() {
        let p = Params::parse_worded(
            b"EventDestination.Name=cw&EventDestination.Enabled=true\
              &EventDestination.MatchingEventTypes.member.1=send\
              &EventDestination.MatchingEventTypes.member.2=renderingFailure\
              &EventDestination.CloudWatchDestination.DimensionConfigurations.member.1.DimensionName=campaign\
              &EventDestination.CloudWatchDestination.DimensionConfigurations.member.1.DimensionValueSource=messageTag\
              &EventDestination.CloudWatchDestination.DimensionConfigurations.member.1.DefaultDimensionValue=none",
            Wording::Ses,
        );
        let d = destination(&p).unwrap();
        assert!(d.enabled);
        assert_eq!(
            d.definition["CloudWatchDestination"]["DimensionConfigurations"][0]["DimensionValueSource"],
            "MESSAGE_TAG"
        );
        let mut x = Xml::new();
        destination_xml(&mut x, &d);
        let xml = x.finish();
        assert!(
            xml.contains("<MatchingEventTypes><member>send</member><member>renderingFailure</member></MatchingEventTypes>"),
            "{xml}"
        );
        assert!(
            xml.contains("<DimensionValueSource>messageTag</DimensionValueSource>"),
            "{xml}"
        );

        let bad = Params::parse_worded(
            b"EventDestination.Name=s&EventDestination.MatchingEventTypes.member.1=send\
              &EventDestination.SNSDestination.TopicARN=nope",
            Wording::Ses,
        );
        assert_eq!(destination(&bad).unwrap_err().code, "InvalidSNSDestination");
    }
}
