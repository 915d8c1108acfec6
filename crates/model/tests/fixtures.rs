//! The real SES example records must parse, classify and round-trip exactly;
//! they are the closest thing to production traffic the repository has.

use std::fs;
use std::path::PathBuf;

use mailsight_model::{
    BounceSubType, BounceType, ComplaintFeedbackType, DelayType, EventRecord, EventType,
    InsightsEvent, details_for, epoch_seconds, parse,
};
use serde_json::Value;
use time::macros::datetime;

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/ses-docs-examples")
}

fn load(name: &str) -> (Vec<u8>, EventRecord) {
    let path = fixture_dir().join(name);
    let bytes = fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let record = parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    (bytes, record)
}

const EXPECTED: &[(&str, EventType)] = &[
    ("event-00-Bounce.json", EventType::Bounce),
    ("event-01-Complaint.json", EventType::Complaint),
    ("event-02-Delivery.json", EventType::Delivery),
    ("event-03-Send.json", EventType::Send),
    ("event-04-Reject.json", EventType::Reject),
    ("event-05-Open.json", EventType::Open),
    ("event-06-Click.json", EventType::Click),
    (
        "event-07-RenderingFailure.json",
        EventType::RenderingFailure,
    ),
    ("event-08-DeliveryDelay.json", EventType::DeliveryDelay),
    ("event-09-Subscription.json", EventType::Subscription),
    ("feedback-00-Bounce.json", EventType::Bounce),
    ("feedback-01-Bounce.json", EventType::Bounce),
    ("feedback-02-Complaint.json", EventType::Complaint),
    ("feedback-03-Complaint.json", EventType::Complaint),
    ("feedback-04-Delivery.json", EventType::Delivery),
];

