//! The `mailsight` command. The commands that read the data directory
//! live in [`cli`], one file each.

mod cli;

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use mailsight::Config;
use mailsight_api::AccessKey;

/// mimalloc: parsing and storing records is allocation-heavy, and glibc's
/// allocator cost a fifth of the import time (see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "mailsight",
    version,
    about = "A self-hostable Amazon SES v2 email event system"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the server (SES v2 API on http://127.0.0.1:4566 by default).
    Serve(ServeArgs),
    /// Imports SES event records from files or directories (NDJSON,
    /// concatenated or pretty JSON, plain or gzip) into the data directory,
    /// whether or not the server is running. Safe to run twice.
    Import(ImportArgs),
    /// Lists what the outbox sent where (or replays dead deliveries), from
    /// the data directory, whether or not the server is running.
    Deliveries(cli::deliveries::DeliveriesArgs),
    /// Shows a message from the data directory: its header, then every
    /// recipient with its events and what they say (bounce diagnostics,
    /// links clicked, machine-activity marks), or with --mime the message
    /// as sent.
    Message(cli::message::MessageArgs),
    /// Searches messages in the data directory by recipient, sender,
    /// subject, event, tag, configuration set, ISP and time, newest first.
    Messages(mailsight::messages::MessagesArgs),
    /// Maintains the counts behind metrics (BatchGetMetricData, GetAccount,
    /// the dashboard): `mailsight rollups rebuild` counts every stored
    /// event again, after an upgrade or a repair.
    Rollups(cli::rollups::RollupsArgs),
    /// Copies an SQLite data directory's whole content (messages, events,
    /// sets, destinations, outbox, topics, suppression, templates, contact
    /// lists, keys) into a PostgreSQL database; run it again to resume an
    /// interrupted copy. Stop the server first.
    Copy(cli::copy::CopyArgs),
}

#[derive(clap::Args)]
struct ImportArgs {
    /// A TOML config file (for `data_dir` and `ingest.default_account`).
    #[arg(long, env = "MAILSIGHT_CONFIG")]
    config: Option<PathBuf>,
    /// The data directory of the server [default: ./mailsight-data].
    #[arg(long, env = "MAILSIGHT_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// A PostgreSQL database to import into (`postgres://…`), instead of the
    /// SQLite file in the data directory.
    #[arg(long, env = "MAILSIGHT_DATABASE_URL", hide_env_values = true)]
    database: Option<String>,
    /// Account for records without a `mail.sendingAccountId`.
    #[arg(long)]
    account: Option<String>,
    /// Hide the progress bar.
    #[arg(long)]
    quiet: bool,
    /// Only read and parse the records (same path as importing), store
    /// nothing: measures the parser alone.
    #[arg(long)]
    parse_only: bool,
    /// Files and directories to import.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

#[derive(clap::Args)]
struct ServeArgs {
    /// A TOML config file (see docs/CONFIG.md).
    #[arg(long, env = "MAILSIGHT_CONFIG")]
    config: Option<PathBuf>,
    /// Address and port to listen on [default: 127.0.0.1:4566].
    #[arg(long, env = "MAILSIGHT_LISTEN")]
    listen: Option<SocketAddr>,
    /// Serve HTTPS too, on this address (see docs/CONFIG.md, `[tls]`).
    #[arg(long, env = "MAILSIGHT_TLS_LISTEN")]
    tls_listen: Option<SocketAddr>,
    /// Directory for the database and the keys [default: ./mailsight-data].
    #[arg(long, env = "MAILSIGHT_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Keep nothing: a fresh in-memory store, removed at exit (for tests
    /// and CI; the same as data_dir ":memory:").
    #[arg(long, env = "MAILSIGHT_EPHEMERAL")]
    ephemeral: bool,
    /// Keep the data in this PostgreSQL database (`postgres://user:password@host:5432/db`)
    /// instead of the SQLite file in the data directory (see docs/SCALING.md).
    #[arg(long, env = "MAILSIGHT_DATABASE_URL", hide_env_values = true)]
    database: Option<String>,
    /// An access key that may call the API (with --secret-access-key).
    #[arg(long, env = "MAILSIGHT_ACCESS_KEY_ID", requires = "secret_access_key")]
    access_key_id: Option<String>,
    /// The secret of --access-key-id.
    #[arg(
        long,
        env = "MAILSIGHT_SECRET_ACCESS_KEY",
        hide_env_values = true,
        requires = "access_key_id"
    )]
    secret_access_key: Option<String>,
    /// The account of --access-key-id [default: 000000000000].
    #[arg(long, env = "MAILSIGHT_ACCOUNT_ID")]
    account_id: Option<String>,
    /// Accept senders that match no verified identity.
    #[arg(long, env = "MAILSIGHT_ALLOW_UNVERIFIED_SENDERS")]
    allow_unverified_senders: bool,
    /// Serve without access keys on a non-loopback address (anyone who
    /// reaches it can use it).
    #[arg(long)]
    insecure_no_auth: bool,
}

