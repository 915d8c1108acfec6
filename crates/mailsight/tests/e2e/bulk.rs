//! SendBulkEmail through the SDK, and templated SendEmail's request checks.

use aws_sdk_sesv2::types::{
    BulkEmailContent, BulkEmailEntry, BulkEmailStatus, EmailContent, EmailTemplateContent,
    ListManagementOptions, MessageTag, ReplacementEmailContent, ReplacementTemplate, Template,
};

use crate::common::*;

fn tag(name: &str, value: &str) -> MessageTag {
    MessageTag::builder()
        .name(name)
        .value(value)
        .build()
        .unwrap()
}

fn entry(address: &str, data: Option<&str>) -> BulkEmailEntry {
    let mut e = BulkEmailEntry::builder()
        .destination(to(&[address]))
        .replacement_tags(tag("campaign", "spring"));
    if let Some(d) = data {
        e = e.replacement_email_content(
            ReplacementEmailContent::builder()
                .replacement_template(
                    ReplacementTemplate::builder()
                        .replacement_template_data(d)
                        .build(),
                )
                .build(),
        );
    }
    e.build()
}

fn by_name(name: &str, data: &str) -> BulkEmailContent {
    BulkEmailContent::builder()
        .template(
            Template::builder()
                .template_name(name)
                .template_data(data)
                .build(),
        )
        .build()
}

