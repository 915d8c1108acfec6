//! Identities (the `identities` table): verified senders, by address or
//! domain, each with its [`IdentityAttributes`] as JSON (`attributes`).

use tokio_postgres::Row;

use super::db::{Db, col, execute, insert_new, query, query_opt};
use crate::error::StoreError;
use crate::types::*;

pub(crate) async fn create_identity(
    c: &impl Db,
    acct: &str,
    i: &Identity,
) -> Result<(), StoreError> {
    insert_new(
        c,
        "INSERT INTO identities (account_id, name, identity_type, tags, configuration_set, created_at, attributes)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &acct,
            &i.name,
            &i.identity_type.as_str(),
            &i.tags.to_string(),
            &i.configuration_set,
            &i.created_at,
            &serde_json::to_string(&i.attributes)?,
        ],
        || format!("Email identity <{}>", i.name),
    )
    .await?;
    Ok(())
}

const IDENTITY_COLUMNS: &str =
    "name, identity_type, tags, configuration_set, created_at, attributes";

fn identity_from_row(r: &Row) -> Result<Identity, StoreError> {
    let kind: &str = col(r, 1)?;
    Ok(Identity {
        identity_type: IdentityType::parse(kind)
            .ok_or_else(|| StoreError::Backend(format!("unknown identity type {kind}")))?,
        name: col(r, 0)?,
        tags: serde_json::from_str(col::<&str>(r, 2)?)?,
        configuration_set: col(r, 3)?,
        created_at: col(r, 4)?,
        attributes: serde_json::from_str(col::<&str>(r, 5)?)?,
    })
}

pub(crate) async fn get_identity(
    c: &impl Db,
    acct: &str,
    name: &str,
) -> Result<Option<Identity>, StoreError> {
    query_opt(
        c,
        &format!("SELECT {IDENTITY_COLUMNS} FROM identities WHERE account_id = $1 AND name = $2"),
        &[&acct, &name],
    )
    .await?
    .map(|r| identity_from_row(&r))
    .transpose()
}

pub(crate) async fn list_identities(
    c: &impl Db,
    acct: &str,
    after: Option<&str>,
    limit: usize,
) -> Result<Page<Identity>, StoreError> {
    let rows = query(
        c,
        &format!(
            "SELECT {IDENTITY_COLUMNS} FROM identities WHERE account_id = $1 AND name > $2
             ORDER BY name LIMIT $3"
        ),
        &[&acct, &after.unwrap_or(""), &(limit as i64 + 1)],
    )
    .await?;
    let items = rows
        .iter()
        .map(identity_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(paginate(items, limit, |i| i.name.clone()))
}

pub(crate) async fn delete_identity(c: &impl Db, acct: &str, name: &str) -> Result<(), StoreError> {
    let n = execute(
        c,
        "DELETE FROM identities WHERE account_id = $1 AND name = $2",
        &[&acct, &name],
    )
    .await?;
    if n == 0 {
        Err(StoreError::NotFound(format!("Email identity <{name}>")))
    } else {
        Ok(())
    }
}

pub(crate) async fn set_configuration_set(
    c: &impl Db,
    acct: &str,
    name: &str,
    set: Option<&str>,
) -> Result<(), StoreError> {
    let n = execute(
        c,
        "UPDATE identities SET configuration_set = $3 WHERE account_id = $1 AND name = $2",
        &[&acct, &name, &set],
    )
    .await?;
    if n == 0 {
        Err(StoreError::NotFound(format!("Email identity <{name}>")))
    } else {
        Ok(())
    }
}

pub(crate) async fn set_tags(
    c: &impl Db,
    acct: &str,
    name: &str,
    tags: &serde_json::Value,
) -> Result<(), StoreError> {
    set_json(c, acct, name, Column::Tags, tags.to_string()).await
}

pub(crate) async fn set_attributes(
    c: &impl Db,
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
    .await
}

/// The identity columns kept as JSON text.
enum Column {
    Tags,
    Attributes,
}

/// Replaces one JSON column of an existing identity.
async fn set_json(
    c: &impl Db,
    acct: &str,
    name: &str,
    column: Column,
    json: String,
) -> Result<(), StoreError> {
    let sql = match column {
        Column::Tags => "UPDATE identities SET tags = $3 WHERE account_id = $1 AND name = $2",
        Column::Attributes => {
            "UPDATE identities SET attributes = $3 WHERE account_id = $1 AND name = $2"
        }
    };
    let n = execute(c, sql, &[&acct, &name, &json]).await?;
    if n == 0 {
        Err(StoreError::NotFound(format!("Email identity <{name}>")))
    } else {
        Ok(())
    }
}
