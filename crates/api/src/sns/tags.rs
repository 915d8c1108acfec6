//! Tags on the topics mailsight hosts: `TagResource`, `UntagResource`,
//! `ListTagsForResource`, and `CreateTopic`'s `Tags`. Kept as one item per
//! topic (`ItemKind::SnsTopicTags`, a JSON object key → value), removed with
//! the topic. SNS's limits: 50 tags a topic, keys 1–128 characters, values
//! 0–256; a key given twice in one call keeps its last value.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use mailsight_model::now_ms;
use mailsight_store::{ItemKind, PutMode, Store};
use serde_json::Value;

use super::SnsCall;
use super::actions::{Answer, topic, topic_arn_param};
use super::errors::store_error;
use crate::error::ApiError;
use crate::query::params::invalid;
use crate::query::{Params, Xml};

/// SNS's most tags on one topic.
const MAX_TAGS: usize = 50;

fn not_found(arn: &str) -> ApiError {
    ApiError::new(
        "ResourceNotFound",
        StatusCode::NOT_FOUND,
        format!("Resource does not exist: {arn}"),
    )
}

fn limit_exceeded() -> ApiError {
    ApiError::new(
        "TagLimitExceeded",
        StatusCode::BAD_REQUEST,
        format!("Could not complete request: tag quota of per resource exceeded ({MAX_TAGS})"),
    )
}

/// `Tags.member.N.Key` / `.Value`, checked.
pub(crate) fn tags_param(p: &Params) -> Result<BTreeMap<String, String>, ApiError> {
    let mut out = BTreeMap::new();
    for item in p.items("Tags") {
        let key = p.get(&format!("{item}.Key")).unwrap_or_default();
        let value = p.get(&format!("{item}.Value")).unwrap_or_default();
        if key.is_empty() || key.chars().count() > 128 {
            return Err(invalid(
                "Invalid parameter: Tags Reason: a tag key is 1 to 128 characters",
            ));
        }
        if value.chars().count() > 256 {
            return Err(invalid(
                "Invalid parameter: Tags Reason: a tag value is at most 256 characters",
            ));
        }
        out.insert(key.to_owned(), value.to_owned());
    }
    Ok(out)
}

async fn stored(
    store: &dyn Store,
    account: &str,
    arn: &str,
) -> Result<BTreeMap<String, String>, ApiError> {
    let item = store
        .get_item(account, ItemKind::SnsTopicTags, arn)
        .await
        .map_err(store_error)?;
    Ok(item
        .and_then(|i| serde_json::from_value(i.body).ok())
        .unwrap_or_default())
}

async fn save(
    store: &dyn Store,
    account: &str,
    arn: &str,
    tags: &BTreeMap<String, String>,
) -> Result<(), ApiError> {
    if tags.len() > MAX_TAGS {
        return Err(limit_exceeded());
    }
    if tags.is_empty() {
        store
            .delete_item(account, ItemKind::SnsTopicTags, arn)
            .await
            .map_err(store_error)?;
        return Ok(());
    }
    let body = serde_json::to_value(tags).unwrap_or(Value::Null);
    store
        .put_item(
            account,
            ItemKind::SnsTopicTags,
            arn,
            body,
            PutMode::Upsert,
            now_ms(),
        )
        .await
        .map_err(store_error)
}

/// Adds `tags` to the topic's (a key already there takes the new value).
pub(crate) async fn add(
    store: &dyn Store,
    account: &str,
    arn: &str,
    tags: BTreeMap<String, String>,
) -> Result<(), ApiError> {
    let mut all = stored(store, account, arn).await?;
    all.extend(tags);
    save(store, account, arn, &all).await
}

/// Forgets the topic's tags (when it is deleted).
pub(crate) async fn forget(store: &dyn Store, account: &str, arn: &str) -> Result<(), ApiError> {
    store
        .delete_item(account, ItemKind::SnsTopicTags, arn)
        .await
        .map_err(store_error)?;
    Ok(())
}

/// The topic `ResourceArn` names, or SNS's `ResourceNotFound`.
async fn resource(c: &SnsCall<'_>) -> Result<String, ApiError> {
    let arn = topic_arn_param(c.params, "ResourceArn")?;
    match topic(c.store().as_ref(), c.account()?, arn).await {
        Ok(_) => Ok(arn.to_owned()),
        Err(e) if e.code == "NotFound" => Err(not_found(arn)),
        Err(e) => Err(e),
    }
}

pub async fn tag_resource(c: &SnsCall<'_>) -> Answer {
    let arn = resource(c).await?;
    let tags = tags_param(c.params)?;
    if tags.is_empty() {
        return Err(invalid("Invalid parameter: Tags Reason: at least one tag"));
    }
    add(c.store().as_ref(), c.account()?, &arn, tags).await?;
    Ok(Some(String::new()))
}

pub async fn untag_resource(c: &SnsCall<'_>) -> Answer {
    let arn = resource(c).await?;
    let keys = c.params.list("TagKeys");
    if keys.is_empty() {
        return Err(invalid(
            "Invalid parameter: TagKeys Reason: at least one key",
        ));
    }
    let (store, account) = (c.store().as_ref(), c.account()?);
    let mut all = stored(store, account, &arn).await?;
    for k in keys {
        all.remove(k);
    }
    save(store, account, &arn, &all).await?;
    Ok(Some(String::new()))
}

pub async fn list_tags_for_resource(c: &SnsCall<'_>) -> Answer {
    let arn = resource(c).await?;
    let all = stored(c.store().as_ref(), c.account()?, &arn).await?;
    let mut x = Xml::new();
    x.list("Tags", &all.into_iter().collect::<Vec<_>>(), |x, (k, v)| {
        x.text("Key", k);
        x.text("Value", v);
    });
    Ok(Some(x.finish()))
}
