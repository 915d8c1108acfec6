//! Configuration sets and their event destinations (the
//! `configuration_sets` and `event_destinations` tables).

use super::db::{Db, col, execute, insert_new, query, query_opt};
use crate::error::StoreError;
use crate::types::*;

pub(crate) async fn create_set(
    c: &impl Db,
    acct: &str,
    set: &ConfigurationSet,
) -> Result<(), StoreError> {
    insert_new(
        c,
        "INSERT INTO configuration_sets (account_id, name, options, created_at)
         VALUES ($1, $2, $3, $4)",
        &[&acct, &set.name, &set.options.to_string(), &set.created_at],
        || format!("Configuration set <{}>", set.name),
    )
    .await?;
    Ok(())
}

pub(crate) async fn get_set(
    c: &impl Db,
    acct: &str,
    name: &str,
) -> Result<Option<ConfigurationSet>, StoreError> {
    let row = query_opt(
        c,
        "SELECT options, created_at FROM configuration_sets WHERE account_id = $1 AND name = $2",
        &[&acct, &name],
    )
    .await?;
    row.map(|r| {
        Ok(ConfigurationSet {
            name: name.to_owned(),
            options: serde_json::from_str(col::<&str>(&r, 0)?)?,
            created_at: col(&r, 1)?,
        })
    })
    .transpose()
}

fn set_missing(name: &str) -> StoreError {
    StoreError::NotFound(format!("Configuration set <{name}>"))
}

pub(crate) async fn update_set(
    c: &impl Db,
    acct: &str,
    name: &str,
    options: &serde_json::Value,
) -> Result<(), StoreError> {
    let n = execute(
        c,
        "UPDATE configuration_sets SET options = $3 WHERE account_id = $1 AND name = $2",
        &[&acct, &name, &options.to_string()],
    )
    .await?;
    if n == 0 {
        Err(set_missing(name))
    } else {
        Ok(())
    }
}

pub(crate) async fn list_sets(
    c: &impl Db,
    acct: &str,
    contains: Option<&str>,
    after: Option<&str>,
    limit: usize,
) -> Result<Page<String>, StoreError> {
    // strpos() keeps the filter literal, where LIKE would treat % and _ as wildcards.
    let rows = query(
        c,
        "SELECT name FROM configuration_sets
         WHERE account_id = $1 AND name > $2 AND ($3::text IS NULL OR strpos(name, $3) > 0)
         ORDER BY name LIMIT $4",
        &[&acct, &after.unwrap_or(""), &contains, &(limit as i64 + 1)],
    )
    .await?;
    let names = rows
        .iter()
        .map(|r| col::<String>(r, 0))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(paginate(names, limit, |n| n.clone()))
}

pub(crate) async fn delete_set(c: &impl Db, acct: &str, name: &str) -> Result<(), StoreError> {
    let n = execute(
        c,
        "DELETE FROM configuration_sets WHERE account_id = $1 AND name = $2",
        &[&acct, &name],
    )
    .await?;
    if n == 0 {
        Err(set_missing(name))
    } else {
        Ok(())
    }
}

async fn require_set(c: &impl Db, acct: &str, set: &str) -> Result<(), StoreError> {
    // FOR SHARE: the set cannot be deleted under a destination being added.
    let exists = query_opt(
        c,
        "SELECT 1 FROM configuration_sets WHERE account_id = $1 AND name = $2 FOR SHARE",
        &[&acct, &set],
    )
    .await?
    .is_some();
    if exists {
        Ok(())
    } else {
        Err(set_missing(set))
    }
}

pub(crate) async fn create_destination(
    c: &impl Db,
    acct: &str,
    set: &str,
    d: &EventDestination,
) -> Result<(), StoreError> {
    require_set(c, acct, set).await?;
    insert_new(
        c,
        "INSERT INTO event_destinations
             (account_id, configuration_set, name, enabled, matching_types, definition)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &acct,
            &set,
            &d.name,
            &d.enabled,
            &types_to_text(&d.matching_event_types),
            &d.definition.to_string(),
        ],
        || format!("Event destination <{}>", d.name),
    )
    .await?;
    Ok(())
}

pub(crate) async fn list_destinations(
    c: &impl Db,
    acct: &str,
    set: &str,
) -> Result<Vec<EventDestination>, StoreError> {
    require_set(c, acct, set).await?;
    let rows = query(
        c,
        "SELECT name, enabled, matching_types, definition FROM event_destinations
         WHERE account_id = $1 AND configuration_set = $2 ORDER BY name",
        &[&acct, &set],
    )
    .await?;
    rows.iter()
        .map(|r| {
            Ok(EventDestination {
                name: col(r, 0)?,
                enabled: col(r, 1)?,
                matching_event_types: types_from_text(col(r, 2)?)?,
                definition: serde_json::from_str(col::<&str>(r, 3)?)?,
            })
        })
        .collect()
}

fn destination_missing(name: &str) -> StoreError {
    StoreError::NotFound(format!("Event destination <{name}>"))
}

pub(crate) async fn update_destination(
    c: &impl Db,
    acct: &str,
    set: &str,
    d: &EventDestination,
) -> Result<(), StoreError> {
    require_set(c, acct, set).await?;
    let n = execute(
        c,
        "UPDATE event_destinations SET enabled = $4, matching_types = $5, definition = $6
         WHERE account_id = $1 AND configuration_set = $2 AND name = $3",
        &[
            &acct,
            &set,
            &d.name,
            &d.enabled,
            &types_to_text(&d.matching_event_types),
            &d.definition.to_string(),
        ],
    )
    .await?;
    if n == 0 {
        Err(destination_missing(&d.name))
    } else {
        Ok(())
    }
}

pub(crate) async fn delete_destination(
    c: &impl Db,
    acct: &str,
    set: &str,
    name: &str,
) -> Result<(), StoreError> {
    require_set(c, acct, set).await?;
    let n = execute(
        c,
        "DELETE FROM event_destinations
         WHERE account_id = $1 AND configuration_set = $2 AND name = $3",
        &[&acct, &set, &name],
    )
    .await?;
    if n == 0 {
        Err(destination_missing(name))
    } else {
        Ok(())
    }
}
