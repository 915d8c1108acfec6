//! `mailsight-bench receiver`: the webhook the `SendEmail` phase forwards
//! events to; it answers 200 and counts.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(clap::Args)]
pub struct ReceiverArgs {
    #[arg(long)]
    listen: std::net::SocketAddr,
}

/// Answers 200 to every POST and counts them; `GET /count` tells how many.
pub async fn receiver(args: ReceiverArgs) -> anyhow::Result<()> {
    use axum::routing::{get, post};
    let count = Arc::new(AtomicU64::new(0));
    let (c1, c2) = (count.clone(), count);
    let app = axum::Router::new()
        .route(
            "/count",
            get(move || {
                let c = c1.clone();
                async move { c.load(Ordering::Relaxed).to_string() }
            }),
        )
        .fallback(post(move || {
            let c = c2.clone();
            async move {
                c.fetch_add(1, Ordering::Relaxed);
                "ok"
            }
        }));
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
