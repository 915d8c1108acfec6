//! [`Envelope`]: the JSON body SNS POSTs to HTTP(S) subscribers, parsed and
//! written back with SNS's own field names.

use serde_json::{Map, Value};

use crate::error::SnsError;

/// The `Type` of an SNS message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageType {
    /// A message published to the topic.
    Notification,
    /// Sent once when a subscription is created; visit `SubscribeURL` to confirm.
    SubscriptionConfirmation,
    /// Sent when a subscription is deleted; `SubscribeURL` re-subscribes.
    UnsubscribeConfirmation,
}

impl MessageType {
    /// The value of the `Type` field (and of the `x-amz-sns-message-type` header).
    pub fn as_str(self) -> &'static str {
        match self {
            MessageType::Notification => "Notification",
            MessageType::SubscriptionConfirmation => "SubscriptionConfirmation",
            MessageType::UnsubscribeConfirmation => "UnsubscribeConfirmation",
        }
    }

    /// Parses the `Type` value; exact, case-sensitive.
    pub fn parse(s: &str) -> Option<MessageType> {
        match s {
            "Notification" => Some(MessageType::Notification),
            "SubscriptionConfirmation" => Some(MessageType::SubscriptionConfirmation),
            "UnsubscribeConfirmation" => Some(MessageType::UnsubscribeConfirmation),
            _ => None,
        }
    }

    /// True for the two confirmation types, which carry `Token` and `SubscribeURL`.
    pub fn is_confirmation(self) -> bool {
        !matches!(self, MessageType::Notification)
    }
}

impl std::fmt::Display for MessageType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An SNS HTTP(S) message envelope.
///
/// Unknown fields are kept in `extra` and written back by [`Envelope::to_json`].
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    /// `Type`.
    pub message_type: MessageType,
    /// `MessageId` (a UUID).
    pub message_id: String,
    /// `TopicArn`.
    pub topic_arn: String,
    /// `Subject`, only when the publisher set one.
    pub subject: Option<String>,
    /// `Message`: the payload (for SES events, a JSON document as a string).
    pub message: String,
    /// `Timestamp`, e.g. `2012-05-02T00:54:06.655Z`.
    pub timestamp: String,
    /// `SignatureVersion`: `"1"` (SHA1withRSA) or `"2"` (SHA256withRSA).
    pub signature_version: String,
    /// `Signature`, base64.
    pub signature: String,
    /// `SigningCertURL` (`SigningCertUrl` in Lambda events).
    pub signing_cert_url: String,
    /// `SubscribeURL` (confirmation types).
    pub subscribe_url: Option<String>,
    /// `UnsubscribeURL` (notifications).
    pub unsubscribe_url: Option<String>,
    /// `Token` (confirmation types).
    pub token: Option<String>,
    /// `MessageAttributes`, as received.
    pub message_attributes: Option<Value>,
    /// Every other field, in received order.
    pub extra: Map<String, Value>,
}

/// Field names as SNS writes them, with the Lambda spelling where it differs.
const TYPE: &str = "Type";
const MESSAGE_ID: &str = "MessageId";
const TOPIC_ARN: &str = "TopicArn";
const SUBJECT: &str = "Subject";
const MESSAGE: &str = "Message";
const TIMESTAMP: &str = "Timestamp";
const SIGNATURE_VERSION: &str = "SignatureVersion";
const SIGNATURE: &str = "Signature";
const SIGNING_CERT_URL: (&str, &str) = ("SigningCertURL", "SigningCertUrl");
const SUBSCRIBE_URL: (&str, &str) = ("SubscribeURL", "SubscribeUrl");
const UNSUBSCRIBE_URL: (&str, &str) = ("UnsubscribeURL", "UnsubscribeUrl");
const TOKEN: &str = "Token";
const MESSAGE_ATTRIBUTES: &str = "MessageAttributes";

