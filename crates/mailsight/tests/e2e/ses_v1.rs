//! SES v1 (the query protocol, signed for `ses`) behind the same front:
//! its account actions answer from what SES v2 sent and ingestion stored
//! (`GetSendStatistics`, `GetSendQuota`), share SES v2's sending switch,
//! and what it does not implement is refused in SES v1's XML. Sending is
//! in `ses_v1_send`, templates, identities and configuration sets in
//! `ses_v1_resources`; this file holds the helpers they share.

use std::time::{Duration, Instant};

use aws_sdk_sesv2::types::{Body, Content, EmailContent, Message, SuppressionListReason};
use serde_json::Value;

use crate::common::*;
use crate::ingest::{fixtures, post_firehose, start_ingesting};

const VERSION: &str = "2010-12-01";
const NAMESPACE: &str = "http://ses.amazonaws.com/doc/2010-12-01/";
const QUARTER_MS: i64 = 15 * 60 * 1000;
const EICAR: &str = r"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

pub(crate) async fn ses(url: &str, params: &[(&str, &str)]) -> (u16, String) {
    query_as(url, "ses", VERSION, params).await
}

/// A successful answer's XML, checked for the action's envelope.
pub(crate) async fn ok(url: &str, action: &str, params: &[(&str, &str)]) -> String {
    let mut all = vec![("Action", action)];
    all.extend_from_slice(params);
    let (status, body) = ses(url, &all).await;
    assert_eq!(status, 200, "{action}: {body}");
    assert!(
        body.starts_with(&format!(r#"<{action}Response xmlns="{NAMESPACE}">"#)),
        "{body}"
    );
    assert!(xml_text(&body, "RequestId").is_some(), "{body}");
    body
}

/// A refused call: checks the SES v1 error envelope and the HTTP status,
/// and returns the error code.
pub(crate) async fn refused(
    url: &str,
    action: &str,
    params: &[(&str, &str)],
    status: u16,
) -> String {
    let mut all = vec![("Action", action)];
    all.extend_from_slice(params);
    let (got, body) = ses(url, &all).await;
    assert_eq!(got, status, "{action}: {body}");
    assert!(
        body.starts_with(&format!(r#"<ErrorResponse xmlns="{NAMESPACE}"><Error>"#)),
        "{body}"
    );
    assert!(
        xml_text(&body, "Message").is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    xml_text(&body, "Code").unwrap()
}

/// The totals of `GetSendStatistics`: (attempts, bounces, complaints,
/// rejects), after checking every point is a quarter within two weeks,
/// oldest first.
async fn statistics(url: &str) -> (u64, u64, u64, u64) {
    let body = ok(url, "GetSendStatistics", &[]).await;
    let mut totals = (0, 0, 0, 0);
    let mut last = i64::MIN;
    let now = mailsight_model::now_ms();
    for m in xml_texts(&body, "member") {
        let at = xml_text(&m, "Timestamp").unwrap();
        assert!(at.ends_with(":00Z") && at.len() == 20, "{at}");
        let ms = mailsight_model::parse_timestamp(&at)
            .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
            .unwrap();
        assert_eq!(ms % QUARTER_MS, 0, "{at}");
        assert!(
            ms > last && ms <= now && ms > now - 14 * 24 * 3600 * 1000,
            "{at}"
        );
        last = ms;
        let n = |name| xml_text(&m, name).unwrap().parse::<u64>().unwrap();
        totals.0 += n("DeliveryAttempts");
        totals.1 += n("Bounces");
        totals.2 += n("Complaints");
        totals.3 += n("Rejects");
    }
    totals
}

/// Polls `GetSendStatistics` until it reports `expected` (scheduled
/// bounces and complaints land a little after the send).
async fn statistics_until(url: &str, expected: (u64, u64, u64, u64)) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let got = statistics(url).await;
        if got == expected || Instant::now() > deadline {
            assert_eq!(got, expected, "(attempts, bounces, complaints, rejects)");
            return;
        }
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
}

/// A fixture with every timestamp moved to now, so it falls in the window.
fn recent(record: &[u8]) -> Value {
    fn walk(v: &mut Value, now: &str) {
        match v {
            Value::String(s) if mailsight_model::parse_timestamp(s).is_ok() => {
                *s = now.to_owned();
            }
            Value::Array(a) => a.iter_mut().for_each(|v| walk(v, now)),
            Value::Object(o) => o.values_mut().for_each(|v| walk(v, now)),
            _ => {}
        }
    }
    let now = time::OffsetDateTime::now_utc();
    let now = mailsight_model::format_timestamp(now);
    let mut v: Value = serde_json::from_slice(record).unwrap();
    walk(&mut v, &now);
    v
}

fn with_text(subject: &str, text: &str) -> EmailContent {
    EmailContent::builder()
        .simple(
            Message::builder()
                .subject(Content::builder().data(subject).build().unwrap())
                .body(
                    Body::builder()
                        .text(Content::builder().data(text).build().unwrap())
                        .build(),
                )
                .build(),
        )
        .build()
}

#[tokio::test]
async fn send_statistics_and_quota_count_what_was_sent_and_ingested() {
    let t = start_ingesting(|c| {
        c.simulator.rules = vec![mailsight_engine::Rule {
            pattern: "later@*".into(),
            outcome: mailsight_engine::RuleOutcome::Bounce {
                bounce_type: "Transient".into(),
                bounce_sub_type: "MailboxFull".into(),
                status: "4.2.2".into(),
                diagnostic_code: "smtp; 452 4.2.2 mailbox full".into(),
            },
        }];
    })
    .await;
    let url = t.server.url();
    let c = t.client();
    assert_eq!(statistics(&url).await, (0, 0, 0, 0));
    let body = ok(&url, "GetSendQuota", &[]).await;
    assert_eq!(xml_text(&body, "SentLast24Hours").as_deref(), Some("0.0"));

    verify_domain(&c).await;
    c.put_suppressed_destination()
        .email_address("blocked@example.com")
        .reason(SuppressionListReason::Bounce)
        .send()
        .await
        .unwrap();
    // What is sent, recipient by recipient, and what each should count.
    let sends: &[&[&str]] = &[
        &["success@simulator.amazonses.com"],
        &[
            "success+two@simulator.amazonses.com",
            "bounce@simulator.amazonses.com",
        ],
        &["bounce+again@simulator.amazonses.com"],
        &["complaint@simulator.amazonses.com"],
        &["suppressionlist@simulator.amazonses.com"],
        &["blocked@example.com"],
        &["later@example.com"],
    ];
    let mut expected = (0, 0, 0, 0);
    for recipients in sends {
        send_to(&c, recipients).await;
        for r in *recipients {
            expected.0 += 1;
            if r.starts_with("bounce")
                || r.starts_with("suppressionlist")
                || r.starts_with("blocked")
                || r.starts_with("later")
            {
                expected.1 += 1;
            }
            if r.starts_with("complaint") {
                expected.2 += 1;
            }
        }
    }
    // A virus: sent, then rejected.
    c.send_email()
        .from_email_address("sender@example.com")
        .destination(to(&["reader@example.com"]))
        .content(with_text("With a virus", EICAR))
        .send()
        .await
        .unwrap();
    expected.0 += 1;
    expected.3 += 1;
    statistics_until(&url, expected).await;

    // Real SES records arriving by Firehose count too, once each however
    // often they arrive.
    let wanted = [
        "event-00-Bounce.json",
        "event-01-Complaint.json",
        "event-03-Send.json",
        "event-04-Reject.json",
    ];
    let records: Vec<Value> = fixtures()
        .into_iter()
        .filter(|(name, _)| wanted.contains(&name.as_str()))
        .map(|(_, r)| recent(&r))
        .collect();
    assert_eq!(records.len(), 4);
    for r in &records {
        let list = |ty: &str, field: &str| r[ty][field].as_array().map_or(0, Vec::len) as u64;
        match r["eventType"].as_str().unwrap() {
            "Send" => expected.0 += r["mail"]["destination"].as_array().unwrap().len() as u64,
            "Bounce" => expected.1 += list("bounce", "bouncedRecipients"),
            "Complaint" => expected.2 += list("complaint", "complainedRecipients"),
            "Reject" => expected.3 += r["mail"]["destination"].as_array().unwrap().len() as u64,
            other => panic!("{other}"),
        }
    }
    let lines: Vec<String> = records.iter().map(Value::to_string).collect();
    for _ in 0..2 {
        let resp = post_firehose(&t, &lines, "firehose-test-key", false).await;
        assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
        statistics_until(&url, expected).await;
    }

    // GetSendQuota says what SES v2's GetAccount says: every recipient sent.
    let body = ok(&url, "GetSendQuota", &[]).await;
    let account = c.get_account().send().await.unwrap();
    let quota = account.send_quota().unwrap();
    let sent: f64 = xml_text(&body, "SentLast24Hours").unwrap().parse().unwrap();
    assert_eq!(sent, quota.sent_last24_hours());
    assert_eq!(sent, expected.0 as f64);
    let max: f64 = xml_text(&body, "Max24HourSend").unwrap().parse().unwrap();
    assert_eq!(max, quota.max24_hour_send());
    let rate: f64 = xml_text(&body, "MaxSendRate").unwrap().parse().unwrap();
    assert_eq!(rate, quota.max_send_rate());
    t.server.stop().await.unwrap();
}

#[tokio::test]
async fn the_sending_switch_is_shared_with_ses_v2() {
    let t = start().await;
    let url = t.server.url();
    let c = t.client();
    verify_domain(&c).await;
    let enabled = |body: &str| xml_text(body, "Enabled");
    let body = ok(&url, "GetAccountSendingEnabled", &[]).await;
    assert_eq!(enabled(&body).as_deref(), Some("true"));
    assert!(c.get_account().send().await.unwrap().sending_enabled());

    let body = ok(&url, "UpdateAccountSendingEnabled", &[("Enabled", "false")]).await;
    assert!(
        !body.contains("<UpdateAccountSendingEnabledResult>"),
        "{body}"
    );
    let body = ok(&url, "GetAccountSendingEnabled", &[]).await;
    assert_eq!(enabled(&body).as_deref(), Some("false"));
    assert!(!c.get_account().send().await.unwrap().sending_enabled());
    let err = c
        .send_email()
        .from_email_address("sender@example.com")
        .destination(to(&["success@simulator.amazonses.com"]))
        .content(simple("Paused"))
        .send()
        .await
        .unwrap_err();
    let err = err.into_service_error();
    assert!(err.is_sending_paused_exception(), "{err:?}");
    // Nothing was sent while paused.
    assert_eq!(statistics(&url).await, (0, 0, 0, 0));

    // SES v2 turns it back on; SES v1 sees it.
    c.put_account_sending_attributes()
        .sending_enabled(true)
        .send()
        .await
        .unwrap();
    let body = ok(&url, "GetAccountSendingEnabled", &[]).await;
    assert_eq!(enabled(&body).as_deref(), Some("true"));
    send_to(&c, &["success@simulator.amazonses.com"]).await;
    assert_eq!(statistics(&url).await.0, 1);

    // A malformed boolean is SES's ValidationError.
    let (status, body) = ses(
        &url,
        &[
            ("Action", "UpdateAccountSendingEnabled"),
            ("Enabled", "maybe"),
        ],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(xml_text(&body, "Code").as_deref(), Some("ValidationError"));
    t.server.stop().await.unwrap();
}

#[tokio::test]
async fn unknown_and_inbound_actions_are_refused_in_ses_v1_xml() {
    let t = start().await;
    let url = t.server.url();
    let error_prefix = format!(r#"<ErrorResponse xmlns="{NAMESPACE}"><Error><Type>Sender</Type>"#);
    for (action, says) in [
        ("NoSuchAction", "does not implement"),
        (
            "CreateReceiptRuleSet",
            "inbound mail and receipt rules are not supported",
        ),
        (
            "SendBounce",
            "inbound mail and receipt rules are not supported",
        ),
    ] {
        let (status, body) = ses(&url, &[("Action", action)]).await;
        assert_eq!(status, 400, "{action}: {body}");
        assert!(body.starts_with(&error_prefix), "{body}");
        assert_eq!(xml_text(&body, "Code").as_deref(), Some("InvalidAction"));
        assert!(xml_text(&body, "Message").unwrap().contains(says), "{body}");
        assert!(xml_text(&body, "RequestId").is_some(), "{body}");
    }
    let (status, body) = ses(&url, &[]).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(xml_text(&body, "Code").as_deref(), Some("MissingAction"));
    assert!(body.starts_with(&error_prefix), "{body}");
    t.server.stop().await.unwrap();
}
