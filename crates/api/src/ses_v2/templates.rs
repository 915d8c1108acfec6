//! Email templates: CreateEmailTemplate, GetEmailTemplate,
//! ListEmailTemplates, UpdateEmailTemplate, DeleteEmailTemplate and
//! TestRenderEmailTemplate.
//!
//! A template is an item (`ItemKind::Template`, keyed by its name) whose
//! body is the API JSON `{TemplateName, TemplateContent, Tags}`; the engine
//! reads the same body when it sends with the template.

use serde::Deserialize;
use serde_json::{Value, json};

use super::Call;
use super::paging::{PageRequest, create_item, item_page, replace_item};
use super::validate::resource_name;
use crate::body::{epoch_seconds, json};
use crate::error::ApiError;
use mailsight_engine::{SendError, TemplateContent};
use mailsight_store::ItemKind;

/// `TemplateData` may hold at most this many characters.
pub const MAX_TEMPLATE_DATA: usize = 262_144;

#[derive(Deserialize, serde::Serialize, Clone)]
#[serde(rename_all = "PascalCase")]
struct Tag {
    key: String,
    value: String,
}

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

/// Checks `TemplateData` (or `ReplacementTemplateData`): at most
/// [`MAX_TEMPLATE_DATA`] characters of JSON holding an object.
/// Checks `TemplateData`-like members as the engine reads them.
pub fn check_template_data(member: &str, data: &str) -> Result<(), String> {
    mailsight_engine::template::parse_data(member, data).map(|_| ())
}

fn check_content(content: Option<TemplateContent>) -> Result<TemplateContent, ApiError> {
    let content = content
        .ok_or_else(|| ApiError::bad_request("Missing required parameter: TemplateContent."))?;
    if content.subject.is_none() && content.text.is_none() && content.html.is_none() {
        return Err(ApiError::bad_request(
            "TemplateContent must have a Subject, a Text or an Html part.",
        ));
    }
    mailsight_engine::template::check_syntax(&content)
        .map_err(|e| ApiError::bad_request(format!("The template is not valid: {e}")))?;
    Ok(content)
}

pub async fn create(c: &Call<'_>) -> Result<Value, ApiError> {
    let body = c.body;
    let req: CreateRequest = json(body)?;
    let name = req
        .template_name
        .ok_or_else(|| ApiError::bad_request("Missing required parameter: TemplateName."))?;
    resource_name("template", &name)?;
    let content = check_content(req.template_content)?;
    let doc = json!({
        "TemplateName": name,
        "TemplateContent": content,
        "Tags": req.tags.unwrap_or_default(),
    });
    create_item(c, ItemKind::Template, &name, doc, || {
        ApiError::already_exists(format!("Template {name} already exists."))
    })
    .await
}

pub async fn get(c: &Call<'_>) -> Result<Value, ApiError> {
    let (state, caller, name) = (c.state, c.caller, c.label("TemplateName")?);
    let item = state
        .store()
        .get_item(&caller.account_id, ItemKind::Template, name)
        .await?
        .ok_or_else(|| template_missing(name))?;
    Ok(json!({
        "TemplateName": name,
        "TemplateContent": item.body.get("TemplateContent").cloned().unwrap_or(json!({})),
        "Tags": item.body.get("Tags").cloned().unwrap_or(json!([])),
    }))
}

pub async fn list(c: &Call<'_>) -> Result<Value, ApiError> {
    let page = PageRequest::from_query(c.query, 100, 100)?;
    item_page(c, ItemKind::Template, "", page, "TemplatesMetadata", |i| {
        json!({
            "TemplateName": i.key,
            "CreatedTimestamp": epoch_seconds(i.created_at),
        })
    })
    .await
}

pub async fn update(c: &Call<'_>) -> Result<Value, ApiError> {
    let (state, caller, name, body) = (c.state, c.caller, c.label("TemplateName")?, c.body);
    let req: UpdateRequest = json(body)?;
    let content = check_content(req.template_content)?;
    let item = state
        .store()
        .get_item(&caller.account_id, ItemKind::Template, name)
        .await?
        .ok_or_else(|| template_missing(name))?;
    let mut doc = item.body;
    doc["TemplateName"] = json!(name);
    doc["TemplateContent"] = json!(content);
    replace_item(c, ItemKind::Template, name, doc, || template_missing(name)).await
}

pub async fn delete(c: &Call<'_>) -> Result<Value, ApiError> {
    let (state, caller, name) = (c.state, c.caller, c.label("TemplateName")?);
    let existed = state
        .store()
        .delete_item(&caller.account_id, ItemKind::Template, name)
        .await?;
    if existed {
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
    state
        .store()
        .get_item(&caller.account_id, ItemKind::Template, name)
        .await?
        .ok_or_else(|| template_missing(name))?;
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
