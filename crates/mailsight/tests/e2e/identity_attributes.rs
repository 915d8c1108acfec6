//! SES v2's identity attribute calls: the default configuration set (used
//! by a send that names none), the MAIL FROM domain (shared with SES v1),
//! and the DKIM signing origin.

use aws_sdk_sesv2::types::{BehaviorOnMxFailure, DkimSigningAttributesOrigin};

use crate::common::*;
use crate::lifecycle::records;

#[tokio::test]
async fn default_set_mail_from_and_dkim_signing() {
    let t = start().await;
    let c = t.client();
    verify_domain(&c).await;
    c.create_configuration_set()
        .configuration_set_name("default-set")
        .send()
        .await
        .unwrap();
    let missing = c
        .put_email_identity_configuration_set_attributes()
        .email_identity("example.com")
        .configuration_set_name("no-such-set")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        missing.into_service_error().meta().code(),
        Some("NotFoundException")
    );
    c.put_email_identity_configuration_set_attributes()
        .email_identity("example.com")
        .configuration_set_name("default-set")
        .send()
        .await
        .unwrap();
    let got = c
        .get_email_identity()
        .email_identity("example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(got.configuration_set_name(), Some("default-set"));

    // A send naming no set goes through the identity's default.
    let id = send_to(&c, &["success@simulator.amazonses.com"]).await;
    insights_with_events(&c, &id, 1).await;
    let stored = records(&t, &id).await;
    let send = stored
        .iter()
        .find(|r| r["record"]["eventType"] == "Send" || r["eventType"] == "Send")
        .unwrap_or(&stored[0]);
    let text = send.to_string();
    assert!(
        text.contains("default-set"),
        "the Send record names the default set: {text}"
    );

    // Cleared: no default any more.
    c.put_email_identity_configuration_set_attributes()
        .email_identity("example.com")
        .send()
        .await
        .unwrap();
    let got = c
        .get_email_identity()
        .email_identity("example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(got.configuration_set_name(), None);

    // MAIL FROM: set through v2, read through v1 and v2.
    c.put_email_identity_mail_from_attributes()
        .email_identity("example.com")
        .mail_from_domain("bounce.example.com")
        .behavior_on_mx_failure(BehaviorOnMxFailure::RejectMessage)
        .send()
        .await
        .unwrap();
    let got = c
        .get_email_identity()
        .email_identity("example.com")
        .send()
        .await
        .unwrap();
    let mf = got.mail_from_attributes().unwrap();
    assert_eq!(mf.mail_from_domain(), "bounce.example.com");
    assert_eq!(
        mf.behavior_on_mx_failure(),
        &BehaviorOnMxFailure::RejectMessage
    );
    let (status, xml) = query_as(
        &t.server.url(),
        "ses",
        "2010-12-01",
        &[
            ("Action", "GetIdentityMailFromDomainAttributes"),
            ("Identities.member.1", "example.com"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{xml}");
    assert_eq!(
        xml_text(&xml, "MailFromDomain").as_deref(),
        Some("bounce.example.com")
    );
    let outside = c
        .put_email_identity_mail_from_attributes()
        .email_identity("example.com")
        .mail_from_domain("bounce.example.org")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        outside.into_service_error().meta().code(),
        Some("BadRequestException")
    );

    // DKIM signing: SES's own keys give the domain's tokens, your own none.
    let ses = c
        .put_email_identity_dkim_signing_attributes()
        .email_identity("example.com")
        .signing_attributes_origin(DkimSigningAttributesOrigin::AwsSes)
        .send()
        .await
        .unwrap();
    assert_eq!(ses.dkim_tokens().len(), 3);
    let external = c
        .put_email_identity_dkim_signing_attributes()
        .email_identity("example.com")
        .signing_attributes_origin(DkimSigningAttributesOrigin::External)
        .send()
        .await
        .unwrap();
    assert!(external.dkim_tokens().is_empty());
    let nobody = c
        .put_email_identity_dkim_signing_attributes()
        .email_identity("missing.example")
        .signing_attributes_origin(DkimSigningAttributesOrigin::AwsSes)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        nobody.into_service_error().meta().code(),
        Some("NotFoundException")
    );
}
