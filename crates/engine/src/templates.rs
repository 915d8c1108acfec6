//! The stored email templates, managed through SES v2
//! (`CreateEmailTemplate` …) and SES v1 (`CreateTemplate` …) alike: one
//! store, so a template made through either API is seen through both and
//! sends the same.
//!
//! A template is an item (`ItemKind::Template`, keyed by its name) whose
//! body is SES v2's JSON `{TemplateName, TemplateContent, Tags}`; the
//! sending path reads the same body ([`crate::send`]). Each API turns
//! [`TemplateError`] into its own codes.

use mailsight_store::{ItemKind, Page, PutMode, Store, StoreError};
use serde_json::{Value, json};

use crate::outgoing::TemplateContent;
use crate::template::check_syntax;

/// Why a template call was refused.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// The name or content breaks SES's rules.
    #[error("{0}")]
    Invalid(String),
    #[error("Template {0} already exists.")]
    Exists(String),
    #[error("Template {0} does not exist.")]
    Missing(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One stored template.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredTemplate {
    pub name: String,
    pub content: TemplateContent,
    /// `Tags`, as SES v2's JSON (`[{"Key":..,"Value":..}]`).
    pub tags: Value,
    pub created_at: i64,
}

/// Template names: 1–64 ASCII letters, digits, `_` and `-`.
pub fn check_name(name: &str) -> Result<(), TemplateError> {
    if mailsight_model::is_resource_name(name) {
        Ok(())
    } else {
        Err(TemplateError::Invalid(format!(
            "Invalid template name <{name}>: use 1 to 64 ASCII letters, digits, '_' or '-'."
        )))
    }
}

/// A template needs at least one part, and every part must parse.
pub fn check_content(content: &TemplateContent) -> Result<(), TemplateError> {
    if content.subject.is_none() && content.text.is_none() && content.html.is_none() {
        return Err(TemplateError::Invalid(
            "The template must have a subject, a text or an HTML part.".into(),
        ));
    }
    check_syntax(content)
        .map_err(|e| TemplateError::Invalid(format!("The template is not valid: {e}")))
}

/// Stores a new template, refusing a name in use.
pub async fn create(
    store: &dyn Store,
    account: &str,
    name: &str,
    content: &TemplateContent,
    tags: Value,
    now: i64,
) -> Result<(), TemplateError> {
    check_name(name)?;
    check_content(content)?;
    let doc = json!({ "TemplateName": name, "TemplateContent": content, "Tags": tags });
    match store
        .put_item(account, ItemKind::Template, name, doc, PutMode::Create, now)
        .await
    {
        Err(StoreError::AlreadyExists(_)) => Err(TemplateError::Exists(name.to_owned())),
        other => Ok(other?),
    }
}

fn stored(name: &str, body: &Value, created_at: i64) -> StoredTemplate {
    StoredTemplate {
        name: name.to_owned(),
        content: serde_json::from_value(body["TemplateContent"].clone()).unwrap_or_default(),
        tags: body.get("Tags").cloned().unwrap_or(json!([])),
        created_at,
    }
}

pub async fn get(
    store: &dyn Store,
    account: &str,
    name: &str,
) -> Result<StoredTemplate, TemplateError> {
    let item = store
        .get_item(account, ItemKind::Template, name)
        .await?
        .ok_or_else(|| TemplateError::Missing(name.to_owned()))?;
    Ok(stored(name, &item.body, item.created_at))
}

/// Replaces a template's content; its tags stay.
pub async fn update(
    store: &dyn Store,
    account: &str,
    name: &str,
    content: &TemplateContent,
    now: i64,
) -> Result<(), TemplateError> {
    check_content(content)?;
    let content = json!(content);
    change(store, account, name, now, |doc| {
        doc["TemplateName"] = json!(name);
        doc["TemplateContent"] = content;
    })
    .await
}

/// Replaces a template's tags (SES v2 `TagResource`); its content stays.
pub async fn set_tags(
    store: &dyn Store,
    account: &str,
    name: &str,
    tags: Value,
    now: i64,
) -> Result<(), TemplateError> {
    change(store, account, name, now, |doc| doc["Tags"] = tags).await
}

/// Reads a stored template, changes its document, and stores it back.
async fn change(
    store: &dyn Store,
    account: &str,
    name: &str,
    now: i64,
    edit: impl FnOnce(&mut Value),
) -> Result<(), TemplateError> {
    let mut doc = store
        .get_item(account, ItemKind::Template, name)
        .await?
        .ok_or_else(|| TemplateError::Missing(name.to_owned()))?
        .body;
    edit(&mut doc);
    match store
        .put_item(
            account,
            ItemKind::Template,
            name,
            doc,
            PutMode::Replace,
            now,
        )
        .await
    {
        Err(StoreError::NotFound(_)) => Err(TemplateError::Missing(name.to_owned())),
        other => Ok(other?),
    }
}

/// Deletes a template; `false` when there was none.
pub async fn delete(store: &dyn Store, account: &str, name: &str) -> Result<bool, StoreError> {
    let existed = store.delete_item(account, ItemKind::Template, name).await?;
    if existed {
        crate::tenants::forget(store, account, &crate::tenants::resource("template", name)).await?;
    }
    Ok(existed)
}

/// One page of the account's templates in name order, after `after`.
pub async fn list(
    store: &dyn Store,
    account: &str,
    after: Option<&str>,
    limit: usize,
) -> Result<Page<StoredTemplate>, StoreError> {
    let found = store
        .list_items(account, ItemKind::Template, "", after, limit)
        .await?;
    Ok(Page {
        items: found
            .items
            .iter()
            .map(|i| stored(&i.key, &i.body, i.created_at))
            .collect(),
        next_after: found.next_after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_content_are_checked() {
        assert!(check_name("welcome_1-A").is_ok());
        for bad in ["", "has space", &"a".repeat(65)] {
            assert!(matches!(check_name(bad), Err(TemplateError::Invalid(_))));
        }
        assert!(check_content(&TemplateContent::default()).is_err());
        let broken = TemplateContent {
            subject: Some("{{#if}}".into()),
            ..Default::default()
        };
        assert!(check_content(&broken).is_err());
        let ok = TemplateContent {
            html: Some("<p>{{name}}</p>".into()),
            ..Default::default()
        };
        assert!(check_content(&ok).is_ok());
    }
}
