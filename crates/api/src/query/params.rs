//! The query protocol's request side (SNS, and SES v1): a form-encoded
//! body (or query string) of `Action=…&Version=…&Name=value` pairs, with
//! maps spelled `Attributes.entry.N.key` / `Attributes.entry.N.value`.
//!
//! A missing or malformed parameter is refused in the service's
//! [`Wording`]: SNS's `InvalidParameter` or SES's `ValidationError` (both
//! 400).

use std::collections::BTreeMap;

use axum::http::StatusCode;

use crate::error::ApiError;

/// How a service refuses a missing or malformed parameter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Wording {
    /// SNS: `InvalidParameter`, "Invalid parameter: Name".
    #[default]
    Sns,
    /// SES v1: `ValidationError`, "1 validation error detected: Value null
    /// at 'name' failed to satisfy constraint: Member must not be null".
    Ses,
}

/// The parameters of one request, in the order sent; a repeated name keeps
/// its first value (as AWS does not define the others).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    pairs: Vec<(String, String)>,
    wording: Wording,
}

impl Params {
    /// Parses `application/x-www-form-urlencoded` text, refusing in SNS's
    /// wording. Never fails: bytes that are not UTF-8 become U+FFFD, as the
    /// form decoder does.
    pub fn parse(form: &[u8]) -> Params {
        Params::parse_worded(form, Wording::Sns)
    }

    /// [`Params::parse`], refusing in `wording`.
    pub fn parse_worded(form: &[u8], wording: Wording) -> Params {
        Params {
            pairs: url::form_urlencoded::parse(form)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
            wording,
        }
    }

    /// A parameter that is missing, in the service's wording.
    pub fn missing(&self, name: &str) -> ApiError {
        match self.wording {
            Wording::Sns => invalid(format!("Invalid parameter: {name}")),
            Wording::Ses => validation(format!(
                "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
                member(name)
            )),
        }
    }

    /// A parameter whose value cannot be used, in the service's wording
    /// (`reason` says what it must be).
    pub fn malformed(&self, name: &str, value: &str, reason: &str) -> ApiError {
        match self.wording {
            Wording::Sns => invalid(format!("Invalid parameter: {name}")),
            Wording::Ses => validation(format!(
                "1 validation error detected: Value '{value}' at '{}' failed to satisfy constraint: {reason}",
                member(name)
            )),
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

    /// `Action`, or the query protocol's `MissingAction` (400).
    pub fn named_action(&self) -> Result<&str, ApiError> {
        self.action().ok_or_else(|| {
            ApiError::new(
                "MissingAction",
                StatusCode::BAD_REQUEST,
                "The request names no Action.",
            )
        })
    }

    /// A parameter that must be present and not empty.
    pub fn required(&self, name: &str) -> Result<&str, ApiError> {
        self.get(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| self.missing(name))
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
            let bad = || self.malformed(k, v, "Member must be a map entry's key or value");
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
            let value = values
                .remove(n)
                .ok_or_else(|| self.refused(prefix, &format!("{key} has no value")))?;
            out.insert((*key).to_owned(), value.to_owned());
        }
        if let Some(n) = values.keys().next() {
            return Err(self.refused(prefix, &format!("entry {n} has no key")));
        }
        Ok(out)
    }

    /// A list parameter (`{prefix}.member.N`), in the order of `N`; a
    /// repeated `N` keeps its first value. Absent is empty.
    pub fn list(&self, prefix: &str) -> Vec<&str> {
        let head = format!("{prefix}.member.");
        let mut found: BTreeMap<u32, &str> = BTreeMap::new();
        for (k, v) in &self.pairs {
            if let Some(n) = k.strip_prefix(&head).and_then(|n| n.parse().ok()) {
                found.entry(n).or_insert(v);
            }
        }
        found.into_values().collect()
    }

    /// The prefixes of a list of structures (`{prefix}.member.N.Field`),
    /// one `{prefix}.member.N` per `N` sent, in order: each is read with
    /// [`Params::get`] on `{item}.Field`.
    pub fn items(&self, prefix: &str) -> Vec<String> {
        self.numbered(&format!("{prefix}.member."))
    }

    /// The prefixes of a map of structures (`{prefix}.entry.N.Name` and
    /// `{prefix}.entry.N.Value.Field`, as SNS's `MessageAttributes`), one
    /// `{prefix}.entry.N` per `N` sent, in order.
    pub fn entries(&self, prefix: &str) -> Vec<String> {
        self.numbered(&format!("{prefix}.entry."))
    }

    /// `{head}N` for every `N` with a field `{head}N.…` sent, in order.
    fn numbered(&self, head: &str) -> Vec<String> {
        let mut found: std::collections::BTreeSet<u32> = Default::default();
        for (k, _) in &self.pairs {
            if let Some((n, _)) = k.strip_prefix(head).and_then(|r| r.split_once('.'))
                && let Ok(n) = n.parse()
            {
                found.insert(n);
            }
        }
        found.into_iter().map(|n| format!("{head}{n}")).collect()
    }

    /// Whether any parameter starts with `prefix.` (a structure was sent).
    pub fn has(&self, prefix: &str) -> bool {
        let head = format!("{prefix}.");
        self.pairs
            .iter()
            .any(|(k, _)| k == prefix || k.starts_with(&head))
    }

    /// A parameter that must be a whole number, if present.
    pub fn number(&self, name: &str) -> Result<Option<i64>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| self.malformed(name, v, "Member must be a number")),
        }
    }

    /// A boolean parameter that must be sent.
    pub fn required_flag(&self, name: &str) -> Result<bool, ApiError> {
        self.required(name)?;
        self.flag(name)
    }

    /// A boolean parameter (`true`/`false`, any case); absent is `false`.
    pub fn flag(&self, name: &str) -> Result<bool, ApiError> {
        match self.get(name) {
            None => Ok(false),
            Some(v) => {
                parse_bool(v).ok_or_else(|| self.malformed(name, v, "Member must be a boolean"))
            }
        }
    }

    /// A parameter refused for `reason`, in the service's wording.
    fn refused(&self, name: &str, reason: &str) -> ApiError {
        match self.wording {
            Wording::Sns => invalid(format!("Invalid parameter: {name} Reason: {reason}")),
            Wording::Ses => validation(format!("Invalid parameter {}: {reason}", member(name))),
        }
    }
}

