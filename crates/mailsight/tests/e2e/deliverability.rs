//! Deliverability metrics through the real SDK: `BatchGetMetricData` and
//! `GetAccount` agree with counts worked out here from what the test sent
//! (simulator addresses) and ingested (the AWS example records, twice),
//! survive a restart, honour the VDM switch and refuse what SES refuses.

use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::primitives::DateTime;
use aws_sdk_sesv2::types::{
    BatchGetMetricDataQuery, FeatureStatus, Metric, MetricDimensionName, MetricNamespace,
    VdmAttributes,
};
use mailsight_model::timestamp::parse_timestamp;

use crate::common::*;
use crate::ingest::{compact, fixtures, post_firehose, start_ingesting};

const SUCCESS: &str = "success@simulator.amazonses.com";
const BOUNCE: &str = "bounce@simulator.amazonses.com";
const COMPLAINT: &str = "complaint@simulator.amazonses.com";
const SIMULATOR_ISP: &str = "Amazon SES Mailbox Simulator";
const DAY: i64 = 86_400;

fn day_of(seconds: i64) -> i64 {
    seconds.div_euclid(DAY) * DAY
}

fn query(
    id: &str,
    metric: Metric,
    dims: &[(MetricDimensionName, &str)],
    start: i64,
    end: i64,
) -> BatchGetMetricDataQuery {
    let mut q = BatchGetMetricDataQuery::builder()
        .id(id)
        .namespace(MetricNamespace::Vdm)
        .metric(metric)
        .start_date(DateTime::from_secs(start))
        .end_date(DateTime::from_secs(end));
    for (d, v) in dims {
        q = q.dimensions(d.clone(), *v);
    }
    q.build().unwrap()
}

/// Each query's (day, value) points, by id.
async fn points(
    c: &Client,
    queries: Vec<BatchGetMetricDataQuery>,
) -> Vec<(String, Vec<(i64, i64)>)> {
    let out = c
        .batch_get_metric_data()
        .set_queries(Some(queries))
        .send()
        .await
        .unwrap();
    assert!(out.errors().is_empty(), "{:?}", out.errors());
    out.results()
        .iter()
        .map(|r| {
            let days = r.timestamps().iter().map(|t| t.secs());
            (
                r.id().unwrap().to_owned(),
                days.zip(r.values().iter().copied()).collect(),
            )
        })
        .collect()
}

/// The day and recipient count of each example record of `event_type`, read
/// from the fixture files themselves.
fn fixture_days(event_type: &str, member: &str, recipients: &str) -> Vec<(i64, i64)> {
    let mut days: Vec<(i64, i64)> = Vec::new();
    for (name, bytes) in fixtures() {
        if !name.starts_with("event-") {
            continue;
        }
        let r: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        if r["eventType"] != event_type {
            continue;
        }
        let at = r[member]["timestamp"]
            .as_str()
            .or(r["mail"]["timestamp"].as_str())
            .unwrap();
        let seconds = parse_timestamp(at).unwrap().unix_timestamp();
        let n = match recipients {
            "" => r["mail"]["destination"].as_array().unwrap().len(),
            field => r[member][field].as_array().unwrap().len(),
        } as i64;
        days.push((day_of(seconds), n));
    }
    days
}

