//! SES v1's sending actions: `SendEmail`, `SendRawEmail`,
//! `SendTemplatedEmail` and `SendBulkTemplatedEmail`. Each reads its
//! query parameters into the engine's [`SendRequest`], the one SES v2's
//! `SendEmail` and `SendBulkEmail` build, so identities, configuration
//! sets, the simulator, suppression, tracking and events are the same
//! whichever API sent the message.
//!
//! What v1 has and the engine does not use: `ReturnPath` (where SES
//! forwards bounces by mail; mailsight sends none), the sending
//! authorization ARNs and `Charset` (mailsight composes UTF-8).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use mailsight_engine::{Content, SendError, SendRequest, TemplateSource, bulk};

use super::errors::{invalid_parameter, send_error};
use super::{Answer, SesCall};
use crate::query::{Params, Xml};

/// `SendBulkTemplatedEmail` takes at most this many destinations.
const MAX_BULK_DESTINATIONS: usize = 50;

/// `{prefix}.ToAddresses`, `.CcAddresses`, `.BccAddresses`.
struct Destination {
    to: Vec<String>,
    cc: Vec<String>,
    bcc: Vec<String>,
}

fn destination(p: &Params, prefix: &str) -> Destination {
    let list = |member: &str| {
        p.list(&format!("{prefix}.{member}"))
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<String>>()
    };
    Destination {
        to: list("ToAddresses"),
        cc: list("CcAddresses"),
        bcc: list("BccAddresses"),
    }
}

/// A `MessageTagList` (`{prefix}.member.N.Name` / `.Value`); a tag
/// without its name or value is refused.
fn tags(p: &Params, prefix: &str) -> Result<Vec<(String, String)>, crate::error::ApiError> {
    p.items(prefix)
        .iter()
        .map(|item| {
            let name = p.required(&format!("{item}.Name"))?;
            let value = p
                .get(&format!("{item}.Value"))
                .ok_or_else(|| p.missing(&format!("{item}.Value")))?;
            Ok((name.to_owned(), value.to_owned()))
        })
        .collect()
}

/// The request every action starts from: the caller, the optional
/// configuration set and reply-to addresses, and `content`.
fn request(
    c: &SesCall<'_>,
    operation: &'static str,
    from: Option<String>,
    to: Destination,
    content: Content,
    tags: Vec<(String, String)>,
) -> SendRequest {
    let p = c.params;
    SendRequest {
        account_id: c.caller.account_id.clone(),
        caller: c.caller.access_key_id.clone(),
        source_ip: c.source_ip.clone(),
        from,
        to: to.to,
        cc: to.cc,
        bcc: to.bcc,
        reply_to: p
            .list("ReplyToAddresses")
            .into_iter()
            .map(str::to_owned)
            .collect(),
        content,
        tags,
        configuration_set: p
            .get("ConfigurationSetName")
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        list_management: None,
        operation,
        tenant: None,
    }
}

fn message_id(id: &str) -> Answer {
    let mut x = Xml::new();
    x.text("MessageId", id);
    Ok(Some(x.finish()))
}

async fn send(c: &SesCall<'_>, req: SendRequest) -> Answer {
    let id = c.state.engine.send(req).await.map_err(send_error)?;
    message_id(&id)
}

pub async fn send_email(c: &SesCall<'_>) -> Answer {
    let p = c.params;
    let from = p.required("Source")?.to_owned();
    let subject = p.required("Message.Subject.Data")?.to_owned();
    let part = |name: &str| {
        p.get(&format!("Message.Body.{name}.Data"))
            .map(str::to_owned)
    };
    let content = Content::Simple {
        subject,
        text: part("Text"),
        html: part("Html"),
        headers: Vec::new(),
        attachments: Vec::new(),
    };
    let req = request(
        c,
        "SendEmail",
        Some(from),
        destination(p, "Destination"),
        content,
        tags(p, "Tags")?,
    );
    send(c, req).await
}

