//! SES v1's template actions: `CreateTemplate`, `GetTemplate`,
//! `ListTemplates`, `UpdateTemplate`, `DeleteTemplate` and
//! `TestRenderTemplate`, on the engine's template store
//! ([`mailsight_engine::templates`]), which SES v2's `…EmailTemplate`
//! operations use too. v1's `Template{TemplateName, SubjectPart,
//! TextPart, HtmlPart}` is v2's `TemplateContent{Subject, Text, Html}`.

use axum::http::StatusCode;
use mailsight_engine::{SendError, TemplateContent, templates};
use mailsight_model::now_ms;
use serde_json::json;

use super::errors::{store_error, template_error, template_missing};
use super::paging::{next_token, page};
use super::{Answer, SesCall};
use crate::error::ApiError;
use crate::query::{Xml, xml};

/// The `Template` structure of a create or update: its name and parts.
fn template(c: &SesCall<'_>) -> Result<(String, TemplateContent), ApiError> {
    let p = c.params;
    let name = p.required("Template.TemplateName")?.to_owned();
    let part = |n: &str| p.get(&format!("Template.{n}")).map(str::to_owned);
    let content = TemplateContent {
        subject: part("SubjectPart"),
        text: part("TextPart"),
        html: part("HtmlPart"),
    };
    Ok((name, content))
}

pub async fn create_template(c: &SesCall<'_>) -> Answer {
    let (name, content) = template(c)?;
    templates::create(c.store(), c.account(), &name, &content, json!([]), now_ms())
        .await
        .map_err(template_error)?;
    Ok(Some(String::new()))
}

pub async fn get_template(c: &SesCall<'_>) -> Answer {
    let name = c.params.required("TemplateName")?;
    let t = templates::get(c.store(), c.account(), name)
        .await
        .map_err(template_error)?;
    let mut x = Xml::new();
    x.elem("Template", |x| {
        x.text("TemplateName", &t.name);
        for (member, part) in [
            ("SubjectPart", &t.content.subject),
            ("TextPart", &t.content.text),
            ("HtmlPart", &t.content.html),
        ] {
            if let Some(part) = part {
                x.text(member, part);
            }
        }
    });
    Ok(Some(x.finish()))
}

pub async fn list_templates(c: &SesCall<'_>) -> Answer {
    let want = page(c.params, 100, 100)?;
    let found = templates::list(c.store(), c.account(), want.after.as_deref(), want.limit)
        .await
        .map_err(store_error)?;
    let mut x = Xml::new();
    x.list("TemplatesMetadata", &found.items, |x, t| {
        x.text("Name", &t.name)
            .text("CreatedTimestamp", &xml::timestamp(t.created_at));
    });
    next_token(&mut x, found.next_after.as_deref());
    Ok(Some(x.finish()))
}

pub async fn update_template(c: &SesCall<'_>) -> Answer {
    let (name, content) = template(c)?;
    templates::update(c.store(), c.account(), &name, &content, now_ms())
        .await
        .map_err(template_error)?;
    Ok(Some(String::new()))
}

/// Deleting a template that does not exist succeeds, as in SES v1 (the
/// model lists no error for it).
pub async fn delete_template(c: &SesCall<'_>) -> Answer {
    let name = c.params.required("TemplateName")?;
    templates::delete(c.store(), c.account(), name)
        .await
        .map_err(store_error)?;
    Ok(Some(String::new()))
}

/// Data that is not a JSON object is `InvalidRenderingParameter`; data
/// missing an attribute the template prints is
/// `MissingRenderingAttribute`, with the message a Rendering Failure
/// event would carry.
pub async fn test_render_template(c: &SesCall<'_>) -> Answer {
    let p = c.params;
    let name = p.required("TemplateName")?;
    let data = p.required("TemplateData")?;
    let rendering = |code: &'static str, m: String| ApiError::new(code, StatusCode::BAD_REQUEST, m);
    mailsight_engine::template::parse_data("TemplateData", data)
        .map_err(|m| rendering("InvalidRenderingParameter", m))?;
    let rendered = c
        .state
        .engine
        .test_render(c.account(), name, data)
        .await
        .map_err(|e| match e {
            SendError::TemplateNotFound(n) => template_missing(&n),
            SendError::BadRequest(m) => rendering("MissingRenderingAttribute", m),
            other => super::errors::send_error(other),
        })?;
    let mut x = Xml::new();
    x.text("RenderedTemplate", &rendered);
    Ok(Some(x.finish()))
}
