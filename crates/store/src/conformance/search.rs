//! Message search: each filter alone and combined, newest first, pages
//! without duplicates or gaps, accounts kept apart, duplicate records not
//! duplicating answers, and messages findable by what later records taught.

use mailsight_model::EventType;

use super::messages::{message, record};
use crate::search::{MessageQuery, SearchCursor, SearchPage};
use crate::traits::Store;
use crate::types::*;

/// Every matching message id, following cursors with pages of `page`.
async fn ids_paged(s: &impl Store, account: &str, q: &MessageQuery, page: usize) -> Vec<String> {
    let compiled = q.compile().unwrap();
    let mut cursor: Option<SearchCursor> = None;
    let mut out = Vec::new();
    for _ in 0..1_000 {
        let SearchPage { messages, next } = s
            .search_messages(account, &compiled, cursor, page)
            .await
            .unwrap();
        assert!(messages.len() <= page, "a page holds at most its limit");
        out.extend(messages.into_iter().map(|m| m.message_id));
        match next {
            Some(n) => cursor = Some(n),
            None => return out,
        }
    }
    panic!("paging never ended");
}

async fn ids(s: &impl Store, account: &str, q: MessageQuery) -> Vec<String> {
    ids_paged(s, account, &q, 100).await
}

#[allow(clippy::too_many_arguments)]
fn sent(
    account: &str,
    id: &str,
    from: &str,
    subject: &str,
    tag: (&str, &str),
    set: Option<&str>,
    at: Millis,
    to: &[(&str, &str)],
) -> Message {
    Message {
        from_address: from.into(),
        subject: Some(subject.into()),
        tags: vec![(tag.0.into(), tag.1.into())],
        configuration_set: set.map(str::to_owned),
        sent_at: at,
        recipients: to
            .iter()
            .map(|(a, isp)| Recipient {
                address: (*a).into(),
                isp: (*isp).into(),
            })
            .collect(),
        ..message(account, id, &[])
    }
}

const A: &str = "acct-search";

/// Three messages of [`A`] (and one of another account) with their events.
async fn three_messages(s: &impl Store) {
    let m1 = sent(
        A,
        "srch-1",
        "Shop <orders@shop.test>",
        "Your order shipped",
        ("campaign", "spring"),
        Some("cs-a"),
        1_000,
        &[("jane@x.test", "Gmail"), ("joe@y.test", "Yahoo")],
    );
    let send = record(
        A,
        "srch-1",
        EventType::Send,
        1_000,
        &["jane@x.test", "joe@y.test"],
    );
    s.insert_message(m1, vec![send], vec![]).await.unwrap();
    s.append_records(vec![
        record(A, "srch-1", EventType::Delivery, 2_000, &["jane@x.test"]),
        record(A, "srch-1", EventType::Bounce, 2_500, &["joe@y.test"]),
    ])
    .await
    .unwrap();

    let m2 = sent(
        A,
        "srch-2",
        "news@shop.test",
        "Spring newsletter",
        ("campaign", "spring"),
        Some("cs-b"),
        2_000,
        &[("Jane@X.test", "Gmail")],
    );
    let send = record(A, "srch-2", EventType::Send, 2_000, &["Jane@X.test"]);
    s.insert_message(m2, vec![send], vec![]).await.unwrap();
    s.append_records(vec![
        record(A, "srch-2", EventType::Delivery, 3_000, &["Jane@X.test"]),
        record(A, "srch-2", EventType::Open, 4_000, &["Jane@X.test"]),
    ])
    .await
    .unwrap();

    let m3 = sent(
        A,
        "srch-3",
        "ORDERS@shop.test",
        "Order cancelled",
        ("campaign", "fall"),
        None,
        3_000,
        &[("bob@z.test", "Outlook")],
    );
    let send = record(A, "srch-3", EventType::Send, 3_000, &["bob@z.test"]);
    s.insert_message(m3, vec![send], vec![]).await.unwrap();

    let other = sent(
        "acct-search-2",
        "srch-o1",
        "orders@shop.test",
        "Your order shipped",
        ("campaign", "spring"),
        Some("cs-a"),
        1_500,
        &[("jane@x.test", "Gmail")],
    );
    s.insert_message(other, vec![], vec![]).await.unwrap();
}

