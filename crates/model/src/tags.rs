//! Message tags: the API's `{Name, Value}` pairs, the record's
//! name → values map, and the rules SES applies to both.
//!
//! Tags arrive three ways (`EmailTags` on the API, the `X-SES-MESSAGE-TAGS`
//! header on raw mail, and `mail.tags` in ingested records) and must be
//! validated identically wherever a caller supplies them, because the
//! resulting error text is shown to AWS clients verbatim.
//!
//! Rules (from the SES v2 `MessageTag` model): names and values may contain
//! only ASCII letters, digits, `_` and `-`, at most 256 characters each. The
//! model gives no minimum; we reject an empty *name* (it could never be used
//! as a metric dimension or a map key meaningfully) but accept an empty
//! *value*, because the model only says "required", and an empty string is
//! present. SES's own auto-tags (`ses:configuration-set`, …) contain `:` and
//! are produced by the service, so they never pass through [`validate_tag`].

use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Longest tag name or value SES accepts, in characters.
pub const MAX_TAG_LEN: usize = 256;

/// One tag as the API spells it (`EmailTags`, `DefaultEmailTags`, insights).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MessageTag {
    pub name: String,
    pub value: String,
}

impl MessageTag {
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        MessageTag {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// Why a tag (or a tags header) was refused. The `Display` text is sent to
/// clients inside a `BadRequestException`, so it names the offending tag and
/// the rule it broke.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TagError {
    #[error("Invalid tag name <>: the name must not be empty.")]
    EmptyName,
    #[error(
        "Invalid tag name <{name}>: only alphanumeric ASCII characters, '_', and '-' are allowed."
    )]
    InvalidNameChar { name: String },
    #[error("Invalid tag name <{name}>: must be at most 256 characters long (got {len}).")]
    NameTooLong { name: String, len: usize },
    #[error(
        "Invalid tag value <{value}> for tag <{name}>: only alphanumeric ASCII characters, '_', and '-' are allowed."
    )]
    InvalidValueChar { name: String, value: String },
    #[error("Invalid tag value for tag <{name}>: must be at most 256 characters long (got {len}).")]
    ValueTooLong { name: String, len: usize },
    #[error(
        "Invalid X-SES-MESSAGE-TAGS entry <{entry}>: expected name=value pairs separated by commas."
    )]
    MalformedHeader { entry: String },
}

fn allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Checks one tag against the SES rules (see the module doc for the choice
/// on empty values). The name is checked before the value so a client fixing
/// errors one at a time sees them in a stable order.
pub fn validate_tag(name: &str, value: &str) -> Result<(), TagError> {
    if name.is_empty() {
        return Err(TagError::EmptyName);
    }
    if !name.chars().all(allowed) {
        return Err(TagError::InvalidNameChar {
            name: name.to_owned(),
        });
    }
    // All characters are ASCII at this point, so bytes == characters.
    if name.len() > MAX_TAG_LEN {
        return Err(TagError::NameTooLong {
            name: name.to_owned(),
            len: name.len(),
        });
    }
    if !value.chars().all(allowed) {
        return Err(TagError::InvalidValueChar {
            name: name.to_owned(),
            value: value.to_owned(),
        });
    }
    if value.len() > MAX_TAG_LEN {
        return Err(TagError::ValueTooLong {
            name: name.to_owned(),
            len: value.len(),
        });
    }
    Ok(())
}

/// Parses an `X-SES-MESSAGE-TAGS` header value (`a=1, b=2`) and validates
/// every pair.
///
/// Whitespace around names, values and commas is ignored, as are empty
/// entries (a trailing comma). Duplicate names are returned as given; which
/// one wins is the caller's policy. An entry without `=` is an error rather
/// than being skipped, since silently losing a tag would skew metrics.
pub fn parse_tags_header(value: &str) -> Result<Vec<(String, String)>, TagError> {
    let mut out = Vec::new();
    for entry in value.split(',') {
        let entry = entry.trim();
        if entry.is_empty() {
            continue;
        }
        let Some((name, val)) = entry.split_once('=') else {
            return Err(TagError::MalformedHeader {
                entry: entry.to_owned(),
            });
        };
        let (name, val) = (name.trim(), val.trim());
        validate_tag(name, val)?;
        out.push((name.to_owned(), val.to_owned()));
    }
    Ok(out)
}

/// The record's `mail.tags` / `click.linkTags`: tag name → list of values.
///
/// Kept as an ordered list rather than a hash or B-tree map so a record is
/// written back with its keys in the order SES (or the sender) put them;
/// lookups are linear, which is fine for the handful of tags a message has.
/// Names are unique: a repeated name replaces the earlier values in place.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagMap(Vec<(String, Vec<String>)>);

impl TagMap {
    pub fn new() -> Self {
        TagMap(Vec::new())
    }

    /// All values of a tag.
    pub fn get(&self, name: &str) -> Option<&[String]> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    /// The first value of a tag: what a metric dimension or a filter uses.
    pub fn first(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(|v| v.first()).map(String::as_str)
    }

    /// Sets a tag's values, replacing (in place) any earlier values.
    pub fn insert(&mut self, name: impl Into<String>, values: Vec<String>) {
        let name = name.into();
        match self.0.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = values,
            None => self.0.push((name, values)),
        }
    }

    /// Appends one value to a tag, creating it if needed.
    pub fn push(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        let value = value.into();
        match self.0.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1.push(value),
            None => self.0.push((name, vec![value])),
        }
    }

    pub fn remove(&mut self, name: &str) -> Option<Vec<String>> {
        let i = self.0.iter().position(|(n, _)| n == name)?;
        Some(self.0.remove(i).1)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_slice()))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Flattens to API tags, one per value, in order.
    pub fn to_message_tags(&self) -> Vec<MessageTag> {
        self.iter()
            .flat_map(|(n, vs)| vs.iter().map(move |v| MessageTag::new(n, v.as_str())))
            .collect()
    }
}

