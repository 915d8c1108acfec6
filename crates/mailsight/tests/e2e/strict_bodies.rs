//! Hostile bodies: every SES v2 operation that takes a JSON body, sent a
//! top-level array, string, number or null instead of an object, answers
//! 400 `BadRequestException` and changes nothing (serde would otherwise
//! read a structure from an array of its fields); so does an array where a
//! nested structure belongs.

use std::time::SystemTime;

use mailsight_api::ses_v2::Operation;

use crate::common::*;

/// Operations whose input has no body members: their handlers never read
/// the body, so there is nothing to refuse.
const NO_BODY_INPUT: &[&str] = &["CancelExportJob"];

/// Fills a route's `{Label}`s with resources the test created.
fn fill(path: &str) -> String {
    path.replace("{ConfigurationSetName}", "strict")
        .replace("{EventDestinationName}", "dest")
        .replace("{EmailIdentity}", "example.com")
        .replace("{TemplateName}", "tpl")
        .replace("{ContactListName}", "list")
        .replace("{EmailAddress}", "a%40example.com")
        .replace("{JobId}", "job")
        .replace("{MessageId}", "message")
}

#[tokio::test]
async fn non_object_bodies_are_bad_requests_for_every_operation() {
    let t = start().await;
    let c = t.client();
    verify_domain(&c).await;
    c.create_configuration_set()
        .configuration_set_name("strict")
        .send()
        .await
        .unwrap();
    c.create_contact_list()
        .contact_list_name("list")
        .send()
        .await
        .unwrap();
    let url = t.server.url();

    let mut checked = 0;
    for &(op, method, path) in Operation::ROUTES {
        if !matches!(method, "POST" | "PUT") || NO_BODY_INPUT.contains(&op.name()) {
            continue;
        }
        let path = fill(path);
        for body in [
            r#"["arrayident.example",null,null,null]"#,
            "[]",
            r#""a string""#,
            "42",
            "null",
        ] {
            let resp = signed(
                &url,
                method,
                &path,
                body.as_bytes(),
                "secret",
                SystemTime::now(),
            )
            .await;
            let status = resp.status().as_u16();
            let error_type = resp
                .headers()
                .get("x-amzn-errortype")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            assert_eq!(
                (status, error_type.split(':').next().unwrap_or_default()),
                (400, "BadRequestException"),
                "{} {method} {path} with {body}",
                op.name()
            );
            checked += 1;
        }
    }
    assert!(checked >= 5 * 30, "only {checked} requests checked");

    // Nothing was created or cleared by the array bodies.
    assert!(
        c.get_email_identity()
            .email_identity("arrayident.example")
            .send()
            .await
            .is_err()
    );
    let lists = c.list_contact_lists().send().await.unwrap();
    assert_eq!(lists.contact_lists().len(), 1);
}

#[tokio::test]
async fn nested_structures_written_as_arrays_are_bad_requests() {
    let t = start().await;
    let url = t.server.url();
    let body = br#"{"EmailIdentity":"nested.example","Tags":[["team","mail"]]}"#;
    let resp = signed(
        &url,
        "POST",
        "/v2/email/identities",
        body,
        "secret",
        SystemTime::now(),
    )
    .await;
    let err = expect_error(resp, 400, "BadRequestException").await;
    assert!(
        err["message"].as_str().unwrap().contains("JSON object"),
        "{err}"
    );
    let created = t
        .client()
        .get_email_identity()
        .email_identity("nested.example")
        .send()
        .await;
    assert!(created.is_err(), "nothing was created");
}
