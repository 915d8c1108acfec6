//! SES v2's identity policies: `CreateEmailIdentityPolicy`,
//! `GetEmailIdentityPolicies`, `UpdateEmailIdentityPolicy`,
//! `DeleteEmailIdentityPolicy`, on the policies SES v1's
//! `PutIdentityPolicy` and friends manage too
//! ([`mailsight_engine::policies`]).

use serde::Deserialize;
use serde_json::{Value, json};

use super::Call;
use super::identities::attribute_error;
use crate::body::json;
use crate::error::ApiError;
use mailsight_engine::policies::{self, Put};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PolicyRequest {
    policy: Option<String>,
}

async fn put(c: &Call<'_>, mode: Put) -> Result<Value, ApiError> {
    let (identity, name) = (c.label("EmailIdentity")?, c.label("PolicyName")?);
    let req: PolicyRequest = json(c.body)?;
    let policy = req
        .policy
        .ok_or_else(|| ApiError::bad_request("Missing required parameter: Policy."))?;
    policies::put(c.store(), c.account(), identity, name, &policy, mode)
        .await
        .map_err(|e| attribute_error(identity, e))?;
    Ok(json!({}))
}

pub async fn create(c: &Call<'_>) -> Result<Value, ApiError> {
    put(c, Put::Create).await
}

pub async fn update(c: &Call<'_>) -> Result<Value, ApiError> {
    put(c, Put::Replace).await
}

pub async fn get(c: &Call<'_>) -> Result<Value, ApiError> {
    let identity = c.label("EmailIdentity")?;
    let all = policies::all(c.store(), c.account(), identity)
        .await
        .map_err(|e| attribute_error(identity, e))?;
    Ok(json!({ "Policies": all }))
}

pub async fn delete(c: &Call<'_>) -> Result<Value, ApiError> {
    let (identity, name) = (c.label("EmailIdentity")?, c.label("PolicyName")?);
    policies::delete(c.store(), c.account(), identity, name, true)
        .await
        .map_err(|e| attribute_error(identity, e))?;
    Ok(json!({}))
}
