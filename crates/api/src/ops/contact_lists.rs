//! Contact lists and their contacts: Create/Get/List/Update/DeleteContactList
//! and Create/Get/List/Update/DeleteContact.
//!
//! A list is an item (`ItemKind::ContactList`, keyed by its name); a contact
//! is an item (`ItemKind::Contact`) keyed by [`contact_key`], so one list's
//! contacts share a prefix and go with it. The engine reads both bodies for
//! list management (unsubscribe headers and links).

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::configuration_sets::now_ms;
use super::validate::resource_name;
use crate::auth::Caller;
use crate::body::{
    decode_token, epoch_seconds, json, list_answer, page_size, query_page_size, query_param,
};
use crate::error::ApiError;
use crate::state::AppState;
use mailsight_engine::address::is_valid_address;
use mailsight_store::{Item, ItemKind, PutMode, StoreError, contact_key, contact_prefix};

#[derive(Deserialize, Serialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    OptIn,
    OptOut,
}

#[derive(Deserialize, Serialize, Clone)]
#[serde(rename_all = "PascalCase")]
struct Topic {
    topic_name: String,
    display_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    default_subscription_status: Status,
}

#[derive(Deserialize, Serialize, Clone)]
#[serde(rename_all = "PascalCase")]
struct Tag {
    key: String,
    value: String,
}

