//! Contact lists: Create/Get/List/Update/DeleteContactList.
//!
//! A list is an item (`ItemKind::ContactList`, keyed by its name) holding
//! its topics; its contacts live in [`super::contacts`]. The engine reads
//! both bodies for list management (unsubscribe headers and links).

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::Call;
use super::paging::{PageRequest, create_item, item_page, replace_item};
use super::tag_set::{self, Tag};
use super::validate::resource_name;
use crate::auth::Caller;
use crate::body::{epoch_seconds, json};
use crate::error::ApiError;
use crate::state::AppState;
use mailsight_store::{Item, ItemKind, contact_prefix};

#[derive(Deserialize, Serialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    OptIn,
    OptOut,
}

#[derive(Deserialize, Serialize, Clone)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Topic {
    pub(super) topic_name: String,
    pub(super) display_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) description: Option<String>,
    pub(super) default_subscription_status: Status,
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

pub(super) fn list_missing(list: &str) -> ApiError {
    ApiError::not_found(format!("List with name {list} does not exist."))
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

pub(super) fn topics_of(list: &Value) -> Vec<Topic> {
    list.get("Topics")
        .cloned()
        .and_then(|t| serde_json::from_value(t).ok())
        .unwrap_or_default()
}

pub(super) async fn load_list(
    state: &AppState,
    caller: &Caller,
    list: &str,
) -> Result<Item, ApiError> {
    state
        .store()
        .get_item(&caller.account_id, ItemKind::ContactList, list)
        .await?
        .ok_or_else(|| list_missing(list))
}

pub async fn create(c: &Call<'_>) -> Result<Value, ApiError> {
    let body = c.body;
    let req: CreateListRequest = json(body)?;
    let name = req
        .contact_list_name
        .ok_or_else(|| ApiError::bad_request("Missing required parameter: ContactListName."))?;
    resource_name("contact list", &name)?;
    check_topics(&req.topics)?;
    tag_set::check(&req.tags)?;
    let mut doc = json!({
        "ContactListName": name,
        "Topics": req.topics,
        "Tags": req.tags,
    });
    if let Some(d) = req.description {
        doc["Description"] = json!(d);
    }
    create_item(c, ItemKind::ContactList, &name, doc, || {
        ApiError::already_exists(format!("List with name {name} already exists."))
    })
    .await
}

pub async fn get(c: &Call<'_>) -> Result<Value, ApiError> {
    let (state, caller, list) = (c.state, c.caller, c.label("ContactListName")?);
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

pub async fn list(c: &Call<'_>) -> Result<Value, ApiError> {
    let page = PageRequest::from_query(c.query, 100, 1000)?;
    item_page(c, ItemKind::ContactList, "", page, "ContactLists", |i| {
        json!({
            "ContactListName": i.key,
            "LastUpdatedTimestamp": epoch_seconds(i.updated_at),
        })
    })
    .await
}

/// `PUT /contact-lists/{list}`: replaces the topics and description; the
/// tags stay.
pub async fn update(c: &Call<'_>) -> Result<Value, ApiError> {
    let (state, caller, list, body) = (c.state, c.caller, c.label("ContactListName")?, c.body);
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
    replace_item(c, ItemKind::ContactList, list, doc, || list_missing(list)).await
}

/// Deletes the list and every contact in it.
pub async fn delete(c: &Call<'_>) -> Result<Value, ApiError> {
    let (state, caller, list) = (c.state, c.caller, c.label("ContactListName")?);
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
