//! Turns a send request (simple or raw content) into one outgoing message:
//! sender, recipients, subject, headers and tags, as SES would see them.

use mail_parser::{Address, MessageParser};
use mailsight_model::metric::TENANT_TAG;
use mailsight_model::tags::{parse_tags_header, validate_tag};

use crate::address::{bare_address, domain_of, is_valid_address};
use crate::error::SendError;

/// At most this many recipients per message, as in SES.
pub const MAX_RECIPIENTS: usize = 50;

/// The content of a send request.
#[derive(Debug, Clone)]
pub enum Content {
    /// `Content.Simple`: mailsight composes the MIME message.
    Simple {
        subject: String,
        text: Option<String>,
        html: Option<String>,
        headers: Vec<(String, String)>,
        attachments: Vec<Attachment>,
    },
    /// `Content.Raw`: a complete MIME message.
    Raw(Vec<u8>),
    /// `Content.Template`: a stored or inline template and the JSON data to
    /// render it with. Rendering happens after the call is accepted, as in
    /// SES: missing data becomes a Rendering Failure event, not an error.
    Template {
        source: TemplateSource,
        /// `TemplateData`: a JSON object serialised into a string.
        data: String,
        headers: Vec<(String, String)>,
        attachments: Vec<Attachment>,
    },
}

/// Which template a templated send uses.
#[derive(Debug, Clone, PartialEq)]
pub enum TemplateSource {
    /// `TemplateName`: a template stored with CreateEmailTemplate.
    Name(String),
    /// `TemplateArn`: the same, named by ARN (`…:template/<name>`).
    Arn(String),
    /// `TemplateContent`: given inline with the send.
    Inline(TemplateContent),
}

impl TemplateSource {
    /// The name of the stored template it names (an ARN ends in
    /// `:template/<name>`); `None` for inline content.
    pub fn stored_name(&self) -> Option<&str> {
        match self {
            TemplateSource::Name(n) => Some(n),
            TemplateSource::Arn(arn) => Some(
                arn.rsplit_once(":template/")
                    .map_or(arn.as_str(), |(_, n)| n),
            ),
            TemplateSource::Inline(_) => None,
        }
    }
}

/// The three parts of a template, each a Handlebars text.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TemplateContent {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
}

/// An attachment of simple or templated content (`Attachment` in the API).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Attachment {
    pub file_name: String,
    /// The decoded bytes (`RawContent`).
    pub raw: Vec<u8>,
    pub content_type: Option<String>,
    /// `ATTACHMENT` (default) or `INLINE`.
    pub disposition: Option<String>,
    pub content_id: Option<String>,
    pub description: Option<String>,
}

/// `ListManagementOptions`: the contact list (and topic) a message is sent
/// on behalf of, for the unsubscribe headers and link.
#[derive(Debug, Clone, PartialEq)]
pub struct ListManagement {
    pub contact_list: String,
    pub topic: Option<String>,
}

/// A send request as the API hands it to the engine.
#[derive(Debug, Clone)]
pub struct SendRequest {
    pub account_id: String,
    /// The access key that signed the request (`ses:caller-identity`).
    pub caller: String,
    pub source_ip: String,
    pub from: Option<String>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub bcc: Vec<String>,
    pub reply_to: Vec<String>,
    pub content: Content,
    /// `EmailTags` of the request; validated here.
    pub tags: Vec<(String, String)>,
    pub configuration_set: Option<String>,
    pub list_management: Option<ListManagement>,
    /// `SendEmail` or `SendBulkEmail` (the `ses:operation` tag).
    pub operation: &'static str,
    /// The tenant the message is sent for (`TenantName`, checked by the
    /// caller), kept as the message tag [`TENANT_TAG`].
    pub tenant: Option<String>,
}

impl Outgoing {
    /// Sets the subject of a message whose template has been rendered.
    pub fn set_subject(&mut self, subject: &str) {
        self.subject = Some(subject.to_owned());
        let at = self
            .headers
            .iter()
            .position(|(n, _)| n == "MIME-Version")
            .unwrap_or(self.headers.len());
        self.headers
            .insert(at, ("Subject".into(), subject.to_owned()));
    }
}

/// A message ready to be classified and recorded.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The sender as written (may carry a display name).
    pub from: String,
    pub from_domain: String,
    /// The identity the sender matched, filled in by the identity check.
    pub identity: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub reply_to: Vec<String>,
    /// Every envelope recipient: To, Cc, then Bcc.
    pub recipients: Vec<String>,
    pub subject: Option<String>,
    /// Headers as sent, in order, without SES's own `X-SES-*` headers.
    pub headers: Vec<(String, String)>,
    pub message_id_header: Option<String>,
    pub tags: Vec<(String, String)>,
    pub configuration_set: Option<String>,
    pub source_ip: String,
    pub operation: &'static str,
}

