//! The SNS actions mailsight implements, each taking the parsed parameters
//! and answering the inner XML of its `<{Action}Result>`.

use std::sync::Arc;
use std::time::Duration;

use mailsight_engine::outbox::sns::{SnsHost, confirmed_subscriptions};
use mailsight_sns::SignatureVersion;
use mailsight_store::{SnsSubscription, SnsTopic, Store, SubscriptionStatus};
use serde_json::{Map, Value};

use super::SnsCall;
use super::arn::{subscription_arn, topic_arn, valid_topic_name};
use super::errors::{internal, not_found, store_error};
use crate::error::ApiError;
use crate::query::params::{invalid, parse_bool};
use crate::query::{Params, Xml};
use mailsight_model::now_ms;

/// Items per page of the `List*` actions (SNS's own page sizes).
const TOPICS_PAGE: usize = 100;
const SUBSCRIPTIONS_PAGE: usize = 100;
/// SNS's largest message: 256 KiB.
const MAX_MESSAGE_BYTES: usize = 256 * 1024;
/// Attempts per subscriber for `Publish` and confirmations (not outboxed).
const ATTEMPTS: u32 = 3;

/// Topic attributes accepted by `CreateTopic`; they are stored and given
/// back, but only `SignatureVersion` changes what mailsight does.
pub(crate) const TOPIC_ATTRIBUTES: &[&str] = &[
    "DisplayName",
    "SignatureVersion",
    "Policy",
    "DeliveryPolicy",
    "TracingConfig",
];

/// Result XML, or `None` for actions without a result element.
pub type Answer = Result<Option<String>, ApiError>;

/// A random token or id: two v4 UUIDs (244 random bits), hex.
fn random_hex() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

pub(crate) fn topic_arn_param<'a>(p: &'a Params, name: &str) -> Result<&'a str, ApiError> {
    let arn = p.required(name)?;
    if topic_arn(arn).is_none() {
        return Err(invalid(format!(
            "Invalid parameter: {name} Reason: {arn} is not a topic ARN"
        )));
    }
    Ok(arn)
}

/// The caller's topic `arn`, or SNS's `NotFound`.
pub(crate) async fn topic(
    store: &dyn Store,
    account: &str,
    arn: &str,
) -> Result<SnsTopic, ApiError> {
    store
        .get_sns_topic(account, arn)
        .await
        .map_err(store_error)?
        .ok_or_else(|| not_found("Topic does not exist"))
}

pub(crate) fn check_signature_version(v: &str) -> Result<(), ApiError> {
    SignatureVersion::parse(v).map(|_| ()).ok_or_else(|| {
        invalid(format!(
            "Invalid parameter: SignatureVersion Reason: must be 1 or 2, not {v}"
        ))
    })
}

pub async fn create_topic(c: &SnsCall<'_>) -> Answer {
    let (api, store, account, p) = (c.api(), c.store().as_ref(), c.account()?, c.params);
    let name = p.required("Name")?;
    if name.ends_with(".fifo") {
        return Err(invalid(
            "Invalid parameter: Name Reason: FIFO topics are not supported by mailsight",
        ));
    }
    if !valid_topic_name(name) {
        return Err(invalid("Invalid parameter: Topic Name"));
    }
    let attributes = p.map("Attributes")?;
    for (k, v) in &attributes {
        if !TOPIC_ATTRIBUTES.contains(&k.as_str()) {
            return Err(invalid(format!(
                "Invalid parameter: Attributes Reason: Unknown attribute {k}"
            )));
        }
        if k == "SignatureVersion" {
            check_signature_version(v)?;
        }
    }
    let tags = super::tags::tags_param(p)?;
    let arn = format!("arn:aws:sns:{}:{account}:{name}", api.region);
    let requested: Map<String, Value> = attributes
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    let stored = store
        .create_sns_topic(SnsTopic {
            account_id: account.to_owned(),
            arn: arn.clone(),
            name: name.to_owned(),
            attributes: Value::Object(requested.clone()),
            created_at: now_ms(),
        })
        .await
        .map_err(store_error)?;
    // Idempotent only for the same attributes, as SNS.
    for (k, v) in &requested {
        if stored.attributes.get(k) != Some(v) {
            return Err(invalid(
                "Invalid parameter: Attributes Reason: Topic already exists with different attributes",
            ));
        }
    }
    if !tags.is_empty() {
        super::tags::add(store, account, &stored.arn, tags).await?;
    }
    let mut x = Xml::new();
    x.text("TopicArn", &stored.arn);
    Ok(Some(x.finish()))
}

