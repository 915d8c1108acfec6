//! The background worker: takes unfinished jobs oldest first and runs each
//! to its end (completed, failed or cancelled), a page at a time.
//!
//! A job is run under a lease ([`LEASE`], renewed after every page): the
//! processes sharing a store each run a job only while they hold it, and a
//! job whose runner died is taken up by another once its lease runs out.
//! A server that stops gives its lease back, so it resumes the job at once
//! when it starts again.

use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use mailsight_model::now_ms;
use mailsight_store::{ExportJob, ExportStatus, StoreError};
use tokio::sync::watch;

use super::file::RowWriter;
use super::insights::{self, InsightsRun};
use super::metrics::MetricsRun;
use super::spec::{ExportSpec, Plan};
use super::{Exports, Page};

/// Jobs read from the queue at once.
const BATCH: usize = 16;
/// How long a runner holds a job without renewing its lease.
const LEASE: Duration = Duration::from_secs(30);
/// How often a queue whose jobs others hold is looked at again.
const BUSY_RETRY: Duration = Duration::from_secs(1);

fn lease_end() -> i64 {
    now_ms() + LEASE.as_millis() as i64
}

/// One source's pages.
enum Run {
    Metrics(MetricsRun),
    Insights(Box<InsightsRun>),
}

impl Run {
    fn columns(&self) -> Vec<String> {
        match self {
            Run::Metrics(m) => m.columns(),
            Run::Insights(_) => insights::COLUMNS.iter().map(|c| (*c).to_owned()).collect(),
        }
    }

    async fn next_page(
        &mut self,
        exports: &Exports,
        account: &str,
    ) -> Result<Option<Page>, StoreError> {
        let store = exports.store.as_ref();
        match self {
            Run::Metrics(m) => m.next_page(store, account).await,
            Run::Insights(i) => i.next_page(store, account).await,
        }
    }
}

/// How a job ended.
enum End {
    Completed {
        processed: u64,
        exported: u64,
    },
    Failed(String),
    /// Cancelled, or the server is stopping: nothing more to write.
    Stopped,
}

fn io(e: impl std::fmt::Display) -> String {
    format!("cannot write the export file: {e}")
}

