//! The query protocol's request side (SNS, and SES v1): a form-encoded
//! body (or query string) of `Action=…&Version=…&Name=value` pairs, with
//! maps spelled `Attributes.entry.N.key` / `Attributes.entry.N.value`.
//!
//! A missing or malformed parameter is an `InvalidParameter` (400), in
//! SNS's wording.

use std::collections::BTreeMap;

use crate::error::ApiError;

/// The parameters of one request, in the order sent; a repeated name keeps
/// its first value (as AWS does not define the others).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Parses `application/x-www-form-urlencoded` text. Never fails: bytes
    /// that are not UTF-8 become U+FFFD, as the form decoder does.
    pub fn parse(form: &[u8]) -> Params {
        Params {
            pairs: url::form_urlencoded::parse(form)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// `Action`, if present and not empty.
    pub fn action(&self) -> Option<&str> {
        self.get("Action").filter(|a| !a.is_empty())
    }

    /// A parameter that must be present and not empty.
    pub fn required(&self, name: &str) -> Result<&str, ApiError> {
        self.get(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| invalid(format!("Invalid parameter: {name}")))
    }

    /// A map parameter (`{prefix}.entry.N.key` / `.value`). An entry with a
    /// key but no value, or the reverse, is refused.
    pub fn map(&self, prefix: &str) -> Result<BTreeMap<String, String>, ApiError> {
        let head = format!("{prefix}.entry.");
        let mut keys: BTreeMap<u32, &str> = BTreeMap::new();
        let mut values: BTreeMap<u32, &str> = BTreeMap::new();
        for (k, v) in &self.pairs {
            let Some(rest) = k.strip_prefix(&head) else {
                continue;
            };
            let bad = || invalid(format!("Invalid parameter: {k}"));
            let (n, field) = rest.split_once('.').ok_or_else(bad)?;
            let n: u32 = n.parse().map_err(|_| bad())?;
            match field {
                "key" => keys.entry(n).or_insert(v),
                "value" => values.entry(n).or_insert(v),
                _ => return Err(bad()),
            };
        }
        let mut out = BTreeMap::new();
        for (n, key) in &keys {
            let value = values.remove(n).ok_or_else(|| {
                invalid(format!(
                    "Invalid parameter: {prefix} Reason: {key} has no value"
                ))
            })?;
            out.insert((*key).to_owned(), value.to_owned());
        }
        if let Some(n) = values.keys().next() {
            return Err(invalid(format!(
                "Invalid parameter: {prefix} Reason: entry {n} has no key"
            )));
        }
        Ok(out)
    }

    /// A boolean parameter (`true`/`false`, any case); absent is `false`.
    pub fn flag(&self, name: &str) -> Result<bool, ApiError> {
        match self.get(name) {
            None => Ok(false),
            Some(v) => parse_bool(v).ok_or_else(|| invalid(format!("Invalid parameter: {name}"))),
        }
    }
}

/// `true`/`false` in any case, as SNS accepts them.
pub fn parse_bool(v: &str) -> Option<bool> {
    if v.eq_ignore_ascii_case("true") {
        Some(true)
    } else if v.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// `InvalidParameter` (400).
pub fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(
        "InvalidParameter",
        axum::http::StatusCode::BAD_REQUEST,
        message,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_bodies_decode_with_maps() {
        let p = Params::parse(
            b"Action=CreateTopic&Version=2010-03-31&Name=ses-events\
              &Attributes.entry.1.key=SignatureVersion&Attributes.entry.1.value=2\
              &Attributes.entry.2.value=hello%20world&Attributes.entry.2.key=DisplayName",
        );
        assert_eq!(p.action(), Some("CreateTopic"));
        assert_eq!(p.required("Name").unwrap(), "ses-events");
        let m = p.map("Attributes").unwrap();
        assert_eq!(m.get("SignatureVersion").map(String::as_str), Some("2"));
        assert_eq!(
            m.get("DisplayName").map(String::as_str),
            Some("hello world")
        );
        assert!(p.map("Tags").unwrap().is_empty());
    }

    #[test]
    fn missing_and_malformed_parameters_are_invalid() {
        let p = Params::parse(b"Action=&Name=");
        assert_eq!(p.action(), None);
        assert_eq!(p.required("Name").unwrap_err().code, "InvalidParameter");
        assert_eq!(p.required("Other").unwrap_err().status, 400);
        for body in [
            &b"Attributes.entry.1.key=A"[..],
            b"Attributes.entry.1.value=A",
            b"Attributes.entry.x.key=A",
            b"Attributes.entry.1.other=A",
            b"Attributes.entry.1=A",
        ] {
            assert!(Params::parse(body).map("Attributes").is_err(), "{body:?}");
        }
        let p = Params::parse(b"ReturnSubscriptionArn=TRUE&Bad=yes");
        assert!(p.flag("ReturnSubscriptionArn").unwrap());
        assert!(!p.flag("Absent").unwrap());
        assert!(p.flag("Bad").is_err());
    }

    #[test]
    fn anything_parses_without_panicking() {
        let p = Params::parse(b"%ff%fe=\xff&&==&a=%");
        assert_eq!(p.get("a"), Some("%"));
    }
}
