//! Composes the MIME message SES would deliver for simple and templated
//! content, and scans content for the EICAR test virus.
//!
//! The composed text is what mailsight keeps as "the message as sent": a
//! test can fetch it and follow its tracked links like a mail client would.

use mail_builder::MessageBuilder;
use mail_builder::headers::raw::Raw;
use mail_builder::headers::text::Text;
use mail_parser::MessageParser;

use crate::outgoing::{Attachment, Outgoing};

/// The body of a message before it is composed.
#[derive(Debug, Clone, Default)]
pub struct Parts<'a> {
    pub subject: &'a str,
    pub text: Option<&'a str>,
    pub html: Option<&'a str>,
    /// The caller's own headers (`Content.Simple.Headers`).
    pub headers: &'a [(String, String)],
    pub attachments: &'a [Attachment],
    /// Headers mailsight adds (`List-Unsubscribe`, ...).
    pub extra_headers: &'a [(String, String)],
}

/// The `Message-ID` header SES gives the messages it composes.
pub fn message_id_header(message_id: &str) -> String {
    format!("{message_id}@email.amazonses.com")
}

/// The address headers of an outgoing message, in SES's order.
pub fn address_headers(out: &Outgoing) -> Vec<(&'static str, String)> {
    let mut h = vec![("From", out.from.clone())];
    for (name, list) in [
        ("To", &out.to),
        ("Cc", &out.cc),
        ("Reply-To", &out.reply_to),
    ] {
        if !list.is_empty() {
            h.push((name, list.join(", ")));
        }
    }
    h
}

/// Builds the complete MIME text of a simple or rendered message.
pub fn compose(
    message_id: Option<&str>,
    addresses: &[(&'static str, String)],
    parts: &Parts<'_>,
) -> Vec<u8> {
    let mut b = MessageBuilder::new();
    for (name, value) in addresses {
        b = b.header(*name, Raw::new(value.as_str()));
    }
    if let Some(id) = message_id {
        b = b.message_id(message_id_header(id));
    }
    b = b.header("Subject", Text::new(parts.subject));
    for (name, value) in parts.headers.iter().chain(parts.extra_headers) {
        b = b.header(name.as_str(), Raw::new(value.as_str()));
    }
    if let Some(text) = parts.text {
        b = b.text_body(text);
    }
    if let Some(html) = parts.html {
        b = b.html_body(html);
    }
    if parts.text.is_none() && parts.html.is_none() {
        b = b.text_body("");
    }
    for a in parts.attachments {
        let ct = a
            .content_type
            .clone()
            .unwrap_or_else(|| "application/octet-stream".into());
        let inline = a
            .disposition
            .as_deref()
            .is_some_and(|d| d.eq_ignore_ascii_case("INLINE"));
        b = match (&a.content_id, inline) {
            (Some(cid), true) => b.inline(ct, cid.clone(), a.raw.clone()),
            _ => b.attachment(ct, a.file_name.clone(), a.raw.clone()),
        };
    }
    // Writing to a Vec cannot fail.
    b.write_to_vec().unwrap_or_default()
}

/// Removes SES's own `X-SES-*` headers from a raw message, as SES does
/// before delivering it.
pub fn strip_ses_headers(raw: &[u8]) -> Vec<u8> {
    let end = find(raw, b"\r\n\r\n")
        .map(|i| i + 2)
        .or_else(|| find(raw, b"\n\n").map(|i| i + 1))
        .unwrap_or(raw.len());
    let (head, body) = raw.split_at(end);
    let mut out = Vec::with_capacity(raw.len());
    let mut skipping = false;
    for line in head.split_inclusive(|b| *b == b'\n') {
        let continuation = matches!(line.first(), Some(b' ' | b'\t'));
        if !continuation {
            skipping = line.len() >= 6 && line[..6].eq_ignore_ascii_case(b"x-ses-");
        }
        if !skipping {
            out.extend_from_slice(line);
        }
    }
    out.extend_from_slice(body);
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The EICAR anti-virus test string: SES rejects content carrying it with
/// a Reject event ("Bad content").
pub const EICAR: &[u8] = br"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

/// Whether the message (its text, or any part once decoded) carries the
/// EICAR test string.
pub fn carries_eicar(mime: &[u8], attachments: &[Attachment]) -> bool {
    if attachments.iter().any(|a| find(&a.raw, EICAR).is_some()) || find(mime, EICAR).is_some() {
        return true;
    }
    let Some(msg) = MessageParser::default().parse(mime) else {
        return false;
    };
    msg.parts
        .iter()
        .any(|p| find(p.contents(), EICAR).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out() -> Outgoing {
        Outgoing {
            from: "Sender <s@example.com>".into(),
            from_domain: "example.com".into(),
            identity: "example.com".into(),
            to: vec!["r@example.net".into()],
            cc: vec![],
            reply_to: vec![],
            recipients: vec!["r@example.net".into()],
            subject: Some("Hi".into()),
            headers: vec![],
            message_id_header: None,
            tags: vec![],
            configuration_set: None,
            source_ip: "127.0.0.1".into(),
            operation: "SendEmail",
        }
    }

    #[test]
    fn composes_a_parseable_message_with_both_bodies_and_attachments() {
        let att = Attachment {
            file_name: "a.txt".into(),
            raw: b"attached bytes".to_vec(),
            content_type: Some("text/plain".into()),
            ..Default::default()
        };
        let headers = vec![("X-Custom".to_owned(), "yes".to_owned())];
        let mime = compose(
            Some("0100-id-000000"),
            &address_headers(&out()),
            &Parts {
                subject: "Grüße",
                text: Some("plain"),
                html: Some("<p>html</p>"),
                headers: &headers,
                attachments: std::slice::from_ref(&att),
                extra_headers: &[],
            },
        );
        let msg = MessageParser::default().parse(&mime).unwrap();
        assert_eq!(msg.subject(), Some("Grüße"));
        assert_eq!(msg.body_text(0).as_deref(), Some("plain"));
        assert_eq!(msg.body_html(0).as_deref(), Some("<p>html</p>"));
        assert_eq!(msg.attachment(0).unwrap().contents(), b"attached bytes");
        assert_eq!(msg.header_raw("X-Custom").map(str::trim), Some("yes"));
        assert_eq!(msg.message_id(), Some("0100-id-000000@email.amazonses.com"));
        assert!(!carries_eicar(&mime, &[att]));
    }

    #[test]
    fn finds_eicar_in_attachments_bodies_and_encoded_raw_parts() {
        let att = Attachment {
            file_name: "eicar.com".into(),
            raw: EICAR.to_vec(),
            ..Default::default()
        };
        assert!(carries_eicar(b"", std::slice::from_ref(&att)));
        let mime = compose(
            None,
            &address_headers(&out()),
            &Parts {
                subject: "s",
                attachments: &[att],
                ..Default::default()
            },
        );
        // The composed message carries it base64-encoded: found once decoded.
        assert!(find(&mime, EICAR).is_none());
        assert!(carries_eicar(&mime, &[]));
    }

    #[test]
    fn strips_ses_headers_with_their_continuations() {
        let raw = b"From: a@x\r\nX-SES-MESSAGE-TAGS: a=b,\r\n c=d\r\nSubject: s\r\n\r\nX-SES-not-a-header\r\n";
        let out = strip_ses_headers(raw);
        assert_eq!(
            out,
            b"From: a@x\r\nSubject: s\r\n\r\nX-SES-not-a-header\r\n"
        );
    }
}
