//! Email identities through the SDK.

use aws_sdk_sesv2::types::{DkimStatus, IdentityType};

use crate::common::*;

#[tokio::test]
async fn identities_lifecycle() {
    let t = start().await;
    let c = t.client();
    let domain = c
        .create_email_identity()
        .email_identity("example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(domain.identity_type(), Some(&IdentityType::Domain));
    assert!(domain.verified_for_sending_status());
    assert_eq!(
        domain.dkim_attributes().unwrap().status(),
        Some(&DkimStatus::Success)
    );
    assert_eq!(domain.dkim_attributes().unwrap().tokens().len(), 3);

    let address = c
        .create_email_identity()
        .email_identity("me+x@example.org")
        .send()
        .await
        .unwrap();
    assert_eq!(address.identity_type(), Some(&IdentityType::EmailAddress));

    // The `+` and `@` travel percent-encoded in the path.
    let got = c
        .get_email_identity()
        .email_identity("me+x@example.org")
        .send()
        .await
        .unwrap();
    assert_eq!(got.identity_type(), Some(&IdentityType::EmailAddress));
    assert!(got.verified_for_sending_status());

    let err = c
        .create_email_identity()
        .email_identity("example.com")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_already_exists_exception());
    let err = c
        .create_email_identity()
        .email_identity("not an identity")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_bad_request_exception());

    let first = c.list_email_identities().page_size(1).send().await.unwrap();
    assert_eq!(first.email_identities().len(), 1);
    assert_eq!(
        first.email_identities()[0].identity_name(),
        Some("example.com")
    );
    let second = c
        .list_email_identities()
        .page_size(1)
        .next_token(first.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        second.email_identities()[0].identity_name(),
        Some("me+x@example.org")
    );

    c.delete_email_identity()
        .email_identity("me+x@example.org")
        .send()
        .await
        .unwrap();
    let err = c
        .get_email_identity()
        .email_identity("me+x@example.org")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_found_exception());
    let all = c.list_email_identities().send().await.unwrap();
    assert_eq!(all.email_identities().len(), 1);
    assert!(all.next_token().is_none());
}
