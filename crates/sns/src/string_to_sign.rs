//! The string SNS signs (wire facts §3.3).

use crate::envelope::Envelope;

impl Envelope {
    /// The string to sign: for each of `Message`, `MessageId`, `Subject`,
    /// `SubscribeURL`, `Timestamp`, `Token`, `TopicArn`, `Type` (byte-sorted)
    /// that is present, `key + "\n" + value + "\n"`.
    ///
    /// For a real Notification this is `Message, MessageId, [Subject,]
    /// Timestamp, TopicArn, Type`; for the confirmation types `Message,
    /// MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type`. Every one
    /// of these fields that is present is signed, whatever the type, so none
    /// can be slipped into a signed envelope unsigned.
    pub fn string_to_sign(&self) -> String {
        let fields: [(&str, Option<&str>); 8] = [
            ("Message", Some(&self.message)),
            ("MessageId", Some(&self.message_id)),
            ("Subject", self.subject.as_deref()),
            ("SubscribeURL", self.subscribe_url.as_deref()),
            ("Timestamp", Some(&self.timestamp)),
            ("Token", self.token.as_deref()),
            ("TopicArn", Some(&self.topic_arn)),
            ("Type", Some(self.message_type.as_str())),
        ];
        let mut out = String::new();
        for (key, value) in fields {
            if let Some(value) = value {
                out.push_str(key);
                out.push('\n');
                out.push_str(value);
                out.push('\n');
            }
        }
        out
    }
}
