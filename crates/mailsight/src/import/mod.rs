//! `mailsight import`: bulk-loads SES event records from files.
//!
//! Files or directories (walked in name order), plain or gzip (detected by
//! content, not name), one record per line, records concatenated with no
//! separator (as Firehose writes them to S3) or pretty-printed. Records are
//! stored through the same ingestion path as the live endpoints, so
//! importing twice, or importing what also arrived over SNS, stores each
//! event once. A record that cannot be stored is reported with its file and
//! line; the others are imported all the same. A file that holds no records
//! at all (a README, a CSV, an image in the archive) is skipped with one
//! line saying why, and a damaged gzip object keeps every record before
//! the damage, which is reported once, with where it is.
//!
//! - [`read`]: opening a file, reading it in chunks, telling records from
//!   anything else.

mod filed;
mod read;

pub use filed::where_filed;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use mailsight_engine::Ingestor;
use mailsight_engine::ingest::split::split_partial;
use mailsight_store::StoreError;

use read::{CHUNK, Source, records_or_not};

/// Records per transaction: big enough to amortise the commit, small
/// enough to keep memory flat.
pub const BATCH: usize = 4_000;
/// Batches being parsed or committed at once.
pub const IN_FLIGHT: usize = 3;

/// One record that was not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRecord {
    pub file: PathBuf,
    pub line: usize,
    pub reason: String,
}

/// A file that holds no SES records, so was not read further.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedFile {
    pub file: PathBuf,
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// Files read for records (not counting the skipped ones).
    pub files: usize,
    pub skipped: Vec<SkippedFile>,
    pub imported: usize,
    pub duplicates: usize,
    pub rejected: Vec<RejectedRecord>,
    pub elapsed: Duration,
    /// The accounts the records were filed under.
    pub accounts: std::collections::BTreeSet<String>,
}

