//! The `mailsight` command.

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
    Deliveries(DeliveriesArgs),
    /// Shows a sent message from the data directory: its stored events (with
    /// machine-activity marks), or with --mime the message as sent.
    Message(MessageArgs),
    /// Maintains the counts behind metrics (BatchGetMetricData, GetAccount,
    /// the dashboard): `mailsight rollups rebuild` counts every stored
    /// event again, after an upgrade or a repair.
    Rollups(RollupsArgs),
    /// Searches messages in the data directory by recipient, sender,
    /// subject, event, tag, configuration set, ISP and time, newest first.
    Messages(mailsight::messages::MessagesArgs),
}

#[derive(clap::Args)]
struct RollupsArgs {
    #[command(subcommand)]
    action: RollupsAction,
    /// The data directory of the server [default: ./mailsight-data].
    #[arg(long, env = "MAILSIGHT_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,
}

#[derive(Subcommand)]
enum RollupsAction {
    /// Forgets the rollups and counts every stored event again (safe while
    /// the server runs: one transaction).
    Rebuild,
}

#[derive(clap::Args)]
struct DeliveriesArgs {
    /// The data directory of the server [default: ./mailsight-data].
    #[arg(long, env = "MAILSIGHT_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Only deliveries in this state: pending, delivered or dead.
    #[arg(long)]
    status: Option<String>,
    /// Only this target (`destination:<set>/<name>` or `forwarder:<name>`).
    #[arg(long)]
    target: Option<String>,
    /// Only this message's deliveries.
    #[arg(long)]
    message_id: Option<String>,
    /// How many to list, newest first.
    #[arg(long, default_value_t = 50)]
    limit: usize,
    /// Make the dead deliveries (of --target, or all) pending again.
    #[arg(long)]
    replay: bool,
}

#[derive(clap::Args)]
struct MessageArgs {
    /// The SES message id.
    message_id: String,
    /// The data directory of the server [default: ./mailsight-data].
    #[arg(long, env = "MAILSIGHT_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// The account that sent it.
    #[arg(long, default_value = "000000000000")]
    account: String,
    /// Print the MIME message as sent instead of the events.
    #[arg(long)]
    mime: bool,
    /// With --mime: the copy this recipient got (unsubscribe links differ).
    #[arg(long)]
    recipient: Option<String>,
}

#[derive(clap::Args)]
struct ImportArgs {
    /// A TOML config file (for `data_dir` and `ingest.default_account`).
    #[arg(long, env = "MAILSIGHT_CONFIG")]
    config: Option<PathBuf>,
    /// The data directory of the server [default: ./mailsight-data].
    #[arg(long, env = "MAILSIGHT_DATA_DIR")]
    data_dir: Option<PathBuf>,
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
    /// Directory for the database [default: ./mailsight-data].
    #[arg(long, env = "MAILSIGHT_DATA_DIR")]
    data_dir: Option<PathBuf>,
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
        if let Some(dir) = self.data_dir {
            config.data_dir = dir;
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

async fn run_deliveries(args: DeliveriesArgs) -> anyhow::Result<std::process::ExitCode> {
    use mailsight_store::{DeliveryFilter, DeliveryStatus, Store, Target};
    let dir = args
        .data_dir
        .unwrap_or_else(|| PathBuf::from(mailsight::config::DEFAULT_DATA_DIR));
    let store = mailsight_store::SqliteStore::open(&dir)
        .with_context(|| format!("cannot open the store in {}", dir.display()))?;
    // Text that names no target matches no delivery (as when targets were
    // compared as plain text).
    let target = match args.target.as_deref().map(str::parse::<Target>) {
        None => None,
        Some(Ok(t)) => Some(t),
        Some(Err(e)) => {
            eprintln!("{e}");
            None
        }
    };
    let unknown = args.target.is_some() && target.is_none();
    if args.replay {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_millis() as i64;
        let n = if unknown {
            0
        } else {
            store.replay_dead(target.as_ref(), now).await?
        };
        println!("replayed {n} dead deliveries; a running server delivers them now");
        return Ok(std::process::ExitCode::SUCCESS);
    }
    let status = match args.status.as_deref() {
        Some(s) => Some(
            DeliveryStatus::parse(s)
                .with_context(|| format!("unknown status {s}: use pending, delivered or dead"))?,
        ),
        None => None,
    };
    let filter = DeliveryFilter {
        account_id: None,
        target,
        status,
        message_id: args.message_id,
    };
    let deliveries = if unknown {
        Vec::new()
    } else {
        store.list_deliveries(filter, None, args.limit).await?
    };
    println!("id\tstatus\tattempts\ttype\ttarget\tmessage\tlast error");
    for d in deliveries {
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}",
            d.id,
            d.status.as_str(),
            d.attempts,
            d.event_type.api_name(),
            d.target,
            d.message_id,
            d.last_error.unwrap_or_default()
        );
    }
    Ok(std::process::ExitCode::SUCCESS)
}

