//! Import jobs (`CreateImportJob`, `GetImportJob`, `ListImportJobs`):
//! addresses from a file into the suppression list or a contact list.
//!
//! `S3Url` (`s3://bucket/key`) names a file in the directory
//! `[exports.buckets]` binds to the bucket, the same binding export jobs
//! write through. mailsight reads and applies the file (at most
//! [`imports::MAX_FILE_BYTES`]; formats in [`mailsight_engine::imports`])
//! before it answers, so the job is `COMPLETED` (or `FAILED`, with
//! `FailureInfo`) when `GetImportJob` first sees it, and an answered job's
//! addresses are stored. Each record stands alone: one that cannot be
//! read or stored is counted in `FailedRecordsCount`.

use std::io::Read;

use mailsight_engine::exports::DataFormat;
use mailsight_engine::imports::{self, Record};
use mailsight_model::now_ms;
use mailsight_store::{ItemKind, ItemPut, PutMode, contact_key};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Call;
use super::contact_lists::load_list;
use super::contacts::imported_contact;
use super::paging::{PageRequest, filtered_page};
use crate::body::{epoch_seconds, json, list_answer};
use crate::error::ApiError;
use mailsight_engine::address::is_valid_address;

/// Records stored per transaction.
const BATCH: usize = 500;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SuppressionDestination {
    suppression_list_import_action: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ContactListDestination {
    contact_list_name: Option<String>,
    contact_list_import_action: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Destination {
    suppression_list_destination: Option<SuppressionDestination>,
    contact_list_destination: Option<ContactListDestination>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DataSource {
    s3_url: Option<String>,
    data_format: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateRequest {
    import_destination: Option<Destination>,
    import_data_source: Option<DataSource>,
}

fn required<T>(v: Option<T>, member: &str) -> Result<T, ApiError> {
    v.ok_or_else(|| ApiError::bad_request(format!("Missing required parameter: {member}.")))
}

fn action(v: Option<String>, member: &str) -> Result<bool, ApiError> {
    match required(v, member)?.as_str() {
        "PUT" => Ok(false),
        "DELETE" => Ok(true),
        other => Err(ApiError::bad_request(format!(
            "Invalid {member} <{other}>: use PUT or DELETE."
        ))),
    }
}

/// Where the records go.
enum Target {
    Suppression {
        delete: bool,
    },
    Contacts {
        list: String,
        delete: bool,
        body: Value,
    },
}

/// Reads the file, or says why it cannot be.
fn read_file(path: &std::path::Path) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("The file cannot be read: {e}"))?;
    let mut bytes = Vec::new();
    file.take(imports::MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("The file cannot be read: {e}"))?;
    if bytes.len() as u64 > imports::MAX_FILE_BYTES {
        return Err(format!(
            "The file is larger than {} bytes, the most one import job reads.",
            imports::MAX_FILE_BYTES
        ));
    }
    Ok(bytes)
}

/// The put (or, for a delete, the key) of one record.
fn record_put(c: &Call<'_>, target: &Target, r: &Record, now: i64) -> Result<ItemPut, String> {
    let email = r.email_address.as_str();
    let (kind, key, body) = match target {
        Target::Suppression { delete } => {
            if !is_valid_address(email) || email.contains('<') {
                return Err(format!("invalid email address <{email}>"));
            }
            let reason = r.reason.as_deref().unwrap_or("");
            if !*delete && reason != "BOUNCE" && reason != "COMPLAINT" {
                return Err(format!("reason <{reason}> is not BOUNCE or COMPLAINT"));
            }
            let body = json!({"EmailAddress": email, "Reason": reason});
            (ItemKind::Suppressed, email.to_ascii_lowercase(), body)
        }
        Target::Contacts { list, body, delete } => {
            let key = contact_key(list, email);
            let doc = if *delete {
                Value::Null
            } else {
                let fields = json!({
                    "EmailAddress": email,
                    "UnsubscribeAll": r.unsubscribe_all.unwrap_or(false),
                    "AttributesData": r.attributes_data,
                    "TopicPreferences": r.topic_preferences.clone().unwrap_or(json!([])),
                });
                imported_contact(email, fields, body).map_err(|e| e.message)?
            };
            (ItemKind::Contact, key, doc)
        }
    };
    Ok(ItemPut {
        account_id: c.account().to_owned(),
        kind,
        key,
        body,
        mode: PutMode::Upsert,
        now,
    })
}

/// Applies the records; how many were stored.
async fn apply(c: &Call<'_>, target: &Target, records: &[Record]) -> Result<(u64, u64), ApiError> {
    let now = now_ms();
    let delete = matches!(
        target,
        Target::Suppression { delete: true } | Target::Contacts { delete: true, .. }
    );
    let (mut done, mut failed) = (0u64, 0u64);
    for chunk in records.chunks(BATCH) {
        let mut puts = Vec::with_capacity(chunk.len());
        for r in chunk {
            match record_put(c, target, r, now) {
                Ok(p) => puts.push(p),
                Err(_) => failed += 1,
            }
        }
        done += puts.len() as u64;
        if delete {
            for p in &puts {
                c.store().delete_item(c.account(), p.kind, &p.key).await?;
            }
        } else if !puts.is_empty() {
            c.store().put_items(puts).await?;
        }
    }
    Ok((done, failed))
}

pub async fn create(c: &Call<'_>) -> Result<Value, ApiError> {
    let req: CreateRequest = json(c.body)?;
    let destination = required(req.import_destination, "ImportDestination")?;
    let source = required(req.import_data_source, "ImportDataSource")?;
    let url = required(source.s3_url, "ImportDataSource.S3Url")?;
    let format = match required(source.data_format, "ImportDataSource.DataFormat")?.as_str() {
        "CSV" => DataFormat::Csv,
        "JSON" => DataFormat::Json,
        other => {
            return Err(ApiError::bad_request(format!(
                "Invalid DataFormat <{other}>: use CSV or JSON."
            )));
        }
    };
    let target = match (
        destination.suppression_list_destination,
        destination.contact_list_destination,
    ) {
        (Some(s), None) => Target::Suppression {
            delete: action(
                s.suppression_list_import_action,
                "SuppressionListImportAction",
            )?,
        },
        (None, Some(l)) => {
            let list = required(l.contact_list_name, "ContactListName")?;
            let delete = action(l.contact_list_import_action, "ContactListImportAction")?;
            let body = load_list(c.state, c.caller, &list).await?.body;
            Target::Contacts { list, delete, body }
        }
        _ => {
            return Err(ApiError::bad_request(
                "ImportDestination needs exactly one of SuppressionListDestination and ContactListDestination.",
            ));
        }
    };
    let path = c
        .state
        .exports
        .config()
        .object(&url)
        .map_err(ApiError::bad_request)?;
    let id = uuid::Uuid::new_v4().to_string();
    let created = now_ms();
    let read = tokio::task::spawn_blocking(move || read_file(&path))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?
        .and_then(|bytes| imports::parse(&bytes, format));
    let (status, processed, failed, error) = match read {
        Err(e) => ("FAILED", 0, 0, Some(e)),
        Ok(parsed) => {
            let (done, bad) = apply(c, &target, &parsed.records).await?;
            let failed = bad + parsed.failures.len() as u64;
            let error = parsed
                .failures
                .first()
                .map(|f| format!("Line {}: {}", f.line, f.error));
            ("COMPLETED", done + failed, failed, error)
        }
    };
    let destination = match &target {
        Target::Suppression { delete } => json!({"SuppressionListDestination": {
            "SuppressionListImportAction": if *delete { "DELETE" } else { "PUT" }}}),
        Target::Contacts { list, delete, .. } => json!({"ContactListDestination": {
            "ContactListName": list,
            "ContactListImportAction": if *delete { "DELETE" } else { "PUT" }}}),
    };
    let mut job = json!({
        "JobId": id,
        "ImportDestination": destination,
        "ImportDataSource": {"S3Url": url, "DataFormat": if format == DataFormat::Csv { "CSV" } else { "JSON" }},
        "JobStatus": status,
        "CreatedTimestamp": epoch_seconds(created),
        "CompletedTimestamp": epoch_seconds(now_ms()),
        "ProcessedRecordsCount": processed,
        "FailedRecordsCount": failed,
    });
    if let Some(e) = error {
        job["FailureInfo"] = json!({ "ErrorMessage": e });
    }
    c.store()
        .put_item(
            c.account(),
            ItemKind::ImportJob,
            &id,
            job,
            PutMode::Create,
            created,
        )
        .await?;
    Ok(json!({ "JobId": id }))
}

pub async fn get(c: &Call<'_>) -> Result<Value, ApiError> {
    let id = c.label("JobId")?;
    let item = c
        .store()
        .get_item(c.account(), ItemKind::ImportJob, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Import job {id} does not exist.")))?;
    Ok(item.body)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListRequest {
    import_destination_type: Option<String>,
    next_token: Option<String>,
    page_size: Option<i64>,
}

pub async fn list(c: &Call<'_>) -> Result<Value, ApiError> {
    let req: ListRequest = json(c.body)?;
    let page = PageRequest::new(req.page_size, req.next_token.as_deref(), 100, 1000)?;
    let wanted = match req.import_destination_type.as_deref() {
        None => None,
        Some("SUPPRESSION_LIST") => Some("SuppressionListDestination"),
        Some("CONTACT_LIST") => Some("ContactListDestination"),
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "Invalid ImportDestinationType <{other}>: use SUPPRESSION_LIST or CONTACT_LIST."
            )));
        }
    };
    let store = c.store();
    let account = c.account();
    let (items, next) = filtered_page(
        page,
        |after, limit| async move {
            store
                .list_items(account, ItemKind::ImportJob, "", after.as_deref(), limit)
                .await
        },
        |i: &mailsight_store::Item| {
            wanted.is_none_or(|w| i.body["ImportDestination"].get(w).is_some())
        },
        |i: &mailsight_store::Item| i.key.clone(),
    )
    .await?;
    let jobs = items
        .iter()
        .map(|i| {
            let b = &i.body;
            json!({
                "JobId": b["JobId"],
                "ImportDestination": b["ImportDestination"],
                "JobStatus": b["JobStatus"],
                "CreatedTimestamp": b["CreatedTimestamp"],
                "ProcessedRecordsCount": b["ProcessedRecordsCount"],
                "FailedRecordsCount": b["FailedRecordsCount"],
            })
        })
        .collect();
    Ok(list_answer("ImportJobs", jobs, next))
}
