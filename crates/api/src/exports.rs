//! `GET /_mailsight/exports/{token}`: the file of a completed export job,
//! at the `S3Url` `GetExportJob` reported. The token is the capability, as
//! a presigned S3 URL's signature is: signed by this server, naming the
//! account and job, expiring five minutes after `GetExportJob` made it.
//! Refusals come in S3's XML error shape, as a client fetching a
//! presigned URL expects.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mailsight_engine::exports::DataFormat;
use mailsight_model::now_ms;

use crate::state::AppState;

fn s3_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    );
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    r
}

pub async fn download(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let job = match state.exports.download(&token, now_ms()).await {
        Ok(Some(job)) => job,
        Ok(None) => {
            return s3_error(
                StatusCode::FORBIDDEN,
                "AccessDenied",
                "The link is not valid or has expired; call GetExportJob for a new one.",
            );
        }
        Err(e) => {
            tracing::error!(error = %e, "reading an export job failed");
            return s3_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                "Try again later.",
            );
        }
    };
    let Some(path) = job.file.as_deref() else {
        return s3_error(
            StatusCode::NOT_FOUND,
            "NoSuchKey",
            "The export has no file.",
        );
    };
    let bytes = match tokio::fs::read(path).await {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(job = %job.job_id, error = %e, "an export's file cannot be read");
            return s3_error(
                StatusCode::NOT_FOUND,
                "NoSuchKey",
                "The export's file is gone from the exports directory.",
            );
        }
    };
    let format = if path.ends_with(".csv") {
        DataFormat::Csv
    } else {
        DataFormat::Json
    };
    let name = std::path::Path::new(path)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("export");
    let mut r = bytes.into_response();
    let headers = r.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}
