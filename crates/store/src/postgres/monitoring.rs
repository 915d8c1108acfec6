//! The queries monitoring asks: does the database answer, how big is it,
//! and how far behind is each delivery target. `/health` and `/metrics`
//! call them on every probe and scrape, so each is cheap and bounded.

use super::db::{Db, col, query, query_one};
use crate::error::StoreError;
use crate::types::TargetDepth;

/// One round trip to the server.
pub(crate) async fn ping(c: &impl Db) -> Result<(), StoreError> {
    query_one(c, "SELECT 1", &[]).await?;
    Ok(())
}

/// The whole database as the server counts it (tables, indexes, TOAST).
pub(crate) async fn size_bytes(c: &impl Db) -> Result<u64, StoreError> {
    let n: i64 = col(
        &query_one(c, "SELECT pg_database_size(current_database())", &[]).await?,
        0,
    )?;
    Ok(n.max(0) as u64)
}

/// Walks the distinct targets of `deliveries_by_target` one index seek at a
/// time (a skip scan), so the cost grows with the number of targets and of
/// pending deliveries, not with the delivered history. The oldest pending
/// delivery is the one with the lowest id: ids grow with `created_at`.
pub(crate) async fn outbox_depth(
    c: &impl Db,
    limit: usize,
) -> Result<Vec<TargetDepth>, StoreError> {
    let rows = query(
        c,
        "WITH RECURSIVE t(target) AS (
             SELECT min(target) FROM deliveries
             UNION ALL
             SELECT (SELECT min(target) FROM deliveries WHERE target > t.target)
             FROM t WHERE t.target IS NOT NULL
         )
         SELECT t.target,
                (SELECT count(*) FROM deliveries d
                 WHERE d.target = t.target AND d.status = 'pending'),
                (SELECT o.created_at FROM deliveries o WHERE o.id =
                    (SELECT min(p.id) FROM deliveries p
                     WHERE p.target = t.target AND p.status = 'pending'))
         FROM (SELECT target FROM t WHERE target IS NOT NULL LIMIT $1) t
         ORDER BY t.target",
        &[&(limit as i64)],
    )
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let text: &str = col(r, 0)?;
        // A row the router did not write names no target: skip it rather
        // than fail the scrape.
        let Ok(target) = text.parse() else { continue };
        out.push(TargetDepth {
            target,
            pending: col::<i64>(r, 1)?.max(0) as u64,
            oldest_pending_at: col(r, 2)?,
        });
    }
    Ok(out)
}
