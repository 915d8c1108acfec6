//! Message search: what a query asks, what a page of answers holds, and the
//! *search terms* a message is found by.
//!
//! Every backend answers a search from an index of terms, never by reading
//! every message: a term is a typed string (`r:` recipient, `f:` sender,
//! `w:` subject word, `e:` event type, `t:` tag, `c:` configuration set,
//! `i:` ISP), kept per message with its send time so that one term's
//! entries come out newest first. The rules that turn a message or a query
//! into terms live here, once, so that every backend indexes and looks up
//! alike (both backends keep them in `search_terms`, see `sqlite::search`).
//!
//! The index stores a term as its [`term_key`], a 64-bit hash of the account
//! and the term, not as text: a row is three integers, which halves the
//! index on disk and makes every comparison in it an integer one. Two
//! different terms of one account sharing a key would make a search for one
//! also find the other's messages; with 64 bits that takes about four
//! billion distinct terms in one account for an even chance.
//!
//! Text terms are lowercased (Unicode), so `Jane@Example.com` finds
//! `jane@example.com`; configuration set names and tags are compared
//! exactly, as SES compares them.

use std::fmt;
use std::str::FromStr;

use mailsight_model::EventType;

use crate::types::{Message, Millis};

/// The index key of `term` in `account`: XXH3-64 of the account id, a zero
/// byte and the term, as a signed integer (the type both databases keep).
/// Stored in every index row, so it must never change.
pub fn term_key(account: &str, term: &str) -> i64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(account.as_bytes());
    h.update(&[0]);
    h.update(term.as_bytes());
    h.digest() as i64
}

/// Answers per page when the caller gives no limit.
pub const DEFAULT_PAGE: usize = 50;
/// The most answers one page may hold.
pub const MAX_PAGE: usize = 1000;
/// The most index entries one page reads. A search whose terms rarely meet
/// (a busy sender and a rare word) stops there and returns the page it has,
/// maybe empty, with a cursor to continue: a page costs a bounded amount of
/// work whatever the data.
pub const SCAN_BUDGET: usize = 20_000;
/// Subject words indexed per message (the first ones, deduplicated).
pub const MAX_SUBJECT_WORDS: usize = 24;
/// Subject words longer than this (in characters) are not indexed.
pub const MAX_WORD_CHARS: usize = 64;
/// Terms one query may hold (each one is an indexed lookup per candidate).
pub const MAX_QUERY_TERMS: usize = 16;

/// What to search for. Every given filter must hold (AND); `None` and empty
/// lists filter nothing. Times bound `sent_at`: `start` inclusive, `end`
/// exclusive.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MessageQuery {
    /// A recipient (To, Cc or Bcc), exact address, any case.
    pub recipient: Option<String>,
    /// The sender's address, any case (a display name around it is ignored).
    pub sender: Option<String>,
    /// Words every one of which the subject must contain, any case.
    pub subject: Option<String>,
    /// The message has at least one event of this type.
    pub event: Option<EventType>,
    /// Message tags `(name, value)` the message must all carry.
    pub tags: Vec<(String, String)>,
    /// The configuration set it was sent with.
    pub configuration_set: Option<String>,
    /// An ISP one of its recipients is classified to, any case.
    pub isp: Option<String>,
    pub start: Option<Millis>,
    pub end: Option<Millis>,
}

/// A query the index cannot answer as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("the subject filter has no word of 2 or more letters or digits")]
    NoSubjectWords,
    #[error("the query has more than {MAX_QUERY_TERMS} filters")]
    TooManyTerms,
    #[error("a filter is empty")]
    Empty,
}

/// A checked query, as backends take it: the terms every answer must
/// carry (deduplicated, at most [`MAX_QUERY_TERMS`]) and the time bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    terms: Vec<String>,
    start: Option<Millis>,
    end: Option<Millis>,
}

impl SearchQuery {
    /// The terms every answer must carry; none: every message.
    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    /// Inclusive lower bound of `sent_at`.
    pub fn start(&self) -> Option<Millis> {
        self.start
    }

    /// Exclusive upper bound of `sent_at`.
    pub fn end(&self) -> Option<Millis> {
        self.end
    }

