//! Identity policies and DKIM signing: one state for SES v2's `…EmailIdentityPolicy`
//! operations (through `aws-sdk-sesv2`) and SES v1's `…IdentityPolicy`
//! actions (signed query calls), checked as SES checks them.

use crate::common::*;
use crate::ses_v1::{ok, refused};

const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"a","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":["ses:SendEmail"],"Resource":"*"}]}"#;

#[tokio::test]
async fn policies_are_one_state_for_both_apis() {
    let t = start().await;
    let url = t.server.url();
    let c = t.client();
    verify_domain(&c).await;

    c.create_email_identity_policy()
        .email_identity("example.com")
        .policy_name("from-v2")
        .policy(POLICY)
        .send()
        .await
        .unwrap();
    let err = c
        .create_email_identity_policy()
        .email_identity("example.com")
        .policy_name("from-v2")
        .policy(POLICY)
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_already_exists_exception());

    // SES v1 lists, reads and adds to the same policies.
    let body = ok(&url, "ListIdentityPolicies", &[("Identity", "example.com")]).await;
    assert_eq!(xml_texts(&body, "member"), ["from-v2"]);
    ok(
        &url,
        "PutIdentityPolicy",
        &[
            (
                "Identity",
                "arn:aws:ses:us-east-1:000000000000:identity/example.com",
            ),
            ("PolicyName", "from-v1"),
            ("Policy", "{}"),
        ],
    )
    .await;
    let body = ok(
        &url,
        "GetIdentityPolicies",
        &[
            ("Identity", "example.com"),
            ("PolicyNames.member.1", "from-v2"),
            ("PolicyNames.member.2", "missing"),
        ],
    )
    .await;
    assert_eq!(xml_texts(&body, "key"), ["from-v2"], "{body}");
    assert_eq!(xml_text(&body, "value").as_deref(), Some(POLICY));

    let got = c
        .get_email_identity_policies()
        .email_identity("example.com")
        .send()
        .await
        .unwrap();
    let mut names: Vec<&String> = got.policies().unwrap().keys().collect();
    names.sort();
    assert_eq!(names, ["from-v1", "from-v2"]);
    let identity = c
        .get_email_identity()
        .email_identity("example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(
        identity
            .policies()
            .unwrap()
            .get("from-v1")
            .map(String::as_str),
        Some("{}")
    );

    c.update_email_identity_policy()
        .email_identity("example.com")
        .policy_name("from-v1")
        .policy(POLICY)
        .send()
        .await
        .unwrap();
    let err = c
        .update_email_identity_policy()
        .email_identity("example.com")
        .policy_name("never-made")
        .policy(POLICY)
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_found_exception());

    // Deleted through v1 (twice is fine there), gone for v2.
    for _ in 0..2 {
        ok(
            &url,
            "DeleteIdentityPolicy",
            &[("Identity", "example.com"), ("PolicyName", "from-v1")],
        )
        .await;
    }
    c.delete_email_identity_policy()
        .email_identity("example.com")
        .policy_name("from-v2")
        .send()
        .await
        .unwrap();
    let err = c
        .delete_email_identity_policy()
        .email_identity("example.com")
        .policy_name("from-v2")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_found_exception());
    let got = c
        .get_email_identity_policies()
        .email_identity("example.com")
        .send()
        .await
        .unwrap();
    assert!(got.policies().is_none_or(|p| p.is_empty()));
}

