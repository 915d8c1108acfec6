//! Custom verification email templates and `SendCustomVerificationEmail`,
//! for SES v2 and SES v1 alike (one store: a template made through either
//! API is seen through both).
//!
//! A template is an item (`ItemKind::VerificationTemplate`, keyed by its
//! name) whose body is SES v2's JSON shape. Sending one does what mailsight
//! can do of SES's: it checks what SES checks (the template, its sender's
//! identity, the configuration set, the account's sending switch), creates
//! the recipient's email identity as SES does once the link is followed
//! (mailsight verifies identities at once), and answers a message id. No
//! message is stored and no event published: SES publishes none for
//! verification emails either.

use mailsight_store::{ItemKind, Page, PutMode, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::SendError;
use crate::send::Engine;

/// SES's most custom verification email templates per account.
pub const MAX_TEMPLATES: usize = 50;
/// SES's largest template content: 10 MB.
pub const MAX_CONTENT_BYTES: usize = 10 * 1024 * 1024;

/// One template, as SES v2 writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerificationTemplate {
    pub template_name: String,
    pub from_email_address: String,
    pub template_subject: String,
    pub template_content: String,
    #[serde(rename = "SuccessRedirectionURL")]
    pub success_redirection_url: String,
    #[serde(rename = "FailureRedirectionURL")]
    pub failure_redirection_url: String,
    /// SES v2's `Tags` (`[{"Key", "Value"}]`).
    #[serde(default)]
    pub tags: Value,
}

/// Why a call was refused; each API has its own codes for these.
#[derive(Debug, thiserror::Error)]
pub enum VerificationError {
    #[error("{0}")]
    Invalid(String),
    /// The content SES refuses (v1's `CustomVerificationEmailInvalidContent`).
    #[error("{0}")]
    InvalidContent(String),
    #[error("Custom verification email template {0} already exists.")]
    Exists(String),
    #[error("Custom verification email template {0} does not exist.")]
    Missing(String),
    #[error("The sender address {0} is not verified.")]
    FromNotVerified(String),
    #[error("The account has {MAX_TEMPLATES} custom verification email templates, SES's most.")]
    Limit,
    #[error(transparent)]
    Send(#[from] SendError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn check(t: &VerificationTemplate) -> Result<(), VerificationError> {
    if !mailsight_model::is_resource_name(&t.template_name) {
        return Err(VerificationError::Invalid(format!(
            "Invalid template name <{}>: use 1 to 64 ASCII letters, digits, '_' or '-'.",
            t.template_name
        )));
    }
    for (member, value) in [
        ("FromEmailAddress", &t.from_email_address),
        ("TemplateSubject", &t.template_subject),
        ("SuccessRedirectionURL", &t.success_redirection_url),
        ("FailureRedirectionURL", &t.failure_redirection_url),
    ] {
        if value.trim().is_empty() {
            return Err(VerificationError::Invalid(format!(
                "{member} must not be empty."
            )));
        }
    }
    for (member, url) in [
        ("SuccessRedirectionURL", &t.success_redirection_url),
        ("FailureRedirectionURL", &t.failure_redirection_url),
    ] {
        let ok = url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
        if !ok {
            return Err(VerificationError::Invalid(format!(
                "{member} must be an http or https URL."
            )));
        }
    }
    if t.template_content.trim().is_empty() || t.template_content.len() > MAX_CONTENT_BYTES {
        return Err(VerificationError::InvalidContent(
            "TemplateContent must be 1 byte to 10 MB of HTML.".into(),
        ));
    }
    if t.template_content.to_ascii_lowercase().contains("<script") {
        return Err(VerificationError::InvalidContent(
            "TemplateContent may not contain scripts.".into(),
        ));
    }
    Ok(())
}

fn missing(name: &str) -> VerificationError {
    VerificationError::Missing(name.to_owned())
}

/// Stores a new template: its sender must be a verified identity, its
/// name free, and the account under SES's number of templates.
pub async fn create(
    engine: &Engine,
    account: &str,
    t: &VerificationTemplate,
    now: i64,
) -> Result<(), VerificationError> {
    check(t)?;
    sender_verified(engine, account, &t.from_email_address).await?;
    let store = engine.store().as_ref();
    let existing = store
        .list_items(
            account,
            ItemKind::VerificationTemplate,
            "",
            None,
            MAX_TEMPLATES + 1,
        )
        .await?;
    if existing.items.len() >= MAX_TEMPLATES {
        return Err(VerificationError::Limit);
    }
    let body = serde_json::to_value(t).unwrap_or(Value::Null);
    match store
        .put_item(
            account,
            ItemKind::VerificationTemplate,
            &t.template_name,
            body,
            PutMode::Create,
            now,
        )
        .await
    {
        Err(StoreError::AlreadyExists(_)) => {
            Err(VerificationError::Exists(t.template_name.clone()))
        }
        other => Ok(other?),
    }
}

async fn sender_verified(
    engine: &Engine,
    account: &str,
    from: &str,
) -> Result<(), VerificationError> {
    engine
        .check_identity(account, from)
        .await
        .map(|_| ())
        .map_err(|e| match e {
            SendError::MessageRejected(_) => VerificationError::FromNotVerified(from.to_owned()),
            other => other.into(),
        })
}

pub async fn get(
    engine: &Engine,
    account: &str,
    name: &str,
) -> Result<VerificationTemplate, VerificationError> {
    let item = engine
        .store()
        .get_item(account, ItemKind::VerificationTemplate, name)
        .await?
        .ok_or_else(|| missing(name))?;
    serde_json::from_value(item.body)
        .map_err(|e| VerificationError::Store(StoreError::Backend(e.to_string())))
}

/// Templates in name order, after `after`.
pub async fn list(
    engine: &Engine,
    account: &str,
    after: Option<&str>,
    limit: usize,
) -> Result<Page<VerificationTemplate>, VerificationError> {
    let page = engine
        .store()
        .list_items(account, ItemKind::VerificationTemplate, "", after, limit)
        .await?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .filter_map(|i| serde_json::from_value(i.body).ok())
            .collect(),
        next_after: page.next_after,
    })
}

