//! The conformance suite: behaviour every [`Store`] backend must show.
//!
//! A backend's test calls [`run`] with a function that opens its store; the
//! function is called again mid-way to check that committed data survives a
//! reopen. Each check works in its own account, so they share one store.
//! Failures panic, as assertions in tests do.

use mailsight_model::EventType;
use serde_json::json;

use crate::StoreError;
use crate::traits::Store;
use crate::types::*;

/// Runs every check against stores produced by `open`.
pub async fn run<S: Store, F: Fn() -> S>(open: F) {
    let store = open();
    configuration_sets(&store).await;
    listing_pages_and_filters(&store).await;
    event_destinations(&store).await;
    identities(&store).await;
    messages_and_events(&store).await;
    duplicates_are_stored_once(&store).await;
    schedule_releases_in_due_order(&store).await;
    accounts_are_isolated(&store).await;
    ingest_creates_then_enriches_messages(&store).await;
    outbox_routes_and_tracks_deliveries(&store).await;
    sns_topics_and_subscriptions(&store).await;
    items_content_and_machine_marks(&store).await;
    put_items_is_all_or_nothing(&store).await;
    record_bodies_come_back_unchanged(&store).await;
    records_before_their_message(&store).await;
    write_for_durability(&store).await;
    drop(store);
    let reopened = open();
    check_durability(&reopened).await;
}

fn set(name: &str) -> ConfigurationSet {
    ConfigurationSet {
        name: name.into(),
        options: json!({"SendingOptions": {"SendingEnabled": true}}),
        created_at: 1_700_000_000_000,
    }
}

fn destination(name: &str, types: &[EventType]) -> EventDestination {
    EventDestination {
        name: name.into(),
        enabled: true,
        matching_event_types: types.to_vec(),
        definition: json!({"SnsDestination": {"TopicArn": format!("arn:aws:sns:us-east-1:111122223333:{name}")}}),
    }
}

