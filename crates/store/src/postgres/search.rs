//! Table `search_terms`: the message search index, as `sqlite::search`
//! keeps it (one row per account, term and message, keyed
//! `(account_id, term, sent_at, mid)`), with the terms of
//! [`crate::search`].
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

/// Indexes a message's own terms; `was_stub`: it has just stopped being a
/// stub, so the records it already has are indexed too.
pub(crate) async fn index_message(
    c: &impl Db,
    mid: i64,
    m: &Message,
    was_stub: bool,
) -> Result<(), StoreError> {
    let terms = message_terms(m);
    execute(
        c,
        "INSERT INTO search_terms (account_id, term, sent_at, mid)
         SELECT $1, t, $3, $4 FROM unnest($2::text[]) AS t
         ON CONFLICT DO NOTHING",
        &[&m.account_id, &terms, &m.sent_at, &mid],
    )
    .await?;
    if was_stub {
        execute(
            c,
            "INSERT INTO search_terms (account_id, term, sent_at, mid)
             SELECT DISTINCT m.account_id, 'e:' || r.event_type, m.sent_at, m.mid
             FROM messages m JOIN records r ON r.mid = m.mid
             WHERE m.mid = $1 AND m.from_address IS NOT NULL
             ON CONFLICT DO NOTHING",
            &[&mid],
        )
        .await?;
    }
    Ok(())
}

/// Indexes that the message has an event of type `kind` (nothing for a stub).
pub(crate) async fn index_event(c: &impl Db, mid: i64, kind: EventType) -> Result<(), StoreError> {
    execute(
        c,
        "INSERT INTO search_terms (account_id, term, sent_at, mid)
         SELECT account_id, $2, sent_at, mid FROM messages
         WHERE mid = $1 AND from_address IS NOT NULL
         ON CONFLICT DO NOTHING",
        &[&mid, &event_term(kind)],
    )
    .await?;
    Ok(())
}

/// One term's messages in `[$3, $4]` before `($4, $5)`, newest first, each
/// with whether it carries every term of `$6`; at most `$7`.
const SCAN_BY_TERM: &str = "SELECT s.sent_at, s.mid,
            (SELECT count(*) FROM search_terms o
             WHERE o.account_id = $1 AND o.term = ANY($6) AND o.sent_at = s.sent_at
               AND o.mid = s.mid) = cardinality($6::text[])
     FROM search_terms s
     WHERE s.account_id = $1 AND s.term = $2 AND s.sent_at >= $3 AND s.sent_at <= $4
       AND (s.sent_at < $4 OR s.mid < $5)
     ORDER BY s.sent_at DESC, s.mid DESC LIMIT $7";
/// [`SCAN_BY_TERM`] without a term: every real message, by
/// `messages_by_account_time`. `$2` is unused.
const SCAN_BY_TIME: &str = "SELECT s.sent_at, s.mid,
            (SELECT count(*) FROM search_terms o
             WHERE o.account_id = $1 AND o.term = ANY($6) AND o.sent_at = s.sent_at
               AND o.mid = s.mid) = cardinality($6::text[])
     FROM messages s
     WHERE s.account_id = $1 AND $2::text IS NULL AND s.sent_at >= $3 AND s.sent_at <= $4
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
    let others: Vec<&str> = terms
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != driver)
        .map(|(_, t)| t.as_str())
        .collect();
    let (sql, term) = match driver {
        Some(t) => (SCAN_BY_TERM, Some(terms[t].as_str())),
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
                     WHERE account_id = $1 AND term = $2 AND sent_at >= $3 AND sent_at <= $4
                     LIMIT $5) AS probe",
                &[&account, t, &lo, &hi, &PROBE],
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
