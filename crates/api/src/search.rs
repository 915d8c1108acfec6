//! `GET /_mailsight/messages`: message search ("what happened to the mail
//! for jane@example.com last Tuesday?").
//!
//! Filters are query parameters, all of which must hold: `recipient`,
//! `sender`, `subject` (every word), `event`, `tag` (`name:value` or
//! `name=value`, repeatable), `configuration_set`, `isp`, `start`
//! (inclusive) and `end` (exclusive) as RFC 3339, a date, or epoch seconds.
//! Answers come newest first, `limit` per page (default 50, at most 1000),
//! with `next` to pass back for the following page. The store answers from
//! its search index (`mailsight_store::search`).
//!
//! Authentication and account scoping are those of every admin endpoint
//! ([`crate::admin`]): with access keys, a SigV4 signature and the caller's
//! account only; without keys, the `account` parameter (default
//! `000000000000`). An unknown parameter is refused, so a misspelt filter
//! never silently matches everything.

use axum::body::Body;
use axum::extract::State;
use axum::http::Request;
use axum::response::Response;
use mailsight_model::EventType;
use mailsight_store::search::{DEFAULT_PAGE, MAX_PAGE};
use mailsight_store::{MessageQuery, MessageSummary, SearchCursor, SearchPage};
use serde_json::{Value, json};

use crate::admin::{caller_account, reply};
use crate::error::ApiError;
use crate::state::AppState;

/// The parameters this endpoint reads; any other is a client's mistake.
const PARAMETERS: &[&str] = &[
    "recipient",
    "sender",
    "subject",
    "event",
    "tag",
    "configuration_set",
    "isp",
    "start",
    "end",
    "limit",
    "next",
    "account",
];

/// Most distinct query parameters one request may give (tags repeat).
const MAX_PARAMETERS: usize = 64;

pub async fn messages(State(state): State<AppState>, request: Request<Body>) -> Response {
    reply(messages_inner(&state, request).await)
}

async fn messages_inner(state: &AppState, request: Request<Body>) -> Result<Value, ApiError> {
    let (caller, query) = caller_account(state, request).await?;
    let params = pairs(query.as_deref())?;
    let account = match (caller, one(&params, "account")?) {
        (None, a) => a.unwrap_or_else(|| crate::auth::DEFAULT_ACCOUNT.to_owned()),
        (Some(c), Some(a)) if a != c => {
            return Err(ApiError::bad_request(
                "account can only be chosen on a server without access keys.",
            ));
        }
        (Some(c), _) => c,
    };
    let now = mailsight_model::now_ms();
    let parsed = Search::from_params(&params, now)?;
    let compiled = parsed
        .query
        .compile()
        .map_err(|e| ApiError::bad_request(format!("{}.", capitalized(&e.to_string()))))?;
    let page = state
        .store()
        .search_messages(&account, &compiled, parsed.cursor, parsed.limit)
        .await?;
    Ok(page_json(&page))
}

/// A search as the request asked it.
#[derive(Debug, Clone, PartialEq)]
pub struct Search {
    pub query: MessageQuery,
    pub cursor: Option<SearchCursor>,
    pub limit: usize,
}

impl Search {
    /// Reads the filters from decoded `(name, value)` pairs; `now` anchors
    /// relative times (`2h`: two hours ago).
    pub fn from_params(params: &[(String, String)], now: i64) -> Result<Self, ApiError> {
        let time = |name: &str| -> Result<Option<i64>, ApiError> {
            one(params, name)?
                .map(|v| {
                    parse_time(&v, now).map_err(|e| ApiError::bad_request(format!("{name}: {e}")))
                })
                .transpose()
        };
        let event = one(params, "event")?
            .map(|v| parse_event(&v).map_err(ApiError::bad_request))
            .transpose()?;
        let tags = params
            .iter()
            .filter(|(k, _)| k == "tag")
            .map(|(_, v)| parse_tag(v).map_err(ApiError::bad_request))
            .collect::<Result<Vec<_>, _>>()?;
        let limit = match one(params, "limit")? {
            None => DEFAULT_PAGE,
            Some(v) => match v.parse::<usize>() {
                Ok(n @ 1..=MAX_PAGE) => n,
                _ => {
                    return Err(ApiError::bad_request(format!(
                        "limit must be a number from 1 to {MAX_PAGE}."
                    )));
                }
            },
        };
        let cursor = one(params, "next")?
            .map(|v| {
                v.parse::<SearchCursor>()
                    .map_err(|e| ApiError::bad_request(format!("next: {e}.")))
            })
            .transpose()?;
        Ok(Search {
            query: MessageQuery {
                recipient: one(params, "recipient")?,
                sender: one(params, "sender")?,
                subject: one(params, "subject")?,
                event,
                tags,
                configuration_set: one(params, "configuration_set")?,
                isp: one(params, "isp")?,
                start: time("start")?,
                end: time("end")?,
            },
            cursor,
            limit,
        })
    }
}