pub async fn delete_topic(c: &SnsCall<'_>) -> Answer {
    let (store, account, p) = (c.store().as_ref(), c.account()?, c.params);
    let arn = topic_arn_param(p, "TopicArn")?;
    // Deleting a topic that does not exist is not an error in SNS.
    match store.delete_sns_topic(account, arn).await {
        Ok(()) => super::tags::forget(store, account, arn)
            .await
            .map(|()| None),
        Err(mailsight_store::StoreError::NotFound(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

pub async fn list_topics(c: &SnsCall<'_>) -> Answer {
    let (store, account, p) = (c.store().as_ref(), c.account()?, c.params);
    let page = store
        .list_sns_topics(account, p.get("NextToken"), TOPICS_PAGE)
        .await
        .map_err(store_error)?;
    let mut x = Xml::new();
    x.list("Topics", &page.items, |x, t| {
        x.text("TopicArn", &t.arn);
    });
    if let Some(next) = &page.next_after {
        x.text("NextToken", next);
    }
    Ok(Some(x.finish()))
}

pub async fn get_topic_attributes(c: &SnsCall<'_>) -> Answer {
    let (store, account, p) = (c.store().as_ref(), c.account()?, c.params);
    let arn = topic_arn_param(p, "TopicArn")?;
    let t = topic(store, account, arn).await?;
    let subs = all_subscriptions(store, account, arn).await?;
    let confirmed = subs
        .iter()
        .filter(|s| s.status == SubscriptionStatus::Confirmed)
        .count();
    let mut attrs: Vec<(String, String)> = vec![
        ("TopicArn".into(), t.arn.clone()),
        ("Owner".into(), t.account_id.clone()),
        ("DisplayName".into(), String::new()),
        ("SignatureVersion".into(), "1".into()),
        ("SubscriptionsConfirmed".into(), confirmed.to_string()),
        (
            "SubscriptionsPending".into(),
            (subs.len() - confirmed).to_string(),
        ),
        ("SubscriptionsDeleted".into(), "0".into()),
    ];
    merge_stored(&mut attrs, &t.attributes);
    let mut x = Xml::new();
    x.elem("Attributes", |x| {
        x.entries(attrs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    });
    Ok(Some(x.finish()))
}

/// Stored string attributes override the defaults in `attrs`.
fn merge_stored(attrs: &mut Vec<(String, String)>, stored: &Value) {
    if let Some(map) = stored.as_object() {
        for (k, v) in map {
            let Some(v) = v.as_str() else { continue };
            match attrs.iter_mut().find(|(name, _)| name == k) {
                Some(slot) => slot.1 = v.to_owned(),
                None => attrs.push((k.clone(), v.to_owned())),
            }
        }
    }
}

async fn all_subscriptions(
    store: &dyn Store,
    account: &str,
    topic_arn: &str,
) -> Result<Vec<SnsSubscription>, ApiError> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store
            .list_sns_subscriptions(account, Some(topic_arn), after.as_deref(), 500)
            .await
            .map_err(store_error)?;
        out.extend(page.items);
        match page.next_after {
            Some(n) => after = Some(n),
            None => return Ok(out),
        }
    }
}

/// Checks subscription attributes given to `Subscribe` or stored by
/// `SetSubscriptionAttributes`; only `RawMessageDelivery` is implemented.
fn subscription_attribute(name: &str, value: &str) -> Result<(String, String), ApiError> {
    match name {
        "RawMessageDelivery" => {
            let v = parse_bool(value).ok_or_else(|| {
                invalid(
                    "Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [must be true or false]",
                )
            })?;
            Ok((name.to_owned(), v.to_string()))
        }
        other => Err(invalid(format!(
            "Invalid parameter: AttributeName Reason: {other} is not supported by mailsight \
             (only RawMessageDelivery is)"
        ))),
    }
}

pub async fn subscribe(c: &SnsCall<'_>) -> Answer {
    let (api, store, account, p) = (c.api(), c.store(), c.account()?, c.params);
    let arn = topic_arn_param(p, "TopicArn")?;
    let protocol = p.required("Protocol")?.to_ascii_lowercase();
    if protocol != "http" && protocol != "https" {
        return Err(invalid(format!(
            "Invalid parameter: Protocol Reason: mailsight supports only http and https, not {protocol}"
        )));
    }
    let endpoint = p.required("Endpoint")?;
    let parsed = url::Url::parse(endpoint)
        .map_err(|_| invalid("Invalid parameter: Endpoint Reason: not a URL"))?;
    if parsed.scheme() != protocol || parsed.host().is_none() {
        return Err(invalid(
            "Invalid parameter: Endpoint must match the specified protocol",
        ));
    }
    let mut attributes = Map::new();
    for (k, v) in p.map("Attributes")? {
        let (k, v) = subscription_attribute(&k, &v)?;
        attributes.insert(k, Value::String(v));
    }
    let return_arn = p.flag("ReturnSubscriptionArn")?;
    let t = topic(store.as_ref(), account, arn).await?;
    let sub = store
        .create_sns_subscription(SnsSubscription {
            arn: format!("{arn}:{}", uuid::Uuid::new_v4()),
            topic_arn: arn.to_owned(),
            account_id: account.to_owned(),
            protocol,
            endpoint: endpoint.to_owned(),
            status: SubscriptionStatus::Pending,
            token: random_hex(),
            attributes: Value::Object(attributes),
            created_at: now_ms(),
        })
        .await
        .map_err(store_error)?;
    // With ReturnSubscriptionArn the real ARN is shown even while pending.
    let shown = if sub.status == SubscriptionStatus::Confirmed || return_arn {
        sub.arn.clone()
    } else {
        "pending confirmation".to_owned()
    };
    if sub.status == SubscriptionStatus::Pending {
        // Sent in the background, as SNS does: the endpoint may well call
        // back into mailsight before answering.
        let host = api.host.clone();
        tokio::spawn(async move { confirm_in_background(host, t, sub).await });
    }
    let mut x = Xml::new();
    x.text("SubscriptionArn", &shown);
    Ok(Some(x.finish()))
}

/// Tries `send` up to [`ATTEMPTS`] times, waiting 1 s, 2 s, … between
/// tries. For the sends that are best effort rather than outboxed
/// (confirmations and `Publish`); returns whether one went through.
async fn retried<F, Fut>(what: &str, endpoint: &str, mut send: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(), mailsight_engine::outbox::SinkError>>,
{
    for attempt in 0..ATTEMPTS {
        match send().await {
            Ok(()) => return true,
            Err(e) => {
                tracing::debug!(endpoint, attempt, error = %e.message, "{what} not accepted");
                tokio::time::sleep(Duration::from_secs(1 << attempt)).await;
            }
        }
    }
    false
}

async fn confirm_in_background(host: Arc<SnsHost>, topic: SnsTopic, sub: SnsSubscription) {
    if !retried("SubscriptionConfirmation", &sub.endpoint, || {
        host.send_confirmation(&topic, &sub)
    })
    .await
    {
        tracing::warn!(endpoint = %sub.endpoint, topic = %topic.arn, "gave up sending the SubscriptionConfirmation; subscribe again to resend it");
    }
}

/// `ConfirmSubscription`, signed or through the unsigned `SubscribeURL`:
/// the token is the capability, so the account is the topic's.
pub async fn confirm_subscription(c: &SnsCall<'_>) -> Answer {
    let (store, p) = (c.store().as_ref(), c.params);
    let arn = topic_arn_param(p, "TopicArn")?;
    let token = p.required("Token")?;
    let account = topic_arn(arn).map(|t| t.account).unwrap_or_default();
    topic(store, account, arn).await?;
    let sub = store
        .confirm_sns_subscription(account, arn, token)
        .await
        .map_err(|e| match e {
            mailsight_store::StoreError::NotFound(_) => invalid("Invalid token"),
            other => store_error(other),
        })?;
    let mut x = Xml::new();
    x.text("SubscriptionArn", &sub.arn);
    Ok(Some(x.finish()))
}

fn subscription_arn_param(p: &Params) -> Result<(&str, &str), ApiError> {
    let arn = p.required("SubscriptionArn")?;
    subscription_arn(arn)
        .map(|(_, account)| (arn, account))
        .ok_or_else(|| {
            invalid(format!(
                "Invalid parameter: SubscriptionArn Reason: {arn} is not a subscription ARN"
            ))
        })
}

/// `Unsubscribe`; `account` is the caller's, or for the unsigned
/// `UnsubscribeURL` the ARN's own (its random id is the capability).
pub async fn unsubscribe(c: &SnsCall<'_>) -> Answer {
    let (store, account, p) = (c.store().as_ref(), c.caller_account, c.params);
    let (arn, arn_account) = subscription_arn_param(p)?;
    let account = account.unwrap_or(arn_account);
    store
        .delete_sns_subscription(account, arn)
        .await
        .map_err(|e| match e {
            mailsight_store::StoreError::NotFound(_) => not_found("Subscription does not exist"),
            other => store_error(other),
        })?;
    Ok(None)
}

fn subscription_members(x: &mut Xml, subs: &[SnsSubscription]) {
    x.list("Subscriptions", subs, |x, s| {
        let arn = match s.status {
            SubscriptionStatus::Confirmed => s.arn.as_str(),
            SubscriptionStatus::Pending => "PendingConfirmation",
        };
        x.text("TopicArn", &s.topic_arn)
            .text("Protocol", &s.protocol)
            .text("SubscriptionArn", arn)
            .text("Owner", &s.account_id)
            .text("Endpoint", &s.endpoint);
    });
}

pub async fn list_subscriptions(c: &SnsCall<'_>) -> Answer {
    let (store, account, p) = (c.store().as_ref(), c.account()?, c.params);
    let page = store
        .list_sns_subscriptions(account, None, p.get("NextToken"), SUBSCRIPTIONS_PAGE)
        .await
        .map_err(store_error)?;
    let mut x = Xml::new();
    subscription_members(&mut x, &page.items);
    if let Some(next) = &page.next_after {
        x.text("NextToken", next);
    }
    Ok(Some(x.finish()))
}

pub async fn list_subscriptions_by_topic(c: &SnsCall<'_>) -> Answer {
    let (store, account, p) = (c.store().as_ref(), c.account()?, c.params);
    let arn = topic_arn_param(p, "TopicArn")?;
    topic(store, account, arn).await?;
    let page = store
        .list_sns_subscriptions(account, Some(arn), p.get("NextToken"), SUBSCRIPTIONS_PAGE)
        .await
        .map_err(store_error)?;
    let mut x = Xml::new();
    subscription_members(&mut x, &page.items);
    if let Some(next) = &page.next_after {
        x.text("NextToken", next);
    }
    Ok(Some(x.finish()))
}

async fn subscription(
    store: &dyn Store,
    account: &str,
    p: &Params,
) -> Result<SnsSubscription, ApiError> {
    let (arn, _) = subscription_arn_param(p)?;
    store
        .get_sns_subscription(account, arn)
        .await
        .map_err(store_error)?
        .ok_or_else(|| not_found("Subscription does not exist"))
}

pub async fn get_subscription_attributes(c: &SnsCall<'_>) -> Answer {
    let (store, account, p) = (c.store().as_ref(), c.account()?, c.params);
    let s = subscription(store, account, p).await?;
    let pending = s.status == SubscriptionStatus::Pending;
    let mut attrs: Vec<(String, String)> = vec![
        ("SubscriptionArn".into(), s.arn.clone()),
        ("TopicArn".into(), s.topic_arn.clone()),
        ("Owner".into(), s.account_id.clone()),
        ("Protocol".into(), s.protocol.clone()),
        ("Endpoint".into(), s.endpoint.clone()),
        ("PendingConfirmation".into(), pending.to_string()),
        ("ConfirmationWasAuthenticated".into(), "false".into()),
        ("RawMessageDelivery".into(), "false".into()),
    ];
    merge_stored(&mut attrs, &s.attributes);
    let mut x = Xml::new();
    x.elem("Attributes", |x| {
        x.entries(attrs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    });
    Ok(Some(x.finish()))
}

pub async fn set_subscription_attributes(c: &SnsCall<'_>) -> Answer {
    let (store, account, p) = (c.store().as_ref(), c.account()?, c.params);
    let s = subscription(store, account, p).await?;
    let name = p.required("AttributeName")?;
    let (k, v) = subscription_attribute(name, p.get("AttributeValue").unwrap_or_default())?;
    let mut attributes = s.attributes.as_object().cloned().unwrap_or_default();
    attributes.insert(k, Value::String(v));
    store
        .set_sns_subscription_attributes(account, &s.arn, Value::Object(attributes))
        .await
        .map_err(store_error)?;
    Ok(None)
}

/// `Publish`: answers once the message is accepted; the fan-out runs in the
/// background with a few retries per subscriber. It is not outboxed: a
/// restart loses notifications not yet delivered (SES event destinations
/// go through the outbox instead, and survive restarts).
pub async fn publish(c: &SnsCall<'_>) -> Answer {
    let (api, store, account, p) = (c.api(), c.store(), c.account()?, c.params);
    if p.get("PhoneNumber").is_some() {
        return Err(invalid(
            "Invalid parameter: PhoneNumber Reason: SMS is not supported by mailsight",
        ));
    }
    let arn_name = if p.get("TopicArn").is_some() {
        "TopicArn"
    } else {
        "TargetArn"
    };
    let arn = topic_arn_param(p, arn_name)?;
    let message = p.get("Message").unwrap_or_default();
    if message.is_empty() {
        return Err(invalid("Invalid parameter: Empty message"));
    }
    if message.len() > MAX_MESSAGE_BYTES {
        return Err(invalid("Invalid parameter: Message too long"));
    }
    if p.get("MessageStructure").is_some() {
        return Err(invalid(
            "Invalid parameter: MessageStructure Reason: not supported by mailsight",
        ));
    }
    let subject = p.get("Subject");
    if let Some(s) = subject {
        let printable = s.chars().all(|c| c.is_ascii() && !c.is_ascii_control());
        if s.is_empty() || s.len() > 100 || !printable {
            return Err(invalid(
                "Invalid parameter: Subject Reason: must be 1 to 100 printable ASCII characters",
            ));
        }
    }
    let attributes = super::message_attributes::parse(p)?;
    let t = topic(store.as_ref(), account, arn).await?;
    let message_id = uuid::Uuid::new_v4().to_string();
    let mut envelope = api
        .host
        .notification(&t, &message_id, subject, message)
        .map_err(|e| internal(e.message))?;
    // Not part of what is signed, as in SNS.
    envelope.message_attributes = attributes;
    let subs = confirmed_subscriptions(store.as_ref(), &t)
        .await
        .map_err(|e| internal(e.message))?;
    for sub in subs {
        let host = api.host.clone();
        let envelope = envelope.clone();
        tokio::spawn(async move {
            if !retried("notification", &sub.endpoint, || {
                host.deliver(&envelope, &sub)
            })
            .await
            {
                tracing::warn!(endpoint = %sub.endpoint, message_id = %envelope.message_id, "gave up delivering a published message");
            }
        });
    }
    let mut x = Xml::new();
    x.text("MessageId", &message_id);
    Ok(Some(x.finish()))
}