/// The raw message is sent as given; its `X-SES-CONFIGURATION-SET` and
/// `X-SES-MESSAGE-TAGS` headers count unless the parameters say
/// otherwise, and are stripped, as SES does (the engine reads them, for
/// SES v2's raw content too).
pub async fn send_raw_email(c: &SesCall<'_>) -> Answer {
    let p = c.params;
    let data = p.required("RawMessage.Data")?;
    let bytes = STANDARD
        .decode(data.trim())
        .map_err(|_| invalid_parameter("RawMessage.Data is not valid base64."))?;
    let from = p.get("Source").filter(|s| !s.is_empty()).map(str::to_owned);
    let to = Destination {
        to: p
            .list("Destinations")
            .into_iter()
            .map(str::to_owned)
            .collect(),
        cc: Vec::new(),
        bcc: Vec::new(),
    };
    let req = request(
        c,
        "SendRawEmail",
        from,
        to,
        Content::Raw(bytes),
        tags(p, "Tags")?,
    );
    send(c, req).await
}

/// `Template` names a stored template (the same store as SES v2's
/// `CreateEmailTemplate`); `TemplateData` that does not fit it is a
/// Rendering Failure event later, not an error now.
pub async fn send_templated_email(c: &SesCall<'_>) -> Answer {
    let p = c.params;
    let from = p.required("Source")?.to_owned();
    let template = p.required("Template")?.to_owned();
    let data = p.required("TemplateData")?.to_owned();
    let content = Content::Template {
        source: TemplateSource::Name(template),
        data,
        headers: Vec::new(),
        attachments: Vec::new(),
    };
    let req = request(
        c,
        "SendTemplatedEmail",
        Some(from),
        destination(p, "Destination"),
        content,
        tags(p, "Tags")?,
    );
    send(c, req).await
}

/// `BulkEmailStatus` for a refused destination.
fn bulk_status(e: &SendError) -> &'static str {
    match e {
        SendError::TemplateNotFound(_) => "TemplateDoesNotExist",
        SendError::ConfigurationSetNotFound(_) => "ConfigurationSetDoesNotExist",
        SendError::MessageRejected(_) => "MessageRejected",
        SendError::SendingPaused(_) => "ConfigurationSetSendingPaused",
        SendError::AccountSendingPaused => "AccountSendingPaused",
        SendError::BadRequest(_) | SendError::NotFound(_) => "InvalidParameterValue",
        SendError::Store(_) => "TransientFailure",
        SendError::Internal(_) => "Failed",
    }
}

/// A refusal every destination would share (the account, the set, the
/// template): the whole call fails with it, as SES answers it.
fn shared(e: &SendError) -> bool {
    matches!(
        e,
        SendError::TemplateNotFound(_)
            | SendError::ConfigurationSetNotFound(_)
            | SendError::SendingPaused(_)
            | SendError::AccountSendingPaused
    )
}

