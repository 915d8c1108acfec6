//! The compliance harness of Pinpoint destinations, which send nothing:
//! the suite can only check that exactly the routed deliveries are marked
//! delivered, each at its first attempt, and that they go dead once the
//! destination is gone.

use async_trait::async_trait;
use mailsight_model::EventType;
use mailsight_store::{Delivery, Target};
use serde_json::json;

use crate::outbox::compliance::{ACCOUNT, Arrived, Cannot, Env, Harness, SET};

pub(crate) struct Pinpoint {
    name: String,
}

#[async_trait]
impl Harness for Pinpoint {
    const KIND: &'static str = "Pinpoint";

    async fn add(env: &mut Env, name: &str, types: &[EventType]) -> Self {
        env.add_destination(
            name,
            types,
            (
                "PinpointDestination",
                json!({"ApplicationArn": "arn:aws:mobiletargeting:us-east-1:000000000000:apps/x"}),
            ),
        )
        .await;
        Pinpoint { name: name.into() }
    }

    fn target(&self) -> Target {
        Target::destination(SET, &self.name)
    }

    async fn arrived(&self, _: &Env) -> Arrived {
        Arrived::Nothing("Pinpoint destinations are stored only; nothing is sent anywhere")
    }

    fn expected(&self, _: &Delivery) -> Vec<u8> {
        Vec::new()
    }

    async fn break_for_now(&self, _: &mut Env) -> Result<(), Cannot> {
        Err(Cannot(
            "a stored-only destination has nothing that can fail",
        ))
    }

    async fn heal(&self, _: &Env) {}

    /// The only way a Pinpoint delivery fails: its destination is gone.
    async fn break_for_good(&self, env: &mut Env) -> String {
        env.store
            .delete_event_destination(ACCOUNT, SET, &self.name)
            .await
            .unwrap();
        format!("event destination {SET}/{} no longer exists", self.name)
    }

    async fn hang(&self, _: &mut Env) -> Result<(), Cannot> {
        Err(Cannot("a stored-only destination answers at once"))
    }
}
