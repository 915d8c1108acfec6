//! Email templates: CreateEmailTemplate, GetEmailTemplate,
//! ListEmailTemplates, UpdateEmailTemplate, DeleteEmailTemplate and
//! TestRenderEmailTemplate.
//!
//! Templates are kept by the engine ([`mailsight_engine::templates`]), in
//! the same store SES v1's `CreateTemplate` … use.

use serde::Deserialize;
use serde_json::{Value, json};

use super::Call;
use super::paging::PageRequest;
use super::tag_set::{self, Tag};
use crate::body::{epoch_seconds, json, list_answer};
use crate::error::ApiError;
use mailsight_engine::{SendError, TemplateContent, templates};
use mailsight_model::now_ms;

/// `TemplateData` may hold at most this many characters.
pub const MAX_TEMPLATE_DATA: usize = 262_144;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateRequest {
    template_name: Option<String>,
    template_content: Option<TemplateContent>,
    tags: Option<Vec<Tag>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateRequest {
    template_content: Option<TemplateContent>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RenderRequest {
    template_data: Option<String>,
}

pub(crate) fn template_missing(name: &str) -> ApiError {
    ApiError::not_found(SendError::TemplateNotFound(name.to_owned()).to_string())
}

/// Checks `TemplateData`-like members as the engine reads them: at most
/// [`MAX_TEMPLATE_DATA`] characters of JSON holding an object.
pub fn check_template_data(member: &str, data: &str) -> Result<(), String> {
    mailsight_engine::template::parse_data(member, data).map(|_| ())
}

fn content(content: Option<TemplateContent>) -> Result<TemplateContent, ApiError> {
    content.ok_or_else(|| ApiError::bad_request("Missing required parameter: TemplateContent."))
}

pub async fn create(c: &Call<'_>) -> Result<Value, ApiError> {
    let req: CreateRequest = json(c.body)?;
    let name = req
        .template_name
        .ok_or_else(|| ApiError::bad_request("Missing required parameter: TemplateName."))?;
    let content = content(req.template_content)?;
    let tags = req.tags.unwrap_or_default();
    tag_set::check(&tags)?;
    let tags = json!(tags);
    templates::create(c.store(), c.account(), &name, &content, tags, now_ms()).await?;
    Ok(json!({}))
}

pub async fn get(c: &Call<'_>) -> Result<Value, ApiError> {
    let t = templates::get(c.store(), c.account(), c.label("TemplateName")?).await?;
    Ok(json!({
        "TemplateName": t.name,
        "TemplateContent": t.content,
        "Tags": t.tags,
    }))
}

pub async fn list(c: &Call<'_>) -> Result<Value, ApiError> {
    let page = PageRequest::from_query(c.query, 100, 100)?;
    let found = templates::list(c.store(), c.account(), page.after.as_deref(), page.limit).await?;
    let items = found
        .items
        .iter()
        .map(|t| {
            json!({
                "TemplateName": t.name,
                "CreatedTimestamp": epoch_seconds(t.created_at),
            })
        })
        .collect();
    Ok(list_answer("TemplatesMetadata", items, found.next_after))
}

pub async fn update(c: &Call<'_>) -> Result<Value, ApiError> {
    let name = c.label("TemplateName")?;
    let req: UpdateRequest = json(c.body)?;
    let content = content(req.template_content)?;
    templates::update(c.store(), c.account(), name, &content, now_ms()).await?;
    Ok(json!({}))
}

pub async fn delete(c: &Call<'_>) -> Result<Value, ApiError> {
    let name = c.label("TemplateName")?;
    if templates::delete(c.store(), c.account(), name).await? {
        Ok(json!({}))
    } else {
        Err(template_missing(name))
    }
}

pub async fn test_render(c: &Call<'_>) -> Result<Value, ApiError> {
    let (state, caller, name, body) = (c.state, c.caller, c.label("TemplateName")?, c.body);
    let req: RenderRequest = json(body)?;
    let data = req
        .template_data
        .ok_or_else(|| ApiError::bad_request("Missing required parameter: TemplateData."))?;
    check_template_data("TemplateData", &data).map_err(ApiError::bad_request)?;
    templates::get(c.store(), c.account(), name).await?;
    let rendered = state
        .engine
        .test_render(&caller.account_id, name, &data)
        .await?;
    Ok(json!({ "RenderedTemplate": rendered }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_data_must_be_a_json_object() {
        assert!(check_template_data("TemplateData", "{}").is_ok());
        assert!(check_template_data("TemplateData", r#"{"a":{"b":[1]}}"#).is_ok());
        assert!(check_template_data("TemplateData", "[]").is_err());
        assert!(check_template_data("TemplateData", "{").is_err());
        assert!(check_template_data("TemplateData", "\"x\"").is_err());
        let big = format!(r#"{{"a":"{}"}}"#, "x".repeat(MAX_TEMPLATE_DATA));
        assert!(check_template_data("TemplateData", &big).is_err());
    }
}