impl ImportReport {
    /// Records read per second, good or not.
    pub fn rate(&self) -> f64 {
        let total = self.imported + self.duplicates + self.rejected.len();
        total as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Why an import stopped.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Every file under `paths`, in a stable order.
pub fn files_under(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ImportError> {
    let mut out = Vec::new();
    for path in paths {
        collect(path, &mut out)?;
    }
    Ok(out)
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), ImportError> {
    let meta = std::fs::metadata(path).map_err(|e| ImportError::Read(path.into(), e))?;
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| ImportError::Read(path.into(), e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for entry in entries {
            collect(&entry, out)?;
        }
    } else {
        out.push(path.to_owned());
    }
    Ok(())
}

/// A batch on its way to the store: the records and where each came from.
struct Batch {
    bodies: Vec<Vec<u8>>,
    origins: Vec<(usize, usize)>,
}

/// Where batches go: the store, or nowhere (parsing only, to measure).
#[derive(Clone)]
enum Sink {
    Store(Ingestor),
    ParseOnly,
}

/// Imports every record under `paths`.
pub async fn import(
    ingestor: Ingestor,
    default_account: &str,
    paths: &[PathBuf],
    progress: bool,
) -> Result<ImportReport, ImportError> {
    run(Sink::Store(ingestor), default_account, paths, progress).await
}

/// Reads and parses every record under `paths` exactly as [`import`] does
/// (same reading, splitting, batching and JSON parser), but stores nothing:
/// the speed import is measured against. `imported` counts parsed records.
pub async fn parse_only(paths: &[PathBuf], progress: bool) -> Result<ImportReport, ImportError> {
    run(Sink::ParseOnly, "", paths, progress).await
}

async fn run(
    ingestor: Sink,
    default_account: &str,
    paths: &[PathBuf],
    progress: bool,
) -> Result<ImportReport, ImportError> {
    let started = Instant::now();
    let files = files_under(paths)?;
    let total_bytes: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let bar = if progress {
        ProgressBar::new(total_bytes)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut report = ImportReport::default();
    let account: Arc<str> = default_account.into();
    let mut pending = std::collections::VecDeque::new();
    let mut batch = Batch {
        bodies: Vec::new(),
        origins: Vec::new(),
    };

    for (index, file) in files.iter().enumerate() {
        let mut source =
            Source::open(file, bar.clone()).map_err(|e| ImportError::Read(file.clone(), e))?;
        // The file is read in chunks, so memory stays flat whatever its
        // size; a record cut by a chunk's end is carried into the next.
        let (mut carried, mut line_base) = (Vec::with_capacity(CHUNK), 0);
        // Bytes of content consumed and records found so far, to say
        // where a damaged file breaks.
        let (mut consumed, mut records) = (0u64, 0usize);
        let mut judged = false;
        loop {
            let (read, broken) = source.read_chunk(&mut carried);
            if !judged {
                match records_or_not(&carried, source.gzip) {
                    Some(Ok(())) => judged = true,
                    Some(Err(reason)) => {
                        report.skipped.push(SkippedFile {
                            file: file.clone(),
                            reason,
                        });
                        break;
                    }
                    None => {}
                }
            }
            // After a break, only the records complete before it count;
            // the one it cut is part of the damage reported below.
            let last = read == 0 && broken.is_none();
            let (pieces, used) = split_partial(&carried, last);
            let mut full = Vec::new();
            for piece in pieces {
                records += 1;
                match piece {
                    Ok(p) => {
                        batch.bodies.push(p.bytes.to_vec());
                        batch.origins.push((index, line_base + p.line));
                    }
                    Err(m) => report.rejected.push(RejectedRecord {
                        file: file.clone(),
                        line: line_base + m.line,
                        reason: m.reason,
                    }),
                }
                if batch.bodies.len() == BATCH {
                    full.push(std::mem::replace(
                        &mut batch,
                        Batch {
                            bodies: Vec::new(),
                            origins: Vec::new(),
                        },
                    ));
                }
            }
            line_base += carried[..used].iter().filter(|&&b| b == b'\n').count();
            consumed += used as u64;
            carried.drain(..used);
            for b in full {
                pending.push_back(spawn(&ingestor, &account, b));
                if pending.len() >= IN_FLIGHT
                    && let Some(next) = pending.pop_front()
                {
                    settle(next.await, &files, &mut report)?;
                    bar.set_message(format!(
                        "{} records, {:.0}/s",
                        report.imported + report.duplicates,
                        rate(&report, started)
                    ));
                }
            }
            if let Some(e) = broken {
                let of = if source.gzip {
                    "of the decompressed data"
                } else {
                    "of the file"
                };
                report.rejected.push(RejectedRecord {
                    file: file.clone(),
                    line: line_base + 1,
                    reason: format!(
                        "unreadable from here on: {e} (the data breaks after byte {consumed} {of}, \
                         after {records} records, which are kept)"
                    ),
                });
                break;
            }
            if last {
                break;
            }
        }
    }
    if !batch.bodies.is_empty() {
        pending.push_back(spawn(&ingestor, &account, batch));
    }
    while let Some(next) = pending.pop_front() {
        settle(next.await, &files, &mut report)?;
    }
    bar.finish_and_clear();
    report.files = files.len() - report.skipped.len();
    report
        .rejected
        .sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    report.elapsed = started.elapsed();
    Ok(report)
}

fn rate(report: &ImportReport, started: Instant) -> f64 {
    (report.imported + report.duplicates) as f64 / started.elapsed().as_secs_f64().max(1e-9)
}

type Settled = Result<(mailsight_engine::IngestOutcome, Vec<(usize, usize)>), StoreError>;

fn spawn(ingestor: &Sink, account: &Arc<str>, batch: Batch) -> tokio::task::JoinHandle<Settled> {
    let (ingestor, account) = (ingestor.clone(), account.clone());
    tokio::spawn(async move {
        let outcome = match ingestor {
            Sink::Store(ingestor) => ingestor.ingest(&account, &batch.bodies).await?,
            Sink::ParseOnly => {
                let mut outcome = mailsight_engine::IngestOutcome::default();
                for (index, body) in batch.bodies.iter().enumerate() {
                    match mailsight_model::EventRecord::parse(body) {
                        Ok(_) => outcome.stored += 1,
                        Err(e) => outcome
                            .rejected
                            .push((index, mailsight_engine::ingest::Rejected(e.to_string()))),
                    }
                }
                outcome
            }
        };
        Ok((outcome, batch.origins))
    })
}

fn settle(
    joined: Result<Settled, tokio::task::JoinError>,
    files: &[PathBuf],
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    let (outcome, origins) =
        joined.map_err(|e| StoreError::Backend(format!("import task failed: {e}")))??;
    report.imported += outcome.stored;
    report.duplicates += outcome.duplicates;
    report.accounts.extend(outcome.accounts);
    for (index, reason) in outcome.rejected {
        let (file, line) = origins[index];
        report.rejected.push(RejectedRecord {
            file: files[file].clone(),
            line,
            reason: reason.0,
        });
    }
    Ok(())
}
