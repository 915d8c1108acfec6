//! Releases scheduled records when they fall due.
//!
//! The simulator plans each recipient's fate at send time and stores the
//! later steps durably; this task moves each into the event log at its
//! time. After a restart it simply carries on from what the store holds.

use std::sync::Arc;
use std::time::Duration;

use mailsight_store::Store;
use tokio::sync::Notify;

/// How many due records one transaction releases at most.
const BATCH: usize = 1_000;
/// Checks again at least this often, in case a wake-up was missed.
const MAX_SLEEP: Duration = Duration::from_secs(5);
/// Wait after a storage failure before trying again.
const RETRY_AFTER: Duration = Duration::from_millis(500);

pub(crate) use mailsight_model::now_ms;

/// Resolves when another process on the same store commits work
/// ([`Store::work_signal`]); never where there is no such process.
pub(crate) async fn work_from_others(signal: Option<&Notify>) {
    match signal {
        Some(n) => n.notified().await,
        None => std::future::pending().await,
    }
}

/// Runs until `shutdown` resolves.
pub async fn run(
    store: Arc<dyn Store>,
    wake: Arc<Notify>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let others = store.work_signal();
    loop {
        let sleep = match release(&*store).await {
            Ok(next) => next,
            Err(e) => {
                tracing::warn!(error = %e, "releasing scheduled events failed; retrying");
                RETRY_AFTER
            }
        };
        tokio::select! {
            _ = &mut shutdown => return,
            _ = wake.notified() => {}
            _ = work_from_others(others.as_deref()) => {}
            _ = tokio::time::sleep(sleep) => {}
        }
    }
}

/// Releases everything due now; returns how long to sleep until the next.
async fn release(store: &dyn Store) -> Result<Duration, mailsight_store::StoreError> {
    loop {
        let released = store.release_due(now_ms(), BATCH).await?;
        let feedback: Vec<_> = released
            .iter()
            .filter(|r| crate::suppression::may_suppress(r))
            .cloned()
            .collect();
        if let Err(e) = crate::suppression::learn(store, &feedback).await {
            tracing::warn!(error = %e, "updating the suppression list failed");
        }
        if released.len() < BATCH {
            break;
        }
    }
    Ok(match store.next_due().await? {
        Some(due) => {
            Duration::from_millis((due - now_ms()).clamp(0, MAX_SLEEP.as_millis() as i64) as u64)
        }
        None => MAX_SLEEP,
    })
}
