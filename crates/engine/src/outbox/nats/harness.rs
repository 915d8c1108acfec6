//! The compliance harness of NATS forwarders, against the real JetStream
//! server on 127.0.0.1:4222: a subject and stream unique to the run, read
//! back message by message.

use async_nats::jetstream;
use async_trait::async_trait;
use mailsight_model::EventType;
use mailsight_store::{Delivery, Target};

use super::config::NatsTarget;
use crate::outbox::compliance::{Arrived, Cannot, Env, Harness, SET};
use crate::outbox::config::{Format, ForwarderConfig};

const URL: &str = "nats://127.0.0.1:4222";

pub(crate) struct Nats {
    name: String,
    subject: String,
    stream: String,
    js: jetstream::Context,
}

#[async_trait]
impl Harness for Nats {
    const KIND: &'static str = "NATS";

    async fn add(env: &mut Env, name: &str, types: &[EventType]) -> Self {
        let run = uuid::Uuid::new_v4().simple().to_string();
        let subject = format!("mailsight.compliance.{run}.{name}");
        let stream = format!("COMPLIANCE_{run}_{name}").replace('-', "_");
        let client = async_nats::connect(URL)
            .await
            .expect("NATS JetStream on 127.0.0.1:4222 (scripts/services starts it)");
        env.add_forwarder(ForwarderConfig {
            name: name.into(),
            url: None,
            nats: Some(NatsTarget {
                url: URL.into(),
                subject: subject.clone(),
                stream: Some(stream.clone()),
            }),
            format: Format::Ses,
            event_types: types.to_vec(),
            configuration_sets: vec![SET.into()],
            secret: None,
        })
        .await;
        Nats {
            name: name.into(),
            subject,
            stream,
            js: jetstream::new(client),
        }
    }

    fn target(&self) -> Target {
        Target::forwarder(&self.name)
    }

    /// Every message the stream stored, in order.
    async fn arrived(&self, _: &Env) -> Arrived {
        let Ok(mut stream) = self.js.get_stream(&self.stream).await else {
            return Arrived::Bytes(Vec::new());
        };
        let last = stream.info().await.unwrap().state.last_sequence;
        let mut out = Vec::new();
        for seq in 1..=last {
            let m = stream.get_raw_message(seq).await.unwrap();
            assert_eq!(m.subject.as_str(), self.subject);
            out.push(m.payload.to_vec());
        }
        Arrived::Bytes(out)
    }

    fn expected(&self, d: &Delivery) -> Vec<u8> {
        d.body.as_bytes().to_vec()
    }

    /// No stream for the subject (and none made by the forwarder): every
    /// publish goes unacknowledged until one exists.
    async fn break_for_now(&self, env: &mut Env) -> Result<(), Cannot> {
        let f = env
            .config
            .forwarders
            .iter_mut()
            .find(|f| f.name == self.name)
            .unwrap();
        f.nats.as_mut().unwrap().stream = None;
        Ok(())
    }

    async fn heal(&self, _: &Env) {
        self.js
            .get_or_create_stream(jetstream::stream::Config {
                name: self.stream.clone(),
                subjects: vec![self.subject.clone()],
                ..Default::default()
            })
            .await
            .unwrap();
    }

    /// JetStream refuses nothing for good, so the permanent failure of a
    /// NATS forwarder is the deliverer's: the forwarder left the config.
    async fn break_for_good(&self, env: &mut Env) -> String {
        env.config.forwarders.retain(|f| f.name != self.name);
        format!("forwarder {} is no longer configured", self.name)
    }

    async fn hang(&self, _: &mut Env) -> Result<(), Cannot> {
        Err(Cannot(
            "the real JetStream answers a publish at once, and a server that never answers \
             is given up on after the pool's 5 s connect timeout",
        ))
    }

    async fn finish(&self, _: &Env) {
        let _ = self.js.delete_stream(&self.stream).await;
    }
}
