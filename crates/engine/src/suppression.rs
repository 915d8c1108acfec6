//! The account-level suppression list: which reasons put an address on it,
//! and how bounces and complaints add addresses.

use std::collections::HashMap;

use mailsight_model::EventType;
use mailsight_store::{ItemKind, ItemPut, NewRecord, PutMode, Store, StoreError};
use serde_json::{Value, json};

use crate::config::RuleOutcome;
use crate::simulator::is_simulator_address;

/// The account setting item holding `SuppressionAttributes`.
pub const ACCOUNT_SETTING: &str = "suppression";

/// The reasons SES suppresses for by default on a new account.
pub const DEFAULT_REASONS: &[&str] = &["BOUNCE", "COMPLAINT"];

/// The account's `SuppressedReasons` (`PutAccountSuppressionAttributes`),
/// or SES's default when never set.
pub async fn account_reasons(store: &dyn Store, account: &str) -> Result<Vec<String>, StoreError> {
    Ok(reasons_of(&account_attributes(store, account).await?))
}

/// The account's `SuppressionAttributes` as `GetAccount` shows them: the
/// reasons, and the `ValidationAttributes` when they were set.
pub async fn account_attributes(store: &dyn Store, account: &str) -> Result<Value, StoreError> {
    let item = store
        .get_item(account, ItemKind::AccountSetting, ACCOUNT_SETTING)
        .await?;
    let reasons = match &item {
        Some(item) => reasons_of(&item.body),
        None => DEFAULT_REASONS.iter().map(|r| (*r).to_owned()).collect(),
    };
    let mut out = serde_json::json!({ "SuppressedReasons": reasons });
    if let Some(v) = item
        .as_ref()
        .and_then(|i| i.body.get("ValidationAttributes"))
    {
        out["ValidationAttributes"] = v.clone();
    }
    Ok(out)
}

/// `SuppressedReasons` of a `SuppressionAttributes` / `SuppressionOptions`
/// object.
pub fn reasons_of(v: &Value) -> Vec<String> {
    v.get("SuppressedReasons")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Whether `address` is on the account's suppression list.
pub async fn is_suppressed(
    store: &dyn Store,
    account: &str,
    address: &str,
) -> Result<bool, StoreError> {
    Ok(store
        .get_item(account, ItemKind::Suppressed, &key(address))
        .await?
        .is_some())
}

/// One page of the account's list: addresses whose key (the address in
/// lower case) starts with `prefix`, in key order after `after`.
pub async fn list(
    store: &dyn Store,
    account: &str,
    prefix: &str,
    after: Option<&str>,
    limit: usize,
) -> Result<mailsight_store::Page<mailsight_store::Item>, StoreError> {
    store
        .list_items(
            account,
            ItemKind::Suppressed,
            &prefix.to_ascii_lowercase(),
            after,
            limit,
        )
        .await
}

/// Takes `address` off the account's list; returns whether it was on it.
pub async fn remove(store: &dyn Store, account: &str, address: &str) -> Result<bool, StoreError> {
    store
        .delete_item(account, ItemKind::Suppressed, &key(address))
        .await
}

/// The key of an address on the list: the bare address, lower case.
pub fn key(address: &str) -> String {
    crate::address::bare_address(address).to_ascii_lowercase()
}

/// SES's answer for a suppressed recipient: a permanent bounce that does
/// not count against the sender's reputation.
pub fn suppressed_bounce() -> RuleOutcome {
    RuleOutcome::Bounce {
        bounce_type: "Permanent".into(),
        bounce_sub_type: "OnAccountSuppressionList".into(),
        status: "5.1.1".into(),
        diagnostic_code: "Amazon SES did not send the message to this address because it is \
                          on the suppression list for your account."
            .into(),
    }
}

/// Whether a record may put an address on the suppression list.
pub fn may_suppress(r: &NewRecord) -> bool {
    matches!(r.event_type, EventType::Bounce | EventType::Complaint)
}

/// The few fields of a bounce or complaint record that decide whether its
/// recipients are suppressed; everything else in the record is skipped
/// unparsed.
#[derive(serde::Deserialize)]
struct Feedback<'a> {
    #[serde(borrow, default)]
    bounce: Option<FeedbackObject<'a>>,
    #[serde(borrow, default)]
    complaint: Option<FeedbackObject<'a>>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct FeedbackObject<'a> {
    #[serde(borrow, default)]
    bounce_type: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    bounce_sub_type: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    feedback_id: Option<std::borrow::Cow<'a, str>>,
}

/// Adds the addresses of hard bounces and complaints among `records` to
/// their account's suppression list, for the reasons the message's
/// configuration set (its `SuppressionOptions`) or else the account
/// suppresses. Simulator addresses never are, as in SES. All additions are
/// one write (one commit), however many records there are.
pub async fn learn(store: &dyn Store, records: &[NewRecord]) -> Result<usize, StoreError> {
    let mut puts = Vec::new();
    let mut cache: HashMap<(String, Option<String>), Vec<String>> = HashMap::new();
    for r in records {
        let reason = match r.event_type {
            EventType::Bounce => "BOUNCE",
            EventType::Complaint => "COMPLAINT",
            _ => continue,
        };
        let Ok(body) = serde_json::from_str::<Feedback<'_>>(&r.body) else {
            continue;
        };
        let object = match r.event_type {
            EventType::Bounce => match body.bounce {
                Some(b)
                    if b.bounce_type.as_deref() == Some("Permanent")
                        && b.bounce_sub_type.as_deref() != Some("OnAccountSuppressionList") =>
                {
                    b
                }
                _ => continue,
            },
            _ => match body.complaint {
                Some(c) => c,
                None => continue,
            },
        };
        let cache_key = (r.account_id.clone(), r.configuration_set.clone());
        let reasons =
            match cache.get(&cache_key) {
                Some(reasons) => reasons,
                None => {
                    let reasons =
                        match set_reasons(store, &r.account_id, r.configuration_set.as_deref())
                            .await?
                        {
                            Some(reasons) => reasons,
                            None => account_reasons(store, &r.account_id).await?,
                        };
                    cache.entry(cache_key).or_insert(reasons)
                }
            };
        if !reasons.iter().any(|x| x == reason) {
            continue;
        }
        for who in &r.recipients {
            if is_simulator_address(&who.address) {
                continue;
            }
            let mut attributes = json!({"MessageId": r.message_id});
            if let Some(f) = &object.feedback_id {
                attributes["FeedbackId"] = json!(f);
            }
            puts.push(ItemPut {
                account_id: r.account_id.clone(),
                kind: ItemKind::Suppressed,
                key: key(&who.address),
                body: json!({
                    "EmailAddress": who.address,
                    "Reason": reason,
                    "Attributes": attributes,
                }),
                mode: PutMode::Upsert,
                now: r.timestamp,
            });
        }
    }
    let added = puts.len();
    store.put_items(puts).await?;
    Ok(added)
}

/// The configuration set's own `SuppressionOptions.SuppressedReasons`, if
/// it sets them (they then override the account's).
async fn set_reasons(
    store: &dyn Store,
    account: &str,
    set: Option<&str>,
) -> Result<Option<Vec<String>>, StoreError> {
    let Some(set) = set else { return Ok(None) };
    let Some(set) = store.get_configuration_set(account, set).await? else {
        return Ok(None);
    };
    Ok(set.options.get("SuppressionOptions").map(reasons_of))
}
