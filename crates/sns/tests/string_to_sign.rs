//! The string to sign, against expected strings written out by hand (§3.3).

mod common;

use common::*;

#[test]
fn notification_with_subject() {
    let expected = "Message\n\
{\"eventType\":\"Delivery\",\"mail\":{\"messageId\":\"0102\"}}\nsecond line\n\
MessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\n\
Subject\nAmazon SES Email Event Notification\n\
Timestamp\n2012-05-02T00:54:06.655Z\n\
TopicArn\narn:aws:sns:us-west-2:123456789012:ses-events\n\
Type\nNotification\n";
    assert_eq!(parse(NOTIFICATION_WITH_SUBJECT).string_to_sign(), expected);
}

#[test]
fn notification_without_subject() {
    let expected = "Message\nhello\n\
MessageId\nda41e39f-ea4d-435a-b922-c6aae3915ebe\n\
Timestamp\n2024-01-02T03:04:05.006Z\n\
TopicArn\narn:aws:sns:us-west-2:123456789012:ses-events\n\
Type\nNotification\n";
    assert_eq!(parse(NOTIFICATION_NO_SUBJECT).string_to_sign(), expected);
}

#[test]
fn subscription_confirmation() {
    let expected = "Message\n\
You have chosen to subscribe to the topic arn:aws:sns:us-west-2:123456789012:ses-events.\n\
To confirm the subscription, visit the SubscribeURL included in this message.\n\
MessageId\n165545c9-2a5c-472c-8df2-7ff2be2b3b1b\n\
SubscribeURL\nhttps://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-west-2:123456789012:ses-events&Token=2336412f37\n\
Timestamp\n2012-04-26T20:45:04.751Z\n\
Token\n2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736\n\
TopicArn\narn:aws:sns:us-west-2:123456789012:ses-events\n\
Type\nSubscriptionConfirmation\n";
    assert_eq!(parse(SUBSCRIPTION_CONFIRMATION).string_to_sign(), expected);
}

#[test]
fn unsubscribe_confirmation_uses_confirmation_fields() {
    let body = SUBSCRIPTION_CONFIRMATION.replace(
        "\"SubscriptionConfirmation\"",
        "\"UnsubscribeConfirmation\"",
    );
    let e = parse(&body);
    let s = e.string_to_sign();
    assert!(s.ends_with("Type\nUnsubscribeConfirmation\n"));
    assert!(s.contains("\nSubscribeURL\n"));
    assert!(s.contains("\nToken\n"));
}

#[test]
fn unsigned_fields_are_not_in_the_string() {
    let s = parse(NOTIFICATION_WITH_SUBJECT).string_to_sign();
    for key in [
        "SignatureVersion",
        "Signature\n",
        "SigningCertURL",
        "UnsubscribeURL",
        "MessageAttributes",
    ] {
        assert!(!s.contains(key), "{key} must not be signed");
    }
}