pub(super) async fn search_by_each_filter(s: &impl Store) {
    three_messages(s).await;
    let q = MessageQuery::default;
    let by = |f: fn(&mut MessageQuery)| {
        let mut query = q();
        f(&mut query);
        query
    };
    assert_eq!(
        ids(s, A, q()).await,
        ["srch-3", "srch-2", "srch-1"],
        "no filter: all, newest first"
    );
    assert_eq!(
        ids(s, A, by(|q| q.recipient = Some("JANE@x.test".into()))).await,
        ["srch-2", "srch-1"]
    );
    assert!(
        ids(s, A, by(|q| q.recipient = Some("jane@x".into())))
            .await
            .is_empty(),
        "recipients match whole"
    );
    assert_eq!(
        ids(s, A, by(|q| q.sender = Some("orders@shop.test".into()))).await,
        ["srch-3", "srch-1"],
        "the display name is ignored, the case too"
    );
    assert_eq!(
        ids(s, A, by(|q| q.subject = Some("ORDER".into()))).await,
        ["srch-3", "srch-1"]
    );
    assert_eq!(
        ids(s, A, by(|q| q.subject = Some("order, shipped!".into()))).await,
        ["srch-1"],
        "every word must match"
    );
    assert!(
        ids(s, A, by(|q| q.subject = Some("shipped cancelled".into())))
            .await
            .is_empty()
    );
    assert_eq!(
        ids(s, A, by(|q| q.event = Some(EventType::Bounce))).await,
        ["srch-1"]
    );
    assert_eq!(
        ids(s, A, by(|q| q.event = Some(EventType::Send))).await,
        ["srch-3", "srch-2", "srch-1"]
    );
    assert!(
        ids(s, A, by(|q| q.event = Some(EventType::Complaint)))
            .await
            .is_empty()
    );
    assert_eq!(
        ids(
            s,
            A,
            by(|q| q.tags = vec![("campaign".into(), "spring".into())])
        )
        .await,
        ["srch-2", "srch-1"]
    );
    assert!(
        ids(
            s,
            A,
            by(|q| q.tags = vec![("campaign".into(), "Spring".into())])
        )
        .await
        .is_empty(),
        "tag values compare exactly"
    );
    assert_eq!(
        ids(s, A, by(|q| q.configuration_set = Some("cs-a".into()))).await,
        ["srch-1"]
    );
    assert_eq!(
        ids(s, A, by(|q| q.isp = Some("yahoo".into()))).await,
        ["srch-1"]
    );
    assert_eq!(
        ids(s, A, by(|q| q.isp = Some("Gmail".into()))).await,
        ["srch-2", "srch-1"]
    );
    assert_eq!(
        ids(s, A, by(|q| q.start = Some(2_000))).await,
        ["srch-3", "srch-2"],
        "start is inclusive"
    );
    assert_eq!(
        ids(s, A, by(|q| q.end = Some(2_000))).await,
        ["srch-1"],
        "end is exclusive"
    );
    assert_eq!(
        ids(
            s,
            A,
            by(|q| {
                q.recipient = Some("jane@x.test".into());
                q.start = Some(1_500);
                q.end = Some(2_500);
            })
        )
        .await,
        ["srch-2"]
    );
}

pub(super) async fn search_combines_filters(s: &impl Store) {
    // Uses the messages of `search_by_each_filter`.
    let q = |f: fn(&mut MessageQuery)| {
        let mut query = MessageQuery::default();
        f(&mut query);
        query
    };
    assert_eq!(
        ids(
            s,
            A,
            q(|q| {
                q.recipient = Some("jane@x.test".into());
                q.event = Some(EventType::Open);
            })
        )
        .await,
        ["srch-2"]
    );
    assert_eq!(
        ids(
            s,
            A,
            q(|q| {
                q.sender = Some("orders@shop.test".into());
                q.subject = Some("shipped".into());
                q.tags = vec![("campaign".into(), "spring".into())];
                q.configuration_set = Some("cs-a".into());
                q.isp = Some("gmail".into());
                q.event = Some(EventType::Delivery);
            })
        )
        .await,
        ["srch-1"]
    );
    assert!(
        ids(
            s,
            A,
            q(|q| {
                q.recipient = Some("bob@z.test".into());
                q.tags = vec![("campaign".into(), "spring".into())];
            })
        )
        .await
        .is_empty()
    );

    // What a list shows: each recipient's newest event.
    let page = s
        .search_messages(
            A,
            &q(|q| q.subject = Some("shipped".into())).compile().unwrap(),
            None,
            10,
        )
        .await
        .unwrap();
    assert_eq!(page.next, None);
    let [m] = &page.messages[..] else {
        panic!("one message: {page:?}")
    };
    assert_eq!(m.message_id, "srch-1");
    assert_eq!(m.from_address, "Shop <orders@shop.test>");
    assert_eq!(m.subject.as_deref(), Some("Your order shipped"));
    assert_eq!(m.sent_at, 1_000);
    assert_eq!(m.configuration_set.as_deref(), Some("cs-a"));
    assert_eq!(m.tags, [("campaign".to_owned(), "spring".to_owned())]);
    let who: Vec<_> = m
        .recipients
        .iter()
        .map(|r| {
            (
                r.address.as_str(),
                r.isp.as_str(),
                r.latest_event,
                r.latest_at,
            )
        })
        .collect();
    assert_eq!(
        who,
        [
            (
                "jane@x.test",
                "Gmail",
                Some(EventType::Delivery),
                Some(2_000)
            ),
            ("joe@y.test", "Yahoo", Some(EventType::Bounce), Some(2_500)),
        ]
    );

    // Another account sees only its own.
    assert_eq!(
        ids(
            s,
            "acct-search-2",
            q(|q| q.recipient = Some("jane@x.test".into()))
        )
        .await,
        ["srch-o1"]
    );
    assert!(
        ids(s, "acct-search-3", MessageQuery::default())
            .await
            .is_empty()
    );
}

