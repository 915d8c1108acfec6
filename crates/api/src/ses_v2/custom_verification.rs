//! Custom verification email templates (`Create/Get/Update/Delete/
//! ListCustomVerificationEmailTemplate(s)`) and
//! `SendCustomVerificationEmail`, on the engine's store
//! ([`mailsight_engine::verification_templates`]), which SES v1's actions
//! of the same names use too.

use serde::Deserialize;
use serde_json::{Value, json};

use super::Call;
use super::paging::PageRequest;
use super::tag_set::{self, Tag};
use crate::body::{json, list_answer};
use crate::error::ApiError;
use mailsight_engine::verification_templates::{
    self as templates, VerificationError, VerificationTemplate,
};
use mailsight_model::now_ms;

/// SES v2's codes for the engine's refusals; `sending` for the send, where
/// an unverified sender is a rejected message rather than a missing one.
fn error(e: VerificationError, sending: bool) -> ApiError {
    match e {
        VerificationError::Invalid(m) | VerificationError::InvalidContent(m) => {
            ApiError::bad_request(m)
        }
        e @ VerificationError::Exists(_) => ApiError::already_exists(e.to_string()),
        e @ VerificationError::Missing(_) => ApiError::not_found(e.to_string()),
        e @ VerificationError::FromNotVerified(_) if sending => {
            ApiError::message_rejected(e.to_string())
        }
        e @ VerificationError::FromNotVerified(_) => ApiError::not_found(e.to_string()),
        e @ VerificationError::Limit => ApiError::limit_exceeded(e.to_string()),
        VerificationError::Send(e) => e.into(),
        VerificationError::Store(e) => e.into(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TemplateRequest {
    template_name: Option<String>,
    from_email_address: Option<String>,
    template_subject: Option<String>,
    template_content: Option<String>,
    #[serde(rename = "SuccessRedirectionURL")]
    success_redirection_url: Option<String>,
    #[serde(rename = "FailureRedirectionURL")]
    failure_redirection_url: Option<String>,
    tags: Option<Vec<Tag>>,
}

fn required(v: Option<String>, member: &str) -> Result<String, ApiError> {
    v.ok_or_else(|| ApiError::bad_request(format!("Missing required parameter: {member}.")))
}

impl TemplateRequest {
    fn into_template(self, name: Option<&str>) -> Result<VerificationTemplate, ApiError> {
        let tags = self.tags.unwrap_or_default();
        tag_set::check(&tags)?;
        Ok(VerificationTemplate {
            template_name: match name {
                Some(n) => n.to_owned(),
                None => required(self.template_name, "TemplateName")?,
            },
            from_email_address: required(self.from_email_address, "FromEmailAddress")?,
            template_subject: required(self.template_subject, "TemplateSubject")?,
            template_content: required(self.template_content, "TemplateContent")?,
            success_redirection_url: required(
                self.success_redirection_url,
                "SuccessRedirectionURL",
            )?,
            failure_redirection_url: required(
                self.failure_redirection_url,
                "FailureRedirectionURL",
            )?,
            tags: json!(tags),
        })
    }
}

pub async fn create(c: &Call<'_>) -> Result<Value, ApiError> {
    let t = json::<TemplateRequest>(c.body)?.into_template(None)?;
    templates::create(&c.state.engine, c.account(), &t, now_ms())
        .await
        .map_err(|e| error(e, false))?;
    Ok(json!({}))
}

pub async fn get(c: &Call<'_>) -> Result<Value, ApiError> {
    let t = templates::get(&c.state.engine, c.account(), c.label("TemplateName")?)
        .await
        .map_err(|e| error(e, false))?;
    let mut out = serde_json::to_value(&t).unwrap_or(Value::Null);
    if t.tags.as_array().is_none_or(|a| a.is_empty()) {
        out["Tags"] = json!([]);
    }
    Ok(out)
}

pub async fn list(c: &Call<'_>) -> Result<Value, ApiError> {
    let page = PageRequest::from_query(c.query, 50, 50)?;
    let found = templates::list(
        &c.state.engine,
        c.account(),
        page.after.as_deref(),
        page.limit,
    )
    .await
    .map_err(|e| error(e, false))?;
    let items = found
        .items
        .iter()
        .map(|t| {
            json!({
                "TemplateName": t.template_name,
                "FromEmailAddress": t.from_email_address,
                "TemplateSubject": t.template_subject,
                "SuccessRedirectionURL": t.success_redirection_url,
                "FailureRedirectionURL": t.failure_redirection_url,
            })
        })
        .collect();
    Ok(list_answer(
        "CustomVerificationEmailTemplates",
        items,
        found.next_after,
    ))
}

pub async fn update(c: &Call<'_>) -> Result<Value, ApiError> {
    let name = c.label("TemplateName")?;
    let new = json::<TemplateRequest>(c.body)?.into_template(Some(name))?;
    templates::update(
        &c.state.engine,
        c.account(),
        name,
        |t| {
            let tags = std::mem::take(&mut t.tags);
            *t = VerificationTemplate { tags, ..new };
        },
        now_ms(),
    )
    .await
    .map_err(|e| error(e, false))?;
    Ok(json!({}))
}

pub async fn delete(c: &Call<'_>) -> Result<Value, ApiError> {
    let name = c.label("TemplateName")?;
    let deleted = templates::delete(&c.state.engine, c.account(), name)
        .await
        .map_err(|e| error(e, false))?;
    if deleted {
        Ok(json!({}))
    } else {
        Err(error(VerificationError::Missing(name.to_owned()), false))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SendRequest {
    email_address: Option<String>,
    template_name: Option<String>,
    configuration_set_name: Option<String>,
}

pub async fn send(c: &Call<'_>) -> Result<Value, ApiError> {
    let req: SendRequest = json(c.body)?;
    let address = required(req.email_address, "EmailAddress")?;
    let name = required(req.template_name, "TemplateName")?;
    let id = templates::send(
        &c.state.engine,
        c.account(),
        &address,
        &name,
        req.configuration_set_name.as_deref(),
        now_ms(),
    )
    .await
    .map_err(|e| error(e, true))?;
    Ok(json!({ "MessageId": id }))
}
