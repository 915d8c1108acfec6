//! The suppression lists: Put/Get/List/DeleteSuppressedDestination, and
//! PutAccountSuppressionAttributes (`PUT /v2/email/account/suppression`).
//!
//! An address is an item (`ItemKind::Suppressed`, keyed by the address in
//! lower case) whose `LastUpdateTime` is the item's `updated_at`; the engine
//! adds addresses the same way when a bounce or complaint suppresses them.
//! A call naming a `TenantName` acts on that tenant's own list
//! (`ItemKind::TenantSuppressed`, keys prefixed by the tenant's name).

use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::Call;
use super::paging::{PageRequest, filtered_page};
use crate::body::{epoch_seconds, json, list_answer, query_param, query_params};
use crate::error::ApiError;
use mailsight_engine::address::is_valid_address;
use mailsight_engine::suppression::{self, ACCOUNT_SETTING};
use mailsight_model::now_ms;
use mailsight_store::{Item, ItemKind, PutMode};

const REASONS: &[&str] = &["BOUNCE", "COMPLAINT"];

fn check_reason(reason: &str) -> Result<(), ApiError> {
    if REASONS.contains(&reason) {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "Invalid suppression reason <{reason}>: use BOUNCE or COMPLAINT."
        )))
    }
}

fn missing(email: &str) -> ApiError {
    ApiError::not_found(format!(
        "Email address {email} does not exist on your suppression list."
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PutRequest {
    email_address: Option<String>,
    reason: Option<String>,
    tenant_name: Option<String>,
}

/// The list a call acts on: the account's, or a tenant's (which must
/// exist).
struct List {
    kind: ItemKind,
    prefix: String,
    tenant: Option<String>,
}

impl List {
    async fn of(c: &Call<'_>, tenant: Option<String>) -> Result<List, ApiError> {
        match tenant.filter(|t| !t.is_empty()) {
            None => Ok(List {
                kind: ItemKind::Suppressed,
                prefix: String::new(),
                tenant: None,
            }),
            Some(t) => {
                super::tenants::load(c, &t).await?;
                Ok(List {
                    kind: ItemKind::TenantSuppressed,
                    prefix: suppression::tenant_prefix(&t),
                    tenant: Some(t),
                })
            }
        }
    }

    /// From the query's `TenantName`.
    async fn of_query(c: &Call<'_>) -> Result<List, ApiError> {
        List::of(c, query_param(c.query, "TenantName")).await
    }

    fn key(&self, email: &str) -> String {
        format!("{}{}", self.prefix, email.to_ascii_lowercase())
    }

    /// A summary of one of its items, with the tenant when it has one.
    fn summary(&self, item: &Item) -> Value {
        let mut out = summary(item);
        if let Some(t) = &self.tenant {
            out["TenantName"] = json!(t);
        }
        out
    }
}

pub async fn put(c: &Call<'_>) -> Result<Value, ApiError> {
    let (state, caller, body) = (c.state, c.caller, c.body);
    let req: PutRequest = json(body)?;
    let email = req
        .email_address
        .ok_or_else(|| ApiError::bad_request("Missing required parameter: EmailAddress."))?;
    let reason = req
        .reason
        .ok_or_else(|| ApiError::bad_request("Missing required parameter: Reason."))?;
    check_reason(&reason)?;
    if !is_valid_address(&email) || email.contains('<') {
        return Err(ApiError::bad_request(format!(
            "Invalid email address <{email}>."
        )));
    }
    let list = List::of(c, req.tenant_name).await?;
    let mut doc = json!({"EmailAddress": email, "Reason": reason});
    if let Some(t) = &list.tenant {
        doc["TenantName"] = json!(t);
    }
    state
        .store()
        .put_item(
            &caller.account_id,
            list.kind,
            &list.key(&email),
            doc,
            PutMode::Upsert,
            now_ms(),
        )
        .await?;
    Ok(json!({}))
}

pub async fn get(c: &Call<'_>) -> Result<Value, ApiError> {
    let (state, caller, email) = (c.state, c.caller, c.label("EmailAddress")?);
    let list = List::of_query(c).await?;
    let item = state
        .store()
        .get_item(&caller.account_id, list.kind, &list.key(email))
        .await?
        .ok_or_else(|| missing(email))?;
    let mut out = list.summary(&item);
    if let Some(a) = item.body.get("Attributes").filter(|a| a.is_object()) {
        out["Attributes"] = a.clone();
    }
    Ok(json!({ "SuppressedDestination": out }))
}

fn summary(item: &Item) -> Value {
    json!({
        "EmailAddress": item.body.get("EmailAddress").cloned().unwrap_or(json!(item.key)),
        "Reason": item.body.get("Reason").cloned().unwrap_or(json!("BOUNCE")),
        "LastUpdateTime": epoch_seconds(item.updated_at),
    })
}

/// A query-string timestamp: ISO-8601 (what SDKs send) or epoch seconds.
pub(crate) fn parse_time(member: &str, v: &str) -> Result<i64, ApiError> {
    if let Ok(secs) = v.parse::<f64>() {
        return Ok((secs * 1000.0) as i64);
    }
    OffsetDateTime::parse(v, &Rfc3339)
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
        .map_err(|_| {
            ApiError::bad_request(format!(
                "{member} '{v}' is not an ISO-8601 timestamp or epoch seconds."
            ))
        })
}

pub async fn list(c: &Call<'_>) -> Result<Value, ApiError> {
    let query = c.query;
    let reasons = query_params(query, "Reason");
    for r in &reasons {
        check_reason(r)?;
    }
    let start = query_param(query, "StartDate")
        .map(|v| parse_time("StartDate", &v))
        .transpose()?;
    let end = query_param(query, "EndDate")
        .map(|v| parse_time("EndDate", &v))
        .transpose()?;
    let page = PageRequest::from_query(query, 100, 1000)?;
    let list = List::of_query(c).await?;
    let (kind, prefix) = (list.kind, list.prefix.as_str());
    let keeps = |i: &Item| {
        let reason = i.body.get("Reason").and_then(Value::as_str).unwrap_or("");
        (reasons.is_empty() || reasons.iter().any(|r| r == reason))
            && start.is_none_or(|s| i.updated_at >= s)
            && end.is_none_or(|e| i.updated_at <= e)
    };
    let (kept, next) = filtered_page(
        page,
        |after, limit| async move {
            c.store()
                .list_items(c.account(), kind, prefix, after.as_deref(), limit)
                .await
        },
        keeps,
        |i: &Item| i.key.clone(),
    )
    .await?;
    let items: Vec<Value> = kept.iter().map(|i| list.summary(i)).collect();
    Ok(list_answer("SuppressedDestinationSummaries", items, next))
}

pub async fn delete(c: &Call<'_>) -> Result<Value, ApiError> {
    let (state, caller, email) = (c.state, c.caller, c.label("EmailAddress")?);
    let list = List::of_query(c).await?;
    let existed = state
        .store()
        .delete_item(&caller.account_id, list.kind, &list.key(email))
        .await?;
    if existed {
        Ok(json!({}))
    } else {
        Err(missing(email))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AccountAttributes {
    #[serde(default)]
    suppressed_reasons: Vec<String>,
    /// Kept and shown by `GetAccount`; mailsight validates no addresses, so
    /// nothing else reads it. Typed so that a wrong shape is refused.
    #[serde(default)]
    validation_attributes: Option<ValidationAttributes>,
}

#[derive(Deserialize, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
struct ValidationAttributes {
    condition_threshold: ConditionThreshold,
}

#[derive(Deserialize, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
struct ConditionThreshold {
    condition_threshold_enabled: FeatureStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    overall_confidence_threshold: Option<ConfidenceThreshold>,
}

#[derive(Deserialize, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
struct ConfidenceThreshold {
    confidence_verdict_threshold: ConfidenceVerdict,
}

#[derive(Deserialize, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
enum FeatureStatus {
    Enabled,
    Disabled,
}

#[derive(Deserialize, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
enum ConfidenceVerdict {
    Medium,
    High,
    Managed,
}

/// `PUT /account/suppression`: the reasons that add an address to the
/// account's list (an empty list turns account suppression off).
pub async fn put_account_attributes(c: &Call<'_>) -> Result<Value, ApiError> {
    let (state, caller, body) = (c.state, c.caller, c.body);
    let req: AccountAttributes = json(body)?;
    let mut reasons: Vec<String> = Vec::new();
    for r in req.suppressed_reasons {
        check_reason(&r)?;
        if !reasons.contains(&r) {
            reasons.push(r);
        }
    }
    state
        .store()
        .put_item(
            &caller.account_id,
            ItemKind::AccountSetting,
            ACCOUNT_SETTING,
            match &req.validation_attributes {
                Some(v) => json!({ "SuppressedReasons": reasons, "ValidationAttributes": v }),
                None => json!({ "SuppressedReasons": reasons }),
            },
            PutMode::Upsert,
            now_ms(),
        )
        .await?;
    Ok(json!({}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_times() {
        assert_eq!(
            parse_time("StartDate", "1700000000").unwrap(),
            1_700_000_000_000
        );
        assert_eq!(
            parse_time("StartDate", "1700000000.5").unwrap(),
            1_700_000_000_500
        );
        assert_eq!(
            parse_time("StartDate", "2023-11-14T22:13:20Z").unwrap(),
            1_700_000_000_000
        );
        assert!(parse_time("StartDate", "yesterday").is_err());
    }
}
