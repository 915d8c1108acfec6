//! Tenants (`Create/Get/Delete/ListTenant(s)`, the resource associations
//! and `PutTenantSuppressionAttributes`), and what a send naming one
//! (`TenantName` of SendEmail and SendBulkEmail) is checked against.
//!
//! A tenant is an item (`ItemKind::Tenant`, keyed by its name) holding
//! what `GetTenant` answers plus its reputation settings
//! ([`super::reputation`]); its associations are kept as
//! [`mailsight_engine::tenants`] describes.

use mailsight_model::now_ms;
use mailsight_store::{Item, ItemKind, ItemPut, PutMode, StoreError};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

use super::Call;
use super::paging::{ListRequest, PageRequest, filtered_page};
use super::resource_arn::{self, ResourceKind};
use super::tag_set::{self, Tag};
use crate::body::{epoch_seconds, json, list_answer};
use crate::error::ApiError;
use mailsight_engine::tenants::{self as keys, by_resource, by_tenant};

/// Associations one tenant may have (SES's quota is far larger; this
/// bounds what deleting a tenant reads and writes in one transaction).
pub const MAX_RESOURCES_PER_TENANT: usize = 10_000;

fn missing(name: &str) -> ApiError {
    ApiError::not_found(format!("Tenant {name} does not exist."))
}

fn required<T>(v: Option<T>, member: &str) -> Result<T, ApiError> {
    v.ok_or_else(|| ApiError::bad_request(format!("Missing required parameter: {member}.")))
}

fn check_name(name: &str) -> Result<(), ApiError> {
    if mailsight_model::is_resource_name(name) {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "Invalid tenant name <{name}>: use 1 to 64 ASCII letters, digits, '_' or '-'."
        )))
    }
}

/// The ARN of a tenant: `arn:aws:ses:<region>:<account>:tenant/<name>/<id>`.
pub fn tenant_arn(c: &Call<'_>, name: &str, id: &str) -> String {
    format!(
        "arn:aws:ses:{}:{}:tenant/{name}/{id}",
        c.state.engine.sending().region,
        c.account()
    )
}

/// The caller's tenant `name`, or NotFound.
pub async fn load(c: &Call<'_>, name: &str) -> Result<Item, ApiError> {
    c.store()
        .get_item(c.account(), ItemKind::Tenant, name)
        .await?
        .ok_or_else(|| missing(name))
}

