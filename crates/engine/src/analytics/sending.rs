//! Recent account totals, from the 15-minute rollups: the same cost after
//! ten events or ten million. Both SES APIs answer from here: the send
//! quota (SES v2 `GetAccount`'s `SendQuota`, SES v1 `GetSendQuota`) and
//! the two weeks of 15-minute data points of SES v1 `GetSendStatistics`.

use std::collections::BTreeMap;

use mailsight_model::Metric;
use mailsight_store::{DAY_MS, Millis, QUARTER_MS, Store, StoreError};

/// Most messages (recipients) a day mailsight reports an account may send.
pub const MAX_24_HOUR_SEND: f64 = 1_000_000.0;
/// Most messages a second mailsight reports an account may send.
pub const MAX_SEND_RATE: f64 = 10_000.0;

/// An account's sending quota and what it used of it: `SendQuota` in
/// SES v2, `GetSendQuota` in SES v1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SendQuota {
    pub max_24_hour_send: f64,
    pub max_send_rate: f64,
    pub sent_last_24_hours: f64,
}

/// The account's quota at `now` (mailsight enforces none; the numbers are
/// a production account's).
pub async fn quota(store: &dyn Store, account: &str, now: Millis) -> Result<SendQuota, StoreError> {
    Ok(SendQuota {
        max_24_hour_send: MAX_24_HOUR_SEND,
        max_send_rate: MAX_SEND_RATE,
        sent_last_24_hours: sent_last_24_hours(store, account, now).await? as f64,
    })
}

/// Recipients sent to in the 24 hours before `now` (SES counts each
/// recipient against the quota), at 15-minute resolution: the quarter
/// that straddles `now - 24h` is left out.
pub async fn sent_last_24_hours(
    store: &dyn Store,
    account: &str,
    now: Millis,
) -> Result<u64, StoreError> {
    let start = (now - DAY_MS).div_euclid(QUARTER_MS) * QUARTER_MS + QUARTER_MS;
    let points = store
        .metric_quarters(account, Metric::Send, start, now + 1)
        .await?;
    Ok(points.iter().map(|p| p.count).sum())
}

/// One 15-minute data point of SES v1's `GetSendStatistics`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SendDataPoint {
    /// The start of the quarter.
    pub at: Millis,
    /// Recipients sent to (SEND events).
    pub delivery_attempts: u64,
    /// Permanent and transient bounces.
    pub bounces: u64,
    pub complaints: u64,
    /// Messages SES refused (REJECT events).
    pub rejects: u64,
}

/// Two weeks, the span `GetSendStatistics` covers.
pub const STATISTICS_SPAN: Millis = 14 * DAY_MS;

/// The metrics `GetSendStatistics` counts.
const STATISTICS_METRICS: [Metric; 5] = [
    Metric::Send,
    Metric::PermanentBounce,
    Metric::TransientBounce,
    Metric::Complaint,
    Metric::Reject,
];

