//! GetAccount: a production account with sending enabled, the real count
//! of messages sent in the last 24 hours, and the account's suppression
//! reasons (`PutAccountSuppressionAttributes`, BOUNCE and COMPLAINT by default).

use serde_json::{Value, json};

use super::Call;
use crate::error::ApiError;
use mailsight_model::now_ms;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

pub async fn get(c: &Call<'_>) -> Result<Value, ApiError> {
    let (state, caller) = (c.state, c.caller);
    let sent = state
        .store()
        .count_messages_since(&caller.account_id, now_ms() - DAY_MS)
        .await?;
    let reasons =
        mailsight_engine::suppression::account_reasons(state.store().as_ref(), &caller.account_id)
            .await?;
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
        "VdmAttributes": {"VdmEnabled": "ENABLED"},
    }))
}
