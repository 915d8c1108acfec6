//! The SQLite store's hot paths: storing an ingest batch (one group
//! commit), reading a message with its events (GetMessageInsights) and
//! searching messages.
//! `cargo bench -p mailsight-store`.

use std::sync::Arc;

use mailsight_model::EventType;
use mailsight_store::{Message, NewRecord, Recipient, RecipientEvent, SqliteStore, Store};

fn main() {
    divan::main();
}

fn record(id: &str, kind: EventType, at: i64) -> (Message, NewRecord) {
    let to = format!("user-{id}@example.com");
    let body = format!(
        r#"{{"eventType":"{}","mail":{{"timestamp":"2026-01-01T00:00:00.000Z","source":"sender@example.com","sendingAccountId":"123456789012","messageId":"{id}","destination":["{to}"],"headersTruncated":false,"headers":[{{"name":"From","value":"sender@example.com"}},{{"name":"To","value":"{to}"}},{{"name":"Subject","value":"Hello"}}],"commonHeaders":{{"from":["sender@example.com"],"to":["{to}"],"messageId":"{id}","subject":"Hello"}},"tags":{{"ses:operation":["SendEmail"]}}}},"x":{{"timestamp":"{at}"}}}}"#,
        kind.record_name()
    );
    let message = Message {
        message_id: id.into(),
        account_id: "123456789012".into(),
        from_address: "sender@example.com".into(),
        subject: Some("Hello".into()),
        tags: vec![("ses:operation".into(), "SendEmail".into())],
        configuration_set: None,
        sent_at: 0,
        recipients: vec![Recipient {
            address: to.clone(),
            isp: "Other".into(),
        }],
    };
    let new = NewRecord {
        account_id: "123456789012".into(),
        message_id: id.into(),
        event_type: kind,
        timestamp: at,
        dedupe_key: format!("{id}|{}|{at}|{to}|", kind.record_name()),
        body,
        recipients: vec![RecipientEvent {
            address: to,
            details: None,
        }],
        configuration_set: None,
        identity: None,
        machine: None,
    };
    (message, new)
}

fn batch(start: usize, messages: usize) -> Vec<(Message, NewRecord)> {
    (start..start + messages)
        .flat_map(|i| {
            let id = format!("0100{i:012x}-bench-000000");
            [
                record(&id, EventType::Send, 1),
                record(&id, EventType::Delivery, 2),
                record(&id, EventType::Open, 3),
            ]
        })
        .collect()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// 3,000 records (1,000 messages) in one call, committed with fsync.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn ingest_batch(b: divan::Bencher) {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path()).unwrap());
    let mut next = 0;
    b.counter(divan::counter::ItemsCount::new(3_000usize))
        .bench_local(|| {
            let batch = batch(next, 1_000);
            next += 1_000;
            rt.block_on(store.ingest(batch)).unwrap()
        });
}

/// One message and its events out of 50,000 messages.
#[divan::bench]
fn message_events(b: divan::Bencher) {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path()).unwrap());
    for i in 0..50 {
        rt.block_on(store.ingest(batch(i * 1_000, 1_000))).unwrap();
    }
    let mut i = 0usize;
    b.bench_local(|| {
        i = (i * 7919 + 13) % 50_000;
        let id = format!("0100{i:012x}-bench-000000");
        rt.block_on(store.message_events("123456789012", &id))
            .unwrap()
            .unwrap()
    });
}

/// A page of one recipient's messages out of 50,000 (`/_mailsight/messages
/// ?recipient=`), and the newest 50 of a sender all of them share.
#[divan::bench(args = ["recipient", "sender"])]
fn search_messages(b: divan::Bencher, by: &str) {
    use mailsight_store::MessageQuery;
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path()).unwrap());
    for i in 0..50 {
        rt.block_on(store.ingest(batch(i * 1_000, 1_000))).unwrap();
    }
    let mut i = 0usize;
    b.bench_local(|| {
        i = (i * 7919 + 13) % 50_000;
        let query = match by {
            "recipient" => MessageQuery {
                recipient: Some(format!("user-0100{i:012x}-bench-000000@example.com")),
                ..Default::default()
            },
            _ => MessageQuery {
                sender: Some("sender@example.com".into()),
                ..Default::default()
            },
        };
        let page = rt
            .block_on(store.search_messages("123456789012", &query.compile().unwrap(), None, 50))
            .unwrap();
        assert!(!page.messages.is_empty());
        page
    });
}
