//! Template rendering as SES runs it: Handlebars, with no HTML escaping,
//! and a variable missing from the data is a rendering failure (SES's
//! wording: `Attribute 'name' is not present in the rendering data.`).
//!
//! Conditions (`if`, `unless`) may name missing values, which are false;
//! a printed value or a list for `each` must be present.

use handlebars::{Handlebars, RenderErrorReason, TemplateError};
use serde_json::Value;

use crate::outgoing::TemplateContent;

/// A template's three parts after rendering.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rendered {
    pub subject: String,
    pub text: Option<String>,
    pub html: Option<String>,
}

/// Longest `TemplateData` SES accepts, in characters.
pub const MAX_TEMPLATE_DATA: usize = 262_144;

fn engine() -> Handlebars<'static> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(handlebars::no_escape);
    hb
}

fn syntax_message(part: &str, e: &TemplateError) -> String {
    format!(
        "The {part} of the template is not valid Handlebars: {}",
        e.reason()
    )
}

/// Checks that each part of a template parses, for CreateEmailTemplate and
/// UpdateEmailTemplate.
pub fn check_syntax(t: &TemplateContent) -> Result<(), String> {
    let mut hb = engine();
    for (part, text) in parts(t) {
        hb.register_template_string(part, text)
            .map_err(|e| syntax_message(part, &e))?;
    }
    Ok(())
}

fn parts(t: &TemplateContent) -> impl Iterator<Item = (&'static str, &str)> {
    [
        ("subject", t.subject.as_deref()),
        ("text", t.text.as_deref()),
        ("html", t.html.as_deref()),
    ]
    .into_iter()
    .filter_map(|(p, t)| t.map(|t| (p, t)))
}

/// Parses `TemplateData` (or `ReplacementTemplateData`, named by
/// `member`): a JSON object of at most [`MAX_TEMPLATE_DATA`] characters.
pub fn parse_data(member: &str, data: &str) -> Result<Value, String> {
    if data.chars().count() > MAX_TEMPLATE_DATA {
        return Err(format!(
            "{member} must be at most {MAX_TEMPLATE_DATA} characters long."
        ));
    }
    match serde_json::from_str::<Value>(data) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(format!("{member} must be a JSON object.")),
        Err(e) => Err(format!("{member} is not valid JSON: {e}")),
    }
}

/// Renders every part with `data`. The error is the failure message SES
/// publishes in a Rendering Failure event.
pub fn render(t: &TemplateContent, data: &Value) -> Result<Rendered, String> {
    let hb = engine();
    let mut out = Rendered::default();
    for (part, text) in parts(t) {
        let rendered = hb
            .render_template(text, data)
            .map_err(|e| match e.reason() {
                RenderErrorReason::MissingVariable(Some(path)) => {
                    format!("Attribute '{path}' is not present in the rendering data.")
                }
                RenderErrorReason::MissingVariable(None) => {
                    "An attribute is not present in the rendering data.".to_owned()
                }
                RenderErrorReason::TemplateError(e) => syntax_message(part, e),
                other => format!("The {part} of the template could not be rendered: {other}"),
            })?;
        match part {
            "subject" => out.subject = rendered,
            "text" => out.text = Some(rendered),
            _ => out.html = Some(rendered),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn t(subject: &str, html: &str) -> TemplateContent {
        TemplateContent {
            subject: Some(subject.into()),
            text: None,
            html: Some(html.into()),
        }
    }

    #[test]
    fn renders_nested_paths_each_and_if_without_escaping() {
        let tpl = t(
            "Hi {{contact.first}}",
            "<p>{{greeting}}</p>{{#each items}}<li>{{name}}</li>{{/each}}\
             {{#if vip}}VIP{{else}}regular{{/if}}",
        );
        let data = json!({
            "contact": {"first": "Ana"},
            "greeting": "<b>Welcome</b> & more",
            "items": [{"name": "a"}, {"name": "b"}],
            "vip": false
        });
        let r = render(&tpl, &data).unwrap();
        assert_eq!(r.subject, "Hi Ana");
        assert_eq!(
            r.html.unwrap(),
            "<p><b>Welcome</b> & more</p><li>a</li><li>b</li>regular"
        );
    }

    #[test]
    fn a_missing_variable_fails_in_ses_wording() {
        let tpl = t("Hi {{name}}", "x");
        let e = render(&tpl, &json!({})).unwrap_err();
        assert_eq!(e, "Attribute 'name' is not present in the rendering data.");
        let nested = t("Hi {{contact.first}}", "x");
        let e = render(&nested, &json!({"contact": {}})).unwrap_err();
        assert!(e.contains("contact.first"), "{e}");
    }

    #[test]
    fn conditions_on_missing_values_are_false() {
        let tpl = t(
            "{{#if missing}}yes{{else}}no{{/if}}",
            "{{#unless gone}}u{{/unless}}.",
        );
        let r = render(&tpl, &json!({})).unwrap();
        assert_eq!((r.subject.as_str(), r.html.as_deref()), ("no", Some("u.")));
        // A list to iterate over must be there, like any printed value.
        let each = t("{{#each none}}x{{/each}}", "");
        assert!(render(&each, &json!({})).is_err());
    }

    #[test]
    fn syntax_errors_and_bad_data_are_reported() {
        assert!(check_syntax(&t("{{#if x}}", "")).is_err());
        assert!(check_syntax(&t("{{x}}", "<a>{{y.z}}</a>")).is_ok());
        assert!(parse_data("TemplateData", "[1]").is_err());
        assert!(parse_data("TemplateData", "{").is_err());
        assert!(parse_data("TemplateData", r#"{"a":1}"#).is_ok());
    }

    proptest::proptest! {
        #[test]
        fn rendering_never_panics(text in "[{}#/a-z. ]{0,40}", key in "[a-z]{1,5}") {
            let tpl = t(&text, &text);
            let _ = check_syntax(&tpl);
            let _ = render(&tpl, &json!({ key: "v" }));
        }
    }
}
