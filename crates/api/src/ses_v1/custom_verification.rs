//! SES v1's custom verification email actions: `Create/Get/Update/Delete/
//! ListCustomVerificationEmailTemplate(s)` and `SendCustomVerificationEmail`,
//! on the store SES v2's operations of the same names use
//! ([`mailsight_engine::verification_templates`]).

use axum::http::StatusCode;
use mailsight_engine::verification_templates::{
    self as templates, VerificationError, VerificationTemplate,
};
use mailsight_model::now_ms;
use serde_json::json;

use super::errors::{invalid_parameter, send_error, store_error};
use super::paging::{next_token, page_sized_by};
use super::{Answer, SesCall};
use crate::error::ApiError;
use crate::query::Xml;

/// SES v1's codes for the engine's refusals (all 400, as its model says).
fn error(e: VerificationError) -> ApiError {
    let code = |code: &'static str, e: &VerificationError| {
        ApiError::new(code, StatusCode::BAD_REQUEST, e.to_string())
    };
    match e {
        VerificationError::Invalid(m) => invalid_parameter(m),
        e @ VerificationError::InvalidContent(_) => {
            code("CustomVerificationEmailInvalidContent", &e)
        }
        e @ VerificationError::Exists(_) => {
            code("CustomVerificationEmailTemplateAlreadyExists", &e)
        }
        e @ VerificationError::Missing(_) => {
            code("CustomVerificationEmailTemplateDoesNotExist", &e)
        }
        e @ VerificationError::FromNotVerified(_) => code("FromEmailAddressNotVerified", &e),
        e @ VerificationError::Limit => code("LimitExceeded", &e),
        VerificationError::Send(e) => send_error(e),
        VerificationError::Store(e) => store_error(e),
    }
}

const MEMBERS: [&str; 5] = [
    "FromEmailAddress",
    "TemplateSubject",
    "TemplateContent",
    "SuccessRedirectionURL",
    "FailureRedirectionURL",
];

pub async fn create_custom_verification_email_template(c: &SesCall<'_>) -> Answer {
    let p = c.params;
    let name = p.required("TemplateName")?;
    let mut values = MEMBERS.iter().map(|m| p.required(m).map(str::to_owned));
    let mut next = || values.next().expect("five members");
    let t = VerificationTemplate {
        template_name: name.to_owned(),
        from_email_address: next()?,
        template_subject: next()?,
        template_content: next()?,
        success_redirection_url: next()?,
        failure_redirection_url: next()?,
        tags: json!([]),
    };
    templates::create(&c.state.engine, c.account(), &t, now_ms())
        .await
        .map_err(error)?;
    Ok(Some(String::new()))
}

pub async fn get_custom_verification_email_template(c: &SesCall<'_>) -> Answer {
    let name = c.params.required("TemplateName")?;
    let t = templates::get(&c.state.engine, c.account(), name)
        .await
        .map_err(error)?;
    let mut x = Xml::new();
    x.text("TemplateName", &t.template_name)
        .text("FromEmailAddress", &t.from_email_address)
        .text("TemplateSubject", &t.template_subject)
        .text("TemplateContent", &t.template_content)
        .text("SuccessRedirectionURL", &t.success_redirection_url)
        .text("FailureRedirectionURL", &t.failure_redirection_url);
    Ok(Some(x.finish()))
}

/// Only the members sent change, as in SES v1.
pub async fn update_custom_verification_email_template(c: &SesCall<'_>) -> Answer {
    let p = c.params;
    let name = p.required("TemplateName")?;
    let get = |m: &str| p.get(m).map(str::to_owned);
    templates::update(
        &c.state.engine,
        c.account(),
        name,
        |t| {
            let fields = [
                &mut t.from_email_address,
                &mut t.template_subject,
                &mut t.template_content,
                &mut t.success_redirection_url,
                &mut t.failure_redirection_url,
            ];
            for (member, field) in MEMBERS.iter().zip(fields) {
                if let Some(v) = get(member) {
                    *field = v;
                }
            }
        },
        now_ms(),
    )
    .await
    .map_err(error)?;
    Ok(Some(String::new()))
}

/// Deleting a template that does not exist succeeds, as in SES v1 (its
/// model lists no error).
pub async fn delete_custom_verification_email_template(c: &SesCall<'_>) -> Answer {
    let name = c.params.required("TemplateName")?;
    templates::delete(&c.state.engine, c.account(), name)
        .await
        .map_err(error)?;
    Ok(Some(String::new()))
}

pub async fn list_custom_verification_email_templates(c: &SesCall<'_>) -> Answer {
    let want = page_sized_by(c.params, "MaxResults", 50, 50)?;
    let found = templates::list(
        &c.state.engine,
        c.account(),
        want.after.as_deref(),
        want.limit,
    )
    .await
    .map_err(error)?;
    let mut x = Xml::new();
    x.list("CustomVerificationEmailTemplates", &found.items, |x, t| {
        x.text("TemplateName", &t.template_name)
            .text("FromEmailAddress", &t.from_email_address)
            .text("TemplateSubject", &t.template_subject)
            .text("SuccessRedirectionURL", &t.success_redirection_url)
            .text("FailureRedirectionURL", &t.failure_redirection_url);
    });
    next_token(&mut x, found.next_after.as_deref());
    Ok(Some(x.finish()))
}

pub async fn send_custom_verification_email(c: &SesCall<'_>) -> Answer {
    let p = c.params;
    let address = p.required("EmailAddress")?;
    let name = p.required("TemplateName")?;
    let id = templates::send(
        &c.state.engine,
        c.account(),
        address,
        name,
        p.get("ConfigurationSetName"),
        now_ms(),
    )
    .await
    .map_err(error)?;
    let mut x = Xml::new();
    x.text("MessageId", &id);
    Ok(Some(x.finish()))
}
