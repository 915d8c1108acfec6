//! Event destinations and forwarders that really deliver: only matching
//! types arrive, each destination gets its own, nothing is lost when a
//! receiver is down or mailsight restarts, and dead letters can be replayed.

use std::collections::{BTreeSet, HashSet};
use std::time::Duration;

use aws_sdk_sesv2::types::{EventBridgeDestination, EventDestinationDefinition, EventType};
use hmac::{Hmac, Mac};
use mailsight_engine::outbox::config::{BusBinding, Format, ForwarderConfig};
use serde_json::Value;
use sha2::Sha256;

use crate::common::*;
use crate::receiver::{Received, Receiver};

const BUS: &str = "arn:aws:events:us-east-1:000000000000:event-bus/default";

fn bus(n: &str) -> String {
    format!("arn:aws:events:us-east-1:000000000000:event-bus/{n}")
}

async fn destination(
    c: &aws_sdk_sesv2::Client,
    set: &str,
    name: &str,
    bus_arn: &str,
    types: &[EventType],
    enabled: bool,
) {
    c.create_configuration_set_event_destination()
        .configuration_set_name(set)
        .event_destination_name(name)
        .event_destination(
            EventDestinationDefinition::builder()
                .enabled(enabled)
                .set_matching_event_types(Some(types.to_vec()))
                .event_bridge_destination(
                    EventBridgeDestination::builder()
                        .event_bus_arn(bus_arn)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
}

fn of_message<'a>(got: &'a [Received], id: &str) -> Vec<&'a Received> {
    got.iter()
        .filter(|r| r.json().pointer("/detail/mail/messageId") == Some(&Value::from(id)))
        .collect()
}

