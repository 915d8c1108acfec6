//! Sending identities as both SES APIs manage them (SES v2's
//! `CreateEmailIdentity` …, SES v1's `VerifyEmailIdentity`,
//! `VerifyDomainIdentity` …): one store, so an identity verified through
//! either is seen, used for sending and deleted through both.
//!
//! mailsight checks no DNS and sends no verification mail: an identity is
//! verified the moment it exists. Its tokens (SES v1's verification
//! token, the DKIM CNAME tokens) are derived from its name, so they stay
//! the same each time they are asked for.

use mailsight_store::{
    Identity, IdentityAttributes, IdentityType, ItemKind, PutMode, Store, StoreError,
};
use serde_json::{Value, json};

use crate::address::is_valid_address;

/// A domain as SES accepts one: dot-separated labels of letters, digits,
/// `-` and `_`, none empty or longer than 63.
pub fn is_valid_domain(d: &str) -> bool {
    d.len() <= 253
        && d.contains('.')
        && d.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// An email address or a domain; anything else is refused with the
/// reason.
pub fn identity_type(identity: &str) -> Result<IdentityType, String> {
    if identity.contains('@') {
        if is_valid_address(identity) && !identity.contains('<') {
            return Ok(IdentityType::EmailAddress);
        }
    } else if is_valid_domain(identity) {
        return Ok(IdentityType::Domain);
    }
    Err(format!(
        "Invalid email identity <{identity}>: give an email address or a domain."
    ))
}

/// The identity name `given` stands for: the name itself, or the identity
/// its ARN names (SES v1 accepts either), in lower case as identities are
/// kept.
pub fn name_of(given: &str) -> String {
    crate::normalize::identity_of_arn(given)
        .unwrap_or(given)
        .to_ascii_lowercase()
}

/// A stable hex token for `identity`, different for each `purpose`.
fn token(purpose: &str, identity: &str) -> String {
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_DNS,
        format!("{purpose}.{identity}").as_bytes(),
    )
    .simple()
    .to_string()
}

/// The three DKIM CNAME tokens of a domain.
pub fn dkim_tokens(domain: &str) -> Vec<String> {
    (0..3).map(|i| token(&i.to_string(), domain)).collect()
}

/// SES v1's domain verification token (the `_amazonses` TXT record).
pub fn verification_token(domain: &str) -> String {
    use base64::Engine as _;
    let t = token("verification", domain);
    base64::engine::general_purpose::STANDARD.encode(t.as_bytes())
}

/// Verifies `name` (an address or a domain, any case): creates the
/// identity, or keeps the one there is, as SES v1's `Verify…` actions do.
pub async fn verify(
    store: &dyn Store,
    account: &str,
    name: &str,
    now: i64,
) -> Result<Result<Identity, String>, StoreError> {
    let name = name.to_ascii_lowercase();
    let identity_type = match identity_type(&name) {
        Ok(t) => t,
        Err(m) => return Ok(Err(m)),
    };
    if let Some(existing) = store.get_identity(account, &name).await? {
        return Ok(Ok(existing));
    }
    let identity = Identity {
        name,
        identity_type,
        tags: json!([]),
        configuration_set: None,
        created_at: now,
        attributes: Default::default(),
    };
    match store.create_identity(account, identity.clone()).await {
        Ok(()) | Err(StoreError::AlreadyExists(_)) => Ok(Ok(identity)),
        Err(e) => Err(e),
    }
}