async fn run_message(args: MessageArgs) -> anyhow::Result<std::process::ExitCode> {
    use mailsight_store::Store;
    use std::io::Write;
    let dir = args
        .data_dir
        .unwrap_or_else(|| PathBuf::from(mailsight::config::DEFAULT_DATA_DIR));
    let store = mailsight_store::SqliteStore::open(&dir)
        .with_context(|| format!("cannot open the store in {}", dir.display()))?;
    let (account, id) = (&args.account, &args.message_id);
    if args.mime {
        let Some(mime) = store
            .message_content(account, id, args.recipient.as_deref())
            .await?
        else {
            eprintln!("no content is stored for message {id} of account {account}");
            return Ok(std::process::ExitCode::FAILURE);
        };
        std::io::stdout().write_all(&mime)?;
        return Ok(std::process::ExitCode::SUCCESS);
    }
    let records = store.message_records(account, id).await?;
    if records.is_empty() {
        eprintln!("message {id} of account {account} is not stored");
        return Ok(std::process::ExitCode::FAILURE);
    }
    let marks = store.machine_activity(account, id).await?;
    println!("type\ttimestamp\tmachine activity");
    for (kind, body) in records {
        let at = mailsight_model::EventRecord::parse(body.as_bytes())
            .ok()
            .and_then(|r| r.event_timestamp())
            .map(mailsight_model::format_timestamp)
            .unwrap_or_default();
        let machine =
            mailsight_engine::engagement::machine_mark(account, &body, &marks).unwrap_or("");
        println!("{}\t{at}\t{machine}", kind.api_name());
    }
    Ok(std::process::ExitCode::SUCCESS)
}

async fn run_rollups(args: RollupsArgs) -> anyhow::Result<std::process::ExitCode> {
    use mailsight_store::Store;
    let dir = args
        .data_dir
        .unwrap_or_else(|| PathBuf::from(mailsight::config::DEFAULT_DATA_DIR));
    let store = mailsight_store::SqliteStore::open(&dir)
        .with_context(|| format!("cannot open the store in {}", dir.display()))?;
    match args.action {
        RollupsAction::Rebuild => {
            let started = std::time::Instant::now();
            let r = store.rebuild_rollups().await?;
            println!(
                "counted {} events of {} messages into {} rollup rows in {:.2} s",
                r.events,
                r.messages,
                r.rows,
                started.elapsed().as_secs_f64()
            );
        }
    }
    Ok(std::process::ExitCode::SUCCESS)
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
    if args.parse_only {
        let progress = !args.quiet && std::io::stderr().is_terminal();
        let report = mailsight::import::parse_only(&args.paths, progress).await?;
        println!(
            "parsed {} records ({} rejected) from {} files in {:.2} s: {:.0} records/s",
            report.imported,
            report.rejected.len(),
            report.files,
            report.elapsed.as_secs_f64(),
            report.rate()
        );
        return Ok(std::process::ExitCode::SUCCESS);
    }
    let account = args
        .account
        .unwrap_or(config.ingest.default_account.clone());
    let store = std::sync::Arc::new(
        mailsight_store::SqliteStore::open(&config.data_dir)
            .with_context(|| format!("cannot open the store in {}", config.data_dir.display()))?,
    );
    let ingestor = mailsight_engine::Ingestor::new(store);
    let progress = !args.quiet && std::io::stderr().is_terminal();
    let report = mailsight::import::import(ingestor, &account, &args.paths, progress).await?;
    println!(
        "imported {} records ({} duplicates, {} rejected) from {} files in {:.2} s: {:.0} records/s",
        report.imported,
        report.duplicates,
        report.rejected.len(),
        report.files,
        report.elapsed.as_secs_f64(),
        report.rate()
    );
    for r in &report.rejected {
        println!("rejected {}:{}: {}", r.file.display(), r.line, r.reason);
    }
    // 2: finished, but some records could not be imported.
    Ok(if report.rejected.is_empty() {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::from(2)
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<std::process::ExitCode> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MAILSIGHT_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .init();
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
        Command::Deliveries(args) => return run_deliveries(args).await,
        Command::Message(args) => return run_message(args).await,
        Command::Rollups(args) => return run_rollups(args).await,
        Command::Messages(args) => return mailsight::messages::run(args).await,
    }
    Ok(std::process::ExitCode::SUCCESS)
}
