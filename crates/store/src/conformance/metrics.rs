//! Rollups: counted with the events, once per stored record and recipient,
//! cut by dimension, VDM's tracked subset apart, and rebuilt to the same
//! numbers from the log.

use mailsight_model::{Dimension, EventType, Metric};
use serde_json::json;

use super::messages::{message, record};
use crate::metrics::*;
use crate::traits::Store;
use crate::types::*;

/// Midnight UTC, 2026-11-02, and times within that day and the next.
const DAY0: Millis = 1_793_577_600_000;
const T1: Millis = DAY0 + 3 * HOUR_MS + 5;
const T2: Millis = DAY0 + DAY_MS + 10 * HOUR_MS;

fn query(metric: Metric, filters: &[(Dimension, &str)]) -> MetricQuery {
    MetricQuery {
        metric,
        filters: filters
            .iter()
            .map(|(d, v)| (*d, vec![(*v).to_owned()]))
            .collect(),
        start: DAY0,
        end: DAY0 + 3 * DAY_MS,
        tracked_only: false,
    }
}

async fn daily(s: &impl Store, a: &str, q: MetricQuery) -> Vec<(Millis, u64)> {
    let mut series = s.metric_series(a, vec![q], DAY_MS).await.unwrap();
    assert_eq!(series.len(), 1, "one series per query");
    series
        .remove(0)
        .into_iter()
        .map(|p| (p.at, p.count))
        .collect()
}

fn at(
    a: &str,
    id: &str,
    kind: EventType,
    t: Millis,
    who: &[&str],
    details: Option<serde_json::Value>,
) -> NewRecord {
    let mut r = record(a, id, kind, t, who);
    r.dedupe_key = format!("{id}/{}/{t}/{}", kind.api_name(), who.join(","));
    for e in &mut r.recipients {
        e.details = details.clone();
    }
    r
}

