//! Table `search_terms`: the message search index, as `sqlite::search`
//! keeps it (one row per term and message, keyed
//! `(term_key, sent_at, mid)`, the key being [`crate::search::term_key`] of
//! the account and the term), with the terms of [`crate::search`].
//!
//! Rows are written in the transaction that stores what they describe, with
//! `ON CONFLICT DO NOTHING`, so indexing again is harmless. [`search`]
//! picks the term with the fewest entries in the time range (counting at
//! most [`PROBE`] of each), scans it newest first, and checks every other
//! term of each candidate in the same query; at most [`SCAN_BUDGET`]
//! candidates per page.

use mailsight_model::EventType;

use super::db::{Db, col, execute, query, query_one, query_opt};
use crate::error::StoreError;
use crate::search::*;
use crate::types::{Message, Millis, Recipient};

/// How many entries of each term [`search`] counts to find the rarest.
const PROBE: i64 = 1_000;

/// Inserts `(key, sent_at, mid)` rows given as three parallel arrays.
const INSERT: &str = "INSERT INTO search_terms (term_key, sent_at, mid)
     SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[])
     ON CONFLICT DO NOTHING";

/// The types of the records stored so far for the real messages of `$1`.
const RECORDED_TYPES: &str = "SELECT DISTINCT m.mid, m.account_id, m.sent_at, r.event_type
     FROM messages m JOIN records r ON r.mid = m.mid
     WHERE m.mid = ANY($1) AND m.from_address IS NOT NULL";

/// Index rows on their way to [`INSERT`].
#[derive(Default)]
struct Rows {
    keys: Vec<i64>,
    sent_at: Vec<i64>,
    mids: Vec<i64>,
}

impl Rows {
    fn push(&mut self, account: &str, term: &str, sent_at: Millis, mid: i64) {
        self.keys.push(term_key(account, term));
        self.sent_at.push(sent_at);
        self.mids.push(mid);
    }

    fn message(&mut self, mid: i64, m: &Message) {
        for term in message_terms(m) {
            self.push(&m.account_id, &term, m.sent_at, mid);
        }
    }

    /// Adds the `e:` terms of the records stored for the messages `mids`.
    async fn recorded(&mut self, c: &impl Db, mids: &[i64]) -> Result<(), StoreError> {
        for r in query(c, RECORDED_TYPES, &[&mids]).await? {
            let term = event_term_named(col::<&str>(&r, 3)?);
            self.push(col(&r, 1)?, &term, col(&r, 2)?, col(&r, 0)?);
        }
        Ok(())
    }

    async fn insert(self, c: &impl Db) -> Result<(), StoreError> {
        if !self.keys.is_empty() {
            execute(c, INSERT, &[&self.keys, &self.sent_at, &self.mids]).await?;
        }
        Ok(())
    }
}

/// Indexes a message's own terms; `was_stub`: it has just stopped being a
/// stub, so the records it already has are indexed too.
pub(crate) async fn index_message(
    c: &impl Db,
    mid: i64,
    m: &Message,
    was_stub: bool,
) -> Result<(), StoreError> {
    let mut rows = Rows::default();
    rows.message(mid, m);
    if was_stub {
        rows.recorded(c, &[mid]).await?;
    }
    rows.insert(c).await
}

/// Indexes that message `mid` of `account`, sent at `sent_at`, has an
/// event of type `kind`.
pub(crate) async fn index_event(
    c: &impl Db,
    mid: i64,
    account: &str,
    sent_at: Millis,
    kind: EventType,
) -> Result<(), StoreError> {
    let mut rows = Rows::default();
    rows.push(account, &event_term(kind), sent_at, mid);
    rows.insert(c).await
}

/// Messages [`backfill`] reads at a time.
const BACKFILL_PAGE: i64 = 2_000;

/// Fills `search_terms` from every stored message and record, a page of
/// messages at a time (memory stays flat whatever the database holds):
/// the Rust half of the migration that keys the index by hash.
pub(crate) async fn backfill(c: &impl Db) -> Result<(), StoreError> {
    let mut after = i64::MIN;
    loop {
        let page = query(
            c,
            "SELECT mid, message_id, account_id, from_address, subject, tags,
                    configuration_set, sent_at, recipients
             FROM messages WHERE mid > $1 AND from_address IS NOT NULL
             ORDER BY mid LIMIT $2",
            &[&after, &BACKFILL_PAGE],
        )
        .await?;
        let Some(last) = page.last() else {
            return Ok(());
        };
        after = col(last, 0)?;
        let mut rows = Rows::default();
        let mut mids = Vec::with_capacity(page.len());
        for r in &page {
            let mid: i64 = col(r, 0)?;
            let m = Message {
                message_id: col(r, 1)?,
                account_id: col(r, 2)?,
                from_address: col(r, 3)?,
                subject: col(r, 4)?,
                tags: lenient(col(r, 5)?, mid),
                configuration_set: col(r, 6)?,
                sent_at: col(r, 7)?,
                recipients: lenient(col(r, 8)?, mid),
            };
            rows.message(mid, &m);
            mids.push(mid);
        }
        rows.recorded(c, &mids).await?;
        rows.insert(c).await?;
    }
}

