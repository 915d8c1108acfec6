//! Table `secrets` (schema version 11): per-install secrets by name.

use rusqlite::{Connection, params};

use crate::error::StoreError;
use crate::types::Millis;

pub(crate) fn adopt(
    c: &Connection,
    name: &str,
    candidate: &[u8],
    now: Millis,
) -> Result<Vec<u8>, StoreError> {
    c.prepare_cached(
        "INSERT INTO secrets (name, value, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (name) DO NOTHING",
    )?
    .execute(params![name, candidate, now])?;
    Ok(
        c.prepare_cached("SELECT value FROM secrets WHERE name = ?1")?
            .query_row(params![name], |r| r.get(0))?,
    )
}
