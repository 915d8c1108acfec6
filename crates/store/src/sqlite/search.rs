//! Table `search_terms`: the index message search reads (schema version
//! 13; version 6 kept the terms as text).
//!
//! One row per (term, message), keyed `(term_key, sent_at, mid)`, where
//! `term_key` is [`crate::search::term_key`] of the account and the term:
//! one term's messages come out of a single B-tree range newest first, and
//! "does message M carry term T" is one point lookup.
//!
//! Rows are written in the transaction that stores what they describe:
//! [`index_message`] when a message row is written or enriched,
//! [`index_event`] when a record is appended (an `e:` term per type the
//! message has). Every insert is `INSERT OR IGNORE`, so indexing again is
//! harmless. Stub messages (records seen before their message, no
//! `from_address`) are not indexed until they become real; then their
//! records' types are indexed too. `sent_at` never changes once a message is
//! real, so rows never move.
//!
//! [`search`] picks the term with the fewest entries in the time range
//! (counting at most [`PROBE`] of each), scans it newest first, and checks
//! every other term of each candidate with a point lookup; at most
//! [`SCAN_BUDGET`] candidates per page.

use mailsight_model::EventType;
use rusqlite::{Connection, OptionalExtension, params};

use crate::error::StoreError;
use crate::search::*;
use crate::types::{Message, Millis, Recipient};

const INSERT: &str =
    "INSERT OR IGNORE INTO search_terms (term_key, sent_at, mid) VALUES (?1, ?2, ?3)";

/// The types of the records stored so far for one real message (`?1`), or
/// for every real message (`?1` NULL), with what their keys are made of.
const RECORDED_TYPES: &str = "SELECT DISTINCT m.mid, m.account_id, m.sent_at, r.event_type
     FROM messages m JOIN records r ON r.mid = m.mid
     WHERE (?1 IS NULL OR m.mid = ?1) AND m.from_address IS NOT NULL";

/// Indexes a message's own terms; `was_stub`: it has just stopped being a
/// stub, so the records it already has are indexed too.
pub(crate) fn index_message(
    c: &Connection,
    mid: i64,
    m: &Message,
    was_stub: bool,
) -> Result<(), StoreError> {
    let mut insert = c.prepare_cached(INSERT)?;
    for term in message_terms(m) {
        insert.execute(params![term_key(&m.account_id, &term), m.sent_at, mid])?;
    }
    if was_stub {
        index_recorded(c, Some(mid))?;
    }
    Ok(())
}