/// The page as JSON: `{"messages": [...], "next": token or null}`.
pub fn page_json(page: &SearchPage) -> Value {
    let messages: Vec<Value> = page.messages.iter().map(summary_json).collect();
    json!({
        "messages": messages,
        "next": page.next.map(|c| c.to_string()),
    })
}

fn summary_json(m: &MessageSummary) -> Value {
    let recipients: Vec<Value> = m
        .recipients
        .iter()
        .map(|r| {
            json!({
                "address": r.address,
                "isp": r.isp,
                "latestEvent": r.latest_event.map(EventType::api_name),
                "latestEventAt": r.latest_at.map(iso),
            })
        })
        .collect();
    let tags: Vec<Value> = m
        .tags
        .iter()
        .map(|(n, v)| json!({"name": n, "value": v}))
        .collect();
    json!({
        "messageId": m.message_id,
        "from": m.from_address,
        "subject": m.subject,
        "sentAt": iso(m.sent_at),
        "configurationSet": m.configuration_set,
        "tags": tags,
        "recipients": recipients,
        "events": format!("/_mailsight/messages/{}", m.message_id),
    })
}

/// A stored millisecond time as RFC 3339 (UTC, milliseconds).
pub fn iso(ms: i64) -> String {
    mailsight_model::format_millis(ms)
}

/// A time bound: RFC 3339 (`2024-05-01T10:00:00Z`), a date (`2024-05-01`,
/// midnight UTC), epoch seconds (`1714557600`, fractions allowed), or a
/// span before `now` (`30m`, `2h`, `7d`). Milliseconds since the epoch.
pub fn parse_time(text: &str, now: i64) -> Result<i64, String> {
    let t = text.trim();
    let bad = || {
        format!(
            "cannot read the time '{t}': use RFC 3339 (2024-05-01T10:00:00Z), a date \
             (2024-05-01), epoch seconds, or a span ago (30m, 2h, 7d)"
        )
    };
    if let Some((n, unit)) = t
        .char_indices()
        .last()
        .filter(|(i, _)| *i > 0)
        .map(|(i, u)| (&t[..i], u))
        && let Some(per) = match unit {
            's' => Some(1_000),
            'm' => Some(60_000),
            'h' => Some(3_600_000),
            'd' => Some(86_400_000),
            'w' => Some(7 * 86_400_000),
            _ => None,
        }
        && n.bytes().all(|b| b.is_ascii_digit())
    {
        let n: i64 = n.parse().map_err(|_| bad())?;
        return n
            .checked_mul(per)
            .and_then(|span| now.checked_sub(span))
            .ok_or_else(bad);
    }
    let unsigned = t.strip_prefix('-').unwrap_or(t);
    if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        let ms = (t.parse::<f64>().map_err(|_| bad())? * 1000.0).round();
        return if ms.is_finite() && ms.abs() < 1e17 {
            Ok(ms as i64)
        } else {
            Err(bad())
        };
    }
    if t.len() == 10 && !t.contains('T') {
        return to_ms(&format!("{t}T00:00:00Z")).ok_or_else(bad);
    }
    to_ms(t).ok_or_else(bad)
}

fn to_ms(rfc3339: &str) -> Option<i64> {
    mailsight_model::parse_timestamp(rfc3339)
        .ok()
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
}

/// An event type by its API name (`BOUNCE`, `rendering_failure`) or its
/// record name (`Bounce`, `Rendering Failure`).
pub fn parse_event(text: &str) -> Result<EventType, String> {
    let t = text.trim();
    EventType::from_api_name(&t.to_uppercase().replace([' ', '-'], "_"))
        .or_else(|_| EventType::from_record_name(t))
        .map_err(|_| {
            let names: Vec<&str> = EventType::ALL.iter().map(|e| e.api_name()).collect();
            format!("Unknown event type {t}: use one of {}.", names.join(", "))
        })
}

/// `name=value` or `name:value` (the last `:`, so `ses:from-domain:x.test`
/// works; use `=` when a value holds a `:`).
pub fn parse_tag(text: &str) -> Result<(String, String), String> {
    let split = text.split_once('=').or_else(|| text.rsplit_once(':'));
    match split {
        Some((n, v)) if !n.trim().is_empty() => Ok((n.trim().to_owned(), v.trim().to_owned())),
        _ => Err(format!(
            "A tag filter is name=value or name:value, not '{text}'."
        )),
    }
}