#[derive(Deserialize, Serialize, Clone)]
#[serde(rename_all = "PascalCase")]
struct TopicPreference {
    topic_name: String,
    subscription_status: Status,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateListRequest {
    contact_list_name: Option<String>,
    #[serde(default)]
    topics: Vec<Topic>,
    description: Option<String>,
    #[serde(default)]
    tags: Vec<Tag>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateListRequest {
    #[serde(default)]
    topics: Vec<Topic>,
    description: Option<String>,
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

fn list_missing(list: &str) -> ApiError {
    ApiError::not_found(format!("List with name {list} does not exist."))
}

fn contact_missing(list: &str, email: &str) -> ApiError {
    ApiError::not_found(format!("Contact {email} does not exist in list {list}."))
}

fn check_topics(topics: &[Topic]) -> Result<(), ApiError> {
    let mut seen = HashSet::new();
    for t in topics {
        resource_name("topic", &t.topic_name)?;
        if t.display_name.is_empty() || t.display_name.chars().count() > 128 {
            return Err(ApiError::bad_request(format!(
                "The DisplayName of topic {} must be 1 to 128 characters long.",
                t.topic_name
            )));
        }
        if !seen.insert(t.topic_name.as_str()) {
            return Err(ApiError::bad_request(format!(
                "Topic {} is given more than once.",
                t.topic_name
            )));
        }
    }
    Ok(())
}

fn topics_of(list: &Value) -> Vec<Topic> {
    list.get("Topics")
        .cloned()
        .and_then(|t| serde_json::from_value(t).ok())
        .unwrap_or_default()
}

async fn load_list(state: &AppState, caller: &Caller, list: &str) -> Result<Item, ApiError> {
    state
        .store()
        .get_item(&caller.account_id, ItemKind::ContactList, list)
        .await?
        .ok_or_else(|| list_missing(list))
}

pub async fn create_list(
    state: &AppState,
    caller: &Caller,
    body: &[u8],
) -> Result<Value, ApiError> {
    let req: CreateListRequest = json(body)?;
    let name = req
        .contact_list_name
        .ok_or_else(|| ApiError::bad_request("Missing required parameter: ContactListName."))?;
    resource_name("contact list", &name)?;
    check_topics(&req.topics)?;
    let mut doc = json!({
        "ContactListName": name,
        "Topics": req.topics,
        "Tags": req.tags,
    });
    if let Some(d) = req.description {
        doc["Description"] = json!(d);
    }
    let put = state
        .store()
        .put_item(
            &caller.account_id,
            ItemKind::ContactList,
            &name,
            doc,
            PutMode::Create,
            now_ms(),
        )
        .await;
    match put {
        Err(StoreError::AlreadyExists(_)) => Err(ApiError::already_exists(format!(
            "List with name {name} already exists."
        ))),
        other => other.map(|_| json!({})).map_err(Into::into),
    }
}

pub async fn get_list(state: &AppState, caller: &Caller, list: &str) -> Result<Value, ApiError> {
    let item = load_list(state, caller, list).await?;
    let mut out = json!({
        "ContactListName": list,
        "Topics": item.body.get("Topics").cloned().unwrap_or(json!([])),
        "Tags": item.body.get("Tags").cloned().unwrap_or(json!([])),
        "CreatedTimestamp": epoch_seconds(item.created_at),
        "LastUpdatedTimestamp": epoch_seconds(item.updated_at),
    });
    if let Some(d) = item.body.get("Description").filter(|d| !d.is_null()) {
        out["Description"] = d.clone();
    }
    Ok(out)
}

pub async fn list_lists(
    state: &AppState,
    caller: &Caller,
    query: Option<&str>,
) -> Result<Value, ApiError> {
    let limit = page_size(query_page_size(query)?, 100, 1000)?;
    let after = decode_token(query_param(query, "NextToken").as_deref())?;
    let page = state
        .store()
        .list_items(
            &caller.account_id,
            ItemKind::ContactList,
            "",
            after.as_deref(),
            limit,
        )
        .await?;
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|i| {
            json!({
                "ContactListName": i.key,
                "LastUpdatedTimestamp": epoch_seconds(i.updated_at),
            })
        })
        .collect();
    Ok(list_answer("ContactLists", items, page.next_after))
}

/// `PUT /contact-lists/{list}`: replaces the topics and description; the
/// tags stay.
pub async fn update_list(
    state: &AppState,
    caller: &Caller,
    list: &str,
    body: &[u8],
) -> Result<Value, ApiError> {
    let req: UpdateListRequest = json(body)?;
    check_topics(&req.topics)?;
    let item = load_list(state, caller, list).await?;
    let mut doc = item.body;
    doc["ContactListName"] = json!(list);
    doc["Topics"] = json!(req.topics);
    match req.description {
        Some(d) => doc["Description"] = json!(d),
        None => {
            if let Some(o) = doc.as_object_mut() {
                o.remove("Description");
            }
        }
    }
    let put = state
        .store()
        .put_item(
            &caller.account_id,
            ItemKind::ContactList,
            list,
            doc,
            PutMode::Replace,
            now_ms(),
        )
        .await;
    match put {
        Err(StoreError::NotFound(_)) => Err(list_missing(list)),
        other => other.map(|_| json!({})).map_err(Into::into),
    }
}

/// Deletes the list and every contact in it.
pub async fn delete_list(state: &AppState, caller: &Caller, list: &str) -> Result<Value, ApiError> {
    let existed = state
        .store()
        .delete_item(&caller.account_id, ItemKind::ContactList, list)
        .await?;
    if !existed {
        return Err(list_missing(list));
    }
    state
        .store()
        .delete_items_with_prefix(&caller.account_id, ItemKind::Contact, &contact_prefix(list))
        .await?;
    Ok(json!({}))
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

pub async fn create_contact(
    state: &AppState,
    caller: &Caller,
    list: &str,
    body: &[u8],
) -> Result<Value, ApiError> {
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
    let put = state
        .store()
        .put_item(
            &caller.account_id,
            ItemKind::Contact,
            &contact_key(list, &email),
            doc,
            PutMode::Create,
            now_ms(),
        )
        .await;
    match put {
        Err(StoreError::AlreadyExists(_)) => Err(ApiError::already_exists(format!(
            "Contact already exists in list {list}."
        ))),
        other => other.map(|_| json!({})).map_err(Into::into),
    }
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

pub async fn get_contact(
    state: &AppState,
    caller: &Caller,
    list: &str,
    email: &str,
) -> Result<Value, ApiError> {
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
pub async fn update_contact(
    state: &AppState,
    caller: &Caller,
    list: &str,
    email: &str,
    body: &[u8],
) -> Result<Value, ApiError> {
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
    let put = state
        .store()
        .put_item(
            &caller.account_id,
            ItemKind::Contact,
            &key,
            doc,
            PutMode::Replace,
            now_ms(),
        )
        .await;
    match put {
        Err(StoreError::NotFound(_)) => Err(contact_missing(list, email)),
        other => other.map(|_| json!({})).map_err(Into::into),
    }
}

pub async fn delete_contact(
    state: &AppState,
    caller: &Caller,
    list: &str,
    email: &str,
) -> Result<Value, ApiError> {
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

pub async fn list_contacts(
    state: &AppState,
    caller: &Caller,
    list: &str,
    body: &[u8],
) -> Result<Value, ApiError> {
    let req: ListContactsRequest = json(body)?;
    let limit = page_size(req.page_size, 100, 1000)?;
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
    let mut after = decode_token(req.next_token.as_deref())?;
    if after.as_deref().is_some_and(|a| !a.starts_with(&prefix)) {
        return Err(ApiError::bad_request("The NextToken is not valid."));
    }
    let defaults = default_preferences(&topics);
    // Filters are applied here, so keep reading pages until this one is full.
    let mut kept: Vec<Item> = Vec::new();
    let next = loop {
        let page = state
            .store()
            .list_items(
                &caller.account_id,
                ItemKind::Contact,
                &prefix,
                after.as_deref(),
                limit,
            )
            .await?;
        let mut full_at = None;
        for i in page.items {
            if kept.len() == limit {
                break;
            }
            if keeps(&i.body, &filter, topic, use_default) {
                kept.push(i);
                if kept.len() == limit {
                    full_at = kept.last().map(|i| i.key.clone());
                }
            }
        }
        if let Some(key) = full_at {
            // More may follow only if the store had more.
            break Some(key);
        }
        match page.next_after {
            Some(n) => after = Some(n),
            None => break None,
        }
    };
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
