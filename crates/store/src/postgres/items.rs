//! Items: account-scoped JSON documents (templates, contacts, suppression,
//! settings), the stored MIME of sent messages, and machine-activity marks,
//! as `sqlite::items` keeps them.

use tokio_postgres::Row;

use super::db::{Db, col, execute, query, query_opt};
use crate::error::StoreError;
use crate::items::{Item, ItemKind, MachineActivity, PutMode};
use crate::types::{Millis, NewRecord, Page, paginate};

fn name(kind: ItemKind, key: &str) -> String {
    format!("{} <{key}>", kind.as_str())
}

pub(crate) async fn put(
    c: &impl Db,
    acct: &str,
    kind: ItemKind,
    key: &str,
    body: &serde_json::Value,
    mode: PutMode,
    now: Millis,
) -> Result<(), StoreError> {
    let body = body.to_string();
    let params: [&(dyn tokio_postgres::types::ToSql + Sync); 5] =
        [&acct, &kind.as_str(), &key, &body, &now];
    // Each mode is one statement, so that two processes putting the same
    // key at once cannot both see it missing.
    let n = match mode {
        PutMode::Upsert => {
            execute(
                c,
                "INSERT INTO items (account_id, kind, key, body, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $5)
                 ON CONFLICT (account_id, kind, key)
                 DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
                &params,
            )
            .await?
        }
        PutMode::Create => {
            execute(
                c,
                "INSERT INTO items (account_id, kind, key, body, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT DO NOTHING",
                &params,
            )
            .await?
        }
        PutMode::Replace => {
            execute(
                c,
                "UPDATE items SET body = $4, updated_at = $5
                 WHERE account_id = $1 AND kind = $2 AND key = $3",
                &params,
            )
            .await?
        }
    };
    match (mode, n) {
        (PutMode::Create, 0) => Err(StoreError::AlreadyExists(name(kind, key))),
        (PutMode::Replace, 0) => Err(StoreError::NotFound(name(kind, key))),
        _ => Ok(()),
    }
}

fn to_item(r: &Row) -> Result<Item, StoreError> {
    Ok(Item {
        key: col(r, 0)?,
        body: serde_json::from_str(col::<&str>(r, 1)?)?,
        created_at: col(r, 2)?,
        updated_at: col(r, 3)?,
    })
}

pub(crate) async fn get(
    c: &impl Db,
    acct: &str,
    kind: ItemKind,
    key: &str,
) -> Result<Option<Item>, StoreError> {
    query_opt(
        c,
        "SELECT key, body, created_at, updated_at FROM items
         WHERE account_id = $1 AND kind = $2 AND key = $3",
        &[&acct, &kind.as_str(), &key],
    )
    .await?
    .map(|r| to_item(&r))
    .transpose()
}

pub(crate) async fn list(
    c: &impl Db,
    acct: &str,
    kind: ItemKind,
    prefix: &str,
    after: Option<&str>,
    limit: usize,
) -> Result<Page<Item>, StoreError> {
    // Keys compare as bytes (COLLATE "C"), so "after the cursor and
    // starting with the prefix" is a range of the primary key.
    let start = after.filter(|a| *a >= prefix).unwrap_or(prefix);
    let strict = after.is_some_and(|a| a >= prefix);
    let sql = if strict {
        "SELECT key, body, created_at, updated_at FROM items
         WHERE account_id = $1 AND kind = $2 AND key > $3 AND starts_with(key, $4)
         ORDER BY key LIMIT $5"
    } else {
        "SELECT key, body, created_at, updated_at FROM items
         WHERE account_id = $1 AND kind = $2 AND key >= $3 AND starts_with(key, $4)
         ORDER BY key LIMIT $5"
    };
    let rows = query(
        c,
        sql,
        &[&acct, &kind.as_str(), &start, &prefix, &(limit as i64 + 1)],
    )
    .await?;
    let items = rows.iter().map(to_item).collect::<Result<Vec<_>, _>>()?;
    Ok(paginate(items, limit, |i| i.key.clone()))
}

pub(crate) async fn delete(
    c: &impl Db,
    acct: &str,
    kind: ItemKind,
    key: &str,
) -> Result<bool, StoreError> {
    let n = execute(
        c,
        "DELETE FROM items WHERE account_id = $1 AND kind = $2 AND key = $3",
        &[&acct, &kind.as_str(), &key],
    )
    .await?;
    Ok(n > 0)
}

pub(crate) async fn delete_prefix(
    c: &impl Db,
    acct: &str,
    kind: ItemKind,
    prefix: &str,
) -> Result<usize, StoreError> {
    let n = execute(
        c,
        "DELETE FROM items WHERE account_id = $1 AND kind = $2 AND starts_with(key, $3)",
        &[&acct, &kind.as_str(), &prefix],
    )
    .await?;
    Ok(n as usize)
}

pub(crate) async fn put_content(
    c: &impl Db,
    acct: &str,
    message_id: &str,
    contents: &[(String, Vec<u8>)],
) -> Result<(), StoreError> {
    for (recipient, mime) in contents {
        execute(
            c,
            "INSERT INTO message_content (message_id, recipient, account_id, mime)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (message_id, recipient)
             DO UPDATE SET account_id = excluded.account_id, mime = excluded.mime",
            &[&message_id, &recipient.to_ascii_lowercase(), &acct, mime],
        )
        .await?;
    }
    Ok(())
}

pub(crate) async fn content(
    c: &impl Db,
    acct: &str,
    message_id: &str,
    recipient: Option<&str>,
) -> Result<Option<Vec<u8>>, StoreError> {
    const SQL: &str = "SELECT mime FROM message_content
         WHERE message_id = $1 AND recipient = $2 AND account_id = $3";
    if let Some(r) = recipient {
        let own = query_opt(c, SQL, &[&message_id, &r.to_ascii_lowercase(), &acct]).await?;
        if let Some(row) = own {
            return Ok(Some(col(&row, 0)?));
        }
    }
    query_opt(c, SQL, &[&message_id, &"", &acct])
        .await?
        .map(|row| col(&row, 0))
        .transpose()
}

pub(crate) async fn mark_machine(c: &impl Db, records: &[NewRecord]) -> Result<(), StoreError> {
    for r in records {
        if let Some(reason) = &r.machine {
            execute(
                c,
                "INSERT INTO machine_activity (dedupe_key, account_id, message_id, reason)
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                &[&r.dedupe_key, &r.account_id, &r.message_id, reason],
            )
            .await?;
        }
    }
    Ok(())
}

pub(crate) async fn machine_activity(
    c: &impl Db,
    acct: &str,
    message_id: &str,
) -> Result<Vec<MachineActivity>, StoreError> {
    let rows = query(
        c,
        "SELECT dedupe_key, reason FROM machine_activity
         WHERE message_id = $1 AND account_id = $2 ORDER BY id",
        &[&message_id, &acct],
    )
    .await?;
    rows.iter()
        .map(|r| {
            Ok(MachineActivity {
                dedupe_key: col(r, 0)?,
                reason: col(r, 1)?,
            })
        })
        .collect()
}