#[test]
fn every_fixture_parses_classifies_and_round_trips() {
    let dir = fixture_dir();
    let mut names: Vec<String> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("fixture directory {} missing: {e}", dir.display()))
        .map(|e| {
            e.expect("directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    let expected: Vec<&str> = EXPECTED.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, expected, "fixture set changed; update EXPECTED");

    for (name, kind) in EXPECTED {
        let (bytes, record) = load(name);
        assert_eq!(record.kind().unwrap(), *kind, "{name}");
        let original: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(
            record.to_value().unwrap(),
            original,
            "{name}: round trip changed the JSON"
        );
        // And through text, as a sink would publish it.
        let again: Value = serde_json::from_str(&record.to_json().unwrap()).unwrap();
        assert_eq!(again, original, "{name}");
        assert_no_extras(name, &record);
        assert!(record.event_timestamp().is_some(), "{name}");
    }
}

/// Every key in the fixtures is documented, so every key must land in a typed
/// field: anything in an `extra` means a misspelt or missing field (which the
/// round trip alone would not notice, since `extra` writes it back).
fn assert_no_extras(name: &str, r: &EventRecord) {
    let mut extras = vec![("record", &r.extra), ("mail", &r.mail.extra)];
    if let Some(h) = &r.mail.headers {
        extras.extend(h.iter().map(|h| ("header", &h.extra)));
    }
    if let Some(c) = &r.mail.common_headers {
        extras.push(("commonHeaders", &c.extra));
    }
    if let Some(b) = &r.bounce {
        extras.push(("bounce", &b.extra));
        extras.extend(
            b.bounced_recipients
                .iter()
                .map(|x| ("bouncedRecipient", &x.extra)),
        );
    }
    if let Some(c) = &r.complaint {
        extras.push(("complaint", &c.extra));
        extras.extend(
            c.complained_recipients
                .iter()
                .map(|x| ("complainedRecipient", &x.extra)),
        );
    }
    if let Some(d) = &r.delivery {
        extras.push(("delivery", &d.extra));
    }
    if let Some(x) = &r.send {
        extras.push(("send", &x.extra));
    }
    if let Some(x) = &r.reject {
        extras.push(("reject", &x.extra));
    }
    if let Some(x) = &r.open {
        extras.push(("open", &x.extra));
    }
    if let Some(x) = &r.click {
        extras.push(("click", &x.extra));
    }
    if let Some(x) = &r.failure {
        extras.push(("failure", &x.extra));
    }
    if let Some(d) = &r.delivery_delay {
        extras.push(("deliveryDelay", &d.extra));
        extras.extend(
            d.delayed_recipients
                .iter()
                .map(|x| ("delayedRecipient", &x.extra)),
        );
    }
    if let Some(s) = &r.subscription {
        extras.push(("subscription", &s.extra));
        for p in [&s.new_topic_preferences, &s.old_topic_preferences]
            .into_iter()
            .flatten()
        {
            extras.push(("topicPreferences", &p.extra));
            for t in p.topic_subscription_status.iter().flatten() {
                extras.push(("topicSubscriptionStatus", &t.extra));
            }
        }
    }
    for (what, extra) in extras {
        assert!(
            extra.is_empty(),
            "{name}: unexpected keys in {what}: {extra:?}"
        );
    }
}

#[test]
fn bounce_fields() {
    let (_, r) = load("event-00-Bounce.json");
    let b = r.bounce.as_ref().unwrap();
    assert_eq!(b.bounce_type, BounceType::Permanent);
    assert_eq!(b.bounce_sub_type, BounceSubType::General);
    assert_eq!(b.reporting_mta.as_deref(), Some("dsn; mta.example.com"));
    assert_eq!(b.bounced_recipients[0].status.as_deref(), Some("5.1.1"));
    assert_eq!(r.affected_recipients(), vec!["recipient@example.com"]);
    assert_eq!(
        r.event_timestamp(),
        Some(datetime!(2017-08-05 00:41:02.669 UTC))
    );
    let tags = r.mail.tags.as_ref().unwrap();
    assert_eq!(tags.first("ses:configuration-set"), Some("ConfigSet"));
    assert_eq!(
        tags.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        [
            "ses:configuration-set",
            "ses:source-ip",
            "ses:from-domain",
            "ses:caller-identity"
        ]
    );
    let ch = r.mail.common_headers.as_ref().unwrap();
    assert_eq!(ch.subject.as_deref(), Some("Message sent from Amazon SES"));
    assert_eq!(r.mail.headers.as_ref().unwrap().len(), 5);
}

#[test]
fn feedback_bounce_fields() {
    let (_, r) = load("feedback-01-Bounce.json");
    assert_eq!(r.notification_type.as_deref(), Some("Bounce"));
    assert_eq!(r.event_type, None);
    assert_eq!(r.mail.source_ip.as_deref(), Some("127.0.3.0"));
    assert_eq!(
        r.mail.caller_identity.as_deref(),
        Some("IAM_user_or_role_name")
    );
    assert!(r.mail.tags.is_none());
    assert_eq!(
        r.bounce.as_ref().unwrap().remote_mta_ip.as_deref(),
        Some("127.0.2.0")
    );
    // Two of the three destinations bounced.
    assert_eq!(r.mail.destination.len(), 3);
    assert_eq!(
        r.affected_recipients(),
        vec!["jane@example.com", "richard@example.com"]
    );
    let (_, r0) = load("feedback-00-Bounce.json");
    assert_eq!(
        r0.mail.common_headers.as_ref().unwrap().date.as_deref(),
        Some("Wed, 27 Jan 2016 14:05:45 +0000")
    );
}

#[test]
fn complaint_fields() {
    let (_, r) = load("event-01-Complaint.json");
    let c = r.complaint.as_ref().unwrap();
    assert_eq!(
        c.complaint_feedback_type,
        Some(ComplaintFeedbackType::Abuse)
    );
    assert_eq!(c.arrival_date.as_deref(), Some("2017-08-05T00:41:02.669Z"));
    assert_eq!(c.complaint_sub_type, None);
    let (_, r3) = load("feedback-03-Complaint.json");
    let c3 = r3.complaint.as_ref().unwrap();
    assert!(c3.user_agent.is_none() && c3.complaint_feedback_type.is_none());
    assert_eq!(r3.affected_recipients(), vec!["richard@example.com"]);
}

#[test]
fn delivery_send_reject_fields() {
    let (_, d) = load("event-02-Delivery.json");
    let del = d.delivery.as_ref().unwrap();
    assert_eq!(del.processing_time_millis, Some(11893));
    assert_eq!(
        del.smtp_response.as_deref(),
        Some("250 2.6.0 Message received")
    );
    assert_eq!(
        d.mail.tags.as_ref().unwrap().first("ses:outgoing-ip"),
        Some("192.0.2.0")
    );
    let (_, f) = load("feedback-04-Delivery.json");
    assert_eq!(
        f.delivery.as_ref().unwrap().remote_mta_ip.as_deref(),
        Some("127.0.2.0")
    );

    let (_, s) = load("event-03-Send.json");
    assert!(s.send.as_ref().unwrap().extra.is_empty());
    assert_eq!(
        s.event_timestamp(),
        Some(datetime!(2016-10-14 05:02:16.645 UTC))
    );
    let (_, rj) = load("event-04-Reject.json");
    assert_eq!(
        rj.reject.as_ref().unwrap().reason.as_deref(),
        Some("Bad content")
    );
    // Reject has no recipient list of its own.
    assert_eq!(rj.affected_recipients(), vec!["sender@example.com"]);
}

#[test]
fn open_click_failure_delay_subscription_fields() {
    let (_, o) = load("event-05-Open.json");
    assert_eq!(
        o.open.as_ref().unwrap().ip_address.as_deref(),
        Some("192.0.2.1")
    );
    assert_eq!(
        o.event_timestamp(),
        Some(datetime!(2017-08-09 22:00:19.652 UTC))
    );

    let (_, c) = load("event-06-Click.json");
    let click = c.click.as_ref().unwrap();
    assert!(
        click
            .link
            .as_deref()
            .unwrap()
            .starts_with("http://docs.aws.amazon.com/")
    );
    assert_eq!(
        click.link_tags.as_ref().unwrap().first("samplekey1"),
        Some("samplevalue1")
    );

    let (_, f) = load("event-07-RenderingFailure.json");
    assert_eq!(f.event_type.as_deref(), Some("Rendering Failure"));
    assert_eq!(
        f.failure.as_ref().unwrap().template_name.as_deref(),
        Some("MyTemplate")
    );
    assert!(f.mail.headers.is_none() && f.mail.common_headers.is_none());

    let (_, d) = load("event-08-DeliveryDelay.json");
    let dd = d.delivery_delay.as_ref().unwrap();
    assert_eq!(dd.delay_type, DelayType::TransientCommunicationFailure);
    assert_eq!(
        dd.expiration_time.as_deref(),
        Some("2020-06-16T00:25:40.914Z")
    );
    assert_eq!(d.affected_recipients(), vec!["recipient@example.com"]);

    let (_, s) = load("event-09-Subscription.json");
    let sub = s.subscription.as_ref().unwrap();
    assert_eq!(sub.contact_list.as_deref(), Some("ContactListName"));
    assert_eq!(
        sub.new_topic_preferences.as_ref().unwrap().unsubscribe_all,
        Some(true)
    );
    let old = sub.old_topic_preferences.as_ref().unwrap();
    assert_eq!(old.unsubscribe_all, Some(false));
    let topics = old.topic_subscription_status.as_ref().unwrap();
    assert_eq!(topics[0].subscription_status.as_deref(), Some("OptOut"));
    assert_eq!(
        s.mail.tags.as_ref().unwrap().first("ses:operation"),
        Some("SendEmail")
    );
}

#[test]
fn details_for_bounce_fixtures() {
    let (_, r) = load("event-00-Bounce.json");
    let d = details_for(&r, "recipient@example.com").unwrap();
    assert!(d.complaint.is_none());
    assert_eq!(
        serde_json::to_value(&d).unwrap(),
        serde_json::json!({"Bounce": {
            "BounceType": "PERMANENT",
            "BounceSubType": "GENERAL",
            "DiagnosticCode": "smtp; 550 5.1.1 user unknown"
        }})
    );
    // Case of the address does not matter; an unaffected address gets none.
    assert!(details_for(&r, "Recipient@Example.com").is_some());
    assert!(details_for(&r, "someone-else@example.com").is_none());

    let (_, f) = load("feedback-01-Bounce.json");
    assert!(details_for(&f, "mary@example.com").is_none());
    let j = details_for(&f, "jane@example.com").unwrap();
    let b = j.bounce.unwrap();
    assert_eq!(b.bounce_type.as_deref(), Some("PERMANENT"));
    assert_eq!(b.diagnostic_code, None);
}

#[test]
fn details_for_complaints_and_other_types() {
    let (_, r) = load("event-01-Complaint.json");
    let d = details_for(&r, "recipient@example.com").unwrap();
    assert_eq!(
        serde_json::to_value(&d).unwrap(),
        serde_json::json!({"Complaint": {"ComplaintFeedbackType": "abuse"}})
    );
    let (_, r3) = load("feedback-03-Complaint.json");
    assert_eq!(
        serde_json::to_value(details_for(&r3, "richard@example.com").unwrap()).unwrap(),
        serde_json::json!({"Complaint": {}})
    );
    for name in [
        "event-02-Delivery.json",
        "event-03-Send.json",
        "event-05-Open.json",
    ] {
        let (_, r) = load(name);
        assert!(details_for(&r, "recipient@example.com").is_none(), "{name}");
    }
}

#[test]
fn insights_event_from_record() {
    let (_, r) = load("event-00-Bounce.json");
    let e = InsightsEvent::from_record(&r, "recipient@example.com").unwrap();
    assert_eq!(e.event_type, EventType::Bounce);
    assert_eq!(
        e.timestamp,
        epoch_seconds(datetime!(2017-08-05 00:41:02.669 UTC))
    );
    assert_eq!(
        serde_json::to_string(&e).unwrap(),
        r#"{"Timestamp":1501893662.669,"Type":"BOUNCE","Details":{"Bounce":{"BounceType":"PERMANENT","BounceSubType":"GENERAL","DiagnosticCode":"smtp; 550 5.1.1 user unknown"}}}"#
    );
}

#[test]
fn unknown_fields_survive_at_every_level() {
    let path = fixture_dir().join("event-00-Bounce.json");
    let mut v: Value = serde_json::from_slice(&fs::read(path).unwrap()).unwrap();
    v["futureTopLevel"] = serde_json::json!({"nested": [1, 2.5, null, true]});
    v["mail"]["futureMailField"] = serde_json::json!("x");
    v["mail"]["headers"][0]["futureHeaderField"] = serde_json::json!(7);
    v["mail"]["commonHeaders"]["futureCommon"] = serde_json::json!(["a"]);
    v["bounce"]["futureBounceField"] = serde_json::json!({"k": "v"});
    v["bounce"]["bouncedRecipients"][0]["futureRecipientField"] = serde_json::json!(false);
    v["bounce"]["bounceSubType"] = serde_json::json!("SomethingAwsAddsLater");

    let r = parse(&serde_json::to_vec(&v).unwrap()).unwrap();
    assert_eq!(r.extra.get("futureTopLevel"), Some(&v["futureTopLevel"]));
    assert_eq!(r.mail.extra.len(), 1);
    let b = r.bounce.as_ref().unwrap();
    assert_eq!(
        b.bounce_sub_type,
        BounceSubType::Other("SomethingAwsAddsLater".into())
    );
    assert_eq!(b.bounced_recipients[0].extra.len(), 1);
    assert_eq!(r.to_value().unwrap(), v);
    assert_eq!(
        details_for(&r, "recipient@example.com")
            .unwrap()
            .bounce
            .unwrap()
            .bounce_sub_type
            .as_deref(),
        Some("SOMETHING_AWS_ADDS_LATER")
    );

    // Every other per-type object keeps unknowns too.
    for name in EXPECTED.iter().map(|(n, _)| *n) {
        let path = fixture_dir().join(name);
        let mut v: Value = serde_json::from_slice(&fs::read(path).unwrap()).unwrap();
        let key = parse(&serde_json::to_vec(&v).unwrap())
            .unwrap()
            .kind()
            .unwrap()
            .record_key();
        v[key]["zzUnknown"] = serde_json::json!({"deep": {"deeper": [1]}});
        let r = parse(&serde_json::to_vec(&v).unwrap()).unwrap();
        assert_eq!(r.to_value().unwrap(), v, "{name}");
    }
}
