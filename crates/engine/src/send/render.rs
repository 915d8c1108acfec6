//! Templates for the sending path: a stored template (by name or ARN) or
//! an inline one, resolved with its data, and the complete MIME text that
//! `TestRenderEmailTemplate` answers ([`Engine::test_render`]).
//!
//! Rendering itself is [`crate::template`]; composing is [`crate::compose`].

use mailsight_store::ItemKind;
use serde_json::Value;

use super::Engine;
use crate::compose::{Parts, compose};
use crate::error::SendError;
use crate::lists;
use crate::outgoing::{TemplateContent, TemplateSource};
use crate::template::{parse_data, render};

impl Engine {
    /// A stored template (by name or ARN) or the inline one, with its data
    /// parsed. Missing template data is found later, when rendering.
    pub(super) async fn resolve_template(
        &self,
        account: &str,
        source: &TemplateSource,
        data: &str,
    ) -> Result<ResolvedTemplate, SendError> {
        let mut data = parse_data("TemplateData", data).map_err(SendError::BadRequest)?;
        // The unsubscribe placeholder is mailsight's to fill, per recipient.
        if let Some(obj) = data.as_object_mut() {
            obj.entry(lists::PLACEHOLDER_NAME)
                .or_insert_with(|| Value::String(lists::PLACEHOLDER.into()));
        }
        let (name, content) = match (source, source.stored_name()) {
            (TemplateSource::Inline(content), _) => ("InlineTemplate".to_owned(), content.clone()),
            (_, Some(name)) => (name.to_owned(), self.stored_template(account, name).await?),
            (_, None) => {
                return Err(SendError::Internal(
                    "a template source without a name".into(),
                ));
            }
        };
        Ok(ResolvedTemplate {
            name,
            content,
            data,
        })
    }

    async fn stored_template(
        &self,
        account: &str,
        name: &str,
    ) -> Result<TemplateContent, SendError> {
        let item = self
            .store
            .get_item(account, ItemKind::Template, name)
            .await?
            .ok_or_else(|| SendError::TemplateNotFound(name.to_owned()))?;
        serde_json::from_value(item.body["TemplateContent"].clone())
            .map_err(|e| SendError::Internal(format!("stored template {name}: {e}")))
    }

    /// Renders the stored template `name` with `data` into the complete
    /// MIME text, as `TestRenderEmailTemplate` answers. Missing data is a
    /// `BadRequest` carrying the message a Rendering Failure event would.
    pub async fn test_render(
        &self,
        account: &str,
        name: &str,
        data: &str,
    ) -> Result<String, SendError> {
        let t = self
            .resolve_template(account, &TemplateSource::Name(name.to_owned()), data)
            .await?;
        let r = render(&t.content, &t.data).map_err(SendError::BadRequest)?;
        let mime = compose(
            None,
            &[],
            &Parts {
                subject: &r.subject,
                text: r.text.as_deref(),
                html: r.html.as_deref(),
                ..Default::default()
            },
        );
        Ok(String::from_utf8_lossy(&mime).into_owned())
    }
}

/// A template ready to render.
pub(super) struct ResolvedTemplate {
    pub(super) name: String,
    pub(super) content: TemplateContent,
    pub(super) data: Value,
}
