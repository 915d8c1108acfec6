//! Email templates: CreateEmailTemplate, GetEmailTemplate,
//! ListEmailTemplates, UpdateEmailTemplate, DeleteEmailTemplate and
//! TestRenderEmailTemplate.
//!
//! A template is an item (`ItemKind::Template`, keyed by its name) whose
//! body is the API JSON `{TemplateName, TemplateContent, Tags}`; the engine
//! reads the same body when it sends with the template.

use serde::Deserialize;
use serde_json::{Value, json};

use super::configuration_sets::now_ms;
use super::validate::resource_name;
use crate::auth::Caller;
use crate::body::{
    decode_token, epoch_seconds, json, list_answer, page_size, query_page_size, query_param,
};
use crate::error::ApiError;
use crate::state::AppState;
use mailsight_engine::{SendError, TemplateContent};
use mailsight_store::{ItemKind, PutMode, StoreError};

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

pub async fn create(state: &AppState, caller: &Caller, body: &[u8]) -> Result<Value, ApiError> {
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
    let put = state
        .store()
        .put_item(
            &caller.account_id,
            ItemKind::Template,
            &name,
            doc,
            PutMode::Create,
            now_ms(),
        )
        .await;
    match put {
        Err(StoreError::AlreadyExists(_)) => Err(ApiError::already_exists(format!(
            "Template {name} already exists."
        ))),
        other => other.map(|_| json!({})).map_err(Into::into),
    }
}

pub async fn get(state: &AppState, caller: &Caller, name: &str) -> Result<Value, ApiError> {
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

pub async fn list(
    state: &AppState,
    caller: &Caller,
    query: Option<&str>,
) -> Result<Value, ApiError> {
    let limit = page_size(query_page_size(query)?, 100, 100)?;
    let after = decode_token(query_param(query, "NextToken").as_deref())?;
    let page = state
        .store()
        .list_items(
            &caller.account_id,
            ItemKind::Template,
            "",
            after.as_deref(),
            limit,
        )
        .await?;
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|i| {
            json!({
                "TemplateName": i.key,
                "CreatedTimestamp": epoch_seconds(i.created_at),
            })
        })
        .collect();
    Ok(list_answer("TemplatesMetadata", items, page.next_after))
}

pub async fn update(
    state: &AppState,
    caller: &Caller,
    name: &str,
    body: &[u8],
) -> Result<Value, ApiError> {
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
    let put = state
        .store()
        .put_item(
            &caller.account_id,
            ItemKind::Template,
            name,
            doc,
            PutMode::Replace,
            now_ms(),
        )
        .await;
    match put {
        Err(StoreError::NotFound(_)) => Err(template_missing(name)),
        other => other.map(|_| json!({})).map_err(Into::into),
    }
}

pub async fn delete(state: &AppState, caller: &Caller, name: &str) -> Result<Value, ApiError> {
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

pub async fn test_render(
    state: &AppState,
    caller: &Caller,
    name: &str,
    body: &[u8],
) -> Result<Value, ApiError> {
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