/// Indexes the `e:` terms of the records already stored for message `mid`
/// (every real message when `None`).
fn index_recorded(c: &Connection, mid: Option<i64>) -> Result<(), StoreError> {
    let mut stmt = c.prepare_cached(RECORDED_TYPES)?;
    let mut rows = stmt.query(params![mid])?;
    let mut insert = c.prepare_cached(INSERT)?;
    while let Some(r) = rows.next()? {
        let (mid, account, sent_at): (i64, String, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
        let term = format!(
            "e:{}",
            r.get_ref(3)?.as_str().map_err(rusqlite::Error::from)?
        );
        insert.execute(params![term_key(&account, &term), sent_at, mid])?;
    }
    Ok(())
}

/// Indexes that message `mid` of `account`, sent at `sent_at`, has an
/// event of type `kind`.
pub(crate) fn index_event(
    c: &Connection,
    mid: i64,
    account: &str,
    sent_at: Millis,
    kind: EventType,
) -> Result<(), StoreError> {
    c.prepare_cached(INSERT)?.execute(params![
        term_key(account, &event_term(kind)),
        sent_at,
        mid
    ])?;
    Ok(())
}

/// Fills `search_terms` from every stored message and record: the Rust half
/// of the migration that creates the table (SQL cannot split subjects).
pub(crate) fn backfill(c: &Connection) -> Result<(), StoreError> {
    index_recorded(c, None)?;
    let mut stmt = c.prepare(
        "SELECT mid, message_id, account_id, from_address, subject, tags, configuration_set,
                sent_at, recipients
         FROM messages WHERE from_address IS NOT NULL",
    )?;
    let mut rows = stmt.query([])?;
    let mut insert = c.prepare(INSERT)?;
    while let Some(r) = rows.next()? {
        let mid: i64 = r.get(0)?;
        let tags: String = r.get(5)?;
        let recipients: String = r.get(8)?;
        let m = Message {
            message_id: r.get(1)?,
            account_id: r.get(2)?,
            from_address: r.get(3)?,
            subject: r.get(4)?,
            tags: lenient(&tags, mid),
            configuration_set: r.get(6)?,
            sent_at: r.get(7)?,
            recipients: lenient(&recipients, mid),
        };
        for term in message_terms(&m) {
            insert.execute(params![term_key(&m.account_id, &term), m.sent_at, mid])?;
        }
    }
    Ok(())
}

/// One term's messages (key `?2`) in `[?3, ?4]` before `(?4, ?5)`, newest
/// first. `?1` is unused.
const SCAN_BY_TERM: &str = "SELECT sent_at, mid FROM search_terms
     WHERE term_key = ?2 AND sent_at >= ?3 AND sent_at <= ?4
       AND (sent_at < ?4 OR mid < ?5)
     ORDER BY sent_at DESC, mid DESC";
/// [`SCAN_BY_TERM`] without a term: every real message, by
/// `messages_by_account_time` (whose entries end with `mid`). `?2` is unused.
const SCAN_BY_TIME: &str = "SELECT sent_at, mid FROM messages
     WHERE account_id = ?1 AND sent_at >= ?3 AND sent_at <= ?4
       AND (sent_at < ?4 OR mid < ?5) AND from_address IS NOT NULL
     ORDER BY sent_at DESC, mid DESC";

/// How many entries of each term [`search`] counts to find the rarest.
pub(crate) const PROBE: i64 = 1_000;

/// One page of the account's messages matching `q`, newest first, after
/// `cursor`.
pub(crate) fn search(
    c: &Connection,
    account: &str,
    q: &SearchQuery,
    cursor: Option<SearchCursor>,
    limit: usize,
) -> Result<SearchPage, StoreError> {
    search_within(c, account, q, cursor, limit, SCAN_BUDGET)
}

/// [`search`], reading at most `budget` candidates.
fn search_within(
    c: &Connection,
    account: &str,
    q: &SearchQuery,
    cursor: Option<SearchCursor>,
    limit: usize,
    budget: usize,
) -> Result<SearchPage, StoreError> {
    let limit = limit.clamp(1, MAX_PAGE);
    let Some(Window { lo, hi, key }) = q.window(cursor) else {
        return Ok(SearchPage::default());
    };
    let terms = q.terms();
    let driver = rarest(c, account, terms, lo, hi)?;
    let mut scan = match driver {
        Some(t) => {
            let mut s = c.prepare_cached(SCAN_BY_TERM)?;
            s.raw_bind_parameter(2, term_key(account, &terms[t]))?;
            s
        }
        None => c.prepare_cached(SCAN_BY_TIME)?,
    };
    scan.raw_bind_parameter(1, account)?;
    scan.raw_bind_parameter(3, lo)?;
    scan.raw_bind_parameter(4, hi)?;
    scan.raw_bind_parameter(5, key)?;
    let others: Vec<i64> = terms
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != driver)
        .map(|(_, t)| term_key(account, t))
        .collect();
    let mut has = c.prepare_cached(
        "SELECT 1 FROM search_terms WHERE term_key = ?1 AND sent_at = ?2 AND mid = ?3",
    )?;
    let mut rows = scan.raw_query();
    let (mut found, mut examined, mut last) = (Vec::new(), 0usize, None);
    let mut more = false;
    while let Some(r) = rows.next()? {
        let at = SearchCursor {
            sent_at: r.get(0)?,
            key: r.get(1)?,
        };
        if examined == budget {
            more = true;
            break;
        }
        examined += 1;
        let mut all = true;
        for t in &others {
            if has
                .query_row(params![t, at.sent_at, at.key], |_| Ok(()))
                .optional()?
                .is_none()
            {
                all = false;
                break;
            }
        }
        if all {
            if found.len() == limit {
                more = true;
                break;
            }
            found.push(at);
        }
        last = Some(at);
    }
    drop(rows);
    let next = if !more {
        None
    } else if found.len() == limit {
        found.last().copied()
    } else {
        last
    };
    let mut messages = Vec::with_capacity(found.len());
    for at in found {
        if let Some(m) = summary(c, at.key)? {
            messages.push(m);
        }
    }
    Ok(SearchPage { messages, next })
}

/// The index of the term with the fewest entries in `[lo, hi]`, counting
/// at most [`PROBE`] of each (ties: the first given); `None` without terms.
fn rarest(
    c: &Connection,
    account: &str,
    terms: &[String],
    lo: Millis,
    hi: Millis,
) -> Result<Option<usize>, StoreError> {
    if terms.len() < 2 {
        return Ok((!terms.is_empty()).then_some(0));
    }
    let mut count = c.prepare_cached(
        "SELECT count(*) FROM (SELECT 1 FROM search_terms
             WHERE term_key = ?1 AND sent_at >= ?2 AND sent_at <= ?3 LIMIT ?4)",
    )?;
    let mut best: Option<(usize, i64)> = None;
    for (i, t) in terms.iter().enumerate() {
        let key = term_key(account, t);
        let n: i64 = count.query_row(params![key, lo, hi, PROBE], |r| r.get(0))?;
        if best.is_none_or(|(_, b)| n < b) {
            best = Some((i, n));
        }
        if n == 0 {
            break;
        }
    }
    Ok(best.map(|(i, _)| i))
}

