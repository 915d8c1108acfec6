//! Reputation entities (`Get/ListReputationEntit(y|ies)`,
//! `UpdateReputationEntityCustomerManagedStatus`,
//! `UpdateReputationEntityPolicy`). SES's only entity type is `RESOURCE`;
//! mailsight's entities are its tenants, referenced by their ARN. A
//! tenant's reputation settings live in its item (`Reputation`), and its
//! `SendingStatus` is the entity's aggregate: `DISABLED` when the customer
//! status is, which stops the tenant's sends ([`super::tenants::check_send`]).
//! mailsight itself never pauses an entity (its SES-managed status stays
//! `ENABLED`) and finds no reputation findings, so no `ReputationImpact`.

use mailsight_store::Item;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

use super::Call;
use super::paging::ListRequest;
use super::tenants;
use crate::body::{epoch_seconds, json, list_answer};
use crate::error::ApiError;

/// The policy an entity has until one is set.
pub const DEFAULT_POLICY: &str = "arn:aws:ses:::reputation-policy/standard";

fn check_type(t: &str) -> Result<(), ApiError> {
    if t == "RESOURCE" {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "Invalid ReputationEntityType <{t}>: use RESOURCE."
        )))
    }
}

/// The tenant an entity reference (a tenant ARN) names.
async fn entity(c: &Call<'_>) -> Result<Item, ApiError> {
    check_type(c.label("ReputationEntityType")?)?;
    let reference = c.label("ReputationEntityReference")?;
    let missing = || ApiError::not_found(format!("Reputation entity {reference} does not exist."));
    let name = reference
        .split_once(":tenant/")
        .map(|(_, rest)| rest.split('/').next().unwrap_or(rest))
        .ok_or_else(missing)?;
    let item = tenants::load(c, name).await.map_err(|_| missing())?;
    if item.body["TenantArn"].as_str() != Some(reference) {
        return Err(missing());
    }
    Ok(item)
}

fn status_record(status: &str, at: &Value, cause: Option<&Value>) -> Value {
    let mut v = json!({ "Status": status, "LastUpdatedTimestamp": at });
    if let Some(cause) = cause.filter(|c| c.is_string()) {
        v["Cause"] = cause.clone();
    }
    v
}

/// A tenant as `ReputationEntity`.
fn entity_json(tenant: &Item) -> Value {
    let b = &tenant.body;
    let r = &b["Reputation"];
    let created = &b["CreatedTimestamp"];
    let customer = r["CustomerManagedStatus"].as_str().unwrap_or("ENABLED");
    let customer_at = r.get("CustomerManagedUpdated").unwrap_or(created);
    json!({
        "ReputationEntityReference": b["TenantArn"],
        "ReputationEntityType": "RESOURCE",
        "ReputationManagementPolicy": r["Policy"].as_str().unwrap_or(DEFAULT_POLICY),
        "CustomerManagedStatus": status_record(customer, customer_at, r.get("Cause")),
        "AwsSesManagedStatus": status_record("ENABLED", created, None),
        "SendingStatusAggregate": b["SendingStatus"],
    })
}

pub async fn get(c: &Call<'_>) -> Result<Value, ApiError> {
    let item = entity(c).await?;
    Ok(json!({ "ReputationEntity": entity_json(&item) }))
}

pub async fn list(c: &Call<'_>) -> Result<Value, ApiError> {
    let req: ListRequest<BTreeMap<String, String>> = json(c.body)?;
    let page = req.page(100, 1000)?;
    let filter = req.filter.unwrap_or_default();
    for (k, v) in &filter {
        match k.as_str() {
            "ENTITY_TYPE" => check_type(v)?,
            "REPUTATION_IMPACT" | "SENDING_STATUS" | "ENTITY_REFERENCE_PREFIX" => {}
            other => {
                return Err(ApiError::bad_request(format!(
                    "Invalid filter key <{other}>: use ENTITY_TYPE, REPUTATION_IMPACT, \
                     SENDING_STATUS or ENTITY_REFERENCE_PREFIX."
                )));
            }
        }
    }
    let keep = |i: &Item| {
        let b = &i.body;
        // No entity has a reputation finding, so none has an impact.
        !filter.contains_key("REPUTATION_IMPACT")
            && filter
                .get("SENDING_STATUS")
                .is_none_or(|s| b["SendingStatus"].as_str() == Some(s))
            && filter.get("ENTITY_REFERENCE_PREFIX").is_none_or(|p| {
                b["TenantArn"]
                    .as_str()
                    .is_some_and(|arn| arn.starts_with(p.as_str()))
            })
    };
    let (items, next) = tenants::page_of_tenants(c, page, keep).await?;
    let entities = items.iter().map(entity_json).collect();
    Ok(list_answer("ReputationEntities", entities, next))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StatusRequest {
    sending_status: Option<String>,
}

pub async fn update_status(c: &Call<'_>) -> Result<Value, ApiError> {
    let req: StatusRequest = json(c.body)?;
    let status = req
        .sending_status
        .ok_or_else(|| ApiError::bad_request("Missing required parameter: SendingStatus."))?;
    if !matches!(status.as_str(), "ENABLED" | "REINSTATED" | "DISABLED") {
        return Err(ApiError::bad_request(format!(
            "Invalid SendingStatus <{status}>: use ENABLED, REINSTATED or DISABLED."
        )));
    }
    let item = entity(c).await?;
    let mut body = item.body;
    let aggregate = if status == "DISABLED" {
        "DISABLED"
    } else {
        "ENABLED"
    };
    body["Reputation"]["CustomerManagedStatus"] = json!(status);
    body["Reputation"]["CustomerManagedUpdated"] = json!(epoch_seconds(mailsight_model::now_ms()));
    body["SendingStatus"] = json!(aggregate);
    tenants::save(c, &item.key, body).await?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PolicyRequest {
    reputation_entity_policy: Option<String>,
}

pub async fn update_policy(c: &Call<'_>) -> Result<Value, ApiError> {
    let req: PolicyRequest = json(c.body)?;
    let policy = req.reputation_entity_policy.ok_or_else(|| {
        ApiError::bad_request("Missing required parameter: ReputationEntityPolicy.")
    })?;
    if !policy.starts_with("arn:") || policy.len() > 2048 {
        return Err(ApiError::bad_request(format!(
            "ReputationEntityPolicy <{policy}> is not an ARN."
        )));
    }
    let item = entity(c).await?;
    let mut body = item.body;
    body["Reputation"]["Policy"] = json!(policy);
    tenants::save(c, &item.key, body).await?;
    Ok(json!({}))
}
