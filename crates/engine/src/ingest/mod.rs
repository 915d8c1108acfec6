//! Ingestion of real SES event records, from any path (SNS, Firehose,
//! EventBridge, bulk import).
//!
//! Every record goes through [`crate::normalize`] exactly as simulated ones
//! do, and is stored with the message it belongs to; duplicates (SNS
//! retries, the same event through two paths, a second import) are stored
//! once. `ingest` returns only after the batch is committed, so a caller may
//! acknowledge its sender then and not before.

pub mod split;

use std::sync::Arc;

use mailsight_model::EventRecord;
use mailsight_store::{Message, NewRecord, Store, StoreError};

use crate::normalize::{message_from, normalize};

/// Why one record was not stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Rejected(pub String);

/// What happened to a batch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestOutcome {
    /// Records stored for the first time.
    pub stored: usize,
    /// Records already stored before (or twice in the batch).
    pub duplicates: usize,
    /// Records refused, by their index in the batch.
    pub rejected: Vec<(usize, Rejected)>,
    /// The accounts the good records were filed under (a record's own
    /// `sendingAccountId` wins over the default), so an importer can say
    /// which credentials will see them.
    pub accounts: std::collections::BTreeSet<String>,
}

/// The account a record belongs to: its `mail.sendingAccountId` when that is
/// a 12-digit account id, else the source's default.
fn account_of(record: &EventRecord, default: &str) -> String {
    match &record.mail.sending_account_id {
        Some(id) if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) => id.clone(),
        _ => default.to_owned(),
    }
}

/// Parses and normalises one record body.
pub fn prepare(default_account: &str, body: &[u8]) -> Result<(Message, NewRecord), Rejected> {
    let record = EventRecord::parse(body).map_err(|e| Rejected(e.to_string()))?;
    let account = account_of(&record, default_account);
    let text = std::str::from_utf8(body).map_err(|_| Rejected("the record is not UTF-8".into()))?;
    let message = message_from(&account, &record);
    let new = normalize(&account, &record, text.trim().to_owned())
        .map_err(|e| Rejected(e.to_string()))?;
    Ok((message, new))
}

/// Stores ingested records.
#[derive(Clone)]
pub struct Ingestor {
    store: Arc<dyn Store>,
}

impl Ingestor {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Ingestor { store }
    }

    /// Prepares every body, stores the good ones in one transaction, and
    /// reports the rest. A storage failure is an error for the whole batch
    /// (nothing of it was committed), so the sender retries it.
    pub async fn ingest<B: AsRef<[u8]>>(
        &self,
        default_account: &str,
        bodies: &[B],
    ) -> Result<IngestOutcome, StoreError> {
        let mut outcome = IngestOutcome::default();
        let mut batch = Vec::with_capacity(bodies.len());
        for (index, body) in bodies.iter().enumerate() {
            match prepare(default_account, body.as_ref()) {
                Ok(prepared) => batch.push(prepared),
                Err(reason) => outcome.rejected.push((index, reason)),
            }
        }
        outcome.accounts = batch.iter().map(|(m, _)| m.account_id.clone()).collect();
        let offered = batch.len();
        let feedback: Vec<NewRecord> = batch
            .iter()
            .filter(|(_, r)| crate::suppression::may_suppress(r))
            .map(|(_, r)| r.clone())
            .collect();
        outcome.stored = if batch.is_empty() {
            0
        } else {
            self.store.ingest(batch).await?
        };
        // The records are committed; a failure here only delays the list.
        if let Err(e) = crate::suppression::learn(&*self.store, &feedback).await {
            tracing::warn!(error = %e, "updating the suppression list failed");
        }
        outcome.duplicates = offered - outcome.stored;
        Ok(outcome)
    }
}
