//! Table `export_jobs`: export jobs and their state (schema version 8).

use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter, types::Value as Sql};

use crate::error::StoreError;
use crate::exports::{ExportCursor, ExportFilter, ExportJob, ExportStatus};

const COLUMNS: &str = "account_id, job_id, source_type, status, spec, created_at, completed_at,
                       processed, exported, error, file";

fn to_job(r: &Row<'_>) -> rusqlite::Result<Result<ExportJob, StoreError>> {
    let status: String = r.get(3)?;
    let spec: String = r.get(4)?;
    let job = || -> Result<ExportJob, StoreError> {
        Ok(ExportJob {
            account_id: r.get(0)?,
            job_id: r.get(1)?,
            source_type: r.get(2)?,
            status: ExportStatus::parse(&status)
                .ok_or_else(|| StoreError::Backend(format!("unknown export status {status}")))?,
            spec: serde_json::from_str(&spec)?,
            created_at: r.get(5)?,
            completed_at: r.get(6)?,
            processed: r.get::<_, i64>(7)?.max(0) as u64,
            exported: r.get::<_, i64>(8)?.max(0) as u64,
            error: r.get(9)?,
            file: r.get(10)?,
        })
    };
    Ok(job())
}

fn collect(
    rows: impl Iterator<Item = rusqlite::Result<Result<ExportJob, StoreError>>>,
) -> Result<Vec<ExportJob>, StoreError> {
    rows.map(|r| r?).collect()
}

pub(crate) fn create(c: &Connection, job: &ExportJob) -> Result<(), StoreError> {
    let inserted = c.execute(
        "INSERT INTO export_jobs (account_id, job_id, source_type, status, spec, created_at,
                                  completed_at, processed, exported, error, file)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT DO NOTHING",
        params![
            job.account_id,
            job.job_id,
            job.source_type,
            job.status.as_str(),
            job.spec.to_string(),
            job.created_at,
            job.completed_at,
            job.processed as i64,
            job.exported as i64,
            job.error,
            job.file,
        ],
    )?;
    if inserted == 0 {
        return Err(StoreError::AlreadyExists(format!(
            "export job {}",
            job.job_id
        )));
    }
    Ok(())
}

pub(crate) fn get(
    c: &Connection,
    account: &str,
    id: &str,
) -> Result<Option<ExportJob>, StoreError> {
    c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM export_jobs WHERE account_id = ?1 AND job_id = ?2"
    ))?
    .query_row(params![account, id], to_job)
    .optional()?
    .transpose()
}

pub(crate) fn list(
    c: &Connection,
    account: &str,
    filter: &ExportFilter,
    before: Option<&ExportCursor>,
    limit: usize,
) -> Result<Vec<ExportJob>, StoreError> {
    let mut sql = format!("SELECT {COLUMNS} FROM export_jobs WHERE account_id = ?");
    let mut args: Vec<Sql> = vec![Sql::Text(account.to_owned())];
    if let Some(t) = &filter.source_type {
        sql.push_str(" AND source_type = ?");
        args.push(Sql::Text(t.clone()));
    }
    if let Some(s) = filter.status {
        sql.push_str(" AND status = ?");
        args.push(Sql::Text(s.as_str().to_owned()));
    }
    if let Some(b) = before {
        sql.push_str(" AND (created_at, job_id) < (?, ?)");
        args.push(Sql::Integer(b.created_at));
        args.push(Sql::Text(b.job_id.clone()));
    }
    sql.push_str(" ORDER BY created_at DESC, job_id DESC LIMIT ?");
    args.push(Sql::Integer(limit as i64));
    let mut stmt = c.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(args), to_job)?;
    collect(rows)
}

pub(crate) fn update(
    c: &Connection,
    job: &ExportJob,
    expect: &[ExportStatus],
) -> Result<bool, StoreError> {
    if expect.is_empty() {
        return Ok(false);
    }
    let marks = vec!["?"; expect.len()].join(", ");
    let sql = format!(
        "UPDATE export_jobs SET status = ?, completed_at = ?, processed = ?, exported = ?,
                                error = ?, file = ?
         WHERE account_id = ? AND job_id = ? AND status IN ({marks})"
    );
    let mut args: Vec<Sql> = vec![
        Sql::Text(job.status.as_str().to_owned()),
        job.completed_at.map_or(Sql::Null, Sql::Integer),
        Sql::Integer(job.processed as i64),
        Sql::Integer(job.exported as i64),
        job.error.clone().map_or(Sql::Null, Sql::Text),
        job.file.clone().map_or(Sql::Null, Sql::Text),
        Sql::Text(job.account_id.clone()),
        Sql::Text(job.job_id.clone()),
    ];
    args.extend(expect.iter().map(|s| Sql::Text(s.as_str().to_owned())));
    Ok(c.prepare_cached(&sql)?.execute(params_from_iter(args))? > 0)
}

pub(crate) fn lease(
    c: &Connection,
    account: &str,
    job_id: &str,
    now: i64,
    until: i64,
) -> Result<bool, StoreError> {
    Ok(c.prepare_cached(
        "UPDATE export_jobs SET status = 'PROCESSING', lease_until = ?4
         WHERE account_id = ?1 AND job_id = ?2
           AND (status = 'CREATED' OR (status = 'PROCESSING' AND lease_until <= ?3))",
    )?
    .execute(rusqlite::params![account, job_id, now, until])?
        > 0)
}

pub(crate) fn renew(
    c: &Connection,
    account: &str,
    job_id: &str,
    until: i64,
) -> Result<bool, StoreError> {
    Ok(c.prepare_cached(
        "UPDATE export_jobs SET lease_until = ?3
         WHERE account_id = ?1 AND job_id = ?2 AND status = 'PROCESSING'",
    )?
    .execute(rusqlite::params![account, job_id, until])?
        > 0)
}

pub(crate) fn unfinished(c: &Connection, limit: usize) -> Result<Vec<ExportJob>, StoreError> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM export_jobs WHERE status IN ('CREATED', 'PROCESSING')
         ORDER BY created_at, job_id LIMIT ?1"
    ))?;
    let rows = stmt.query_map(params![limit as i64], to_job)?;
    collect(rows)
}
