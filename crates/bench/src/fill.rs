//! `mailsight-bench fill`: stores generated records straight through the
//! ingestor, as `mailsight import` does minus the file, to grow a store to
//! ten million events for the second insights run.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use mailsight::import::{BATCH, IN_FLIGHT};
use serde_json::json;

use crate::generator::{Generator, write_sample};

#[derive(clap::Args)]
pub struct FillArgs {
    /// The data directory to fill.
    #[arg(long)]
    data_dir: PathBuf,
    /// How many records to store.
    #[arg(long)]
    records: usize,
    #[arg(long, default_value = "../shared/fixtures/ses-docs-examples")]
    fixtures: PathBuf,
    /// Use another seed than the corpus's, or the records are duplicates.
    #[arg(long, default_value_t = 1007)]
    seed: u64,
    #[arg(long)]
    ids: Option<PathBuf>,
    #[arg(long, default_value = "000000000000")]
    account: String,
}

/// Stores generated records through the ingestor, as `mailsight import`
/// does (same batch size, same number of batches in flight).
pub async fn fill(args: FillArgs) -> anyhow::Result<()> {
    let store = Arc::new(mailsight_store::SqliteStore::open(&args.data_dir)?);
    let ingestor = mailsight_engine::Ingestor::new(store);
    // Later than any corpus (a month from 2026-01-01): the store grows
    // forward in time, as a production store does.
    let mut g = Generator::new(&args.fixtures, args.seed, 20_000)?.starting_after_days(60);
    let started = Instant::now();
    let (mut made, mut stored) = (0usize, 0usize);
    let mut pending = std::collections::VecDeque::new();
    let mut batch = Vec::with_capacity(BATCH);
    while made < args.records {
        let before = batch.len();
        g.message(&mut batch);
        made += batch.len() - before;
        if batch.len() >= BATCH || made >= args.records {
            let bodies = std::mem::take(&mut batch);
            let (i, a) = (ingestor.clone(), args.account.clone());
            pending.push_back(tokio::spawn(async move { i.ingest(&a, &bodies).await }));
            if pending.len() >= IN_FLIGHT
                && let Some(h) = pending.pop_front()
            {
                stored += h.await??.stored;
            }
        }
    }
    while let Some(h) = pending.pop_front() {
        stored += h.await??.stored;
    }
    write_sample(args.ids.as_deref(), &g.sample)?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{}",
        json!({"records": made, "stored": stored, "seconds": secs, "rate": made as f64 / secs})
    );
    Ok(())
}
