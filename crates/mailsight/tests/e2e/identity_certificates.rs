//! S/MIME certificates of an identity's senders through the SDK.

use crate::common::*;

#[tokio::test]
async fn certificates_are_associated_listed_and_removed_per_sender() {
    let t = start().await;
    let c = t.client();
    verify_domain(&c).await;
    let cert = "arn:aws:acm:us-east-1:000000000000:certificate/abc";
    c.associate_email_identity_certificate()
        .email_identity("example.com")
        .from_address("news@example.com")
        .certificate_arn(cert)
        .send()
        .await
        .unwrap();
    let twice = c
        .associate_email_identity_certificate()
        .email_identity("example.com")
        .from_address("NEWS@example.com")
        .certificate_arn(cert)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        twice.into_service_error().meta().code(),
        Some("AlreadyExistsException")
    );
    let no_identity = c
        .associate_email_identity_certificate()
        .email_identity("other.example")
        .certificate_arn(cert)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        no_identity.into_service_error().meta().code(),
        Some("NotFoundException")
    );
    let listed = c
        .list_email_identity_certificates()
        .email_identity("example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.certificates().len(), 1);
    let got = &listed.certificates()[0];
    assert_eq!(got.from_address(), Some("news@example.com"));
    assert_eq!(got.certificate_arn(), Some(cert));
    c.disassociate_email_identity_certificate()
        .email_identity("example.com")
        .from_address("news@example.com")
        .send()
        .await
        .unwrap();
    let listed = c
        .list_email_identity_certificates()
        .email_identity("example.com")
        .send()
        .await
        .unwrap();
    assert!(listed.certificates().is_empty());
    let again = c
        .disassociate_email_identity_certificate()
        .email_identity("example.com")
        .from_address("news@example.com")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        again.into_service_error().meta().code(),
        Some("NotFoundException")
    );
}