/// One `BulkEmailDestinationStatus`.
enum Status {
    Sent(String),
    Refused(&'static str, String),
}

fn statuses_xml(statuses: &[Status]) -> String {
    let mut x = Xml::new();
    x.list("Status", statuses, |x, s| match s {
        Status::Sent(id) => {
            x.text("Status", "Success").text("MessageId", id);
        }
        Status::Refused(status, error) => {
            x.text("Status", status).text("Error", error);
        }
    });
    x.finish()
}

/// One message per destination, each with its own status. Replacement
/// tags override the defaults by name; replacement data that is absent
/// or `{}` falls back to `DefaultTemplateData`.
pub async fn send_bulk_templated_email(c: &SesCall<'_>) -> Answer {
    let p = c.params;
    let from = p.required("Source")?.to_owned();
    let template = p.required("Template")?.to_owned();
    let default_data = p.required("DefaultTemplateData")?.to_owned();
    mailsight_engine::template::parse_data("DefaultTemplateData", &default_data)
        .map_err(invalid_parameter)?;
    let default_tags = tags(p, "DefaultTags")?;
    let entries = p.items("Destinations");
    if entries.is_empty() {
        return Err(p.missing("Destinations"));
    }
    if entries.len() > MAX_BULK_DESTINATIONS {
        return Err(invalid_parameter(format!(
            "Destinations must have 1 to {MAX_BULK_DESTINATIONS} members; it has {}.",
            entries.len()
        )));
    }
    let mut statuses = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let replacement = p
            .get(&format!("{entry}.ReplacementTemplateData"))
            .map(str::to_owned);
        let data = match bulk::entry_data("ReplacementTemplateData", &default_data, replacement) {
            Ok(d) => d,
            Err(m) => {
                statuses.push(Status::Refused("InvalidParameterValue", m));
                continue;
            }
        };
        let own = tags(p, &format!("{entry}.ReplacementTags"))?;
        let req = request(
            c,
            "SendBulkTemplatedEmail",
            Some(from.clone()),
            destination(p, &format!("{entry}.Destination")),
            Content::Template {
                source: TemplateSource::Name(template.clone()),
                data,
                headers: Vec::new(),
                attachments: Vec::new(),
            },
            bulk::merged_tags(&default_tags, own),
        );
        match c.state.engine.send(req).await {
            Ok(id) => statuses.push(Status::Sent(id)),
            Err(e) if i == 0 && shared(&e) => return Err(send_error(e)),
            Err(e) => {
                if matches!(e, SendError::Store(_) | SendError::Internal(_)) {
                    tracing::error!(error = %e, "bulk destination failed");
                }
                statuses.push(Status::Refused(bulk_status(&e), e.to_string()));
            }
        }
    }
    Ok(Some(statuses_xml(&statuses)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::params::Wording;

    fn params(form: &[u8]) -> Params {
        Params::parse_worded(form, Wording::Ses)
    }

    #[test]
    fn destinations_and_tags_read_their_members() {
        let p = params(
            b"Destination.ToAddresses.member.1=a%40x.com&Destination.BccAddresses.member.1=b%40x.com\
              &Tags.member.1.Name=campaign&Tags.member.1.Value=spring&Tags.member.2.Name=empty&Tags.member.2.Value=",
        );
        let d = destination(&p, "Destination");
        assert_eq!(
            (d.to, d.cc, d.bcc),
            (
                vec!["a@x.com".to_owned()],
                vec![],
                vec!["b@x.com".to_owned()]
            )
        );
        assert_eq!(
            tags(&p, "Tags").unwrap(),
            [
                ("campaign".to_owned(), "spring".to_owned()),
                ("empty".to_owned(), String::new())
            ]
        );
        let e = tags(&params(b"Tags.member.1.Name=n"), "Tags").unwrap_err();
        assert_eq!(e.code, "ValidationError");
    }

    #[test]
    fn bulk_statuses_are_members_with_v1_spellings() {
        let xml = statuses_xml(&[
            Status::Sent("id-1".into()),
            Status::Refused(
                bulk_status(&SendError::MessageRejected("no".into())),
                "no".into(),
            ),
        ]);
        assert_eq!(
            xml,
            "<Status><member><Status>Success</Status><MessageId>id-1</MessageId></member>\
             <member><Status>MessageRejected</Status><Error>no</Error></member></Status>"
        );
        assert_eq!(
            bulk_status(&SendError::TemplateNotFound("t".into())),
            "TemplateDoesNotExist"
        );
        assert!(shared(&SendError::AccountSendingPaused));
        assert!(!shared(&SendError::BadRequest("x".into())));
    }

    #[test]
    fn send_errors_have_v1_codes() {
        let code = |e| send_error(e).code;
        assert_eq!(
            code(SendError::AccountSendingPaused),
            "AccountSendingPausedException"
        );
        assert_eq!(
            code(SendError::ConfigurationSetNotFound("s".into())),
            "ConfigurationSetDoesNotExist"
        );
        assert_eq!(
            code(SendError::TemplateNotFound("t".into())),
            "TemplateDoesNotExist"
        );
        assert_eq!(
            code(SendError::SendingPaused("p".into())),
            "ConfigurationSetSendingPausedException"
        );
        assert_eq!(
            code(SendError::BadRequest("b".into())),
            "InvalidParameterValue"
        );
        assert_eq!(
            code(SendError::MessageRejected("m".into())),
            "MessageRejected"
        );
        assert_eq!(
            send_error(SendError::TemplateNotFound("t".into())).status,
            400
        );
    }
}
