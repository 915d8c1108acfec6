//! Identity notifications (SES v1's `SetIdentityNotificationTopic` and its
//! siblings): bounces, complaints and deliveries of mail sent from an
//! identity are published in SES's older notification format to the
//! identity's topics, hosted by mailsight and subscribed to by a real HTTP
//! receiver, with or without a configuration set; the settings round-trip
//! through v1 and SES v2's feedback calls; bad input gets SES v1's codes.

use mailsight_sns::SignatureVersion;
use serde_json::Value;

use crate::common::*;
use crate::receiver::{Received, Receiver};
use crate::ses_v1::{ok, refused};
use crate::sns_hosting::{
    create_topic, notifications_of, send_in_set, sns_destination, subscribe_and_confirm,
    verify_remote,
};

const SUCCESS: &str = "success@simulator.amazonses.com";
const BOUNCE: &str = "bounce@simulator.amazonses.com";

/// A v1 `SendEmail` from `sender@example.com`, without a configuration set.
async fn send_v1(url: &str, to_address: &str, subject: &str) -> String {
    let body = ok(
        url,
        "SendEmail",
        &[
            ("Source", "sender@example.com"),
            ("Destination.ToAddresses.member.1", to_address),
            ("Message.Subject.Data", subject),
            ("Message.Body.Text.Data", "plain"),
        ],
    )
    .await;
    xml_text(&body, "MessageId").unwrap()
}

/// The messages of the notifications of `id` on `topic`, once `n` arrived.
async fn published(receiver: &Receiver, id: &str, topic: &str, n: usize) -> Vec<Value> {
    let on_topic = |g: &[Received]| {
        notifications_of(g, id)
            .into_iter()
            .filter(|(r, _, _)| r.header("x-amz-sns-topic-arn") == topic)
            .collect::<Vec<_>>()
    };
    let got = receiver
        .until("the notifications", |g| on_topic(g).len() >= n)
        .await;
    let found = on_topic(&got);
    for (_, e, _) in &found {
        // Identity notifications carry no Subject (wire facts §2.4).
        assert_eq!(e.subject, None);
        verify_remote(e).await.unwrap();
    }
    found.into_iter().map(|(_, _, m)| m).collect()
}

fn set_topic<'a>(identity: &'a str, kind: &'a str, topic: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut p = vec![("Identity", identity), ("NotificationType", kind)];
    if !topic.is_empty() {
        p.push(("SnsTopic", topic));
    }
    p
}

#[tokio::test]
async fn bounces_and_deliveries_reach_the_identity_topics_in_the_notification_format() {
    // One subscriber per topic.
    let (receiver, delivered, evented) = (
        Receiver::start().await,
        Receiver::start().await,
        Receiver::start().await,
    );
    let t = start().await;
    let url = t.server.url();
    let bounces = create_topic(&url, "bounces", &[]).await;
    let deliveries = create_topic(&url, "deliveries", &[]).await;
    subscribe_and_confirm(&url, &bounces, &receiver, SignatureVersion::V1).await;
    subscribe_and_confirm(&url, &deliveries, &delivered, SignatureVersion::V1).await;
    ok(&url, "VerifyDomainIdentity", &[("Domain", "example.com")]).await;
    ok(
        &url,
        "SetIdentityNotificationTopic",
        &set_topic("example.com", "Bounce", &bounces),
    )
    .await;

    // No configuration set: the identity's topic still hears of it.
    let id = send_v1(&url, BOUNCE, "Bounced").await;
    let found = published(&receiver, &id, &bounces, 1).await;
    assert_eq!(found.len(), 1);
    let n = &found[0];
    assert_eq!(n["notificationType"], "Bounce");
    assert!(n.get("eventType").is_none(), "{n}");
    assert_eq!(n["bounce"]["bounceType"], "Permanent");
    assert_eq!(n["bounce"]["bouncedRecipients"][0]["emailAddress"], BOUNCE);
    let mail = &n["mail"];
    assert_eq!(mail["messageId"], id.as_str());
    assert_eq!(mail["source"], "sender@example.com");
    assert!(
        mail["sourceArn"]
            .as_str()
            .unwrap()
            .ends_with(":identity/example.com")
    );
    assert!(mail["sourceIp"].is_string(), "{mail}");
    assert_eq!(mail["callerIdentity"], "AKIDEXAMPLE");
    for absent in ["tags", "headers", "headersTruncated", "commonHeaders"] {
        assert!(mail.get(absent).is_none(), "{absent} in {mail}");
    }

    // With headers enabled for bounces, the original headers come along.
    ok(
        &url,
        "SetIdentityHeadersInNotificationsEnabled",
        &[
            ("Identity", "example.com"),
            ("NotificationType", "Bounce"),
            ("Enabled", "true"),
        ],
    )
    .await;
    let id = send_v1(&url, BOUNCE, "With headers").await;
    let n = &published(&receiver, &id, &bounces, 1).await[0];
    let headers = n["mail"]["headers"].as_array().unwrap();
    assert!(
        headers
            .iter()
            .any(|h| h["name"] == "Subject" && h["value"] == "With headers"),
        "{headers:?}"
    );
    assert_eq!(n["mail"]["commonHeaders"]["subject"], "With headers");
    assert_eq!(n["mail"]["headersTruncated"], false);
    assert!(n["mail"].get("tags").is_none());

    // A Delivery topic gets deliveries, the Bounce topic does not.
    ok(
        &url,
        "SetIdentityNotificationTopic",
        &set_topic("example.com", "Delivery", &deliveries),
    )
    .await;
    let id = send_v1(&url, SUCCESS, "Delivered").await;
    let n = &published(&delivered, &id, &deliveries, 1).await[0];
    assert_eq!(n["notificationType"], "Delivery");
    assert_eq!(n["delivery"]["recipients"][0], SUCCESS);
    assert!(n["mail"].get("headers").is_none(), "headers are per type");
    assert_eq!(notifications_of(&delivered.all(), &id).len(), 1);
    assert!(notifications_of(&receiver.all(), &id).is_empty());

    // A set whose destination publishes the same event: both formats.
    let c = t.client();
    let events = create_topic(&url, "events", &[]).await;
    subscribe_and_confirm(&url, &events, &evented, SignatureVersion::V1).await;
    sns_destination(
        &c,
        "cs",
        &events,
        &[aws_sdk_sesv2::types::EventType::Bounce],
    )
    .await;
    let id = send_in_set(&c, "cs", BOUNCE).await;
    let notified = published(&receiver, &id, &bounces, 1).await;
    assert_eq!(notified[0]["notificationType"], "Bounce");
    let got = evented
        .until("the event record", |g| {
            notifications_of(g, &id)
                .iter()
                .any(|(r, _, _)| r.header("x-amz-sns-topic-arn") == events)
        })
        .await;
    let (_, e, record) = notifications_of(&got, &id)
        .into_iter()
        .find(|(r, _, _)| r.header("x-amz-sns-topic-arn") == events)
        .unwrap();
    assert_eq!(record["eventType"], "Bounce");
    assert!(record["mail"]["tags"].is_object());
    assert_eq!(
        e.subject.as_deref(),
        Some("Amazon SES Email Event Notification")
    );

    // Cleared: no more bounce notifications.
    ok(
        &url,
        "SetIdentityNotificationTopic",
        &set_topic("example.com", "Bounce", ""),
    )
    .await;
    let body = ok(
        &url,
        "GetIdentityNotificationAttributes",
        &[("Identities.member.1", "example.com")],
    )
    .await;
    assert_eq!(xml_text(&body, "BounceTopic"), None, "{body}");
    assert_eq!(
        xml_text(&body, "DeliveryTopic").as_deref(),
        Some(deliveries.as_str())
    );
}

