//! A forwarder publishing to a NATS JetStream subject: the events land in
//! the stream, each once, as SES records. Needs a NATS server with
//! JetStream on 127.0.0.1:4222 (`scripts/services` starts one).

use std::time::Duration;

use async_nats::jetstream;
use futures_util::StreamExt;
use mailsight_engine::outbox::config::{Format, ForwarderConfig, NatsTarget};

use crate::common::*;

const NATS: &str = "nats://127.0.0.1:4222";

#[tokio::test]
async fn events_land_in_the_jetstream_stream_once() {
    let client = async_nats::connect(NATS).await.expect(
        "a NATS server with JetStream must listen on 127.0.0.1:4222 (run scripts/services)",
    );
    let js = jetstream::new(client);
    let unique = uuid_simple();
    let subject = format!("mailsight.test.{unique}");
    let stream_name = format!("MAILSIGHT_TEST_{unique}");
    let target = NatsTarget {
        url: NATS.into(),
        subject: subject.clone(),
        stream: Some(stream_name.clone()),
    };
    let t = start_with(move |c| {
        c.forwarders = vec![ForwarderConfig {
            name: "bus".into(),
            url: None,
            nats: Some(target),
            format: Format::Ses,
            event_types: vec![],
            configuration_sets: vec![],
            secret: None,
        }];
    })
    .await;
    let c = t.client();
    verify_domain(&c).await;
    let id = send_to(&c, &["success@simulator.amazonses.com"]).await;

    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let stream = loop {
        if let Ok(mut s) = js.get_stream(&stream_name).await
            && s.info().await.map(|i| i.state.messages).unwrap_or(0) >= 2
        {
            break s;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the stream never got two events"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let consumer = stream
        .create_consumer(jetstream::consumer::pull::Config {
            durable_name: None,
            ..Default::default()
        })
        .await
        .unwrap();
    let mut messages = consumer
        .fetch()
        .max_messages(10)
        .expires(Duration::from_secs(1))
        .messages()
        .await
        .unwrap();
    let mut kinds = Vec::new();
    while let Some(Ok(m)) = messages.next().await {
        let record: serde_json::Value = serde_json::from_slice(&m.payload).unwrap();
        assert_eq!(record["mail"]["messageId"], id.as_str());
        assert!(
            m.headers
                .as_ref()
                .and_then(|h| h.get("Nats-Msg-Id"))
                .is_some()
        );
        kinds.push(record["eventType"].as_str().unwrap().to_owned());
    }
    kinds.sort();
    assert_eq!(kinds, ["Delivery", "Send"], "each event once");
    js.delete_stream(&stream_name).await.unwrap();
}

fn uuid_simple() -> String {
    use std::hash::{BuildHasher, RandomState};
    format!(
        "{:016x}",
        RandomState::new().hash_one(std::time::SystemTime::now())
    )
}
