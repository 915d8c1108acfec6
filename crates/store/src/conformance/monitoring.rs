//! Monitoring: the health probe, the size on disk, and the outbox depth
//! per target that `/metrics` reports.

use mailsight_model::EventType;

use super::configuration_sets::{destination, set};
use super::messages::{message, record};
use crate::target::Target;
use crate::traits::Store;
use crate::types::*;

pub(super) async fn monitoring_reads(s: &impl Store) {
    s.ping().await.unwrap();
    assert!(
        s.size_bytes().await.unwrap() > 0,
        "a store takes some bytes"
    );

    // Two destinations of their own set, so no other check's deliveries
    // land on them.
    let a = "acct-depth";
    s.create_configuration_set(a, set("depth")).await.unwrap();
    for name in ["d-busy", "d-idle"] {
        s.create_event_destination(a, "depth", destination(name, &[EventType::Send]))
            .await
            .unwrap();
    }
    let busy = Target::destination("depth", "d-busy");
    let idle = Target::destination("depth", "d-idle");
    let mine = |all: Vec<TargetDepth>| -> Vec<TargetDepth> {
        all.into_iter()
            .filter(|d| d.target == busy || d.target == idle)
            .collect()
    };
    assert!(mine(s.outbox_depth(1_000).await.unwrap()).is_empty());

    for (i, id) in ["dp-1", "dp-2", "dp-3"].iter().enumerate() {
        let mut m = message(a, id, &["r@x.test"]);
        m.configuration_set = Some("depth".into());
        let mut send = record(a, id, EventType::Send, 1_000 + i as i64, &["r@x.test"]);
        send.configuration_set = Some("depth".into());
        s.insert_message(m, vec![send], vec![]).await.unwrap();
    }
    let depth = mine(s.outbox_depth(1_000).await.unwrap());
    assert_eq!(
        depth
            .iter()
            .map(|d| (&d.target, d.pending))
            .collect::<Vec<_>>(),
        [(&busy, 3), (&idle, 3)],
        "in target order, every pending delivery counted"
    );
    let listed = s
        .list_deliveries(
            DeliveryFilter {
                target: Some(busy.clone()),
                ..Default::default()
            },
            None,
            10,
        )
        .await
        .unwrap();
    let oldest = listed.iter().map(|d| d.created_at).min();
    assert_eq!(depth[0].oldest_pending_at, oldest);

    // Settling every delivery of one target leaves it listed, with nothing
    // pending and no oldest pending delivery.
    for d in &listed {
        s.settle_delivery(d.id, 5, AttemptResult::Delivered)
            .await
            .unwrap();
    }
    let depth = mine(s.outbox_depth(1_000).await.unwrap());
    assert_eq!(depth[0].target, busy);
    assert_eq!((depth[0].pending, depth[0].oldest_pending_at), (0, None));
    assert_eq!(depth[1].pending, 3);

    // A retry is still pending.
    let first = s
        .claim_deliveries(&idle, i64::MAX / 4, i64::MAX / 4 + 1, 1)
        .await
        .unwrap();
    s.settle_delivery(
        first[0].id,
        6,
        AttemptResult::Retry {
            error: "503".into(),
            next_attempt: i64::MAX / 2,
        },
    )
    .await
    .unwrap();
    assert_eq!(mine(s.outbox_depth(1_000).await.unwrap())[1].pending, 3);

    // The answer is bounded.
    let all = s.outbox_depth(1_000).await.unwrap();
    assert!(all.len() >= 2);
    assert_eq!(s.outbox_depth(1).await.unwrap(), all[..1]);
    assert!(s.outbox_depth(0).await.unwrap().is_empty());
}
