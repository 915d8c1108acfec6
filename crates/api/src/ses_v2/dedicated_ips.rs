//! Dedicated IPs and pools: `Create/Get/Delete/ListDedicatedIpPool(s)`,
//! `PutDedicatedIpPoolScalingAttributes`, `GetDedicatedIp(s)`,
//! `PutDedicatedIpInPool`, `PutDedicatedIpWarmupAttributes` and
//! `PutAccountDedicatedIpWarmupAttributes`, on
//! [`mailsight_engine::dedicated_ips`]. The IPs are the ones
//! `[sending] dedicated_ips` names (none by default).

use serde::Deserialize;
use serde_json::{Value, json};

use super::Call;
use super::paging::PageRequest;
use super::tag_set::{self, Tag};
use crate::body::{json, list_answer, query_param};
use crate::error::ApiError;
use mailsight_engine::dedicated_ips::{self as ips, DedicatedIp, IpError};
use mailsight_model::now_ms;

impl From<IpError> for ApiError {
    fn from(e: IpError) -> Self {
        match e {
            IpError::Invalid(m) => ApiError::bad_request(m),
            IpError::NotFound(m) => ApiError::not_found(m),
            e @ IpError::Exists(_) => ApiError::already_exists(e.to_string()),
            e @ IpError::Limit => ApiError::limit_exceeded(e.to_string()),
            IpError::Store(e) => e.into(),
        }
    }
}

fn dedicated<'a>(c: &'a Call<'a>) -> &'a [String] {
    &c.state.engine.sending().dedicated_ips
}

fn ip_json(ip: &DedicatedIp) -> Value {
    let mut v = json!({
        "Ip": ip.ip,
        "WarmupStatus": ip.warmup_status(),
        "WarmupPercentage": ip.warmup_percentage,
    });
    if let Some(pool) = &ip.pool {
        v["PoolName"] = json!(pool);
    }
    v
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreatePool {
    pool_name: Option<String>,
    scaling_mode: Option<String>,
    tags: Option<Vec<Tag>>,
}

pub async fn create_pool(c: &Call<'_>) -> Result<Value, ApiError> {
    let req: CreatePool = json(c.body)?;
    let name = req
        .pool_name
        .ok_or_else(|| ApiError::bad_request("Missing required parameter: PoolName."))?;
    let tags = req.tags.unwrap_or_default();
    tag_set::check(&tags)?;
    ips::create_pool(
        c.store(),
        c.account(),
        &name,
        req.scaling_mode.as_deref(),
        json!(tags),
        now_ms(),
    )
    .await?;
    Ok(json!({}))
}

pub async fn get_pool(c: &Call<'_>) -> Result<Value, ApiError> {
    let pool = ips::get_pool(c.store(), c.account(), c.label("PoolName")?).await?;
    Ok(json!({ "DedicatedIpPool": { "PoolName": pool.name, "ScalingMode": pool.scaling_mode } }))
}

pub async fn list_pools(c: &Call<'_>) -> Result<Value, ApiError> {
    let page = PageRequest::from_query(c.query, 100, 1000)?;
    let found = ips::list_pools(c.store(), c.account(), page.after.as_deref(), page.limit).await?;
    let names = found.items.iter().map(|p| json!(p.name)).collect();
    Ok(list_answer("DedicatedIpPools", names, found.next_after))
}

pub async fn delete_pool(c: &Call<'_>) -> Result<Value, ApiError> {
    let name = c.label("PoolName")?;
    ips::delete_pool(c.store(), c.account(), name, dedicated(c), now_ms()).await?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Scaling {
    scaling_mode: Option<String>,
}

pub async fn put_scaling(c: &Call<'_>) -> Result<Value, ApiError> {
    let req: Scaling = json(c.body)?;
    let mode = req
        .scaling_mode
        .ok_or_else(|| ApiError::bad_request("Missing required parameter: ScalingMode."))?;
    ips::set_scaling_mode(
        c.store(),
        c.account(),
        c.label("PoolName")?,
        &mode,
        now_ms(),
    )
    .await?;
    Ok(json!({}))
}

pub async fn get_ip(c: &Call<'_>) -> Result<Value, ApiError> {
    let ip = ips::get_ip(c.store(), c.account(), dedicated(c), c.label("IP")?).await?;
    Ok(json!({ "DedicatedIp": ip_json(&ip) }))
}

pub async fn get_ips(c: &Call<'_>) -> Result<Value, ApiError> {
    let page = PageRequest::from_query(c.query, 100, 1000)?;
    let pool = query_param(c.query, "PoolName");
    let all = ips::list_ips(c.store(), c.account(), dedicated(c), pool.as_deref()).await?;
    let rest: Vec<&DedicatedIp> = all
        .iter()
        .filter(|ip| {
            page.after
                .as_deref()
                .is_none_or(|after| ip.ip.as_str() > after)
        })
        .collect();
    let next = (rest.len() > page.limit).then(|| rest[page.limit - 1].ip.clone());
    let items = rest.iter().take(page.limit).map(|ip| ip_json(ip)).collect();
    Ok(list_answer("DedicatedIps", items, next))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MoveIp {
    destination_pool_name: Option<String>,
}

pub async fn put_ip_in_pool(c: &Call<'_>) -> Result<Value, ApiError> {
    let req: MoveIp = json(c.body)?;
    let pool = req
        .destination_pool_name
        .ok_or_else(|| ApiError::bad_request("Missing required parameter: DestinationPoolName."))?;
    ips::move_ip(
        c.store(),
        c.account(),
        dedicated(c),
        c.label("IP")?,
        &pool,
        now_ms(),
    )
    .await?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Warmup {
    warmup_percentage: Option<i64>,
}

pub async fn put_ip_warmup(c: &Call<'_>) -> Result<Value, ApiError> {
    let req: Warmup = json(c.body)?;
    let pct = req
        .warmup_percentage
        .ok_or_else(|| ApiError::bad_request("Missing required parameter: WarmupPercentage."))?;
    ips::set_warmup(
        c.store(),
        c.account(),
        dedicated(c),
        c.label("IP")?,
        pct,
        now_ms(),
    )
    .await?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AutoWarmup {
    #[serde(default)]
    auto_warmup_enabled: bool,
}

pub async fn put_account_warmup(c: &Call<'_>) -> Result<Value, ApiError> {
    let req: AutoWarmup = json(c.body)?;
    ips::set_auto_warmup(c.store(), c.account(), req.auto_warmup_enabled, now_ms()).await?;
    Ok(json!({}))
}