pub(super) async fn rollups_count_what_is_stored(s: &impl Store) {
    let a = "acct-rollups";
    let mut m1 = message(a, "r-m1", &["jane@gmail.com"]);
    m1.from_address = "News@Example.com".into();
    m1.tags.push(("ses:tenant-name".into(), "blue".into()));
    m1.recipients[0].isp = "Gmail".into();
    let send = at(a, "r-m1", EventType::Send, T1, &["jane@gmail.com"], None);
    s.insert_message(m1, vec![send.clone()], vec![])
        .await
        .unwrap();
    // The same send again (a replayed request) and a duplicate delivery.
    s.append_records(vec![send]).await.unwrap();
    let delivery = at(
        a,
        "r-m1",
        EventType::Delivery,
        T1 + 10,
        &["jane@gmail.com"],
        None,
    );
    s.append_records(vec![delivery.clone(), delivery])
        .await
        .unwrap();
    // Two opens: OPEN counts one (unique), on the day of the first.
    s.append_records(vec![
        at(
            a,
            "r-m1",
            EventType::Open,
            T1 + 20,
            &["jane@gmail.com"],
            None,
        ),
        at(a, "r-m1", EventType::Open, T2, &["jane@gmail.com"], None),
    ])
    .await
    .unwrap();

    // A second message, two recipients, the next day: not VDM-tracked.
    let mut m2 = message(a, "r-m2", &["bob@yahoo.com", "sim@simulator.amazonses.com"]);
    m2.recipients[0].isp = "Yahoo".into();
    m2.recipients[1].isp = "Amazon SES Mailbox Simulator".into();
    m2.configuration_set = Some("promo".into());
    let send = at(
        a,
        "r-m2",
        EventType::Send,
        T2,
        &["bob@yahoo.com", "sim@simulator.amazonses.com"],
        None,
    );
    s.insert_message(m2, vec![send], vec![]).await.unwrap();
    let permanent = json!({"Bounce": {"BounceType": "PERMANENT", "BounceSubType": "GENERAL"}});
    let transient = json!({"Bounce": {"BounceType": "TRANSIENT", "BounceSubType": "GENERAL"}});
    s.append_records(vec![
        at(
            a,
            "r-m2",
            EventType::Bounce,
            T2 + 1,
            &["bob@yahoo.com"],
            Some(permanent),
        ),
        at(
            a,
            "r-m2",
            EventType::Bounce,
            T2 + 2,
            &["sim@simulator.amazonses.com"],
            Some(transient),
        ),
        at(
            a,
            "r-m2",
            EventType::Delivery,
            T2 + 3,
            &["bob@yahoo.com"],
            None,
        ),
    ])
    .await
    .unwrap();

    let day1 = DAY0 + DAY_MS;
    assert_eq!(
        daily(s, a, query(Metric::Send, &[])).await,
        [(DAY0, 1), (day1, 2)],
        "SEND per recipient, the replayed send once"
    );
    assert_eq!(
        daily(s, a, query(Metric::Delivery, &[])).await,
        [(DAY0, 1), (day1, 1)]
    );
    assert_eq!(daily(s, a, query(Metric::Open, &[])).await, [(DAY0, 1)]);
    assert_eq!(
        daily(s, a, query(Metric::PermanentBounce, &[])).await,
        [(day1, 1)]
    );
    assert_eq!(
        daily(s, a, query(Metric::TransientBounce, &[])).await,
        [(day1, 1)]
    );
    // Deliveries with a configuration set could be tracked; Yahoo has a
    // feedback loop, Gmail none.
    assert_eq!(
        daily(s, a, query(Metric::DeliveryOpen, &[])).await,
        [(DAY0, 1), (day1, 1)]
    );
    assert_eq!(
        daily(s, a, query(Metric::DeliveryComplaint, &[])).await,
        [(day1, 1)]
    );

    // Dimensions: identity as address (any case) and as domain, set, ISP, tenant.
    let id = Dimension::EmailIdentity;
    assert_eq!(
        daily(s, a, query(Metric::Send, &[(id, "example.com")])).await,
        [(DAY0, 1), (day1, 2)]
    );
    for value in ["news@example.com", "NEWS@example.com"] {
        assert_eq!(
            daily(s, a, query(Metric::Send, &[(id, value)])).await,
            [(DAY0, 1)],
            "{value}"
        );
    }
    assert_eq!(
        daily(s, a, query(Metric::Send, &[(id, "sender@example.com")])).await,
        [(day1, 2)]
    );
    assert_eq!(
        daily(
            s,
            a,
            query(Metric::Send, &[(Dimension::ConfigurationSet, "promo")])
        )
        .await,
        [(day1, 2)]
    );
    assert_eq!(
        daily(s, a, query(Metric::Send, &[(Dimension::Isp, "Yahoo")])).await,
        [(day1, 1)]
    );
    assert_eq!(
        daily(
            s,
            a,
            query(Metric::Send, &[(Dimension::TenantName, "blue")])
        )
        .await,
        [(DAY0, 1)]
    );
    // Combined dimensions.
    assert_eq!(
        daily(
            s,
            a,
            query(
                Metric::Send,
                &[(id, "example.com"), (Dimension::Isp, "Yahoo")]
            )
        )
        .await,
        [(day1, 1)]
    );
    assert!(
        daily(
            s,
            a,
            query(
                Metric::Send,
                &[(id, "news@example.com"), (Dimension::Isp, "Yahoo")]
            )
        )
        .await
        .is_empty()
    );

    // Lists of values add up; a dimension without values is any value.
    let mut listed = query(Metric::Send, &[]);
    listed.filters = vec![
        (
            Dimension::ConfigurationSet,
            vec!["cs".into(), "promo".into()],
        ),
        (Dimension::TenantName, vec![]),
    ];
    assert_eq!(daily(s, a, listed).await, [(DAY0, 1), (day1, 2)]);

    // VDM's subset leaves out the two-recipient message.
    let mut tracked = query(Metric::Send, &[]);
    tracked.tracked_only = true;
    assert_eq!(daily(s, a, tracked).await, [(DAY0, 1)]);

    // Hourly buckets, a range, and another account.
    let hourly = s
        .metric_series(a, vec![query(Metric::Send, &[])], HOUR_MS)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(
        hourly,
        [
            Point {
                at: DAY0 + 3 * HOUR_MS,
                count: 1
            },
            Point {
                at: DAY0 + DAY_MS + 10 * HOUR_MS,
                count: 2
            }
        ]
    );
    let mut first_day = query(Metric::Send, &[]);
    first_day.end = DAY0 + DAY_MS;
    assert_eq!(daily(s, a, first_day.clone()).await, [(DAY0, 1)]);

    // Ranges that cut days: the whole days come from the day totals, the
    // cut ones from the hours, and a bucket holding both is one point.
    let mut cut = query(Metric::Send, &[]);
    (cut.start, cut.end) = (DAY0 + 5 * HOUR_MS, DAY0 + DAY_MS + 11 * HOUR_MS);
    assert_eq!(daily(s, a, cut.clone()).await, [(DAY0 + DAY_MS, 2)]);
    cut.start = DAY0 + 2 * HOUR_MS;
    assert_eq!(
        daily(s, a, cut.clone()).await,
        [(DAY0, 1), (DAY0 + DAY_MS, 2)]
    );
    cut.end = DAY0 + DAY_MS + 10 * HOUR_MS;
    assert_eq!(daily(s, a, cut.clone()).await, [(DAY0, 1)]);
    cut.end = DAY0 + 3 * DAY_MS;
    let two_days = s
        .metric_series(a, vec![cut], 2 * DAY_MS)
        .await
        .unwrap()
        .remove(0);
    let bucket = |t: Millis| t.div_euclid(2 * DAY_MS) * 2 * DAY_MS;
    let expected: Vec<Point> = if bucket(DAY0) == bucket(DAY0 + DAY_MS) {
        vec![Point {
            at: bucket(DAY0),
            count: 3,
        }]
    } else {
        vec![
            Point {
                at: bucket(DAY0),
                count: 1,
            },
            Point {
                at: bucket(DAY0 + DAY_MS),
                count: 2,
            },
        ]
    };
    assert_eq!(two_days, expected);

    // Several queries in one read: one series each, in the order asked,
    // an empty one kept in its place.
    let batch = vec![
        query(Metric::Send, &[]),
        query(Metric::Complaint, &[(Dimension::Isp, "Nobody")]),
        first_day.clone(),
        query(Metric::Send, &[(id, "example.com")]),
    ];
    let mut one_by_one = Vec::new();
    for q in &batch {
        one_by_one.push(daily(s, a, q.clone()).await);
    }
    let together: Vec<Vec<(Millis, u64)>> = s
        .metric_series(a, batch, DAY_MS)
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.into_iter().map(|p| (p.at, p.count)).collect())
        .collect();
    assert_eq!(together, one_by_one);
    assert!(together[1].is_empty());
    assert_eq!(together[2], [(DAY0, 1)]);
    assert!(
        daily(s, "acct-rollups-other", query(Metric::Send, &[]))
            .await
            .is_empty()
    );

    // Breakdown by ISP, largest first.
    let by_isp = s
        .metric_breakdown(a, query(Metric::Send, &[]), Dimension::Isp, 10)
        .await
        .unwrap();
    assert_eq!(
        by_isp,
        [
            ("Amazon SES Mailbox Simulator".to_owned(), 1),
            ("Gmail".to_owned(), 1),
            ("Yahoo".to_owned(), 1)
        ]
    );

    // Quarter-hour account totals.
    let q = s
        .metric_quarters(a, Metric::Send, DAY0, DAY0 + 3 * DAY_MS)
        .await
        .unwrap();
    assert_eq!(
        q,
        [
            Point {
                at: DAY0 + 3 * HOUR_MS,
                count: 1
            },
            Point {
                at: DAY0 + DAY_MS + 10 * HOUR_MS,
                count: 2
            }
        ]
    );

    // A rebuild from the log gives the same numbers.
    let before: Vec<_> = {
        let mut v = Vec::new();
        for m in Metric::ALL {
            v.push(daily(s, a, query(m, &[])).await);
            v.push(daily(s, a, query(m, &[(id, "example.com")])).await);
        }
        v
    };
    let report = s.rebuild_rollups().await.unwrap();
    assert!(report.events >= 8 && report.rows > 0, "{report:?}");
    let mut after = Vec::new();
    for m in Metric::ALL {
        after.push(daily(s, a, query(m, &[])).await);
        after.push(daily(s, a, query(m, &[(id, "example.com")])).await);
    }
    assert_eq!(before, after);
}

