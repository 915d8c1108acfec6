//! The SNS query protocol's request side: a form-encoded body (or query
//! string) of `Action=…&Version=…&Name=value` pairs, with maps spelled
//! `Attributes.entry.N.key` / `Attributes.entry.N.value`.

use std::collections::BTreeMap;

use super::error::SnsApiError;

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
    pub fn required(&self, name: &str) -> Result<&str, SnsApiError> {
        self.get(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| SnsApiError::invalid(format!("Invalid parameter: {name}")))
    }

    /// A map parameter (`{prefix}.entry.N.key` / `.value`). An entry with a
    /// key but no value, or the reverse, is refused.
    pub fn map(&self, prefix: &str) -> Result<BTreeMap<String, String>, SnsApiError> {
        let head = format!("{prefix}.entry.");
        let mut keys: BTreeMap<u32, &str> = BTreeMap::new();
        let mut values: BTreeMap<u32, &str> = BTreeMap::new();
        for (k, v) in &self.pairs {
            let Some(rest) = k.strip_prefix(&head) else {
                continue;
            };
            let bad = || SnsApiError::invalid(format!("Invalid parameter: {k}"));
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
                SnsApiError::invalid(format!(
                    "Invalid parameter: {prefix} Reason: {key} has no value"
                ))
            })?;
            out.insert((*key).to_owned(), value.to_owned());
        }
        if let Some(n) = values.keys().next() {
            return Err(SnsApiError::invalid(format!(
                "Invalid parameter: {prefix} Reason: entry {n} has no key"
            )));
        }
        Ok(out)
    }

    /// A boolean parameter (`true`/`false`, any case); absent is `false`.
    pub fn flag(&self, name: &str) -> Result<bool, SnsApiError> {
        match self.get(name) {
            None => Ok(false),
            Some(v) => parse_bool(v)
                .ok_or_else(|| SnsApiError::invalid(format!("Invalid parameter: {name}"))),
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

/// The parts of a topic ARN `arn:aws:sns:<region>:<account>:<name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicArn<'a> {
    pub region: &'a str,
    pub account: &'a str,
    pub name: &'a str,
}

/// Parses a topic ARN; `None` unless it has exactly that shape.
pub fn topic_arn(arn: &str) -> Option<TopicArn<'_>> {
    let mut parts = arn.split(':');
    let (Some("arn"), Some(_partition), Some("sns"), Some(region), Some(account), Some(name)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    if parts.next().is_some()
        || region.is_empty()
        || !valid_account(account)
        || !valid_topic_name(name)
    {
        return None;
    }
    Some(TopicArn {
        region,
        account,
        name,
    })
}

/// The topic ARN and account of a subscription ARN (`<topic arn>:<id>`).
pub fn subscription_arn(arn: &str) -> Option<(&str, &str)> {
    let (topic, id) = arn.rsplit_once(':')?;
    if id.is_empty() {
        return None;
    }
    let parsed = topic_arn(topic)?;
    Some((topic, parsed.account))
}

fn valid_account(a: &str) -> bool {
    a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit())
}

/// SNS topic names: 1 to 256 ASCII letters, digits, `-` and `_`.
pub fn valid_topic_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 256
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
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

    #[test]
    fn arns_are_checked() {
        let t = topic_arn("arn:aws:sns:us-east-1:000000000000:ses-events").unwrap();
        assert_eq!(
            (t.region, t.account, t.name),
            ("us-east-1", "000000000000", "ses-events")
        );
        for bad in [
            "",
            "arn:aws:sns:us-east-1:000000000000",
            "arn:aws:sqs:us-east-1:000000000000:q",
            "arn:aws:sns:us-east-1:12:t",
            "arn:aws:sns::000000000000:t",
            "arn:aws:sns:us-east-1:000000000000:t:x",
            "arn:aws:sns:us-east-1:000000000000:a b",
        ] {
            assert!(topic_arn(bad).is_none(), "{bad}");
        }
        assert_eq!(
            subscription_arn("arn:aws:sns:us-east-1:000000000000:t:abc"),
            Some(("arn:aws:sns:us-east-1:000000000000:t", "000000000000"))
        );
        assert_eq!(
            subscription_arn("arn:aws:sns:us-east-1:000000000000:t:"),
            None
        );
        assert_eq!(
            subscription_arn("arn:aws:sns:us-east-1:000000000000:t"),
            None
        );
    }
}
