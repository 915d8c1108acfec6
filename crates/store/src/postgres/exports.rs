//! Table `export_jobs`: export jobs and their state, as
//! `sqlite::exports` keeps them.

use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use super::db::{Db, col, execute, query, query_opt};
use crate::error::StoreError;
use crate::exports::{ExportCursor, ExportFilter, ExportJob, ExportStatus};

const COLUMNS: &str = "account_id, job_id, source_type, status, spec, created_at, completed_at,
                       processed, exported, error, file";

fn to_job(r: &Row) -> Result<ExportJob, StoreError> {
    let status: &str = col(r, 3)?;
    Ok(ExportJob {
        account_id: col(r, 0)?,
        job_id: col(r, 1)?,
        source_type: col(r, 2)?,
        status: ExportStatus::parse(status)
            .ok_or_else(|| StoreError::Backend(format!("unknown export status {status}")))?,
        spec: serde_json::from_str(col::<&str>(r, 4)?)?,
        created_at: col(r, 5)?,
        completed_at: col(r, 6)?,
        processed: col::<i64>(r, 7)?.max(0) as u64,
        exported: col::<i64>(r, 8)?.max(0) as u64,
        error: col(r, 9)?,
        file: col(r, 10)?,
    })
}

pub(crate) async fn create(c: &impl Db, job: &ExportJob) -> Result<(), StoreError> {
    let inserted = execute(
        c,
        "INSERT INTO export_jobs (account_id, job_id, source_type, status, spec, created_at,
                                  completed_at, processed, exported, error, file)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT DO NOTHING",
        &[
            &job.account_id,
            &job.job_id,
            &job.source_type,
            &job.status.as_str(),
            &job.spec.to_string(),
            &job.created_at,
            &job.completed_at,
            &(job.processed as i64),
            &(job.exported as i64),
            &job.error,
            &job.file,
        ],
    )
    .await?;
    if inserted == 0 {
        return Err(StoreError::AlreadyExists(format!(
            "export job {}",
            job.job_id
        )));
    }
    Ok(())
}

pub(crate) async fn get(
    c: &impl Db,
    account: &str,
    id: &str,
) -> Result<Option<ExportJob>, StoreError> {
    query_opt(
        c,
        &format!("SELECT {COLUMNS} FROM export_jobs WHERE account_id = $1 AND job_id = $2"),
        &[&account, &id],
    )
    .await?
    .map(|r| to_job(&r))
    .transpose()
}

pub(crate) async fn list(
    c: &impl Db,
    account: &str,
    filter: &ExportFilter,
    before: Option<&ExportCursor>,
    limit: usize,
) -> Result<Vec<ExportJob>, StoreError> {
    let status = filter.status.map(|s| s.as_str());
    let (before_at, before_id) = match before {
        Some(b) => (Some(b.created_at), Some(b.job_id.as_str())),
        None => (None, None),
    };
    let params: [&(dyn ToSql + Sync); 6] = [
        &account,
        &filter.source_type,
        &status,
        &before_at,
        &before_id,
        &(limit as i64),
    ];
    let rows = query(
        c,
        &format!(
            "SELECT {COLUMNS} FROM export_jobs
             WHERE account_id = $1 AND ($2::text IS NULL OR source_type = $2)
               AND ($3::text IS NULL OR status = $3)
               AND ($4::bigint IS NULL OR (created_at, job_id) < ($4, $5::text))
             ORDER BY created_at DESC, job_id DESC LIMIT $6"
        ),
        &params,
    )
    .await?;
    rows.iter().map(to_job).collect()
}

pub(crate) async fn update(
    c: &impl Db,
    job: &ExportJob,
    expect: &[ExportStatus],
) -> Result<bool, StoreError> {
    if expect.is_empty() {
        return Ok(false);
    }
    let expect: Vec<&str> = expect.iter().map(|s| s.as_str()).collect();
    let n = execute(
        c,
        "UPDATE export_jobs SET status = $1, completed_at = $2, processed = $3, exported = $4,
                                error = $5, file = $6
         WHERE account_id = $7 AND job_id = $8 AND status = ANY($9)",
        &[
            &job.status.as_str(),
            &job.completed_at,
            &(job.processed as i64),
            &(job.exported as i64),
            &job.error,
            &job.file,
            &job.account_id,
            &job.job_id,
            &expect,
        ],
    )
    .await?;
    Ok(n > 0)
}

pub(crate) async fn lease(
    c: &impl Db,
    account: &str,
    job_id: &str,
    now: i64,
    until: i64,
) -> Result<bool, StoreError> {
    let n = execute(
        c,
        "UPDATE export_jobs SET status = 'PROCESSING', lease_until = $4
         WHERE account_id = $1 AND job_id = $2
           AND (status = 'CREATED' OR (status = 'PROCESSING' AND lease_until <= $3))",
        &[&account, &job_id, &now, &until],
    )
    .await?;
    Ok(n > 0)
}

pub(crate) async fn renew(
    c: &impl Db,
    account: &str,
    job_id: &str,
    until: i64,
) -> Result<bool, StoreError> {
    let n = execute(
        c,
        "UPDATE export_jobs SET lease_until = $3
         WHERE account_id = $1 AND job_id = $2 AND status = 'PROCESSING'",
        &[&account, &job_id, &until],
    )
    .await?;
    Ok(n > 0)
}

pub(crate) async fn unfinished(c: &impl Db, limit: usize) -> Result<Vec<ExportJob>, StoreError> {
    let rows = query(
        c,
        &format!(
            "SELECT {COLUMNS} FROM export_jobs WHERE status IN ('CREATED', 'PROCESSING')
             ORDER BY created_at, job_id LIMIT $1"
        ),
        &[&(limit as i64)],
    )
    .await?;
    rows.iter().map(to_job).collect()
}