fn detail_types(got: &[&Received]) -> BTreeSet<String> {
    got.iter()
        .map(|r| r.json()["detail-type"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn each_destination_gets_only_its_matching_types() {
    let (a, b, other) = (
        Receiver::start().await,
        Receiver::start().await,
        Receiver::start().await,
    );
    let urls = (a.url.clone(), b.url.clone(), other.url.clone());
    let t = start_with(move |c| {
        c.eventbridge.buses = vec![
            BusBinding {
                arn: BUS.into(),
                targets: vec![urls.0],
            },
            BusBinding {
                arn: bus("b"),
                targets: vec![urls.1],
            },
            BusBinding {
                arn: bus("other"),
                targets: vec![urls.2],
            },
        ];
    })
    .await;
    let c = t.client();
    verify_domain(&c).await;
    for set in ["cs", "other-set"] {
        c.create_configuration_set()
            .configuration_set_name(set)
            .send()
            .await
            .unwrap();
    }
    destination(&c, "cs", "sends", BUS, &[EventType::Send], true).await;
    destination(
        &c,
        "cs",
        "outcomes",
        &bus("b"),
        &[EventType::Bounce, EventType::Delivery],
        true,
    )
    .await;
    destination(&c, "cs", "disabled", &bus("b"), &[EventType::Send], false).await;
    destination(
        &c,
        "other-set",
        "all",
        &bus("other"),
        &[EventType::Send, EventType::Delivery],
        true,
    )
    .await;

    let bounced = send_with_set(&c, "bounce@simulator.amazonses.com", Some("cs")).await;
    let delivered = send_with_set(&c, "success@simulator.amazonses.com", Some("cs")).await;
    let elsewhere = send_with_set(&c, "success@simulator.amazonses.com", Some("other-set")).await;
    let unrouted = send_with_set(&c, "success@simulator.amazonses.com", None).await;

    b.until("bounce and delivery", |g| g.len() >= 2).await;
    a.until("two sends", |g| g.len() >= 2).await;
    other
        .until("the other set's send and delivery", |g| g.len() >= 2)
        .await;
    // Let any stray delivery arrive before checking that none did.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let (got_a, got_b) = (a.accepted(), b.accepted());

    assert_eq!(
        detail_types(&of_message(&got_a, &bounced)),
        BTreeSet::from(["Email Sent".to_owned()])
    );
    assert_eq!(
        detail_types(&of_message(&got_a, &delivered)),
        BTreeSet::from(["Email Sent".to_owned()])
    );
    assert_eq!(
        detail_types(&of_message(&got_b, &bounced)),
        BTreeSet::from(["Email Bounced".to_owned()])
    );
    assert_eq!(
        detail_types(&of_message(&got_b, &delivered)),
        BTreeSet::from(["Email Delivered".to_owned()])
    );
    assert_eq!(
        got_a.len(),
        2,
        "the disabled destination and other sets add nothing"
    );
    assert_eq!(got_b.len(), 2);
    for r in got_a.iter().chain(&got_b) {
        let id = r
            .json()
            .pointer("/detail/mail/messageId")
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            id != elsewhere && id != unrouted,
            "a foreign or set-less message leaked: {id}"
        );
    }
    let envelope = got_b[0].json();
    assert_eq!(envelope["source"], "aws.ses");
    assert_eq!(envelope["version"], "0");
    assert_eq!(envelope["account"], "000000000000");
    assert!(envelope["detail"]["eventType"].is_string());
    assert!(envelope["time"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn forwarders_sign_their_posts() {
    let hook = Receiver::start().await;
    let url = hook.url.clone();
    let t = start_with(move |c| {
        c.forwarders = vec![ForwarderConfig {
            name: "crm".into(),
            url: Some(url),
            nats: None,
            format: Format::Ses,
            event_types: vec![mailsight_model::EventType::Delivery],
            configuration_sets: vec![],
            secret: Some("shh".into()),
        }];
    })
    .await;
    let c = t.client();
    verify_domain(&c).await;
    let id = send_with_set(&c, "success@simulator.amazonses.com", None).await;
    let got = hook.until("the delivery", |g| !g.is_empty()).await;
    assert_eq!(got.len(), 1, "only the matching type");
    let r = &got[0];
    assert_eq!(r.json()["eventType"], "Delivery");
    assert_eq!(r.json()["mail"]["messageId"], id.as_str());
    // Check the signature the way a receiver would.
    let header = r.header("x-mailsight-signature");
    let (t_part, v1) = header.split_once(",v1=").unwrap();
    let ts = t_part.strip_prefix("t=").unwrap();
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"shh").unwrap();
    mac.update(format!("{ts}.").as_bytes());
    mac.update(&r.body);
    assert_eq!(v1, hex::encode(mac.finalize().into_bytes()));
    assert!(!r.header("x-mailsight-event-id").is_empty());
}

#[tokio::test]
async fn sendpost_forwarder_numbers_every_fixture() {
    let hook = Receiver::start().await;
    let url = hook.url.clone();
    let t = crate::ingest::start_ingesting(move |c| {
        c.forwarders = vec![ForwarderConfig {
            name: "sendpost".into(),
            url: Some(url),
            nats: None,
            format: Format::SendPost,
            event_types: vec![],
            configuration_sets: vec![],
            secret: None,
        }];
    })
    .await;
    let events: Vec<(String, Vec<u8>)> = crate::ingest::fixtures()
        .into_iter()
        .filter(|(name, _)| name.starts_with("event-"))
        .collect();
    let records: Vec<String> = events
        .iter()
        .map(|(_, r)| crate::ingest::compact(r) + "\n")
        .collect();
    assert_eq!(
        crate::ingest::post_firehose(&t, &records, "firehose-test-key", false)
            .await
            .status(),
        200
    );
    // Ten fixtures; DeliveryDelay has no SendPost id and is not posted.
    let got = hook.until("nine numbered events", |g| g.len() >= 9).await;
    let ids: BTreeSet<(String, u64)> = got
        .iter()
        .map(|r| {
            let j = r.json();
            (
                j["ses"]["eventType"].as_str().unwrap().to_owned(),
                j["type"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, u64)> = [
        ("Send", 27),
        ("Delivery", 28),
        ("Bounce", 29),
        ("Complaint", 31),
        ("Reject", 32),
        ("Open", 33),
        ("Click", 34),
        ("Rendering Failure", 35),
        ("Subscription", 36),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(ids, expected);
    let click = got
        .iter()
        .map(Received::json)
        .find(|j| j["type"] == 34)
        .unwrap();
    assert!(
        click["url"].as_str().is_some_and(|u| u.starts_with("http")),
        "{click}"
    );
    let bounce = got
        .iter()
        .map(Received::json)
        .find(|j| j["type"] == 29)
        .unwrap();
    assert!(bounce["smtpResponse"].is_string(), "{bounce}");
}

#[tokio::test]
async fn a_soft_bounce_is_30() {
    let hook = Receiver::start().await;
    let url = hook.url.clone();
    let t = start_with(move |c| {
        c.simulator.rules = vec![mailsight_engine::Rule {
            pattern: "full@*".into(),
            outcome: mailsight_engine::RuleOutcome::Bounce {
                bounce_type: "Transient".into(),
                bounce_sub_type: "MailboxFull".into(),
                status: "4.2.2".into(),
                diagnostic_code: "smtp; 452 4.2.2 full".into(),
            },
        }];
        c.forwarders = vec![ForwarderConfig {
            name: "sp".into(),
            url: Some(url),
            nats: None,
            format: Format::SendPost,
            event_types: vec![mailsight_model::EventType::Bounce],
            configuration_sets: vec![],
            secret: None,
        }];
    })
    .await;
    let c = t.client();
    verify_domain(&c).await;
    send_with_set(&c, "full@example.net", None).await;
    let got = hook.until("the soft bounce", |g| !g.is_empty()).await;
    assert_eq!(got[0].json()["type"], 30);
    assert_eq!(got[0].json()["typeName"], "SES Soft Bounced");
}

fn event_ids(got: &[Received]) -> HashSet<String> {
    got.iter()
        .map(|r| r.header("x-mailsight-event-id").to_owned())
        .collect()
}

#[tokio::test]
async fn nothing_is_lost_while_the_receiver_is_down_or_mailsight_restarts() {
    let hook = Receiver::start().await;
    hook.answer(503);
    let url = hook.url.clone();
    let t = start_with(move |c| {
        fast_retries(c);
        c.forwarders = vec![ForwarderConfig {
            name: "all".into(),
            url: Some(url),
            nats: None,
            format: Format::EventBridge,
            event_types: vec![],
            configuration_sets: vec![],
            secret: None,
        }];
    })
    .await;
    let c = t.client();
    verify_domain(&c).await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(send_with_set(&c, "success@simulator.amazonses.com", None).await);
    }
    // Wait until the receiver has refused a few attempts.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while hook.all().len() < 6 {
        assert!(
            std::time::Instant::now() < deadline,
            "no attempts reached the receiver"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // mailsight restarts while deliveries are failing...
    let t = t.restart().await;
    // ...and the receiver comes back.
    hook.answer(200);
    let got = hook
        .until("a Send and a Delivery for each message", |g| {
            event_ids(g).len() >= 6
        })
        .await;
    let mut seen = BTreeSet::new();
    for r in &got {
        let j = r.json();
        seen.insert((
            j["detail"]["mail"]["messageId"]
                .as_str()
                .unwrap()
                .to_owned(),
            j["detail-type"].as_str().unwrap().to_owned(),
        ));
    }
    for id in &ids {
        assert!(
            seen.contains(&(id.clone(), "Email Sent".to_owned())),
            "{id} Send"
        );
        assert!(
            seen.contains(&(id.clone(), "Email Delivered".to_owned())),
            "{id} Delivery"
        );
    }
    assert_eq!(
        event_ids(&got).len(),
        6,
        "exactly the six events, each with its own id"
    );
    drop(t);
}

async fn admin(t: &TestServer, method: &str, path: &str) -> Value {
    let resp = reqwest::Client::new()
        .request(
            reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
            format!("{}{path}", t.server.url()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{method} {path}");
    resp.json().await.unwrap()
}

#[tokio::test]
async fn dead_letters_are_listed_and_replayed() {
    let hook = Receiver::start().await;
    hook.answer(400);
    let url = hook.url.clone();
    let t = start_with(move |c| {
        fast_retries(c);
        c.eventbridge.buses = vec![BusBinding {
            arn: BUS.into(),
            targets: vec![url],
        }];
    })
    .await;
    let c = t.client();
    verify_domain(&c).await;
    c.create_configuration_set()
        .configuration_set_name("cs")
        .send()
        .await
        .unwrap();
    destination(&c, "cs", "bus", BUS, &[EventType::Send], true).await;
    destination(
        &c,
        "cs",
        "unbound",
        &bus("nowhere"),
        &[EventType::Send],
        true,
    )
    .await;
    let id = send_with_set(&c, "success@simulator.amazonses.com", Some("cs")).await;

    // A 400 is a refusal retrying cannot fix: dead after one attempt.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let dead = loop {
        let listed = admin(
            &t,
            "GET",
            &format!("/_mailsight/deliveries?status=dead&message_id={id}"),
        )
        .await;
        if listed["deliveries"].as_array().unwrap().len() == 2 {
            break listed;
        }
        assert!(std::time::Instant::now() < deadline, "never dead: {listed}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let rows = dead["deliveries"].as_array().unwrap();
    let bus_row = rows
        .iter()
        .find(|d| d["target"] == "destination:cs/bus")
        .unwrap();
    assert!(
        bus_row["last_error"].as_str().unwrap().contains("400"),
        "{bus_row}"
    );
    let unbound = rows
        .iter()
        .find(|d| d["target"] == "destination:cs/unbound")
        .unwrap();
    assert!(
        unbound["last_error"]
            .as_str()
            .unwrap()
            .contains("eventbridge.buses"),
        "{unbound}"
    );
    let attempts = admin(
        &t,
        "GET",
        &format!("/_mailsight/deliveries/{}/attempts", bus_row["id"]),
    )
    .await;
    assert_eq!(
        attempts["attempts"].as_array().unwrap().len(),
        1,
        "{attempts}"
    );

    // The CLI reads the same outbox from the data directory.
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_mailsight"))
        .args(["deliveries", "--status", "dead"])
        .args(t.store_args())
        .output()
        .unwrap();
    assert!(cli.status.success());
    let listing = String::from_utf8(cli.stdout).unwrap();
    assert_eq!(
        listing.lines().count(),
        3,
        "a header and two rows: {listing}"
    );
    assert!(
        listing.contains("destination:cs/bus") && listing.contains("400"),
        "{listing}"
    );

    hook.answer(200);
    let replayed = admin(
        &t,
        "POST",
        "/_mailsight/deliveries/replay?target=destination:cs/bus",
    )
    .await;
    assert_eq!(replayed["replayed"], 1);
    let got = hook.until("the replayed Send", |g| !g.is_empty()).await;
    assert_eq!(got[0].json()["detail"]["mail"]["messageId"], id.as_str());
    // The receiver has the post before the deliverer records the outcome.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let delivered = admin(
            &t,
            "GET",
            &format!("/_mailsight/deliveries?status=delivered&message_id={id}"),
        )
        .await;
        let n = delivered["deliveries"].as_array().unwrap().len();
        if n == 1 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{delivered}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn cloudwatch_destinations_count_at_metrics() {
    use aws_sdk_sesv2::types::{
        CloudWatchDestination, CloudWatchDimensionConfiguration, DimensionValueSource, MessageTag,
    };
    let t = start().await;
    let c = t.client();
    verify_domain(&c).await;
    c.create_configuration_set()
        .configuration_set_name("cs")
        .send()
        .await
        .unwrap();
    let dim = |name: &str, source: DimensionValueSource, default: &str| {
        CloudWatchDimensionConfiguration::builder()
            .dimension_name(name)
            .dimension_value_source(source)
            .default_dimension_value(default)
            .build()
            .unwrap()
    };
    c.create_configuration_set_event_destination()
        .configuration_set_name("cs")
        .event_destination_name("cw")
        .event_destination(
            EventDestinationDefinition::builder()
                .enabled(true)
                .matching_event_types(EventType::Send)
                .matching_event_types(EventType::Delivery)
                .cloud_watch_destination(
                    CloudWatchDestination::builder()
                        .dimension_configurations(dim(
                            "campaign",
                            DimensionValueSource::MessageTag,
                            "none",
                        ))
                        .dimension_configurations(dim(
                            "X-Team",
                            DimensionValueSource::EmailHeader,
                            "no-team",
                        ))
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    for campaign in ["spring", "spring", "autumn"] {
        c.send_email()
            .from_email_address("sender@example.com")
            .destination(to(&["bounce@simulator.amazonses.com"]))
            .content(simple("Counted"))
            .configuration_set_name("cs")
            .email_tags(
                MessageTag::builder()
                    .name("campaign")
                    .value(campaign)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
    }
    let expected =
        r#"aws_ses_Send_total{campaign="spring",X_Team="no-team",ses_destination="cs/cw"} 2"#;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let text = loop {
        let text = reqwest::get(format!("{}/metrics", t.server.url()))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if text.contains(expected) && text.contains(r#"campaign="autumn""#) {
            break text;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "metrics never showed the sends:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(text.contains("# TYPE aws_ses_Send_total counter"), "{text}");
    // The bounce is not among the destination's types: never counted.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let text = reqwest::get(format!("{}/metrics", t.server.url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!text.contains("aws_ses_Bounce"), "{text}");
    assert!(
        !text.contains("aws_ses_Delivery"),
        "bounced mail is never delivered: {text}"
    );
}
