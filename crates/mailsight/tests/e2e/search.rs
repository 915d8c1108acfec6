//! Message search: mail sent through the SDK to the mailbox simulator and
//! real SES records ingested beside it, found by every filter of
//! `GET /_mailsight/messages` (SigV4-signed, the caller's account), newest
//! first and paged; the same search from the `mailsight messages` CLI; and
//! an unsigned server's `account` parameter.

use std::time::SystemTime;

use aws_sdk_sesv2::types::{Destination, MessageTag};
use serde_json::Value;

use crate::common::*;
use crate::ingest::{compact, fixtures, post_firehose, start_ingesting};

const SUCCESS: &str = "success@simulator.amazonses.com";
const BOUNCE: &str = "bounce@simulator.amazonses.com";
const COMPLAINT: &str = "complaint@simulator.amazonses.com";

async fn get(t: &TestServer, query: &str) -> reqwest::Response {
    let path = format!("/_mailsight/messages?{query}");
    signed(
        &t.server.url(),
        "GET",
        &path,
        b"",
        "secret",
        SystemTime::now(),
    )
    .await
}

/// One page of a signed search.
async fn page(t: &TestServer, query: &str) -> Value {
    let resp = get(t, query).await;
    assert_eq!(resp.status(), 200, "{query}");
    resp.json().await.unwrap()
}

fn ids_of(page: &Value) -> Vec<String> {
    page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["messageId"].as_str().unwrap().to_owned())
        .collect()
}

/// Every matching id, following `next`.
async fn ids(t: &TestServer, query: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut next: Option<String> = None;
    for _ in 0..100 {
        let q = match &next {
            Some(n) => format!("{query}&next={n}"),
            None => query.to_owned(),
        };
        let p = page(t, &q).await;
        out.extend(ids_of(&p));
        match p["next"].as_str() {
            Some(n) => next = Some(n.to_owned()),
            None => return out,
        }
    }
    panic!("paging never ended for {query}");
}

async fn send(
    c: &aws_sdk_sesv2::Client,
    to: Destination,
    subject: &str,
    campaign: &str,
    set: Option<&str>,
) -> String {
    c.send_email()
        .from_email_address("Sender <sender@example.com>")
        .destination(to)
        .content(simple(subject))
        .email_tags(
            MessageTag::builder()
                .name("campaign")
                .value(campaign)
                .build()
                .unwrap(),
        )
        .set_configuration_set_name(set.map(str::to_owned))
        .send()
        .await
        .unwrap()
        .message_id
        .unwrap()
}

