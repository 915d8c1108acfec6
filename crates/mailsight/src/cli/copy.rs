//! `mailsight copy --to postgres://…`: moves an SQLite data directory's
//! whole content into a PostgreSQL database (`mailsight_store::copy`), for
//! a team going from one server to several. Stop the server first: a copy
//! reads the SQLite file as it is, and what the server writes meanwhile is
//! not copied.

use std::path::PathBuf;

use anyhow::Context;

#[derive(clap::Args)]
pub struct CopyArgs {
    /// The data directory to copy [default: ./mailsight-data].
    #[arg(long, env = "MAILSIGHT_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// The PostgreSQL database to copy into (`postgres://…`): an empty one,
    /// or the one an interrupted copy was writing.
    #[arg(long)]
    to: String,
}

pub async fn run(args: CopyArgs) -> anyhow::Result<std::process::ExitCode> {
    if !mailsight_store::postgres::is_postgres_url(&args.to) {
        anyhow::bail!("--to takes a PostgreSQL URL (postgres://user@host:5432/db)");
    }
    let data_dir = args
        .data_dir
        .unwrap_or_else(|| PathBuf::from(crate_default_data_dir()));
    let db = data_dir.join(mailsight_store::sqlite::DATABASE_FILE);
    if !db.exists() {
        anyhow::bail!("no mailsight database in {}", data_dir.display());
    }
    let target = mailsight_store::postgres::redacted(&args.to);
    println!("copying {} into {target}", data_dir.display());
    let started = std::time::Instant::now();
    let report =
        mailsight_store::copy::sqlite_to_postgres(&data_dir, &args.to, |table, rows| match rows {
            Some(n) => println!("  {table:<20} {n} rows"),
            None => println!("  {table:<20} copied by an earlier run"),
        })
        .await
        .with_context(|| {
            format!("copying into {target} failed; run the same command again to resume")
        })?;
    let rows: u64 = report.tables.iter().filter_map(|(_, n)| *n).sum();
    println!(
        "copied {rows} rows in {:.1} s; start mailsight with --database {target}",
        started.elapsed().as_secs_f64()
    );
    Ok(std::process::ExitCode::SUCCESS)
}

fn crate_default_data_dir() -> &'static str {
    mailsight::config::DEFAULT_DATA_DIR
}
