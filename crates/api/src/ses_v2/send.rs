//! SendEmail (Simple, Raw and Template content, with attachments and
//! `ListManagementOptions`) and SendBulkEmail (one templated message per
//! entry, each with its own status).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use serde_json::{Value, json};

use super::Call;
use super::templates::check_template_data;
use super::tenants;
use crate::body::json;
use crate::error::ApiError;
use mailsight_engine::{
    Attachment, Content, ListManagement, SendError, SendRequest, TemplateContent, TemplateSource,
    bulk,
};
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
struct AttachmentIn {
    raw_content: Option<String>,
    file_name: Option<String>,
    content_disposition: Option<String>,
    content_description: Option<String>,
    content_id: Option<String>,
    content_transfer_encoding: Option<String>,
    content_type: Option<String>,
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
    attachments: Vec<AttachmentIn>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Raw {
    data: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TemplateIn {
    template_name: Option<String>,
    template_arn: Option<String>,
    template_content: Option<TemplateContent>,
    template_data: Option<String>,
    #[serde(default)]
    headers: Vec<Header>,
    #[serde(default)]
    attachments: Vec<AttachmentIn>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct EmailContent {
    simple: Option<Simple>,
    raw: Option<Raw>,
    template: Option<TemplateIn>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListManagementOptions {
    contact_list_name: Option<String>,
    topic_name: Option<String>,
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
    list_management_options: Option<ListManagementOptions>,
    tenant_name: Option<String>,
}

/// SES allows this many custom headers on simple and templated content.
const MAX_HEADERS: usize = 15;

/// SendBulkEmail takes at most this many entries.
const MAX_BULK_ENTRIES: usize = 50;

fn headers(list: Vec<Header>) -> Result<Vec<(String, String)>, ApiError> {
    if list.len() > MAX_HEADERS {
        return Err(ApiError::bad_request(format!(
            "At most {MAX_HEADERS} headers are allowed."
        )));
    }
    Ok(list.into_iter().map(|h| (h.name, h.value)).collect())
}

fn attachments(list: Vec<AttachmentIn>) -> Result<Vec<Attachment>, ApiError> {
    list.into_iter()
        .map(|a| {
            let file_name = a
                .file_name
                .filter(|f| !f.is_empty())
                .ok_or_else(|| ApiError::bad_request("Every attachment needs a FileName."))?;
            let raw = a.raw_content.ok_or_else(|| {
                ApiError::bad_request(format!("Attachment {file_name} has no RawContent."))
            })?;
            let raw = STANDARD.decode(raw.trim()).map_err(|_| {
                ApiError::bad_request(format!(
                    "The RawContent of attachment {file_name} is not valid base64."
                ))
            })?;
            if let Some(d) = &a.content_disposition
                && d != "ATTACHMENT"
                && d != "INLINE"
            {
                return Err(ApiError::bad_request(format!(
                    "Invalid ContentDisposition <{d}>: use ATTACHMENT or INLINE."
                )));
            }
            if let Some(e) = &a.content_transfer_encoding
                && !matches!(e.as_str(), "BASE64" | "QUOTED_PRINTABLE" | "SEVEN_BIT")
            {
                return Err(ApiError::bad_request(format!(
                    "Invalid ContentTransferEncoding <{e}>: use BASE64, QUOTED_PRINTABLE or SEVEN_BIT."
                )));
            }
            Ok(Attachment {
                file_name,
                raw,
                content_type: a.content_type,
                disposition: a.content_disposition,
                content_id: a.content_id,
                description: a.content_description,
            })
        })
        .collect()
}

/// Exactly one of `TemplateName`, `TemplateArn` and `TemplateContent`.
fn template_source(t: &mut TemplateIn) -> Result<TemplateSource, ApiError> {
    match (
        t.template_name.take(),
        t.template_arn.take(),
        t.template_content.take(),
    ) {
        (Some(name), None, None) => Ok(TemplateSource::Name(name)),
        (None, Some(arn), None) => Ok(TemplateSource::Arn(arn)),
        (None, None, Some(content)) => Ok(TemplateSource::Inline(content)),
        _ => Err(ApiError::bad_request(
            "The template must be given by exactly one of TemplateName, TemplateArn or TemplateContent.",
        )),
    }
}

/// `TemplateData`, defaulting to `{}`, checked.
fn template_data(data: Option<String>, member: &str) -> Result<String, ApiError> {
    let data = data.unwrap_or_else(|| "{}".to_owned());
    check_template_data(member, &data).map_err(ApiError::bad_request)?;
    Ok(data)
}

pub async fn send_email(c: &Call<'_>) -> Result<Value, ApiError> {
    let (state, caller, source_ip, body) = (c.state, c.caller, c.source_ip.as_str(), c.body);
    let req: SendEmail = json(body)?;
    let content = req
        .content
        .ok_or_else(|| ApiError::bad_request("Missing required parameter: Content."))?;
    let content = match (content.simple, content.raw, content.template) {
        (Some(s), None, None) => Content::Simple {
            subject: s.subject.data,
            text: s.body.text.map(|p| p.data),
            html: s.body.html.map(|p| p.data),
            headers: headers(s.headers)?,
            attachments: attachments(s.attachments)?,
        },
        (None, Some(r), None) => {
            let bytes = STANDARD
                .decode(r.data.trim())
                .map_err(|_| ApiError::bad_request("Content.Raw.Data is not valid base64."))?;
            Content::Raw(bytes)
        }
        (None, None, Some(mut t)) => {
            let source = template_source(&mut t)?;
            let data = template_data(t.template_data, "TemplateData")?;
            Content::Template {
                source,
                data,
                headers: headers(t.headers)?,
                attachments: attachments(t.attachments)?,
            }
        }
        _ => {
            return Err(ApiError::bad_request(
                "Content must have exactly one of Simple, Raw or Template.",
            ));
        }
    };
    let list_management = match req.list_management_options {
        None => None,
        Some(o) => {
            let list = o.contact_list_name.ok_or_else(|| {
                ApiError::bad_request(
                    "Missing required parameter: ListManagementOptions.ContactListName.",
                )
            })?;
            Some(ListManagement {
                contact_list: list,
                topic: o.topic_name,
            })
        }
    };
    if let Some(tenant) = &req.tenant_name {
        let template = match &content {
            Content::Template {
                source: TemplateSource::Name(n),
                ..
            } => Some(n.as_str()),
            _ => None,
        };
        let resources = tenants::SendResources {
            from: req.from_email_address.as_deref(),
            configuration_set: req.configuration_set_name.as_deref(),
            template,
        };
        tenants::check_send(c, tenant, resources).await?;
    }
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
        list_management,
        operation: "SendEmail",
        tenant: req.tenant_name,
    };
    let message_id = state.engine.send(request).await?;
    Ok(json!({ "MessageId": message_id }))
}

// --- SendBulkEmail ---

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct BulkContent {
    template: Option<TemplateIn>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ReplacementTemplate {
    replacement_template_data: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ReplacementContent {
    replacement_template: Option<ReplacementTemplate>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct BulkEntry {
    destination: Option<Destination>,
    #[serde(default)]
    replacement_tags: Vec<MessageTag>,
    replacement_email_content: Option<ReplacementContent>,
    #[serde(default)]
    replacement_headers: Vec<Header>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SendBulkEmail {
    from_email_address: Option<String>,
    #[serde(default)]
    reply_to_addresses: Vec<String>,
    default_content: Option<BulkContent>,
    #[serde(default)]
    default_email_tags: Vec<MessageTag>,
    bulk_email_entries: Option<Vec<BulkEntry>>,
    configuration_set_name: Option<String>,
    tenant_name: Option<String>,
}

/// `BulkEmailEntryResult.Status` for a refused entry.
fn bulk_status(e: &SendError) -> &'static str {
    match e {
        SendError::TemplateNotFound(_) => "TEMPLATE_NOT_FOUND",
        SendError::ConfigurationSetNotFound(_) => "CONFIGURATION_SET_NOT_FOUND",
        SendError::MessageRejected(_) => "MESSAGE_REJECTED",
        SendError::SendingPaused(_) => "CONFIGURATION_SET_SENDING_PAUSED",
        SendError::AccountSendingPaused => "ACCOUNT_SENDING_PAUSED",
        SendError::BadRequest(_) | SendError::NotFound(_) => "INVALID_PARAMETER",
        SendError::Store(_) => "TRANSIENT_FAILURE",
        SendError::Internal(_) => "FAILED",
    }
}

fn entry_failed(status: &str, error: impl Into<String>) -> Value {
    json!({ "Status": status, "Error": error.into() })
}

/// Default tags, replaced by name or extended by the entry's own.
fn merged_tags(defaults: &[MessageTag], replacements: Vec<MessageTag>) -> Vec<(String, String)> {
    let pairs = |t: &MessageTag| (t.name.clone(), t.value.clone());
    bulk::merged_tags(
        &defaults.iter().map(pairs).collect::<Vec<_>>(),
        replacements.iter().map(pairs).collect(),
    )
}

/// Default headers, replaced by name (case-insensitive) or extended by the
/// entry's own.
fn merged_headers(
    defaults: &[(String, String)],
    replacements: Vec<(String, String)>,
) -> Vec<(String, String)> {
    let mut out = defaults.to_vec();
    for (name, value) in replacements {
        match out.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(&name)) {
            Some(slot) => slot.1 = value,
            None => out.push((name, value)),
        }
    }
    out
}

pub async fn send_bulk_email(c: &Call<'_>) -> Result<Value, ApiError> {
    let (state, caller, source_ip, body) = (c.state, c.caller, c.source_ip.as_str(), c.body);
    let req: SendBulkEmail = json(body)?;
    let mut template = req
        .default_content
        .ok_or_else(|| ApiError::bad_request("Missing required parameter: DefaultContent."))?
        .template
        .ok_or_else(|| ApiError::bad_request("DefaultContent must have a Template."))?;
    let entries = req
        .bulk_email_entries
        .ok_or_else(|| ApiError::bad_request("Missing required parameter: BulkEmailEntries."))?;
    if entries.is_empty() || entries.len() > MAX_BULK_ENTRIES {
        return Err(ApiError::bad_request(format!(
            "BulkEmailEntries must have 1 to {MAX_BULK_ENTRIES} entries; it has {}.",
            entries.len()
        )));
    }
    if entries.iter().any(|e| e.destination.is_none()) {
        return Err(ApiError::bad_request(
            "Every BulkEmailEntry needs a Destination.",
        ));
    }
    let source = template_source(&mut template)?;
    let default_data = template_data(template.template_data.take(), "TemplateData")?;
    let default_headers = headers(template.headers)?;
    let default_attachments = attachments(template.attachments)?;
    if let Some(tenant) = &req.tenant_name {
        let resources = tenants::SendResources {
            from: req.from_email_address.as_deref(),
            configuration_set: req.configuration_set_name.as_deref(),
            template: match &source {
                TemplateSource::Name(n) => Some(n.as_str()),
                _ => None,
            },
        };
        tenants::check_send(c, tenant, resources).await?;
    }
    let mut results = Vec::with_capacity(entries.len());
    for entry in entries {
        let replacement = entry
            .replacement_email_content
            .and_then(|c| c.replacement_template)
            .and_then(|t| t.replacement_template_data);
        let data = match bulk::entry_data("ReplacementTemplateData", &default_data, replacement) {
            Ok(d) => d,
            Err(m) => {
                results.push(entry_failed("INVALID_PARAMETER", m));
                continue;
            }
        };
        let extra: Vec<(String, String)> = entry
            .replacement_headers
            .into_iter()
            .map(|h| (h.name, h.value))
            .collect();
        let all_headers = merged_headers(&default_headers, extra);
        if all_headers.len() > MAX_HEADERS {
            results.push(entry_failed(
                "INVALID_PARAMETER",
                format!("At most {MAX_HEADERS} headers are allowed."),
            ));
            continue;
        }
        let destination = entry.destination.unwrap_or_default();
        let request = SendRequest {
            account_id: caller.account_id.clone(),
            caller: caller.access_key_id.clone(),
            source_ip: source_ip.to_owned(),
            from: req.from_email_address.clone(),
            to: destination.to_addresses,
            cc: destination.cc_addresses,
            bcc: destination.bcc_addresses,
            reply_to: req.reply_to_addresses.clone(),
            content: Content::Template {
                source: source.clone(),
                data,
                headers: all_headers,
                attachments: default_attachments.clone(),
            },
            tags: merged_tags(&req.default_email_tags, entry.replacement_tags),
            configuration_set: req.configuration_set_name.clone(),
            list_management: None,
            operation: "SendBulkEmail",
            tenant: req.tenant_name.clone(),
        };
        results.push(match state.engine.send(request).await {
            Ok(id) => json!({ "Status": "SUCCESS", "MessageId": id }),
            Err(e) => {
                if matches!(e, SendError::Store(_) | SendError::Internal(_)) {
                    tracing::error!(error = %e, "bulk entry failed");
                }
                entry_failed(bulk_status(&e), e.to_string())
            }
        });
    }
    Ok(json!({ "BulkEmailEntryResults": results }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replacement_tags_override_by_name() {
        let defaults = vec![MessageTag::new("a", "1"), MessageTag::new("b", "2")];
        let merged = merged_tags(
            &defaults,
            vec![MessageTag::new("b", "3"), MessageTag::new("c", "4")],
        );
        let expect: Vec<(String, String)> = [("a", "1"), ("b", "3"), ("c", "4")]
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        assert_eq!(merged, expect);
    }

    #[test]
    fn replacement_headers_override_case_insensitively() {
        let d = vec![("X-A".to_owned(), "1".to_owned())];
        let m = merged_headers(
            &d,
            vec![
                ("x-a".to_owned(), "2".to_owned()),
                ("X-B".to_owned(), "3".to_owned()),
            ],
        );
        assert_eq!(m.len(), 2);
        assert_eq!(m[0], ("X-A".to_owned(), "2".to_owned()));
    }

    #[test]
    fn attachments_decode_and_validate() {
        let a = |raw: &str, disposition: Option<&str>| AttachmentIn {
            raw_content: Some(raw.to_owned()),
            file_name: Some("a.txt".into()),
            content_disposition: disposition.map(str::to_owned),
            content_description: None,
            content_id: None,
            content_transfer_encoding: None,
            content_type: Some("text/plain".into()),
        };
        let ok = attachments(vec![a("aGk=", Some("INLINE"))]).unwrap();
        assert_eq!(ok[0].raw, b"hi");
        assert!(attachments(vec![a("!!", None)]).is_err());
        assert!(attachments(vec![a("aGk=", Some("BOTH"))]).is_err());
    }
}