/// Sends stored while the rollups are rebuilt (in one group commit on
/// SQLite, where counts wait for the batch's end) are counted once: the
/// numbers equal those of a rebuild made after them all.
pub(super) async fn rollups_survive_a_rebuild_among_sends(s: &impl Store) {
    let a = "acct-rebuild-race";
    let send = |n: usize| {
        let id = format!("rr-{n}");
        let m = message(a, &id, &["jane@gmail.com"]);
        let r = at(
            a,
            &id,
            EventType::Send,
            T1 + n as Millis,
            &["jane@gmail.com"],
            None,
        );
        s.insert_message(m, vec![r], vec![])
    };
    let before = futures_util::future::join_all((0..20).map(send));
    let rebuild = s.rebuild_rollups();
    let after = futures_util::future::join_all((20..40).map(send));
    let (before, rebuilt, after) = tokio::join!(before, rebuild, after);
    before.into_iter().chain(after).for_each(|r| r.unwrap());
    rebuilt.unwrap();
    let raced = daily(s, a, query(Metric::Send, &[])).await;
    assert_eq!(raced.iter().map(|(_, n)| n).sum::<u64>(), 40, "{raced:?}");
    s.rebuild_rollups().await.unwrap();
    assert_eq!(daily(s, a, query(Metric::Send, &[])).await, raced);
}
