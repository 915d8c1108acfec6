//! Identities: create, read, list in pages, retag, delete.

use serde_json::json;

use crate::StoreError;
use crate::traits::Store;
use crate::types::*;

pub(super) fn identity(name: &str, kind: IdentityType) -> Identity {
    Identity {
        name: name.into(),
        identity_type: kind,
        tags: json!([{"Key": "team", "Value": "mail"}]),
        configuration_set: None,
        created_at: 1_700_000_000_000,
    }
}

pub(super) async fn identities(s: &impl Store) {
    let a = "acct-ident";
    let domain = identity("example.com", IdentityType::Domain);
    let address = identity("me@example.org", IdentityType::EmailAddress);
    s.create_identity(a, domain.clone()).await.unwrap();
    s.create_identity(a, address.clone()).await.unwrap();
    let err = s.create_identity(a, domain.clone()).await.unwrap_err();
    assert!(matches!(err, StoreError::AlreadyExists(_)), "{err:?}");
    assert_eq!(
        s.get_identity(a, "example.com").await.unwrap(),
        Some(domain.clone())
    );

    let p1 = s.list_identities(a, None, 1).await.unwrap();
    assert_eq!(p1.items, vec![domain.clone()]);
    let p2 = s
        .list_identities(a, p1.next_after.as_deref(), 1)
        .await
        .unwrap();
    assert_eq!(p2.items, vec![address.clone()]);
    assert_eq!(p2.next_after, None);

    let retagged = json!([{"Key": "team", "Value": "ops"}]);
    s.set_identity_tags(a, "example.com", retagged.clone())
        .await
        .unwrap();
    let got = s.get_identity(a, "example.com").await.unwrap().unwrap();
    assert_eq!(got.tags, retagged);
    let err = s
        .set_identity_tags(a, "missing.example", json!([]))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");

    s.delete_identity(a, "example.com").await.unwrap();
    assert_eq!(s.get_identity(a, "example.com").await.unwrap(), None);
    let err = s.delete_identity(a, "example.com").await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
}
