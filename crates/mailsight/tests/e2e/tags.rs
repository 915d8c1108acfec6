//! Resource tagging through the SDK: tags given at create are listed,
//! TagResource / UntagResource change them on every resource kind, and
//! the errors carry SES's codes.

use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::types::{EmailTemplateContent, Tag};

use crate::common::*;

/// Open mode's account for a non-numeric key (`AKIDEXAMPLE`).
const ACCOUNT: &str = "000000000000";

fn tag(k: &str, v: &str) -> Tag {
    Tag::builder().key(k).value(v).build().unwrap()
}

fn arn(account: &str, resource: &str) -> String {
    format!("arn:aws:ses:us-east-1:{account}:{resource}")
}

async fn listed(c: &Client, arn: &str) -> Vec<(String, String)> {
    let out = c
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .unwrap();
    out.tags()
        .iter()
        .map(|t| (t.key().to_owned(), t.value().to_owned()))
        .collect()
}

fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// Creates one resource of each kind, each with the tag `team=mail`, and
/// answers their ARNs.
async fn create_all(c: &Client, account: &str) -> Vec<String> {
    c.create_configuration_set()
        .configuration_set_name("tagged-set")
        .tags(tag("team", "mail"))
        .send()
        .await
        .unwrap();
    c.create_email_identity()
        .email_identity("tagged.example.com")
        .tags(tag("team", "mail"))
        .send()
        .await
        .unwrap();
    c.create_contact_list()
        .contact_list_name("tagged-list")
        .tags(tag("team", "mail"))
        .send()
        .await
        .unwrap();
    c.create_email_template()
        .template_name("tagged-template")
        .template_content(EmailTemplateContent::builder().subject("Hi").build())
        .tags(tag("team", "mail"))
        .send()
        .await
        .unwrap();
    vec![
        arn(account, "configuration-set/tagged-set"),
        arn(account, "identity/tagged.example.com"),
        arn(account, "contact-list/tagged-list"),
        arn(account, "template/tagged-template"),
    ]
}

#[tokio::test]
async fn tags_at_create_then_tag_and_untag_every_kind() {
    let t = start().await;
    let c = t.client();
    for arn in create_all(&c, ACCOUNT).await {
        assert_eq!(listed(&c, &arn).await, pairs(&[("team", "mail")]), "{arn}");
        c.tag_resource()
            .resource_arn(&arn)
            .tags(tag("team", "ops"))
            .tags(tag("env", ""))
            .send()
            .await
            .unwrap();
        assert_eq!(
            listed(&c, &arn).await,
            pairs(&[("team", "ops"), ("env", "")]),
            "{arn}"
        );
        c.untag_resource()
            .resource_arn(&arn)
            .tag_keys("team")
            .tag_keys("not-there")
            .send()
            .await
            .unwrap();
        assert_eq!(listed(&c, &arn).await, pairs(&[("env", "")]), "{arn}");
    }
    // Tagging leaves the rest of a resource as it was.
    let set = c
        .get_configuration_set()
        .configuration_set_name("tagged-set")
        .send()
        .await
        .unwrap();
    assert_eq!(set.tags().len(), 1);
    let template = c
        .get_email_template()
        .template_name("tagged-template")
        .send()
        .await
        .unwrap();
    assert_eq!(
        template.template_content().and_then(|t| t.subject()),
        Some("Hi")
    );
    // An identity is named case-insensitively, as GetEmailIdentity does.
    let upper = arn(ACCOUNT, "identity/TAGGED.example.com");
    assert_eq!(listed(&c, &upper).await, pairs(&[("env", "")]));
}

#[tokio::test]
async fn tags_go_with_their_resource() {
    let t = start().await;
    let c = t.client();
    let set = arn(ACCOUNT, "configuration-set/tagged-set");
    create_all(&c, ACCOUNT).await;
    c.delete_configuration_set()
        .configuration_set_name("tagged-set")
        .send()
        .await
        .unwrap();
    let err = c
        .list_tags_for_resource()
        .resource_arn(&set)
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_found_exception());
    c.create_configuration_set()
        .configuration_set_name("tagged-set")
        .send()
        .await
        .unwrap();
    assert_eq!(listed(&c, &set).await, vec![]);
}

#[tokio::test]
async fn tagging_errors_have_ses_codes() {
    let t = start_with(with_two_accounts).await;
    let c = t.client();
    let other = client_for(&t.server.url(), "AKIDOTHER", "other-secret");
    let arns = create_all(&c, "111122223333").await;
    let set = &arns[0];

    let missing = arn("111122223333", "template/nope");
    let err = c
        .list_tags_for_resource()
        .resource_arn(&missing)
        .send()
        .await;
    assert!(
        err.unwrap_err()
            .into_service_error()
            .is_not_found_exception()
    );
    let err = c
        .tag_resource()
        .resource_arn(&missing)
        .tags(tag("a", "b"))
        .send()
        .await;
    assert!(
        err.unwrap_err()
            .into_service_error()
            .is_not_found_exception()
    );

    // Another account's ARN names nothing the caller has.
    let err = other
        .list_tags_for_resource()
        .resource_arn(set)
        .send()
        .await;
    assert!(
        err.unwrap_err()
            .into_service_error()
            .is_not_found_exception()
    );
    let err = other
        .untag_resource()
        .resource_arn(set)
        .tag_keys("team")
        .send()
        .await;
    assert!(
        err.unwrap_err()
            .into_service_error()
            .is_not_found_exception()
    );

    for bad in [
        "not-an-arn",
        "arn:aws:ses:us-east-1:111122223333:receipt-rule-set/x",
    ] {
        let err = c.list_tags_for_resource().resource_arn(bad).send().await;
        assert!(
            err.unwrap_err()
                .into_service_error()
                .is_bad_request_exception(),
            "{bad}"
        );
    }
    let bad_tags: Vec<Vec<Tag>> = vec![
        vec![tag(&"k".repeat(129), "v")],
        vec![tag("", "v")],
        vec![tag("k", &"v".repeat(257))],
        vec![tag("dup", "1"), tag("dup", "2")],
        (0..50).map(|i| tag(&format!("k{i}"), "")).collect(),
    ];
    for tags in bad_tags {
        let err = c
            .tag_resource()
            .resource_arn(set)
            .set_tags(Some(tags.clone()))
            .send()
            .await;
        assert!(
            err.unwrap_err()
                .into_service_error()
                .is_bad_request_exception(),
            "{} tags",
            tags.len()
        );
    }
    // Create checks its Tags by the same rules.
    let err = c
        .create_contact_list()
        .contact_list_name("dup-tags")
        .tags(tag("dup", "1"))
        .tags(tag("dup", "2"))
        .send()
        .await;
    assert!(
        err.unwrap_err()
            .into_service_error()
            .is_bad_request_exception()
    );
    let err = c
        .create_configuration_set()
        .configuration_set_name("long-key")
        .tags(tag(&"k".repeat(129), "v"))
        .send()
        .await;
    assert!(
        err.unwrap_err()
            .into_service_error()
            .is_bad_request_exception()
    );

    // The refused calls changed nothing.
    assert_eq!(listed(&c, set).await, pairs(&[("team", "mail")]));
}