    /// What a page reads, in the order pages go (newest first): messages
    /// sent in `[lo, hi]`, and at `hi` only those whose key is below `key`
    /// (the cursor resumes after the last message of the page before).
    /// `None` when nothing is left to read.
    pub fn window(&self, cursor: Option<SearchCursor>) -> Option<Window> {
        let lo = self.start.unwrap_or(i64::MIN);
        let mut hi = self.end.map_or(Some(i64::MAX), |e| e.checked_sub(1))?;
        let mut key = i64::MAX;
        if let Some(at) = cursor
            && (at.sent_at < hi || (at.sent_at == hi && at.key < key))
        {
            (hi, key) = (at.sent_at, at.key);
        }
        (lo <= hi).then_some(Window { lo, hi, key })
    }
}

/// The bounds of one search page; see [`SearchQuery::window`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub lo: Millis,
    pub hi: Millis,
    pub key: i64,
}

impl MessageQuery {
    /// Checks the query and turns it into the terms of the index.
    pub fn compile(&self) -> Result<SearchQuery, QueryError> {
        Ok(SearchQuery {
            terms: self.terms()?,
            start: self.start,
            end: self.end,
        })
    }

    /// The terms every answer must carry, deduplicated, in a stable order.
    fn terms(&self) -> Result<Vec<String>, QueryError> {
        let mut out = Vec::new();
        let mut push = |t: String| {
            if !out.contains(&t) {
                out.push(t);
            }
        };
        let nonempty = |s: &str| {
            let s = s.trim();
            if s.is_empty() {
                Err(QueryError::Empty)
            } else {
                Ok(s.to_owned())
            }
        };
        if let Some(r) = &self.recipient {
            push(recipient_term(&nonempty(r)?));
        }
        if let Some(f) = &self.sender {
            push(sender_term(&nonempty(f)?));
        }
        if let Some(s) = &self.subject {
            let words = subject_words(s, MAX_QUERY_TERMS + 1);
            if words.is_empty() {
                return Err(QueryError::NoSubjectWords);
            }
            words.into_iter().for_each(|w| push(format!("w:{w}")));
        }
        if let Some(e) = self.event {
            push(event_term(e));
        }
        for (name, value) in &self.tags {
            push(tag_term(&nonempty(name)?, value));
        }
        if let Some(c) = &self.configuration_set {
            push(set_term(&nonempty(c)?));
        }
        if let Some(i) = &self.isp {
            push(isp_term(&nonempty(i)?));
        }
        if out.len() > MAX_QUERY_TERMS {
            return Err(QueryError::TooManyTerms);
        }
        Ok(out)
    }
}

/// Where a page ended: the `(sent_at, key)` of the last message read, the
/// next page starting just after it (newest first). Its text form is opaque
/// to clients; only the backend that wrote it reads the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchCursor {
    pub sent_at: Millis,
    /// The backend's own key of the message (ties of `sent_at`).
    pub key: i64,
}

/// Text that is no cursor this store wrote.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the next token is not one this server issued")]
pub struct BadCursor;

impl fmt::Display for SearchCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "1.{:x}.{:x}", self.sent_at, self.key)
    }
}

impl FromStr for SearchCursor {
    type Err = BadCursor;

    fn from_str(s: &str) -> Result<Self, BadCursor> {
        let mut parts = s.split('.');
        let (Some("1"), Some(t), Some(k), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(BadCursor);
        };
        let hex = |p: &str| {
            (!p.is_empty() && p.len() <= 16)
                .then(|| u64::from_str_radix(p, 16).ok())
                .flatten()
                .map(|v| v as i64)
                .ok_or(BadCursor)
        };
        Ok(SearchCursor {
            sent_at: hex(t)?,
            key: hex(k)?,
        })
    }
}

/// One recipient of a found message and where its mail stands.
#[derive(Debug, Clone, PartialEq)]
pub struct RecipientSummary {
    pub address: String,
    /// Empty for an address seen only in events, not in the message.
    pub isp: String,
    /// The type of the recipient's newest event (`BOUNCE`: it bounced).
    pub latest_event: Option<EventType>,
    pub latest_at: Option<Millis>,
}

/// A found message, enough for one line of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageSummary {
    pub message_id: String,
    pub from_address: String,
    pub subject: Option<String>,
    pub sent_at: Millis,
    pub configuration_set: Option<String>,
    pub tags: Vec<(String, String)>,
    pub recipients: Vec<RecipientSummary>,
}

