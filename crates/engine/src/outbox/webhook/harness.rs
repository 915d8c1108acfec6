//! The compliance harness of webhook forwarders: a local HTTP receiver,
//! and a forwarder in the `ses` format with a secret, whose signature
//! every accepted POST must carry.

use async_trait::async_trait;
use mailsight_model::EventType;
use mailsight_store::{Delivery, Target};

use crate::outbox::compliance::{Arrived, Cannot, Env, Harness, Mode, Receiver, SET};
use crate::outbox::config::{Format, ForwarderConfig};
use crate::outbox::sink::signature;

const SECRET: &str = "compliance-secret";

pub(crate) struct Webhook {
    name: String,
    receiver: Receiver,
}

#[async_trait]
impl Harness for Webhook {
    const KIND: &'static str = "webhook";

    async fn add(env: &mut Env, name: &str, types: &[EventType]) -> Self {
        let receiver = Receiver::start(false).await;
        env.add_forwarder(ForwarderConfig {
            name: name.into(),
            url: Some(receiver.url.clone()),
            nats: None,
            format: Format::Ses,
            event_types: types.to_vec(),
            configuration_sets: vec![SET.into()],
            secret: Some(SECRET.into()),
        })
        .await;
        Webhook {
            name: name.into(),
            receiver,
        }
    }

    fn target(&self) -> Target {
        Target::forwarder(&self.name)
    }

    async fn arrived(&self, _: &Env) -> Arrived {
        Arrived::Bytes(
            self.receiver
                .accepted()
                .into_iter()
                .map(|(headers, body)| {
                    let header = headers["x-mailsight-signature"].to_str().unwrap();
                    let t: u64 = header[2..header.find(',').unwrap()].parse().unwrap();
                    assert_eq!(header, signature(SECRET, t, &body), "the signature");
                    body.to_vec()
                })
                .collect(),
        )
    }

    /// The `ses` format is the stored record, unchanged.
    fn expected(&self, d: &Delivery) -> Vec<u8> {
        d.body.as_bytes().to_vec()
    }

    async fn break_for_now(&self, _: &mut Env) -> Result<(), Cannot> {
        self.receiver.set(Mode::Fail);
        Ok(())
    }

    async fn heal(&self, _: &Env) {
        self.receiver.set(Mode::Accept);
    }

    async fn break_for_good(&self, _: &mut Env) -> String {
        self.receiver.set(Mode::Refuse(400));
        "400 Bad Request".into()
    }

    async fn hang(&self, _: &mut Env) -> Result<(), Cannot> {
        self.receiver.set(Mode::Hang);
        Ok(())
    }

    fn hanging(&self) -> usize {
        self.receiver.hanging()
    }
}
