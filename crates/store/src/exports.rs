//! Export jobs (`CreateExportJob`): the durable queue the engine's exporter
//! works through, and the state `GetExportJob` and `ListExportJobs` read.
//!
//! The store keeps a job's state and its specification (the request's
//! `ExportDataSource` and `ExportDestination`, as the engine checked them)
//! without reading the specification: what a job exports is the engine's.
//! State changes are conditional on the state found ([`crate::Store::update_export_job`]),
//! so a cancel and the exporter's own progress never overwrite each other.

use serde_json::Value;

use crate::types::Millis;

/// Where a job is, with SES's names (`JobStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportStatus {
    Created,
    Processing,
    Completed,
    Failed,
    Cancelled,
}

impl ExportStatus {
    pub const ALL: [ExportStatus; 5] = [
        ExportStatus::Created,
        ExportStatus::Processing,
        ExportStatus::Completed,
        ExportStatus::Failed,
        ExportStatus::Cancelled,
    ];

    /// SES's name, also the stored one.
    pub fn as_str(self) -> &'static str {
        match self {
            ExportStatus::Created => "CREATED",
            ExportStatus::Processing => "PROCESSING",
            ExportStatus::Completed => "COMPLETED",
            ExportStatus::Failed => "FAILED",
            ExportStatus::Cancelled => "CANCELLED",
        }
    }

    pub fn parse(s: &str) -> Option<ExportStatus> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// One export job.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportJob {
    pub account_id: String,
    pub job_id: String,
    /// `METRICS_DATA` or `MESSAGE_INSIGHTS`.
    pub source_type: String,
    pub status: ExportStatus,
    /// What to export and in which format, as the engine wrote it.
    pub spec: Value,
    pub created_at: Millis,
    pub completed_at: Option<Millis>,
    /// `Statistics.ProcessedRecordsCount`.
    pub processed: u64,
    /// `Statistics.ExportedRecordsCount`.
    pub exported: u64,
    /// `FailureInfo.ErrorMessage` of a failed job.
    pub error: Option<String>,
    /// Where the finished file is (a path the engine chose).
    pub file: Option<String>,
}

/// Which jobs [`crate::Store::list_export_jobs`] returns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExportFilter {
    pub source_type: Option<String>,
    pub status: Option<ExportStatus>,
}

/// Where a page of jobs ended: the next page holds the jobs created before
/// this one (newest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportCursor {
    pub created_at: Millis,
    pub job_id: String,
}
