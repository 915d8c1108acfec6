//! SES v1's sending actions (`SendEmail`, `SendRawEmail`,
//! `SendTemplatedEmail`, `SendBulkTemplatedEmail`), signed query calls
//! over real HTTP, checked through SES v2's `GetMessageInsights` with
//! `aws-sdk-sesv2`: one engine, so the same events as a v2 send.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::common::*;
use crate::ses_v1::{ok, refused};

const SUCCESS: &str = "success@simulator.amazonses.com";
const BOUNCE: &str = "bounce@simulator.amazonses.com";

fn tags_of(
    out: &aws_sdk_sesv2::operation::get_message_insights::GetMessageInsightsOutput,
) -> Vec<(String, String)> {
    out.email_tags()
        .iter()
        .map(|t| (t.name().to_owned(), t.value().to_owned()))
        .collect()
}

fn has(tags: &[(String, String)], name: &str, value: &str) -> bool {
    tags.iter().any(|(n, v)| n == name && v == value)
}

#[tokio::test]
async fn ses_v1_send_email_makes_the_events_ses_v2_reports() {
    let t = start().await;
    let url = t.server.url();
    let c = t.client();
    // The identity is verified through v1 and used by both.
    let body = ok(&url, "VerifyDomainIdentity", &[("Domain", "example.com")]).await;
    assert!(xml_text(&body, "VerificationToken").is_some_and(|t| !t.is_empty()));

    let body = ok(
        &url,
        "SendEmail",
        &[
            ("Source", "sender@example.com"),
            ("Destination.ToAddresses.member.1", SUCCESS),
            ("Destination.CcAddresses.member.1", BOUNCE),
            ("Message.Subject.Data", "Hello from v1"),
            ("Message.Subject.Charset", "UTF-8"),
            ("Message.Body.Text.Data", "plain"),
            ("Message.Body.Html.Data", "<p>html</p>"),
            ("ReplyToAddresses.member.1", "replies@example.com"),
            ("ReturnPath", "bounces@example.com"),
            ("Tags.member.1.Name", "campaign"),
            ("Tags.member.1.Value", "v1"),
        ],
    )
    .await;
    let id = xml_text(&body, "MessageId").unwrap();
    assert!(id.ends_with("-000000"), "{id}");
    let out = insights_with_events(&c, &id, 2).await;
    assert_eq!(out.subject(), Some("Hello from v1"));
    assert_eq!(out.from_email_address(), Some("sender@example.com"));
    assert_eq!(
        types_by_recipient(&out),
        vec![
            (
                SUCCESS.to_owned(),
                vec!["SEND".to_owned(), "DELIVERY".to_owned()]
            ),
            (
                BOUNCE.to_owned(),
                vec!["SEND".to_owned(), "BOUNCE".to_owned()]
            ),
        ]
    );
    let tags = tags_of(&out);
    assert!(has(&tags, "campaign", "v1"), "{tags:?}");
    assert!(has(&tags, "ses:operation", "SendEmail"), "{tags:?}");

    // The same message through v2 gives the same lifecycle.
    let v2 = send_to(&c, &[SUCCESS, BOUNCE]).await;
    let v2 = insights_with_events(&c, &v2, 2).await;
    assert_eq!(types_by_recipient(&v2), types_by_recipient(&out));
    t.server.stop().await.unwrap();
}

