//! Dedicated IP pools and the account's dedicated IPs, as SES v2 manages
//! them. mailsight sends from no address of its own: the IPs are the ones
//! `[sending] dedicated_ips` names, so that tools which manage pools and
//! IPs (infrastructure code, dashboards) have something real to manage.
//!
//! A pool is an item (`ItemKind::DedicatedIpPool`: `{PoolName,
//! ScalingMode, Tags}`); what was set about an IP (its pool, its warm-up
//! percentage) is an item of `ItemKind::DedicatedIp`, keyed by the address.
//! An IP nothing was set about is in no pool and warmed up (100 %).

use mailsight_store::{ItemKind, Page, PutMode, Store, StoreError};
use serde_json::{Value, json};

/// SES's most dedicated IP pools per account (its default quota).
pub const MAX_POOLS: usize = 50;

/// Why a call was refused; the API maps these to SES's codes.
#[derive(Debug, thiserror::Error)]
pub enum IpError {
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
    #[error("Pool {0} already exists.")]
    Exists(String),
    #[error("The account has {MAX_POOLS} dedicated IP pools, SES's most.")]
    Limit,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One pool.
#[derive(Debug, Clone, PartialEq)]
pub struct Pool {
    pub name: String,
    pub scaling_mode: String,
    pub tags: Value,
}

/// One dedicated IP, as `GetDedicatedIp` shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct DedicatedIp {
    pub ip: String,
    pub pool: Option<String>,
    pub warmup_percentage: i64,
}

impl DedicatedIp {
    /// `WarmupStatus`: done at 100 %.
    pub fn warmup_status(&self) -> &'static str {
        if self.warmup_percentage >= 100 {
            "DONE"
        } else {
            "IN_PROGRESS"
        }
    }
}

fn pool_missing(name: &str) -> IpError {
    IpError::NotFound(format!("Pool {name} does not exist."))
}

fn check_scaling_mode(mode: &str) -> Result<(), IpError> {
    match mode {
        "STANDARD" | "MANAGED" => Ok(()),
        other => Err(IpError::Invalid(format!(
            "ScalingMode must be STANDARD or MANAGED, not {other}."
        ))),
    }
}

fn pool_of(name: &str, body: &Value) -> Pool {
    Pool {
        name: name.to_owned(),
        scaling_mode: body["ScalingMode"]
            .as_str()
            .unwrap_or("STANDARD")
            .to_owned(),
        tags: body.get("Tags").cloned().unwrap_or(json!([])),
    }
}

pub async fn create_pool(
    store: &dyn Store,
    account: &str,
    name: &str,
    scaling_mode: Option<&str>,
    tags: Value,
    now: i64,
) -> Result<(), IpError> {
    if !mailsight_model::is_resource_name(name) {
        return Err(IpError::Invalid(format!(
            "Invalid pool name <{name}>: use 1 to 64 ASCII letters, digits, '_' or '-'."
        )));
    }
    let mode = scaling_mode.unwrap_or("STANDARD");
    check_scaling_mode(mode)?;
    let pools = store
        .list_items(account, ItemKind::DedicatedIpPool, "", None, MAX_POOLS + 1)
        .await?;
    if pools.items.len() >= MAX_POOLS {
        return Err(IpError::Limit);
    }
    let body = json!({ "PoolName": name, "ScalingMode": mode, "Tags": tags });
    match store
        .put_item(
            account,
            ItemKind::DedicatedIpPool,
            name,
            body,
            PutMode::Create,
            now,
        )
        .await
    {
        Err(StoreError::AlreadyExists(_)) => Err(IpError::Exists(name.to_owned())),
        other => Ok(other?),
    }
}

pub async fn get_pool(store: &dyn Store, account: &str, name: &str) -> Result<Pool, IpError> {
    let item = store
        .get_item(account, ItemKind::DedicatedIpPool, name)
        .await?
        .ok_or_else(|| pool_missing(name))?;
    Ok(pool_of(name, &item.body))
}

pub async fn list_pools(
    store: &dyn Store,
    account: &str,
    after: Option<&str>,
    limit: usize,
) -> Result<Page<Pool>, IpError> {
    let page = store
        .list_items(account, ItemKind::DedicatedIpPool, "", after, limit)
        .await?;
    Ok(Page {
        items: page
            .items
            .iter()
            .map(|i| pool_of(&i.key, &i.body))
            .collect(),
        next_after: page.next_after,
    })
}

/// Deletes the pool; its IPs are then in no pool.
pub async fn delete_pool(
    store: &dyn Store,
    account: &str,
    name: &str,
    dedicated: &[String],
    now: i64,
) -> Result<(), IpError> {
    if !store
        .delete_item(account, ItemKind::DedicatedIpPool, name)
        .await?
    {
        return Err(pool_missing(name));
    }
    for ip in dedicated {
        let ip_state = get_ip(store, account, dedicated, ip).await?;
        if ip_state.pool.as_deref() == Some(name) {
            put_ip(
                store,
                account,
                &DedicatedIp {
                    pool: None,
                    ..ip_state
                },
                now,
            )
            .await?;
        }
    }
    Ok(())
}