async fn create_template(c: &aws_sdk_sesv2::Client) {
    c.create_email_template()
        .template_name("greeting")
        .template_content(
            EmailTemplateContent::builder()
                .subject("Hi {{name}}")
                .text("Hello {{name}}")
                .build(),
        )
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn bulk_send_succeeds_per_entry() {
    let t = start().await;
    let c = t.client();
    verify_domain(&c).await;
    create_template(&c).await;
    let out = c
        .send_bulk_email()
        .from_email_address("sender@example.com")
        .default_content(by_name("greeting", r#"{"name":"friend"}"#))
        .default_email_tags(tag("campaign", "default"))
        .default_email_tags(tag("team", "growth"))
        .bulk_email_entries(entry(
            "success@simulator.amazonses.com",
            Some(r#"{"name":"Ann"}"#),
        ))
        .bulk_email_entries(entry("a@example.net", Some("{}")))
        .bulk_email_entries(entry("b@example.net", None))
        .send()
        .await
        .unwrap();
    let results = out.bulk_email_entry_results();
    assert_eq!(results.len(), 3);
    let mut ids = Vec::new();
    for r in results {
        assert_eq!(r.status(), Some(&BulkEmailStatus::Success), "{r:?}");
        ids.push(r.message_id().unwrap().to_owned());
    }
    ids.dedup();
    assert_eq!(ids.len(), 3, "one message per entry");
    let insights = insights_with_events(&c, &ids[0], 1).await;
    assert_eq!(insights.subject(), Some("Hi Ann"));
    let tags: Vec<(String, String)> = insights
        .email_tags()
        .iter()
        .map(|t| (t.name().to_owned(), t.value().to_owned()))
        .collect();
    assert!(
        tags.contains(&("campaign".into(), "spring".into())),
        "{tags:?}"
    );
    assert!(tags.contains(&("team".into(), "growth".into())), "{tags:?}");
}

#[tokio::test]
async fn bulk_send_with_a_missing_template_fails_each_entry() {
    let t = start().await;
    let c = t.client();
    verify_domain(&c).await;
    let out = c
        .send_bulk_email()
        .from_email_address("sender@example.com")
        .default_content(by_name("nope", "{}"))
        .bulk_email_entries(entry("a@example.net", None))
        .bulk_email_entries(entry("b@example.net", None))
        .send()
        .await
        .unwrap();
    assert_eq!(out.bulk_email_entry_results().len(), 2);
    for r in out.bulk_email_entry_results() {
        assert_eq!(r.status(), Some(&BulkEmailStatus::TemplateNotFound));
        assert!(r.error().is_some());
        assert!(r.message_id().is_none());
    }
}

#[tokio::test]
async fn bulk_request_errors() {
    let t = start().await;
    let c = t.client();
    verify_domain(&c).await;
    create_template(&c).await;
    let mut too_many = c
        .send_bulk_email()
        .from_email_address("sender@example.com")
        .default_content(by_name("greeting", "{}"));
    for i in 0..51 {
        too_many = too_many.bulk_email_entries(entry(&format!("r{i}@example.net"), None));
    }
    let err = too_many.send().await.unwrap_err();
    assert!(err.into_service_error().is_bad_request_exception());

    // Bad default data is a whole-request error.
    let err = c
        .send_bulk_email()
        .from_email_address("sender@example.com")
        .default_content(by_name("greeting", "not json"))
        .bulk_email_entries(entry("a@example.net", None))
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_bad_request_exception());

    // Bad replacement data fails only its entry.
    let out = c
        .send_bulk_email()
        .from_email_address("sender@example.com")
        .default_content(by_name("greeting", r#"{"name":"x"}"#))
        .bulk_email_entries(entry("a@example.net", Some("[1]")))
        .bulk_email_entries(entry("b@example.net", None))
        .send()
        .await
        .unwrap();
    let statuses: Vec<_> = out
        .bulk_email_entry_results()
        .iter()
        .map(|r| r.status().unwrap().clone())
        .collect();
    assert_eq!(
        statuses,
        [BulkEmailStatus::InvalidParameter, BulkEmailStatus::Success]
    );

    // No entries, and no template, through raw requests.
    for body in [
        r#"{"FromEmailAddress":"sender@example.com","DefaultContent":{"Template":{"TemplateName":"greeting"}},"BulkEmailEntries":[]}"#,
        r#"{"FromEmailAddress":"sender@example.com","DefaultContent":{},"BulkEmailEntries":[{"Destination":{"ToAddresses":["a@example.net"]}}]}"#,
        r#"{"FromEmailAddress":"sender@example.com","BulkEmailEntries":[{"Destination":{"ToAddresses":["a@example.net"]}}]}"#,
    ] {
        let resp = signed(
            &t.server.url(),
            "POST",
            "/v2/email/outbound-bulk-emails",
            body.as_bytes(),
            "secret",
            std::time::SystemTime::now(),
        )
        .await;
        expect_error(resp, 400, "BadRequestException").await;
    }
}

#[tokio::test]
async fn templated_send_email_checks() {
    let t = start().await;
    let c = t.client();
    verify_domain(&c).await;
    create_template(&c).await;
    let templated = |name: &str, data: &str| {
        EmailContent::builder()
            .template(
                Template::builder()
                    .template_name(name)
                    .template_data(data)
                    .build(),
            )
            .build()
    };
    let id = c
        .send_email()
        .from_email_address("sender@example.com")
        .destination(to(&["a@example.net"]))
        .content(templated("greeting", r#"{"name":"Bo"}"#))
        .send()
        .await
        .unwrap()
        .message_id
        .unwrap();
    assert!(id.ends_with("-000000"));

    let err = c
        .send_email()
        .from_email_address("sender@example.com")
        .destination(to(&["a@example.net"]))
        .content(templated("nope", "{}"))
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_found_exception());
    let err = c
        .send_email()
        .from_email_address("sender@example.com")
        .destination(to(&["a@example.net"]))
        .content(templated("greeting", "[]"))
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_bad_request_exception());
    let err = c
        .send_email()
        .from_email_address("sender@example.com")
        .destination(to(&["a@example.net"]))
        .content(templated("greeting", "{}"))
        .list_management_options(
            ListManagementOptions::builder()
                .contact_list_name("missing")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_found_exception());

    // Both a name and inline content.
    let resp = signed(
        &t.server.url(),
        "POST",
        "/v2/email/outbound-emails",
        br#"{"FromEmailAddress":"sender@example.com","Destination":{"ToAddresses":["a@example.net"]},"Content":{"Template":{"TemplateName":"greeting","TemplateContent":{"Subject":"x"}}}}"#,
        "secret",
        std::time::SystemTime::now(),
    )
    .await;
    expect_error(resp, 400, "BadRequestException").await;
    // Attachments with RawContent that is not base64.
    let resp = signed(
        &t.server.url(),
        "POST",
        "/v2/email/outbound-emails",
        br#"{"FromEmailAddress":"sender@example.com","Destination":{"ToAddresses":["a@example.net"]},"Content":{"Simple":{"Subject":{"Data":"s"},"Body":{"Text":{"Data":"t"}},"Attachments":[{"FileName":"a.txt","RawContent":"!!not base64!!"}]}}}"#,
        "secret",
        std::time::SystemTime::now(),
    )
    .await;
    expect_error(resp, 400, "BadRequestException").await;
}
