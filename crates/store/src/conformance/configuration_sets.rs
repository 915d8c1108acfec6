//! Configuration sets and their event destinations: create, read, update,
//! delete, literal name filters, pages, and destinations going with their
//! set. Also the [`set`] and [`destination`] fixtures other sections use.

use mailsight_model::EventType;
use serde_json::json;

use crate::StoreError;
use crate::traits::Store;
use crate::types::*;

pub(super) fn set(name: &str) -> ConfigurationSet {
    ConfigurationSet {
        name: name.into(),
        options: json!({"SendingOptions": {"SendingEnabled": true}}),
        created_at: 1_700_000_000_000,
    }
}

pub(super) fn destination(name: &str, types: &[EventType]) -> EventDestination {
    EventDestination {
        name: name.into(),
        enabled: true,
        matching_event_types: types.to_vec(),
        definition: json!({"SnsDestination": {"TopicArn": format!("arn:aws:sns:us-east-1:111122223333:{name}")}}),
    }
}

pub(super) async fn configuration_sets(s: &impl Store) {
    let a = "acct-sets";
    s.create_configuration_set(a, set("one")).await.unwrap();
    let err = s.create_configuration_set(a, set("one")).await.unwrap_err();
    assert!(matches!(err, StoreError::AlreadyExists(_)), "{err:?}");
    let got = s.get_configuration_set(a, "one").await.unwrap().unwrap();
    assert_eq!(got, set("one"));
    assert_eq!(s.get_configuration_set(a, "two").await.unwrap(), None);

    let options = json!({"TrackingOptions": {"CustomRedirectDomain": "t.example.com"}});
    s.update_configuration_set(a, "one", options.clone())
        .await
        .unwrap();
    assert_eq!(
        s.get_configuration_set(a, "one")
            .await
            .unwrap()
            .unwrap()
            .options,
        options
    );
    let err = s
        .update_configuration_set(a, "two", json!({}))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");

    s.delete_configuration_set(a, "one").await.unwrap();
    assert_eq!(s.get_configuration_set(a, "one").await.unwrap(), None);
    let err = s.delete_configuration_set(a, "one").await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
}

pub(super) async fn listing_pages_and_filters(s: &impl Store) {
    let a = "acct-list";
    for name in ["c-prod", "a-prod", "b-test", "d_prod", "e%prod"] {
        s.create_configuration_set(a, set(name)).await.unwrap();
    }
    let p1 = s.list_configuration_sets(a, None, None, 2).await.unwrap();
    assert_eq!(p1.items, ["a-prod", "b-test"]);
    assert_eq!(p1.next_after.as_deref(), Some("b-test"));
    let p2 = s
        .list_configuration_sets(a, None, p1.next_after.as_deref(), 2)
        .await
        .unwrap();
    assert_eq!(p2.items, ["c-prod", "d_prod"]);
    let p3 = s
        .list_configuration_sets(a, None, p2.next_after.as_deref(), 2)
        .await
        .unwrap();
    assert_eq!(p3.items, ["e%prod"]);
    assert_eq!(p3.next_after, None);

    let prod = s
        .list_configuration_sets(a, Some("prod"), None, 10)
        .await
        .unwrap();
    assert_eq!(prod.items, ["a-prod", "c-prod", "d_prod", "e%prod"]);
    // The filter is literal: `%` and `_` are not wildcards.
    let literal = s
        .list_configuration_sets(a, Some("%"), None, 10)
        .await
        .unwrap();
    assert_eq!(literal.items, ["e%prod"]);
    let underscore = s
        .list_configuration_sets(a, Some("_"), None, 10)
        .await
        .unwrap();
    assert_eq!(underscore.items, ["d_prod"]);
}

pub(super) async fn event_destinations(s: &impl Store) {
    let a = "acct-dest";
    let err = s
        .create_event_destination(a, "missing", destination("x", &[EventType::Send]))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");

    s.create_configuration_set(a, set("cs")).await.unwrap();
    s.create_configuration_set(a, set("other")).await.unwrap();
    let sns = destination("sns", &[EventType::Send, EventType::Bounce]);
    let fh = destination("firehose", &[EventType::RenderingFailure]);
    s.create_event_destination(a, "cs", sns.clone())
        .await
        .unwrap();
    s.create_event_destination(a, "cs", fh.clone())
        .await
        .unwrap();
    // The same name in another set is a different destination.
    s.create_event_destination(a, "other", sns.clone())
        .await
        .unwrap();
    let err = s
        .create_event_destination(a, "cs", sns.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::AlreadyExists(_)), "{err:?}");

    assert_eq!(
        s.list_event_destinations(a, "cs").await.unwrap(),
        vec![fh.clone(), sns.clone()]
    );

    let mut disabled = sns.clone();
    disabled.enabled = false;
    disabled.matching_event_types = vec![EventType::Click];
    s.update_event_destination(a, "cs", disabled.clone())
        .await
        .unwrap();
    assert_eq!(
        s.list_event_destinations(a, "cs").await.unwrap(),
        vec![fh.clone(), disabled]
    );
    assert_eq!(
        s.list_event_destinations(a, "other").await.unwrap(),
        vec![sns.clone()]
    );
    let err = s
        .update_event_destination(a, "cs", destination("nope", &[]))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");

    s.delete_event_destination(a, "cs", "firehose")
        .await
        .unwrap();
    let err = s
        .delete_event_destination(a, "cs", "firehose")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");

    // Deleting a set takes its destinations with it.
    s.delete_configuration_set(a, "cs").await.unwrap();
    let err = s.list_event_destinations(a, "cs").await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    s.create_configuration_set(a, set("cs")).await.unwrap();
    assert!(s.list_event_destinations(a, "cs").await.unwrap().is_empty());
}
