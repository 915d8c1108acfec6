//! Items (schema version 4): one table of account-scoped JSON documents,
//! the stored MIME of sent messages, and machine-activity marks.

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::StoreError;
use crate::items::{Item, ItemKind, PutMode};
use crate::types::{Millis, Page};

use super::configuration_sets::paginate;

fn name(kind: ItemKind, key: &str) -> String {
    format!("{} <{key}>", kind.as_str())
}

pub(crate) fn put(
    c: &Connection,
    acct: &str,
    kind: ItemKind,
    key: &str,
    body: &serde_json::Value,
    mode: PutMode,
    now: Millis,
) -> Result<(), StoreError> {
    if mode != PutMode::Upsert {
        let exists: bool = c
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM items WHERE account_id = ?1 AND kind = ?2 AND key = ?3)",
            )?
            .query_row(params![acct, kind.as_str(), key], |r| r.get(0))?;
        match (mode, exists) {
            (PutMode::Create, true) => return Err(StoreError::AlreadyExists(name(kind, key))),
            (PutMode::Replace, false) => return Err(StoreError::NotFound(name(kind, key))),
            _ => {}
        }
    }
    c.prepare_cached(
        "INSERT INTO items (account_id, kind, key, body, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)
         ON CONFLICT (account_id, kind, key) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
    )?
    .execute(params![acct, kind.as_str(), key, body.to_string(), now])?;
    Ok(())
}

type Row = (String, String, i64, i64);

fn to_item((key, body, created_at, updated_at): Row) -> Result<Item, StoreError> {
    Ok(Item {
        key,
        body: serde_json::from_str(&body)?,
        created_at,
        updated_at,
    })
}

pub(crate) fn get(
    c: &Connection,
    acct: &str,
    kind: ItemKind,
    key: &str,
) -> Result<Option<Item>, StoreError> {
    c.prepare_cached(
        "SELECT key, body, created_at, updated_at FROM items
         WHERE account_id = ?1 AND kind = ?2 AND key = ?3",
    )?
    .query_row(params![acct, kind.as_str(), key], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })
    .optional()?
    .map(to_item)
    .transpose()
}

pub(crate) fn list(
    c: &Connection,
    acct: &str,
    kind: ItemKind,
    prefix: &str,
    after: Option<&str>,
    limit: usize,
) -> Result<Page<Item>, StoreError> {
    // Keys compare as bytes (BINARY collation), so "after the cursor and
    // starting with the prefix" is a range scan of the primary key.
    let start = after.filter(|a| *a >= prefix).unwrap_or(prefix);
    let strict = after.is_some_and(|a| a >= prefix);
    let sql = if strict {
        "SELECT key, body, created_at, updated_at FROM items
         WHERE account_id = ?1 AND kind = ?2 AND key > ?3 AND substr(key, 1, length(?4)) = ?4
         ORDER BY key LIMIT ?5"
    } else {
        "SELECT key, body, created_at, updated_at FROM items
         WHERE account_id = ?1 AND kind = ?2 AND key >= ?3 AND substr(key, 1, length(?4)) = ?4
         ORDER BY key LIMIT ?5"
    };
    let rows = c
        .prepare_cached(sql)?
        .query_map(
            params![acct, kind.as_str(), start, prefix, (limit + 1) as i64],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?
        .collect::<Result<Vec<Row>, _>>()?;
    let items = rows
        .into_iter()
        .map(to_item)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(paginate(items, limit, |i| i.key.clone()))
}

pub(crate) fn delete(
    c: &Connection,
    acct: &str,
    kind: ItemKind,
    key: &str,
) -> Result<bool, StoreError> {
    let n = c
        .prepare_cached("DELETE FROM items WHERE account_id = ?1 AND kind = ?2 AND key = ?3")?
        .execute(params![acct, kind.as_str(), key])?;
    Ok(n > 0)
}

pub(crate) fn delete_prefix(
    c: &Connection,
    acct: &str,
    kind: ItemKind,
    prefix: &str,
) -> Result<usize, StoreError> {
    let n = c
        .prepare_cached(
            "DELETE FROM items WHERE account_id = ?1 AND kind = ?2 AND substr(key, 1, length(?3)) = ?3",
        )?
        .execute(params![acct, kind.as_str(), prefix])?;
    Ok(n)
}

pub(crate) fn put_content(
    c: &Connection,
    acct: &str,
    message_id: &str,
    contents: &[(String, Vec<u8>)],
) -> Result<(), StoreError> {
    let mut stmt = c.prepare_cached(
        "INSERT OR REPLACE INTO message_content (message_id, recipient, account_id, mime)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (recipient, mime) in contents {
        stmt.execute(params![
            message_id,
            recipient.to_ascii_lowercase(),
            acct,
            mime
        ])?;
    }
    Ok(())
}

pub(crate) fn content(
    c: &Connection,
    acct: &str,
    message_id: &str,
    recipient: Option<&str>,
) -> Result<Option<Vec<u8>>, StoreError> {
    let mut stmt = c.prepare_cached(
        "SELECT mime FROM message_content WHERE message_id = ?1 AND recipient = ?2 AND account_id = ?3",
    )?;
    if let Some(r) = recipient {
        let own = stmt
            .query_row(params![message_id, r.to_ascii_lowercase(), acct], |r| {
                r.get(0)
            })
            .optional()?;
        if own.is_some() {
            return Ok(own);
        }
    }
    Ok(stmt
        .query_row(params![message_id, "", acct], |r| r.get(0))
        .optional()?)
}

pub(crate) fn mark_machine(
    c: &Connection,
    records: &[crate::types::NewRecord],
) -> Result<(), StoreError> {
    let mut stmt = c.prepare_cached(
        "INSERT OR IGNORE INTO machine_activity (dedupe_key, account_id, message_id, reason)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for r in records {
        if let Some(reason) = &r.machine {
            stmt.execute(params![r.dedupe_key, r.account_id, r.message_id, reason])?;
        }
    }
    Ok(())
}

pub(crate) fn machine_activity(
    c: &Connection,
    acct: &str,
    message_id: &str,
) -> Result<Vec<crate::items::MachineActivity>, StoreError> {
    let rows = c
        .prepare_cached(
            "SELECT dedupe_key, reason FROM machine_activity
             WHERE message_id = ?1 AND account_id = ?2 ORDER BY rowid",
        )?
        .query_map(params![message_id, acct], |r| {
            Ok(crate::items::MachineActivity {
                dedupe_key: r.get(0)?,
                reason: r.get(1)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}