#[tokio::test]
async fn notification_attributes_round_trip_through_v1_and_v2() {
    let t = start().await;
    let url = t.server.url();
    let c = t.client();
    ok(&url, "VerifyDomainIdentity", &[("Domain", "example.com")]).await;
    ok(
        &url,
        "VerifyEmailIdentity",
        &[("EmailAddress", "me@example.org")],
    )
    .await;
    let (b, k) = (
        "arn:aws:sns:us-east-1:000000000000:b",
        "arn:aws:sns:us-east-1:000000000000:k",
    );

    // Defaults: forwarding on, no topics, no headers.
    let body = ok(
        &url,
        "GetIdentityNotificationAttributes",
        &[
            ("Identities.member.1", "example.com"),
            ("Identities.member.2", "missing.example"),
            ("Identities.member.3", "me@example.org"),
        ],
    )
    .await;
    assert_eq!(
        xml_texts(&body, "key"),
        ["example.com", "me@example.org"],
        "identities that do not exist are left out: {body}"
    );
    assert_eq!(xml_texts(&body, "ForwardingEnabled"), ["true", "true"]);
    assert_eq!(
        xml_texts(&body, "HeadersInComplaintNotificationsEnabled"),
        ["false", "false"]
    );
    assert!(!body.contains("Topic>"), "{body}");

    // Forwarding goes off only once bounces and complaints have topics.
    let forwarding =
        |on: &'static str| vec![("Identity", "example.com"), ("ForwardingEnabled", on)];
    assert_eq!(
        refused(
            &url,
            "SetIdentityFeedbackForwardingEnabled",
            &forwarding("false"),
            400
        )
        .await,
        "InvalidParameterValue"
    );
    ok(
        &url,
        "SetIdentityNotificationTopic",
        &set_topic("example.com", "Bounce", b),
    )
    .await;
    // Given by ARN, as SES v1 allows.
    ok(
        &url,
        "SetIdentityNotificationTopic",
        &set_topic(
            "arn:aws:ses:us-east-1:000000000000:identity/example.com",
            "Complaint",
            k,
        ),
    )
    .await;
    ok(
        &url,
        "SetIdentityHeadersInNotificationsEnabled",
        &[
            ("Identity", "example.com"),
            ("NotificationType", "Complaint"),
            ("Enabled", "true"),
        ],
    )
    .await;
    ok(
        &url,
        "SetIdentityFeedbackForwardingEnabled",
        &forwarding("false"),
    )
    .await;
    let body = ok(
        &url,
        "GetIdentityNotificationAttributes",
        &[("Identities.member.1", "example.com")],
    )
    .await;
    assert_eq!(xml_text(&body, "BounceTopic").as_deref(), Some(b));
    assert_eq!(xml_text(&body, "ComplaintTopic").as_deref(), Some(k));
    assert_eq!(xml_text(&body, "DeliveryTopic"), None);
    assert_eq!(
        xml_text(&body, "ForwardingEnabled").as_deref(),
        Some("false")
    );
    assert_eq!(
        xml_text(&body, "HeadersInComplaintNotificationsEnabled").as_deref(),
        Some("true")
    );
    assert_eq!(
        xml_text(&body, "HeadersInBounceNotificationsEnabled").as_deref(),
        Some("false")
    );

    // SES v2 sees the same flag and sets it.
    let got = c
        .get_email_identity()
        .email_identity("example.com")
        .send()
        .await
        .unwrap();
    assert!(!got.feedback_forwarding_status());
    c.put_email_identity_feedback_attributes()
        .email_identity("example.com")
        .email_forwarding_enabled(true)
        .send()
        .await
        .unwrap();
    let body = ok(
        &url,
        "GetIdentityNotificationAttributes",
        &[("Identities.member.1", "example.com")],
    )
    .await;
    assert_eq!(
        xml_text(&body, "ForwardingEnabled").as_deref(),
        Some("true")
    );
    // v2 turns it off without asking for topics.
    c.put_email_identity_feedback_attributes()
        .email_identity("me@example.org")
        .email_forwarding_enabled(false)
        .send()
        .await
        .unwrap();
    let got = c
        .get_email_identity()
        .email_identity("me@example.org")
        .send()
        .await
        .unwrap();
    assert!(!got.feedback_forwarding_status());
    let err = c
        .put_email_identity_feedback_attributes()
        .email_identity("missing.example")
        .email_forwarding_enabled(true)
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_found_exception());

    // Clearing the complaint topic turns forwarding back on.
    ok(
        &url,
        "SetIdentityFeedbackForwardingEnabled",
        &forwarding("false"),
    )
    .await;
    ok(
        &url,
        "SetIdentityNotificationTopic",
        &set_topic("example.com", "Complaint", ""),
    )
    .await;
    let body = ok(
        &url,
        "GetIdentityNotificationAttributes",
        &[("Identities.member.1", "example.com")],
    )
    .await;
    assert_eq!(xml_text(&body, "ComplaintTopic"), None);
    assert_eq!(
        xml_text(&body, "ForwardingEnabled").as_deref(),
        Some("true")
    );

    // Deleted with its identity: created again, it starts afresh.
    ok(&url, "DeleteIdentity", &[("Identity", "example.com")]).await;
    ok(&url, "VerifyDomainIdentity", &[("Domain", "example.com")]).await;
    let body = ok(
        &url,
        "GetIdentityNotificationAttributes",
        &[("Identities.member.1", "example.com")],
    )
    .await;
    assert_eq!(xml_text(&body, "BounceTopic"), None, "{body}");
}

