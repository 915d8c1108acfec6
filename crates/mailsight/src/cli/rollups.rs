//! `mailsight rollups rebuild`: forgets the counts behind metrics and
//! counts every stored event again (upgrading does it once by itself; this
//! is for repairs).

use clap::Subcommand;

#[derive(clap::Args)]
pub struct RollupsArgs {
    #[command(subcommand)]
    action: RollupsAction,
    #[command(flatten)]
    store: mailsight::store::StoreArgs,
}

#[derive(Subcommand)]
enum RollupsAction {
    /// Forgets the rollups and counts every stored event again (safe while
    /// the server runs: one transaction).
    Rebuild,
}

pub async fn run(args: RollupsArgs) -> anyhow::Result<std::process::ExitCode> {
    let store = args.store.open().await?;
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
