//! Shared fixtures for the integration tests.
#![allow(dead_code)]

use std::sync::OnceLock;

use mailsight_sns::{Envelope, Signer};

pub const CERT_URL: &str =
    "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem";
pub const TOPIC: &str = "arn:aws:sns:us-west-2:123456789012:ses-events";

/// One RSA key per test binary (generation is slow in debug builds).
pub fn signer() -> &'static Signer {
    static S: OnceLock<Signer> = OnceLock::new();
    S.get_or_init(|| Signer::generate(CERT_URL, "sns.us-west-2.amazonaws.com").unwrap())
}

/// A second, unrelated key.
pub fn other_signer() -> &'static Signer {
    static S: OnceLock<Signer> = OnceLock::new();
    S.get_or_init(|| Signer::generate(CERT_URL, "other").unwrap())
}

pub const NOTIFICATION_WITH_SUBJECT: &str = r#"{
  "Type" : "Notification",
  "MessageId" : "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
  "TopicArn" : "arn:aws:sns:us-west-2:123456789012:ses-events",
  "Subject" : "Amazon SES Email Event Notification",
  "Message" : "{\"eventType\":\"Delivery\",\"mail\":{\"messageId\":\"0102\"}}\nsecond line",
  "Timestamp" : "2012-05-02T00:54:06.655Z",
  "SignatureVersion" : "1",
  "Signature" : "EXAMPLEw6JRN==",
  "SigningCertURL" : "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem",
  "UnsubscribeURL" : "https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-west-2:123456789012:ses-events:c9135db0-26c4-47ec-8998-413945fb5a96",
  "MessageAttributes" : {"AWS.SNS.MOBILE.MPNS.Type" : {"Type":"String","Value":"token"}}
}"#;

pub const NOTIFICATION_NO_SUBJECT: &str = r#"{
  "Type" : "Notification",
  "MessageId" : "da41e39f-ea4d-435a-b922-c6aae3915ebe",
  "TopicArn" : "arn:aws:sns:us-west-2:123456789012:ses-events",
  "Message" : "hello",
  "Timestamp" : "2024-01-02T03:04:05.006Z",
  "SignatureVersion" : "2",
  "Signature" : "c2ln",
  "SigningCertURL" : "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-abc.pem",
  "UnsubscribeURL" : "https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=x"
}"#;

pub const SUBSCRIPTION_CONFIRMATION: &str = r#"{
  "Type" : "SubscriptionConfirmation",
  "MessageId" : "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
  "Token" : "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736",
  "TopicArn" : "arn:aws:sns:us-west-2:123456789012:ses-events",
  "Message" : "You have chosen to subscribe to the topic arn:aws:sns:us-west-2:123456789012:ses-events.\nTo confirm the subscription, visit the SubscribeURL included in this message.",
  "SubscribeURL" : "https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-west-2:123456789012:ses-events&Token=2336412f37",
  "Timestamp" : "2012-04-26T20:45:04.751Z",
  "SignatureVersion" : "1",
  "Signature" : "EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=",
  "SigningCertURL" : "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem"
}"#;

pub fn parse(s: &str) -> Envelope {
    Envelope::parse(s.as_bytes()).unwrap()
}
