//! Configuration sets and their event destinations (the
//! `configuration_sets` and `event_destinations` tables), and `paginate`,
//! which every listing of the backend uses to cut its pages.

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::StoreError;
pub(crate) use crate::types::paginate;
use crate::types::*;

/// Whether a statement failed on a constraint (a duplicate key).
fn is_constraint(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation
    )
}

/// An insert's error: a key already taken is `AlreadyExists(what)`.
pub(super) fn taken(e: rusqlite::Error, what: impl FnOnce() -> String) -> StoreError {
    if is_constraint(&e) {
        StoreError::AlreadyExists(what())
    } else {
        e.into()
    }
}

pub(crate) fn create_set(
    c: &Connection,
    acct: &str,
    set: &ConfigurationSet,
) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO configuration_sets (account_id, name, options, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![acct, set.name, set.options.to_string(), set.created_at],
    )
    .map_err(|e| taken(e, || format!("Configuration set <{}>", set.name)))?;
    Ok(())
}

pub(crate) fn get_set(
    c: &Connection,
    acct: &str,
    name: &str,
) -> Result<Option<ConfigurationSet>, StoreError> {
    let row = c.prepare_cached("SELECT options, created_at FROM configuration_sets WHERE account_id = ?1 AND name = ?2")?.query_row(
            params![acct, name],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
        )
        .optional()?;
    row.map(|(options, created_at)| {
        Ok(ConfigurationSet {
            name: name.to_owned(),
            options: serde_json::from_str(&options)?,
            created_at,
        })
    })
    .transpose()
}

fn set_missing(name: &str) -> StoreError {
    StoreError::NotFound(format!("Configuration set <{name}>"))
}

pub(crate) fn update_set(
    c: &Connection,
    acct: &str,
    name: &str,
    options: &serde_json::Value,
) -> Result<(), StoreError> {
    let n = c.execute(
        "UPDATE configuration_sets SET options = ?3 WHERE account_id = ?1 AND name = ?2",
        params![acct, name, options.to_string()],
    )?;
    if n == 0 {
        Err(set_missing(name))
    } else {
        Ok(())
    }
}

pub(crate) fn list_sets(
    c: &Connection,
    acct: &str,
    contains: Option<&str>,
    after: Option<&str>,
    limit: usize,
) -> Result<Page<String>, StoreError> {
    // instr() keeps the filter literal, where LIKE would treat % and _ as wildcards.
    let mut stmt = c.prepare_cached(
        "SELECT name FROM configuration_sets
         WHERE account_id = ?1 AND name > ?2 AND (?3 IS NULL OR instr(name, ?3) > 0)
         ORDER BY name LIMIT ?4",
    )?;
    let names = stmt
        .query_map(
            params![acct, after.unwrap_or(""), contains, limit as i64 + 1],
            |r| r.get(0),
        )?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(paginate(names, limit, |n| n.clone()))
}

pub(crate) fn delete_set(c: &Connection, acct: &str, name: &str) -> Result<(), StoreError> {
    let n = c.execute(
        "DELETE FROM configuration_sets WHERE account_id = ?1 AND name = ?2",
        params![acct, name],
    )?;
    if n == 0 {
        Err(set_missing(name))
    } else {
        Ok(())
    }
}

fn require_set(c: &Connection, acct: &str, set: &str) -> Result<(), StoreError> {
    let exists: bool = c
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM configuration_sets WHERE account_id = ?1 AND name = ?2)",
        )?
        .query_row(params![acct, set], |r| r.get(0))?;
    if exists {
        Ok(())
    } else {
        Err(set_missing(set))
    }
}

pub(crate) fn create_destination(
    c: &Connection,
    acct: &str,
    set: &str,
    d: &EventDestination,
) -> Result<(), StoreError> {
    require_set(c, acct, set)?;
    c.execute(
        "INSERT INTO event_destinations
             (account_id, configuration_set, name, enabled, matching_types, definition)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            acct,
            set,
            d.name,
            d.enabled,
            types_to_text(&d.matching_event_types),
            d.definition.to_string()
        ],
    )
    .map_err(|e| taken(e, || format!("Event destination <{}>", d.name)))?;
    Ok(())
}

pub(crate) fn list_destinations(
    c: &Connection,
    acct: &str,
    set: &str,
) -> Result<Vec<EventDestination>, StoreError> {
    require_set(c, acct, set)?;
    let mut stmt = c.prepare_cached(
        "SELECT name, enabled, matching_types, definition FROM event_destinations
         WHERE account_id = ?1 AND configuration_set = ?2 ORDER BY name",
    )?;
    let rows = stmt
        .query_map(params![acct, set], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, bool>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter()
        .map(|(name, enabled, types, definition)| {
            Ok(EventDestination {
                name,
                enabled,
                matching_event_types: types_from_text(&types)?,
                definition: serde_json::from_str(&definition)?,
            })
        })
        .collect()
}

fn destination_missing(name: &str) -> StoreError {
    StoreError::NotFound(format!("Event destination <{name}>"))
}

pub(crate) fn update_destination(
    c: &Connection,
    acct: &str,
    set: &str,
    d: &EventDestination,
) -> Result<(), StoreError> {
    require_set(c, acct, set)?;
    let n = c.execute(
        "UPDATE event_destinations SET enabled = ?4, matching_types = ?5, definition = ?6
         WHERE account_id = ?1 AND configuration_set = ?2 AND name = ?3",
        params![
            acct,
            set,
            d.name,
            d.enabled,
            types_to_text(&d.matching_event_types),
            d.definition.to_string()
        ],
    )?;
    if n == 0 {
        Err(destination_missing(&d.name))
    } else {
        Ok(())
    }
}

pub(crate) fn delete_destination(
    c: &Connection,
    acct: &str,
    set: &str,
    name: &str,
) -> Result<(), StoreError> {
    require_set(c, acct, set)?;
    let n = c.execute(
        "DELETE FROM event_destinations WHERE account_id = ?1 AND configuration_set = ?2 AND name = ?3",
        params![acct, set, name],
    )?;
    if n == 0 {
        Err(destination_missing(name))
    } else {
        Ok(())
    }
}
