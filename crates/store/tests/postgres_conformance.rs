//! Runs the backend conformance suite against the PostgreSQL store, in a
//! database of its own on the server `MAILSIGHT_TEST_POSTGRES` names (see
//! `conformance::postgres_db`). An unreachable server fails the test.

use std::time::Instant;

use mailsight_store::conformance::postgres_db::{TestDatabase, connect};
use mailsight_store::{PostgresStore, Store, conformance};

/// Opens a store from synchronous code inside the test's runtime, as the
/// suite's `open` is a plain closure.
fn open(url: &str) -> PostgresStore {
    tokio::task::block_in_place(|| {
        tokio::runtime::Handle::current().block_on(PostgresStore::open(url))
    })
    .unwrap_or_else(|e| panic!("cannot open the PostgreSQL store: {e}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_passes_the_conformance_suite() {
    let db = TestDatabase::create().await;
    let started = Instant::now();
    conformance::run(|| open(&db.url)).await;
    eprintln!("conformance suite on PostgreSQL: {:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread")]
async fn opening_twice_migrates_once() {
    let db = TestDatabase::create().await;
    drop(PostgresStore::open(&db.url).await.unwrap());
    let store = PostgresStore::open(&db.url).await.unwrap();
    let row = connect(&db.url)
        .await
        .query_one(
            "SELECT count(*), count(DISTINCT version), max(version)::bigint FROM schema_version",
            &[],
        )
        .await
        .unwrap();
    let (rows, distinct, newest): (i64, i64, i64) = (row.get(0), row.get(1), row.get(2));
    assert!(newest >= 1);
    assert_eq!(
        (rows, distinct),
        (newest, newest),
        "each migration is recorded once"
    );
    store.ping().await.unwrap();
}

/// A database whose search index still holds terms as text (schema 4) is
/// re-keyed from its messages and records when a newer mailsight opens it.
#[tokio::test(flavor = "multi_thread")]
async fn text_search_terms_are_rebuilt_as_keys() {
    use mailsight_model::EventType;
    use mailsight_store::{Message, MessageQuery, NewRecord, Recipient, RecipientEvent};

    let db = TestDatabase::create().await;
    let store = PostgresStore::open(&db.url).await.unwrap();
    let message = Message {
        message_id: "rekey-1".into(),
        account_id: "acct-rekey".into(),
        from_address: "shop@x.test".into(),
        subject: Some("Spring sale".into()),
        tags: vec![],
        configuration_set: None,
        sent_at: 1_000,
        recipients: vec![Recipient {
            address: "jane@y.test".into(),
            isp: "Gmail".into(),
        }],
    };
    let send = NewRecord {
        account_id: "acct-rekey".into(),
        message_id: "rekey-1".into(),
        event_type: EventType::Bounce,
        timestamp: 1_000,
        dedupe_key: "rekey-1/bounce".into(),
        body: r#"{"eventType":"Bounce","mail":{"messageId":"rekey-1"}}"#.into(),
        configuration_set: None,
        recipients: vec![RecipientEvent {
            address: "jane@y.test".into(),
            details: None,
        }],
        identity: None,
        machine: None,
    };
    store
        .insert_message(message, vec![send], vec![])
        .await
        .unwrap();
    drop(store);
    // Back to schema 4: the index as text, with a row no message backs.
    connect(&db.url)
        .await
        .batch_execute(
            "DROP TABLE search_terms;
             CREATE TABLE search_terms (account_id TEXT, term TEXT, sent_at BIGINT, mid BIGINT,
                                        PRIMARY KEY (account_id, term, sent_at, mid));
             INSERT INTO search_terms VALUES ('acct-rekey', 'w:stray', 1000, 1);
             DELETE FROM schema_version WHERE version >= 5;",
        )
        .await
        .unwrap();
    let store = PostgresStore::open(&db.url).await.unwrap();
    let found = |q: MessageQuery| {
        let store = &store;
        async move {
            let page = store
                .search_messages("acct-rekey", &q.compile().unwrap(), None, 10)
                .await
                .unwrap();
            page.messages
                .into_iter()
                .map(|m| m.message_id)
                .collect::<Vec<_>>()
        }
    };
    let by =
        |recipient: Option<&str>, subject: Option<&str>, event: Option<EventType>| MessageQuery {
            recipient: recipient.map(str::to_owned),
            subject: subject.map(str::to_owned),
            event,
            ..Default::default()
        };
    assert_eq!(
        found(by(Some("jane@y.test"), None, None)).await,
        ["rekey-1"]
    );
    assert_eq!(
        found(by(None, Some("sale"), Some(EventType::Bounce))).await,
        ["rekey-1"]
    );
    assert!(found(by(None, Some("stray"), None)).await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_server_is_an_error_not_a_hang() {
    // Nothing listens on port 1.
    let err = PostgresStore::open("postgres://postgres@127.0.0.1:1/none")
        .await
        .err()
        .expect("no server there");
    assert!(err.to_string().contains("cannot reach PostgreSQL"), "{err}");
}

mod concurrency {
    use std::collections::HashSet;
    use std::sync::Arc;

    use mailsight_model::{EventType, now_ms};
    use mailsight_store::conformance::postgres_db::TestDatabase;
    use mailsight_store::*;
    use serde_json::json;

    #[tokio::test(flavor = "multi_thread")]
    async fn concurrent_writes_are_all_committed() {
        let db = TestDatabase::create().await;
        let store = Arc::new(PostgresStore::open(&db.url).await.unwrap());
        let tasks: Vec<_> = (0..200)
            .map(|i| {
                let s = store.clone();
                tokio::spawn(async move {
                    let set = ConfigurationSet {
                        name: format!("set-{i:03}"),
                        options: json!({}),
                        created_at: 0,
                    };
                    s.create_configuration_set("a", set).await
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        let page = store
            .list_configuration_sets("a", None, None, 1000)
            .await
            .unwrap();
        assert_eq!(page.items.len(), 200);
    }

    /// Two processes starting at once each offer a fresh secret: both end
    /// up with the same one, so they sign and verify alike.
    #[tokio::test(flavor = "multi_thread")]
    async fn two_processes_adopt_one_secret() {
        let db = TestDatabase::create().await;
        let one = Arc::new(PostgresStore::open(&db.url).await.unwrap());
        let two = Arc::new(PostgresStore::open(&db.url).await.unwrap());
        for round in 0..20 {
            let name = format!("secret-{round}");
            let (a, b) = tokio::join!(
                one.adopt_secret(&name, b"from one".to_vec(), 1),
                two.adopt_secret(&name, b"from two".to_vec(), 1),
            );
            let (a, b) = (a.unwrap(), b.unwrap());
            assert_eq!(a, b, "round {round}: both processes keep one secret");
        }
    }

    /// Two stores on one database stand for two mailsight processes: their
    /// claims, made at the same moment, never take the same delivery, and
    /// together take every one.
    #[tokio::test(flavor = "multi_thread")]
    async fn two_processes_never_claim_the_same_delivery() {
        let db = TestDatabase::create().await;
        let one = Arc::new(PostgresStore::open(&db.url).await.unwrap());
        let two = Arc::new(PostgresStore::open(&db.url).await.unwrap());
        let a = "acct-claims";
        one.create_configuration_set(
            a,
            ConfigurationSet {
                name: "cs".into(),
                options: json!({}),
                created_at: 0,
            },
        )
        .await
        .unwrap();
        one.create_event_destination(
            a,
            "cs",
            EventDestination {
                name: "d".into(),
                enabled: true,
                matching_event_types: vec![EventType::Send],
                definition: json!({}),
            },
        )
        .await
        .unwrap();
        const MESSAGES: usize = 60;
        for i in 0..MESSAGES {
            let id = format!("m{i}");
            let message = Message {
                message_id: id.clone(),
                account_id: a.into(),
                from_address: "sender@example.com".into(),
                subject: None,
                tags: vec![],
                configuration_set: Some("cs".into()),
                sent_at: 1_000,
                recipients: vec![Recipient {
                    address: "r@x.test".into(),
                    isp: "Other".into(),
                }],
            };
            let send = NewRecord {
                account_id: a.into(),
                message_id: id.clone(),
                event_type: EventType::Send,
                timestamp: 1_000,
                dedupe_key: format!("{id}/send"),
                body: json!({"eventType": "Send", "mail": {"messageId": id}}).to_string(),
                recipients: vec![RecipientEvent {
                    address: "r@x.test".into(),
                    details: None,
                }],
                configuration_set: Some("cs".into()),
                identity: None,
                machine: None,
            };
            one.insert_message(message, vec![send], vec![])
                .await
                .unwrap();
        }
        let target = Target::destination("cs", "d");
        let now = now_ms() + 60_000;
        let claimer = |s: Arc<PostgresStore>, target: Target| {
            tokio::spawn(async move {
                let mut ids = Vec::new();
                loop {
                    let got = s
                        .claim_deliveries(&target, now, i64::MAX / 2, 3)
                        .await
                        .unwrap();
                    if got.is_empty() {
                        return ids;
                    }
                    ids.extend(got.iter().map(|d| d.id));
                }
            })
        };
        let (first, second) = (
            claimer(one.clone(), target.clone()),
            claimer(two.clone(), target.clone()),
        );
        let (first, second) = (first.await.unwrap(), second.await.unwrap());
        let all: Vec<i64> = first.iter().chain(&second).copied().collect();
        let distinct: HashSet<i64> = all.iter().copied().collect();
        assert_eq!(distinct.len(), all.len(), "a delivery was claimed twice");
        assert_eq!(all.len(), MESSAGES, "every delivery was claimed once");
    }

    /// Scheduled records released by two processes at once come out once
    /// each: neither releases what the other took.
    #[tokio::test(flavor = "multi_thread")]
    async fn two_processes_never_release_the_same_record() {
        let db = TestDatabase::create().await;
        let one = Arc::new(PostgresStore::open(&db.url).await.unwrap());
        let two = Arc::new(PostgresStore::open(&db.url).await.unwrap());
        let a = "acct-release";
        const LATER: usize = 60;
        let later = (0..LATER)
            .map(|i| ScheduledRecord {
                due: 2_000 + i as i64,
                record: NewRecord {
                    account_id: a.into(),
                    message_id: "m".into(),
                    event_type: EventType::Delivery,
                    timestamp: 2_000 + i as i64,
                    dedupe_key: format!("m/delivery/{i}"),
                    body: json!({"eventType": "Delivery", "n": i}).to_string(),
                    recipients: vec![],
                    configuration_set: None,
                    identity: None,
                    machine: None,
                },
            })
            .collect();
        let message = Message {
            message_id: "m".into(),
            account_id: a.into(),
            from_address: "sender@example.com".into(),
            subject: None,
            tags: vec![],
            configuration_set: None,
            sent_at: 1_000,
            recipients: vec![],
        };
        one.insert_message(message, vec![], later).await.unwrap();
        let releaser = |s: Arc<PostgresStore>| {
            tokio::spawn(async move {
                let mut keys = Vec::new();
                loop {
                    let got = s.release_due(i64::MAX, 4).await.unwrap();
                    if got.is_empty() {
                        return keys;
                    }
                    keys.extend(got.into_iter().map(|r| r.dedupe_key));
                }
            })
        };
        let (first, second) = (releaser(one.clone()), releaser(two.clone()));
        let (first, second) = (first.await.unwrap(), second.await.unwrap());
        let all: Vec<&String> = first.iter().chain(&second).collect();
        let distinct: HashSet<&String> = all.iter().copied().collect();
        assert_eq!(distinct.len(), all.len(), "a record was released twice");
        assert_eq!(all.len(), LATER);
        assert_eq!(one.message_records(a, "m").await.unwrap().len(), LATER);
    }

    /// Work one process stores wakes the other: its work signal fires on
    /// the other's commit, long before any poll would have come round.
    #[tokio::test(flavor = "multi_thread")]
    async fn work_stored_by_one_process_wakes_the_other() {
        let db = TestDatabase::create().await;
        let one = PostgresStore::open(&db.url).await.unwrap();
        let two = PostgresStore::open(&db.url).await.unwrap();
        let signal = two.work_signal().expect("PostgreSQL has a work signal");
        let message = |id: &str| Message {
            message_id: id.into(),
            account_id: "acct-wake".into(),
            from_address: "sender@example.com".into(),
            subject: None,
            tags: vec![],
            configuration_set: None,
            sent_at: 1_000,
            recipients: vec![],
        };
        // The listener connects in the background: retry until it hears.
        let mut heard = false;
        for round in 0..50 {
            let waiting = signal.notified();
            tokio::pin!(waiting);
            waiting.as_mut().enable();
            one.insert_message(message(&format!("m{round}")), vec![], vec![])
                .await
                .unwrap();
            if tokio::time::timeout(std::time::Duration::from_millis(200), waiting)
                .await
                .is_ok()
            {
                heard = true;
                break;
            }
        }
        assert!(heard, "the other store never heard of the work");
        // A read makes no work: nothing is heard.
        let waiting = signal.notified();
        tokio::pin!(waiting);
        waiting.as_mut().enable();
        one.next_due().await.unwrap();
        assert!(
            tokio::time::timeout(std::time::Duration::from_millis(300), waiting)
                .await
                .is_err(),
            "a read woke the other process"
        );
    }

    /// Two processes writing the same items in opposite orders at once (two
    /// ingests teaching the suppression list the same addresses) both
    /// commit: neither transaction is chosen as a deadlock's victim.
    #[tokio::test(flavor = "multi_thread")]
    async fn batches_of_the_same_items_never_deadlock() {
        use mailsight_store::{ItemKind, ItemPut, PutMode};
        let db = TestDatabase::create().await;
        let one = Arc::new(PostgresStore::open(&db.url).await.unwrap());
        let two = Arc::new(PostgresStore::open(&db.url).await.unwrap());
        let batch = |reverse: bool| {
            let mut puts: Vec<ItemPut> = (0..200)
                .map(|i| ItemPut {
                    account_id: "acct-deadlock".into(),
                    kind: ItemKind::Suppressed,
                    key: format!("a{i:03}@example.com"),
                    body: serde_json::json!({"Reason": "BOUNCE"}),
                    mode: PutMode::Upsert,
                    now: 1,
                })
                .collect();
            if reverse {
                puts.reverse();
            }
            puts
        };
        for round in 0..10 {
            let (a, b) = tokio::join!(one.put_items(batch(false)), two.put_items(batch(true)));
            assert!(a.is_ok() && b.is_ok(), "round {round}: {a:?} {b:?}");
        }
    }
}
