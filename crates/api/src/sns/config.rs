//! Checking and seeding the topics `[[sns.topics]]` declares (the settings
//! themselves are in [`crate::config::sns`]).

use mailsight_sns::SignatureVersion;
use mailsight_store::{SnsSubscription, SnsTopic, Store, SubscriptionStatus};
use serde_json::{Map, Value};

use super::arn::valid_topic_name;
use crate::config::SnsHostingConfig;

/// A declared topic that cannot be created.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("[[sns.topics]] {name:?}: {reason}")]
    Invalid { name: String, reason: String },
    #[error("[[sns.topics]]: {0}")]
    Store(#[from] mailsight_store::StoreError),
}

impl SnsHostingConfig {
    /// Refuses entries that could never work, before anything is stored.
    pub fn check(&self) -> Result<(), SeedError> {
        for t in &self.topics {
            let invalid = |reason: String| SeedError::Invalid {
                name: t.name.clone(),
                reason,
            };
            if !valid_topic_name(&t.name) {
                return Err(invalid(
                    "a topic name is 1 to 256 letters, digits, - and _".into(),
                ));
            }
            if t.account_id.len() != 12 || !t.account_id.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid("account_id must be 12 digits".into()));
            }
            if let Some(v) = &t.signature_version
                && SignatureVersion::parse(v).is_none()
            {
                return Err(invalid(format!(
                    "signature_version must be \"1\" or \"2\", not {v:?}"
                )));
            }
            for s in &t.subscriptions {
                let ok = url::Url::parse(s)
                    .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
                if !ok {
                    return Err(invalid(format!("subscription {s:?} is not an http(s) URL")));
                }
            }
        }
        Ok(())
    }

    /// Creates the declared topics and confirmed subscriptions that are
    /// missing; confirms declared subscriptions still pending. Existing
    /// topics keep their attributes.
    pub async fn seed(&self, store: &dyn Store, region: &str) -> Result<(), SeedError> {
        self.check()?;
        let now = mailsight_model::now_ms();
        for t in &self.topics {
            let arn = format!("arn:aws:sns:{region}:{}:{}", t.account_id, t.name);
            let mut attributes = Map::new();
            if let Some(v) = &t.signature_version {
                attributes.insert("SignatureVersion".into(), Value::String(v.clone()));
            }
            let topic = store
                .create_sns_topic(SnsTopic {
                    account_id: t.account_id.clone(),
                    arn: arn.clone(),
                    name: t.name.clone(),
                    attributes: Value::Object(attributes.clone()),
                    created_at: now,
                })
                .await?;
            for (k, v) in &attributes {
                if topic.attributes.get(k) != Some(v) {
                    tracing::warn!(topic = %arn, attribute = %k, "the stored topic keeps its own value of this attribute; delete the topic to apply the config");
                }
            }
            for endpoint in &t.subscriptions {
                let mut sub_attributes = Map::new();
                if t.raw_message_delivery {
                    sub_attributes
                        .insert("RawMessageDelivery".into(), Value::String("true".into()));
                }
                let protocol = if endpoint.starts_with("https:") {
                    "https"
                } else {
                    "http"
                };
                let sub = store
                    .create_sns_subscription(SnsSubscription {
                        arn: format!("{arn}:{}", uuid::Uuid::new_v4()),
                        topic_arn: arn.clone(),
                        account_id: t.account_id.clone(),
                        protocol: protocol.into(),
                        endpoint: endpoint.clone(),
                        status: SubscriptionStatus::Confirmed,
                        token: uuid::Uuid::new_v4().simple().to_string(),
                        attributes: Value::Object(sub_attributes),
                        created_at: now,
                    })
                    .await?;
                if sub.status == SubscriptionStatus::Pending {
                    store
                        .confirm_sns_subscription(&t.account_id, &arn, &sub.token)
                        .await?;
                }
            }
            tracing::info!(topic = %arn, subscriptions = t.subscriptions.len(), "SNS topic from the config");
        }
        Ok(())
    }
}
