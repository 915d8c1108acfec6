//! GetAccount: a production account, its sending switch
//! (`PutAccountSendingAttributes`, on by default; shared with SES v1's
//! `UpdateAccountSendingEnabled`), its send quota with the recipients sent
//! to in the last 24 hours (from the rollups, so the answer costs the same
//! at any data size; shared with SES v1's `GetSendQuota`), the account's
//! suppression reasons (`PutAccountSuppressionAttributes`, BOUNCE and
//! COMPLAINT by default) and its VDM attributes (`PutAccountVdmAttributes`,
//! enabled by default).

use mailsight_engine::account::{sending_enabled, set_sending_enabled};
use mailsight_engine::analytics::{sending, vdm};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Call;
use crate::body::json;
use crate::error::ApiError;
use mailsight_model::now_ms;

pub async fn get(c: &Call<'_>) -> Result<Value, ApiError> {
    let (store, account) = (c.store(), c.account());
    let quota = sending::quota(store, account, now_ms()).await?;
    let suppression = mailsight_engine::suppression::account_attributes(store, account).await?;
    let mut out = json!({
        "DedicatedIpAutoWarmupEnabled":
            mailsight_engine::dedicated_ips::auto_warmup(store, account).await?,
        "EnforcementStatus": "HEALTHY",
        "ProductionAccessEnabled": true,
        "SendQuota": {
            "Max24HourSend": quota.max_24_hour_send,
            "MaxSendRate": quota.max_send_rate,
            "SentLast24Hours": quota.sent_last_24_hours,
        },
        "SendingEnabled": sending_enabled(store, account).await?,
        "SuppressionAttributes": suppression,
        "VdmAttributes": vdm::attributes(store, account).await?,
    });
    super::account_settings::shown(store, account, &mut out).await?;
    Ok(out)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PutSending {
    /// SDKs leave out a `false` boolean, so absent means off.
    #[serde(default)]
    sending_enabled: bool,
}

pub async fn put_sending(c: &Call<'_>) -> Result<Value, ApiError> {
    let req: PutSending = json(c.body)?;
    set_sending_enabled(c.store(), c.account(), req.sending_enabled, now_ms()).await?;
    Ok(json!({}))
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
