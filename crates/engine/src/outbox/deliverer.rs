//! [`Deliverer`]: polls the outbox, runs one worker per due target, and
//! settles every attempt through the retry policy.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mailsight_store::{Delivery, Store, Target};

use super::attempts::AttemptCounters;
use super::config::OutboxConfig;
use super::policy::SinkError;
use super::sink::Sink;
use super::{cloudwatch, firehose, nats, sns};
use crate::scheduler::now_ms;

/// How often the deliverer looks for due deliveries.
const POLL: Duration = Duration::from_millis(100);
/// How often delivered deliveries past their retention are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(60);
/// Deliveries one worker takes at a time.
const BATCH: usize = 32;

/// Delivers what the router put in the outbox.
pub struct Deliverer {
    pub(super) store: Arc<dyn Store>,
    pub(super) config: OutboxConfig,
    pub(super) region: String,
    pub(super) client: reqwest::Client,
    running: Mutex<HashSet<Target>>,
    /// When the outbox was last pruned (epoch ms).
    last_prune: AtomicI64,
    /// Topics mailsight hosts, for `SnsDestination`s (see [`sns`]).
    pub(super) sns: Option<Arc<sns::SnsHost>>,
    /// The counters CloudWatch destinations add to (served at `/metrics`).
    pub(super) metrics: Arc<cloudwatch::Metrics>,
    /// Connections of NATS forwarders.
    pub(super) nats: Arc<nats::NatsPool>,
    /// Writers of `[[firehose.streams]]`, shared by every Firehose sink.
    pub(super) firehose: Arc<firehose::Firehose>,
    /// Settled attempts by outcome (served at `/metrics`).
    attempts: Arc<AttemptCounters>,
}

/// The sink of one account's deliveries in a batch, or why there is none.
type Resolved = Result<Arc<dyn Sink>, SinkError>;

impl Deliverer {
    pub fn new(store: Arc<dyn Store>, config: OutboxConfig, region: String) -> Self {
        let client = reqwest::Client::builder()
            .timeout(config.delivery.timeout())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        let firehose = Arc::new(firehose::Firehose::new(&config.firehose));
        Deliverer {
            store,
            config,
            region,
            client,
            running: Mutex::new(HashSet::new()),
            last_prune: AtomicI64::new(0),
            sns: None,
            metrics: cloudwatch::Metrics::new(),
            nats: nats::NatsPool::new(),
            firehose,
            attempts: AttemptCounters::new(),
        }
    }

    /// Shares the counters CloudWatch destinations add to.
    pub fn with_metrics(mut self, metrics: Arc<cloudwatch::Metrics>) -> Self {
        self.metrics = metrics;
        self
    }

    /// Shares the counters of settled attempts.
    pub fn with_attempt_counters(mut self, attempts: Arc<AttemptCounters>) -> Self {
        self.attempts = attempts;
        self
    }

    /// Lets `SnsDestination`s deliver to the topics mailsight hosts.
    pub fn with_sns(mut self, host: Arc<sns::SnsHost>) -> Self {
        self.sns = Some(host);
        self
    }

    /// Tells the router which forwarders exist.
    pub async fn register_forwarders(&self) -> Result<(), mailsight_store::StoreError> {
        let routes = self
            .config
            .forwarders
            .iter()
            .map(|f| mailsight_store::ForwarderRoute {
                name: f.name.clone(),
                event_types: f.event_types.clone(),
                configuration_sets: f.configuration_sets.clone(),
            })
            .collect();
        self.store.set_forwarders(routes).await
    }

    /// Runs until `shutdown` resolves.
    pub async fn run(self: Arc<Self>, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        // Work another process stored wakes this one at once (PostgreSQL's
        // notifications); the poll stays, for what a notification misses.
        let others = self.store.work_signal();
        loop {
            match self.store.due_targets(now_ms(), 256).await {
                Ok(targets) => {
                    for target in targets {
                        let fresh = self
                            .running
                            .lock()
                            .map(|mut r| r.insert(target.clone()))
                            .unwrap_or(false);
                        if fresh {
                            tokio::spawn(self.clone().work(target));
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "cannot read the outbox; retrying"),
            }
            // Rotates Firehose objects that are due (and, on the first
            // pass, finalizes what a crash left behind).
            self.firehose.tick().await;
            self.prune_now_and_then().await;
            tokio::select! {
                _ = &mut shutdown => {
                    self.firehose.close().await;
                    return;
                }
                _ = tokio::time::sleep(POLL) => {}
                _ = crate::scheduler::work_from_others(others.as_deref()) => {}
            }
        }
    }

    /// Forgets delivered deliveries older than the retention, about once a
    /// minute, so the outbox does not grow without bound.
    async fn prune_now_and_then(&self) {
        let now = now_ms();
        let last = self.last_prune.load(Ordering::Relaxed);
        if now - last < PRUNE_EVERY.as_millis() as i64 {
            return;
        }
        self.last_prune.store(now, Ordering::Relaxed);
        let cutoff = now - (self.config.delivery.retain_delivered_secs * 1000) as i64;
        match self.store.prune_delivered(cutoff).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(pruned = n, "forgot old delivered deliveries"),
            Err(e) => tracing::warn!(error = %e, "cannot prune the outbox"),
        }
    }

    /// Delivers everything due for one target, then stops.
    ///
    /// The sink is resolved once per batch (and per account in it: a
    /// target's text does not name the account, so two accounts' alike
    /// named destinations share a worker), not per delivery: one store read
    /// for up to [`BATCH`] attempts. Resolving again for the next batch is
    /// what makes a deleted or changed destination count from then on.
    async fn work(self: Arc<Self>, target: Target) {
        let lease = self.config.delivery.timeout() + Duration::from_secs(30);
        loop {
            let now = now_ms();
            let batch = match self
                .store
                .claim_deliveries(&target, now, now + lease.as_millis() as i64, BATCH)
                .await
            {
                Ok(b) if !b.is_empty() => b,
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!(%target, error = %e, "cannot claim deliveries");
                    break;
                }
            };
            let mut sinks: HashMap<String, Resolved> = HashMap::new();
            let mut tasks = tokio::task::JoinSet::new();
            for d in batch {
                let sink = match sinks.get(&d.account_id) {
                    Some(s) => s.clone(),
                    None => {
                        let s = self.sink_for(&d.account_id, &target).await;
                        sinks.insert(d.account_id.clone(), s.clone());
                        s
                    }
                };
                let me = self.clone();
                tasks.spawn(async move { me.attempt(d, sink).await });
            }
            while tasks.join_next().await.is_some() {}
        }
        if let Ok(mut running) = self.running.lock() {
            running.remove(&target);
        }
    }

    async fn attempt(&self, d: Delivery, sink: Resolved) {
        let outcome = match sink {
            Ok(sink) => {
                match tokio::time::timeout(self.config.delivery.timeout(), sink.deliver(&d)).await {
                    Ok(result) => result,
                    Err(_) => Err(SinkError::retry("timed out")),
                }
            }
            Err(e) => Err(e),
        };
        if let Err(e) = &outcome {
            tracing::debug!(id = d.id, target = %d.target, error = %e.message, "delivery attempt failed");
        }
        let now = now_ms();
        let result = self.config.delivery.settle(&d, now, outcome);
        let settled = result.clone();
        match self.store.settle_delivery(d.id, now, result).await {
            Ok(()) => self.attempts.count(&settled),
            Err(e) => {
                // The lease runs out and the delivery is tried again.
                tracing::warn!(id = d.id, error = %e, "cannot record a delivery attempt");
            }
        }
    }
}