#[tokio::test]
async fn bad_notification_settings_get_ses_v1_error_codes() {
    let t = start().await;
    let url = t.server.url();
    ok(&url, "VerifyDomainIdentity", &[("Domain", "example.com")]).await;
    let topic = "arn:aws:sns:us-east-1:000000000000:t";
    for (action, params, code) in [
        (
            "SetIdentityNotificationTopic",
            set_topic("unknown.example", "Bounce", topic),
            "InvalidParameterValue",
        ),
        (
            "SetIdentityNotificationTopic",
            set_topic("example.com", "Open", topic),
            "ValidationError",
        ),
        (
            "SetIdentityNotificationTopic",
            set_topic("example.com", "bounce", topic),
            "ValidationError",
        ),
        (
            "SetIdentityNotificationTopic",
            vec![("Identity", "example.com")],
            "ValidationError",
        ),
        (
            "SetIdentityNotificationTopic",
            set_topic("example.com", "Bounce", "not-an-arn"),
            "InvalidParameterValue",
        ),
        (
            "SetIdentityHeadersInNotificationsEnabled",
            vec![
                ("Identity", "example.com"),
                ("NotificationType", "Delivery"),
                ("Enabled", "true"),
            ],
            "InvalidParameterValue",
        ),
        (
            "SetIdentityHeadersInNotificationsEnabled",
            vec![("Identity", "example.com"), ("NotificationType", "Bounce")],
            "ValidationError",
        ),
        (
            "SetIdentityFeedbackForwardingEnabled",
            vec![
                ("Identity", "unknown.example"),
                ("ForwardingEnabled", "true"),
            ],
            "InvalidParameterValue",
        ),
        (
            "SetIdentityFeedbackForwardingEnabled",
            vec![("Identity", "example.com"), ("ForwardingEnabled", "maybe")],
            "ValidationError",
        ),
        (
            "GetIdentityNotificationAttributes",
            vec![],
            "ValidationError",
        ),
    ] {
        assert_eq!(
            refused(&url, action, &params, 400).await,
            code,
            "{action} {params:?}"
        );
    }
}
