//! `Publish`'s `MessageAttributes` (`MessageAttributes.entry.N.Name`,
//! `.Value.DataType`, `.Value.StringValue` or `.Value.BinaryValue`), checked
//! as SNS does and put in the notification as HTTP subscribers get them:
//! `"MessageAttributes": {"name": {"Type": "String", "Value": "…"}}` (not
//! part of what is signed).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::query::Params;
use crate::query::params::invalid;

/// SNS's most message attributes on one message.
const MAX_ATTRIBUTES: usize = 10;

fn refused(reason: impl std::fmt::Display) -> ApiError {
    invalid(format!(
        "Invalid parameter: MessageAttributes Reason: {reason}"
    ))
}

fn valid_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    !name.is_empty()
        && name.len() <= 256
        && !lower.starts_with("aws.")
        && !lower.starts_with("amazon.")
        && !name.starts_with('.')
        && !name.ends_with('.')
        && !name.contains("..")
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// The attributes sent, as the envelope carries them; `None` when none.
pub fn parse(p: &Params) -> Result<Option<Value>, ApiError> {
    let entries = p.entries("MessageAttributes");
    if entries.is_empty() {
        return Ok(None);
    }
    if entries.len() > MAX_ATTRIBUTES {
        return Err(refused(format!("at most {MAX_ATTRIBUTES} attributes")));
    }
    let mut out = Map::new();
    for e in entries {
        let name = p.get(&format!("{e}.Name")).unwrap_or_default();
        if !valid_name(name) {
            return Err(refused(format!("{name:?} is not a valid attribute name")));
        }
        let data_type = p.get(&format!("{e}.Value.DataType")).unwrap_or_default();
        let base = data_type.split('.').next().unwrap_or_default();
        let string = p.get(&format!("{e}.Value.StringValue"));
        let binary = p.get(&format!("{e}.Value.BinaryValue"));
        let value = match (base, data_type) {
            (_, "String.Array") => {
                let v = string.ok_or_else(|| refused(format!("{name} has no StringValue")))?;
                let ok = serde_json::from_str::<Value>(v).is_ok_and(|a| a.is_array());
                if !ok {
                    return Err(refused(format!("{name}: a String.Array is a JSON array")));
                }
                v.to_owned()
            }
            ("String", _) => string
                .ok_or_else(|| refused(format!("{name} has no StringValue")))?
                .to_owned(),
            ("Number", _) => {
                let v = string.ok_or_else(|| refused(format!("{name} has no StringValue")))?;
                if v.trim().parse::<f64>().is_err() {
                    return Err(refused(format!("{name}: {v:?} is not a number")));
                }
                v.to_owned()
            }
            ("Binary", _) => {
                let v = binary.ok_or_else(|| refused(format!("{name} has no BinaryValue")))?;
                if STANDARD.decode(v).is_err() {
                    return Err(refused(format!("{name}: BinaryValue is not base64")));
                }
                v.to_owned()
            }
            _ => {
                return Err(refused(format!(
                    "{name}: DataType {data_type:?} is not String, String.Array, Number or Binary"
                )));
            }
        };
        if out.contains_key(name) {
            return Err(refused(format!("{name} is given twice")));
        }
        out.insert(
            name.to_owned(),
            json!({ "Type": data_type, "Value": value }),
        );
    }
    Ok(Some(Value::Object(out)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(form: &str) -> Params {
        Params::parse(form.as_bytes())
    }

    #[test]
    fn each_kind_is_kept_with_its_type() {
        let p = params(
            "MessageAttributes.entry.1.Name=team&MessageAttributes.entry.1.Value.DataType=String\
             &MessageAttributes.entry.1.Value.StringValue=mail\
             &MessageAttributes.entry.2.Name=n&MessageAttributes.entry.2.Value.DataType=Number.int\
             &MessageAttributes.entry.2.Value.StringValue=42\
             &MessageAttributes.entry.3.Name=b&MessageAttributes.entry.3.Value.DataType=Binary\
             &MessageAttributes.entry.3.Value.BinaryValue=AAE%3D\
             &MessageAttributes.entry.4.Name=a&MessageAttributes.entry.4.Value.DataType=String.Array\
             &MessageAttributes.entry.4.Value.StringValue=%5B1%2C%22x%22%5D",
        );
        assert_eq!(
            parse(&p).unwrap().unwrap(),
            json!({
                "team": {"Type": "String", "Value": "mail"},
                "n": {"Type": "Number.int", "Value": "42"},
                "b": {"Type": "Binary", "Value": "AAE="},
                "a": {"Type": "String.Array", "Value": "[1,\"x\"]"},
            })
        );
        assert_eq!(parse(&params("Message=x")).unwrap(), None);
    }

    #[test]
    fn what_sns_refuses_is_refused() {
        for form in [
            "MessageAttributes.entry.1.Name=AWS.x&MessageAttributes.entry.1.Value.DataType=String&MessageAttributes.entry.1.Value.StringValue=v",
            "MessageAttributes.entry.1.Name=ok&MessageAttributes.entry.1.Value.DataType=Number&MessageAttributes.entry.1.Value.StringValue=ten",
            "MessageAttributes.entry.1.Name=ok&MessageAttributes.entry.1.Value.DataType=Date&MessageAttributes.entry.1.Value.StringValue=v",
            "MessageAttributes.entry.1.Name=ok&MessageAttributes.entry.1.Value.DataType=String",
            "MessageAttributes.entry.1.Name=ok&MessageAttributes.entry.1.Value.DataType=Binary&MessageAttributes.entry.1.Value.BinaryValue=%25%25",
            "MessageAttributes.entry.1.Name=a..b&MessageAttributes.entry.1.Value.DataType=String&MessageAttributes.entry.1.Value.StringValue=v",
        ] {
            let err = parse(&params(form)).unwrap_err();
            assert_eq!(err.code, "InvalidParameter", "{form}");
        }
        let eleven: String = (1..=11)
            .map(|n| {
                format!(
                    "MessageAttributes.entry.{n}.Name=k{n}&MessageAttributes.entry.{n}.Value.DataType=String&MessageAttributes.entry.{n}.Value.StringValue=v&"
                )
            })
            .collect();
        assert!(parse(&params(&eleven)).is_err());
    }
}
