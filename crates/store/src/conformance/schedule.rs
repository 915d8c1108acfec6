//! The schedule of later records: released in due order, once only.

use mailsight_model::EventType;

use super::messages::{message, record};
use crate::traits::Store;
use crate::types::*;

pub(super) async fn schedule_releases_in_due_order(s: &impl Store) {
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
