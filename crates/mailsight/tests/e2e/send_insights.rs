//! Sending through the SDK and reading each recipient's fate back from
//! GetMessageInsights: the five simulator addresses, their `+label` forms,
//! rule-driven delays, raw MIME and the SES-exact insights mode.

use aws_sdk_sesv2::primitives::Blob;
use aws_sdk_sesv2::types::{BounceType, EmailContent, MessageTag, RawMessage};
use mailsight::config::Config;
use mailsight_engine::config::{DelayEnd, Rule, RuleOutcome};

use crate::common::*;

const SUCCESS: &str = "success@simulator.amazonses.com";
const BOUNCE: &str = "bounce@simulator.amazonses.com";
const COMPLAINT: &str = "complaint@simulator.amazonses.com";
const OOTO: &str = "ooto@simulator.amazonses.com";
const SUPPRESSED: &str = "suppressionlist@simulator.amazonses.com";

#[tokio::test]
async fn each_simulator_address_produces_its_events() {
    let t = start().await;
    let c = t.client();
    verify_domain(&c).await;
    let cases: [(&str, &[&str]); 6] = [
        (SUCCESS, &["SEND", "DELIVERY"]),
        (BOUNCE, &["SEND", "BOUNCE"]),
        (COMPLAINT, &["SEND", "DELIVERY", "COMPLAINT"]),
        (OOTO, &["SEND", "DELIVERY"]),
        (SUPPRESSED, &["SEND", "BOUNCE"]),
        ("bounce+run-42@simulator.amazonses.com", &["SEND", "BOUNCE"]),
    ];
    for (address, expected) in cases {
        let id = send_to(&c, &[address]).await;
        let out = insights_with_events(&c, &id, expected.len()).await;
        assert_eq!(out.message_id(), Some(id.as_str()));
        assert_eq!(out.from_email_address(), Some("sender@example.com"));
        assert_eq!(out.subject(), Some("Hi"));
        assert_eq!(
            types_by_recipient(&out),
            [(
                address.to_owned(),
                expected.iter().map(|s| s.to_string()).collect()
            )]
        );
        let events = out.insights()[0].events();
        // Timestamps strictly increase along the lifecycle.
        for pair in events.windows(2) {
            assert!(
                pair[0].timestamp().unwrap().as_secs_f64()
                    < pair[1].timestamp().unwrap().as_secs_f64(),
                "{address}"
            );
        }
        assert_eq!(
            out.insights()[0].isp(),
            Some("Amazon SES Mailbox Simulator")
        );
    }

    let id = send_to(&c, &[BOUNCE]).await;
    let out = insights_with_events(&c, &id, 2).await;
    let bounce = out.insights()[0].events()[1]
        .details()
        .unwrap()
        .bounce()
        .unwrap();
    assert_eq!(bounce.bounce_type(), Some(&BounceType::Permanent));
    assert_eq!(bounce.bounce_sub_type(), Some("GENERAL"));
    assert_eq!(
        bounce.diagnostic_code(),
        Some("smtp; 550 5.1.1 user unknown")
    );

    let id = send_to(&c, &[SUPPRESSED]).await;
    let out = insights_with_events(&c, &id, 2).await;
    let bounce = out.insights()[0].events()[1]
        .details()
        .unwrap()
        .bounce()
        .unwrap();
    assert_eq!(bounce.bounce_sub_type(), Some("SUPPRESSED"));

    let id = send_to(&c, &[COMPLAINT]).await;
    let out = insights_with_events(&c, &id, 3).await;
    let complaint = out.insights()[0].events()[2]
        .details()
        .unwrap()
        .complaint()
        .unwrap();
    assert_eq!(complaint.complaint_feedback_type(), Some("abuse"));
    assert!(
        out.insights()[0].events()[1].details().is_none(),
        "a delivery has no details"
    );
}