/// The query string as decoded pairs; unknown names and too many are refused.
fn pairs(query: Option<&str>) -> Result<Vec<(String, String)>, ApiError> {
    let mut out = Vec::new();
    for pair in query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(&s.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        };
        let k = decode(k);
        if !PARAMETERS.contains(&k.as_str()) {
            return Err(ApiError::bad_request(format!(
                "Unknown parameter {k}: use {}.",
                PARAMETERS.join(", ")
            )));
        }
        if out.len() == MAX_PARAMETERS {
            return Err(ApiError::bad_request("Too many parameters."));
        }
        out.push((k, decode(v)));
    }
    Ok(out)
}

/// The one value of a parameter; given twice is a mistake, empty is none.
fn one(params: &[(String, String)], name: &str) -> Result<Option<String>, ApiError> {
    let mut values = params.iter().filter(|(k, _)| k == name).map(|(_, v)| v);
    match (values.next(), values.next()) {
        (Some(_), Some(_)) => Err(ApiError::bad_request(format!("{name} may be given once."))),
        (Some(v), None) if v.trim().is_empty() => Ok(None),
        (v, _) => Ok(v.cloned()),
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_714_557_600_000; // 2024-05-01T10:00:00Z

    #[test]
    fn times_in_every_accepted_form() {
        for (text, want) in [
            ("2024-05-01T10:00:00Z", NOW),
            ("2024-05-01T12:00:00.000+02:00", NOW),
            ("2024-05-01", NOW - 10 * 3_600_000),
            ("1714557600", NOW),
            ("1714557600.5", NOW + 500),
            ("0", 0),
            ("-1", -1_000),
            ("2h", NOW - 2 * 3_600_000),
            ("30m", NOW - 30 * 60_000),
            ("7d", NOW - 7 * 86_400_000),
            (" 10s ", NOW - 10_000),
        ] {
            assert_eq!(parse_time(text, NOW), Ok(want), "{text}");
        }
        for bad in [
            "",
            "yesterday",
            "2024-13-01",
            "1.2.3",
            "h",
            "5y",
            "1e999",
            "99999999999999999999d",
        ] {
            assert!(parse_time(bad, NOW).is_err(), "{bad}");
        }
    }

    #[test]
    fn events_by_either_spelling() {
        assert_eq!(parse_event("BOUNCE"), Ok(EventType::Bounce));
        assert_eq!(parse_event("bounce"), Ok(EventType::Bounce));
        assert_eq!(
            parse_event("Rendering Failure"),
            Ok(EventType::RenderingFailure)
        );
        assert_eq!(parse_event("delivery_delay"), Ok(EventType::DeliveryDelay));
        assert!(parse_event("Bounced").unwrap_err().contains("COMPLAINT"));
    }

    #[test]
    fn tags_split_on_equals_or_the_last_colon() {
        assert_eq!(
            parse_tag("campaign:spring"),
            Ok(("campaign".into(), "spring".into()))
        );
        assert_eq!(
            parse_tag("campaign=spring"),
            Ok(("campaign".into(), "spring".into()))
        );
        assert_eq!(
            parse_tag("ses:from-domain:x.test"),
            Ok(("ses:from-domain".into(), "x.test".into()))
        );
        assert_eq!(
            parse_tag("arn=arn:aws:x"),
            Ok(("arn".into(), "arn:aws:x".into()))
        );
        assert!(parse_tag("nothing").is_err());
        assert!(parse_tag(":v").is_err());
    }

    #[test]
    fn parameters_are_checked() {
        let p = |q: &str| pairs(Some(q)).and_then(|p| Search::from_params(&p, NOW));
        let s = p("recipient=Jane%40x.test&tag=a:b&tag=c%3Dd&event=open&limit=10&start=1h&subject=Your+order")
            .unwrap();
        assert_eq!(s.query.recipient.as_deref(), Some("Jane@x.test"));
        assert_eq!(s.query.subject.as_deref(), Some("Your order"));
        assert_eq!(
            s.query.tags,
            [("a".into(), "b".into()), ("c".into(), "d".into())]
        );
        assert_eq!(s.query.event, Some(EventType::Open));
        assert_eq!(s.query.start, Some(NOW - 3_600_000));
        assert_eq!(s.limit, 10);
        assert_eq!(p("").unwrap().limit, DEFAULT_PAGE);
        assert_eq!(p("recipient=").unwrap().query.recipient, None);
        for bad in [
            "recipent=x",
            "limit=0",
            "limit=1001",
            "limit=ten",
            "recipient=a&recipient=b",
            "start=tuesday",
            "event=nope",
            "next=garbage",
            "tag=novalue",
        ] {
            let e = p(bad).unwrap_err();
            assert_eq!(e.code, "BadRequestException", "{bad}");
        }
    }
}