impl Envelope {
    /// Parses the HTTP body (JSON). Also accepts the Lambda casing
    /// (`SigningCertUrl`, `UnsubscribeUrl`, `SubscribeUrl`); a field given in
    /// both casings is refused. A `null` optional field counts as absent.
    ///
    /// Required for every type: `Type`, `MessageId`, `TopicArn`, `Message`,
    /// `Timestamp`, `SignatureVersion`, `Signature`, `SigningCertURL`; for the
    /// confirmation types also `Token` and `SubscribeURL`.
    pub fn parse(body: &[u8]) -> Result<Envelope, SnsError> {
        let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
        let value: Value =
            serde_json::from_slice(body).map_err(|e| SnsError::InvalidJson(e.to_string()))?;
        let Value::Object(mut map) = value else {
            return Err(SnsError::InvalidJson("not an object".into()));
        };
        let type_str = required(&mut map, TYPE)?;
        let message_type =
            MessageType::parse(&type_str).ok_or(SnsError::UnknownMessageType(type_str))?;
        let mut envelope = Envelope {
            message_type,
            message_id: required(&mut map, MESSAGE_ID)?,
            topic_arn: required(&mut map, TOPIC_ARN)?,
            subject: optional(&mut map, SUBJECT)?,
            message: required(&mut map, MESSAGE)?,
            timestamp: required(&mut map, TIMESTAMP)?,
            signature_version: required(&mut map, SIGNATURE_VERSION)?,
            signature: required(&mut map, SIGNATURE)?,
            signing_cert_url: optional_cased(&mut map, SIGNING_CERT_URL)?
                .ok_or(SnsError::MissingField(SIGNING_CERT_URL.0))?,
            subscribe_url: optional_cased(&mut map, SUBSCRIBE_URL)?,
            unsubscribe_url: optional_cased(&mut map, UNSUBSCRIBE_URL)?,
            token: optional(&mut map, TOKEN)?,
            message_attributes: None,
            extra: Map::new(),
        };
        envelope.message_attributes = match map.remove(MESSAGE_ATTRIBUTES) {
            None | Some(Value::Null) => None,
            Some(v) => Some(v),
        };
        if message_type.is_confirmation() {
            if envelope.token.is_none() {
                return Err(SnsError::MissingField(TOKEN));
            }
            if envelope.subscribe_url.is_none() {
                return Err(SnsError::MissingField(SUBSCRIBE_URL.0));
            }
        }
        envelope.extra = map;
        Ok(envelope)
    }

    /// The envelope as a JSON object, with SNS's field names and casing, in
    /// SNS's order, followed by the unknown fields.
    pub fn to_value(&self) -> Value {
        let mut map = Map::new();
        let mut put = |key: &str, value: Option<&String>| {
            if let Some(v) = value {
                map.insert(key.to_owned(), Value::String(v.clone()));
            }
        };
        put(TYPE, Some(&self.message_type.as_str().to_owned()));
        put(MESSAGE_ID, Some(&self.message_id));
        put(TOKEN, self.token.as_ref());
        put(TOPIC_ARN, Some(&self.topic_arn));
        put(SUBJECT, self.subject.as_ref());
        put(MESSAGE, Some(&self.message));
        put(SUBSCRIBE_URL.0, self.subscribe_url.as_ref());
        put(TIMESTAMP, Some(&self.timestamp));
        put(SIGNATURE_VERSION, Some(&self.signature_version));
        put(SIGNATURE, Some(&self.signature));
        put(SIGNING_CERT_URL.0, Some(&self.signing_cert_url));
        put(UNSUBSCRIBE_URL.0, self.unsubscribe_url.as_ref());
        if let Some(attrs) = &self.message_attributes {
            map.insert(MESSAGE_ATTRIBUTES.to_owned(), attrs.clone());
        }
        for (k, v) in &self.extra {
            map.entry(k.clone()).or_insert_with(|| v.clone());
        }
        Value::Object(map)
    }

    /// The envelope as SNS would send it (pretty-printed like SNS does).
    pub fn to_json(&self) -> String {
        // Serialising a `Value` built from strings and `Value`s cannot fail.
        serde_json::to_string_pretty(&self.to_value()).unwrap_or_default()
    }
}

fn take_string(
    map: &mut Map<String, Value>,
    key: &str,
    field: &'static str,
) -> Result<Option<String>, SnsError> {
    match map.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(SnsError::InvalidField {
            field,
            reason: "not a string",
        }),
    }
}

fn optional(map: &mut Map<String, Value>, key: &'static str) -> Result<Option<String>, SnsError> {
    take_string(map, key, key)
}

fn required(map: &mut Map<String, Value>, key: &'static str) -> Result<String, SnsError> {
    optional(map, key)?.ok_or(SnsError::MissingField(key))
}

/// A field SNS spells `…URL` and Lambda `…Url`.
fn optional_cased(
    map: &mut Map<String, Value>,
    (sns, lambda): (&'static str, &'static str),
) -> Result<Option<String>, SnsError> {
    let a = take_string(map, sns, sns)?;
    let b = take_string(map, lambda, sns)?;
    match (a, b) {
        (Some(_), Some(_)) => Err(SnsError::InvalidField {
            field: sns,
            reason: "given in both SNS and Lambda casing",
        }),
        (a, b) => Ok(a.or(b)),
    }
}
