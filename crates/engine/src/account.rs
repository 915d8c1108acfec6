//! The account-wide sending switch: SES v2's `PutAccountSendingAttributes`
//! and `GetAccount.SendingEnabled`, SES v1's `UpdateAccountSendingEnabled`
//! and `GetAccountSendingEnabled`: one stored setting both APIs read and
//! write. While it is off, [`crate::Engine::send`] refuses every message
//! of the account.

use mailsight_store::{ItemKind, Millis, PutMode, Store, StoreError};
use serde_json::{Value, json};

/// The account setting holding `{"SendingEnabled": bool}`.
const SENDING_SETTING: &str = "sending";

/// Whether the account may send: as last set, else on (a new account).
pub async fn sending_enabled(store: &dyn Store, account: &str) -> Result<bool, StoreError> {
    Ok(store
        .get_item(account, ItemKind::AccountSetting, SENDING_SETTING)
        .await?
        .and_then(|i| i.body.get("SendingEnabled").and_then(Value::as_bool))
        .unwrap_or(true))
}

/// Turns the account's sending on or off.
pub async fn set_sending_enabled(
    store: &dyn Store,
    account: &str,
    enabled: bool,
    now: Millis,
) -> Result<(), StoreError> {
    store
        .put_item(
            account,
            ItemKind::AccountSetting,
            SENDING_SETTING,
            json!({ "SendingEnabled": enabled }),
            PutMode::Upsert,
            now,
        )
        .await
}