/// One page of answers, newest first, and where the next page starts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchPage {
    pub messages: Vec<MessageSummary>,
    /// `Some` while more messages may match. A page can hold fewer than the
    /// limit (even none) and still have a `next`: it stopped at
    /// [`SCAN_BUDGET`].
    pub next: Option<SearchCursor>,
}

/// Each listed recipient (in order) with its newest event, from a
/// message's events in the order the store keeps them (by recipient, then
/// time); a recipient with events but not listed is added after the
/// listed ones. Every backend builds [`MessageSummary::recipients`] so.
pub(crate) fn recipient_summaries(
    listed: Vec<crate::types::Recipient>,
    events: impl IntoIterator<Item = (String, EventType, Millis)>,
) -> Vec<RecipientSummary> {
    let mut recipients: Vec<RecipientSummary> = listed
        .into_iter()
        .map(|r| RecipientSummary {
            address: r.address,
            isp: r.isp,
            latest_event: None,
            latest_at: None,
        })
        .collect();
    let mut by_address: std::collections::HashMap<String, usize> = recipients
        .iter()
        .enumerate()
        .map(|(i, r)| (r.address.to_lowercase(), i))
        .collect();
    for (address, kind, at) in events {
        let i = *by_address.entry(address.to_lowercase()).or_insert_with(|| {
            recipients.push(RecipientSummary {
                address,
                isp: String::new(),
                latest_event: None,
                latest_at: None,
            });
            recipients.len() - 1
        });
        let entry = &mut recipients[i];
        if entry.latest_at.is_none_or(|t| at >= t) {
            entry.latest_event = Some(kind);
            entry.latest_at = Some(at);
        }
    }
    recipients
}

/// The terms a stored message is found by (not its event types: see
/// [`event_term`]), deduplicated.
pub fn message_terms(m: &Message) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |t: String| {
        if !out.contains(&t) {
            out.push(t);
        }
    };
    push(sender_term(&m.from_address));
    for r in &m.recipients {
        push(recipient_term(&r.address));
        if !r.isp.is_empty() {
            push(isp_term(&r.isp));
        }
    }
    if let Some(s) = &m.subject {
        subject_words(s, MAX_SUBJECT_WORDS)
            .into_iter()
            .for_each(|w| push(format!("w:{w}")));
    }
    for (name, value) in &m.tags {
        push(tag_term(name, value));
    }
    if let Some(c) = &m.configuration_set {
        push(set_term(c));
    }
    out
}

pub fn recipient_term(address: &str) -> String {
    format!("r:{}", address.trim().to_lowercase())
}

/// `f:` and the bare address: `"Jane" <jane@x.test>` is `f:jane@x.test`.
pub fn sender_term(from: &str) -> String {
    format!("f:{}", bare_address(from).to_lowercase())
}

pub fn event_term(kind: EventType) -> String {
    event_term_named(kind.api_name())
}

/// [`event_term`] of a type as stored (its API name).
pub(crate) fn event_term_named(api_name: &str) -> String {
    format!("e:{api_name}")
}

/// A stored JSON column, or nothing (with a warning) if it is unreadable:
/// one bad row must not stop a rebuild of the index.
pub(crate) fn lenient<T: serde::de::DeserializeOwned + Default>(json: &str, mid: i64) -> T {
    serde_json::from_str(json).unwrap_or_else(|e| {
        tracing::warn!(mid, error = %e, "unreadable message column left out of the search index");
        T::default()
    })
}

pub fn tag_term(name: &str, value: &str) -> String {
    format!("t:{name}={value}")
}

pub fn set_term(set: &str) -> String {
    format!("c:{set}")
}

pub fn isp_term(isp: &str) -> String {
    format!("i:{}", isp.trim().to_lowercase())
}

/// The address inside angle brackets, if any, else the whole text trimmed.
fn bare_address(from: &str) -> &str {
    match (from.rfind('<'), from.rfind('>')) {
        (Some(a), Some(b)) if a < b => from[a + 1..b].trim(),
        _ => from.trim(),
    }
}

