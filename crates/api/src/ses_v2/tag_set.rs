//! SES v2 resource tags (`[{"Key","Value"}]`) and SES's rules for them:
//! at most 50 per resource, keys 1–128 characters and unique, values at
//! most 256. Checked the same on create and on `TagResource`, so a set of
//! tags that one call accepts the other accepts too.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::ApiError;

/// Most tags one resource may carry.
pub const MAX_TAGS: usize = 50;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    #[serde(default)]
    pub value: String,
}

/// Checks a request's tags: each key and value, and no key twice.
pub fn check(tags: &[Tag]) -> Result<(), ApiError> {
    let mut seen = std::collections::HashSet::new();
    for t in tags {
        let key_len = t.key.chars().count();
        if !(1..=128).contains(&key_len) {
            return Err(ApiError::bad_request(format!(
                "Tag keys must be 1 to 128 characters long; <{}> is {key_len}.",
                t.key
            )));
        }
        if t.value.chars().count() > 256 {
            return Err(ApiError::bad_request(format!(
                "The value of tag <{}> is longer than 256 characters.",
                t.key
            )));
        }
        if !seen.insert(t.key.as_str()) {
            return Err(ApiError::bad_request(format!(
                "Tag key <{}> is given more than once.",
                t.key
            )));
        }
    }
    count(tags.len())
}

fn count(n: usize) -> Result<(), ApiError> {
    if n > MAX_TAGS {
        Err(ApiError::bad_request(format!(
            "A resource can have at most {MAX_TAGS} tags; this would give it {n}."
        )))
    } else {
        Ok(())
    }
}

/// The stored tags of a resource (a missing or unreadable member is none).
pub fn stored(v: Option<&Value>) -> Vec<Tag> {
    v.cloned()
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default()
}

/// `existing` with `new` added: a key already there takes the new value,
/// in its old place. Fails when the result would exceed [`MAX_TAGS`].
pub fn merge(mut existing: Vec<Tag>, new: Vec<Tag>) -> Result<Vec<Tag>, ApiError> {
    for tag in new {
        match existing.iter_mut().find(|t| t.key == tag.key) {
            Some(t) => t.value = tag.value,
            None => existing.push(tag),
        }
    }
    count(existing.len())?;
    Ok(existing)
}

/// `existing` without the tags whose keys are in `keys` (unknown keys are
/// ignored, as SES does).
pub fn remove(existing: Vec<Tag>, keys: &[String]) -> Vec<Tag> {
    existing
        .into_iter()
        .filter(|t| !keys.contains(&t.key))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(k: &str, v: &str) -> Tag {
        Tag {
            key: k.into(),
            value: v.into(),
        }
    }

    #[test]
    fn rules() {
        assert!(check(&[tag("a", ""), tag(&"k".repeat(128), &"v".repeat(256))]).is_ok());
        assert!(check(&[tag("", "x")]).is_err());
        assert!(check(&[tag(&"k".repeat(129), "x")]).is_err());
        assert!(check(&[tag("a", &"v".repeat(257))]).is_err());
        assert!(check(&[tag("a", "1"), tag("a", "2")]).is_err());
        let many: Vec<Tag> = (0..51).map(|i| tag(&format!("k{i}"), "")).collect();
        assert!(check(&many).is_err());
        assert!(check(&many[..50]).is_ok());
    }

    #[test]
    fn merge_replaces_by_key_and_counts() {
        let merged = merge(
            vec![tag("a", "1"), tag("b", "2")],
            vec![tag("a", "9"), tag("c", "3")],
        );
        assert_eq!(
            merged.unwrap(),
            vec![tag("a", "9"), tag("b", "2"), tag("c", "3")]
        );
        let fifty: Vec<Tag> = (0..50).map(|i| tag(&format!("k{i}"), "")).collect();
        assert!(merge(fifty.clone(), vec![tag("k0", "x")]).is_ok());
        assert!(merge(fifty, vec![tag("new", "x")]).is_err());
        let left = remove(
            vec![tag("a", "1"), tag("b", "2")],
            &["a".into(), "zz".into()],
        );
        assert_eq!(left, vec![tag("b", "2")]);
    }
}