#[tokio::test]
async fn ses_v1_send_raw_email_honours_the_ses_headers() {
    let t = start().await;
    let url = t.server.url();
    let c = t.client();
    verify_domain(&c).await;
    ok(
        &url,
        "CreateConfigurationSet",
        &[("ConfigurationSet.Name", "raw-set")],
    )
    .await;
    let mime = format!(
        "From: sender@example.com\r\nTo: {SUCCESS}\r\nSubject: Raw v1\r\n\
         X-SES-CONFIGURATION-SET: raw-set\r\nX-SES-MESSAGE-TAGS: source=raw, kind=test\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nraw body\r\n"
    );
    let data = STANDARD.encode(&mime);
    let body = ok(&url, "SendRawEmail", &[("RawMessage.Data", &data)]).await;
    let id = xml_text(&body, "MessageId").unwrap();
    let out = insights_with_events(&c, &id, 2).await;
    assert_eq!(out.subject(), Some("Raw v1"));
    let tags = tags_of(&out);
    assert!(has(&tags, "ses:configuration-set", "raw-set"), "{tags:?}");
    assert!(
        has(&tags, "source", "raw") && has(&tags, "kind", "test"),
        "{tags:?}"
    );
    assert!(has(&tags, "ses:operation", "SendRawEmail"), "{tags:?}");

    // Destinations and Tags parameters win over the headers.
    let body = ok(
        &url,
        "SendRawEmail",
        &[
            ("RawMessage.Data", &data),
            ("Source", "sender@example.com"),
            ("Destinations.member.1", BOUNCE),
            ("Tags.member.1.Name", "api"),
            ("Tags.member.1.Value", "1"),
        ],
    )
    .await;
    let out = insights_with_events(&c, &xml_text(&body, "MessageId").unwrap(), 2).await;
    assert_eq!(
        types_by_recipient(&out),
        vec![(
            BOUNCE.to_owned(),
            vec!["SEND".to_owned(), "BOUNCE".to_owned()]
        )]
    );
    let tags = tags_of(&out);
    assert!(
        has(&tags, "api", "1") && !has(&tags, "source", "raw"),
        "{tags:?}"
    );

    // A header naming a missing set is refused in v1's words.
    let missing = STANDARD.encode(mime.replace("raw-set", "no-such-set"));
    let code = refused(&url, "SendRawEmail", &[("RawMessage.Data", &missing)], 400).await;
    assert_eq!(code, "ConfigurationSetDoesNotExist");
    let code = refused(&url, "SendRawEmail", &[("RawMessage.Data", "!!")], 400).await;
    assert_eq!(code, "InvalidParameterValue");

    // A set with sending turned off through v1 refuses both APIs' mail.
    ok(
        &url,
        "UpdateConfigurationSetSendingEnabled",
        &[("ConfigurationSetName", "raw-set"), ("Enabled", "false")],
    )
    .await;
    let code = refused(&url, "SendRawEmail", &[("RawMessage.Data", &data)], 400).await;
    assert_eq!(code, "ConfigurationSetSendingPausedException");
    let err = c
        .send_email()
        .from_email_address("sender@example.com")
        .destination(to(&[SUCCESS]))
        .content(simple("Paused set"))
        .configuration_set_name("raw-set")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_sending_paused_exception());
    t.server.stop().await.unwrap();
}

