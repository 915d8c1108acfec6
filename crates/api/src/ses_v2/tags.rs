//! Resource tagging: TagResource, UntagResource, ListTagsForResource.
//!
//! Tags live with their resource (a configuration set's `Tags` option, an
//! identity's `tags` column, the `Tags` of a contact list's or template's
//! body), so the tags given at create are the ones listed, and deleting a
//! resource deletes its tags. An ARN of another account names nothing the
//! caller can see: NotFound, as SES answers.

use serde::Deserialize;
use serde_json::{Value, json};

use super::Call;
use super::resource_arn::{self, ResourceArn, ResourceKind};
use super::tag_set::{self, Tag};
use crate::body::{json, query_param, query_params};
use crate::error::ApiError;
use mailsight_engine::templates;
use mailsight_model::now_ms;
use mailsight_store::{ItemKind, PutMode, StoreError};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TagRequest {
    resource_arn: Option<String>,
    tags: Option<Vec<Tag>>,
}

fn missing(arn: &str) -> ApiError {
    ApiError::not_found(format!("Resource <{arn}> does not exist."))
}

/// The caller's resource `arn` names, or BadRequest / NotFound.
fn resource(c: &Call<'_>, arn: Option<String>) -> Result<(String, ResourceArn), ApiError> {
    let arn =
        arn.ok_or_else(|| ApiError::bad_request("Missing required parameter: ResourceArn."))?;
    let parsed = resource_arn::parse(&arn).map_err(ApiError::bad_request)?;
    if parsed.account != c.account() {
        return Err(missing(&arn));
    }
    Ok((arn, parsed))
}

fn not_found_as(arn: &str) -> impl Fn(StoreError) -> ApiError + '_ {
    move |e| match e {
        StoreError::NotFound(_) => missing(arn),
        other => other.into(),
    }
}

/// The resource's tags; NotFound when there is no such resource.
async fn load(c: &Call<'_>, arn: &str, r: &ResourceArn) -> Result<Vec<Tag>, ApiError> {
    let store = c.store();
    let tags = match r.kind {
        ResourceKind::ConfigurationSet => {
            let set = store.get_configuration_set(c.account(), &r.name).await?;
            set.map(|s| tag_set::stored(s.options.get("Tags")))
        }
        ResourceKind::Identity => {
            let name = r.name.to_ascii_lowercase();
            let identity = store.get_identity(c.account(), &name).await?;
            identity.map(|i| tag_set::stored(Some(&i.tags)))
        }
        ResourceKind::ContactList
        | ResourceKind::Template
        | ResourceKind::DedicatedIpPool
        | ResourceKind::Tenant => {
            let item = store
                .get_item(c.account(), item_kind(r.kind), &r.name)
                .await?;
            item.map(|i| tag_set::stored(i.body.get("Tags")))
        }
    };
    tags.ok_or_else(|| missing(arn))
}

fn item_kind(kind: ResourceKind) -> ItemKind {
    match kind {
        ResourceKind::Template => ItemKind::Template,
        ResourceKind::DedicatedIpPool => ItemKind::DedicatedIpPool,
        ResourceKind::Tenant => ItemKind::Tenant,
        _ => ItemKind::ContactList,
    }
}

/// Replaces the resource's tags, keeping everything else about it.
async fn save(c: &Call<'_>, arn: &str, r: &ResourceArn, tags: Vec<Tag>) -> Result<(), ApiError> {
    let store = c.store();
    let tags = json!(tags);
    match r.kind {
        ResourceKind::ConfigurationSet => {
            let set = store
                .get_configuration_set(c.account(), &r.name)
                .await?
                .ok_or_else(|| missing(arn))?;
            let mut options = match set.options {
                Value::Object(m) => m,
                _ => serde_json::Map::new(),
            };
            options.insert("Tags".into(), tags);
            store
                .update_configuration_set(c.account(), &r.name, Value::Object(options))
                .await
                .map_err(not_found_as(arn))
        }
        ResourceKind::Identity => store
            .set_identity_tags(c.account(), &r.name.to_ascii_lowercase(), tags)
            .await
            .map_err(not_found_as(arn)),
        ResourceKind::Template => {
            match templates::set_tags(store, c.account(), &r.name, tags, now_ms()).await {
                Err(templates::TemplateError::Missing(_)) => Err(missing(arn)),
                other => Ok(other?),
            }
        }
        ResourceKind::ContactList | ResourceKind::DedicatedIpPool | ResourceKind::Tenant => {
            let mut doc = store
                .get_item(c.account(), item_kind(r.kind), &r.name)
                .await?
                .ok_or_else(|| missing(arn))?
                .body;
            doc["Tags"] = tags;
            store
                .put_item(
                    c.account(),
                    item_kind(r.kind),
                    &r.name,
                    doc,
                    PutMode::Replace,
                    now_ms(),
                )
                .await
                .map_err(not_found_as(arn))
        }
    }
}

/// `POST /v2/email/tags`: adds tags, replacing the value of a key present.
pub async fn tag_resource(c: &Call<'_>) -> Result<Value, ApiError> {
    let req: TagRequest = json(c.body)?;
    let new = req
        .tags
        .ok_or_else(|| ApiError::bad_request("Missing required parameter: Tags."))?;
    tag_set::check(&new)?;
    let (arn, r) = resource(c, req.resource_arn)?;
    let tags = tag_set::merge(load(c, &arn, &r).await?, new)?;
    save(c, &arn, &r, tags).await?;
    Ok(json!({}))
}

/// `DELETE /v2/email/tags?ResourceArn=…&TagKeys=…`.
pub async fn untag_resource(c: &Call<'_>) -> Result<Value, ApiError> {
    let keys = query_params(c.query, "TagKeys");
    if keys.is_empty() {
        return Err(ApiError::bad_request(
            "Missing required parameter: TagKeys.",
        ));
    }
    let (arn, r) = resource(c, query_param(c.query, "ResourceArn"))?;
    let tags = tag_set::remove(load(c, &arn, &r).await?, &keys);
    save(c, &arn, &r, tags).await?;
    Ok(json!({}))
}

/// `GET /v2/email/tags?ResourceArn=…`.
pub async fn list_tags(c: &Call<'_>) -> Result<Value, ApiError> {
    let (arn, r) = resource(c, query_param(c.query, "ResourceArn"))?;
    Ok(json!({ "Tags": load(c, &arn, &r).await? }))
}
