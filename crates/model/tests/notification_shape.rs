//! The identity notification built from an event-publishing record has the
//! shape of SES's own notification examples (`feedback-*.json`): the same
//! members, with the same JSON types, at every level.

use std::fs;
use std::path::PathBuf;

use mailsight_model::notification::from_record;
use serde_json::Value;

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/ses-docs-examples")
        .join(name);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The IP of the MTA SES handed the message to: the notification format
/// has it, event records do not, so a notification built from a record
/// cannot know it (docs/SENDING.md says so).
const NOT_IN_RECORDS: &[&str] = &["remoteMtaIp"];

/// Objects whose members are the message's, not the format's: which
/// common headers there are depends on the headers the message had (the
/// event examples' messages had no `Date`).
const DATA: &[&str] = &[".mail.commonHeaders"];

/// Every difference in members or types between `ours` and `theirs`, as
/// paths (arrays compare their first elements).
fn differences(path: &str, ours: &Value, theirs: &Value, out: &mut Vec<String>) {
    match (ours, theirs) {
        (Value::Object(_), Value::Object(_)) if DATA.contains(&path) => {}
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get(k) {
                    Some(mine) => differences(&format!("{path}.{k}"), mine, v, out),
                    None if NOT_IN_RECORDS.contains(&k.as_str()) => {}
                    None => out.push(format!("{path}.{k} missing")),
                }
            }
            for k in a.keys().filter(|k| !b.contains_key(*k)) {
                out.push(format!("{path}.{k} extra"));
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if let (Some(x), Some(y)) = (a.first(), b.first()) {
                differences(&format!("{path}[0]"), x, y, out);
            }
        }
        (a, b) if std::mem::discriminant(a) == std::mem::discriminant(b) => {}
        (a, b) => out.push(format!("{path}: {a} is not like {b}")),
    }
}

fn check(event: &str, feedback: &str) {
    let theirs: Value = serde_json::from_str(&fixture(feedback)).unwrap();
    let ours = from_record(&fixture(event), true).unwrap();
    let mut diff = Vec::new();
    differences("", &ours, &theirs, &mut diff);
    assert!(diff.is_empty(), "{event} vs {feedback}: {diff:#?}");

    // Without headers, the mail object loses exactly the three members
    // SES leaves out then.
    let bare = from_record(&fixture(event), false).unwrap();
    let mut expected: Vec<&String> = theirs["mail"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| !["headersTruncated", "headers", "commonHeaders"].contains(&k.as_str()))
        .collect();
    let mut got: Vec<&String> = bare["mail"].as_object().unwrap().keys().collect();
    expected.sort();
    got.sort();
    assert_eq!(got, expected, "{event} without headers");
    assert_eq!(bare["notificationType"], theirs["notificationType"]);
}

#[test]
fn bounce_notifications_are_shaped_like_ses_examples() {
    check("event-00-Bounce.json", "feedback-00-Bounce.json");
}

#[test]
fn complaint_notifications_are_shaped_like_ses_examples() {
    check("event-01-Complaint.json", "feedback-02-Complaint.json");
}

#[test]
fn delivery_notifications_are_shaped_like_ses_examples() {
    check("event-02-Delivery.json", "feedback-04-Delivery.json");
}

#[test]
fn the_examples_themselves_carry_no_tags() {
    for f in [
        "feedback-00-Bounce.json",
        "feedback-01-Bounce.json",
        "feedback-02-Complaint.json",
        "feedback-03-Complaint.json",
        "feedback-04-Delivery.json",
    ] {
        let v: Value = serde_json::from_str(&fixture(f)).unwrap();
        assert!(v["mail"].get("tags").is_none(), "{f}");
        assert!(v.get("eventType").is_none(), "{f}");
    }
}
