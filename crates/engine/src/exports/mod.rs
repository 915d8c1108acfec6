//! Export jobs (`CreateExportJob` and friends): VDM metrics or message
//! insights written to a CSV or JSON file in the background, the way SES
//! runs them, durable across restarts.
//!
//! - [`spec`]: the request's shapes and the checks SES makes.
//! - [`metrics`] / [`insights`]: the rows of each source, a page at a time.
//! - [`file`]: where a job's file goes and how rows are written.
//! - `exporter` ([`Exports::run`]): the background worker.
//!
//! A job is a row of the store's `export_jobs` queue from the moment
//! `CreateExportJob` answers. The worker takes unfinished jobs oldest
//! first, one at a time; after a restart it starts any job left
//! `PROCESSING` again from the beginning (its file is written under a
//! temporary name until complete, so a half-written file is never served).
//! Between pages it checks whether the job was cancelled and whether the
//! server is stopping.

mod exporter;
pub mod file;
pub mod insights;
pub mod metrics;
pub mod spec;

use std::sync::Arc;

use mailsight_store::{
    ExportCursor, ExportFilter, ExportJob, ExportStatus, Millis, Store, StoreError,
};
use serde_json::Value;
use tokio::sync::Notify;

pub use file::ExportsConfig;
pub use spec::{DataFormat, ExportSpec};

use crate::tracking::{Claim, TokenKey};

/// How long a download link stays valid, as SES's presigned URLs do.
pub const LINK_TTL_MS: Millis = 5 * 60 * 1000;
/// Jobs one account may have waiting or running at once.
pub const MAX_UNFINISHED: usize = 25;

/// Rows of one page and how many records were read to make them.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Page {
    pub rows: Vec<Vec<Value>>,
    pub processed: u64,
}

/// An instant as export files write it.
pub(crate) fn iso(ms: Millis) -> String {
    mailsight_model::format_millis(ms)
}

/// Why an export call was refused.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The request is not one SES accepts (`BadRequestException`).
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
    /// Too many unfinished jobs (`LimitExceededException`).
    #[error("{0}")]
    Limit(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The export jobs of every account: creating, reading and cancelling
/// them, and ([`Exports::run`]) working through them.
pub struct Exports {
    store: Arc<dyn Store>,
    config: ExportsConfig,
    /// Whether to count and show only what SES would (simulator and
    /// multi-recipient mail left out), as the metrics and insights APIs do.
    ses_exact: bool,
    key: TokenKey,
    wake: Notify,
}

impl Exports {
    pub fn new(
        store: Arc<dyn Store>,
        config: ExportsConfig,
        ses_exact: bool,
        key: TokenKey,
    ) -> Exports {
        Exports {
            store,
            config,
            ses_exact,
            key,
            wake: Notify::new(),
        }
    }

    pub fn config(&self) -> &ExportsConfig {
        &self.config
    }

    /// Checks and queues a job; returns its id once it is committed.
    pub async fn create(
        &self,
        account: &str,
        spec: ExportSpec,
        now: Millis,
    ) -> Result<String, ExportError> {
        let (plan, format) = spec.check().map_err(ExportError::Invalid)?;
        let job_id = uuid::Uuid::new_v4().to_string();
        let file = self
            .config
            .location(
                account,
                &job_id,
                spec.export_destination.s3_url.as_deref(),
                format,
            )
            .map_err(ExportError::Invalid)?;
        let mut unfinished = 0;
        for status in [ExportStatus::Created, ExportStatus::Processing] {
            let filter = ExportFilter {
                source_type: None,
                status: Some(status),
            };
            unfinished += self
                .store
                .list_export_jobs(account, &filter, None, MAX_UNFINISHED)
                .await?
                .len();
        }
        if unfinished >= MAX_UNFINISHED {
            return Err(ExportError::Limit(format!(
                "The account has {unfinished} export jobs waiting or running; \
                 the limit is {MAX_UNFINISHED}."
            )));
        }
        let job = ExportJob {
            account_id: account.to_owned(),
            job_id: job_id.clone(),
            source_type: plan.source_type().to_owned(),
            status: ExportStatus::Created,
            spec: serde_json::to_value(&spec).map_err(StoreError::from)?,
            created_at: now,
            completed_at: None,
            processed: 0,
            exported: 0,
            error: None,
            file: Some(file.to_string_lossy().into_owned()),
        };
        self.store.create_export_job(job).await?;
        self.wake.notify_one();
        Ok(job_id)
    }

    pub async fn get(&self, account: &str, job_id: &str) -> Result<ExportJob, ExportError> {
        self.store
            .get_export_job(account, job_id)
            .await?
            .ok_or_else(|| {
                ExportError::NotFound(format!("The export job {job_id} does not exist."))
            })
    }

    /// The account's jobs, newest first, and where the next page starts.
    pub async fn list(
        &self,
        account: &str,
        filter: &ExportFilter,
        before: Option<&ExportCursor>,
        limit: usize,
    ) -> Result<(Vec<ExportJob>, Option<ExportCursor>), ExportError> {
        let mut jobs = self
            .store
            .list_export_jobs(account, filter, before, limit + 1)
            .await?;
        let next = (jobs.len() > limit).then(|| {
            jobs.truncate(limit);
            let last = jobs.last().expect("limit is at least one");
            ExportCursor {
                created_at: last.created_at,
                job_id: last.job_id.clone(),
            }
        });
        Ok((jobs, next))
    }

    /// Cancels a job that has not finished; the worker drops its file.
    pub async fn cancel(
        &self,
        account: &str,
        job_id: &str,
        now: Millis,
    ) -> Result<(), ExportError> {
        let job = self.get(account, job_id).await?;
        let mut cancelled = job.clone();
        cancelled.status = ExportStatus::Cancelled;
        cancelled.completed_at = Some(now);
        let done = self
            .store
            .update_export_job(
                &cancelled,
                &[ExportStatus::Created, ExportStatus::Processing],
            )
            .await?;
        if done {
            return Ok(());
        }
        let now_status = self.get(account, job_id).await?.status;
        Err(ExportError::Invalid(format!(
            "The export job {job_id} is {} and can no longer be cancelled.",
            now_status.as_str()
        )))
    }

    /// The token of a download link for a completed job, valid for
    /// [`LINK_TTL_MS`] from `now`.
    pub fn link_token(&self, job: &ExportJob, now: Millis) -> String {
        self.key.sign(&Claim::Export {
            account: job.account_id.clone(),
            job_id: job.job_id.clone(),
            expires: now + LINK_TTL_MS,
        })
    }

    /// The completed job a download token stands for, if the token is one
    /// this server signed and has not expired.
    pub async fn download(
        &self,
        token: &str,
        now: Millis,
    ) -> Result<Option<ExportJob>, StoreError> {
        let Some(Claim::Export {
            account,
            job_id,
            expires,
        }) = self.key.verify(token)
        else {
            return Ok(None);
        };
        if now > expires {
            return Ok(None);
        }
        Ok(self
            .store
            .get_export_job(&account, &job_id)
            .await?
            .filter(|j| j.status == ExportStatus::Completed))
    }
}