impl<'a> FromIterator<&'a MessageTag> for TagMap {
    fn from_iter<I: IntoIterator<Item = &'a MessageTag>>(iter: I) -> Self {
        let mut m = TagMap::new();
        for t in iter {
            m.push(t.name.clone(), t.value.clone());
        }
        m
    }
}

impl FromIterator<(String, Vec<String>)> for TagMap {
    fn from_iter<I: IntoIterator<Item = (String, Vec<String>)>>(iter: I) -> Self {
        let mut m = TagMap::new();
        for (n, v) in iter {
            m.insert(n, v);
        }
        m
    }
}

impl Serialize for TagMap {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (n, v) in &self.0 {
            map.serialize_entry(n, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for TagMap {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TagMap;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object mapping tag names to arrays of strings")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<TagMap, A::Error> {
                let mut m = TagMap::new();
                while let Some((k, v)) = a.next_entry::<String, Vec<String>>()? {
                    m.insert(k, v);
                }
                Ok(m)
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_documented_alphabet_and_limits() {
        assert_eq!(validate_tag("campaign", "spring-2024_A"), Ok(()));
        assert_eq!(validate_tag("a", ""), Ok(()));
        assert_eq!(validate_tag(&"n".repeat(256), &"v".repeat(256)), Ok(()));
    }

    #[test]
    fn each_rule_has_its_own_error() {
        assert_eq!(validate_tag("", "x"), Err(TagError::EmptyName));
        assert!(matches!(
            validate_tag("a:b", "x"),
            Err(TagError::InvalidNameChar { .. })
        ));
        assert!(matches!(
            validate_tag("a b", "x"),
            Err(TagError::InvalidNameChar { .. })
        ));
        assert!(matches!(
            validate_tag("é", "x"),
            Err(TagError::InvalidNameChar { .. })
        ));
        assert!(matches!(
            validate_tag(&"n".repeat(257), "x"),
            Err(TagError::NameTooLong { len: 257, .. })
        ));
        assert!(matches!(
            validate_tag("n", "event:id"),
            Err(TagError::InvalidValueChar { .. })
        ));
        assert!(matches!(
            validate_tag("n", &"v".repeat(257)),
            Err(TagError::ValueTooLong { len: 257, .. })
        ));
        // The name is judged before the value.
        assert!(matches!(
            validate_tag("a:b", "c:d"),
            Err(TagError::InvalidNameChar { .. })
        ));
    }

    #[test]
    fn error_text_names_the_tag_and_the_rule() {
        let e = validate_tag("n", "event:id").unwrap_err().to_string();
        assert_eq!(
            e,
            "Invalid tag value <event:id> for tag <n>: only alphanumeric ASCII characters, '_', and '-' are allowed."
        );
        let e = validate_tag("a:b", "x").unwrap_err().to_string();
        assert!(e.contains("<a:b>") && e.contains("tag name"), "{e}");
        let e = validate_tag(&"n".repeat(300), "x").unwrap_err().to_string();
        assert!(e.contains("256") && e.contains("300"), "{e}");
    }

    #[test]
    fn parses_the_header_form() {
        let got =
            parse_tags_header("myCustomTag1=myCustomTagValue1, myCustomTag2=myCustomTagValue2")
                .unwrap();
        assert_eq!(
            got,
            vec![
                ("myCustomTag1".to_owned(), "myCustomTagValue1".to_owned()),
                ("myCustomTag2".to_owned(), "myCustomTagValue2".to_owned()),
            ]
        );
        assert_eq!(parse_tags_header("").unwrap(), vec![]);
        assert_eq!(
            parse_tags_header(" a = b ,, ").unwrap(),
            vec![("a".into(), "b".into())]
        );
        assert_eq!(
            parse_tags_header("a=").unwrap(),
            vec![("a".into(), "".into())]
        );
        assert_eq!(
            parse_tags_header("a=b, oops"),
            Err(TagError::MalformedHeader {
                entry: "oops".into()
            })
        );
        assert!(matches!(
            parse_tags_header("a=b=c"),
            Err(TagError::InvalidValueChar { .. })
        ));
    }

    #[test]
    fn tag_map_keeps_order_and_replaces_duplicates() {
        let m: TagMap = serde_json::from_str(r#"{"z":["1"],"a":["2","3"],"z":["4"]}"#).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m.get("z"), Some(&["4".to_owned()][..]));
        assert_eq!(m.first("a"), Some("2"));
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"{"z":["4"],"a":["2","3"]}"#
        );
        assert!(serde_json::from_str::<TagMap>(r#"{"a":"notalist"}"#).is_err());
    }

    #[test]
    fn tag_map_converts_to_and_from_api_tags() {
        let api = [
            MessageTag::new("a", "1"),
            MessageTag::new("b", "2"),
            MessageTag::new("a", "3"),
        ];
        let m: TagMap = api.iter().collect();
        assert_eq!(m.get("a").unwrap(), &["1".to_owned(), "3".to_owned()]);
        assert_eq!(
            m.to_message_tags(),
            vec![
                MessageTag::new("a", "1"),
                MessageTag::new("a", "3"),
                MessageTag::new("b", "2")
            ]
        );
        let json = serde_json::to_string(&MessageTag::new("n", "v")).unwrap();
        assert_eq!(json, r#"{"Name":"n","Value":"v"}"#);
    }
}
