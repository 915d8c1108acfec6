//! The queries monitoring asks: is the database there, how big is it, and
//! how far behind is each delivery target. `/health` and `/metrics` call
//! them on every probe and scrape, so each is cheap and bounded.

use rusqlite::{Connection, params};

use crate::error::StoreError;
use crate::types::TargetDepth;

/// One read through the pool: fails if the file cannot be read.
pub(crate) fn ping(c: &Connection) -> Result<(), StoreError> {
    c.prepare_cached("PRAGMA user_version")?
        .query_row([], |r| r.get::<_, i64>(0))?;
    Ok(())
}

/// The database file and its write-ahead log, as the disk sees them.
pub(crate) fn size_bytes(c: &Connection) -> Result<u64, StoreError> {
    let file: String = c
        .prepare_cached("SELECT file FROM pragma_database_list WHERE name = 'main'")?
        .query_row([], |r| r.get(0))?;
    let len = |p: &str| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    Ok(len(&file) + len(&format!("{file}-wal")))
}

/// Walks the distinct targets of `deliveries_by_target` one index seek at a
/// time (a skip scan), so the cost grows with the number of targets and of
/// pending deliveries, not with the delivered history. The oldest pending
/// delivery is the one with the lowest id: ids grow with `created_at`.
pub(crate) fn outbox_depth(c: &Connection, limit: usize) -> Result<Vec<TargetDepth>, StoreError> {
    let mut stmt = c.prepare_cached(
        "WITH RECURSIVE t(target) AS (
             SELECT min(target) FROM deliveries
             UNION ALL
             SELECT (SELECT min(target) FROM deliveries WHERE target > t.target)
             FROM t WHERE t.target IS NOT NULL
             LIMIT ?1
         )
         SELECT t.target,
                (SELECT count(*) FROM deliveries d
                 WHERE d.target = t.target AND d.status = 'pending'),
                (SELECT o.created_at FROM deliveries o WHERE o.id =
                    (SELECT min(p.id) FROM deliveries p
                     WHERE p.target = t.target AND p.status = 'pending'))
         FROM t WHERE t.target IS NOT NULL",
    )?;
    // One more row than asked: the walk ends on a NULL.
    let rows = stmt.query_map(params![limit.saturating_add(1) as i64], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, Option<i64>>(2)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (text, pending, oldest) = row?;
        // A row the router did not write names no target: skip it rather
        // than fail the scrape.
        let Ok(target) = text.parse() else { continue };
        out.push(TargetDepth {
            target,
            pending: pending.max(0) as u64,
            oldest_pending_at: oldest,
        });
    }
    out.truncate(limit);
    Ok(out)
}
