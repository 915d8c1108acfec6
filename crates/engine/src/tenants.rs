//! How a tenant's resource associations are stored, for the SES v2
//! tenant calls (`api::ses_v2::tenants`) and for the deletes of identities,
//! configuration sets and templates (both APIs), which take the resource's
//! associations with them as SES does.
//!
//! An association is stored twice in `ItemKind::TenantResource`: under
//! [`by_tenant`] and under [`by_resource`], so that both a tenant's
//! resources and a resource's tenants are one prefix. The keys name the
//! resource by kind and name ([`resource`]), not by the ARN as given:
//! mailsight answers every region, so two spellings of one resource's ARN
//! are one association.

use mailsight_store::{ItemKind, Store, StoreError};

/// A resource as association keys name it: `identity/<name>` (lower case),
/// `configuration-set/<name>` or `template/<name>`.
pub fn resource(kind: &str, name: &str) -> String {
    match kind {
        "identity" => format!("identity/{}", name.to_ascii_lowercase()),
        _ => format!("{kind}/{name}"),
    }
}

/// The key of an association under its tenant (tenant names hold no space,
/// so one tenant's keys share the prefix `t <tenant> `).
pub fn by_tenant(tenant: &str, resource: &str) -> String {
    format!("t {tenant} {resource}")
}

/// The key of an association under its resource.
pub fn by_resource(resource: &str, tenant: &str) -> String {
    format!("r {resource}\n{tenant}")
}

/// Deletes both keys of an association; whether it existed.
pub async fn remove(
    store: &dyn Store,
    account: &str,
    tenant: &str,
    resource: &str,
) -> Result<bool, StoreError> {
    let existed = store
        .delete_item(
            account,
            ItemKind::TenantResource,
            &by_tenant(tenant, resource),
        )
        .await?;
    store
        .delete_item(
            account,
            ItemKind::TenantResource,
            &by_resource(resource, tenant),
        )
        .await?;
    Ok(existed)
}

/// Removes every association of a resource being deleted (`resource` as
/// [`resource`] names it).
pub async fn forget(store: &dyn Store, account: &str, resource: &str) -> Result<(), StoreError> {
    let prefix = by_resource(resource, "");
    loop {
        let page = store
            .list_items(account, ItemKind::TenantResource, &prefix, None, 500)
            .await?;
        if page.items.is_empty() {
            return Ok(());
        }
        for item in &page.items {
            if let Some(tenant) = item.key.strip_prefix(&prefix) {
                remove(store, account, tenant, resource).await?;
            }
        }
    }
}
