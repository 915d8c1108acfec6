//! SendEmail (Simple and Raw content). Template content and SendBulkEmail
//! answer a clear BadRequestException until templates land.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::body::json;
use crate::error::ApiError;
use crate::state::AppState;
use mailsight_engine::{Content, SendRequest};
use mailsight_model::MessageTag;

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct Destination {
    #[serde(default)]
    to_addresses: Vec<String>,
    #[serde(default)]
    cc_addresses: Vec<String>,
    #[serde(default)]
    bcc_addresses: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Part {
    data: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct Body {
    text: Option<Part>,
    html: Option<Part>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Header {
    name: String,
    value: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Simple {
    subject: Part,
    #[serde(default)]
    body: Body,
    #[serde(default)]
    headers: Vec<Header>,
    #[serde(default)]
    attachments: Vec<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Raw {
    data: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct EmailContent {
    simple: Option<Simple>,
    raw: Option<Raw>,
    template: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SendEmail {
    from_email_address: Option<String>,
    #[serde(default)]
    destination: Destination,
    #[serde(default)]
    reply_to_addresses: Vec<String>,
    content: Option<EmailContent>,
    #[serde(default)]
    email_tags: Vec<MessageTag>,
    configuration_set_name: Option<String>,
}

/// SES allows this many custom headers on simple content.
const MAX_HEADERS: usize = 15;

pub async fn send_email(
    state: &AppState,
    caller: &Caller,
    source_ip: &str,
    body: &[u8],
) -> Result<Value, ApiError> {
    let req: SendEmail = json(body)?;
    let content = req
        .content
        .ok_or_else(|| ApiError::bad_request("Missing required parameter: Content."))?;
    let content = match (content.simple, content.raw, content.template) {
        (Some(s), None, None) => {
            if s.headers.len() > MAX_HEADERS {
                return Err(ApiError::bad_request(format!(
                    "At most {MAX_HEADERS} headers are allowed."
                )));
            }
            if !s.attachments.is_empty() {
                return Err(ApiError::bad_request(
                    "Attachments are not supported yet by mailsight.",
                ));
            }
            Content::Simple {
                subject: s.subject.data,
                text: s.body.text.map(|p| p.data),
                html: s.body.html.map(|p| p.data),
                headers: s.headers.into_iter().map(|h| (h.name, h.value)).collect(),
            }
        }
        (None, Some(r), None) => {
            let bytes = STANDARD
                .decode(r.data.trim())
                .map_err(|_| ApiError::bad_request("Content.Raw.Data is not valid base64."))?;
            Content::Raw(bytes)
        }
        (None, None, Some(_)) => {
            return Err(ApiError::bad_request(
                "Template content is not supported by this mailsight version yet; use Simple or Raw content.",
            ));
        }
        _ => {
            return Err(ApiError::bad_request(
                "Content must have exactly one of Simple, Raw or Template.",
            ));
        }
    };
    let request = SendRequest {
        account_id: caller.account_id.clone(),
        caller: caller.access_key_id.clone(),
        source_ip: source_ip.to_owned(),
        from: req.from_email_address,
        to: req.destination.to_addresses,
        cc: req.destination.cc_addresses,
        bcc: req.destination.bcc_addresses,
        reply_to: req.reply_to_addresses,
        content,
        tags: req
            .email_tags
            .into_iter()
            .map(|t| (t.name, t.value))
            .collect(),
        configuration_set: req.configuration_set_name,
    };
    let message_id = state.engine.send(request).await?;
    Ok(json!({ "MessageId": message_id }))
}

pub fn send_bulk_email() -> Result<Value, ApiError> {
    Err(ApiError::bad_request(
        "SendBulkEmail needs templates, which this mailsight version does not support yet.",
    ))
}