#[tokio::test]
async fn policies_are_checked_as_ses_checks_them() {
    let t = start().await;
    let url = t.server.url();
    let c = t.client();
    verify_domain(&c).await;

    let too_big = format!(r#"{{"a":"{}"}}"#, "x".repeat(4096));
    for (name, policy) in [
        ("ok", "not json"),
        ("ok", "[1, 2]"),
        ("ok", too_big.as_str()),
        ("has.dot", "{}"),
    ] {
        let err = c
            .create_email_identity_policy()
            .email_identity("example.com")
            .policy_name(name)
            .policy(policy)
            .send()
            .await
            .unwrap_err();
        assert!(
            err.into_service_error().is_bad_request_exception(),
            "{name} {policy:.20}"
        );
        assert_eq!(
            refused(
                &url,
                "PutIdentityPolicy",
                &[
                    ("Identity", "example.com"),
                    ("PolicyName", name),
                    ("Policy", policy)
                ],
                400
            )
            .await,
            "InvalidPolicy",
            "{name} {policy:.20}"
        );
    }
    let err = c
        .create_email_identity_policy()
        .email_identity("missing.example")
        .policy_name("p")
        .policy("{}")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_found_exception());
    assert_eq!(
        refused(
            &url,
            "ListIdentityPolicies",
            &[("Identity", "missing.example")],
            400
        )
        .await,
        "InvalidParameterValue"
    );

    // At most 20 per identity.
    for i in 0..20 {
        c.create_email_identity_policy()
            .email_identity("example.com")
            .policy_name(format!("p{i}"))
            .policy("{}")
            .send()
            .await
            .unwrap();
    }
    let err = c
        .create_email_identity_policy()
        .email_identity("example.com")
        .policy_name("p20")
        .policy("{}")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_limit_exceeded_exception());
    assert_eq!(
        refused(
            &url,
            "PutIdentityPolicy",
            &[
                ("Identity", "example.com"),
                ("PolicyName", "p20"),
                ("Policy", "{}")
            ],
            400
        )
        .await,
        "InvalidPolicy"
    );
    // Replacing one of the twenty is fine.
    ok(
        &url,
        "PutIdentityPolicy",
        &[
            ("Identity", "example.com"),
            ("PolicyName", "p0"),
            ("Policy", POLICY),
        ],
    )
    .await;
}

/// DKIM signing: SES v1's `SetIdentityDkimEnabled` and SES v2's
/// `PutEmailIdentityDkimAttributes` set one flag, on by default for a
/// domain and off for an address.
#[tokio::test]
async fn dkim_signing_is_one_switch_for_both_apis() {
    let t = start().await;
    let url = t.server.url();
    let c = t.client();
    verify_domain(&c).await;
    ok(
        &url,
        "VerifyEmailIdentity",
        &[("EmailAddress", "me@example.org")],
    )
    .await;
    let signing = |name: &'static str| {
        let c = c.clone();
        async move {
            c.get_email_identity()
                .email_identity(name)
                .send()
                .await
                .unwrap()
                .dkim_attributes()
                .unwrap()
                .signing_enabled()
        }
    };
    assert!(signing("example.com").await);
    assert!(!signing("me@example.org").await);

    ok(
        &url,
        "SetIdentityDkimEnabled",
        &[("Identity", "example.com"), ("DkimEnabled", "false")],
    )
    .await;
    assert!(!signing("example.com").await);
    let body = ok(
        &url,
        "GetIdentityDkimAttributes",
        &[("Identities.member.1", "example.com")],
    )
    .await;
    assert_eq!(xml_text(&body, "DkimEnabled").as_deref(), Some("false"));
    assert_eq!(
        xml_text(&body, "DkimVerificationStatus").as_deref(),
        Some("Success")
    );

    c.put_email_identity_dkim_attributes()
        .email_identity("example.com")
        .signing_enabled(true)
        .send()
        .await
        .unwrap();
    let body = ok(
        &url,
        "GetIdentityDkimAttributes",
        &[("Identities.member.1", "example.com")],
    )
    .await;
    assert_eq!(xml_text(&body, "DkimEnabled").as_deref(), Some("true"));

    let err = c
        .put_email_identity_dkim_attributes()
        .email_identity("missing.example")
        .signing_enabled(true)
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_found_exception());
    for (params, code) in [
        (
            vec![("Identity", "missing.example"), ("DkimEnabled", "true")],
            "InvalidParameterValue",
        ),
        (vec![("Identity", "example.com")], "ValidationError"),
    ] {
        assert_eq!(
            refused(&url, "SetIdentityDkimEnabled", &params, 400).await,
            code
        );
    }
}
