//! SNS topics mailsight hosts: the query API (SigV4 with service `sns`),
//! the real subscription handshake, SES events delivered as signed
//! notifications (versions 1 and 2) to real HTTP receivers, raw message
//! delivery, unsubscribing, config-declared topics and SNS-shaped errors.

use std::time::Duration;

use aws_sdk_sesv2::types::{EventDestinationDefinition, EventType, SnsDestination};
use mailsight_sns::{Envelope, PublicKey, SignatureVersion};
use serde_json::Value;

use crate::common::*;
use crate::receiver::{Received, Receiver};

/// One SNS query request, form-encoded and signed for service `sns` with
/// the official signer; returns the status and the XML body.
async fn sns(url: &str, params: &[(&str, &str)]) -> (u16, String) {
    query_as(url, "sns", "2010-03-31", params).await
}

pub(crate) async fn create_topic(url: &str, name: &str, extra: &[(&str, &str)]) -> String {
    let mut params = vec![("Action", "CreateTopic"), ("Name", name)];
    params.extend_from_slice(extra);
    let (status, body) = sns(url, &params).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.starts_with(
            r#"<CreateTopicResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><CreateTopicResult>"#
        ),
        "{body}"
    );
    assert!(xml_text(&body, "RequestId").is_some(), "{body}");
    xml_text(&body, "TopicArn").unwrap()
}

/// Fetches the certificate at the envelope's `SigningCertURL` over HTTP and
/// verifies the envelope with it.
pub(crate) async fn verify_remote(e: &Envelope) -> Result<(), mailsight_sns::SnsError> {
    let resp = reqwest::get(&e.signing_cert_url).await.unwrap();
    assert_eq!(resp.status(), 200, "{}", e.signing_cert_url);
    let pem = resp.bytes().await.unwrap();
    let key = PublicKey::from_pem(&pem).unwrap();
    mailsight_sns::verify(e, &key)
}

pub(crate) fn envelopes(got: &[Received], kind: &str) -> Vec<(Received, Envelope)> {
    got.iter()
        .filter(|r| r.header("x-amz-sns-message-type") == kind)
        .map(|r| (r.clone(), Envelope::parse(&r.body).unwrap()))
        .collect()
}

