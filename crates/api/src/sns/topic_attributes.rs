//! `SetTopicAttributes`: one attribute of a topic mailsight hosts, stored
//! with the others `CreateTopic` took (and shown by `GetTopicAttributes`).
//! `SignatureVersion` changes how the topic's messages are signed from the
//! next one on; the others are kept and given back.

use serde_json::Value;

use super::SnsCall;
use super::actions::{Answer, TOPIC_ATTRIBUTES, check_signature_version, topic, topic_arn_param};
use super::errors::store_error;
use crate::query::params::invalid;

pub async fn set_topic_attributes(c: &SnsCall<'_>) -> Answer {
    let (store, account, p) = (c.store().as_ref(), c.account()?, c.params);
    let arn = topic_arn_param(p, "TopicArn")?;
    let name = p.required("AttributeName")?;
    if !TOPIC_ATTRIBUTES.contains(&name) {
        return Err(invalid(format!(
            "Invalid parameter: AttributeName Reason: mailsight keeps {} only, not {name}",
            TOPIC_ATTRIBUTES.join(", ")
        )));
    }
    let value = p.get("AttributeValue").unwrap_or_default();
    if name == "SignatureVersion" {
        check_signature_version(value)?;
    }
    let t = topic(store, account, arn).await?;
    let mut attributes = t.attributes.as_object().cloned().unwrap_or_default();
    attributes.insert(name.to_owned(), Value::String(value.to_owned()));
    store
        .set_sns_topic_attributes(account, arn, Value::Object(attributes))
        .await
        .map_err(store_error)?;
    Ok(None)
}
