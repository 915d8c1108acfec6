//! The suppression lists: the account's, and a tenant's own (for a tenant
//! whose `SuppressionAttributes.SuppressionScope` is `TENANT`): which
//! reasons put an address on them, and how bounces and complaints add
//! addresses.

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

/// The key of an address on `tenant`'s list (`ItemKind::TenantSuppressed`).
pub fn tenant_key(tenant: &str, address: &str) -> String {
    format!("{tenant}\n{}", key(address))
}

/// The prefix of every key on `tenant`'s list.
pub fn tenant_prefix(tenant: &str) -> String {
    format!("{tenant}\n")
}

/// The reasons `tenant` suppresses for, when it keeps a list of its own
/// (`SuppressionScope` `TENANT`); `None` when its sends use the account's.
pub async fn tenant_reasons(
    store: &dyn Store,
    account: &str,
    tenant: &str,
) -> Result<Option<Vec<String>>, StoreError> {
    let Some(item) = store.get_item(account, ItemKind::Tenant, tenant).await? else {
        return Ok(None);
    };
    let a = &item.body["SuppressionAttributes"];
    Ok((a["SuppressionScope"].as_str() == Some("TENANT")).then(|| reasons_of(a)))
}

/// Whether `address` is on `tenant`'s own list.
pub async fn is_suppressed_for_tenant(
    store: &dyn Store,
    account: &str,
    tenant: &str,
    address: &str,
) -> Result<bool, StoreError> {
    Ok(store
        .get_item(
            account,
            ItemKind::TenantSuppressed,
            &tenant_key(tenant, address),
        )
        .await?
        .is_some())
}

/// SES's answer for a recipient on the tenant's list.
pub fn tenant_suppressed_bounce() -> RuleOutcome {
    RuleOutcome::Bounce {
        bounce_type: "Permanent".into(),
        bounce_sub_type: "OnTenantSuppressionList".into(),
        status: "5.1.1".into(),
        diagnostic_code: "Amazon SES did not send the message to this address because it is \
                          on the suppression list of the tenant it was sent for."
            .into(),
    }
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
    #[serde(default)]
    mail: Option<FeedbackMail>,
}

/// The message's tags, for the tenant it was sent for.
#[derive(serde::Deserialize)]
struct FeedbackMail {
    #[serde(default)]
    tags: HashMap<String, Vec<String>>,
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

/// Which list one record's recipients go on, and for which reasons.
struct Destination {
    /// `Some(tenant)`: the tenant's own list.
    tenant: Option<String>,
    reasons: Vec<String>,
}

/// The list a record of `account` feeds: its tenant's own when the message
/// was sent for a tenant keeping one, else the account's, for the reasons
/// the configuration set (its `SuppressionOptions`) or else the account
/// suppresses.
async fn destination(
    store: &dyn Store,
    account: &str,
    set: Option<&str>,
    tenant: Option<&str>,
) -> Result<Destination, StoreError> {
    if let Some(t) = tenant
        && let Some(reasons) = tenant_reasons(store, account, t).await?
    {
        return Ok(Destination {
            tenant: Some(t.to_owned()),
            reasons,
        });
    }
    let reasons = match set_reasons(store, account, set).await? {
        Some(reasons) => reasons,
        None => account_reasons(store, account).await?,
    };
    Ok(Destination {
        tenant: None,
        reasons,
    })
}

/// Adds the addresses of hard bounces and complaints among `records` to
/// the suppression list their message feeds ([`destination`]). Simulator
/// addresses never are, as in SES. All additions are one write (one
/// commit), however many records there are.
pub async fn learn(store: &dyn Store, records: &[NewRecord]) -> Result<usize, StoreError> {
    let mut puts = Vec::new();
    type Key = (String, Option<String>, Option<String>);
    let mut cache: HashMap<Key, Destination> = HashMap::new();
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
                        && !matches!(
                            b.bounce_sub_type.as_deref(),
                            Some("OnAccountSuppressionList" | "OnTenantSuppressionList")
                        ) =>
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
        let tenant = body
            .mail
            .as_ref()
            .and_then(|m| m.tags.get(mailsight_model::metric::TENANT_TAG))
            .and_then(|v| v.first())
            .cloned();
        let cache_key = (r.account_id.clone(), r.configuration_set.clone(), tenant);
        let to = match cache.get(&cache_key) {
            Some(d) => d,
            None => {
                let d = destination(
                    store,
                    &r.account_id,
                    r.configuration_set.as_deref(),
                    cache_key.2.as_deref(),
                )
                .await?;
                cache.entry(cache_key).or_insert(d)
            }
        };
        if !to.reasons.iter().any(|x| x == reason) {
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
            let (kind, key) = match &to.tenant {
                Some(t) => (ItemKind::TenantSuppressed, tenant_key(t, &who.address)),
                None => (ItemKind::Suppressed, key(&who.address)),
            };
            let mut body = json!({
                "EmailAddress": who.address,
                "Reason": reason,
                "Attributes": attributes,
            });
            if let Some(t) = &to.tenant {
                body["TenantName"] = json!(t);
            }
            puts.push(ItemPut {
                account_id: r.account_id.clone(),
                kind,
                key,
                body,
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
