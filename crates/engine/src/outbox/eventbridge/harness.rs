//! The compliance harness of EventBridge destinations: a bus bound to a
//! local HTTP receiver, which must get the EventBridge envelope of each
//! record (and the record itself as its `detail`).

use async_trait::async_trait;
use mailsight_model::EventType;
use mailsight_store::{Delivery, Target};
use serde_json::{Value, json};

use super::config::BusBinding;
use crate::outbox::compliance::{Arrived, Cannot, Env, Harness, Mode, REGION, Receiver, SET};
use crate::outbox::formats::eventbridge_envelope;
use crate::outbox::sink::event_id;

pub(crate) struct EventBridge {
    name: String,
    receiver: Receiver,
}

#[async_trait]
impl Harness for EventBridge {
    const KIND: &'static str = "EventBridge";

    async fn add(env: &mut Env, name: &str, types: &[EventType]) -> Self {
        let receiver = Receiver::start(false).await;
        let arn = format!("arn:aws:events:us-east-1:000000000000:event-bus/{name}");
        env.config.eventbridge.buses.push(BusBinding {
            arn: arn.clone(),
            targets: vec![receiver.url.clone()],
        });
        env.add_destination(
            name,
            types,
            ("EventBridgeDestination", json!({"EventBusArn": arn})),
        )
        .await;
        EventBridge {
            name: name.into(),
            receiver,
        }
    }

    fn target(&self) -> Target {
        Target::destination(SET, &self.name)
    }

    async fn arrived(&self, _: &Env) -> Arrived {
        Arrived::Bytes(
            self.receiver
                .accepted()
                .into_iter()
                .map(|(_, body)| body.to_vec())
                .collect(),
        )
    }

    /// The envelope, whose `detail` must be the record as stored.
    fn expected(&self, d: &Delivery) -> Vec<u8> {
        let envelope =
            eventbridge_envelope(d.event_type, &d.body, &event_id(d), &d.account_id, REGION);
        assert_eq!(
            envelope["detail"],
            serde_json::from_str::<Value>(&d.body).unwrap()
        );
        assert_eq!(envelope["source"], "aws.ses");
        envelope.to_string().into_bytes()
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