#[tokio::test]
async fn search_by_every_filter_newest_first_and_paged() {
    let t = start_ingesting(|_| {}).await;
    let c = t.client();
    verify_domain(&c).await;
    c.create_configuration_set()
        .configuration_set_name("search-set")
        .send()
        .await
        .unwrap();
    let ok = send(
        &c,
        Destination::builder()
            .to_addresses(SUCCESS)
            .cc_addresses("jane@gmail.com")
            .build(),
        "Your invoice 42",
        "spring",
        Some("search-set"),
    )
    .await;
    let bounced = send(&c, to(&[BOUNCE]), "Password reset", "fall", None).await;
    let complained = send(
        &c,
        to(&[COMPLAINT]),
        "Spring invoice reminder",
        "spring",
        Some("search-set"),
    )
    .await;
    let has = |kind: &'static str| {
        move |o: &aws_sdk_sesv2::operation::get_message_insights::GetMessageInsightsOutput| {
            types_by_recipient(o)
                .iter()
                .any(|(_, types)| types.iter().any(|t| t == kind))
        }
    };
    insights_until(&c, &ok, has("DELIVERY")).await;
    insights_until(&c, &bounced, has("BOUNCE")).await;
    insights_until(&c, &complained, has("COMPLAINT")).await;

    // Two real SES records of other messages (sent in 2017 and 2022).
    let by_name: std::collections::BTreeMap<String, Vec<u8>> = fixtures().into_iter().collect();
    let id_of = |name: &str| {
        serde_json::from_slice::<Value>(&by_name[name]).unwrap()["mail"]["messageId"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (old, newer) = (
        id_of("event-00-Bounce.json"),
        id_of("event-09-Subscription.json"),
    );
    let records = [
        compact(&by_name["event-00-Bounce.json"]) + "\n",
        compact(&by_name["event-09-Subscription.json"]) + "\n",
    ];
    let resp = post_firehose(&t, &records, "firehose-test-key", false).await;
    assert_eq!(resp.status(), 200);

    let sent = [complained.as_str(), bounced.as_str(), ok.as_str()];
    let all: Vec<&str> = sent
        .iter()
        .copied()
        .chain([newer.as_str(), old.as_str()])
        .collect();
    for (query, want) in [
        ("", all.clone()),
        (&format!("recipient={BOUNCE}"), vec![bounced.as_str()]),
        ("recipient=JANE%40Gmail.com", vec![ok.as_str()]),
        (
            "recipient=recipient%40example.com",
            vec![newer.as_str(), old.as_str()],
        ),
        ("sender=sender%40example.com", all.clone()),
        ("sender=nobody%40example.com", vec![]),
        ("subject=invoice", vec![complained.as_str(), ok.as_str()]),
        ("subject=INVOICE+spring", vec![complained.as_str()]),
        ("event=COMPLAINT", vec![complained.as_str()]),
        ("event=bounce", vec![bounced.as_str(), old.as_str()]),
        ("event=Subscription", vec![newer.as_str()]),
        (
            "tag=campaign:spring",
            vec![complained.as_str(), ok.as_str()],
        ),
        ("tag=campaign%3Dfall", vec![bounced.as_str()]),
        (
            "configuration_set=search-set",
            vec![complained.as_str(), ok.as_str()],
        ),
        (
            "configuration_set=ConfigSet",
            vec![newer.as_str(), old.as_str()],
        ),
        ("isp=gmail", vec![ok.as_str()]),
        (
            "start=2020-01-01&end=2023-01-01T00:00:00Z",
            vec![newer.as_str()],
        ),
        ("end=1514764800", vec![old.as_str()]),
        ("start=1h", sent.to_vec()),
        (
            "sender=sender%40example.com&configuration_set=ConfigSet&event=SUBSCRIPTION",
            vec![newer.as_str()],
        ),
        (
            "subject=invoice&event=DELIVERY&isp=gmail",
            vec![ok.as_str()],
        ),
        ("subject=invoice&tag=campaign:fall", vec![]),
    ] {
        assert_eq!(ids(&t, query).await, want, "{query}");
    }

    // What a list shows: each recipient, its ISP and its newest event.
    let p = page(&t, &format!("recipient={BOUNCE}")).await;
    let m = &p["messages"][0];
    assert_eq!(m["from"], "Sender <sender@example.com>");
    assert_eq!(m["subject"], "Password reset");
    assert!(
        m["tags"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!({"name": "campaign", "value": "fall"})),
        "{m}"
    );
    assert_eq!(m["recipients"][0]["address"], BOUNCE);
    assert_eq!(m["recipients"][0]["latestEvent"], "BOUNCE");
    assert!(m["sentAt"].as_str().unwrap().ends_with('Z'), "{m}");
    assert_eq!(p["next"], Value::Null);
    let p = page(&t, "isp=gmail").await;
    let who = &p["messages"][0]["recipients"];
    assert_eq!(who[1]["address"], "jane@gmail.com");
    assert_eq!(who[1]["isp"], "Gmail");
    assert_eq!(who[1]["latestEvent"], "DELIVERY");
    let p = page(&t, "configuration_set=ConfigSet").await;
    assert_eq!(p["messages"][0]["configurationSet"], "ConfigSet");

    // Pages of two: no duplicates, no gaps, the last without `next`.
    let first = page(&t, "limit=2").await;
    assert_eq!(ids_of(&first), all[..2]);
    assert!(first["next"].is_string());
    assert_eq!(ids(&t, "limit=2").await, all);
    assert_eq!(ids(&t, "sender=sender%40example.com&limit=1").await, all);

    // Bad parameters are the caller's mistake, in the SES error shape.
    for bad in [
        "limit=0",
        "limit=1001",
        "recipent=x",
        "event=BOUNCED",
        "start=last+tuesday",
        "next=not-a-token",
        "tag=campaign",
        "subject=a",
        "account=111111111111",
    ] {
        let resp = get(&t, bad).await;
        assert_eq!(resp.status(), 400, "{bad}");
        assert_eq!(
            resp.headers()["x-amzn-ErrorType"].to_str().unwrap(),
            "BadRequestException",
            "{bad}"
        );
        let body: Value = resp.json().await.unwrap();
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{bad}: {body}"
        );
    }
    // Unsigned requests are refused when keys are configured.
    let resp = reqwest::get(format!("{}/_mailsight/messages", t.server.url()))
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);

    // The CLI reads the same index from the data directory.
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_mailsight"))
        .args([
            "messages",
            "--account",
            "123456789012",
            "--subject",
            "invoice",
        ])
        .args(t.store_args())
        .output()
        .unwrap();
    assert!(cli.status.success(), "{cli:?}");
    let listing = String::from_utf8(cli.stdout).unwrap();
    let lines: Vec<&str> = listing.lines().collect();
    assert_eq!(lines.len(), 3, "a header and two rows: {listing}");
    assert!(lines[0].starts_with("TIME (UTC)"), "{listing}");
    assert!(lines[1].contains(&complained), "{listing}");
    assert!(
        lines[1].contains(&format!("{COMPLAINT} COMPLAINT")),
        "{listing}"
    );
    assert!(lines[2].contains(&ok), "{listing}");
    assert!(lines[2].contains("jane@gmail.com DELIVERY"), "{listing}");
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_mailsight"))
        .args(["messages", "--account", "123456789012", "--limit", "1"])
        .args(["--event", "bogus"])
        .args(t.store_args())
        .output()
        .unwrap();
    assert!(!cli.status.success(), "an unknown event type is an error");
}

#[tokio::test]
async fn without_keys_the_account_parameter_chooses() {
    let t = start().await;
    let c = t.client();
    verify_domain(&c).await;
    let id = send_to(&c, &[SUCCESS]).await;
    let get = |q: &'static str| {
        let url = format!("{}/_mailsight/messages?{q}", t.server.url());
        async move {
            let resp = reqwest::get(url).await.unwrap();
            assert_eq!(resp.status(), 200, "{q}");
            ids_of(&resp.json::<Value>().await.unwrap())
        }
    };
    assert_eq!(
        get("recipient=success%40simulator.amazonses.com").await,
        std::slice::from_ref(&id)
    );
    assert_eq!(
        get("recipient=success%40simulator.amazonses.com&account=000000000000").await,
        [id]
    );
    assert!(
        get("recipient=success%40simulator.amazonses.com&account=111111111111")
            .await
            .is_empty()
    );
}
