//! Custom verification email templates through SES v2 (the SDK) and SES v1
//! (the query protocol) on one store, and SendCustomVerificationEmail
//! through both.

use crate::common::*;

async fn v1(url: &str, params: &[(&str, &str)]) -> (u16, String) {
    query_as(url, "ses", "2010-12-01", params).await
}

#[tokio::test]
async fn templates_are_one_store_for_both_apis_and_sending_creates_the_identity() {
    let t = start().await;
    let url = t.server.url();
    let c = t.client();
    let create = || {
        c.create_custom_verification_email_template()
            .template_name("welcome")
            .from_email_address("sender@example.com")
            .template_subject("Please confirm")
            .template_content("<p>Confirm your address</p>")
            .success_redirection_url("https://example.com/ok")
            .failure_redirection_url("https://example.com/fail")
    };
    // The sender must be verified first.
    let err = create().send().await.unwrap_err();
    assert_eq!(
        err.into_service_error().meta().code(),
        Some("NotFoundException")
    );
    verify_domain(&c).await;
    create().send().await.unwrap();
    let err = create().send().await.unwrap_err();
    assert_eq!(
        err.into_service_error().meta().code(),
        Some("AlreadyExistsException")
    );
    let bad = c
        .create_custom_verification_email_template()
        .template_name("scripted")
        .from_email_address("sender@example.com")
        .template_subject("s")
        .template_content("<script>alert(1)</script>")
        .success_redirection_url("https://example.com/ok")
        .failure_redirection_url("https://example.com/fail")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        bad.into_service_error().meta().code(),
        Some("BadRequestException")
    );

    let got = c
        .get_custom_verification_email_template()
        .template_name("welcome")
        .send()
        .await
        .unwrap();
    assert_eq!(got.template_subject(), Some("Please confirm"));
    assert_eq!(
        got.success_redirection_url(),
        Some("https://example.com/ok")
    );
    let listed = c
        .list_custom_verification_email_templates()
        .send()
        .await
        .unwrap();
    let names: Vec<_> = listed
        .custom_verification_email_templates()
        .iter()
        .map(|t| t.template_name().unwrap_or_default())
        .collect();
    assert_eq!(names, ["welcome"]);

    // SES v1 sees it, and changes one member only.
    let (status, body) = v1(
        &url,
        &[
            ("Action", "GetCustomVerificationEmailTemplate"),
            ("TemplateName", "welcome"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        xml_text(&body, "TemplateSubject").as_deref(),
        Some("Please confirm")
    );
    let (status, body) = v1(
        &url,
        &[
            ("Action", "UpdateCustomVerificationEmailTemplate"),
            ("TemplateName", "welcome"),
            ("TemplateSubject", "Confirm, please"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let got = c
        .get_custom_verification_email_template()
        .template_name("welcome")
        .send()
        .await
        .unwrap();
    assert_eq!(got.template_subject(), Some("Confirm, please"));
    assert_eq!(got.template_content(), Some("<p>Confirm your address</p>"));
    let (_, body) = v1(&url, &[("Action", "ListCustomVerificationEmailTemplates")]).await;
    assert_eq!(xml_texts(&body, "TemplateName"), ["welcome"]);

    // Sending: a message id, and the address becomes an identity.
    let sent = c
        .send_custom_verification_email()
        .email_address("new.user@example.net")
        .template_name("welcome")
        .send()
        .await
        .unwrap();
    assert!(sent.message_id().is_some_and(|id| id.ends_with("-000000")));
    let identity = c
        .get_email_identity()
        .email_identity("new.user@example.net")
        .send()
        .await
        .unwrap();
    assert_eq!(
        identity.identity_type().map(|t| t.as_str()),
        Some("EMAIL_ADDRESS")
    );
    let err = c
        .send_custom_verification_email()
        .email_address("x@example.net")
        .template_name("missing")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.into_service_error().meta().code(),
        Some("NotFoundException")
    );
    let (status, body) = v1(
        &url,
        &[
            ("Action", "SendCustomVerificationEmail"),
            ("EmailAddress", "y@example.net"),
            ("TemplateName", "welcome"),
            ("ConfigurationSetName", "no-such-set"),
        ],
    )
    .await;
    assert_eq!(
        (status, xml_text(&body, "Code").as_deref()),
        (400, Some("ConfigurationSetDoesNotExist")),
        "{body}"
    );
    let (status, body) = v1(
        &url,
        &[
            ("Action", "SendCustomVerificationEmail"),
            ("EmailAddress", "y@example.net"),
            ("TemplateName", "welcome"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(xml_text(&body, "MessageId").is_some(), "{body}");

    // Deleted through v1, gone for v2; deleting again is fine in v1, not in v2.
    for _ in 0..2 {
        let (status, body) = v1(
            &url,
            &[
                ("Action", "DeleteCustomVerificationEmailTemplate"),
                ("TemplateName", "welcome"),
            ],
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
    let err = c
        .get_custom_verification_email_template()
        .template_name("welcome")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.into_service_error().meta().code(),
        Some("NotFoundException")
    );
    let (status, body) = v1(
        &url,
        &[
            ("Action", "GetCustomVerificationEmailTemplate"),
            ("TemplateName", "welcome"),
        ],
    )
    .await;
    assert_eq!(
        (status, xml_text(&body, "Code").as_deref()),
        (400, Some("CustomVerificationEmailTemplateDoesNotExist"))
    );
    let err = c
        .delete_custom_verification_email_template()
        .template_name("welcome")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.into_service_error().meta().code(),
        Some("NotFoundException")
    );
}