/// Lowercased words of 2 to [`MAX_WORD_CHARS`] letters or digits, first
/// ones first, deduplicated, at most `cap`.
pub fn subject_words(subject: &str, cap: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in subject.split(|c: char| !c.is_alphanumeric()) {
        if out.len() >= cap {
            break;
        }
        let n = word.chars().count();
        if !(2..=MAX_WORD_CHARS).contains(&n) {
            continue;
        }
        let w = word.to_lowercase();
        if !out.contains(&w) {
            out.push(w);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Recipient;

    #[test]
    fn a_term_key_is_the_hash_of_account_and_term_and_tells_accounts_apart() {
        // Stored in every index row: the layout may never change.
        let one_shot = xxhash_rust::xxh3::xxh3_64(b"123456789012\0r:jane@x.test") as i64;
        assert_eq!(term_key("123456789012", "r:jane@x.test"), one_shot);
        assert_ne!(
            term_key("123456789012", "r:jane@x.test"),
            term_key("210987654321", "r:jane@x.test")
        );
        // The separator keeps ("ab", "c") and ("a", "bc") apart.
        assert_ne!(term_key("ab", "c"), term_key("a", "bc"));
    }

    #[test]
    fn words_are_lowercased_split_deduplicated_and_capped() {
        assert_eq!(
            subject_words("Your ORDER #A-1 is on its way: order 2024!", 10),
            ["your", "order", "is", "on", "its", "way", "2024"]
        );
        assert_eq!(subject_words("Ünïcode Straße", 10), ["ünïcode", "straße"]);
        assert_eq!(subject_words("a b c dd ee", 1), ["dd"]);
        assert!(subject_words(&"x".repeat(MAX_WORD_CHARS + 1), 10).is_empty());
    }

    #[test]
    fn a_message_has_one_term_per_fact() {
        let m = Message {
            message_id: "m".into(),
            account_id: "a".into(),
            from_address: "\"Shop\" <Orders@Shop.Test>".into(),
            subject: Some("Hello hello".into()),
            tags: vec![("campaign".into(), "Spring".into())],
            configuration_set: Some("Main".into()),
            sent_at: 1,
            recipients: vec![
                Recipient {
                    address: "Jane@X.test".into(),
                    isp: "Gmail".into(),
                },
                Recipient {
                    address: "joe@x.test".into(),
                    isp: "Gmail".into(),
                },
            ],
        };
        assert_eq!(
            message_terms(&m),
            [
                "f:orders@shop.test",
                "r:jane@x.test",
                "i:gmail",
                "r:joe@x.test",
                "w:hello",
                "t:campaign=Spring",
                "c:Main"
            ]
        );
    }

    #[test]
    fn query_terms_match_message_terms_and_refuse_what_cannot_match() {
        let q = MessageQuery {
            recipient: Some(" JANE@x.test ".into()),
            subject: Some("HELLO, World".into()),
            event: Some(EventType::Bounce),
            isp: Some("gmail".into()),
            ..Default::default()
        };
        assert_eq!(
            q.terms().unwrap(),
            ["r:jane@x.test", "w:hello", "w:world", "e:BOUNCE", "i:gmail"]
        );
        let q = MessageQuery {
            subject: Some("a !".into()),
            ..Default::default()
        };
        assert_eq!(q.terms(), Err(QueryError::NoSubjectWords));
        let q = MessageQuery {
            recipient: Some("  ".into()),
            ..Default::default()
        };
        assert_eq!(q.terms(), Err(QueryError::Empty));
        let q = MessageQuery {
            subject: Some(
                (0..=MAX_QUERY_TERMS)
                    .map(|i| format!("w{i}"))
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            ..Default::default()
        };
        assert_eq!(q.terms(), Err(QueryError::TooManyTerms));
        assert_eq!(
            MessageQuery::default().terms().unwrap(),
            Vec::<String>::new()
        );
    }

    #[test]
    fn cursors_round_trip_and_refuse_garbage() {
        for c in [
            SearchCursor { sent_at: 0, key: 1 },
            SearchCursor {
                sent_at: 1_700_000_000_000,
                key: i64::MAX,
            },
            SearchCursor {
                sent_at: -5,
                key: 3,
            },
        ] {
            assert_eq!(c.to_string().parse::<SearchCursor>(), Ok(c));
        }
        for bad in [
            "",
            "1",
            "1.2",
            "2.1.1",
            "1.x.1",
            "1..1",
            "1.1.1.1",
            "1.11111111111111111.1",
        ] {
            assert_eq!(bad.parse::<SearchCursor>(), Err(BadCursor), "{bad}");
        }
    }
}