pub(super) async fn search_pages_without_duplicates_or_gaps(s: &impl Store) {
    let a = "acct-search-pages";
    // Equal send times, to check the tie-break keeps pages apart.
    let times = [100, 100, 100, 200, 300, 300, 400, 500, 500];
    for (i, at) in times.iter().enumerate() {
        let mut m = message(a, &format!("p{i}"), &["r@x.test"]);
        m.sent_at = *at;
        let send = record(a, &format!("p{i}"), EventType::Send, *at, &["r@x.test"]);
        s.insert_message(m, vec![send], vec![]).await.unwrap();
    }
    for q in [
        MessageQuery::default(),
        MessageQuery {
            recipient: Some("r@x.test".into()),
            ..Default::default()
        },
        MessageQuery {
            recipient: Some("r@x.test".into()),
            event: Some(EventType::Send),
            ..Default::default()
        },
    ] {
        let all = ids_paged(s, a, &q, 1_000).await;
        assert_eq!(all.len(), times.len(), "{q:?}");
        for page in [1, 2, 4] {
            assert_eq!(ids_paged(s, a, &q, page).await, all, "{q:?} by {page}");
        }
        // Newest first.
        let at = |id: &String| times[id[1..].parse::<usize>().unwrap()];
        assert!(all.windows(2).all(|w| at(&w[0]) >= at(&w[1])), "{all:?}");
    }
    // A full last page has no next when nothing follows it.
    let q = MessageQuery::default().compile().unwrap();
    let page = s.search_messages(a, &q, None, times.len()).await.unwrap();
    assert_eq!(page.messages.len(), times.len());
    assert_eq!(page.next, None);
    let page = s.search_messages(a, &q, None, 3).await.unwrap();
    assert!(page.next.is_some());
}

pub(super) async fn search_ignores_duplicates_and_learns_from_enrichment(s: &impl Store) {
    let a = "acct-search-enrich";
    // A bounce arrives first: no subject, tags or set yet.
    let mut first = message(a, "en-1", &["b@x.test"]);
    first.subject = None;
    first.tags = vec![];
    first.configuration_set = None;
    let bounce = record(a, "en-1", EventType::Bounce, 3_000, &["b@x.test"]);
    s.ingest(vec![(first.clone(), bounce.clone())])
        .await
        .unwrap();
    s.ingest(vec![(first, bounce.clone())]).await.unwrap();
    let subject = || MessageQuery {
        subject: Some("invoice".into()),
        ..Default::default()
    };
    assert!(ids(s, a, subject()).await.is_empty());
    assert_eq!(
        ids(
            s,
            a,
            MessageQuery {
                recipient: Some("b@x.test".into()),
                ..Default::default()
            }
        )
        .await,
        ["en-1"],
        "a duplicate record does not duplicate the answer"
    );

    // The Send brings the subject, a tag, the set and another recipient.
    let mut full = message(a, "en-1", &["a@x.test", "b@x.test"]);
    full.subject = Some("Invoice 42".into());
    let send = record(a, "en-1", EventType::Send, 1_000, &["a@x.test", "b@x.test"]);
    s.ingest(vec![(full.clone(), send.clone()), (full.clone(), send)])
        .await
        .unwrap();
    assert_eq!(ids(s, a, subject()).await, ["en-1"]);
    for q in [
        MessageQuery {
            recipient: Some("a@x.test".into()),
            ..Default::default()
        },
        MessageQuery {
            configuration_set: Some("cs".into()),
            tags: vec![("campaign".into(), "spring".into())],
            event: Some(EventType::Bounce),
            ..Default::default()
        },
    ] {
        assert_eq!(ids(s, a, q).await, ["en-1"]);
    }

    // A record before its message: unknown until the message arrives, then
    // found by its own terms and by the earlier record's type.
    let early = record(a, "en-2", EventType::Complaint, 9_000, &["c@x.test"]);
    s.append_records(vec![early]).await.unwrap();
    let complaint = || MessageQuery {
        event: Some(EventType::Complaint),
        ..Default::default()
    };
    assert!(ids(s, a, complaint()).await.is_empty());
    assert!(
        !ids(s, a, MessageQuery::default())
            .await
            .contains(&"en-2".to_owned())
    );
    let mut m = message(a, "en-2", &["c@x.test"]);
    m.sent_at = 8_000;
    let send = record(a, "en-2", EventType::Send, 8_000, &["c@x.test"]);
    s.insert_message(m, vec![send], vec![]).await.unwrap();
    assert_eq!(ids(s, a, complaint()).await, ["en-2"]);
    assert_eq!(ids(s, a, MessageQuery::default()).await, ["en-2", "en-1"]);
}