/// Deletes an identity and its MAIL FROM setting; `false` when there was
/// no identity.
pub async fn delete(store: &dyn Store, account: &str, name: &str) -> Result<bool, StoreError> {
    let name = name.to_ascii_lowercase();
    store
        .delete_item(account, ItemKind::MailFrom, &name)
        .await?;
    match store.delete_identity(account, &name).await {
        Ok(()) => {
            crate::tenants::forget(store, account, &crate::tenants::resource("identity", &name))
                .await?;
            Ok(true)
        }
        Err(StoreError::NotFound(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Why a change of an identity's attributes (notification settings,
/// policies) was refused; each API maps these to its own codes.
#[derive(Debug, thiserror::Error)]
pub enum AttributeError {
    /// The identity named does not exist in the account.
    #[error("Identity <{0}> does not exist.")]
    NoIdentity(String),
    /// A value SES would refuse (SES v1's `InvalidParameterValue`).
    #[error("{0}")]
    Invalid(String),
    /// A policy SES would refuse (SES v1's `InvalidPolicy`).
    #[error("{0}")]
    InvalidPolicy(String),
    #[error("Policy <{0}> already exists.")]
    PolicyExists(String),
    #[error("Policy <{0}> does not exist.")]
    NoPolicy(String),
    /// Over SES's number of policies per identity.
    #[error("{0}")]
    TooManyPolicies(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The identity `given` names (its name in any case, or its ARN).
pub async fn find(
    store: &dyn Store,
    account: &str,
    given: &str,
) -> Result<Identity, AttributeError> {
    let name = name_of(given);
    store
        .get_identity(account, &name)
        .await?
        .ok_or(AttributeError::NoIdentity(name))
}

/// Reads the identity `given` names, applies `change` to its attributes
/// and stores them. Two changes of one identity at the same moment may
/// lose one (the last write wins), as with its tags.
pub(crate) async fn update_attributes(
    store: &dyn Store,
    account: &str,
    given: &str,
    change: impl FnOnce(&str, &mut IdentityAttributes) -> Result<(), AttributeError>,
) -> Result<(), AttributeError> {
    let identity = find(store, account, given).await?;
    let mut attributes = identity.attributes;
    change(&identity.name, &mut attributes)?;
    match store
        .set_identity_attributes(account, &identity.name, attributes)
        .await
    {
        // Deleted in between.
        Err(StoreError::NotFound(_)) => Err(AttributeError::NoIdentity(identity.name)),
        other => Ok(other?),
    }
}

/// Whether the identity signs with DKIM: as last set, else SES's default
/// (a domain's Easy DKIM is on once verified, an address has none of its
/// own).
pub fn dkim_signing(identity: &Identity) -> bool {
    identity
        .attributes
        .dkim_signing_enabled
        .unwrap_or(identity.identity_type == IdentityType::Domain)
}

/// Switches DKIM signing of the identity `given` names on or off.
pub async fn set_dkim_signing(
    store: &dyn Store,
    account: &str,
    given: &str,
    enabled: bool,
) -> Result<(), AttributeError> {
    update_attributes(store, account, given, |_, a| {
        a.dkim_signing_enabled = Some(enabled);
        Ok(())
    })
    .await
}

/// An identity's custom MAIL FROM domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailFrom {
    pub domain: String,
    /// SES v2's spelling: `USE_DEFAULT_VALUE` or `REJECT_MESSAGE`.
    pub behavior_on_mx_failure: String,
}

/// Checks a MAIL FROM domain for `identity`: a subdomain of the identity's
/// domain (an address identity's, for an address); answers it lower-cased.
pub fn check_mail_from(identity: &Identity, domain: &str) -> Result<String, String> {
    let d = domain.to_ascii_lowercase();
    let parent = match identity.identity_type {
        IdentityType::Domain => identity.name.clone(),
        IdentityType::EmailAddress => crate::address::domain_of(&identity.name).unwrap_or_default(),
    };
    if !is_valid_domain(&d) || !d.ends_with(&format!(".{parent}")) {
        return Err(format!(
            "MAIL FROM domain <{d}> must be a subdomain of <{parent}>."
        ));
    }
    Ok(d)
}

/// The identity's MAIL FROM domain, if one was set.
pub async fn mail_from(
    store: &dyn Store,
    account: &str,
    identity: &str,
) -> Result<Option<MailFrom>, StoreError> {
    let item = store
        .get_item(account, ItemKind::MailFrom, &identity.to_ascii_lowercase())
        .await?;
    Ok(item.and_then(|i| {
        let field = |k: &str| i.body.get(k).and_then(Value::as_str).map(str::to_owned);
        Some(MailFrom {
            domain: field("MailFromDomain")?,
            behavior_on_mx_failure: field("BehaviorOnMxFailure")
                .unwrap_or_else(|| "USE_DEFAULT_VALUE".into()),
        })
    }))
}

/// Sets (or, with `None`, removes) the identity's MAIL FROM domain.
pub async fn set_mail_from(
    store: &dyn Store,
    account: &str,
    identity: &str,
    mail_from: Option<MailFrom>,
    now: i64,
) -> Result<(), StoreError> {
    let key = identity.to_ascii_lowercase();
    match mail_from {
        None => store
            .delete_item(account, ItemKind::MailFrom, &key)
            .await
            .map(|_| ()),
        Some(m) => {
            let body = json!({
                "MailFromDomain": m.domain,
                "BehaviorOnMxFailure": m.behavior_on_mx_failure,
            });
            store
                .put_item(
                    account,
                    ItemKind::MailFrom,
                    &key,
                    body,
                    PutMode::Upsert,
                    now,
                )
                .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_are_addresses_or_domains() {
        assert_eq!(
            identity_type("a@example.com"),
            Ok(IdentityType::EmailAddress)
        );
        assert_eq!(identity_type("example.com"), Ok(IdentityType::Domain));
        for bad in ["example", "a b.com", "-x.com", "A <a@example.com>"] {
            assert!(identity_type(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn identities_are_named_or_given_by_arn() {
        assert_eq!(name_of("Me@Example.com"), "me@example.com");
        assert_eq!(
            name_of("arn:aws:ses:us-east-1:123456789012:identity/Example.com"),
            "example.com"
        );
    }

    #[test]
    fn tokens_are_stable_and_distinct() {
        assert_eq!(dkim_tokens("example.com"), dkim_tokens("example.com"));
        let t = dkim_tokens("example.com");
        assert_eq!(t.len(), 3);
        assert!(t[0] != t[1] && t[1] != t[2]);
        assert_ne!(dkim_tokens("example.org"), t);
        assert_eq!(
            verification_token("example.com"),
            verification_token("example.com")
        );
        assert_ne!(
            verification_token("example.com"),
            verification_token("example.org")
        );
    }
}