#[tokio::test]
async fn ses_v1_templated_and_bulk_sends_render_stored_templates() {
    let t = start().await;
    let url = t.server.url();
    let c = t.client();
    verify_domain(&c).await;
    ok(
        &url,
        "CreateTemplate",
        &[
            ("Template.TemplateName", "greeting"),
            ("Template.SubjectPart", "Hello {{name}}"),
            ("Template.TextPart", "Hi {{name}}"),
        ],
    )
    .await;
    let body = ok(
        &url,
        "SendTemplatedEmail",
        &[
            ("Source", "sender@example.com"),
            ("Destination.ToAddresses.member.1", SUCCESS),
            ("Template", "greeting"),
            ("TemplateData", r#"{"name":"Ada"}"#),
        ],
    )
    .await;
    let out = insights_with_events(&c, &xml_text(&body, "MessageId").unwrap(), 2).await;
    assert_eq!(out.subject(), Some("Hello Ada"));
    assert!(has(&tags_of(&out), "ses:operation", "SendTemplatedEmail"));

    let body = ok(
        &url,
        "SendBulkTemplatedEmail",
        &[
            ("Source", "sender@example.com"),
            ("Template", "greeting"),
            ("DefaultTemplateData", r#"{"name":"everyone"}"#),
            ("DefaultTags.member.1.Name", "batch"),
            ("DefaultTags.member.1.Value", "b1"),
            (
                "Destinations.member.1.Destination.ToAddresses.member.1",
                SUCCESS,
            ),
            (
                "Destinations.member.1.ReplacementTemplateData",
                r#"{"name":"Grace"}"#,
            ),
            (
                "Destinations.member.1.ReplacementTags.member.1.Name",
                "batch",
            ),
            ("Destinations.member.1.ReplacementTags.member.1.Value", "b2"),
            (
                "Destinations.member.2.Destination.ToAddresses.member.1",
                BOUNCE,
            ),
            ("Destinations.member.2.ReplacementTemplateData", "{}"),
            (
                "Destinations.member.3.Destination.ToAddresses.member.1",
                "not an address",
            ),
        ],
    )
    .await;
    let statuses = xml_texts(&body, "member");
    assert_eq!(statuses.len(), 3, "{body}");
    assert_eq!(xml_text(&statuses[0], "Status").as_deref(), Some("Success"));
    assert_eq!(xml_text(&statuses[1], "Status").as_deref(), Some("Success"));
    assert_eq!(
        xml_text(&statuses[2], "Status").as_deref(),
        Some("InvalidParameterValue")
    );
    assert!(xml_text(&statuses[2], "Error").is_some());
    let first = insights_with_events(&c, &xml_text(&statuses[0], "MessageId").unwrap(), 2).await;
    assert_eq!(first.subject(), Some("Hello Grace"));
    let tags = tags_of(&first);
    assert!(has(&tags, "batch", "b2"), "{tags:?}");
    assert!(
        has(&tags, "ses:operation", "SendBulkTemplatedEmail"),
        "{tags:?}"
    );
    let second = insights_with_events(&c, &xml_text(&statuses[1], "MessageId").unwrap(), 2).await;
    assert_eq!(second.subject(), Some("Hello everyone"));
    assert!(has(&tags_of(&second), "batch", "b1"));
    assert_eq!(
        types_by_recipient(&second),
        vec![(
            BOUNCE.to_owned(),
            vec!["SEND".to_owned(), "BOUNCE".to_owned()]
        )]
    );

    // Data the template needs but lacks: accepted, then a Rendering
    // Failure event and nothing else, as through SES v2.
    let body = ok(
        &url,
        "SendTemplatedEmail",
        &[
            ("Source", "sender@example.com"),
            ("Destination.ToAddresses.member.1", SUCCESS),
            ("Template", "greeting"),
            ("TemplateData", "{}"),
        ],
    )
    .await;
    let failed = insights_with_events(&c, &xml_text(&body, "MessageId").unwrap(), 1).await;
    assert_eq!(
        types_by_recipient(&failed),
        vec![(SUCCESS.to_owned(), vec!["RENDERING_FAILURE".to_owned()])]
    );

    // An unknown template refuses the whole call.
    for action in ["SendTemplatedEmail", "SendBulkTemplatedEmail"] {
        let code = refused(
            &url,
            action,
            &[
                ("Source", "sender@example.com"),
                ("Destination.ToAddresses.member.1", SUCCESS),
                (
                    "Destinations.member.1.Destination.ToAddresses.member.1",
                    SUCCESS,
                ),
                ("Template", "missing"),
                ("TemplateData", "{}"),
                ("DefaultTemplateData", "{}"),
            ],
            400,
        )
        .await;
        assert_eq!(code, "TemplateDoesNotExist", "{action}");
    }
    t.server.stop().await.unwrap();
}

#[tokio::test]
async fn ses_v1_send_errors_carry_v1_codes() {
    let t = start().await;
    let url = t.server.url();
    let c = t.client();
    verify_domain(&c).await;
    let send = |from: &'static str, to: &'static str| {
        let url = url.clone();
        async move {
            let mut params = vec![
                ("Message.Subject.Data", "x"),
                ("Message.Body.Text.Data", "x"),
            ];
            if !from.is_empty() {
                params.push(("Source", from));
            }
            if !to.is_empty() {
                params.push(("Destination.ToAddresses.member.1", to));
            }
            refused(&url, "SendEmail", &params, 400).await
        }
    };
    assert_eq!(
        send("someone@unverified.test", SUCCESS).await,
        "MessageRejected"
    );
    assert_eq!(send("", SUCCESS).await, "ValidationError");
    assert_eq!(
        send("sender@example.com", "").await,
        "InvalidParameterValue"
    );
    let code = refused(
        &url,
        "SendEmail",
        &[
            ("Source", "sender@example.com"),
            ("Destination.ToAddresses.member.1", SUCCESS),
            ("Message.Subject.Data", "x"),
            ("ConfigurationSetName", "nope"),
        ],
        400,
    )
    .await;
    assert_eq!(code, "ConfigurationSetDoesNotExist");
    ok(&url, "UpdateAccountSendingEnabled", &[("Enabled", "false")]).await;
    assert_eq!(
        send("sender@example.com", SUCCESS).await,
        "AccountSendingPausedException"
    );
    t.server.stop().await.unwrap();
}
