//! SES v1's identity policy actions: `PutIdentityPolicy`,
//! `GetIdentityPolicies`, `ListIdentityPolicies`, `DeleteIdentityPolicy`,
//! on the policies [`mailsight_engine::policies`] keeps with each identity
//! (SES v2's `…EmailIdentityPolicy` operations see the same ones).

use mailsight_engine::policies::{self, MAX_POLICIES, Put};

use super::errors::{attribute_error, invalid_parameter};
use super::{Answer, SesCall};
use crate::query::Xml;

/// Creates or replaces the policy.
pub async fn put_identity_policy(c: &SesCall<'_>) -> Answer {
    let p = c.params;
    let (identity, name, policy) = (
        p.required("Identity")?,
        p.required("PolicyName")?,
        p.required("Policy")?,
    );
    policies::put(c.store(), c.account(), identity, name, policy, Put::Upsert)
        .await
        .map_err(attribute_error)?;
    Ok(Some(String::new()))
}

/// The policies named in `PolicyNames.member.N` (at most 20) that exist.
pub async fn get_identity_policies(c: &SesCall<'_>) -> Answer {
    let p = c.params;
    let identity = p.required("Identity")?;
    let names = p.list("PolicyNames");
    if names.len() > MAX_POLICIES {
        return Err(invalid_parameter(format!(
            "At most {MAX_POLICIES} policies can be retrieved at a time."
        )));
    }
    let all = policies::all(c.store(), c.account(), identity)
        .await
        .map_err(attribute_error)?;
    let mut x = Xml::new();
    x.elem("Policies", |x| {
        for name in names {
            if let Some(policy) = all.get(name) {
                x.elem("entry", |x| {
                    x.text("key", name).text("value", policy);
                });
            }
        }
    });
    Ok(Some(x.finish()))
}

pub async fn list_identity_policies(c: &SesCall<'_>) -> Answer {
    let identity = c.params.required("Identity")?;
    let all = policies::all(c.store(), c.account(), identity)
        .await
        .map_err(attribute_error)?;
    let mut x = Xml::new();
    x.elem("PolicyNames", |x| {
        for name in all.keys() {
            x.text("member", name);
        }
    });
    Ok(Some(x.finish()))
}

/// Deleting a policy that is not there is fine, as in SES v1.
pub async fn delete_identity_policy(c: &SesCall<'_>) -> Answer {
    let p = c.params;
    let (identity, name) = (p.required("Identity")?, p.required("PolicyName")?);
    policies::delete(c.store(), c.account(), identity, name, false)
        .await
        .map_err(attribute_error)?;
    Ok(Some(String::new()))
}