fn bad(msg: impl Into<String>) -> SendError {
    SendError::BadRequest(msg.into())
}

/// Validates the request and resolves sender, recipients, tags and headers.
pub fn prepare(req: &SendRequest) -> Result<Outgoing, SendError> {
    for (name, value) in &req.tags {
        validate_tag(name, value).map_err(|e| bad(e.to_string()))?;
    }
    let mut out = match &req.content {
        Content::Simple {
            subject, headers, ..
        } => composed(req, Some(subject), headers)?,
        Content::Template { headers, .. } => composed(req, None, headers)?,
        Content::Raw(bytes) => from_raw(req, bytes)?,
    };
    if let Some(tenant) = &req.tenant {
        out.tags.push((TENANT_TAG.to_owned(), tenant.clone()));
    }
    if out.recipients.is_empty() {
        return Err(bad(
            "The message must have at least one recipient (To, Cc or Bcc).",
        ));
    }
    if out.recipients.len() > MAX_RECIPIENTS {
        return Err(SendError::MessageRejected(format!(
            "Recipient count exceeds {MAX_RECIPIENTS}."
        )));
    }
    for r in &out.recipients {
        if !is_valid_address(r) {
            return Err(bad(format!("Illegal address: {r}")));
        }
    }
    if !is_valid_address(&out.from) {
        return Err(bad(format!("Illegal address: {}", out.from)));
    }
    out.from_domain = domain_of(&out.from).unwrap_or_default();
    out.recipients = out
        .recipients
        .iter()
        .map(|r| bare_address(r).to_owned())
        .collect();
    Ok(out)
}

/// The outgoing message of simple or templated content, whose MIME
/// mailsight composes. A template's subject is known once rendered.
fn composed(
    req: &SendRequest,
    subject: Option<&String>,
    headers: &[(String, String)],
) -> Result<Outgoing, SendError> {
    let from = req
        .from
        .clone()
        .ok_or_else(|| bad("Missing required parameter: FromEmailAddress."))?;
    let mut all = vec![("From".to_owned(), from.clone())];
    if !req.reply_to.is_empty() {
        all.push(("Reply-To".into(), req.reply_to.join(", ")));
    }
    if !req.to.is_empty() {
        all.push(("To".into(), req.to.join(", ")));
    }
    if !req.cc.is_empty() {
        all.push(("Cc".into(), req.cc.join(", ")));
    }
    if let Some(subject) = subject {
        all.push(("Subject".into(), subject.clone()));
    }
    all.push(("MIME-Version".into(), "1.0".into()));
    all.push(("Content-Type".into(), "multipart/alternative".into()));
    all.extend(headers.iter().cloned());
    Ok(Outgoing {
        from,
        from_domain: String::new(),
        identity: String::new(),
        to: req.to.clone(),
        cc: req.cc.clone(),
        reply_to: req.reply_to.clone(),
        recipients: [&req.to[..], &req.cc, &req.bcc].concat(),
        subject: subject.cloned(),
        headers: all,
        message_id_header: None,
        tags: req.tags.clone(),
        configuration_set: req.configuration_set.clone(),
        source_ip: req.source_ip.clone(),
        operation: req.operation,
    })
}

fn addresses(a: Option<&Address<'_>>) -> Vec<String> {
    a.map(|a| {
        a.iter()
            .filter_map(|addr| addr.address().map(str::to_owned))
            .collect()
    })
    .unwrap_or_default()
}

