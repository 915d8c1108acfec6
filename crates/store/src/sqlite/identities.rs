//! Identities (the `identities` table): verified senders, by address or
//! domain, each with its [`IdentityAttributes`] as JSON (`attributes`).

use rusqlite::{Connection, OptionalExtension, params};

use super::configuration_sets::{paginate, taken};
use crate::error::StoreError;
use crate::types::*;

pub(crate) fn create_identity(c: &Connection, acct: &str, i: &Identity) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO identities (account_id, name, identity_type, tags, configuration_set, created_at, attributes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![acct, i.name, i.identity_type.as_str(), i.tags.to_string(), i.configuration_set, i.created_at,
                serde_json::to_string(&i.attributes)?],
    )
    .map_err(|e| taken(e, || format!("Email identity <{}>", i.name)))?;
    Ok(())
}

const IDENTITY_COLUMNS: &str =
    "name, identity_type, tags, configuration_set, created_at, attributes";

type IdentityRow = (String, String, String, Option<String>, i64, String);

fn identity_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<IdentityRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

fn identity_from_parts(p: IdentityRow) -> Result<Identity, StoreError> {
    let (name, kind, tags, configuration_set, created_at, attributes) = p;
    Ok(Identity {
        identity_type: IdentityType::parse(&kind)
            .ok_or_else(|| StoreError::Backend(format!("unknown identity type {kind}")))?,
        name,
        tags: serde_json::from_str(&tags)?,
        configuration_set,
        created_at,
        attributes: serde_json::from_str(&attributes)?,
    })
}

pub(crate) fn get_identity(
    c: &Connection,
    acct: &str,
    name: &str,
) -> Result<Option<Identity>, StoreError> {
    c.prepare_cached(&format!(
        "SELECT {IDENTITY_COLUMNS} FROM identities WHERE account_id = ?1 AND name = ?2"
    ))?
    .query_row(params![acct, name], identity_from_row)
    .optional()?
    .map(identity_from_parts)
    .transpose()
}

pub(crate) fn list_identities(
    c: &Connection,
    acct: &str,
    after: Option<&str>,
    limit: usize,
) -> Result<Page<Identity>, StoreError> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {IDENTITY_COLUMNS} FROM identities WHERE account_id = ?1 AND name > ?2 ORDER BY name LIMIT ?3"
    ))?;
    let rows = stmt
        .query_map(
            params![acct, after.unwrap_or(""), limit as i64 + 1],
            identity_from_row,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    let items = rows
        .into_iter()
        .map(identity_from_parts)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(paginate(items, limit, |i| i.name.clone()))
}

pub(crate) fn delete_identity(c: &Connection, acct: &str, name: &str) -> Result<(), StoreError> {
    let n = c.execute(
        "DELETE FROM identities WHERE account_id = ?1 AND name = ?2",
        params![acct, name],
    )?;
    if n == 0 {
        Err(StoreError::NotFound(format!("Email identity <{name}>")))
    } else {
        Ok(())
    }
}

pub(crate) fn set_tags(
    c: &Connection,
    acct: &str,
    name: &str,
    tags: &serde_json::Value,
) -> Result<(), StoreError> {
    set_json(c, acct, name, Column::Tags, tags.to_string())
}

pub(crate) fn set_attributes(
    c: &Connection,
    acct: &str,
    name: &str,
    attributes: &IdentityAttributes,
) -> Result<(), StoreError> {
    set_json(
        c,
        acct,
        name,
        Column::Attributes,
        serde_json::to_string(attributes)?,
    )
}

/// The identity columns kept as JSON text.
enum Column {
    Tags,
    Attributes,
}

/// Replaces one JSON column of an existing identity.
pub(crate) fn set_configuration_set(
    c: &Connection,
    acct: &str,
    name: &str,
    set: Option<&str>,
) -> Result<(), StoreError> {
    let n = c
        .prepare_cached(
            "UPDATE identities SET configuration_set = ?3 WHERE account_id = ?1 AND name = ?2",
        )?
        .execute(params![acct, name, set])?;
    if n == 0 {
        Err(StoreError::NotFound(format!("Email identity <{name}>")))
    } else {
        Ok(())
    }
}

fn set_json(
    c: &Connection,
    acct: &str,
    name: &str,
    column: Column,
    json: String,
) -> Result<(), StoreError> {
    let sql = match column {
        Column::Tags => "UPDATE identities SET tags = ?3 WHERE account_id = ?1 AND name = ?2",
        Column::Attributes => {
            "UPDATE identities SET attributes = ?3 WHERE account_id = ?1 AND name = ?2"
        }
    };
    let n = c.prepare_cached(sql)?.execute(params![acct, name, json])?;
    if n == 0 {
        Err(StoreError::NotFound(format!("Email identity <{name}>")))
    } else {
        Ok(())
    }
}
