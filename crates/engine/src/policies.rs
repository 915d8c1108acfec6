//! Identity policies (sending authorization), as both SES APIs manage
//! them: SES v1's `PutIdentityPolicy`, `GetIdentityPolicies`,
//! `ListIdentityPolicies`, `DeleteIdentityPolicy`, SES v2's
//! `Create/Get/Update/DeleteEmailIdentityPolicy`. One state, kept in the
//! identity's attributes: a policy put through one API is read and deleted
//! through the other.
//!
//! Policies are checked as SES documents them (botocore's `PolicyName` and
//! `Policy` shapes, the sending authorization guide): a name of 1 to 64
//! letters, digits, `-` and `_`; a policy that is a JSON object of at most
//! 4 KB; at most 20 policies per identity. mailsight keeps them but does
//! not enforce them: there are no delegate senders here.

use std::collections::BTreeMap;

use mailsight_store::Store;

use crate::identities::{AttributeError, find, update_attributes};

/// The longest policy name.
pub const MAX_NAME: usize = 64;
/// The largest policy, in bytes.
pub const MAX_POLICY_BYTES: usize = 4096;
/// Policies per identity.
pub const MAX_POLICIES: usize = 20;

/// How a put treats a policy of the same name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Put {
    /// SES v1's `PutIdentityPolicy`: creates or replaces.
    Upsert,
    /// SES v2's `CreateEmailIdentityPolicy`: refused if the name is taken.
    Create,
    /// SES v2's `UpdateEmailIdentityPolicy`: refused unless it exists.
    Replace,
}

/// A policy name as SES accepts one.
pub fn check_name(name: &str) -> Result<(), AttributeError> {
    let ok = (1..=MAX_NAME).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(AttributeError::InvalidPolicy(format!(
            "Invalid policy name <{name}>: use 1 to {MAX_NAME} letters, digits, dashes and underscores."
        )))
    }
}

/// A policy as SES accepts one: a JSON object, at most 4 KB.
pub fn check_policy(policy: &str) -> Result<(), AttributeError> {
    if policy.len() > MAX_POLICY_BYTES {
        return Err(AttributeError::InvalidPolicy(format!(
            "The policy is {} bytes; a policy cannot exceed {MAX_POLICY_BYTES} bytes.",
            policy.len()
        )));
    }
    match serde_json::from_str::<serde_json::Value>(policy) {
        Ok(serde_json::Value::Object(_)) => Ok(()),
        Ok(_) => Err(AttributeError::InvalidPolicy(
            "The policy must be a JSON object.".into(),
        )),
        Err(e) => Err(AttributeError::InvalidPolicy(format!(
            "The policy is not valid JSON: {e}."
        ))),
    }
}

/// Stores `policy` under `name` for the identity `given` names.
pub async fn put(
    store: &dyn Store,
    account: &str,
    given: &str,
    name: &str,
    policy: &str,
    mode: Put,
) -> Result<(), AttributeError> {
    check_name(name)?;
    check_policy(policy)?;
    update_attributes(store, account, given, |identity, a| {
        let exists = a.policies.contains_key(name);
        match mode {
            Put::Create if exists => return Err(AttributeError::PolicyExists(name.to_owned())),
            Put::Replace if !exists => return Err(AttributeError::NoPolicy(name.to_owned())),
            _ => {}
        }
        if !exists && a.policies.len() >= MAX_POLICIES {
            return Err(AttributeError::TooManyPolicies(format!(
                "Identity <{identity}> already has {MAX_POLICIES} policies, the most it may have."
            )));
        }
        a.policies.insert(name.to_owned(), policy.to_owned());
        Ok(())
    })
    .await
}

/// Deletes the policy `name`; a missing one is an error only if
/// `must_exist` (SES v2; SES v1 accepts it).
pub async fn delete(
    store: &dyn Store,
    account: &str,
    given: &str,
    name: &str,
    must_exist: bool,
) -> Result<(), AttributeError> {
    update_attributes(store, account, given, |_, a| {
        if a.policies.remove(name).is_none() && must_exist {
            return Err(AttributeError::NoPolicy(name.to_owned()));
        }
        Ok(())
    })
    .await
}

/// Every policy of the identity `given` names, by name.
pub async fn all(
    store: &dyn Store,
    account: &str,
    given: &str,
) -> Result<BTreeMap<String, String>, AttributeError> {
    Ok(find(store, account, given).await?.attributes.policies)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_ses_rules() {
        for good in ["a", "Send-From_1", &"x".repeat(64)] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        for bad in ["", "has space", "dot.ted", &"x".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn policies_are_json_objects_of_at_most_4_kb() {
        assert!(check_policy(r#"{"Version":"2012-10-17","Statement":[]}"#).is_ok());
        for bad in ["", "[]", "\"x\"", "{", "null"] {
            assert!(check_policy(bad).is_err(), "{bad}");
        }
        let big = format!(r#"{{"a":"{}"}}"#, "x".repeat(MAX_POLICY_BYTES));
        assert!(check_policy(&big).is_err());
    }
}