/// A found message and each recipient's newest event.
fn summary(c: &Connection, mid: i64) -> Result<Option<MessageSummary>, StoreError> {
    let row = c
        .prepare_cached(
            "SELECT message_id, from_address, subject, tags, configuration_set, sent_at, recipients
             FROM messages WHERE mid = ?1 AND from_address IS NOT NULL",
        )?
        .query_row(params![mid], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, String>(6)?,
            ))
        })
        .optional()?;
    let Some((message_id, from_address, subject, tags, set, sent_at, recipients)) = row else {
        return Ok(None);
    };
    let listed: Vec<Recipient> = serde_json::from_str(&recipients)?;
    let mut stmt = c.prepare_cached(
        "SELECT recipient, event_type, timestamp FROM events
         WHERE mid = ?1 ORDER BY recipient, timestamp, record_id",
    )?;
    let mut rows = stmt.query(params![mid])?;
    let mut events = Vec::new();
    while let Some(r) = rows.next()? {
        let kind = r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
        let kind =
            EventType::from_api_name(kind).map_err(|e| StoreError::Backend(e.to_string()))?;
        events.push((r.get::<_, String>(0)?, kind, r.get::<_, Millis>(2)?));
    }
    let recipients = recipient_summaries(listed, events);
    Ok(Some(MessageSummary {
        message_id,
        from_address,
        subject,
        sent_at,
        configuration_set: set,
        tags: serde_json::from_str(&tags)?,
        recipients,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Recipient;

    fn store() -> Connection {
        let mut c = Connection::open_in_memory().unwrap();
        super::super::schema::migrate(&mut c).unwrap();
        c
    }

    fn put(c: &Connection, id: &str, at: Millis, to: &str, subject: &str) {
        let m = Message {
            message_id: id.into(),
            account_id: "a".into(),
            from_address: "f@x.test".into(),
            subject: Some(subject.into()),
            tags: vec![],
            configuration_set: None,
            sent_at: at,
            recipients: vec![Recipient {
                address: to.into(),
                isp: "Other".into(),
            }],
        };
        super::super::events::insert_message(c, &m, &[], &[], &[]).unwrap();
    }

    #[test]
    fn a_page_stops_at_its_budget_and_the_cursor_goes_on() {
        let c = store();
        // Terms that meet only on the oldest message.
        put(&c, "both", 0, "r@x.test", "rare");
        for i in 1..=10 {
            put(&c, &format!("r{i}"), i * 10, "r@x.test", "common");
            put(&c, &format!("w{i}"), i * 10 + 1, "other@x.test", "rare");
        }
        let q = MessageQuery {
            recipient: Some("r@x.test".into()),
            subject: Some("rare".into()),
            ..Default::default()
        }
        .compile()
        .unwrap();
        let first = search_within(&c, "a", &q, None, 5, 3).unwrap();
        assert!(first.messages.is_empty(), "{first:?}");
        assert!(first.next.is_some(), "an exhausted budget gives a cursor");
        let (mut cursor, mut found, mut pages) = (first.next, Vec::new(), 1);
        while let Some(at) = cursor {
            let page = search_within(&c, "a", &q, Some(at), 5, 3).unwrap();
            found.extend(page.messages.into_iter().map(|m| m.message_id));
            cursor = page.next;
            pages += 1;
            assert!(pages < 20, "paging never ended");
        }
        assert_eq!(found, ["both"]);
        // The whole budget answers at once.
        let all = search(&c, "a", &q, None, 5).unwrap();
        assert_eq!(all.messages.len(), 1);
        assert_eq!(all.next, None);
    }

    #[test]
    fn the_rarest_term_drives_the_scan() {
        let c = store();
        for i in 0..5 {
            put(&c, &format!("m{i}"), i, "busy@x.test", "hello");
        }
        put(&c, "one", 9, "rare@x.test", "hello");
        let terms = [
            "r:busy@x.test".to_owned(),
            "w:hello".to_owned(),
            "r:rare@x.test".to_owned(),
        ];
        assert_eq!(
            rarest(&c, "a", &terms, i64::MIN, i64::MAX).unwrap(),
            Some(2)
        );
        assert_eq!(
            rarest(&c, "a", &terms[..2], i64::MIN, i64::MAX).unwrap(),
            Some(0)
        );
        // In a range without the rare one, the busy one is rarer than "hello".
        assert_eq!(rarest(&c, "a", &terms[1..], 0, 5).unwrap(), Some(1));
        assert_eq!(rarest(&c, "a", &[], 0, 5).unwrap(), None);
    }

    #[test]
    fn scans_use_the_indexes() {
        let c = store();
        let plan = |sql: &str| -> String {
            let mut stmt = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let rows: Vec<String> = stmt
                .query_map(params!["a", "r:x", 0, 10, 5], |r| r.get::<_, String>(3))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            rows.join("; ")
        };
        let by_term = plan(SCAN_BY_TERM);
        assert!(
            by_term.contains("SEARCH search_terms USING PRIMARY KEY"),
            "{by_term}"
        );
        assert!(!by_term.contains("TEMP B-TREE"), "{by_term}");
        let by_time = plan(SCAN_BY_TIME);
        assert!(by_time.contains("messages_by_account_time"), "{by_time}");
        assert!(!by_time.contains("TEMP B-TREE"), "{by_time}");
    }
}
