//! mailsight's own SNS topics and their subscriptions.

use serde_json::json;

use crate::StoreError;
use crate::traits::Store;

pub(super) async fn sns_topics_and_subscriptions(s: &impl Store) {
    use crate::sns::{SnsSubscription, SnsTopic, SubscriptionStatus};
    let a = "111111111111";
    let other = "222222222222";
    let arn = |name: &str| format!("arn:aws:sns:us-east-1:{a}:{name}");
    let topic = |name: &str| SnsTopic {
        account_id: a.into(),
        arn: arn(name),
        name: name.into(),
        attributes: json!({"SignatureVersion": "2"}),
        created_at: 5,
    };
    assert_eq!(s.create_sns_topic(topic("t1")).await.unwrap(), topic("t1"));
    // Idempotent: the stored topic comes back, unchanged.
    let mut again = topic("t1");
    again.attributes = json!({});
    again.created_at = 9;
    assert_eq!(s.create_sns_topic(again).await.unwrap(), topic("t1"));
    s.create_sns_topic(topic("t2")).await.unwrap();
    s.create_sns_topic(topic("t3")).await.unwrap();
    assert_eq!(
        s.get_sns_topic(a, &arn("t2")).await.unwrap(),
        Some(topic("t2"))
    );
    assert_eq!(s.get_sns_topic(other, &arn("t2")).await.unwrap(), None);
    let first = s.list_sns_topics(a, None, 2).await.unwrap();
    assert_eq!(first.items, [topic("t1"), topic("t2")]);
    let rest = s
        .list_sns_topics(a, first.next_after.as_deref(), 2)
        .await
        .unwrap();
    assert_eq!(rest.items, [topic("t3")]);
    assert_eq!(rest.next_after, None);
    assert!(
        s.list_sns_topics(other, None, 10)
            .await
            .unwrap()
            .items
            .is_empty()
    );

    let sub = |id: &str, endpoint: &str| SnsSubscription {
        arn: format!("{}:{id}", arn("t1")),
        topic_arn: arn("t1"),
        account_id: a.into(),
        protocol: "http".into(),
        endpoint: endpoint.into(),
        status: SubscriptionStatus::Pending,
        token: format!("token-{id}"),
        attributes: json!({}),
        created_at: 7,
    };
    let one = s
        .create_sns_subscription(sub("s1", "http://a/1"))
        .await
        .unwrap();
    assert_eq!(one, sub("s1", "http://a/1"));
    // The same endpoint again returns the existing subscription.
    let dup = s
        .create_sns_subscription(sub("s9", "http://a/1"))
        .await
        .unwrap();
    assert_eq!(dup.arn, one.arn);
    s.create_sns_subscription(sub("s2", "http://a/2"))
        .await
        .unwrap();
    let mut orphan = sub("s3", "http://a/3");
    orphan.topic_arn = arn("missing");
    let err = s.create_sns_subscription(orphan).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");

    let err = s
        .confirm_sns_subscription(a, &arn("t1"), "wrong")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    let err = s
        .confirm_sns_subscription(other, &arn("t1"), "token-s1")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    let confirmed = s
        .confirm_sns_subscription(a, &arn("t1"), "token-s1")
        .await
        .unwrap();
    assert_eq!(confirmed.status, SubscriptionStatus::Confirmed);
    // Confirming twice is fine.
    s.confirm_sns_subscription(a, &arn("t1"), "token-s1")
        .await
        .unwrap();

    s.set_sns_topic_attributes(a, &arn("t1"), json!({"DisplayName": "Events"}))
        .await
        .unwrap();
    let topic = s.get_sns_topic(a, &arn("t1")).await.unwrap().unwrap();
    assert_eq!(topic.attributes, json!({"DisplayName": "Events"}));
    let err = s
        .set_sns_topic_attributes(other, &arn("t1"), json!({}))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound(_)),
        "another account's topic: {err:?}"
    );

    s.set_sns_subscription_attributes(a, &one.arn, json!({"RawMessageDelivery": "true"}))
        .await
        .unwrap();
    let got = s.get_sns_subscription(a, &one.arn).await.unwrap().unwrap();
    assert_eq!(got.attributes, json!({"RawMessageDelivery": "true"}));
    assert_eq!(got.status, SubscriptionStatus::Confirmed);
    assert_eq!(s.get_sns_subscription(other, &one.arn).await.unwrap(), None);
    let err = s
        .set_sns_subscription_attributes(a, "arn:nope", json!({}))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");

    let by_topic = s
        .list_sns_subscriptions(a, Some(&arn("t1")), None, 1)
        .await
        .unwrap();
    assert_eq!(by_topic.items.len(), 1);
    let more = s
        .list_sns_subscriptions(a, Some(&arn("t1")), by_topic.next_after.as_deref(), 10)
        .await
        .unwrap();
    assert_eq!(more.items.len(), 1);
    assert_eq!(more.next_after, None);
    assert!(
        s.list_sns_subscriptions(a, Some(&arn("t2")), None, 10)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert_eq!(
        s.list_sns_subscriptions(a, None, None, 10)
            .await
            .unwrap()
            .items
            .len(),
        2
    );

    s.delete_sns_subscription(a, &sub("s2", "").arn)
        .await
        .unwrap();
    let err = s
        .delete_sns_subscription(a, &sub("s2", "").arn)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");

    // Deleting a topic takes its subscriptions with it.
    let err = s.delete_sns_topic(other, &arn("t1")).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    s.delete_sns_topic(a, &arn("t1")).await.unwrap();
    assert_eq!(s.get_sns_topic(a, &arn("t1")).await.unwrap(), None);
    assert_eq!(s.get_sns_subscription(a, &one.arn).await.unwrap(), None);
    let err = s.delete_sns_topic(a, &arn("t1")).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
}
