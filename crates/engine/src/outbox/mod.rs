//! The outbox's delivering side: takes due deliveries from the store and
//! hands each to the sink of its target, at least once.
//!
//! Routing happened when the record was stored (`mailsight-store`'s outbox
//! writes deliveries in the same transaction), so everything here can
//! crash and restart: claimed deliveries are leased, and fall due again if
//! they are not settled. Each target has its own worker, so a dead or slow
//! endpoint delays only its own deliveries.

pub mod cloudwatch;
pub mod config;
pub mod firehose;
pub mod formats;
pub mod nats;
pub mod policy;
pub mod sink;
pub mod sns;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mailsight_store::{Delivery, Store};
use serde_json::Value;

pub use config::{Format, ForwarderConfig, OutboxConfig};
pub use policy::{RetryPolicy, SinkError};
use sink::{EventBridgeSink, ForwarderSink, Sink, StoredOnly};

use crate::scheduler::now_ms;

/// How often the deliverer looks for due deliveries.
const POLL: Duration = Duration::from_millis(100);
/// How often delivered deliveries past their retention are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(60);
/// Deliveries one worker takes at a time.
const BATCH: usize = 32;

/// Delivers what the router put in the outbox.
pub struct Deliverer {
    store: Arc<dyn Store>,
    config: OutboxConfig,
    region: String,
    client: reqwest::Client,
    running: Mutex<HashSet<String>>,
    /// When the outbox was last pruned (epoch ms).
    last_prune: std::sync::atomic::AtomicI64,
    /// Topics mailsight hosts, for `SnsDestination`s (see [`sns`]).
    sns: Option<Arc<sns::SnsHost>>,
    /// The counters CloudWatch destinations add to (served at `/metrics`).
    metrics: Arc<cloudwatch::Metrics>,
    /// Connections of NATS forwarders.
    nats: Arc<nats::NatsPool>,
    /// Writers of `[[firehose.streams]]`, shared by every Firehose sink.
    firehose: Arc<firehose::Firehose>,
}

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
            last_prune: std::sync::atomic::AtomicI64::new(0),
            sns: None,
            metrics: cloudwatch::Metrics::new(),
            nats: nats::NatsPool::new(),
            firehose,
        }
    }

    /// Shares the counters CloudWatch destinations add to.
    pub fn with_metrics(mut self, metrics: Arc<cloudwatch::Metrics>) -> Self {
        self.metrics = metrics;
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
            }
        }
    }

    /// Forgets delivered deliveries older than the retention, about once a
    /// minute, so the outbox does not grow without bound.
    async fn prune_now_and_then(&self) {
        let now = now_ms();
        let last = self.last_prune.load(std::sync::atomic::Ordering::Relaxed);
        if now - last < PRUNE_EVERY.as_millis() as i64 {
            return;
        }
        self.last_prune
            .store(now, std::sync::atomic::Ordering::Relaxed);
        let cutoff = now - (self.config.delivery.retain_delivered_secs * 1000) as i64;
        match self.store.prune_delivered(cutoff).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(pruned = n, "forgot old delivered deliveries"),
            Err(e) => tracing::warn!(error = %e, "cannot prune the outbox"),
        }
    }

    /// Delivers everything due for one target, then stops.
    async fn work(self: Arc<Self>, target: String) {
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
            let mut tasks = tokio::task::JoinSet::new();
            for d in batch {
                let me = self.clone();
                tasks.spawn(async move { me.attempt(d).await });
            }
            while tasks.join_next().await.is_some() {}
        }
        if let Ok(mut running) = self.running.lock() {
            running.remove(&target);
        }
    }

    async fn attempt(&self, d: Delivery) {
        let outcome = match self.sink_for(&d).await {
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
        if let Err(e) = self.store.settle_delivery(d.id, now, result).await {
            // The lease runs out and the delivery is tried again.
            tracing::warn!(id = d.id, error = %e, "cannot record a delivery attempt");
        }
    }

    /// The sink for a delivery's target, as configured now.
    async fn sink_for(&self, d: &Delivery) -> Result<Box<dyn Sink>, SinkError> {
        if let Some(name) = d.target.strip_prefix("forwarder:") {
            let config = self
                .config
                .forwarders
                .iter()
                .find(|f| f.name == name)
                .ok_or_else(|| {
                    SinkError::permanent(format!("forwarder {name} is no longer configured"))
                })?;
            if let Some(target) = &config.nats {
                return Ok(Box::new(nats::NatsSink {
                    pool: self.nats.clone(),
                    target: target.clone(),
                    format: config.format,
                    region: self.region.clone(),
                }));
            }
            return Ok(Box::new(ForwarderSink {
                client: self.client.clone(),
                config: config.clone(),
                region: self.region.clone(),
            }));
        }
        let Some((set, name)) = d
            .target
            .strip_prefix("destination:")
            .and_then(|t| t.split_once('/'))
        else {
            return Err(SinkError::permanent(format!("unknown target {}", d.target)));
        };
        let destinations = self
            .store
            .list_event_destinations(&d.account_id, set)
            .await
            .map_err(|e| SinkError::retry(e.to_string()))?;
        let destination = destinations
            .into_iter()
            .find(|x| x.name == name)
            .ok_or_else(|| {
                SinkError::permanent(format!("event destination {set}/{name} no longer exists"))
            })?;
        let def = &destination.definition;
        // A stored definition names exactly one destination kind.
        let kind = def
            .as_object()
            .and_then(|o| o.keys().find(|k| k.ends_with("Destination")).cloned())
            .unwrap_or_default();
        let field = |path: &str| {
            def.pointer(path)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        match kind.as_str() {
            "EventBridgeDestination" => {
                let arn = field("/EventBridgeDestination/EventBusArn");
                let bus = self
                    .config
                    .eventbridge
                    .buses
                    .iter()
                    .find(|b| b.arn == arn)
                    .ok_or_else(|| {
                        SinkError::permanent(format!(
                            "no [[eventbridge.buses]] entry binds {arn} to HTTP targets"
                        ))
                    })?;
                Ok(Box::new(EventBridgeSink {
                    client: self.client.clone(),
                    targets: bus.targets.clone(),
                    region: self.region.clone(),
                }))
            }
            "PinpointDestination" => Ok(Box::new(StoredOnly)),
            "SnsDestination" => {
                self.sns_sink(&d.account_id, &field("/SnsDestination/TopicArn"))
                    .await
            }
            "KinesisFirehoseDestination" => self.firehose.sink(
                &field("/KinesisFirehoseDestination/DeliveryStreamArn"),
                &self.client,
            ),
            "CloudWatchDestination" => Ok(Box::new(cloudwatch::CloudWatchSink {
                metrics: self.metrics.clone(),
                destination: format!("{set}/{name}"),
                dimensions: def
                    .pointer("/CloudWatchDestination/DimensionConfigurations")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
            })),
            other => Err(SinkError::permanent(format!(
                "mailsight does not deliver to {other} yet"
            ))),
        }
    }
}