async fn configuration_sets(s: &impl Store) {
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

async fn listing_pages_and_filters(s: &impl Store) {
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

async fn event_destinations(s: &impl Store) {
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

fn identity(name: &str, kind: IdentityType) -> Identity {
    Identity {
        name: name.into(),
        identity_type: kind,
        tags: json!([{"Key": "team", "Value": "mail"}]),
        configuration_set: None,
        created_at: 1_700_000_000_000,
    }
}

async fn identities(s: &impl Store) {
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

    s.delete_identity(a, "example.com").await.unwrap();
    assert_eq!(s.get_identity(a, "example.com").await.unwrap(), None);
    let err = s.delete_identity(a, "example.com").await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
}

fn message(account: &str, id: &str, recipients: &[&str]) -> Message {
    Message {
        message_id: id.into(),
        account_id: account.into(),
        from_address: "sender@example.com".into(),
        subject: Some("Hello".into()),
        tags: vec![("campaign".into(), "spring".into())],
        configuration_set: Some("cs".into()),
        sent_at: 1_000,
        recipients: recipients
            .iter()
            .map(|r| Recipient {
                address: (*r).into(),
                isp: "Gmail".into(),
            })
            .collect(),
    }
}

fn record(account: &str, id: &str, kind: EventType, at: Millis, who: &[&str]) -> NewRecord {
    NewRecord {
        account_id: account.into(),
        message_id: id.into(),
        event_type: kind,
        timestamp: at,
        dedupe_key: format!("{id}/{}/{at}/{}", kind.api_name(), who.join(",")),
        body: json!({"eventType": kind.record_name(), "mail": {"messageId": id}}).to_string(),
        configuration_set: Some("cs".into()),
        recipients: who
            .iter()
            .map(|r| RecipientEvent {
                address: (*r).into(),
                details: (kind == EventType::Bounce)
                    .then(|| json!({"Bounce": {"BounceType": "PERMANENT"}})),
            })
            .collect(),
        machine: None,
    }
}

async fn messages_and_events(s: &impl Store) {
    let a = "acct-msg";
    let m = message(a, "m1", &["b@x.test", "a@x.test"]);
    let send = record(a, "m1", EventType::Send, 1_000, &["b@x.test", "a@x.test"]);
    s.insert_message(m.clone(), vec![send.clone()], vec![])
        .await
        .unwrap();
    // Out of order: the bounce arrives before the delivery that preceded it.
    s.append_records(vec![record(
        a,
        "m1",
        EventType::Bounce,
        3_000,
        &["a@x.test"],
    )])
    .await
    .unwrap();
    s.append_records(vec![record(
        a,
        "m1",
        EventType::Delivery,
        2_000,
        &["a@x.test", "b@x.test"],
    )])
    .await
    .unwrap();

    let got = s.message_events(a, "m1").await.unwrap().unwrap();
    assert_eq!(got.message, m);
    let seen: Vec<_> = got
        .events
        .iter()
        .map(|e| (e.recipient.as_str(), e.event_type, e.timestamp))
        .collect();
    assert_eq!(
        seen,
        [
            ("a@x.test", EventType::Send, 1_000),
            ("a@x.test", EventType::Delivery, 2_000),
            ("a@x.test", EventType::Bounce, 3_000),
            ("b@x.test", EventType::Send, 1_000),
            ("b@x.test", EventType::Delivery, 2_000),
        ]
    );
    assert_eq!(
        got.events[2].details,
        Some(json!({"Bounce": {"BounceType": "PERMANENT"}}))
    );
    assert_eq!(got.events[0].details, None);

    let records = s.message_records(a, "m1").await.unwrap();
    let kinds: Vec<_> = records.iter().map(|(k, _)| *k).collect();
    assert_eq!(
        kinds,
        [EventType::Send, EventType::Bounce, EventType::Delivery]
    );
    assert_eq!(records[0].1, send.body);

    assert_eq!(s.message_events(a, "nope").await.unwrap(), None);
    assert_eq!(s.count_messages_since(a, 1_000).await.unwrap(), 1);
    assert_eq!(s.count_messages_since(a, 1_001).await.unwrap(), 0);
}

async fn duplicates_are_stored_once(s: &impl Store) {
    let a = "acct-dup";
    s.insert_message(message(a, "d1", &["r@x.test"]), vec![], vec![])
        .await
        .unwrap();
    let delivery = record(a, "d1", EventType::Delivery, 2_000, &["r@x.test"]);
    assert_eq!(
        s.append_records(vec![delivery.clone(), delivery.clone()])
            .await
            .unwrap(),
        1
    );
    assert_eq!(s.append_records(vec![delivery]).await.unwrap(), 0);
    assert_eq!(
        s.message_events(a, "d1")
            .await
            .unwrap()
            .unwrap()
            .events
            .len(),
        1
    );
}

async fn schedule_releases_in_due_order(s: &impl Store) {
    let a = "acct-sched";
    let later = vec![
        ScheduledRecord {
            due: 5_000,
            record: record(a, "s1", EventType::Bounce, 5_000, &["r@x.test"]),
        },
        ScheduledRecord {
            due: 2_000,
            record: record(a, "s1", EventType::Delivery, 2_000, &["r@x.test"]),
        },
    ];
    s.insert_message(message(a, "s1", &["r@x.test"]), vec![], later)
        .await
        .unwrap();
    let due = s.next_due().await.unwrap().unwrap();
    assert!(due <= 2_000, "next due {due}");

    assert!(
        s.release_due(1_999, 10)
            .await
            .unwrap()
            .iter()
            .all(|r| r.account_id != a)
    );
    let released = s.release_due(2_000, 10).await.unwrap();
    let mine: Vec<_> = released.iter().filter(|r| r.account_id == a).collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].event_type, EventType::Delivery);
    assert_eq!(
        s.message_events(a, "s1")
            .await
            .unwrap()
            .unwrap()
            .events
            .len(),
        1
    );
    // Released once only.
    assert!(s.release_due(2_000, 10).await.unwrap().is_empty());
    let rest = s.release_due(10_000, 10).await.unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(s.next_due().await.unwrap(), None);
    assert_eq!(
        s.message_events(a, "s1")
            .await
            .unwrap()
            .unwrap()
            .events
            .len(),
        2
    );
}

async fn accounts_are_isolated(s: &impl Store) {
    s.create_configuration_set("acct-iso-1", set("shared-name"))
        .await
        .unwrap();
    assert_eq!(
        s.get_configuration_set("acct-iso-2", "shared-name")
            .await
            .unwrap(),
        None
    );
    s.create_configuration_set("acct-iso-2", set("shared-name"))
        .await
        .unwrap();
    s.insert_message(
        message("acct-iso-1", "iso-m", &["r@x.test"]),
        vec![],
        vec![],
    )
    .await
    .unwrap();
    assert_eq!(s.message_events("acct-iso-2", "iso-m").await.unwrap(), None);
    assert!(
        s.message_records("acct-iso-2", "iso-m")
            .await
            .unwrap()
            .is_empty()
    );
    let p = s
        .list_configuration_sets("acct-iso-2", None, None, 10)
        .await
        .unwrap();
    assert_eq!(p.items, ["shared-name"]);
}

async fn write_for_durability(s: &impl Store) {
    let a = "acct-durable";
    s.create_configuration_set(a, set("kept")).await.unwrap();
    s.create_event_destination(a, "kept", destination("d", &[EventType::Open]))
        .await
        .unwrap();
    let later = vec![ScheduledRecord {
        due: i64::MAX - 1,
        record: record(a, "kept-m", EventType::Delivery, 9_000, &["r@x.test"]),
    }];
    let send = record(a, "kept-m", EventType::Send, 1_000, &["r@x.test"]);
    s.insert_message(message(a, "kept-m", &["r@x.test"]), vec![send], later)
        .await
        .unwrap();
}

async fn check_durability(s: &impl Store) {
    let a = "acct-durable";
    assert!(s.get_configuration_set(a, "kept").await.unwrap().is_some());
    assert_eq!(s.list_event_destinations(a, "kept").await.unwrap().len(), 1);
    assert_eq!(
        s.message_events(a, "kept-m")
            .await
            .unwrap()
            .unwrap()
            .events
            .len(),
        1
    );
    assert_eq!(s.next_due().await.unwrap(), Some(i64::MAX - 1));
}

async fn ingest_creates_then_enriches_messages(s: &impl Store) {
    let a = "acct-ingest";
    // A bounce arrives first: it knows the recipient but not the subject.
    let mut first = message(a, "in-1", &["b@x.test"]);
    first.subject = None;
    first.tags = vec![];
    first.configuration_set = None;
    let bounce = record(a, "in-1", EventType::Bounce, 3_000, &["b@x.test"]);
    assert_eq!(s.ingest(vec![(first, bounce.clone())]).await.unwrap(), 1);
    let got = s.message_events(a, "in-1").await.unwrap().unwrap();
    assert_eq!(got.message.subject, None);

    // The Send comes later with the subject, tags, set and another recipient.
    let full = message(a, "in-1", &["a@x.test", "b@x.test"]);
    let send = record(a, "in-1", EventType::Send, 1_000, &["a@x.test", "b@x.test"]);
    assert_eq!(
        s.ingest(vec![(full.clone(), send), (full.clone(), bounce)])
            .await
            .unwrap(),
        1
    );
    let got = s.message_events(a, "in-1").await.unwrap().unwrap();
    assert_eq!(got.message.subject.as_deref(), Some("Hello"));
    assert_eq!(got.message.tags, full.tags);
    assert_eq!(got.message.configuration_set.as_deref(), Some("cs"));
    let addresses: Vec<_> = got
        .message
        .recipients
        .iter()
        .map(|r| r.address.as_str())
        .collect();
    assert_eq!(addresses, ["b@x.test", "a@x.test"]);
    let kinds: Vec<_> = got
        .events
        .iter()
        .map(|e| (e.recipient.as_str(), e.event_type))
        .collect();
    assert_eq!(
        kinds,
        [
            ("a@x.test", EventType::Send),
            ("b@x.test", EventType::Send),
            ("b@x.test", EventType::Bounce)
        ]
    );

    // Another account's record never rewrites this account's message.
    let mut foreign = message("acct-other", "in-1", &["evil@x.test"]);
    foreign.subject = Some("Hijacked".into());
    let stored = s
        .ingest(vec![(
            foreign,
            record(
                "acct-other",
                "in-1",
                EventType::Send,
                5_000,
                &["evil@x.test"],
            ),
        )])
        .await
        .unwrap();
    assert_eq!(
        stored, 0,
        "a record for another account's message is refused"
    );
    let got = s.message_events(a, "in-1").await.unwrap().unwrap();
    assert_eq!(got.message.subject.as_deref(), Some("Hello"));
    assert_eq!(got.message.recipients.len(), 2);
    assert!(
        got.events.iter().all(|e| e.recipient != "evil@x.test"),
        "no foreign events leak in"
    );
}

async fn outbox_routes_and_tracks_deliveries(s: &impl Store) {
    let a = "acct-outbox";
    s.create_configuration_set(a, set("cs")).await.unwrap();
    s.create_configuration_set(a, set("other")).await.unwrap();
    let mut off = destination("d-off", &[EventType::Send]);
    off.enabled = false;
    for d in [
        destination("d-send", &[EventType::Send]),
        destination("d-bounce", &[EventType::Bounce]),
        off,
    ] {
        s.create_event_destination(a, "cs", d).await.unwrap();
    }
    s.create_event_destination(a, "other", destination("d-send", &[EventType::Send]))
        .await
        .unwrap();
    s.set_forwarders(vec![
        ForwarderRoute {
            name: "f-all".into(),
            event_types: vec![],
            configuration_sets: vec![],
        },
        ForwarderRoute {
            name: "f-bounce".into(),
            event_types: vec![EventType::Bounce],
            configuration_sets: vec!["cs".into()],
        },
        ForwarderRoute {
            name: "f-other".into(),
            event_types: vec![],
            configuration_sets: vec!["other".into()],
        },
    ])
    .await
    .unwrap();

    let send = record(a, "ob-1", EventType::Send, 1_000, &["r@x.test"]);
    s.insert_message(message(a, "ob-1", &["r@x.test"]), vec![send], vec![])
        .await
        .unwrap();
    let bounce = record(a, "ob-1", EventType::Bounce, 2_000, &["r@x.test"]);
    s.append_records(vec![bounce.clone()]).await.unwrap();
    s.append_records(vec![bounce]).await.unwrap(); // a duplicate: no new deliveries

    let mine = DeliveryFilter {
        account_id: Some(a.into()),
        ..Default::default()
    };
    let all = s.list_deliveries(mine.clone(), None, 100).await.unwrap();
    let mut routed: Vec<(String, EventType)> = all
        .iter()
        .map(|d| (d.target.clone(), d.event_type))
        .collect();
    routed.sort();
    assert_eq!(
        routed,
        [
            ("destination:cs/d-bounce".to_owned(), EventType::Bounce),
            ("destination:cs/d-send".to_owned(), EventType::Send),
            ("forwarder:f-all".to_owned(), EventType::Send),
            ("forwarder:f-all".to_owned(), EventType::Bounce),
            ("forwarder:f-bounce".to_owned(), EventType::Bounce),
        ],
        "only enabled, matching destinations of the message's own set, and matching forwarders"
    );
    assert!(
        all.iter()
            .all(|d| d.status == DeliveryStatus::Pending && d.message_id == "ob-1")
    );

    let far = i64::MAX / 4;
    let targets = s.due_targets(far, 100).await.unwrap();
    assert!(
        targets.contains(&"destination:cs/d-send".to_owned()),
        "{targets:?}"
    );

    // Claiming leases: a second claim before the lease ends gets nothing.
    let claimed = s
        .claim_deliveries("destination:cs/d-send", far, far + 60_000, 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert!(claimed[0].body.contains("Send"));
    assert!(
        s.claim_deliveries("destination:cs/d-send", far, far + 60_000, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        s.claim_deliveries("destination:cs/d-send", far + 60_000, far + 120_000, 10)
            .await
            .unwrap()
            .len(),
        1
    );

    let id = claimed[0].id;
    s.settle_delivery(
        id,
        10,
        AttemptResult::Retry {
            error: "503 from receiver".into(),
            next_attempt: 5_000,
        },
    )
    .await
    .unwrap();
    s.settle_delivery(
        id,
        20,
        AttemptResult::Dead {
            error: "gave up".into(),
        },
    )
    .await
    .unwrap();
    let dead = s
        .list_deliveries(
            DeliveryFilter {
                status: Some(DeliveryStatus::Dead),
                ..mine.clone()
            },
            None,
            10,
        )
        .await
        .unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].attempts, 2);
    assert_eq!(dead[0].last_error.as_deref(), Some("gave up"));
    let attempts = s.delivery_attempts(id).await.unwrap();
    assert_eq!(
        attempts.iter().map(|a| (a.at, a.ok)).collect::<Vec<_>>(),
        [(10, false), (20, false)]
    );
    assert_eq!(attempts[0].detail.as_deref(), Some("503 from receiver"));

    assert_eq!(
        s.replay_dead(Some("destination:cs/d-send"), 30)
            .await
            .unwrap(),
        1
    );
    let again = s
        .claim_deliveries("destination:cs/d-send", 30, 90_000, 10)
        .await
        .unwrap();
    assert_eq!(again.len(), 1, "a replayed delivery is due at once");
    s.settle_delivery(again[0].id, 40, AttemptResult::Delivered)
        .await
        .unwrap();
    let done = s
        .list_deliveries(
            DeliveryFilter {
                status: Some(DeliveryStatus::Delivered),
                ..mine
            },
            None,
            10,
        )
        .await
        .unwrap();
    assert_eq!(done.len(), 1);
    assert!(
        s.settle_delivery(-1, 0, AttemptResult::Delivered)
            .await
            .is_err()
    );
}

async fn sns_topics_and_subscriptions(s: &impl Store) {
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

async fn put_items_is_all_or_nothing(s: &impl Store) {
    use crate::items::{ItemKind as K, ItemPut, PutMode as P};
    let a = "acct-put-items";
    let put = |key: &str, mode| ItemPut {
        account_id: a.into(),
        kind: K::Suppressed,
        key: key.into(),
        body: json!({"k": key}),
        mode,
        now: 5,
    };
    s.put_items(vec![put("x@a", P::Upsert), put("y@a", P::Create)])
        .await
        .unwrap();
    let listed = s.list_items(a, K::Suppressed, "", None, 10).await.unwrap();
    assert_eq!(listed.items.len(), 2);
    // y@a exists, so its Create fails and z@a must not be stored either.
    let err = s
        .put_items(vec![put("z@a", P::Upsert), put("y@a", P::Create)])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::AlreadyExists(_)), "{err:?}");
    assert_eq!(s.get_item(a, K::Suppressed, "z@a").await.unwrap(), None);
    s.put_items(Vec::new()).await.unwrap();
}