impl Exports {
    /// Works through the queue until `shutdown` resolves. A job running
    /// then is left `PROCESSING` and starts again at the next start.
    pub async fn run(
        self: std::sync::Arc<Self>,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) {
        let (tx, mut stop) = watch::channel(false);
        tokio::spawn(async move {
            shutdown.await;
            let _ = tx.send(true);
        });
        loop {
            if *stop.borrow() {
                return;
            }
            let jobs = match self.store.unfinished_export_jobs(BATCH).await {
                Ok(jobs) => jobs,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the export queue; retrying");
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                        _ = stop.wait_for(|s| *s) => return,
                    }
                    continue;
                }
            };
            if jobs.is_empty() {
                tokio::select! {
                    _ = self.wake.notified() => {}
                    _ = stop.wait_for(|s| *s) => return,
                }
                continue;
            }
            let mut ran = false;
            for job in jobs {
                if *stop.borrow() {
                    return;
                }
                ran |= self.work(job, &stop).await;
            }
            // Every job is another process's for now: look again later.
            if !ran {
                tokio::select! {
                    _ = self.wake.notified() => {}
                    _ = tokio::time::sleep(BUSY_RETRY) => {}
                    _ = stop.wait_for(|s| *s) => return,
                }
            }
        }
    }

    /// Runs one job, if this process can take it, and records how it
    /// ended; whether it took the job.
    async fn work(&self, job: ExportJob, stop: &watch::Receiver<bool>) -> bool {
        let started = ExportJob {
            status: ExportStatus::Processing,
            ..job.clone()
        };
        match self
            .store
            .lease_export_job(&job.account_id, &job.job_id, now_ms(), lease_end())
            .await
        {
            Ok(true) => {}
            // Cancelled meanwhile, or another process runs it.
            Ok(false) => return false,
            Err(e) => {
                tracing::warn!(job = %job.job_id, error = %e, "cannot start an export job");
                return false;
            }
        }
        tracing::info!(job = %job.job_id, account = %job.account_id, source = %job.source_type, "export job started");
        let end = self.export(&started, stop).await;
        let mut done = started.clone();
        done.completed_at = Some(now_ms());
        match end {
            End::Stopped => {
                // Stopping (or cancelled): give the lease back, so that a
                // restart, or another process, resumes the job at once.
                let _ = self
                    .store
                    .renew_export_lease(&job.account_id, &job.job_id, 0)
                    .await;
                return true;
            }
            End::Completed {
                processed,
                exported,
            } => {
                done.status = ExportStatus::Completed;
                done.processed = processed;
                done.exported = exported;
            }
            End::Failed(message) => {
                tracing::warn!(job = %job.job_id, error = %message, "export job failed");
                done.status = ExportStatus::Failed;
                done.error = Some(message);
            }
        }
        match self
            .store
            .update_export_job(&done, &[ExportStatus::Processing])
            .await
        {
            Ok(true) => tracing::info!(
                job = %job.job_id,
                status = done.status.as_str(),
                rows = done.exported,
                "export job ended"
            ),
            // Cancelled while its last page was written: drop the file.
            Ok(false) => {
                if let Some(f) = &done.file {
                    let _ = std::fs::remove_file(f);
                }
            }
            Err(e) => {
                tracing::warn!(job = %job.job_id, error = %e, "cannot record the end of an export job")
            }
        }
        true
    }

    /// Writes the job's file, page by page.
    async fn export(&self, job: &ExportJob, stop: &watch::Receiver<bool>) -> End {
        let spec: ExportSpec = match serde_json::from_value(job.spec.clone()) {
            Ok(s) => s,
            Err(e) => return End::Failed(format!("the stored job is unreadable: {e}")),
        };
        let (plan, format) = match spec.check() {
            Ok(p) => p,
            Err(e) => return End::Failed(e),
        };
        let Some(path) = job.file.as_ref().map(PathBuf::from) else {
            return End::Failed("the job has no file".to_owned());
        };
        let mut run = match plan {
            Plan::Metrics(p) => Run::Metrics(MetricsRun::new(p, self.ses_exact)),
            Plan::Insights(p) => Run::Insights(Box::new(InsightsRun::new(*p, self.ses_exact))),
        };
        let columns = run.columns();
        let created =
            tokio::task::spawn_blocking(move || RowWriter::create(&path, format, columns)).await;
        let mut writer = match created {
            Ok(Ok(w)) => w,
            Ok(Err(e)) => return End::Failed(io(e)),
            Err(e) => return End::Failed(io(e)),
        };
        let (mut processed, mut exported) = (0u64, 0u64);
        loop {
            if *stop.borrow() {
                return End::Stopped;
            }
            let page = match run.next_page(self, &job.account_id).await {
                Ok(Some(p)) => p,
                Ok(None) => break,
                Err(e) => {
                    writer.abandon();
                    return End::Failed(format!("cannot read the data: {e}"));
                }
            };
            processed += page.processed;
            let rows = page.rows.len() as u64;
            exported += rows;
            let written = tokio::task::spawn_blocking(move || {
                let result = writer.rows(&page.rows);
                (writer, result)
            })
            .await;
            writer = match written {
                Ok((w, Ok(()))) => w,
                Ok((w, Err(e))) => {
                    w.abandon();
                    return End::Failed(io(e));
                }
                Err(e) => return End::Failed(io(e)),
            };
            if self.pause(rows, stop).await {
                return End::Stopped;
            }
            // Still ours (not cancelled meanwhile)? Holding it longer.
            match self
                .store
                .renew_export_lease(&job.account_id, &job.job_id, lease_end())
                .await
            {
                Ok(true) => {}
                Ok(false) => {
                    writer.abandon();
                    return End::Stopped;
                }
                Err(e) => {
                    writer.abandon();
                    return End::Failed(format!("cannot read the job: {e}"));
                }
            }
        }
        match tokio::task::spawn_blocking(move || writer.finish()).await {
            Ok(Ok(_)) => End::Completed {
                processed,
                exported,
            },
            Ok(Err(e)) => End::Failed(io(e)),
            Err(e) => End::Failed(io(e)),
        }
    }

    /// Waits as long as `rows` take at the configured pace; true if the
    /// server began stopping meanwhile.
    async fn pause(&self, rows: u64, stop: &watch::Receiver<bool>) -> bool {
        let pace = u64::from(self.config.rows_per_second);
        if pace == 0 || rows == 0 {
            return false;
        }
        let wait = Duration::from_millis(rows * 1000 / pace);
        let mut stop = stop.clone();
        tokio::select! {
            _ = tokio::time::sleep(wait) => false,
            _ = stop.wait_for(|s| *s) => true,
        }
    }
}