/// Subscribes `endpoint` through the real handshake: `Subscribe`, the
/// receiver gets a signed `SubscriptionConfirmation`, the test visits its
/// `SubscribeURL`. Returns the subscription ARN.
pub(crate) async fn subscribe_and_confirm(
    url: &str,
    topic: &str,
    receiver: &Receiver,
    version: SignatureVersion,
) -> String {
    let (status, body) = sns(
        url,
        &[
            ("Action", "Subscribe"),
            ("TopicArn", topic),
            ("Protocol", "http"),
            ("Endpoint", &receiver.url),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        xml_text(&body, "SubscriptionArn").as_deref(),
        Some("pending confirmation")
    );
    let got = receiver
        .until("a SubscriptionConfirmation", |g| {
            !envelopes(g, "SubscriptionConfirmation").is_empty()
        })
        .await;
    let (r, e) = envelopes(&got, "SubscriptionConfirmation").remove(0);
    assert_eq!(r.header("x-amz-sns-topic-arn"), topic);
    assert_eq!(r.header("x-amz-sns-message-id"), e.message_id);
    assert_eq!(r.header("content-type"), "text/plain; charset=UTF-8");
    assert_eq!(
        r.header("user-agent"),
        "Amazon Simple Notification Service Agent"
    );
    assert_eq!(e.topic_arn, topic);
    assert_eq!(e.signature_version, version.as_str());
    verify_remote(&e).await.unwrap();
    let subscribe_url = e.subscribe_url.clone().unwrap();
    assert!(subscribe_url.starts_with(&format!("{url}/?Action=ConfirmSubscription&")));
    // Unsigned: the token is the capability.
    let resp = reqwest::get(&subscribe_url).await.unwrap();
    assert_eq!(resp.status(), 200);
    let xml = resp.text().await.unwrap();
    assert!(xml.contains("<ConfirmSubscriptionResponse"), "{xml}");
    let arn = xml_text(&xml, "SubscriptionArn").unwrap();
    assert!(arn.starts_with(&format!("{topic}:")), "{arn}");
    arn
}

pub(crate) async fn sns_destination(
    c: &aws_sdk_sesv2::Client,
    set: &str,
    topic: &str,
    types: &[EventType],
) {
    c.create_configuration_set()
        .configuration_set_name(set)
        .send()
        .await
        .unwrap();
    c.create_configuration_set_event_destination()
        .configuration_set_name(set)
        .event_destination_name("to-sns")
        .event_destination(
            EventDestinationDefinition::builder()
                .enabled(true)
                .set_matching_event_types(Some(types.to_vec()))
                .sns_destination(SnsDestination::builder().topic_arn(topic).build().unwrap())
                .build(),
        )
        .send()
        .await
        .unwrap();
}

pub(crate) async fn send_in_set(c: &aws_sdk_sesv2::Client, set: &str, to_address: &str) -> String {
    c.send_email()
        .from_email_address("sender@example.com")
        .destination(to(&[to_address]))
        .content(simple("Via SNS"))
        .configuration_set_name(set)
        .send()
        .await
        .unwrap()
        .message_id
        .unwrap()
}

pub(crate) fn notifications_of(
    got: &[Received],
    message_id: &str,
) -> Vec<(Received, Envelope, Value)> {
    envelopes(got, "Notification")
        .into_iter()
        .filter_map(|(r, e)| {
            let record: Value = serde_json::from_str(&e.message).unwrap();
            (record.pointer("/mail/messageId") == Some(&Value::from(message_id)))
                .then_some((r, e, record))
        })
        .collect()
}

#[tokio::test]
async fn ses_events_reach_a_confirmed_subscriber_signed_and_stop_after_unsubscribing() {
    let receiver = Receiver::start().await;
    let t = start().await;
    let url = t.server.url();
    let topic = create_topic(&url, "ses-events", &[]).await;
    assert_eq!(topic, "arn:aws:sns:us-east-1:000000000000:ses-events");
    // Idempotent.
    assert_eq!(create_topic(&url, "ses-events", &[]).await, topic);
    let sub_arn = subscribe_and_confirm(&url, &topic, &receiver, SignatureVersion::V1).await;
    // A subscriber that never confirms gets its confirmation and nothing else.
    let unconfirmed = Receiver::start().await;
    let (status, _) = sns(
        &url,
        &[
            ("Action", "Subscribe"),
            ("TopicArn", &topic),
            ("Protocol", "http"),
            ("Endpoint", &unconfirmed.url),
        ],
    )
    .await;
    assert_eq!(status, 200);
    unconfirmed
        .until("the confirmation", |g| {
            !envelopes(g, "SubscriptionConfirmation").is_empty()
        })
        .await;

    let (_, listed) = sns(
        &url,
        &[("Action", "ListSubscriptionsByTopic"), ("TopicArn", &topic)],
    )
    .await;
    let mut arns = xml_texts(&listed, "SubscriptionArn");
    arns.sort();
    let mut expected = vec![sub_arn.clone(), "PendingConfirmation".to_owned()];
    expected.sort();
    assert_eq!(arns, expected, "{listed}");
    assert!(listed.contains(&format!("<Endpoint>{}</Endpoint>", receiver.url)));

    let c = t.client();
    verify_domain(&c).await;
    sns_destination(&c, "cs", &topic, &[EventType::Delivery]).await;
    let id = send_in_set(&c, "cs", "success@simulator.amazonses.com").await;
    let got = receiver
        .until("the Delivery notification", |g| {
            !notifications_of(g, &id).is_empty()
        })
        .await;
    let mut found = notifications_of(&got, &id);
    assert_eq!(found.len(), 1, "only the matching type is published");
    let (r, e, record) = found.remove(0);
    assert_eq!(record["eventType"], "Delivery");
    assert_eq!(r.header("x-amz-sns-message-type"), "Notification");
    assert_eq!(r.header("x-amz-sns-message-id"), e.message_id);
    assert_eq!(r.header("x-amz-sns-topic-arn"), topic);
    assert_eq!(r.header("x-amz-sns-subscription-arn"), sub_arn);
    assert_eq!(r.header("content-type"), "text/plain; charset=UTF-8");
    assert_eq!(
        r.header("user-agent"),
        "Amazon Simple Notification Service Agent"
    );
    assert_eq!(
        e.subject.as_deref(),
        Some("Amazon SES Email Event Notification")
    );
    assert_eq!(e.signature_version, "1");
    assert!(
        e.signing_cert_url
            .starts_with(&format!("{url}/_mailsight/sns/")),
        "{}",
        e.signing_cert_url
    );
    verify_remote(&e).await.unwrap();
    let mut tampered = e.clone();
    tampered.message = tampered.message.replace("Delivery", "Bounce");
    assert!(verify_remote(&tampered).await.is_err());
    let mut downgraded = e.clone();
    downgraded.signature_version = "2".into();
    assert!(verify_remote(&downgraded).await.is_err());

    // No Send notification arrives later either.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(notifications_of(&receiver.all(), &id).len(), 1);
    assert!(envelopes(&unconfirmed.all(), "Notification").is_empty());

    // The UnsubscribeURL (unsigned) ends the subscription.
    let unsubscribe = e.unsubscribe_url.clone().unwrap();
    let resp = reqwest::get(&unsubscribe).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("<UnsubscribeResponse"));
    let (_, listed) = sns(
        &url,
        &[("Action", "ListSubscriptionsByTopic"), ("TopicArn", &topic)],
    )
    .await;
    assert_eq!(
        xml_texts(&listed, "SubscriptionArn"),
        ["PendingConfirmation"],
        "{listed}"
    );
    let before = receiver.all().len();
    let id2 = send_in_set(&c, "cs", "success@simulator.amazonses.com").await;
    insights_until(&c, &id2, |o| {
        o.insights().iter().all(|i| {
            i.events()
                .iter()
                .any(|e| e.r#type().unwrap().as_str() == "DELIVERY")
        })
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.all().len(), before, "nothing after unsubscribing");
    // A second visit: the subscription is gone.
    let resp = reqwest::get(&unsubscribe).await.unwrap();
    assert_eq!(resp.status(), 404);
    t.server.stop().await.unwrap();
}

#[tokio::test]
async fn version_2_topics_sign_with_sha256_and_raw_delivery_posts_the_bare_record() {
    let (declared, raw) = (Receiver::start().await, Receiver::start().await);
    let declared_url = declared.url.clone();
    let t = start_with(move |c| {
        c.sns.topics = vec![mailsight_api::SnsTopicConfig {
            name: "ses-v2".into(),
            account_id: "000000000000".into(),
            signature_version: Some("2".into()),
            subscriptions: vec![declared_url],
            raw_message_delivery: false,
        }];
    })
    .await;
    let url = t.server.url();
    let topic = "arn:aws:sns:us-east-1:000000000000:ses-v2";
    let (_, attrs) = sns(
        &url,
        &[("Action", "GetTopicAttributes"), ("TopicArn", topic)],
    )
    .await;
    assert!(
        attrs.contains("<entry><key>SignatureVersion</key><value>2</value></entry>"),
        "{attrs}"
    );
    assert!(
        attrs.contains("<entry><key>SubscriptionsConfirmed</key><value>1</value></entry>"),
        "{attrs}"
    );
    let raw_arn = subscribe_and_confirm(&url, topic, &raw, SignatureVersion::V2).await;
    let (status, body) = sns(
        &url,
        &[
            ("Action", "SetSubscriptionAttributes"),
            ("SubscriptionArn", &raw_arn),
            ("AttributeName", "RawMessageDelivery"),
            ("AttributeValue", "true"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, attrs) = sns(
        &url,
        &[
            ("Action", "GetSubscriptionAttributes"),
            ("SubscriptionArn", &raw_arn),
        ],
    )
    .await;
    assert!(
        attrs.contains("<entry><key>RawMessageDelivery</key><value>true</value></entry>"),
        "{attrs}"
    );
    assert!(
        attrs.contains("<entry><key>PendingConfirmation</key><value>false</value></entry>"),
        "{attrs}"
    );

    let c = t.client();
    verify_domain(&c).await;
    sns_destination(&c, "cs2", topic, &[EventType::Send]).await;
    let id = send_in_set(&c, "cs2", "success@simulator.amazonses.com").await;

    let got = declared
        .until("the Send notification", |g| {
            !notifications_of(g, &id).is_empty()
        })
        .await;
    let (_, e, record) = notifications_of(&got, &id).remove(0);
    assert_eq!(record["eventType"], "Send");
    assert_eq!(e.signature_version, "2");
    verify_remote(&e).await.unwrap();
    let mut as_v1 = e.clone();
    as_v1.signature_version = "1".into();
    assert!(
        verify_remote(&as_v1).await.is_err(),
        "signed with SHA256, not SHA1"
    );

    let got = raw
        .until("the raw record", |g| {
            g.iter()
                .any(|r| r.header("x-amz-sns-message-type") == "Notification")
        })
        .await;
    let r = got
        .iter()
        .find(|r| r.header("x-amz-sns-message-type") == "Notification")
        .unwrap();
    let bare = r.json();
    assert_eq!(bare["eventType"], "Send", "{bare}");
    assert_eq!(bare["mail"]["messageId"], Value::from(id.as_str()));
    assert!(bare.get("Type").is_none() && bare.get("Signature").is_none());
    assert_eq!(r.header("x-amz-sns-subscription-arn"), raw_arn);
    // The same event has one MessageId for every subscriber.
    assert_eq!(r.header("x-amz-sns-message-id"), e.message_id);
    t.server.stop().await.unwrap();
}

#[tokio::test]
async fn publish_fans_out_and_errors_have_the_sns_shape() {
    let receiver = Receiver::start().await;
    let t = start().await;
    let url = t.server.url();
    let topic = create_topic(
        &url,
        "plain",
        &[
            ("Attributes.entry.1.key", "SignatureVersion"),
            ("Attributes.entry.1.value", "2"),
        ],
    )
    .await;
    // The same name with other attributes is refused, as in SNS.
    let (status, body) = sns(
        &url,
        &[
            ("Action", "CreateTopic"),
            ("Name", "plain"),
            ("Attributes.entry.1.key", "SignatureVersion"),
            ("Attributes.entry.1.value", "1"),
        ],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(xml_text(&body, "Code").as_deref(), Some("InvalidParameter"));
    subscribe_and_confirm(&url, &topic, &receiver, SignatureVersion::V2).await;

    let (status, body) = sns(
        &url,
        &[
            ("Action", "Publish"),
            ("TopicArn", &topic),
            ("Message", "hello & <world>"),
            ("Subject", "greeting"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let message_id = xml_text(&body, "MessageId").unwrap();
    let got = receiver
        .until("the published message", |g| {
            !envelopes(g, "Notification").is_empty()
        })
        .await;
    let (_, e) = envelopes(&got, "Notification").remove(0);
    assert_eq!(e.message_id, message_id);
    assert_eq!(e.message, "hello & <world>");
    assert_eq!(e.subject.as_deref(), Some("greeting"));
    verify_remote(&e).await.unwrap();

    let (_, topics) = sns(&url, &[("Action", "ListTopics")]).await;
    assert_eq!(xml_texts(&topics, "TopicArn"), std::slice::from_ref(&topic));

    let missing = "arn:aws:sns:us-east-1:000000000000:missing";
    type Case<'a> = (Vec<(&'a str, &'a str)>, u16, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec![
                ("Action", "Publish"),
                ("TopicArn", missing),
                ("Message", "m"),
            ],
            404,
            "NotFound",
        ),
        (
            vec![
                ("Action", "Publish"),
                ("TopicArn", "nope"),
                ("Message", "m"),
            ],
            400,
            "InvalidParameter",
        ),
        (
            vec![("Action", "Publish"), ("TopicArn", &topic)],
            400,
            "InvalidParameter",
        ),
        (
            vec![
                ("Action", "Subscribe"),
                ("TopicArn", &topic),
                ("Protocol", "sqs"),
                ("Endpoint", "arn:aws:sqs:us-east-1:000000000000:q"),
            ],
            400,
            "InvalidParameter",
        ),
        (
            vec![
                ("Action", "Subscribe"),
                ("TopicArn", &topic),
                ("Protocol", "https"),
                ("Endpoint", "http://x/"),
            ],
            400,
            "InvalidParameter",
        ),
        (
            vec![
                ("Action", "GetSubscriptionAttributes"),
                (
                    "SubscriptionArn",
                    "arn:aws:sns:us-east-1:000000000000:plain:nope",
                ),
            ],
            404,
            "NotFound",
        ),
        (
            vec![
                ("Action", "ConfirmSubscription"),
                ("TopicArn", &topic),
                ("Token", "forged"),
            ],
            400,
            "InvalidParameter",
        ),
        (
            vec![("Action", "CreateTopic"), ("Name", "bad name")],
            400,
            "InvalidParameter",
        ),
        (
            vec![("Action", "CreatePlatformApplication")],
            400,
            "InvalidAction",
        ),
    ];
    for (params, status, code) in cases {
        let (got_status, body) = sns(&url, &params).await;
        assert_eq!(got_status, status, "{params:?}: {body}");
        assert!(body.starts_with("<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><Error><Type>Sender</Type>"), "{body}");
        assert_eq!(
            xml_text(&body, "Code").as_deref(),
            Some(code),
            "{params:?}: {body}"
        );
        assert!(xml_text(&body, "RequestId").is_some());
    }
    // Signed for another service than SNS: refused by SNS.
    let (status, body) = query_as(&url, "sqs", "2010-03-31", &[("Action", "ListTopics")]).await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body.starts_with("<ErrorResponse xmlns=\"http://sns.amazonaws.com/"),
        "{body}"
    );
    // Signed for SES: SES v1 answers, which has no such action.
    let (status, body) = query_as(&url, "ses", "2010-03-31", &[("Action", "ListTopics")]).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body.starts_with("<ErrorResponse xmlns=\"http://ses.amazonaws.com/"),
        "{body}"
    );
    assert_eq!(xml_text(&body, "Code").as_deref(), Some("InvalidAction"));
    // Unsigned: refused.
    let resp = reqwest::Client::new()
        .post(format!("{url}/"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("Action=ListTopics")
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_client_error());
    assert!(resp.text().await.unwrap().starts_with("<ErrorResponse"));
    // Other requests to / still get the SES API's answer.
    let resp = reqwest::Client::new()
        .post(format!("{url}/"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert!(resp.headers().get("x-amzn-ErrorType").is_some());
    let resp = reqwest::get(format!("{url}/?Action=Other")).await.unwrap();
    assert!(resp.headers().get("x-amzn-ErrorType").is_some());

    // Deleting the topic is idempotent and takes the subscriptions along.
    for _ in 0..2 {
        let (status, body) = sns(&url, &[("Action", "DeleteTopic"), ("TopicArn", &topic)]).await;
        assert_eq!(status, 200, "{body}");
    }
    let (_, subs) = sns(&url, &[("Action", "ListSubscriptions")]).await;
    assert!(xml_texts(&subs, "SubscriptionArn").is_empty(), "{subs}");
    t.server.stop().await.unwrap();
}

#[tokio::test]
async fn the_signing_key_survives_a_restart_and_a_missing_topic_dead_letters() {
    let t = start_with(|c| {
        c.delivery.max_attempts = 2;
        c.delivery.initial_backoff_ms = 20;
    })
    .await;
    let cert_url = format!(
        "{}/_mailsight/sns/SimpleNotificationService-mailsight.pem",
        t.server.url()
    );
    let before = reqwest::get(&cert_url).await.unwrap().text().await.unwrap();
    assert!(before.starts_with("-----BEGIN CERTIFICATE-----"));
    let c = t.client();
    verify_domain(&c).await;
    sns_destination(
        &c,
        "cs",
        "arn:aws:sns:us-east-1:000000000000:never-created",
        &[EventType::Send],
    )
    .await;
    send_in_set(&c, "cs", "success@simulator.amazonses.com").await;
    let admin = format!("{}/_mailsight/deliveries?status=dead", t.server.url());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let v: Value = reqwest::get(&admin).await.unwrap().json().await.unwrap();
        if v.to_string().contains("never-created") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no dead delivery: {v}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let t = t.restart().await;
    let cert_url = format!(
        "{}/_mailsight/sns/SimpleNotificationService-mailsight.pem",
        t.server.url()
    );
    let after = reqwest::get(&cert_url).await.unwrap().text().await.unwrap();
    assert_eq!(before, after);
    t.server.stop().await.unwrap();
}

#[tokio::test]
async fn topic_attributes_tags_and_message_attributes() {
    let receiver = Receiver::start().await;
    let t = start().await;
    let url = t.server.url();
    let topic = create_topic(
        &url,
        "tagged",
        &[
            ("Tags.member.1.Key", "team"),
            ("Tags.member.1.Value", "mail"),
        ],
    )
    .await;
    let tags = |body: &str| {
        let keys = xml_texts(body, "Key");
        let values = xml_texts(body, "Value");
        keys.into_iter().zip(values).collect::<Vec<_>>()
    };
    let (status, listed) = sns(
        &url,
        &[("Action", "ListTagsForResource"), ("ResourceArn", &topic)],
    )
    .await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(tags(&listed), [("team".to_owned(), "mail".to_owned())]);
    let (status, body) = sns(
        &url,
        &[
            ("Action", "TagResource"),
            ("ResourceArn", &topic),
            ("Tags.member.1.Key", "env"),
            ("Tags.member.1.Value", "ci"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, body) = sns(
        &url,
        &[
            ("Action", "UntagResource"),
            ("ResourceArn", &topic),
            ("TagKeys.member.1", "team"),
        ],
    )
    .await;
    assert!(body.contains("<UntagResourceResponse"), "{body}");
    let (_, listed) = sns(
        &url,
        &[("Action", "ListTagsForResource"), ("ResourceArn", &topic)],
    )
    .await;
    assert_eq!(tags(&listed), [("env".to_owned(), "ci".to_owned())]);
    let missing = format!("{topic}-gone");
    let (status, body) = sns(
        &url,
        &[("Action", "ListTagsForResource"), ("ResourceArn", &missing)],
    )
    .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(xml_text(&body, "Code").as_deref(), Some("ResourceNotFound"));

    // SetTopicAttributes: kept, shown, and SignatureVersion signs the next message.
    for (name, value) in [("DisplayName", "Events"), ("SignatureVersion", "2")] {
        let (status, body) = sns(
            &url,
            &[
                ("Action", "SetTopicAttributes"),
                ("TopicArn", &topic),
                ("AttributeName", name),
                ("AttributeValue", value),
            ],
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
    let (_, attrs) = sns(
        &url,
        &[("Action", "GetTopicAttributes"), ("TopicArn", &topic)],
    )
    .await;
    assert!(
        attrs.contains("<entry><key>DisplayName</key><value>Events</value></entry>"),
        "{attrs}"
    );
    let (status, body) = sns(
        &url,
        &[
            ("Action", "SetTopicAttributes"),
            ("TopicArn", &topic),
            ("AttributeName", "SignatureVersion"),
            ("AttributeValue", "3"),
        ],
    )
    .await;
    assert_eq!(
        (status, xml_text(&body, "Code").as_deref()),
        (400, Some("InvalidParameter"))
    );

    subscribe_and_confirm(&url, &topic, &receiver, SignatureVersion::V2).await;
    let (status, body) = sns(
        &url,
        &[
            ("Action", "Publish"),
            ("TopicArn", &topic),
            ("Message", "with attributes"),
            ("MessageAttributes.entry.1.Name", "team"),
            ("MessageAttributes.entry.1.Value.DataType", "String"),
            ("MessageAttributes.entry.1.Value.StringValue", "mail"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let got = receiver
        .until("the notification", |g| {
            !envelopes(g, "Notification").is_empty()
        })
        .await;
    let (_, e) = envelopes(&got, "Notification").remove(0);
    assert_eq!(e.signature_version, "2");
    verify_remote(&e).await.unwrap();
    assert_eq!(
        e.message_attributes,
        Some(serde_json::json!({"team": {"Type": "String", "Value": "mail"}}))
    );
    // Deleting the topic forgets its tags: a new topic of the name has none.
    sns(&url, &[("Action", "DeleteTopic"), ("TopicArn", &topic)]).await;
    let again = create_topic(&url, "tagged", &[]).await;
    let (_, listed) = sns(
        &url,
        &[("Action", "ListTagsForResource"), ("ResourceArn", &again)],
    )
    .await;
    assert!(tags(&listed).is_empty(), "{listed}");
}
