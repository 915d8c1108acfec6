//! GetAccount: a production account with sending enabled, the recipients
//! sent to in the last 24 hours (from the rollups, so the answer costs the
//! same at any data size), the account's suppression reasons
//! (`PutAccountSuppressionAttributes`, BOUNCE and COMPLAINT by default) and
//! its VDM attributes (`PutAccountVdmAttributes`, enabled by default).

use mailsight_engine::analytics::{sending, vdm};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Call;
use crate::body::json;
use crate::error::ApiError;
use mailsight_model::now_ms;

pub async fn get(c: &Call<'_>) -> Result<Value, ApiError> {
    let (store, account) = (c.store(), c.account());
    let sent = sending::sent_last_24_hours(store, account, now_ms()).await?;
    let reasons = mailsight_engine::suppression::account_reasons(store, account).await?;
    Ok(json!({
        "DedicatedIpAutoWarmupEnabled": false,
        "EnforcementStatus": "HEALTHY",
        "ProductionAccessEnabled": true,
        "SendQuota": {
            "Max24HourSend": 1_000_000.0,
            "MaxSendRate": 10_000.0,
            "SentLast24Hours": sent as f64,
        },
        "SendingEnabled": true,
        "SuppressionAttributes": {"SuppressedReasons": reasons},
        "VdmAttributes": vdm::attributes(store, account).await?,
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PutVdm {
    vdm_attributes: Value,
}

/// The `FeatureStatus` members of `VdmAttributes`, by parent.
const SWITCHES: [(Option<&str>, &str); 3] = [
    (None, "VdmEnabled"),
    (Some("DashboardAttributes"), "EngagementMetrics"),
    (Some("GuardianAttributes"), "OptimizedSharedDelivery"),
];

pub async fn put_vdm(c: &Call<'_>) -> Result<Value, ApiError> {
    let req: PutVdm = json(c.body)?;
    let attrs = req.vdm_attributes;
    if !attrs.is_object() {
        return Err(ApiError::bad_request("VdmAttributes must be an object."));
    }
    if attrs.get("VdmEnabled").is_none() {
        return Err(ApiError::bad_request(
            "VdmAttributes.VdmEnabled is required.",
        ));
    }
    for (parent, name) in SWITCHES {
        let holder = match parent {
            Some(p) => attrs.get(p),
            None => Some(&attrs),
        };
        if let Some(v) = holder.and_then(|h| h.get(name))
            && !matches!(v.as_str(), Some("ENABLED" | "DISABLED"))
        {
            return Err(ApiError::bad_request(format!(
                "{name} must be ENABLED or DISABLED."
            )));
        }
    }
    vdm::put_attributes(c.store(), c.account(), attrs, now_ms()).await?;
    Ok(json!({}))
}