#[tokio::test]
async fn every_recipient_is_classified_on_its_own() {
    let t = start().await;
    let c = t.client();
    verify_domain(&c).await;
    let id = c
        .send_email()
        .from_email_address("Sender Name <sender@example.com>")
        .destination(
            aws_sdk_sesv2::types::Destination::builder()
                .to_addresses(SUCCESS)
                .cc_addresses(BOUNCE)
                .bcc_addresses("someone@gmail.com")
                .build(),
        )
        .content(simple("Mixed"))
        .email_tags(
            MessageTag::builder()
                .name("campaign")
                .value("spring-1")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .message_id
        .unwrap();
    let out = insights_with_events(&c, &id, 2).await;
    assert_eq!(
        types_by_recipient(&out),
        [
            (
                SUCCESS.to_owned(),
                vec!["SEND".to_owned(), "DELIVERY".to_owned()]
            ),
            (
                BOUNCE.to_owned(),
                vec!["SEND".to_owned(), "BOUNCE".to_owned()]
            ),
            (
                "someone@gmail.com".to_owned(),
                vec!["SEND".to_owned(), "DELIVERY".to_owned()]
            ),
        ]
    );
    assert_eq!(out.insights()[2].isp(), Some("Gmail"));
    // The message's own tags, then SES's auto-tags, as insights list them.
    let tags: Vec<_> = out
        .email_tags()
        .iter()
        .map(|t| (t.name(), t.value()))
        .collect();
    assert!(tags.contains(&("campaign", "spring-1")), "{tags:?}");
    assert!(tags.contains(&("ses:operation", "SendEmail")), "{tags:?}");
    assert!(
        tags.contains(&("ses:from-domain", "example.com")),
        "{tags:?}"
    );
}

fn delay_rules(config: &mut Config) {
    config.simulator.rules = vec![
        Rule {
            pattern: "late@*".into(),
            outcome: RuleOutcome::Delay {
                delay_type: "MailboxFull".into(),
                status: "4.2.2".into(),
                diagnostic_code: "smtp; 452 4.2.2 mailbox full".into(),
                then: DelayEnd::Deliver,
            },
        },
        Rule {
            pattern: "gone.test".into(),
            outcome: RuleOutcome::Delay {
                delay_type: "RecipientServerError".into(),
                status: "4.4.7".into(),
                diagnostic_code: "smtp; 421 4.4.7 try later".into(),
                then: DelayEnd::Expire,
            },
        },
        Rule {
            pattern: "*@nobody.test".into(),
            outcome: RuleOutcome::Bounce {
                bounce_type: "Permanent".into(),
                bounce_sub_type: "NoEmail".into(),
                status: "5.1.1".into(),
                diagnostic_code: "smtp; 550 no such user".into(),
            },
        },
        Rule {
            pattern: "*@angry.test".into(),
            outcome: RuleOutcome::Complaint {
                feedback_type: "fraud".into(),
            },
        },
    ];
}

#[tokio::test]
async fn config_rules_drive_delays_bounces_and_complaints() {
    let t = start_with(delay_rules).await;
    let c = t.client();
    verify_domain(&c).await;

    let id = send_to(&c, &["late@example.net"]).await;
    let out = insights_with_events(&c, &id, 3).await;
    assert_eq!(
        types_by_recipient(&out)[0].1,
        ["SEND", "DELIVERY_DELAY", "DELIVERY"]
    );

    let id = send_to(&c, &["x@mx.gone.test"]).await;
    let out = insights_with_events(&c, &id, 3).await;
    assert_eq!(
        types_by_recipient(&out)[0].1,
        ["SEND", "DELIVERY_DELAY", "BOUNCE"]
    );
    let bounce = out.insights()[0].events()[2]
        .details()
        .unwrap()
        .bounce()
        .unwrap();
    assert_eq!(bounce.bounce_type(), Some(&BounceType::Transient));
    assert_eq!(bounce.bounce_sub_type(), Some("GENERAL"));

    let id = send_to(&c, &["a@nobody.test"]).await;
    let out = insights_with_events(&c, &id, 2).await;
    let bounce = out.insights()[0].events()[1]
        .details()
        .unwrap()
        .bounce()
        .unwrap();
    assert_eq!(bounce.bounce_sub_type(), Some("NO_EMAIL"));
    assert_eq!(bounce.diagnostic_code(), Some("smtp; 550 no such user"));

    let id = send_to(&c, &["a@angry.test"]).await;
    let out = insights_with_events(&c, &id, 3).await;
    let complaint = out.insights()[0].events()[2]
        .details()
        .unwrap()
        .complaint()
        .unwrap();
    assert_eq!(complaint.complaint_feedback_type(), Some("fraud"));
}

#[tokio::test]
async fn raw_mime_honours_ses_headers() {
    let t = start().await;
    let c = t.client();
    verify_domain(&c).await;
    c.create_configuration_set()
        .configuration_set_name("from-header")
        .send()
        .await
        .unwrap();
    let mime = "From: Raw Sender <raw@example.com>\r\n\
                To: success@simulator.amazonses.com\r\n\
                Cc: bounce@simulator.amazonses.com\r\n\
                Subject: Raw hello\r\n\
                X-SES-CONFIGURATION-SET: from-header\r\n\
                X-SES-MESSAGE-TAGS: campaign=launch, tier=gold\r\n\
                MIME-Version: 1.0\r\n\
                Content-Type: text/plain; charset=utf-8\r\n\r\n\
                Body text\r\n";
    let id = c
        .send_email()
        .content(
            EmailContent::builder()
                .raw(RawMessage::builder().data(Blob::new(mime)).build().unwrap())
                .build(),
        )
        .send()
        .await
        .unwrap()
        .message_id
        .unwrap();
    let out = insights_with_events(&c, &id, 2).await;
    assert_eq!(out.subject(), Some("Raw hello"));
    assert_eq!(out.from_email_address(), Some("raw@example.com"));
    let tags: Vec<_> = out
        .email_tags()
        .iter()
        .map(|t| (t.name(), t.value()))
        .filter(|(n, _)| !n.starts_with("ses:"))
        .collect();
    assert_eq!(tags, [("campaign", "launch"), ("tier", "gold")]);
    assert!(
        out.email_tags()
            .iter()
            .any(|t| t.name() == "ses:configuration-set" && t.value() == "from-header"),
        "the auto-tag names the set"
    );
    let recipients: Vec<_> = out
        .insights()
        .iter()
        .map(|i| i.destination().unwrap())
        .collect();
    assert_eq!(recipients, [SUCCESS, BOUNCE]);

    // The header names a set that does not exist: refused as SES refuses.
    let bad = mime.replace("from-header", "missing-set");
    let err = c
        .send_email()
        .content(
            EmailContent::builder()
                .raw(RawMessage::builder().data(Blob::new(bad)).build().unwrap())
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_found_exception());

    let garbage = c
        .send_email()
        .content(
            EmailContent::builder()
                .raw(
                    RawMessage::builder()
                        .data(Blob::new("no headers here"))
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert!(garbage.into_service_error().is_bad_request_exception());
}

#[tokio::test]
async fn sending_errors() {
    let t = start().await;
    let c = t.client();
    // No identity yet: refused like SES refuses an unverified sender.
    let err = c
        .send_email()
        .from_email_address("sender@example.com")
        .destination(to(&[SUCCESS]))
        .content(simple("x"))
        .send()
        .await
        .unwrap_err();
    let err = err.into_service_error();
    assert!(err.is_message_rejected(), "{err:?}");
    assert!(
        err.meta()
            .message()
            .unwrap()
            .contains("Email address is not verified")
    );

    verify_domain(&c).await;
    // A subdomain of a verified domain may send too.
    send_to_from(&c, "x@mail.example.com").await.unwrap();
    let err = send_to_from(&c, "x@example.org").await.unwrap_err();
    assert!(err.into_service_error().is_message_rejected());

    let err = c
        .send_email()
        .from_email_address("sender@example.com")
        .destination(to(&[SUCCESS]))
        .content(simple("x"))
        .configuration_set_name("does-not-exist")
        .send()
        .await
        .unwrap_err();
    let err = err.into_service_error();
    assert!(err.is_not_found_exception());
    assert_eq!(
        err.meta().message(),
        Some("Configuration set <does-not-exist> does not exist.")
    );

    let err = c
        .send_email()
        .from_email_address("sender@example.com")
        .content(simple("x"))
        .send()
        .await
        .unwrap_err();
    assert!(
        err.into_service_error().is_bad_request_exception(),
        "no recipients"
    );

    let err = c
        .send_email()
        .from_email_address("sender@example.com")
        .destination(to(&[SUCCESS]))
        .content(simple("x"))
        .email_tags(
            MessageTag::builder()
                .name("bad tag")
                .value("v")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err();
    assert!(
        err.into_service_error().is_bad_request_exception(),
        "bad tag"
    );

    let err = c
        .send_email()
        .from_email_address("sender@example.com")
        .destination(to(&[SUCCESS]))
        .content(
            EmailContent::builder()
                .template(
                    aws_sdk_sesv2::types::Template::builder()
                        .template_name("t")
                        .template_data("{}")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert!(
        err.into_service_error().is_not_found_exception(),
        "no template named t"
    );

    let err = c
        .get_message_insights()
        .message_id("0100-unknown-000000")
        .send()
        .await
        .unwrap_err();
    let err = err.into_service_error();
    assert!(err.is_not_found_exception());
    assert_eq!(
        err.meta().message(),
        Some("Message 0100-unknown-000000 not found for account 000000000000")
    );
}

async fn send_to_from(
    c: &aws_sdk_sesv2::Client,
    from: &str,
) -> Result<(), aws_sdk_sesv2::error::SdkError<aws_sdk_sesv2::operation::send_email::SendEmailError>>
{
    c.send_email()
        .from_email_address(from)
        .destination(to(&[SUCCESS]))
        .content(simple("x"))
        .send()
        .await
        .map(|_| ())
}

#[tokio::test]
async fn unverified_senders_can_be_allowed() {
    let t = start_with(|c| c.sending.require_verified_identity = false).await;
    let c = t.client();
    let id = send_to(&c, &[SUCCESS]).await;
    insights_with_events(&c, &id, 2).await;
}

#[tokio::test]
async fn ses_exact_mode_hides_what_ses_hides() {
    let t = start_with(|c| c.insights.ses_exact = true).await;
    let c = t.client();
    verify_domain(&c).await;

    // Simulator recipient: SES keeps the send, drops delivery and bounce.
    let id = send_to(&c, &[BOUNCE]).await;
    let both = send_to(&c, &["a@gmail.com", "b@yahoo.com"]).await;
    let single = send_to(&c, &["a@gmail.com"]).await;
    let out = insights_with_events(&c, &single, 2).await;
    assert_eq!(types_by_recipient(&out)[0].1, ["SEND", "DELIVERY"]);
    let out = c
        .get_message_insights()
        .message_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(types_by_recipient(&out)[0].1, ["SEND"]);
    // Multi-recipient: only the sends.
    let out = c
        .get_message_insights()
        .message_id(&both)
        .send()
        .await
        .unwrap();
    assert!(
        types_by_recipient(&out).iter().all(|(_, t)| t == &["SEND"]),
        "{out:?}"
    );
}

#[tokio::test]
async fn account_counts_sends() {
    let t = start().await;
    let c = t.client();
    verify_domain(&c).await;
    send_to(&c, &[SUCCESS]).await;
    send_to(&c, &[SUCCESS]).await;
    let account = c.get_account().send().await.unwrap();
    assert!(account.production_access_enabled());
    assert!(account.sending_enabled());
    assert_eq!(account.send_quota().unwrap().sent_last24_hours(), 2.0);
}