#[tokio::test]
async fn metrics_count_what_was_sent_and_ingested_once() {
    let t = start_ingesting(|_| {}).await;
    let c = t.client();
    verify_domain(&c).await;
    c.create_configuration_set()
        .configuration_set_name("metrics")
        .send()
        .await
        .unwrap();

    // Sent today: three single-recipient messages through the set, and one
    // message to two recipients without it.
    let mut expected_send = 0;
    for address in [SUCCESS, SUCCESS, BOUNCE, COMPLAINT] {
        let id = send_with_set(&c, address, Some("metrics")).await;
        let n = if address == COMPLAINT { 3 } else { 2 };
        insights_with_events(&c, &id, n).await;
        expected_send += 1;
    }
    let multi = send_to(&c, &[SUCCESS, BOUNCE]).await;
    insights_with_events(&c, &multi, 2).await;
    expected_send += 2;

    // Ingested: every example record, twice (the second copy is a duplicate).
    let records: Vec<String> = fixtures()
        .iter()
        .filter(|(name, _)| name.starts_with("event-"))
        .map(|(_, r)| compact(r) + "\n")
        .collect();
    for _ in 0..2 {
        let resp = post_firehose(&t, &records, "firehose-test-key", false).await;
        assert_eq!(resp.status(), 200);
    }

    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let today = day_of(now);
    let (start, end) = (today - 2 * DAY, today + DAY);
    let identity = MetricDimensionName::EmailIdentity;
    let isp = MetricDimensionName::Isp;
    let set = MetricDimensionName::ConfigurationSet;
    let got = points(
        &c,
        vec![
            query(
                "send",
                Metric::Send,
                &[(identity.clone(), "example.com")],
                start,
                end,
            ),
            query(
                "delivery",
                Metric::Delivery,
                &[(isp.clone(), SIMULATOR_ISP)],
                start,
                end,
            ),
            query(
                "bounce",
                Metric::PermanentBounce,
                &[(identity.clone(), "sender@example.com")],
                start,
                end,
            ),
            query(
                "complaint",
                Metric::Complaint,
                &[(isp.clone(), SIMULATOR_ISP)],
                start,
                end,
            ),
            query(
                "set-send",
                Metric::Send,
                &[(set.clone(), "metrics")],
                start,
                end,
            ),
            query(
                "set-delivery-open",
                Metric::DeliveryOpen,
                &[(set.clone(), "metrics")],
                start,
                end,
            ),
            query(
                "both",
                Metric::Send,
                &[(set.clone(), "metrics"), (identity.clone(), "*")],
                start,
                end,
            ),
            query(
                "transient",
                Metric::TransientBounce,
                &[(isp.clone(), SIMULATOR_ISP)],
                start,
                end,
            ),
        ],
    )
    .await;
    // SUCCESS ×2, COMPLAINT, and the multi message's SUCCESS are delivered;
    // the two BOUNCE recipients bounce permanently.
    assert_eq!(
        got,
        [
            ("send".to_owned(), vec![(today, expected_send)]),
            ("delivery".to_owned(), vec![(today, 4)]),
            ("bounce".to_owned(), vec![(today, 2)]),
            ("complaint".to_owned(), vec![(today, 1)]),
            ("set-send".to_owned(), vec![(today, 4)]),
            ("set-delivery-open".to_owned(), vec![(today, 3)]),
            ("both".to_owned(), vec![(today, 4)]),
            ("transient".to_owned(), vec![]),
        ]
    );

    // The example records, each on its own day, counted once despite the
    // second delivery of the batch.
    let examples = [
        (Metric::Send, fixture_days("Send", "mail", "")),
        (
            Metric::Delivery,
            fixture_days("Delivery", "delivery", "recipients"),
        ),
        (
            Metric::PermanentBounce,
            fixture_days("Bounce", "bounce", "bouncedRecipients"),
        ),
        (
            Metric::Complaint,
            fixture_days("Complaint", "complaint", "complainedRecipients"),
        ),
        (Metric::Open, fixture_days("Open", "open", "")),
        (Metric::Click, fixture_days("Click", "click", "")),
    ];
    for (metric, days) in examples {
        assert_eq!(days.len(), 1, "{metric:?}");
        let (day, n) = days[0];
        let got = points(
            &c,
            vec![query(
                "q",
                metric.clone(),
                &[(MetricDimensionName::ConfigurationSet, "ConfigSet")],
                day - 10 * DAY,
                day + 10 * DAY,
            )],
        )
        .await;
        assert_eq!(got, [("q".to_owned(), vec![(day, n)])], "{metric:?}");
    }

    // GetAccount counts today's recipients, and so does a restarted server.
    let sent = |c: Client| async move {
        c.get_account()
            .send()
            .await
            .unwrap()
            .send_quota()
            .unwrap()
            .sent_last24_hours()
    };
    assert_eq!(sent(c.clone()).await, expected_send as f64);
    let t = t.restart().await;
    let c = t.client();
    assert_eq!(sent(c.clone()).await, expected_send as f64);
    let again = points(
        &c,
        vec![query(
            "send",
            Metric::Send,
            &[(identity.clone(), "example.com")],
            start,
            end,
        )],
    )
    .await;
    assert_eq!(again, [("send".to_owned(), vec![(today, expected_send)])]);
}

#[tokio::test]
async fn vdm_exact_mode_leaves_out_the_simulator_and_the_switch_is_honoured() {
    let t = start_with(|c| c.insights.ses_exact = true).await;
    let c = t.client();
    verify_domain(&c).await;
    let id = send_to(&c, &[SUCCESS]).await;
    insights_until(&c, &id, |o| !o.insights().is_empty()).await;
    let now = DateTime::from(std::time::SystemTime::now()).secs();
    let q = query(
        "q",
        Metric::Send,
        &[(MetricDimensionName::Isp, SIMULATOR_ISP)],
        day_of(now) - DAY,
        day_of(now) + DAY,
    );
    assert_eq!(
        points(&c, vec![q.clone()]).await,
        [("q".to_owned(), vec![])]
    );
    assert_eq!(
        c.get_account()
            .send()
            .await
            .unwrap()
            .send_quota()
            .unwrap()
            .sent_last24_hours(),
        1.0,
        "the quota counts every send"
    );

    c.put_account_vdm_attributes()
        .vdm_attributes(
            VdmAttributes::builder()
                .vdm_enabled(FeatureStatus::Disabled)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let account = c.get_account().send().await.unwrap();
    assert_eq!(
        account.vdm_attributes().unwrap().vdm_enabled(),
        &FeatureStatus::Disabled
    );
    let err = c
        .batch_get_metric_data()
        .queries(q.clone())
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error().unwrap().is_not_found_exception(),
        "{err:?}"
    );
    let err = c
        .get_message_insights()
        .message_id(&id)
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_not_found_exception());
}

#[tokio::test]
async fn batch_get_metric_data_refuses_what_ses_refuses() {
    let t = start().await;
    let c = t.client();
    let ok = query(
        "q",
        Metric::Send,
        &[(MetricDimensionName::Isp, "Gmail")],
        0,
        DAY,
    );
    let eleven: Vec<_> = (0..11)
        .map(|i| {
            query(
                &format!("q{i}"),
                Metric::Send,
                &[(MetricDimensionName::Isp, "Gmail")],
                0,
                DAY,
            )
        })
        .collect();
    let too_long = query(
        "q",
        Metric::Send,
        &[(MetricDimensionName::Isp, "Gmail")],
        0,
        61 * DAY,
    );
    let backwards = query(
        "q",
        Metric::Send,
        &[(MetricDimensionName::Isp, "Gmail")],
        DAY,
        0,
    );
    let no_dimension = query("q", Metric::Send, &[], 0, DAY);
    for bad in [
        eleven,
        vec![too_long],
        vec![backwards],
        vec![no_dimension],
        vec![],
    ] {
        let err = c
            .batch_get_metric_data()
            .set_queries(Some(bad.clone()))
            .send()
            .await
            .unwrap_err();
        assert!(
            err.as_service_error().unwrap().is_bad_request_exception(),
            "{bad:?}: {err:?}"
        );
    }
    assert_eq!(points(&c, vec![ok]).await, [("q".to_owned(), vec![])]);
}
