//! Property tests: the parsers face untrusted network input, so "never
//! panics" and "round-trips" must hold for inputs nobody thought of.

use mailsight_model::{
    EventRecord, TagError, classify, format_timestamp, parse, parse_tags_header, parse_timestamp,
    validate_tag,
};
use proptest::prelude::*;
use serde_json::Value;
use time::OffsetDateTime;

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "[a-zA-Z @.:-]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let keys = prop_oneof![
            Just("eventType".to_owned()),
            Just("notificationType".to_owned()),
            Just("mail".to_owned()),
            Just("bounce".to_owned()),
            Just("timestamp".to_owned()),
            Just("destination".to_owned()),
            Just("messageId".to_owned()),
            Just("source".to_owned()),
            Just("tags".to_owned()),
            "[a-z]{1,6}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((keys, inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Well-formed records of random type with random unknown fields, to check
/// the round trip beyond the fixtures.
fn arb_record() -> impl Strategy<Value = Value> {
    let kinds = prop_oneof![
        Just(("Send", "send", serde_json::json!({}))),
        Just((
            "Reject",
            "reject",
            serde_json::json!({"reason": "Bad content"})
        )),
        Just((
            "Open",
            "open",
            serde_json::json!({"timestamp": "2024-01-01T00:00:00.000Z"})
        )),
        Just((
            "Bounce",
            "bounce",
            serde_json::json!({"bounceType": "Transient", "bounceSubType": "MailboxFull",
                "bouncedRecipients": [{"emailAddress": "a@b.c"}],
                "timestamp": "2024-01-01T00:00:00.000Z"})
        )),
        Just((
            "Complaint",
            "complaint",
            serde_json::json!({"complainedRecipients": [{"emailAddress": "a@b.c"}],
                "timestamp": "2024-01-01T00:00:00.000Z", "complaintSubType": null})
        )),
    ];
    (
        kinds,
        prop::collection::vec(("x[a-z]{1,5}", arb_json()), 0..4),
        any::<bool>(),
    )
        .prop_map(|((t, key, obj), extras, tags)| {
            let mut v = serde_json::json!({
                "eventType": t,
                "mail": {"timestamp": "2024-01-01T00:00:00.000Z", "source": "s@b.c",
                         "messageId": "m", "destination": ["a@b.c"]},
                key: obj,
            });
            if tags {
                v["mail"]["tags"] = serde_json::json!({"z": ["1"], "a": ["2", "3"]});
            }
            for (k, x) in extras {
                v[key][k.clone()] = x.clone();
                v["mail"][k.clone()] = x.clone();
                v[k] = x;
            }
            v
        })
}

proptest! {
    #[test]
    fn parse_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse(&bytes);
    }

    #[test]
    fn parse_never_panics_on_json(v in arb_json()) {
        let bytes = serde_json::to_vec(&v).unwrap();
        if let Ok(r) = parse(&bytes) {
            // Whatever parses must also answer every query without panicking.
            let _ = r.affected_recipients();
            let _ = r.event_timestamp();
            let _ = mailsight_model::details_for(&r, "a@b.c");
        }
    }

    #[test]
    fn well_formed_records_round_trip(v in arb_record()) {
        let r = parse(&serde_json::to_vec(&v).unwrap()).unwrap();
        prop_assert_eq!(r.to_value().unwrap(), v.clone());
        let again: EventRecord = serde_json::from_str(&r.to_json().unwrap()).unwrap();
        prop_assert_eq!(again, r);
    }

    #[test]
    fn valid_tags_are_accepted(name in "[A-Za-z0-9_-]{1,256}", value in "[A-Za-z0-9_-]{0,256}") {
        prop_assert_eq!(validate_tag(&name, &value), Ok(()));
        // And survive the header form.
        let header = format!("{name}={value}, second=2");
        let parsed = parse_tags_header(&header).unwrap();
        prop_assert_eq!(parsed, vec![(name, value), ("second".to_owned(), "2".to_owned())]);
    }

    #[test]
    fn any_foreign_character_is_rejected(
        prefix in "[A-Za-z0-9_-]{0,10}",
        bad in any::<char>().prop_filter("not allowed", |c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-')),
        suffix in "[A-Za-z0-9_-]{0,10}",
    ) {
        let s = format!("{prefix}{bad}{suffix}");
        let name_err = matches!(validate_tag(&s, "v"), Err(TagError::InvalidNameChar { .. }));
        prop_assert!(name_err);
        let value_err = matches!(validate_tag("n", &s), Err(TagError::InvalidValueChar { .. }));
        prop_assert!(value_err);
    }

    #[test]
    fn over_long_tags_are_rejected(n in 257usize..600) {
        let long = "a".repeat(n);
        prop_assert_eq!(validate_tag(&long, "v"), Err(TagError::NameTooLong { name: long.clone(), len: n }));
        prop_assert_eq!(validate_tag("n", &long), Err(TagError::ValueTooLong { name: "n".to_owned(), len: n }));
    }

    #[test]
    fn tag_header_parser_never_panics(s in "\\PC{0,200}") {
        let _ = parse_tags_header(&s);
    }

    #[test]
    fn timestamp_format_round_trips_to_the_millisecond(
        secs in 0i64..253_402_300_799, // 0000..=9999 years range after epoch
        nanos in 0u32..1_000_000_000,
    ) {
        let t = OffsetDateTime::from_unix_timestamp(secs).unwrap()
            + time::Duration::nanoseconds(i64::from(nanos));
        let text = format_timestamp(t);
        prop_assert_eq!(text.len(), 24);
        prop_assert!(text.ends_with('Z'));
        let back = parse_timestamp(&text).unwrap();
        let truncated = t.replace_nanosecond(t.millisecond() as u32 * 1_000_000).unwrap();
        prop_assert_eq!(back, truncated);
        prop_assert_eq!(format_timestamp(back), text);
    }

    #[test]
    fn timestamp_parser_never_panics(s in "\\PC{0,40}") {
        let _ = parse_timestamp(&s);
    }

    #[test]
    fn classify_never_panics_and_ignores_case(s in "\\PC{0,80}") {
        let _ = classify(&s);
        prop_assert_eq!(classify(&s.to_ascii_uppercase()), classify(&s.to_ascii_lowercase()));
    }
}