/// Stores a changed tenant body (NotFound if it was deleted meanwhile).
pub async fn save(c: &Call<'_>, name: &str, body: Value) -> Result<(), ApiError> {
    match c
        .store()
        .put_item(
            c.account(),
            ItemKind::Tenant,
            name,
            body,
            PutMode::Replace,
            now_ms(),
        )
        .await
    {
        Err(StoreError::NotFound(_)) => Err(missing(name)),
        other => Ok(other?),
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct SuppressionAttributes {
    suppressed_reasons: Option<Vec<String>>,
    suppression_scope: Option<String>,
}

/// `SuppressionAttributes` as stored, checked as SES checks them.
fn suppression(a: SuppressionAttributes) -> Result<Value, ApiError> {
    let reasons = a.suppressed_reasons.unwrap_or_default();
    for r in &reasons {
        if r != "BOUNCE" && r != "COMPLAINT" {
            return Err(ApiError::bad_request(format!(
                "Invalid suppressed reason <{r}>: use BOUNCE or COMPLAINT."
            )));
        }
    }
    let scope = a.suppression_scope.unwrap_or_else(|| "ACCOUNT".to_owned());
    if scope != "ACCOUNT" && scope != "TENANT" {
        return Err(ApiError::bad_request(format!(
            "Invalid SuppressionScope <{scope}>: use ACCOUNT or TENANT."
        )));
    }
    Ok(json!({ "SuppressedReasons": reasons, "SuppressionScope": scope }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateRequest {
    tenant_name: Option<String>,
    tags: Option<Vec<Tag>>,
    suppression_attributes: Option<SuppressionAttributes>,
}

/// What `GetTenant` shows of a stored tenant (its reputation settings are
/// `GetReputationEntity`'s).
fn public(body: &Value) -> Value {
    let mut out = body.clone();
    if let Some(o) = out.as_object_mut() {
        o.remove("Reputation");
    }
    out
}

pub async fn create(c: &Call<'_>) -> Result<Value, ApiError> {
    let req: CreateRequest = json(c.body)?;
    let name = required(req.tenant_name, "TenantName")?;
    check_name(&name)?;
    let tags = req.tags.unwrap_or_default();
    tag_set::check(&tags)?;
    let suppression = suppression(req.suppression_attributes.unwrap_or_default())?;
    let now = now_ms();
    let id = format!("tn-{}", uuid::Uuid::new_v4().simple());
    let body = json!({
        "TenantName": name,
        "TenantId": id,
        "TenantArn": tenant_arn(c, &name, &id),
        "CreatedTimestamp": epoch_seconds(now),
        "Tags": tags,
        "SendingStatus": "ENABLED",
        "SuppressionAttributes": suppression,
    });
    match c
        .store()
        .put_item(
            c.account(),
            ItemKind::Tenant,
            &name,
            body.clone(),
            PutMode::Create,
            now,
        )
        .await
    {
        Err(StoreError::AlreadyExists(_)) => Err(ApiError::already_exists(format!(
            "Tenant {name} already exists."
        ))),
        Err(e) => Err(e.into()),
        Ok(()) => Ok(body),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct NameRequest {
    tenant_name: Option<String>,
}

pub async fn get(c: &Call<'_>) -> Result<Value, ApiError> {
    let req: NameRequest = json(c.body)?;
    let name = required(req.tenant_name, "TenantName")?;
    let item = load(c, &name).await?;
    Ok(json!({ "Tenant": public(&item.body) }))
}

/// One page of the caller's tenants that pass `keep`.
pub async fn page_of_tenants(
    c: &Call<'_>,
    page: PageRequest,
    keep: impl Fn(&Item) -> bool,
) -> Result<(Vec<Item>, Option<String>), ApiError> {
    let store = c.store();
    let account = c.account();
    filtered_page(
        page,
        |after, limit| async move {
            store
                .list_items(account, ItemKind::Tenant, "", after.as_deref(), limit)
                .await
        },
        keep,
        |i: &Item| i.key.clone(),
    )
    .await
}

pub async fn list(c: &Call<'_>) -> Result<Value, ApiError> {
    let req: ListRequest<BTreeMap<String, String>> = json(c.body)?;
    let page = req.page(100, 1000)?;
    let filter = req.filter.unwrap_or_default();
    let mut contains = None;
    let mut status = None;
    for (k, v) in &filter {
        match k.as_str() {
            "TENANT_NAME_CONTAINS" => contains = Some(v.clone()),
            "SENDING_STATUS" => status = Some(v.clone()),
            other => {
                return Err(ApiError::bad_request(format!(
                    "Invalid filter key <{other}>: use TENANT_NAME_CONTAINS or SENDING_STATUS."
                )));
            }
        }
    }
    let keep = |i: &Item| {
        contains.as_deref().is_none_or(|s| i.key.contains(s))
            && status
                .as_deref()
                .is_none_or(|s| i.body["SendingStatus"].as_str() == Some(s))
    };
    let (items, next) = page_of_tenants(c, page, keep).await?;
    let tenants = items
        .iter()
        .map(|i| {
            let b = &i.body;
            json!({
                "TenantName": b["TenantName"],
                "TenantId": b["TenantId"],
                "TenantArn": b["TenantArn"],
                "CreatedTimestamp": b["CreatedTimestamp"],
                "SendingStatus": b["SendingStatus"],
            })
        })
        .collect();
    Ok(list_answer("Tenants", tenants, next))
}

/// Every association of `tenant`, bounded by [`MAX_RESOURCES_PER_TENANT`].
async fn associations(c: &Call<'_>, tenant: &str) -> Result<Vec<Item>, ApiError> {
    let prefix = by_tenant(tenant, "");
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let page = c
            .store()
            .list_items(
                c.account(),
                ItemKind::TenantResource,
                &prefix,
                after.as_deref(),
                1000,
            )
            .await?;
        all.extend(page.items);
        match page.next_after {
            Some(n) if all.len() < MAX_RESOURCES_PER_TENANT => after = Some(n),
            _ => return Ok(all),
        }
    }
}

pub async fn delete(c: &Call<'_>) -> Result<Value, ApiError> {
    let req: NameRequest = json(c.body)?;
    let name = required(req.tenant_name, "TenantName")?;
    load(c, &name).await?;
    for a in associations(c, &name).await? {
        if let Some(resource) = a.body["Resource"].as_str() {
            keys::remove(c.store(), c.account(), &name, resource).await?;
        }
    }
    c.store()
        .delete_items_with_prefix(
            c.account(),
            ItemKind::TenantSuppressed,
            &mailsight_engine::suppression::tenant_prefix(&name),
        )
        .await?;
    if c.store()
        .delete_item(c.account(), ItemKind::Tenant, &name)
        .await?
    {
        Ok(json!({}))
    } else {
        Err(missing(&name))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AssociationRequest {
    tenant_name: Option<String>,
    resource_arn: Option<String>,
}

/// A resource of a tenant as the association keys name it.
fn canonical(kind: ResourceKind, name: &str) -> String {
    let word = match kind {
        ResourceKind::Identity => "identity",
        ResourceKind::ConfigurationSet => "configuration-set",
        _ => "template",
    };
    keys::resource(word, name)
}

/// The `ResourceType` of a resource ARN a tenant may hold.
fn resource_type(kind: ResourceKind) -> Option<&'static str> {
    match kind {
        ResourceKind::Identity => Some("EMAIL_IDENTITY"),
        ResourceKind::ConfigurationSet => Some("CONFIGURATION_SET"),
        ResourceKind::Template => Some("EMAIL_TEMPLATE"),
        _ => None,
    }
}

/// Whether the caller has the resource `kind`/`name` names.
async fn resource_exists(c: &Call<'_>, kind: ResourceKind, name: &str) -> Result<bool, ApiError> {
    let store = c.store();
    Ok(match kind {
        ResourceKind::Identity => store
            .get_identity(c.account(), &name.to_ascii_lowercase())
            .await?
            .is_some(),
        ResourceKind::ConfigurationSet => store
            .get_configuration_set(c.account(), name)
            .await?
            .is_some(),
        _ => store
            .get_item(c.account(), ItemKind::Template, name)
            .await?
            .is_some(),
    })
}

/// A resource a request names by ARN.
struct Resource {
    arn: String,
    /// Its `ResourceType`.
    kind: &'static str,
    /// Its [`canonical`] name.
    canonical: String,
}

/// Parses a resource ARN of a request: one of the caller's identities,
/// configuration sets or templates.
fn parse_resource(arn: Option<String>) -> Result<(Resource, String, ResourceKind), ApiError> {
    let arn = required(arn, "ResourceArn")?;
    let parsed = resource_arn::parse(&arn).map_err(ApiError::bad_request)?;
    let kind = resource_type(parsed.kind).ok_or_else(|| {
        ApiError::bad_request(format!(
            "A tenant holds email identities, configuration sets and email templates; <{arn}> is none of them."
        ))
    })?;
    let canonical = canonical(parsed.kind, &parsed.name);
    let r = Resource {
        arn,
        kind,
        canonical,
    };
    Ok((r, parsed.account, parsed.kind))
}

/// [`parse_resource`], and the resource exists.
async fn checked_resource(c: &Call<'_>, arn: Option<String>) -> Result<Resource, ApiError> {
    let (r, account, kind) = parse_resource(arn)?;
    let name = r.canonical.split_once('/').map_or("", |(_, n)| n);
    if account != c.account() || !resource_exists(c, kind, name).await? {
        return Err(ApiError::not_found(format!(
            "Resource <{}> does not exist.",
            r.arn
        )));
    }
    Ok(r)
}

pub async fn associate(c: &Call<'_>) -> Result<Value, ApiError> {
    let req: AssociationRequest = json(c.body)?;
    let tenant = required(req.tenant_name, "TenantName")?;
    let item = load(c, &tenant).await?;
    let r = checked_resource(c, req.resource_arn).await?;
    let now = now_ms();
    let body = json!({
        "TenantName": tenant,
        "TenantId": item.body["TenantId"],
        "ResourceArn": r.arn,
        "ResourceType": r.kind,
        "Resource": r.canonical,
        "AssociatedTimestamp": epoch_seconds(now),
    });
    let put = |key: String| ItemPut {
        account_id: c.account().to_owned(),
        kind: ItemKind::TenantResource,
        key,
        body: body.clone(),
        mode: PutMode::Create,
        now,
    };
    match c
        .store()
        .put_items(vec![
            put(by_tenant(&tenant, &r.canonical)),
            put(by_resource(&r.canonical, &tenant)),
        ])
        .await
    {
        Err(StoreError::AlreadyExists(_)) => Err(ApiError::already_exists(format!(
            "Resource <{}> is already associated with tenant {tenant}.",
            r.arn
        ))),
        other => other.map(|()| json!({})).map_err(Into::into),
    }
}

pub async fn disassociate(c: &Call<'_>) -> Result<Value, ApiError> {
    let req: AssociationRequest = json(c.body)?;
    let tenant = required(req.tenant_name, "TenantName")?;
    let (r, _, _) = parse_resource(req.resource_arn)?;
    load(c, &tenant).await?;
    if keys::remove(c.store(), c.account(), &tenant, &r.canonical).await? {
        Ok(json!({}))
    } else {
        Err(ApiError::not_found(format!(
            "Resource <{}> is not associated with tenant {tenant}.",
            r.arn
        )))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ResourcesRequest {
    tenant_name: Option<String>,
    filter: Option<BTreeMap<String, String>>,
    next_token: Option<String>,
    page_size: Option<i64>,
}

pub async fn list_resources(c: &Call<'_>) -> Result<Value, ApiError> {
    let req: ResourcesRequest = json(c.body)?;
    let tenant = required(req.tenant_name, "TenantName")?;
    let page = PageRequest::new(req.page_size, req.next_token.as_deref(), 100, 1000)?;
    let mut wanted = None;
    for (k, v) in req.filter.unwrap_or_default() {
        if k != "RESOURCE_TYPE" {
            return Err(ApiError::bad_request(format!(
                "Invalid filter key <{k}>: use RESOURCE_TYPE."
            )));
        }
        if !matches!(
            v.as_str(),
            "EMAIL_IDENTITY" | "CONFIGURATION_SET" | "EMAIL_TEMPLATE"
        ) {
            return Err(ApiError::bad_request(format!(
                "Invalid RESOURCE_TYPE <{v}>: use EMAIL_IDENTITY, CONFIGURATION_SET or EMAIL_TEMPLATE."
            )));
        }
        wanted = Some(v);
    }
    load(c, &tenant).await?;
    let prefix = by_tenant(&tenant, "");
    let store = c.store();
    let account = c.account();
    let prefix = prefix.as_str();
    let (items, next) = filtered_page(
        page,
        |after, limit| async move {
            store
                .list_items(
                    account,
                    ItemKind::TenantResource,
                    prefix,
                    after.as_deref(),
                    limit,
                )
                .await
        },
        |i: &Item| {
            wanted
                .as_deref()
                .is_none_or(|w| i.body["ResourceType"].as_str() == Some(w))
        },
        |i: &Item| i.key.clone(),
    )
    .await?;
    let resources = items
        .iter()
        .map(|i| json!({"ResourceType": i.body["ResourceType"], "ResourceArn": i.body["ResourceArn"]}))
        .collect();
    Ok(list_answer("TenantResources", resources, next))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ResourceTenantsRequest {
    resource_arn: Option<String>,
    next_token: Option<String>,
    page_size: Option<i64>,
}

pub async fn list_resource_tenants(c: &Call<'_>) -> Result<Value, ApiError> {
    let req: ResourceTenantsRequest = json(c.body)?;
    let page = PageRequest::new(req.page_size, req.next_token.as_deref(), 100, 1000)?;
    let r = checked_resource(c, req.resource_arn).await?;
    let found = c
        .store()
        .list_items(
            c.account(),
            ItemKind::TenantResource,
            &by_resource(&r.canonical, ""),
            page.after.as_deref(),
            page.limit,
        )
        .await?;
    let tenants = found
        .items
        .iter()
        .map(|i| {
            let b = &i.body;
            json!({
                "TenantName": b["TenantName"],
                "TenantId": b["TenantId"],
                "ResourceArn": b["ResourceArn"],
                "AssociatedTimestamp": b["AssociatedTimestamp"],
            })
        })
        .collect();
    Ok(list_answer("ResourceTenants", tenants, found.next_after))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SuppressionRequest {
    tenant_name: Option<String>,
    suppressed_reasons: Option<Vec<String>>,
    suppression_scope: Option<String>,
}

pub async fn put_suppression(c: &Call<'_>) -> Result<Value, ApiError> {
    let req: SuppressionRequest = json(c.body)?;
    let tenant = required(req.tenant_name, "TenantName")?;
    let attributes = suppression(SuppressionAttributes {
        suppressed_reasons: req.suppressed_reasons,
        suppression_scope: req.suppression_scope,
    })?;
    let mut body = load(c, &tenant).await?.body;
    body["SuppressionAttributes"] = attributes;
    save(c, &tenant, body).await?;
    Ok(json!({}))
}

/// Whether the resource `kind`/`name` is associated with `tenant`.
async fn associated(
    c: &Call<'_>,
    tenant: &str,
    kind: ResourceKind,
    name: &str,
) -> Result<bool, ApiError> {
    let key = by_tenant(tenant, &canonical(kind, name));
    Ok(c.store()
        .get_item(c.account(), ItemKind::TenantResource, &key)
        .await?
        .is_some())
}

/// What a send names besides its tenant.
pub struct SendResources<'a> {
    /// The sender address (`FromEmailAddress`, without a display name).
    pub from: Option<&'a str>,
    pub configuration_set: Option<&'a str>,
    pub template: Option<&'a str>,
}

/// Checks a send on behalf of `tenant`: the tenant exists and may send,
/// and the identity the sender belongs to (the address or its domain),
/// the configuration set and the template it names are the tenant's, as
/// SES only lets a tenant send with resources associated with it.
pub async fn check_send(c: &Call<'_>, tenant: &str, r: SendResources<'_>) -> Result<(), ApiError> {
    let item = load(c, tenant).await?;
    if item.body["SendingStatus"].as_str() == Some("DISABLED") {
        return Err(ApiError::new(
            "SendingPausedException",
            axum::http::StatusCode::BAD_REQUEST,
            format!("Sending is disabled for tenant {tenant}."),
        ));
    }
    let not_the_tenants = |what: String| {
        ApiError::bad_request(format!("{what} is not associated with tenant {tenant}."))
    };
    if let Some(from) = r.from {
        let address = mailsight_engine::address::bare_address(from).to_ascii_lowercase();
        let mut theirs = associated(c, tenant, ResourceKind::Identity, &address).await?;
        if !theirs && let Some((_, domain)) = address.rsplit_once('@') {
            theirs = associated(c, tenant, ResourceKind::Identity, domain).await?;
        }
        if !theirs {
            return Err(not_the_tenants(format!("The identity of {address}")));
        }
    }
    if let Some(set) = r.configuration_set
        && !associated(c, tenant, ResourceKind::ConfigurationSet, set).await?
    {
        return Err(not_the_tenants(format!("Configuration set {set}")));
    }
    if let Some(t) = r.template
        && !associated(c, tenant, ResourceKind::Template, t).await?
    {
        return Err(not_the_tenants(format!("Template {t}")));
    }
    Ok(())
}
