//! Contacts of a contact list: Create/Get/List/Update/DeleteContact.
//!
//! A contact is an item (`ItemKind::Contact`) keyed by [`contact_key`], so
//! one list's contacts share a prefix and are deleted with it.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::Call;
use super::contact_lists::{Status, Topic, load_list, topics_of};
use super::paging::{PageRequest, create_item, filtered_page, replace_item};
use crate::body::{epoch_seconds, json, list_answer};
use crate::error::ApiError;
use mailsight_engine::address::is_valid_address;
use mailsight_store::{Item, ItemKind, contact_key, contact_prefix};

#[derive(Deserialize, Serialize, Clone)]
#[serde(rename_all = "PascalCase")]
struct TopicPreference {
    topic_name: String,
    subscription_status: Status,
}
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ContactRequest {
    email_address: Option<String>,
    #[serde(default)]
    topic_preferences: Vec<TopicPreference>,
    #[serde(default)]
    unsubscribe_all: bool,
    attributes_data: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct ListContactsRequest {
    filter: Option<ContactsFilter>,
    page_size: Option<i64>,
    next_token: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct ContactsFilter {
    filtered_status: Option<Status>,
    topic_filter: Option<TopicFilter>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TopicFilter {
    topic_name: Option<String>,
    #[serde(default)]
    use_default_if_preference_unavailable: bool,
}

/// `AttributesData` may hold at most this many characters.
const MAX_ATTRIBUTES: usize = 1_000;

fn contact_missing(list: &str, email: &str) -> ApiError {
    ApiError::not_found(format!("Contact {email} does not exist in list {list}."))
}

/// The stored body of a contact an import job brings (`fields` as a
/// `CreateContact` body), checked as `CreateContact` checks one.
pub(crate) fn imported_contact(
    email: &str,
    fields: Value,
    list: &Value,
) -> Result<Value, ApiError> {
    let req: ContactRequest = serde_json::from_value(fields)
        .map_err(|e| ApiError::bad_request(format!("The contact does not fit: {e}")))?;
    if !is_valid_address(email) || email.contains('<') {
        return Err(ApiError::bad_request(format!(
            "Invalid email address <{email}>."
        )));
    }
    contact_doc(email, req, &topics_of(list))
}

/// Checks a contact's preferences against its list's topics, and builds
/// the stored body.
fn contact_doc(email: &str, req: ContactRequest, topics: &[Topic]) -> Result<Value, ApiError> {
    let mut seen = HashSet::new();
    for p in &req.topic_preferences {
        if !topics.iter().any(|t| t.topic_name == p.topic_name) {
            return Err(ApiError::bad_request(format!(
                "Topic {} does not exist in the contact list.",
                p.topic_name
            )));
        }
        if !seen.insert(p.topic_name.as_str()) {
            return Err(ApiError::bad_request(format!(
                "Topic {} is given more than once.",
                p.topic_name
            )));
        }
    }
    if let Some(a) = &req.attributes_data
        && a.chars().count() > MAX_ATTRIBUTES
    {
        return Err(ApiError::bad_request(format!(
            "AttributesData must be at most {MAX_ATTRIBUTES} characters long."
        )));
    }
    let mut doc = json!({
        "EmailAddress": email,
        "TopicPreferences": req.topic_preferences,
        "UnsubscribeAll": req.unsubscribe_all,
    });
    if let Some(a) = req.attributes_data {
        doc["AttributesData"] = json!(a);
    }
    Ok(doc)
}

pub async fn create(c: &Call<'_>) -> Result<Value, ApiError> {
    let (state, caller, list, body) = (c.state, c.caller, c.label("ContactListName")?, c.body);
    let req: ContactRequest = json(body)?;
    let email = req
        .email_address
        .clone()
        .ok_or_else(|| ApiError::bad_request("Missing required parameter: EmailAddress."))?;
    if !is_valid_address(&email) || email.contains('<') {
        return Err(ApiError::bad_request(format!(
            "Invalid email address <{email}>."
        )));
    }
    let list_item = load_list(state, caller, list).await?;
    let doc = contact_doc(&email, req, &topics_of(&list_item.body))?;
    create_item(
        c,
        ItemKind::Contact,
        &contact_key(list, &email),
        doc,
        || ApiError::already_exists(format!("Contact already exists in list {list}.")),
    )
    .await
}

/// The list's topic defaults, as `TopicDefaultPreferences`.
fn default_preferences(topics: &[Topic]) -> Value {
    json!(
        topics
            .iter()
            .map(|t| TopicPreference {
                topic_name: t.topic_name.clone(),
                subscription_status: t.default_subscription_status,
            })
            .collect::<Vec<_>>()
    )
}

pub async fn get(c: &Call<'_>) -> Result<Value, ApiError> {
    let (state, caller, list, email) = (
        c.state,
        c.caller,
        c.label("ContactListName")?,
        c.label("EmailAddress")?,
    );
    let list_item = load_list(state, caller, list).await?;
    let item = state
        .store()
        .get_item(
            &caller.account_id,
            ItemKind::Contact,
            &contact_key(list, email),
        )
        .await?
        .ok_or_else(|| contact_missing(list, email))?;
    let b = &item.body;
    let mut out = json!({
        "ContactListName": list,
        "EmailAddress": b.get("EmailAddress").cloned().unwrap_or(json!(email)),
        "TopicPreferences": b.get("TopicPreferences").cloned().unwrap_or(json!([])),
        "TopicDefaultPreferences": default_preferences(&topics_of(&list_item.body)),
        "UnsubscribeAll": b.get("UnsubscribeAll").cloned().unwrap_or(json!(false)),
        "CreatedTimestamp": epoch_seconds(item.created_at),
        "LastUpdatedTimestamp": epoch_seconds(item.updated_at),
    });
    if let Some(a) = b.get("AttributesData").filter(|a| !a.is_null()) {
        out["AttributesData"] = a.clone();
    }
    Ok(out)
}

/// `PUT /contact-lists/{list}/contacts/{email}`: replaces the preferences,
/// `UnsubscribeAll` and `AttributesData`; the address stays as first given.
pub async fn update(c: &Call<'_>) -> Result<Value, ApiError> {
    let (state, caller, list, email, body) = (
        c.state,
        c.caller,
        c.label("ContactListName")?,
        c.label("EmailAddress")?,
        c.body,
    );
    let req: ContactRequest = json(body)?;
    let list_item = load_list(state, caller, list).await?;
    let key = contact_key(list, email);
    let item = state
        .store()
        .get_item(&caller.account_id, ItemKind::Contact, &key)
        .await?
        .ok_or_else(|| contact_missing(list, email))?;
    let address = item
        .body
        .get("EmailAddress")
        .and_then(Value::as_str)
        .unwrap_or(email)
        .to_owned();
    let doc = contact_doc(&address, req, &topics_of(&list_item.body))?;
    replace_item(c, ItemKind::Contact, &key, doc, || {
        contact_missing(list, email)
    })
    .await
}

pub async fn delete(c: &Call<'_>) -> Result<Value, ApiError> {
    let (state, caller, list, email) = (
        c.state,
        c.caller,
        c.label("ContactListName")?,
        c.label("EmailAddress")?,
    );
    load_list(state, caller, list).await?;
    let existed = state
        .store()
        .delete_item(
            &caller.account_id,
            ItemKind::Contact,
            &contact_key(list, email),
        )
        .await?;
    if existed {
        Ok(json!({}))
    } else {
        Err(contact_missing(list, email))
    }
}

/// The contact's status for `topic`: `OPT_OUT` when it unsubscribed from
/// everything, else its own preference, else (if asked) the topic default.
fn status_for(contact: &Value, topic: &Topic, use_default: bool) -> Option<Status> {
    if contact.get("UnsubscribeAll").and_then(Value::as_bool) == Some(true) {
        return Some(Status::OptOut);
    }
    let own = contact
        .get("TopicPreferences")
        .cloned()
        .and_then(|p| serde_json::from_value::<Vec<TopicPreference>>(p).ok())
        .unwrap_or_default()
        .into_iter()
        .find(|p| p.topic_name == topic.topic_name)
        .map(|p| p.subscription_status);
    own.or(use_default.then_some(topic.default_subscription_status))
}

/// Whether a contact passes the `ListContacts` filter.
fn keeps(
    contact: &Value,
    filter: &ContactsFilter,
    topic: Option<&Topic>,
    use_default: bool,
) -> bool {
    match topic {
        Some(topic) => match (
            status_for(contact, topic, use_default),
            filter.filtered_status,
        ) {
            (None, _) => false,
            (Some(s), Some(wanted)) => s == wanted,
            (Some(_), None) => true,
        },
        // Without a topic, the status is the list-wide one: UnsubscribeAll.
        None => filter.filtered_status.is_none_or(|wanted| {
            let out = contact.get("UnsubscribeAll").and_then(Value::as_bool) == Some(true);
            (wanted == Status::OptOut) == out
        }),
    }
}

pub async fn list(c: &Call<'_>) -> Result<Value, ApiError> {
    let (state, caller, list, body) = (c.state, c.caller, c.label("ContactListName")?, c.body);
    let req: ListContactsRequest = json(body)?;
    let list_item = load_list(state, caller, list).await?;
    let topics = topics_of(&list_item.body);
    let filter = req.filter.unwrap_or_default();
    let (topic, use_default) = match &filter.topic_filter {
        Some(tf) => {
            let name = tf
                .topic_name
                .as_deref()
                .ok_or_else(|| ApiError::bad_request("TopicFilter needs a TopicName."))?;
            let topic = topics
                .iter()
                .find(|t| t.topic_name == name)
                .ok_or_else(|| {
                    ApiError::bad_request(format!("Topic {name} does not exist in list {list}."))
                })?;
            (Some(topic), tf.use_default_if_preference_unavailable)
        }
        None => (None, false),
    };
    let prefix = contact_prefix(list);
    let page = PageRequest::new(req.page_size, req.next_token.as_deref(), 100, 1000)?;
    if page
        .after
        .as_deref()
        .is_some_and(|a| !a.starts_with(&prefix))
    {
        return Err(ApiError::bad_request("The NextToken is not valid."));
    }
    let defaults = default_preferences(&topics);
    let (kept, next) = filtered_page(
        page,
        |after, limit| {
            let prefix = &prefix;
            async move {
                c.store()
                    .list_items(
                        c.account(),
                        ItemKind::Contact,
                        prefix,
                        after.as_deref(),
                        limit,
                    )
                    .await
            }
        },
        |i: &Item| keeps(&i.body, &filter, topic, use_default),
        |i: &Item| i.key.clone(),
    )
    .await?;
    let contacts: Vec<Value> = kept
        .iter()
        .map(|i| {
            let b = &i.body;
            json!({
                "EmailAddress": b.get("EmailAddress").cloned().unwrap_or(json!(i.key[prefix.len()..])),
                "TopicPreferences": b.get("TopicPreferences").cloned().unwrap_or(json!([])),
                "TopicDefaultPreferences": defaults,
                "UnsubscribeAll": b.get("UnsubscribeAll").cloned().unwrap_or(json!(false)),
                "LastUpdatedTimestamp": epoch_seconds(i.updated_at),
            })
        })
        .collect();
    Ok(list_answer("Contacts", contacts, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topic(default: Status) -> Topic {
        Topic {
            topic_name: "news".into(),
            display_name: "News".into(),
            description: None,
            default_subscription_status: default,
        }
    }

    #[test]
    fn topic_status_uses_preference_then_default() {
        let t = topic(Status::OptIn);
        let none = json!({"TopicPreferences": [], "UnsubscribeAll": false});
        let out = json!({"TopicPreferences": [{"TopicName": "news", "SubscriptionStatus": "OPT_OUT"}], "UnsubscribeAll": false});
        let all_out = json!({"TopicPreferences": [{"TopicName": "news", "SubscriptionStatus": "OPT_IN"}], "UnsubscribeAll": true});
        assert_eq!(status_for(&none, &t, false), None);
        assert_eq!(status_for(&none, &t, true), Some(Status::OptIn));
        assert_eq!(status_for(&out, &t, true), Some(Status::OptOut));
        assert_eq!(status_for(&all_out, &t, false), Some(Status::OptOut));
    }

    #[test]
    fn filters() {
        let t = topic(Status::OptOut);
        let c = json!({"TopicPreferences": [{"TopicName": "news", "SubscriptionStatus": "OPT_IN"}], "UnsubscribeAll": false});
        let f = |s| ContactsFilter {
            filtered_status: s,
            topic_filter: None,
        };
        assert!(keeps(&c, &f(Some(Status::OptIn)), Some(&t), false));
        assert!(!keeps(&c, &f(Some(Status::OptOut)), Some(&t), false));
        assert!(keeps(&c, &f(Some(Status::OptIn)), None, false));
        assert!(!keeps(&c, &f(Some(Status::OptOut)), None, false));
        assert!(keeps(&c, &f(None), None, false));
    }
}