async fn items_content_and_machine_marks(s: &impl Store) {
    use crate::items::{ItemKind as K, PutMode as P, contact_key, contact_prefix};
    let a = "acct-items";
    s.put_item(a, K::Template, "t1", json!({"v": 1}), P::Create, 10)
        .await
        .unwrap();
    assert!(matches!(
        s.put_item(a, K::Template, "t1", json!({"v": 2}), P::Create, 11)
            .await,
        Err(StoreError::AlreadyExists(_))
    ));
    assert!(matches!(
        s.put_item(a, K::Template, "nope", json!({}), P::Replace, 11)
            .await,
        Err(StoreError::NotFound(_))
    ));
    s.put_item(a, K::Template, "t1", json!({"v": 3}), P::Replace, 12)
        .await
        .unwrap();
    let t = s.get_item(a, K::Template, "t1").await.unwrap().unwrap();
    assert_eq!(
        (t.body, t.created_at, t.updated_at),
        (json!({"v": 3}), 10, 12)
    );
    // Kinds and accounts have their own key spaces.
    assert!(s.get_item(a, K::ContactList, "t1").await.unwrap().is_none());
    assert!(
        s.get_item("other", K::Template, "t1")
            .await
            .unwrap()
            .is_none()
    );

    for list in ["l1", "l10", "l2"] {
        for who in ["b@x.test", "A@x.test", "c@x.test"] {
            s.put_item(
                a,
                K::Contact,
                &contact_key(list, who),
                json!({"who": who}),
                P::Upsert,
                1,
            )
            .await
            .unwrap();
        }
    }
    // A prefix lists one list's contacts only, in key order, in pages.
    let first = s
        .list_items(a, K::Contact, &contact_prefix("l1"), None, 2)
        .await
        .unwrap();
    let keys: Vec<_> = first.items.iter().map(|i| i.key.clone()).collect();
    assert_eq!(
        keys,
        [contact_key("l1", "a@x.test"), contact_key("l1", "b@x.test")]
    );
    let next = s
        .list_items(
            a,
            K::Contact,
            &contact_prefix("l1"),
            first.next_after.as_deref(),
            2,
        )
        .await
        .unwrap();
    assert_eq!(next.items.len(), 1);
    assert_eq!(next.items[0].key, contact_key("l1", "c@x.test"));
    assert!(next.next_after.is_none());
    assert_eq!(
        s.delete_items_with_prefix(a, K::Contact, &contact_prefix("l1"))
            .await
            .unwrap(),
        3
    );
    let rest = s.list_items(a, K::Contact, "", None, 100).await.unwrap();
    assert_eq!(rest.items.len(), 6, "l10 and l2 keep their contacts");
    assert!(s.delete_item(a, K::Template, "t1").await.unwrap());
    assert!(!s.delete_item(a, K::Template, "t1").await.unwrap());

    // Stored MIME: a recipient's own copy wins over the shared one.
    s.put_message_content(
        a,
        "mime-1",
        vec![
            ("".into(), b"shared".to_vec()),
            ("Own@x.test".into(), b"own".to_vec()),
        ],
    )
    .await
    .unwrap();
    let get = |r: Option<&'static str>| s.message_content(a, "mime-1", r);
    assert_eq!(get(None).await.unwrap().unwrap(), b"shared");
    assert_eq!(get(Some("own@x.test")).await.unwrap().unwrap(), b"own");
    assert_eq!(get(Some("else@x.test")).await.unwrap().unwrap(), b"shared");
    assert!(
        s.message_content("other", "mime-1", None)
            .await
            .unwrap()
            .is_none()
    );

    // Machine marks ride on appended records and are kept once.
    let mut open = record(a, "mime-1", EventType::Open, 5, &["own@x.test"]);
    open.machine = Some("apple-mail-privacy-protection".into());
    let human = record(a, "mime-1", EventType::Open, 6, &["own@x.test"]);
    s.append_records(vec![open.clone(), human]).await.unwrap();
    s.append_records(vec![open.clone()]).await.unwrap();
    let marks = s.machine_activity(a, "mime-1").await.unwrap();
    assert_eq!(marks.len(), 1);
    assert_eq!(marks[0].dedupe_key, open.dedupe_key);
    assert_eq!(marks[0].reason, "apple-mail-privacy-protection");
    assert!(
        s.machine_activity("other", "mime-1")
            .await
            .unwrap()
            .is_empty()
    );
}

