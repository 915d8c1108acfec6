//! Messages and their events: one transaction per send, appended and
//! ingested records, duplicates, bodies kept byte for byte, records that
//! arrive before their message. Also the [`message`] and [`record`]
//! fixtures other sections use.

use mailsight_model::EventType;
use serde_json::json;

use crate::traits::Store;
use crate::types::*;

pub(super) fn message(account: &str, id: &str, recipients: &[&str]) -> Message {
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

pub(super) fn record(
    account: &str,
    id: &str,
    kind: EventType,
    at: Millis,
    who: &[&str],
) -> NewRecord {
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
        identity: None,
        machine: None,
    }
}

pub(super) async fn messages_and_events(s: &impl Store) {
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

pub(super) async fn duplicates_are_stored_once(s: &impl Store) {
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

pub(super) async fn ingest_creates_then_enriches_messages(s: &impl Store) {
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

/// However a backend stores bodies (the SQLite one keeps the `mail` object
/// once per message), every record comes back byte for byte, whether its
/// `mail` matches its message's, differs, is absent or is oddly spaced.
pub(super) async fn record_bodies_come_back_unchanged(s: &impl Store) {
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
pub(super) async fn records_before_their_message(s: &impl Store) {
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
