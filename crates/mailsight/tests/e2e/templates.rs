//! Email templates through the SDK: create, get, list with paging, update,
//! delete, test rendering, and the errors of each.

use aws_sdk_sesv2::types::EmailTemplateContent;

use crate::common::*;

fn content(subject: &str, text: &str) -> EmailTemplateContent {
    EmailTemplateContent::builder()
        .subject(subject)
        .text(text)
        .html(format!("<p>{text}</p>"))
        .build()
}

#[tokio::test]
async fn templates_lifecycle() {
    let t = start().await;
    let c = t.client();
    for name in ["welcome", "alpha", "receipt_2"] {
        c.create_email_template()
            .template_name(name)
            .template_content(content("Hi {{name}}", "Hello {{name}}"))
            .send()
            .await
            .unwrap();
    }
    let got = c
        .get_email_template()
        .template_name("welcome")
        .send()
        .await
        .unwrap();
    assert_eq!(got.template_name(), "welcome");
    let tc = got.template_content().unwrap();
    assert_eq!(tc.subject(), Some("Hi {{name}}"));
    assert_eq!(tc.text(), Some("Hello {{name}}"));
    assert_eq!(tc.html(), Some("<p>Hello {{name}}</p>"));

    // A template with only a subject keeps only a subject.
    c.create_email_template()
        .template_name("subject-only")
        .template_content(EmailTemplateContent::builder().subject("S").build())
        .send()
        .await
        .unwrap();
    let got = c
        .get_email_template()
        .template_name("subject-only")
        .send()
        .await
        .unwrap();
    assert_eq!(got.template_content().unwrap().text(), None);

    // Paging: names in order, two at a time, with creation times.
    let mut names = Vec::new();
    let mut token = None;
    loop {
        let page = c
            .list_email_templates()
            .page_size(2)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        assert!(page.templates_metadata().len() <= 2);
        for m in page.templates_metadata() {
            assert!(m.created_timestamp().unwrap().secs() > 1_600_000_000);
            names.push(m.template_name().unwrap().to_owned());
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(names, ["alpha", "receipt_2", "subject-only", "welcome"]);

    c.update_email_template()
        .template_name("welcome")
        .template_content(content("New {{name}}", "Bye"))
        .send()
        .await
        .unwrap();
    let got = c
        .get_email_template()
        .template_name("welcome")
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.template_content().unwrap().subject(),
        Some("New {{name}}")
    );

    c.delete_email_template()
        .template_name("alpha")
        .send()
        .await
        .unwrap();
    let err = c
        .get_email_template()
        .template_name("alpha")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_found_exception());
}

#[tokio::test]
async fn template_errors() {
    let t = start().await;
    let c = t.client();
    c.create_email_template()
        .template_name("t1")
        .template_content(content("S", "T"))
        .send()
        .await
        .unwrap();
    let err = c
        .create_email_template()
        .template_name("t1")
        .template_content(content("S", "T"))
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_already_exists_exception());

    for bad in ["has space", "dot.name", &"x".repeat(65)] {
        let err = c
            .create_email_template()
            .template_name(bad)
            .template_content(content("S", "T"))
            .send()
            .await
            .unwrap_err();
        assert!(err.into_service_error().is_bad_request_exception(), "{bad}");
    }
    // Empty content.
    let err = c
        .create_email_template()
        .template_name("empty")
        .template_content(EmailTemplateContent::builder().build())
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_bad_request_exception());

    let err = c
        .update_email_template()
        .template_name("nope")
        .template_content(content("S", "T"))
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_found_exception());
    let err = c
        .delete_email_template()
        .template_name("nope")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_found_exception());
    let err = c
        .test_render_email_template()
        .template_name("nope")
        .template_data("{}")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_found_exception());
    let err = c
        .test_render_email_template()
        .template_name("t1")
        .template_data("[1, 2]")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_bad_request_exception());

    // The raw error shape, and a missing TemplateContent.
    let resp = signed(
        &t.server.url(),
        "POST",
        "/v2/email/templates",
        br#"{"TemplateName":"no-content"}"#,
        "secret",
        std::time::SystemTime::now(),
    )
    .await;
    expect_error(resp, 400, "BadRequestException").await;
    let resp = signed(
        &t.server.url(),
        "GET",
        "/v2/email/templates/missing",
        b"",
        "secret",
        std::time::SystemTime::now(),
    )
    .await;
    expect_error(resp, 404, "NotFoundException").await;
}

#[tokio::test]
async fn test_render_answers_the_mime_message() {
    let t = start().await;
    let c = t.client();
    c.create_email_template()
        .template_name("render")
        .template_content(content("Hi {{name}}", "Hello {{name}}, <b>{{name}}</b>"))
        .send()
        .await
        .unwrap();
    let out = c
        .test_render_email_template()
        .template_name("render")
        .template_data(r#"{"name":"Ann"}"#)
        .send()
        .await
        .unwrap();
    let mime = out.rendered_template();
    assert!(mime.contains("Subject: Hi Ann"), "{mime}");
    assert!(mime.contains("Hello Ann"), "{mime}");

    // Data the template prints but the request lacks.
    let err = c
        .test_render_email_template()
        .template_name("render")
        .template_data("{}")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_bad_request_exception());
}