/// One term's messages (key `$2`) in `[$3, $4]` before `($4, $5)`, newest
/// first, each with whether it carries every term key of `$6`; at most
/// `$7`. `$1` is unused.
const SCAN_BY_TERM: &str = "SELECT s.sent_at, s.mid,
            (SELECT count(*) FROM search_terms o
             WHERE o.term_key = ANY($6) AND o.sent_at = s.sent_at
               AND o.mid = s.mid) = cardinality($6::bigint[])
     FROM search_terms s
     WHERE $1::text IS NOT NULL AND s.term_key = $2 AND s.sent_at >= $3 AND s.sent_at <= $4
       AND (s.sent_at < $4 OR s.mid < $5)
     ORDER BY s.sent_at DESC, s.mid DESC LIMIT $7";
/// [`SCAN_BY_TERM`] without a term: every real message, by
/// `messages_by_account_time`. `$2` is unused.
const SCAN_BY_TIME: &str = "SELECT s.sent_at, s.mid,
            (SELECT count(*) FROM search_terms o
             WHERE o.term_key = ANY($6) AND o.sent_at = s.sent_at
               AND o.mid = s.mid) = cardinality($6::bigint[])
     FROM messages s
     WHERE s.account_id = $1 AND $2::bigint IS NULL AND s.sent_at >= $3 AND s.sent_at <= $4
       AND (s.sent_at < $4 OR s.mid < $5) AND s.from_address IS NOT NULL
     ORDER BY s.sent_at DESC, s.mid DESC LIMIT $7";

/// One page of the account's messages matching `q`, newest first, after
/// `cursor`.
pub(crate) async fn search(
    c: &impl Db,
    account: &str,
    q: &SearchQuery,
    cursor: Option<SearchCursor>,
    limit: usize,
) -> Result<SearchPage, StoreError> {
    let budget = SCAN_BUDGET;
    let limit = limit.clamp(1, MAX_PAGE);
    let Some(Window { lo, hi, key }) = q.window(cursor) else {
        return Ok(SearchPage::default());
    };
    let terms = q.terms();
    let driver = rarest(c, account, terms, lo, hi).await?;
    let others: Vec<i64> = terms
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != driver)
        .map(|(_, t)| term_key(account, t))
        .collect();
    let (sql, term) = match driver {
        Some(t) => (SCAN_BY_TERM, Some(term_key(account, &terms[t]))),
        None => (SCAN_BY_TIME, None),
    };
    // One more than the budget: a row past it means there is more to read.
    let rows = query(
        c,
        sql,
        &[
            &account,
            &term,
            &lo,
            &hi,
            &key,
            &others,
            &(budget as i64 + 1),
        ],
    )
    .await?;
    let (mut found, mut examined, mut last) = (Vec::new(), 0usize, None);
    let mut more = false;
    for r in &rows {
        let at = SearchCursor {
            sent_at: col(r, 0)?,
            key: col(r, 1)?,
        };
        if examined == budget {
            more = true;
            break;
        }
        examined += 1;
        if col::<bool>(r, 2)? {
            if found.len() == limit {
                more = true;
                break;
            }
            found.push(at);
        }
        last = Some(at);
    }
    let next = if !more {
        None
    } else if found.len() == limit {
        found.last().copied()
    } else {
        last
    };
    let mut messages = Vec::with_capacity(found.len());
    for at in found {
        if let Some(m) = summary(c, at.key).await? {
            messages.push(m);
        }
    }
    Ok(SearchPage { messages, next })
}

/// The index of the term with the fewest entries in `[lo, hi]`, counting
/// at most [`PROBE`] of each (ties: the first given); `None` without terms.
async fn rarest(
    c: &impl Db,
    account: &str,
    terms: &[String],
    lo: Millis,
    hi: Millis,
) -> Result<Option<usize>, StoreError> {
    if terms.len() < 2 {
        return Ok((!terms.is_empty()).then_some(0));
    }
    let mut best: Option<(usize, i64)> = None;
    for (i, t) in terms.iter().enumerate() {
        let n: i64 = col(
            &query_one(
                c,
                "SELECT count(*) FROM (SELECT 1 FROM search_terms
                     WHERE term_key = $1 AND sent_at >= $2 AND sent_at <= $3
                     LIMIT $4) AS probe",
                &[&term_key(account, t), &lo, &hi, &PROBE],
            )
            .await?,
            0,
        )?;
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
async fn summary(c: &impl Db, mid: i64) -> Result<Option<MessageSummary>, StoreError> {
    let Some(row) = query_opt(
        c,
        "SELECT message_id, from_address, subject, tags, configuration_set, sent_at, recipients
         FROM messages WHERE mid = $1 AND from_address IS NOT NULL",
        &[&mid],
    )
    .await?
    else {
        return Ok(None);
    };
    let listed: Vec<Recipient> = serde_json::from_str(col::<&str>(&row, 6)?)?;
    let rows = query(
        c,
        "SELECT recipient, event_type, timestamp FROM events
         WHERE mid = $1 ORDER BY recipient, timestamp, record_id",
        &[&mid],
    )
    .await?;
    let events = rows
        .iter()
        .map(|r| {
            Ok((
                col::<String>(r, 0)?,
                super::events::event_type(col(r, 1)?)?,
                col::<Millis>(r, 2)?,
            ))
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let recipients = recipient_summaries(listed, events);
    Ok(Some(MessageSummary {
        message_id: col(&row, 0)?,
        from_address: col(&row, 1)?,
        subject: col(&row, 2)?,
        sent_at: col(&row, 5)?,
        configuration_set: col(&row, 4)?,
        tags: serde_json::from_str(col::<&str>(&row, 3)?)?,
        recipients,
    }))
}