/// `PutDedicatedIpPoolScalingAttributes`: a standard pool may become
/// managed; a managed one stays managed, as in SES.
pub async fn set_scaling_mode(
    store: &dyn Store,
    account: &str,
    name: &str,
    mode: &str,
    now: i64,
) -> Result<(), IpError> {
    check_scaling_mode(mode)?;
    let pool = get_pool(store, account, name).await?;
    if pool.scaling_mode == "MANAGED" && mode == "STANDARD" {
        return Err(IpError::Invalid(
            "A managed pool cannot be changed back to standard.".into(),
        ));
    }
    let body = json!({ "PoolName": name, "ScalingMode": mode, "Tags": pool.tags });
    store
        .put_item(
            account,
            ItemKind::DedicatedIpPool,
            name,
            body,
            PutMode::Replace,
            now,
        )
        .await
        .map_err(|e| match e {
            StoreError::NotFound(_) => pool_missing(name),
            other => other.into(),
        })
}

/// One of the account's dedicated IPs (`dedicated`, from the config).
pub async fn get_ip(
    store: &dyn Store,
    account: &str,
    dedicated: &[String],
    ip: &str,
) -> Result<DedicatedIp, IpError> {
    if !dedicated.iter().any(|d| d == ip) {
        return Err(IpError::NotFound(format!(
            "Dedicated IP {ip} does not exist."
        )));
    }
    let item = store.get_item(account, ItemKind::DedicatedIp, ip).await?;
    let body = item.map(|i| i.body).unwrap_or(Value::Null);
    Ok(DedicatedIp {
        ip: ip.to_owned(),
        pool: body["PoolName"].as_str().map(str::to_owned),
        warmup_percentage: body["WarmupPercentage"].as_i64().unwrap_or(100),
    })
}

async fn put_ip(
    store: &dyn Store,
    account: &str,
    ip: &DedicatedIp,
    now: i64,
) -> Result<(), IpError> {
    let body =
        json!({ "Ip": ip.ip, "PoolName": ip.pool, "WarmupPercentage": ip.warmup_percentage });
    Ok(store
        .put_item(
            account,
            ItemKind::DedicatedIp,
            &ip.ip,
            body,
            PutMode::Upsert,
            now,
        )
        .await?)
}

/// The account's IPs, in address order, in `pool` if one is named (which
/// must exist).
pub async fn list_ips(
    store: &dyn Store,
    account: &str,
    dedicated: &[String],
    pool: Option<&str>,
) -> Result<Vec<DedicatedIp>, IpError> {
    if let Some(p) = pool {
        get_pool(store, account, p).await?;
    }
    let mut all = dedicated.to_vec();
    all.sort();
    all.dedup();
    let mut out = Vec::new();
    for ip in &all {
        let ip = get_ip(store, account, dedicated, ip).await?;
        if pool.is_none() || ip.pool.as_deref() == pool {
            out.push(ip);
        }
    }
    Ok(out)
}

/// `PutDedicatedIpInPool`: moves the IP into a standard pool.
pub async fn move_ip(
    store: &dyn Store,
    account: &str,
    dedicated: &[String],
    ip: &str,
    pool: &str,
    now: i64,
) -> Result<(), IpError> {
    let current = get_ip(store, account, dedicated, ip).await?;
    let target = get_pool(store, account, pool).await?;
    if target.scaling_mode == "MANAGED" {
        return Err(IpError::Invalid(format!(
            "Pool {pool} is managed: SES chooses its IPs."
        )));
    }
    put_ip(
        store,
        account,
        &DedicatedIp {
            pool: Some(pool.to_owned()),
            ..current
        },
        now,
    )
    .await
}

/// `PutDedicatedIpWarmupAttributes`: 0 to 100 %.
pub async fn set_warmup(
    store: &dyn Store,
    account: &str,
    dedicated: &[String],
    ip: &str,
    percentage: i64,
    now: i64,
) -> Result<(), IpError> {
    if !(0..=100).contains(&percentage) {
        return Err(IpError::Invalid(
            "WarmupPercentage must be between 0 and 100.".into(),
        ));
    }
    let current = get_ip(store, account, dedicated, ip).await?;
    put_ip(
        store,
        account,
        &DedicatedIp {
            warmup_percentage: percentage,
            ..current
        },
        now,
    )
    .await
}

/// The account setting of `PutAccountDedicatedIpWarmupAttributes`.
const AUTO_WARMUP: &str = "dedicated-ip-auto-warmup";

pub async fn auto_warmup(store: &dyn Store, account: &str) -> Result<bool, StoreError> {
    let item = store
        .get_item(account, ItemKind::AccountSetting, AUTO_WARMUP)
        .await?;
    Ok(item.is_some_and(|i| i.body["AutoWarmupEnabled"].as_bool().unwrap_or(false)))
}

pub async fn set_auto_warmup(
    store: &dyn Store,
    account: &str,
    enabled: bool,
    now: i64,
) -> Result<(), StoreError> {
    store
        .put_item(
            account,
            ItemKind::AccountSetting,
            AUTO_WARMUP,
            json!({ "AutoWarmupEnabled": enabled }),
            PutMode::Upsert,
            now,
        )
        .await
}