/// Replaces the template's members with those `change` sets (SES v1 may
/// send only some; SES v2 sends all), keeping its tags.
pub async fn update(
    engine: &Engine,
    account: &str,
    name: &str,
    change: impl FnOnce(&mut VerificationTemplate),
    now: i64,
) -> Result<(), VerificationError> {
    let mut t = get(engine, account, name).await?;
    let before = t.from_email_address.clone();
    change(&mut t);
    t.template_name = name.to_owned();
    check(&t)?;
    if t.from_email_address != before {
        sender_verified(engine, account, &t.from_email_address).await?;
    }
    let body = serde_json::to_value(&t).unwrap_or(Value::Null);
    match engine
        .store()
        .put_item(
            account,
            ItemKind::VerificationTemplate,
            name,
            body,
            PutMode::Replace,
            now,
        )
        .await
    {
        Err(StoreError::NotFound(_)) => Err(missing(name)),
        other => Ok(other?),
    }
}

/// Deletes the template; `false` when there was none.
pub async fn delete(engine: &Engine, account: &str, name: &str) -> Result<bool, VerificationError> {
    Ok(engine
        .store()
        .delete_item(account, ItemKind::VerificationTemplate, name)
        .await?)
}

/// `SendCustomVerificationEmail`: see the module's doc.
pub async fn send(
    engine: &Engine,
    account: &str,
    email_address: &str,
    template_name: &str,
    configuration_set: Option<&str>,
    now: i64,
) -> Result<String, VerificationError> {
    let address = crate::address::bare_address(email_address).to_owned();
    if !address.contains('@') || address.starts_with('@') || address.ends_with('@') {
        return Err(VerificationError::Invalid(format!(
            "Invalid email address <{email_address}>."
        )));
    }
    let store = engine.store().as_ref();
    if !crate::account::sending_enabled(store, account).await? {
        return Err(SendError::AccountSendingPaused.into());
    }
    let t = get(engine, account, template_name).await?;
    sender_verified(engine, account, &t.from_email_address).await?;
    if let Some(set) = configuration_set
        && store.get_configuration_set(account, set).await?.is_none()
    {
        return Err(SendError::ConfigurationSetNotFound(set.to_owned()).into());
    }
    match crate::identities::verify(store, account, &address, now).await? {
        Ok(_) => Ok(crate::send::new_message_id(now)),
        Err(m) => Err(VerificationError::Invalid(m)),
    }
}