fn from_raw(req: &SendRequest, bytes: &[u8]) -> Result<Outgoing, SendError> {
    let msg = MessageParser::default()
        .parse(bytes)
        .ok_or_else(|| bad("The raw message could not be parsed as MIME."))?;
    if msg.headers().is_empty() {
        return Err(bad("The raw message has no headers."));
    }
    let from = match &req.from {
        Some(f) => f.clone(),
        None => addresses(msg.from()).into_iter().next().ok_or_else(|| {
            bad("The raw message has no From header and no FromEmailAddress was given.")
        })?,
    };
    let raw_header = |name: &str| msg.header_raw(name).map(|v| v.trim().to_owned());
    // API parameters win over the X-SES-* headers, as in SES.
    let configuration_set = req
        .configuration_set
        .clone()
        .or_else(|| raw_header("X-SES-CONFIGURATION-SET"));
    let tags = if req.tags.is_empty() {
        match raw_header("X-SES-MESSAGE-TAGS") {
            Some(v) => {
                let tags = parse_tags_header(&v).map_err(|e| bad(e.to_string()))?;
                for (name, value) in &tags {
                    validate_tag(name, value).map_err(|e| bad(e.to_string()))?;
                }
                tags
            }
            None => Vec::new(),
        }
    } else {
        req.tags.clone()
    };
    let headers: Vec<(String, String)> = msg
        .headers()
        .iter()
        .filter(|h| !h.name().to_ascii_lowercase().starts_with("x-ses-"))
        .map(|h| {
            let raw = bytes
                .get(h.offset_start() as usize..h.offset_end() as usize)
                .map(|v| String::from_utf8_lossy(v).trim().to_owned())
                .unwrap_or_default();
            (h.name().to_owned(), raw)
        })
        .collect();
    let to = addresses(msg.to());
    let cc = addresses(msg.cc());
    let bcc = addresses(msg.bcc());
    let explicit = !(req.to.is_empty() && req.cc.is_empty() && req.bcc.is_empty());
    let recipients = if explicit {
        [&req.to[..], &req.cc, &req.bcc].concat()
    } else {
        [&to[..], &cc, &bcc].concat()
    };
    let message_id_header = msg.message_id().map(|id| format!("<{id}>"));
    Ok(Outgoing {
        from,
        from_domain: String::new(),
        identity: String::new(),
        to,
        cc,
        reply_to: addresses(msg.reply_to()),
        recipients,
        subject: msg.subject().map(str::to_owned),
        headers,
        message_id_header,
        tags,
        configuration_set,
        source_ip: req.source_ip.clone(),
        operation: req.operation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(bytes: &[u8]) -> SendRequest {
        SendRequest {
            account_id: "a".into(),
            caller: "k".into(),
            source_ip: "127.0.0.1".into(),
            from: None,
            to: vec![],
            cc: vec![],
            bcc: vec![],
            reply_to: vec![],
            content: Content::Raw(bytes.to_vec()),
            tags: vec![],
            configuration_set: None,
            list_management: None,
            operation: "SendEmail",
            tenant: None,
        }
    }

    #[test]
    fn raw_messages_give_sender_recipients_and_ses_headers() {
        let mime = b"From: A <a@example.com>\r\nTo: b@example.net, c@example.net\r\nBcc: d@example.org\r\n\
Subject: Hi\r\nX-SES-CONFIGURATION-SET: cs\r\nX-SES-MESSAGE-TAGS: k=v\r\n\r\nbody";
        let out = prepare(&raw(mime)).unwrap();
        assert_eq!(out.from, "a@example.com");
        assert_eq!(out.from_domain, "example.com");
        assert_eq!(
            out.recipients,
            ["b@example.net", "c@example.net", "d@example.org"]
        );
        assert_eq!(out.configuration_set.as_deref(), Some("cs"));
        assert_eq!(out.tags, [("k".to_owned(), "v".to_owned())]);
        assert!(
            out.headers
                .iter()
                .all(|(n, _)| !n.to_ascii_lowercase().starts_with("x-ses-")),
            "SES strips its headers"
        );
        assert!(out.headers.iter().any(|(n, v)| n == "Subject" && v == "Hi"));
    }

    #[test]
    fn api_parameters_win_over_headers() {
        let mut req = raw(b"From: a@example.com\r\nTo: b@example.net\r\nX-SES-MESSAGE-TAGS: k=v\r\nX-SES-CONFIGURATION-SET: h\r\n\r\nx");
        req.to = vec!["override@example.net".into()];
        req.tags = vec![("api".into(), "1".into())];
        req.configuration_set = Some("api-set".into());
        let out = prepare(&req).unwrap();
        assert_eq!(out.recipients, ["override@example.net"]);
        assert_eq!(out.tags, [("api".to_owned(), "1".to_owned())]);
        assert_eq!(out.configuration_set.as_deref(), Some("api-set"));
    }

    #[test]
    fn arns_name_their_template() {
        let s = TemplateSource::Arn("arn:aws:ses:us-east-1:123456789012:template/welcome".into());
        assert_eq!(s.stored_name(), Some("welcome"));
        assert_eq!(TemplateSource::Name("t".into()).stored_name(), Some("t"));
        assert_eq!(
            TemplateSource::Inline(TemplateContent::default()).stored_name(),
            None
        );
    }

    #[test]
    fn too_many_recipients_are_rejected() {
        let mut req = raw(b"From: a@example.com\r\n\r\nx");
        req.to = (0..=MAX_RECIPIENTS)
            .map(|i| format!("r{i}@example.net"))
            .collect();
        assert!(matches!(prepare(&req), Err(SendError::MessageRejected(_))));
    }

    proptest::proptest! {
        #[test]
        fn raw_parsing_never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            let _ = prepare(&raw(&bytes));
        }

        #[test]
        fn header_like_input_never_panics(text in "([A-Za-z-]{1,12}: [ -~]{0,30}\r\n){0,6}\r\n[ -~]{0,20}") {
            let _ = prepare(&raw(text.as_bytes()));
        }
    }
}
