//! `mailsight-bench`: the load tools `scripts/bench` drives (see
//! BENCHMARKS.md). None of them is needed to run mailsight, so they live in
//! their own binary, one file per phase:
//!
//! - `corpus`: writes a realistic NDJSON corpus of SES records
//!   ([`generator`] makes them).
//! - `fill`: generates the same records in memory and stores them through
//!   the ingestor, exactly as `mailsight import` does, minus the file.
//! - `wrk-script`: a `wrk` Lua script of signed `GetMessageInsights` calls
//!   ([`sigv4`] signs them).
//! - `send`: signed `SendEmail` calls at a concurrency, against mailsight
//!   or any SES v2 endpoint (moto); [`load`] drives the requests.
//! - `sns`: signed SNS notifications of SES records, posted to `/ingest/sns`.
//! - `receiver`: a webhook receiver that counts what it gets.

mod corpus;
mod fill;
mod generator;
mod load;
mod receiver;
mod send;
mod sigv4;
mod sns;
mod wrk;

use clap::Parser;

/// mimalloc, as in the `mailsight` binary: `fill` stores records through
/// the same ingestor and should cost what an import costs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Benchmark tools for mailsight (`scripts/bench` runs them all; see
/// BENCHMARKS.md).
#[derive(Parser)]
#[command(name = "mailsight-bench", version)]
struct Cli {
    #[command(subcommand)]
    command: BenchCommand,
}

#[derive(clap::Subcommand)]
enum BenchCommand {
    /// Writes an NDJSON corpus of realistic SES records.
    Corpus(corpus::CorpusArgs),
    /// Stores generated records through the ingestor.
    Fill(fill::FillArgs),
    /// Writes a wrk script of signed GetMessageInsights requests.
    WrkScript(wrk::WrkArgs),
    /// Signed SendEmail calls at a concurrency.
    Send(send::SendArgs),
    /// Signed SNS notifications posted to /ingest/sns.
    Sns(sns::SnsArgs),
    /// A webhook receiver that counts posts.
    Receiver(receiver::ReceiverArgs),
}

async fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Corpus(a) => corpus::corpus(a),
        BenchCommand::Fill(a) => fill::fill(a).await,
        BenchCommand::WrkScript(a) => wrk::wrk_script(a),
        BenchCommand::Send(a) => send::send(a).await,
        BenchCommand::Sns(a) => sns::sns(a).await,
        BenchCommand::Receiver(a) => receiver::receiver(a).await,
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // As `mailsight` logs: the store and the ingestor that `fill` uses log
    // through `tracing`.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MAILSIGHT_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .init();
    run(Cli::parse().command).await
}
