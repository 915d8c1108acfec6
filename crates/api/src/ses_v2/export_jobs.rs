//! Export jobs: `CreateExportJob`, `GetExportJob`, `ListExportJobs`,
//! `CancelExportJob` → `engine::exports`. A completed job's `S3Url` is a
//! link to mailsight itself (`/_mailsight/exports/<token>`, served by
//! [`crate::exports`]), valid five minutes as SES's presigned URLs are.

use mailsight_engine::analytics::vdm;
use mailsight_engine::exports::{ExportSpec, Exports};
use mailsight_model::now_ms;
use mailsight_store::{ExportCursor, ExportFilter, ExportJob, ExportStatus};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Call;
use crate::body::{decode_token, encode_token, epoch_seconds, json, page_size};
use crate::error::ApiError;

/// The path download links start with.
pub const DOWNLOAD_PATH: &str = "/_mailsight/exports/";

fn exports<'a>(c: &Call<'a>) -> &'a Exports {
    &c.state.exports
}

pub async fn create(c: &Call<'_>) -> Result<Value, ApiError> {
    if !vdm::enabled(c.store(), c.account()).await? {
        return Err(ApiError::not_found(
            "Virtual Deliverability Manager is not enabled for this account.",
        ));
    }
    let spec: ExportSpec = json(c.body)?;
    let id = exports(c).create(c.account(), spec, now_ms()).await?;
    Ok(json!({ "JobId": id }))
}

/// Where download links point: the configured public URL, else the host
/// the client reached.
fn base_url(c: &Call<'_>) -> String {
    if let Some(url) = &exports(c).config().public_url {
        return url.trim_end_matches('/').to_owned();
    }
    match c.host {
        Some(host) => format!("http://{host}"),
        None => c
            .state
            .engine
            .tracking()
            .base_url
            .trim_end_matches('/')
            .to_owned(),
    }
}

fn shape(c: &Call<'_>, job: &ExportJob) -> Value {
    let spec: Option<ExportSpec> = serde_json::from_value(job.spec.clone()).ok();
    let mut destination = spec
        .as_ref()
        .map(|s| json!({"DataFormat": s.export_destination.data_format}))
        .unwrap_or_else(|| json!({}));
    if job.status == ExportStatus::Completed {
        let token = exports(c).link_token(job, now_ms());
        destination["S3Url"] = format!("{}{DOWNLOAD_PATH}{token}", base_url(c)).into();
    }
    let mut out = json!({
        "JobId": job.job_id,
        "ExportSourceType": job.source_type,
        "JobStatus": job.status.as_str(),
        "ExportDestination": destination,
        "CreatedTimestamp": epoch_seconds(job.created_at),
        "Statistics": {
            "ProcessedRecordsCount": job.processed,
            "ExportedRecordsCount": job.exported,
        },
    });
    if let Some(s) = spec {
        out["ExportDataSource"] = serde_json::to_value(&s.export_data_source).unwrap_or_default();
    }
    if let Some(t) = job.completed_at {
        out["CompletedTimestamp"] = epoch_seconds(t).into();
    }
    if let Some(e) = &job.error {
        out["FailureInfo"] = json!({ "ErrorMessage": e });
    }
    out
}

pub async fn get(c: &Call<'_>) -> Result<Value, ApiError> {
    let job = exports(c).get(c.account(), c.label("JobId")?).await?;
    Ok(shape(c, &job))
}

pub async fn cancel(c: &Call<'_>) -> Result<Value, ApiError> {
    exports(c)
        .cancel(c.account(), c.label("JobId")?, now_ms())
        .await?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListRequest {
    next_token: Option<String>,
    page_size: Option<i64>,
    export_source_type: Option<String>,
    job_status: Option<String>,
}

/// The cursor inside a `NextToken`: the last job's time and id.
fn cursor(token: Option<&str>) -> Result<Option<ExportCursor>, ApiError> {
    let Some(text) = decode_token(token)? else {
        return Ok(None);
    };
    let bad = || ApiError::bad_request("The NextToken is not valid.");
    let (at, id) = text.split_once(' ').ok_or_else(bad)?;
    Ok(Some(ExportCursor {
        created_at: at.parse().map_err(|_| bad())?,
        job_id: id.to_owned(),
    }))
}

pub async fn list(c: &Call<'_>) -> Result<Value, ApiError> {
    let req: ListRequest = json(c.body)?;
    let source_type = match req.export_source_type.as_deref() {
        None => None,
        Some(t @ ("METRICS_DATA" | "MESSAGE_INSIGHTS")) => Some(t.to_owned()),
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "ExportSourceType must be METRICS_DATA or MESSAGE_INSIGHTS, not {other}."
            )));
        }
    };
    let status = req
        .job_status
        .as_deref()
        .map(|s| {
            ExportStatus::parse(s)
                .ok_or_else(|| ApiError::bad_request(format!("{s} is not a JobStatus.")))
        })
        .transpose()?;
    let limit = page_size(req.page_size, 100, 1000)?;
    let filter = ExportFilter {
        source_type,
        status,
    };
    let before = cursor(req.next_token.as_deref())?;
    let (jobs, next) = exports(c)
        .list(c.account(), &filter, before.as_ref(), limit)
        .await?;
    let summaries: Vec<Value> = jobs
        .iter()
        .map(|j| {
            let mut s = json!({
                "JobId": j.job_id,
                "ExportSourceType": j.source_type,
                "JobStatus": j.status.as_str(),
                "CreatedTimestamp": epoch_seconds(j.created_at),
            });
            if let Some(t) = j.completed_at {
                s["CompletedTimestamp"] = epoch_seconds(t).into();
            }
            s
        })
        .collect();
    let mut out = json!({ "ExportJobs": summaries });
    if let Some(n) = next {
        out["NextToken"] = encode_token(&format!("{} {}", n.created_at, n.job_id)).into();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_tokens_round_trip_and_refuse_garbage() {
        let token = encode_token("1700000000000 0b1c-job");
        assert_eq!(
            cursor(Some(&token)).unwrap(),
            Some(ExportCursor {
                created_at: 1_700_000_000_000,
                job_id: "0b1c-job".into()
            })
        );
        assert_eq!(cursor(None).unwrap(), None);
        assert!(cursor(Some(&encode_token("nospace"))).is_err());
        assert!(cursor(Some("!!!")).is_err());
    }
}
