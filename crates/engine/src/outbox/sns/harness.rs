//! The compliance harness of SNS destinations: a topic mailsight hosts
//! with one confirmed HTTP subscription, a local receiver. Each accepted
//! POST must be a Notification whose signature verifies with the host's
//! key and whose `Message` is the record, byte for byte.

use std::sync::Arc;

use async_trait::async_trait;
use mailsight_model::EventType;
use mailsight_sns::{Envelope, PublicKey, Signer, verify};
use mailsight_store::{Delivery, SnsSubscription, SnsTopic, SubscriptionStatus, Target};
use serde_json::json;

use super::host::{SES_SUBJECT, SnsHost};
use crate::outbox::compliance::{ACCOUNT, Arrived, Cannot, Env, Harness, Mode, Receiver, SET};

pub(crate) struct Sns {
    name: String,
    topic_arn: String,
    receiver: Receiver,
    signer_key: PublicKey,
}

#[async_trait]
impl Harness for Sns {
    const KIND: &'static str = "SNS";

    async fn add(env: &mut Env, name: &str, types: &[EventType]) -> Self {
        // One host per deliverer, signing for every topic.
        let host = env
            .sns
            .get_or_insert_with(|| {
                let signer = Signer::generate("http://127.0.0.1:1/cert.pem", "compliance").unwrap();
                Arc::new(SnsHost::new(signer, "http://127.0.0.1:1"))
            })
            .clone();
        // The key a subscriber would fetch from the `SigningCertURL`.
        let signer_key = PublicKey::from_pem(host.cert_pem().as_bytes()).unwrap();
        let receiver = Receiver::start(false).await;
        let topic_arn = format!("arn:aws:sns:us-east-1:{ACCOUNT}:{name}");
        env.store
            .create_sns_topic(SnsTopic {
                account_id: ACCOUNT.into(),
                arn: topic_arn.clone(),
                name: name.into(),
                attributes: json!({}),
                created_at: 0,
            })
            .await
            .unwrap();
        let token = format!("token-{name}");
        env.store
            .create_sns_subscription(SnsSubscription {
                arn: format!("{topic_arn}:{}", uuid::Uuid::new_v4()),
                topic_arn: topic_arn.clone(),
                account_id: ACCOUNT.into(),
                protocol: "http".into(),
                endpoint: receiver.url.clone(),
                status: SubscriptionStatus::Pending,
                token: token.clone(),
                attributes: json!({}),
                created_at: 0,
            })
            .await
            .unwrap();
        env.store
            .confirm_sns_subscription(ACCOUNT, &topic_arn, &token)
            .await
            .unwrap();
        env.add_destination(
            name,
            types,
            ("SnsDestination", json!({"TopicArn": topic_arn})),
        )
        .await;
        Sns {
            name: name.into(),
            topic_arn,
            receiver,
            signer_key,
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
                .map(|(headers, body)| {
                    let envelope = Envelope::parse(&body).unwrap();
                    verify(&envelope, &self.signer_key).expect("the signature verifies");
                    assert_eq!(envelope.topic_arn, self.topic_arn);
                    assert_eq!(envelope.subject.as_deref(), Some(SES_SUBJECT));
                    assert_eq!(
                        headers["x-amz-sns-message-id"],
                        envelope.message_id.as_str()
                    );
                    envelope.message.into_bytes()
                })
                .collect(),
        )
    }

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

    /// SNS retries whatever a subscriber answers; a delivery fails for
    /// good when its topic is gone.
    async fn break_for_good(&self, env: &mut Env) -> String {
        env.store
            .delete_sns_topic(ACCOUNT, &self.topic_arn)
            .await
            .unwrap();
        format!("SNS topic {} does not exist", self.topic_arn)
    }

    async fn hang(&self, _: &mut Env) -> Result<(), Cannot> {
        self.receiver.set(Mode::Hang);
        Ok(())
    }

    fn hanging(&self) -> usize {
        self.receiver.hanging()
    }
}
