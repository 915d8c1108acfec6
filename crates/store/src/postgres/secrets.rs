//! Table `secrets` (migration 3): per-install secrets by name, shared by
//! every instance on the database.

use super::db::{Db, execute, query_one};
use crate::error::StoreError;
use crate::types::Millis;

pub(crate) async fn adopt(
    c: &impl Db,
    name: &str,
    candidate: &[u8],
    now: Millis,
) -> Result<Vec<u8>, StoreError> {
    // Two instances starting together both insert; the unique name lets one
    // row in, and both read that one back.
    execute(
        c,
        "INSERT INTO secrets (name, value, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO NOTHING",
        &[&name, &candidate, &now],
    )
    .await?;
    let row = query_one(c, "SELECT value FROM secrets WHERE name = $1", &[&name]).await?;
    Ok(row.try_get(0)?)
}
