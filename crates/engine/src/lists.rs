//! List management: sending on behalf of a contact list, the unsubscribe
//! headers and link, and what an unsubscribe changes.
//!
//! A contact list is an item whose body is the API's JSON (`Topics` with
//! their `DefaultSubscriptionStatus`); a contact's body holds its
//! `TopicPreferences` and `UnsubscribeAll`.

use mailsight_store::{ItemKind, Store, contact_key};
use serde_json::{Value, json};

use crate::config::RuleOutcome;
use crate::error::SendError;
use crate::outgoing::ListManagement;

/// The template variable SES fills with the recipient's unsubscribe link.
pub const PLACEHOLDER_NAME: &str = "amazonSESUnsubscribeUrl";
/// The same, as written in simple content.
pub const PLACEHOLDER: &str = "{{amazonSESUnsubscribeUrl}}";

/// The contact list (and topic) a message is sent for, as stored.
#[derive(Debug, Clone)]
pub struct ListTarget {
    pub name: String,
    pub topic: Option<String>,
    /// The list's `Topics`.
    pub topics: Vec<Value>,
}

/// Finds the list of `ListManagementOptions`; refuses a missing list or
/// topic, as SES does.
pub async fn resolve(
    store: &dyn Store,
    account: &str,
    lm: &ListManagement,
) -> Result<ListTarget, SendError> {
    let Some(item) = store
        .get_item(account, ItemKind::ContactList, &lm.contact_list)
        .await?
    else {
        return Err(SendError::NotFound(format!(
            "List with name {} doesn't exist.",
            lm.contact_list
        )));
    };
    let topics = item.body["Topics"].as_array().cloned().unwrap_or_default();
    if let Some(topic) = &lm.topic
        && !topics.iter().any(|t| t["TopicName"] == json!(topic))
    {
        return Err(SendError::BadRequest(format!(
            "Topic {topic} does not exist in list {}.",
            lm.contact_list
        )));
    }
    Ok(ListTarget {
        name: lm.contact_list.clone(),
        topic: lm.topic.clone(),
        topics,
    })
}

/// The RFC 2369 / RFC 8058 headers of a message with an unsubscribe link.
pub fn unsubscribe_headers(url: &str) -> Vec<(String, String)> {
    vec![
        ("List-Unsubscribe".into(), format!("<{url}>")),
        (
            "List-Unsubscribe-Post".into(),
            "List-Unsubscribe=One-Click".into(),
        ),
    ]
}

/// A topic's status for a contact: their own preference, else the topic's
/// default (`OPT_IN` / `OPT_OUT`).
fn topic_status(contact: &Value, topics: &[Value], topic: &str) -> String {
    let own = contact["TopicPreferences"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["TopicName"] == json!(topic)))
        .and_then(|p| p["SubscriptionStatus"].as_str());
    let default = topics
        .iter()
        .find(|t| t["TopicName"] == json!(topic))
        .and_then(|t| t["DefaultSubscriptionStatus"].as_str());
    own.or(default).unwrap_or("OPT_IN").to_owned()
}

/// Whether a contact of the list has opted out of it (or of the topic).
/// Addresses that are not contacts are sent to.
pub async fn has_unsubscribed(
    store: &dyn Store,
    account: &str,
    list: &ListTarget,
    recipient: &str,
) -> Result<bool, SendError> {
    let Some(contact) = store
        .get_item(
            account,
            ItemKind::Contact,
            &contact_key(&list.name, recipient),
        )
        .await?
    else {
        return Ok(false);
    };
    if contact.body["UnsubscribeAll"].as_bool() == Some(true) {
        return Ok(true);
    }
    Ok(list
        .topic
        .as_ref()
        .is_some_and(|t| topic_status(&contact.body, &list.topics, t) == "OPT_OUT"))
}

/// SES's answer for a recipient who unsubscribed: a permanent bounce.
pub fn unsubscribed_bounce() -> RuleOutcome {
    RuleOutcome::Bounce {
        bounce_type: "Permanent".into(),
        bounce_sub_type: "UnsubscribedRecipient".into(),
        status: "5.7.1".into(),
        diagnostic_code: "Amazon SES did not send the message to this address because the \
                          recipient has unsubscribed from the contact list."
            .into(),
    }
}

/// A contact's preferences as a Subscription event writes them
/// (`OptIn` / `OptOut`, every topic of the list).
pub fn event_preferences(contact: &Value, topics: &[Value]) -> Value {
    let statuses: Vec<Value> = topics
        .iter()
        .filter_map(|t| t["TopicName"].as_str())
        .map(|name| {
            let status = match topic_status(contact, topics, name).as_str() {
                "OPT_OUT" => "OptOut",
                _ => "OptIn",
            };
            json!({"topicName": name, "subscriptionStatus": status})
        })
        .collect();
    json!({
        "unsubscribeAll": contact["UnsubscribeAll"].as_bool().unwrap_or(false),
        "topicSubscriptionStatus": statuses,
    })
}

/// The contact after unsubscribing: from the topic if the message named
/// one, else from the whole list.
pub fn unsubscribed(contact: &Value, address: &str, topic: Option<&str>) -> Value {
    let mut next = contact.clone();
    if !next.is_object() {
        next = json!({});
    }
    next["EmailAddress"] = json!(contact["EmailAddress"].as_str().unwrap_or(address));
    match topic {
        Some(topic) => {
            let mut prefs: Vec<Value> = next["TopicPreferences"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .filter(|p| p["TopicName"] != json!(topic))
                .collect();
            prefs.push(json!({"TopicName": topic, "SubscriptionStatus": "OPT_OUT"}));
            next["TopicPreferences"] = Value::Array(prefs);
            if next.get("UnsubscribeAll").is_none() {
                next["UnsubscribeAll"] = json!(false);
            }
        }
        None => next["UnsubscribeAll"] = json!(true),
    }
    next
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topics() -> Vec<Value> {
        vec![
            json!({"TopicName": "news", "DefaultSubscriptionStatus": "OPT_IN"}),
            json!({"TopicName": "offers", "DefaultSubscriptionStatus": "OPT_OUT"}),
        ]
    }

    #[test]
    fn preferences_fall_back_to_topic_defaults() {
        let contact =
            json!({"TopicPreferences": [{"TopicName": "offers", "SubscriptionStatus": "OPT_IN"}]});
        assert_eq!(
            event_preferences(&contact, &topics()),
            json!({"unsubscribeAll": false, "topicSubscriptionStatus": [
                {"topicName": "news", "subscriptionStatus": "OptIn"},
                {"topicName": "offers", "subscriptionStatus": "OptIn"}]})
        );
        assert_eq!(
            event_preferences(&json!({}), &topics())["topicSubscriptionStatus"][1]["subscriptionStatus"],
            "OptOut"
        );
    }

    #[test]
    fn unsubscribing_from_a_topic_or_the_list() {
        let contact = json!({"EmailAddress": "A@x.test", "TopicPreferences": [{"TopicName": "news", "SubscriptionStatus": "OPT_IN"}], "UnsubscribeAll": false});
        let from_topic = unsubscribed(&contact, "a@x.test", Some("news"));
        assert_eq!(
            from_topic["TopicPreferences"],
            json!([{"TopicName": "news", "SubscriptionStatus": "OPT_OUT"}])
        );
        assert_eq!(from_topic["UnsubscribeAll"], false);
        assert_eq!(from_topic["EmailAddress"], "A@x.test");
        let from_list = unsubscribed(&json!(null), "b@x.test", None);
        assert_eq!(
            from_list,
            json!({"EmailAddress": "b@x.test", "UnsubscribeAll": true})
        );
    }
}
