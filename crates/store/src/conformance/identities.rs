//! Identities: create, read, list in pages, retag, set attributes, delete;
//! and the routing of their bounces, complaints and deliveries to the
//! notification topics they set.

use mailsight_model::{EventType, NotificationType};
use serde_json::json;

use super::messages::{message, record};
use crate::StoreError;
use crate::target::Target;
use crate::traits::Store;
use crate::types::*;

pub(super) fn identity(name: &str, kind: IdentityType) -> Identity {
    Identity {
        name: name.into(),
        identity_type: kind,
        tags: json!([{"Key": "team", "Value": "mail"}]),
        configuration_set: None,
        created_at: 1_700_000_000_000,
        attributes: IdentityAttributes::default(),
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

    // The default configuration set is set, changed and cleared; tags stay.
    s.set_identity_configuration_set(a, "example.com", Some("default-set".into()))
        .await
        .unwrap();
    let with_set = s.get_identity(a, "example.com").await.unwrap().unwrap();
    assert_eq!(with_set.configuration_set.as_deref(), Some("default-set"));
    assert_eq!(with_set.tags, retagged);
    s.set_identity_configuration_set(a, "example.com", None)
        .await
        .unwrap();
    let cleared = s.get_identity(a, "example.com").await.unwrap().unwrap();
    assert_eq!(cleared.configuration_set, None);
    let err = s
        .set_identity_configuration_set(a, "missing.example", None)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");

    // Attributes start at SES's defaults and come back as set.
    assert_eq!(got.attributes, IdentityAttributes::default());
    assert!(got.attributes.forwarding_enabled);
    let mut attributes = IdentityAttributes {
        bounce_topic: Some("arn:aws:sns:us-east-1:1:bounces".into()),
        forwarding_enabled: false,
        ..Default::default()
    };
    *attributes.headers_mut(NotificationType::Delivery) = true;
    attributes
        .policies
        .insert("send-from".into(), r#"{"Version":"2012-10-17"}"#.into());
    s.set_identity_attributes(a, "example.com", attributes.clone())
        .await
        .unwrap();
    let got = s.get_identity(a, "example.com").await.unwrap().unwrap();
    assert_eq!(got.attributes, attributes);
    assert_eq!(got.tags, retagged, "tags are left alone");
    let listed = s.list_identities(a, None, 10).await.unwrap();
    assert_eq!(listed.items[0].attributes, attributes);
    let err = s
        .set_identity_attributes(a, "missing.example", attributes)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");

    s.delete_identity(a, "example.com").await.unwrap();
    assert_eq!(s.get_identity(a, "example.com").await.unwrap(), None);
    let err = s.delete_identity(a, "example.com").await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
}

/// A record whose identity set a topic for its type gets a delivery to
/// that identity's target, with or without a configuration set; other
/// types, identities without that topic and records of no identity get
/// none.
pub(super) async fn identity_notifications_are_routed(s: &impl Store) {
    let a = "acct-notify";
    let mut with_topics = identity("example.com", IdentityType::Domain);
    with_topics.attributes.bounce_topic = Some("arn:aws:sns:us-east-1:1:b".into());
    with_topics.attributes.delivery_topic = Some("arn:aws:sns:us-east-1:1:d".into());
    s.create_identity(a, with_topics).await.unwrap();
    s.create_identity(a, identity("quiet.example", IdentityType::Domain))
        .await
        .unwrap();

    let of = |id: &str, kind, t, identity: Option<&str>, set: Option<&str>| {
        let mut r = record(a, id, kind, t, &["r@x.test"]);
        r.identity = identity.map(str::to_owned);
        r.configuration_set = set.map(str::to_owned);
        r
    };
    s.insert_message(
        message(a, "n-1", &["r@x.test"]),
        vec![of("n-1", EventType::Send, 1, Some("example.com"), None)],
        vec![],
    )
    .await
    .unwrap();
    s.append_records(vec![
        of("n-1", EventType::Bounce, 2, Some("example.com"), None),
        of(
            "n-1",
            EventType::Delivery,
            3,
            Some("example.com"),
            Some("cs"),
        ),
        of("n-1", EventType::Complaint, 4, Some("example.com"), None),
        of("n-1", EventType::Open, 5, Some("example.com"), None),
        of("n-1", EventType::Bounce, 6, Some("quiet.example"), None),
        of("n-1", EventType::Bounce, 7, None, None),
    ])
    .await
    .unwrap();

    let all = s
        .list_deliveries(
            DeliveryFilter {
                account_id: Some(a.into()),
                ..Default::default()
            },
            None,
            100,
        )
        .await
        .unwrap();
    let mut routed: Vec<(Target, EventType)> = all
        .into_iter()
        .filter(|d| matches!(d.target, Target::Identity { .. }))
        .map(|d| (d.target, d.event_type))
        .collect();
    routed.sort();
    assert_eq!(
        routed,
        [
            (
                Target::identity("example.com", NotificationType::Bounce),
                EventType::Bounce
            ),
            (
                Target::identity("example.com", NotificationType::Delivery),
                EventType::Delivery
            ),
        ]
    );
}
