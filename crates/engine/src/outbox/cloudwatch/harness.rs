//! The compliance harness of CloudWatch destinations: the counters are
//! what "arrives". Each delivery must add exactly one to the series its
//! dimensions pick (here a message tag and a header, both `growth` in the
//! suite's records), so the suite reads the counters back as one entry
//! per count.

use async_trait::async_trait;
use mailsight_model::EventType;
use mailsight_store::{Delivery, Target};
use serde_json::json;

use crate::outbox::compliance::{ACCOUNT, Arrived, Cannot, Env, Harness, SET};

pub(crate) struct CloudWatch {
    name: String,
}

#[async_trait]
impl Harness for CloudWatch {
    const KIND: &'static str = "CloudWatch";

    async fn add(env: &mut Env, name: &str, types: &[EventType]) -> Self {
        env.add_destination(
            name,
            types,
            (
                "CloudWatchDestination",
                json!({"DimensionConfigurations": [
                    {"DimensionName": "team", "DimensionValueSource": "MESSAGE_TAG", "DefaultDimensionValue": "none"},
                    {"DimensionName": "X-Team", "DimensionValueSource": "EMAIL_HEADER", "DefaultDimensionValue": "none"},
                ]}),
            ),
        )
        .await;
        CloudWatch { name: name.into() }
    }

    fn target(&self) -> Target {
        Target::destination(SET, &self.name)
    }

    /// Every series of this destination, repeated as often as it counts.
    async fn arrived(&self, env: &Env) -> Arrived {
        let mine = format!("{SET}/{}", self.name);
        let mut out = Vec::new();
        for ((name, labels), count) in env.metrics.snapshot() {
            if !labels
                .iter()
                .any(|(k, v)| k == "ses_destination" && *v == mine)
            {
                continue;
            }
            let labels: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
            for _ in 0..count {
                out.push(format!("{name}{{{}}}", labels.join(",")).into_bytes());
            }
        }
        Arrived::Bytes(out)
    }

    fn expected(&self, d: &Delivery) -> Vec<u8> {
        format!(
            "{}{{team=growth,X-Team=growth,ses_destination={SET}/{}}}",
            d.event_type.record_name(),
            self.name
        )
        .into_bytes()
    }

    async fn break_for_now(&self, _: &mut Env) -> Result<(), Cannot> {
        Err(Cannot(
            "the counters are in memory, and adding one cannot fail",
        ))
    }

    async fn heal(&self, _: &Env) {}

    /// Counting fails for good only when the destination is gone (or for
    /// a stored record that does not parse, which the store never holds).
    async fn break_for_good(&self, env: &mut Env) -> String {
        env.store
            .delete_event_destination(ACCOUNT, SET, &self.name)
            .await
            .unwrap();
        format!("event destination {SET}/{} no longer exists", self.name)
    }

    async fn hang(&self, _: &mut Env) -> Result<(), Cannot> {
        Err(Cannot("counting takes no I/O and cannot wait on anything"))
    }
}