/// However a backend stores bodies (the SQLite one keeps the `mail` object
/// once per message), every record comes back byte for byte, whether its
/// `mail` matches its message's, differs, is absent or is oddly spaced.
async fn record_bodies_come_back_unchanged(s: &impl Store) {
    let a = "acct-bodies";
    let mail = r#"{"messageId":"b-1","destination":["r@x.test"],"tags":{"k":["v"]}}"#;
    let bodies = [
        format!(r#"{{"eventType":"Send","mail":{mail},"send":{{}}}}"#),
        format!(
            r#"{{ "eventType" : "Delivery" , "mail" : {mail} , "delivery" : {{"a": [1, 2.50]}} }}"#
        ),
        r#"{"eventType":"Open","mail":{"messageId":"b-1","other":"é \u00e9"},"open":{}}"#
            .to_owned(),
        r#"{"eventType":"Click","click":{}}"#.to_owned(),
        "not json at all".to_owned(),
    ];
    let kinds = [
        EventType::Send,
        EventType::Delivery,
        EventType::Open,
        EventType::Click,
        EventType::Bounce,
    ];
    let batch: Vec<_> = bodies
        .iter()
        .zip(kinds)
        .enumerate()
        .map(|(i, (body, kind))| {
            let mut r = record(a, "b-1", kind, 1_000 + i as Millis, &["r@x.test"]);
            r.body = body.clone();
            (message(a, "b-1", &["r@x.test"]), r)
        })
        .collect();
    assert_eq!(s.ingest(batch.clone()).await.unwrap(), bodies.len());
    assert_eq!(s.ingest(batch).await.unwrap(), 0);
    let got: Vec<String> = s
        .message_records(a, "b-1")
        .await
        .unwrap()
        .into_iter()
        .map(|(_, b)| b)
        .collect();
    assert_eq!(got, bodies);
}

/// A record appended before its message is stored, but the message stays
/// unknown to readers until it arrives; then both are there.
async fn records_before_their_message(s: &impl Store) {
    let a = "acct-early";
    let early = record(a, "e-1", EventType::Delivery, 2_000, &["r@x.test"]);
    assert_eq!(s.append_records(vec![early.clone()]).await.unwrap(), 1);
    assert_eq!(s.message_events(a, "e-1").await.unwrap(), None);
    assert_eq!(s.count_messages_since(a, 0).await.unwrap(), 0);
    let m = message(a, "e-1", &["r@x.test"]);
    let send = record(a, "e-1", EventType::Send, 1_000, &["r@x.test"]);
    s.insert_message(m.clone(), vec![send], vec![])
        .await
        .unwrap();
    let got = s.message_events(a, "e-1").await.unwrap().unwrap();
    assert_eq!(got.message, m);
    assert_eq!(got.events.len(), 2);
    assert_eq!(s.message_records(a, "e-1").await.unwrap().len(), 2);
    assert_eq!(s.count_messages_since(a, 0).await.unwrap(), 1);
    // Another account cannot add records to it.
    let foreign = record("acct-early-2", "e-1", EventType::Open, 3_000, &["r@x.test"]);
    assert_eq!(s.append_records(vec![foreign]).await.unwrap(), 0);
    assert_eq!(
        s.message_events(a, "e-1")
            .await
            .unwrap()
            .unwrap()
            .events
            .len(),
        2
    );
}