/// The account's send statistics over the two weeks before `now`: one
/// point per 15 minutes with any activity, oldest first. Five range reads
/// of the quarter rollups, whatever the number of events.
pub async fn send_statistics(
    store: &dyn Store,
    account: &str,
    now: Millis,
) -> Result<Vec<SendDataPoint>, StoreError> {
    let start = (now - STATISTICS_SPAN).div_euclid(QUARTER_MS) * QUARTER_MS;
    let mut points: BTreeMap<Millis, SendDataPoint> = BTreeMap::new();
    for metric in STATISTICS_METRICS {
        for p in store
            .metric_quarters(account, metric, start, now + 1)
            .await?
        {
            let point = points.entry(p.at).or_insert(SendDataPoint {
                at: p.at,
                ..SendDataPoint::default()
            });
            let field = match metric {
                Metric::Send => &mut point.delivery_attempts,
                Metric::Complaint => &mut point.complaints,
                Metric::Reject => &mut point.rejects,
                _ => &mut point.bounces,
            };
            *field += p.count;
        }
    }
    Ok(points.into_values().collect())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use mailsight_store::{QUARTER_MS, SqliteStore};
    use serde_json::{Value, json};

    use super::*;
    use crate::ingest::Ingestor;

    const ACCOUNT: &str = "123456789012";
    /// 2026-01-05T10:20:00Z.
    const NOW: Millis = 1_767_608_400_000;
    const MINUTE: Millis = 60_000;

    fn iso(ms: Millis) -> String {
        let t =
            time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).unwrap();
        mailsight_model::format_timestamp(t)
    }

    /// One SES record of `kind` for message `id` to `to`, at `at`.
    fn record(kind: &str, id: &str, to: &[&str], at: Millis) -> Vec<u8> {
        let mail = json!({
            "timestamp": iso(at), "source": "sender@example.com", "sendingAccountId": ACCOUNT,
            "messageId": id, "destination": to,
        });
        let recipients =
            |field: &str| -> Vec<Value> { to.iter().map(|a| json!({ field: a })).collect() };
        let (event_type, key, body) = match kind {
            "Send" => ("Send", "send", json!({})),
            "Reject" => ("Reject", "reject", json!({"reason": "Bad content"})),
            "Permanent" | "Transient" => (
                "Bounce",
                "bounce",
                json!({"bounceType": kind, "bounceSubType": "General", "timestamp": iso(at),
                       "bouncedRecipients": recipients("emailAddress"), "feedbackId": format!("b-{id}")}),
            ),
            "Complaint" => (
                "Complaint",
                "complaint",
                json!({"timestamp": iso(at), "complainedRecipients": recipients("emailAddress"),
                       "feedbackId": format!("c-{id}")}),
            ),
            other => panic!("{other}"),
        };
        json!({"eventType": event_type, "mail": mail, key: body})
            .to_string()
            .into_bytes()
    }

    #[tokio::test]
    async fn statistics_are_per_quarter_over_two_weeks_and_count_each_record_once() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path()).unwrap());
        let ingestor = Ingestor::new(store.clone());
        let this_quarter = NOW - 10 * MINUTE; // 10:10, in 10:00–10:15
        let earlier = NOW - 3 * QUARTER_MS; // 09:35, in 09:30–09:45
        let too_old = NOW - STATISTICS_SPAN - QUARTER_MS;
        let records = vec![
            record("Send", "m1", &["a@example.com", "b@example.com"], earlier),
            record("Permanent", "m1", &["a@example.com"], earlier + MINUTE),
            record("Transient", "m1", &["b@example.com"], this_quarter),
            record("Send", "m2", &["c@example.com"], this_quarter),
            record("Complaint", "m2", &["c@example.com"], this_quarter + MINUTE),
            record("Send", "m3", &["d@example.com"], this_quarter),
            record("Reject", "m3", &["d@example.com"], this_quarter),
            record("Send", "old", &["e@example.com"], too_old),
        ];
        ingestor.ingest(ACCOUNT, &records).await.unwrap();
        // The same records again are duplicates: stored and counted once.
        let again = ingestor.ingest(ACCOUNT, &records).await.unwrap();
        assert_eq!(again.stored, 0);

        let points = send_statistics(&*store, ACCOUNT, NOW).await.unwrap();
        let quarter = |t: Millis| t.div_euclid(QUARTER_MS) * QUARTER_MS;
        assert_eq!(
            points,
            vec![
                SendDataPoint {
                    at: quarter(earlier),
                    delivery_attempts: 2,
                    bounces: 1,
                    complaints: 0,
                    rejects: 0,
                },
                SendDataPoint {
                    at: quarter(this_quarter),
                    delivery_attempts: 2,
                    bounces: 1,
                    complaints: 1,
                    rejects: 1,
                },
            ]
        );
        assert!(
            send_statistics(&*store, "000000000000", NOW)
                .await
                .unwrap()
                .is_empty()
        );
        let q = quota(&*store, ACCOUNT, NOW).await.unwrap();
        assert_eq!(q.sent_last_24_hours, 4.0);
        assert_eq!(
            (q.max_24_hour_send, q.max_send_rate),
            (MAX_24_HOUR_SEND, MAX_SEND_RATE)
        );
    }
}
