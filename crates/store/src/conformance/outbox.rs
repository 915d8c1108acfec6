//! The outbox: routing records to event destinations and forwarders,
//! leased claims, retries, dead letters and replays.

use mailsight_model::EventType;

use super::configuration_sets::{destination, set};
use super::messages::{message, record};
use crate::traits::Store;
use crate::types::*;

pub(super) async fn outbox_routes_and_tracks_deliveries(s: &impl Store) {
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
        .map(|d| (d.target.to_string(), d.event_type))
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
    let d_send = crate::Target::destination("cs", "d-send");
    assert!(targets.contains(&d_send), "{targets:?}");

    // Claiming leases: a second claim before the lease ends gets nothing.
    let claimed = s
        .claim_deliveries(&d_send, far, far + 60_000, 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert!(claimed[0].body.contains("Send"));
    assert!(
        s.claim_deliveries(&d_send, far, far + 60_000, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        s.claim_deliveries(&d_send, far + 60_000, far + 120_000, 10)
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

    let counts = s.delivery_counts(a, None, 100).await.unwrap();
    let of = |t: &str| counts.iter().find(|c| c.target.to_string() == t).cloned();
    assert_eq!(
        of("destination:cs/d-send").map(|c| (c.pending, c.delivered, c.dead)),
        Some((0, 0, 1)),
        "{counts:?}"
    );
    assert_eq!(
        of("forwarder:f-all").map(|c| (c.pending, c.delivered, c.dead)),
        Some((2, 0, 0)),
        "{counts:?}"
    );
    assert_eq!(counts.len(), 4, "one row per target: {counts:?}");
    let after = s
        .delivery_counts(a, Some(&counts[0].target), 1)
        .await
        .unwrap();
    assert_eq!(after, counts[1..2], "paged after a target");
    assert!(
        s.delivery_counts("acct-none", None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        s.replay_dead_of("acct-none", Some(&d_send), 30)
            .await
            .unwrap(),
        0,
        "another account's dead letters stay dead"
    );
    assert_eq!(s.replay_dead_of(a, Some(&d_send), 30).await.unwrap(), 1);
    assert_eq!(
        s.delivery_counts(a, None, 100).await.unwrap()[..]
            .iter()
            .find(|c| c.target == d_send)
            .map(|c| (c.pending, c.dead)),
        Some((1, 0))
    );
    s.settle_delivery(
        id,
        25,
        AttemptResult::Dead {
            error: "again".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(s.replay_dead(Some(&d_send), 30).await.unwrap(), 1);
    let again = s.claim_deliveries(&d_send, 30, 90_000, 10).await.unwrap();
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