/// A member's name as SES's validation messages spell it: the first letter
/// in lower case (`Enabled` → `enabled`).
fn member(name: &str) -> String {
    let mut c = name.chars();
    match c.next() {
        Some(first) => first.to_lowercase().chain(c).collect(),
        None => String::new(),
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

/// The query protocol's error for a body over `limit` bytes (413).
pub fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        "RequestEntityTooLarge",
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("The request body is larger than {limit} bytes."),
    )
}

/// `InvalidParameter` (400), SNS's code.
pub fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new("InvalidParameter", StatusCode::BAD_REQUEST, message)
}

/// `ValidationError` (400), SES's code for a member that breaks its
/// shape's constraints.
pub fn validation(message: impl Into<String>) -> ApiError {
    ApiError::new("ValidationError", StatusCode::BAD_REQUEST, message)
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
    fn ses_wording_refuses_with_validation_errors() {
        let p = Params::parse_worded(b"Enabled=maybe&Tags.entry.1.key=A", Wording::Ses);
        let e = p.required("Destination").unwrap_err();
        assert_eq!((e.code, e.status.as_u16()), ("ValidationError", 400));
        assert_eq!(
            e.message,
            "1 validation error detected: Value null at 'destination' failed to satisfy constraint: Member must not be null"
        );
        let e = p.flag("Enabled").unwrap_err();
        assert_eq!(e.code, "ValidationError");
        assert!(
            e.message.contains("Value 'maybe' at 'enabled'"),
            "{}",
            e.message
        );
        assert_eq!(p.map("Tags").unwrap_err().code, "ValidationError");
        // SNS keeps its own code and words.
        let p = Params::parse(b"Enabled=maybe");
        assert_eq!(
            p.flag("Enabled").unwrap_err().message,
            "Invalid parameter: Enabled"
        );
    }

    #[test]
    fn lists_and_lists_of_structures_keep_member_order() {
        let p = Params::parse_worded(
            b"Destination.ToAddresses.member.2=b%40x.com&Destination.ToAddresses.member.1=a%40x.com\
              &Tags.member.2.Name=n2&Tags.member.1.Name=n1&Tags.member.1.Value=v1&MaxItems=5&Bad=x",
            Wording::Ses,
        );
        assert_eq!(p.list("Destination.ToAddresses"), ["a@x.com", "b@x.com"]);
        assert!(p.list("Destination.CcAddresses").is_empty());
        assert_eq!(p.items("Tags"), ["Tags.member.1", "Tags.member.2"]);
        assert_eq!(p.get("Tags.member.1.Value"), Some("v1"));
        assert!(p.has("Destination") && !p.has("Dest"));
        assert_eq!(p.number("MaxItems").unwrap(), Some(5));
        assert_eq!(p.number("Absent").unwrap(), None);
        assert_eq!(p.number("Bad").unwrap_err().code, "ValidationError");
        assert_eq!(
            p.required_flag("Absent").unwrap_err().code,
            "ValidationError"
        );
    }

    #[test]
    fn anything_parses_without_panicking() {
        let p = Params::parse(b"%ff%fe=\xff&&==&a=%");
        assert_eq!(p.get("a"), Some("%"));
    }
}