impl ServeArgs {
    fn into_config(self) -> anyhow::Result<Config> {
        let mut config = match &self.config {
            Some(path) => Config::from_file(path)?,
            None => Config::default(),
        };
        if let Some(listen) = self.listen {
            config.listen = listen;
        }
        if let Some(tls) = self.tls_listen {
            config.tls.listen = Some(tls);
        }
        if let Some(dir) = self.data_dir {
            config.data_dir = dir;
        }
        config.ephemeral |= self.ephemeral;
        if let Some(url) = self.database {
            config.store.url = Some(url);
        }
        if let (Some(id), Some(secret)) = (self.access_key_id, self.secret_access_key) {
            config.auth.keys.push(AccessKey {
                access_key_id: id,
                secret_access_key: secret,
                account_id: self
                    .account_id
                    .unwrap_or_else(|| mailsight_api::DEFAULT_ACCOUNT.into()),
            });
        }
        if self.allow_unverified_senders {
            config.sending.require_verified_identity = false;
        }
        config.auth.insecure_no_auth |= self.insecure_no_auth;
        Ok(config)
    }
}

async fn run_import(args: ImportArgs) -> anyhow::Result<std::process::ExitCode> {
    use std::io::IsTerminal;
    let mut config = match &args.config {
        Some(path) => Config::from_file(path)?,
        None => Config::default(),
    };
    if let Some(dir) = args.data_dir {
        config.data_dir = dir;
    }
    if let Some(url) = args.database {
        config.store.url = Some(url);
    }
    config.check_store()?;
    if args.parse_only {
        let progress = !args.quiet && std::io::stderr().is_terminal();
        let report = mailsight::import::parse_only(&args.paths, progress).await?;
        println!(
            "parsed {} records ({} rejected) from {} files{} in {:.2} s: {:.0} records/s",
            report.imported,
            report.rejected.len(),
            report.files,
            skipped_count(&report),
            report.elapsed.as_secs_f64(),
            report.rate()
        );
        print_skipped(&report);
        return Ok(std::process::ExitCode::SUCCESS);
    }
    let account = args
        .account
        .unwrap_or(config.ingest.default_account.clone());
    let store = mailsight::store::open(&config).await.with_context(|| {
        format!(
            "cannot open the store ({})",
            mailsight::store::describe(&config)
        )
    })?;
    let ingestor = mailsight_engine::Ingestor::new(store);
    let progress = !args.quiet && std::io::stderr().is_terminal();
    let report = mailsight::import::import(ingestor, &account, &args.paths, progress).await?;
    println!(
        "imported {} records ({} duplicates, {} rejected) from {} files{} in {:.2} s: {:.0} records/s",
        report.imported,
        report.duplicates,
        report.rejected.len(),
        report.files,
        skipped_count(&report),
        report.elapsed.as_secs_f64(),
        report.rate()
    );
    print_skipped(&report);
    for r in &report.rejected {
        println!("rejected {}:{}: {}", r.file.display(), r.line, r.reason);
    }
    for line in mailsight::import::where_filed(&report.accounts) {
        println!("{line}");
    }
    // 2: finished, but some records could not be imported.
    Ok(if report.rejected.is_empty() {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::from(2)
    })
}

/// ` (N skipped)` after the file count, when files were skipped.
fn skipped_count(report: &mailsight::import::ImportReport) -> String {
    match report.skipped.len() {
        0 => String::new(),
        n => format!(" ({n} skipped)"),
    }
}

/// One line per file that held no records: skipping a README or an image
/// in an archive is not a failure, so it does not change the exit status.
fn print_skipped(report: &mailsight::import::ImportReport) {
    for s in &report.skipped {
        println!("skipped {}: {}", s.file.display(), s.reason);
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<std::process::ExitCode> {
    mailsight::logging::init();
    match Cli::parse().command {
        Command::Serve(args) => {
            let config = args.into_config()?;
            config.check()?;
            let listener = tokio::net::TcpListener::bind(config.listen)
                .await
                .with_context(|| format!("cannot listen on {}", config.listen))?;
            let shutdown = async {
                let _ = tokio::signal::ctrl_c().await;
                tracing::info!("shutting down");
            };
            mailsight::run(config, listener, shutdown).await?;
        }
        Command::Import(args) => return run_import(args).await,
        Command::Deliveries(args) => return cli::deliveries::run(args).await,
        Command::Message(args) => return cli::message::run(args).await,
        Command::Messages(args) => return mailsight::messages::run(args).await,
        Command::Rollups(args) => return cli::rollups::run(args).await,
        Command::Copy(args) => return cli::copy::run(args).await,
    }
    Ok(std::process::ExitCode::SUCCESS)
}
