//! The files of import jobs (`CreateImportJob`): addresses for the
//! suppression list or a contact list, as CSV (a header row naming the
//! columns) or JSON (one object per line), the formats SES reads from S3.
//!
//! Columns and members, in either format: `emailAddress` (required),
//! `reason` (`BOUNCE` or `COMPLAINT`, for the suppression list),
//! `unsubscribeAll`, `attributesData` and (JSON only) `topicPreferences`
//! (`[{"topicName","subscriptionStatus"}]`), for a contact list. Column
//! names are matched without regard to case. A record that cannot be read
//! is counted as failed with its line number; the others are imported.

use serde_json::Value;

use crate::exports::DataFormat;

/// The largest file an import job reads (SES reads files of up to a few
/// hundred MB from S3; mailsight applies the file before answering, so it
/// keeps the request short).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// One address of an import file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Record {
    pub email_address: String,
    pub reason: Option<String>,
    pub unsubscribe_all: Option<bool>,
    pub attributes_data: Option<String>,
    /// `[{"TopicName","SubscriptionStatus"}]`, as the API spells it.
    pub topic_preferences: Option<Value>,
}

/// A record that could not be read: its line (1-based) and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub line: usize,
    pub error: String,
}

/// The records of an import file, and those that failed.
#[derive(Debug, Default, PartialEq)]
pub struct Parsed {
    pub records: Vec<Record>,
    pub failures: Vec<Failure>,
}

/// Reads an import file.
pub fn parse(bytes: &[u8], format: DataFormat) -> Result<Parsed, String> {
    match format {
        DataFormat::Csv => parse_csv(bytes),
        DataFormat::Json => Ok(parse_json(bytes)),
    }
}

fn parse_bool(v: &str) -> Result<bool, String> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" | "" => Ok(false),
        other => Err(format!("unsubscribeAll <{other}> is not true or false")),
    }
}

fn parse_csv(bytes: &[u8]) -> Result<Parsed, String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| format!("The file's header row cannot be read: {e}"))?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let email =
        column("emailAddress").ok_or("The file's header row has no emailAddress column.")?;
    let (reason, unsubscribe, attributes) = (
        column("reason"),
        column("unsubscribeAll"),
        column("attributesData"),
    );
    let mut parsed = Parsed::default();
    for (i, row) in reader.records().enumerate() {
        let line = i + 2;
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                parsed.failures.push(Failure {
                    line,
                    error: e.to_string(),
                });
                continue;
            }
        };
        let cell = |c: Option<usize>| {
            c.and_then(|c| row.get(c))
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let unsubscribe_all = match cell(unsubscribe).map(|v| parse_bool(&v)).transpose() {
            Ok(v) => v,
            Err(error) => {
                parsed.failures.push(Failure { line, error });
                continue;
            }
        };
        match cell(Some(email)) {
            None => parsed.failures.push(Failure {
                line,
                error: "no emailAddress".into(),
            }),
            Some(email_address) => parsed.records.push(Record {
                email_address,
                reason: cell(reason).map(|r| r.to_ascii_uppercase()),
                unsubscribe_all,
                attributes_data: cell(attributes),
                topic_preferences: None,
            }),
        }
    }
    Ok(parsed)
}

/// A member of a JSON record, whatever the case of its name.
fn member<'a>(o: &'a serde_json::Map<String, Value>, name: &str) -> Option<&'a Value> {
    o.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

fn json_record(line: &str) -> Result<Record, String> {
    let v: Value = serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
    let o = v.as_object().ok_or("not a JSON object")?;
    let text = |name: &str| -> Result<Option<String>, String> {
        match member(o, name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(format!("{name} is not a string")),
        }
    };
    let email_address = text("emailAddress")?.ok_or("no emailAddress")?;
    let unsubscribe_all = match member(o, "unsubscribeAll") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(Value::String(s)) => Some(parse_bool(s)?),
        Some(_) => return Err("unsubscribeAll is not true or false".into()),
    };
    let topic_preferences = match member(o, "topicPreferences") {
        None | Some(Value::Null) => None,
        Some(Value::Array(prefs)) => {
            let mut out = Vec::new();
            for p in prefs {
                let p = p.as_object().ok_or("a topic preference is not an object")?;
                let name = member(p, "topicName").and_then(Value::as_str);
                let status = member(p, "subscriptionStatus").and_then(Value::as_str);
                let (Some(name), Some(status)) = (name, status) else {
                    return Err("a topic preference needs topicName and subscriptionStatus".into());
                };
                out.push(serde_json::json!({
                    "TopicName": name,
                    "SubscriptionStatus": status.to_ascii_uppercase(),
                }));
            }
            Some(Value::Array(out))
        }
        Some(_) => return Err("topicPreferences is not a list".into()),
    };
    Ok(Record {
        email_address,
        reason: text("reason")?.map(|r| r.to_ascii_uppercase()),
        unsubscribe_all,
        attributes_data: text("attributesData")?,
        topic_preferences,
    })
}

fn parse_json(bytes: &[u8]) -> Parsed {
    let text = String::from_utf8_lossy(bytes);
    let mut parsed = Parsed::default();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match json_record(line) {
            Ok(r) => parsed.records.push(r),
            Err(error) => parsed.failures.push(Failure { line: i + 1, error }),
        }
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_reads_named_columns_in_any_order_and_case() {
        let file = b"Reason,EMAILADDRESS\nbounce, a@example.com\nCOMPLAINT,b@example.com\n,\n";
        let p = parse(file, DataFormat::Csv).unwrap();
        assert_eq!(p.records.len(), 2);
        assert_eq!(p.records[0].email_address, "a@example.com");
        assert_eq!(p.records[0].reason.as_deref(), Some("BOUNCE"));
        assert_eq!(p.records[1].reason.as_deref(), Some("COMPLAINT"));
        assert_eq!(
            p.failures,
            vec![Failure {
                line: 4,
                error: "no emailAddress".into()
            }]
        );
    }

    #[test]
    fn csv_without_an_address_column_is_refused() {
        assert!(parse(b"address,reason\nx@example.com,BOUNCE\n", DataFormat::Csv).is_err());
    }

    #[test]
    fn csv_contact_columns() {
        let file = b"emailAddress,unsubscribeAll,attributesData\nc@example.com,TRUE,\"{\"\"a\"\":1}\"\nd@example.com,maybe,\n";
        let p = parse(file, DataFormat::Csv).unwrap();
        assert_eq!(p.records.len(), 1);
        assert_eq!(p.records[0].unsubscribe_all, Some(true));
        assert_eq!(p.records[0].attributes_data.as_deref(), Some("{\"a\":1}"));
        assert_eq!(p.failures.len(), 1);
        assert_eq!(p.failures[0].line, 3);
    }

    #[test]
    fn json_lines_with_failures_counted_by_line() {
        let file = br#"{"emailAddress":"a@example.com","reason":"BOUNCE"}

not json
{"emailAddress":"b@example.com","topicPreferences":[{"topicName":"news","subscriptionStatus":"opt_out"}]}
{"reason":"BOUNCE"}
["a@example.com"]
"#;
        let p = parse(file, DataFormat::Json).unwrap();
        assert_eq!(p.records.len(), 2);
        assert_eq!(
            p.records[1].topic_preferences,
            Some(serde_json::json!([{"TopicName":"news","SubscriptionStatus":"OPT_OUT"}]))
        );
        let lines: Vec<usize> = p.failures.iter().map(|f| f.line).collect();
        assert_eq!(lines, vec![3, 5, 6]);
    }
}
