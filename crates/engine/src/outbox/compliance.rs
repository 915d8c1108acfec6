//! The sink compliance suite: the guarantees every kind of target gives,
//! checked against real parts (the SQLite store in a tempdir, a running
//! [`Deliverer`], local HTTP servers on port 0, the Firehose directory
//! writer in a tempdir, the JetStream server on 127.0.0.1:4222).
//!
//! Each kind provides a [`Harness`] in its folder (`<kind>/harness.rs`):
//! how to set up one target of the kind and its receiving side, what has
//! arrived there, the bytes a delivery must arrive as, and how to make the
//! target fail for a while, fail for good, or hang. The [`compliance!`]
//! invocations at the end run the same four tests for every kind:
//!
//! 1. exactly the routed records arrive, byte for byte;
//! 2. a transient failure is retried, and the delivery then succeeds;
//! 3. a permanent failure makes the delivery dead, with the reason;
//! 4. a target stuck mid-attempt does not hold up another target.
//!
//! A kind that honestly cannot do something (CloudWatch counters cannot
//! fail for a while; Pinpoint sends nothing; a directory write cannot be
//! held open) says so with [`Cannot`], and the suite then checks the
//! honest equivalent, named in the test's output: each delivery settled
//! at its first attempt and arriving (or counted) exactly once, or a
//! stuck webhook neighbour in place of a stuck target of the kind.
//!
//! A new kind gets these guarantees by writing a harness and adding one
//! `compliance!` line.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use mailsight_model::EventType;
use mailsight_store::{
    Attempt, ConfigurationSet, Delivery, DeliveryFilter, DeliveryStatus, SqliteStore, Store, Target,
};
use serde_json::{Value, json};

use super::cloudwatch::Metrics;
use super::config::{ForwarderConfig, OutboxConfig};
use super::deliverer::Deliverer;
use super::destination::event_destination;
use super::sns::SnsHost;
use crate::ingest::Ingestor;

/// The account every record and destination belongs to.
pub(crate) const ACCOUNT: &str = "000000000000";
/// The configuration set records are sent with, and destinations belong to.
pub(crate) const SET: &str = "cs";
pub(crate) const REGION: &str = "us-east-1";
/// How long to wait for something that should happen in milliseconds.
const PATIENCE: Duration = Duration::from_secs(20);

/// Why a kind cannot do what a test asks of it.
#[derive(Debug)]
pub(crate) struct Cannot(pub &'static str);

/// What reached a target's receiving side, one entry per delivery, in
/// the form [`Harness::expected`] gives; or why nothing ever does.
pub(crate) enum Arrived {
    Bytes(Vec<Vec<u8>>),
    Nothing(&'static str),
}

/// One target of a kind, and its receiving side.
#[async_trait]
pub(crate) trait Harness: Send + Sync + Sized + 'static {
    /// The kind, for messages.
    const KIND: &'static str;
    /// Sets up the target `name`, routed the records of `types` sent with
    /// [`SET`]: a destination in the store or a forwarder in the config.
    async fn add(env: &mut Env, name: &str, types: &[EventType]) -> Self;
    fn target(&self) -> Target;
    /// What has arrived so far.
    async fn arrived(&self, env: &Env) -> Arrived;
    /// The bytes `d` must arrive as.
    fn expected(&self, d: &Delivery) -> Vec<u8>;
    /// Makes attempts fail in a way worth retrying until [`Harness::heal`].
    async fn break_for_now(&self, env: &mut Env) -> Result<(), Cannot>;
    async fn heal(&self, env: &Env);
    /// Makes attempts fail for good, after routing and before the
    /// deliverer starts; returns text the dead delivery's error holds.
    async fn break_for_good(&self, env: &mut Env) -> String;
    /// Makes attempts hang without an answer.
    async fn hang(&self, env: &mut Env) -> Result<(), Cannot>;
    /// Attempts hanging right now.
    fn hanging(&self) -> usize {
        0
    }
    /// Releases what the target holds outside the tempdir.
    async fn finish(&self, _env: &Env) {}
}

/// A store, a deliverer's settings, and the deliverer once started.
pub(crate) struct Env {
    pub dir: tempfile::TempDir,
    pub store: Arc<dyn Store>,
    pub config: OutboxConfig,
    pub metrics: Arc<Metrics>,
    pub sns: Option<Arc<SnsHost>>,
    ingestor: Ingestor,
    messages: AtomicUsize,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Env {
    pub async fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.path().join("db")).unwrap());
        for set in [SET, "other"] {
            store
                .create_configuration_set(
                    ACCOUNT,
                    ConfigurationSet {
                        name: set.into(),
                        options: json!({}),
                        created_at: 0,
                    },
                )
                .await
                .unwrap();
        }
        let mut config = OutboxConfig::default();
        config.delivery.initial_backoff_ms = 20;
        config.delivery.max_backoff_ms = 100;
        config.delivery.max_attempts = 1_000;
        config.delivery.timeout_ms = 10_000;
        Env {
            ingestor: Ingestor::new(store.clone()),
            dir,
            store,
            config,
            metrics: Metrics::new(),
            sns: None,
            messages: AtomicUsize::new(0),
            stop: None,
        }
    }

    /// Stores an event destination of [`SET`], checked as the API checks it.
    pub async fn add_destination(&self, name: &str, types: &[EventType], kind: (&str, Value)) {
        let mut def = json!({
            "Enabled": true,
            "MatchingEventTypes": types.iter().map(|t| t.api_name()).collect::<Vec<_>>(),
        });
        def[kind.0] = kind.1;
        let d = event_destination(name.into(), &def).unwrap();
        self.store
            .create_event_destination(ACCOUNT, SET, d)
            .await
            .unwrap();
    }

    /// Adds a forwarder to the config and tells the router about it.
    pub async fn add_forwarder(&mut self, f: ForwarderConfig) {
        self.config.forwarders.push(f);
        Deliverer::new(self.store.clone(), self.config.clone(), REGION.into())
            .register_forwarders()
            .await
            .unwrap();
    }

    /// Starts a deliverer with the config as it is now.
    pub fn start(&mut self) {
        let mut d = Deliverer::new(self.store.clone(), self.config.clone(), REGION.into())
            .with_metrics(self.metrics.clone());
        if let Some(sns) = &self.sns {
            d = d.with_sns(sns.clone());
        }
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        self.stop = Some(stop);
        tokio::spawn(Arc::new(d).run(async move {
            let _ = stopped.await;
        }));
    }

    /// Stores one record of a new message per type in `types`, sent with
    /// `set`; returns the message ids.
    pub async fn send(&self, set: &str, types: &[EventType]) -> Vec<String> {
        let mut ids = Vec::new();
        for t in types {
            let n = self.messages.fetch_add(1, Ordering::SeqCst);
            let id = format!("compliance-{n:04}-{}", uuid::Uuid::new_v4());
            let out = self
                .ingestor
                .ingest(ACCOUNT, &[record(*t, &id, set)])
                .await
                .unwrap();
            assert_eq!(out.stored, 1, "{:?}", out.rejected);
            ids.push(id);
        }
        ids
    }

    pub async fn deliveries(&self, target: &Target) -> Vec<Delivery> {
        self.store
            .list_deliveries(
                DeliveryFilter {
                    target: Some(target.clone()),
                    ..Default::default()
                },
                None,
                1_000,
            )
            .await
            .unwrap()
    }

    pub async fn attempts(&self, id: i64) -> Vec<Attempt> {
        self.store.delivery_attempts(id).await.unwrap()
    }

    /// Waits until `done` holds for `target`'s deliveries.
    pub async fn until(
        &self,
        target: &Target,
        what: &str,
        done: impl Fn(&[Delivery]) -> bool,
    ) -> Vec<Delivery> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let got = self.deliveries(target).await;
            if done(&got) {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "{target}: never {what}: {got:#?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A compact SES record of `kind` for message `id`, sent with `set`,
/// tagged and headed `team: growth` (for CloudWatch dimensions).
pub(crate) fn record(kind: EventType, id: &str, set: &str) -> String {
    let mail = json!({
        "timestamp": "2024-05-01T10:00:00.000Z",
        "source": "sender@example.com",
        "sendingAccountId": ACCOUNT,
        "messageId": id,
        "destination": ["r@example.com"],
        "headersTruncated": false,
        "headers": [{"name": "X-Team", "value": "growth"}],
        "commonHeaders": {"from": ["sender@example.com"], "to": ["r@example.com"], "messageId": id, "subject": "hi"},
        "tags": {"ses:configuration-set": [set], "team": ["growth"]},
    });
    let (member, detail) = match kind {
        EventType::Send => ("send", json!({})),
        EventType::Delivery => (
            "delivery",
            json!({"timestamp": "2024-05-01T10:00:01.000Z", "processingTimeMillis": 1000,
                   "recipients": ["r@example.com"], "smtpResponse": "250 2.6.0 Message received",
                   "reportingMTA": "a8-70.smtp-out.amazonses.com"}),
        ),
        EventType::Reject => ("reject", json!({"reason": "Bad content"})),
        other => panic!("the suite sends no {other:?}"),
    };
    let mut r = json!({"eventType": kind.record_name(), "mail": mail});
    r[member] = detail;
    r.to_string()
}

/// The entries of `a` and `b`, counted.
fn multiset(items: impl IntoIterator<Item = Vec<u8>>) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for i in items {
        *m.entry(String::from_utf8_lossy(&i).into_owned())
            .or_default() += 1;
    }
    m
}

/// What arrived at `h`, waiting until `n` entries have (the receiving side
/// may see a delivery just after it is settled).
async fn arrived_n<H: Harness>(h: &H, env: &Env, n: usize) -> Option<Vec<Vec<u8>>> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        match h.arrived(env).await {
            Arrived::Nothing(_) => return None,
            Arrived::Bytes(b) if b.len() >= n || Instant::now() >= deadline => return Some(b),
            Arrived::Bytes(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

fn all(ds: &[Delivery], status: DeliveryStatus, n: usize) -> bool {
    ds.len() == n && ds.iter().all(|d| d.status == status)
}

/// Checks that what arrived is exactly `delivered`, each once, byte for
/// byte; or, for a kind that sends nothing, says so.
async fn assert_arrived_exactly<H: Harness>(h: &H, env: &Env, delivered: &[Delivery]) {
    let expected = multiset(delivered.iter().map(|d| h.expected(d)));
    match arrived_n(h, env, delivered.len()).await {
        Some(got) => assert_eq!(
            multiset(got),
            expected,
            "{}: what arrived is not exactly the delivered records",
            H::KIND
        ),
        None => {
            if let Arrived::Nothing(why) = h.arrived(env).await {
                eprintln!("{}: nothing to compare bytes with: {why}", H::KIND);
            }
        }
    }
}

/// Test 1: only the records the router gave the target arrive, byte for
/// byte, once each.
pub(crate) async fn routed<H: Harness>() {
    let mut env = Env::new().await;
    let h = H::add(&mut env, "a", &[EventType::Send, EventType::Delivery]).await;
    env.start();
    let mut routed = env.send(SET, &[EventType::Send, EventType::Delivery]).await;
    routed.extend(env.send(SET, &[EventType::Send]).await);
    // Neither the wrong type nor another set's records are routed.
    env.send(SET, &[EventType::Reject]).await;
    env.send("other", &[EventType::Send, EventType::Delivery])
        .await;
    let target = h.target();
    let delivered = env
        .until(&target, "delivered all three", |ds| {
            all(ds, DeliveryStatus::Delivered, 3)
        })
        .await;
    let mut got: Vec<&str> = delivered.iter().map(|d| d.message_id.as_str()).collect();
    got.sort();
    routed.sort();
    assert_eq!(got, routed, "{}: the routed records", H::KIND);
    assert!(delivered.iter().all(|d| d.attempts == 1), "{delivered:#?}");
    assert_arrived_exactly(&h, &env, &delivered).await;
    h.finish(&env).await;
}

/// Test 2: a failure worth retrying is retried until the target recovers,
/// and the record then arrives once.
pub(crate) async fn transient<H: Harness>() {
    let mut env = Env::new().await;
    let h = H::add(&mut env, "a", &[EventType::Send]).await;
    let target = h.target();
    if let Err(Cannot(why)) = h.break_for_now(&mut env).await {
        eprintln!(
            "{}: cannot fail transiently ({why}); checking instead that every delivery \
             is settled at its first attempt and arrives exactly once",
            H::KIND
        );
        env.start();
        env.send(SET, &[EventType::Send, EventType::Send, EventType::Send])
            .await;
        let delivered = env
            .until(&target, "delivered", |ds| {
                all(ds, DeliveryStatus::Delivered, 3)
            })
            .await;
        for d in &delivered {
            let attempts = env.attempts(d.id).await;
            assert_eq!(attempts.len(), 1, "{attempts:?}");
            assert!(attempts[0].ok);
        }
        assert_arrived_exactly(&h, &env, &delivered).await;
        h.finish(&env).await;
        return;
    }
    env.start();
    env.send(SET, &[EventType::Send]).await;
    let failing = env
        .until(&target, "failed twice", |ds| {
            ds.len() == 1 && ds[0].attempts >= 2 && ds[0].status == DeliveryStatus::Pending
        })
        .await;
    assert!(
        failing[0]
            .last_error
            .as_deref()
            .is_some_and(|e| !e.is_empty()),
        "{failing:?}"
    );
    if let Arrived::Bytes(b) = h.arrived(&env).await {
        assert!(b.is_empty(), "{}: arrived while failing", H::KIND);
    }
    h.heal(&env).await;
    let delivered = env
        .until(&target, "delivered", |ds| {
            all(ds, DeliveryStatus::Delivered, 1)
        })
        .await;
    let attempts = env.attempts(delivered[0].id).await;
    let (last, failed) = attempts.split_last().unwrap();
    assert!(last.ok, "{attempts:?}");
    assert!(failed.len() >= 2, "{attempts:?}");
    assert!(
        failed
            .iter()
            .all(|a| !a.ok && a.detail.as_deref().is_some_and(|d| !d.is_empty())),
        "{attempts:?}"
    );
    assert_arrived_exactly(&h, &env, &delivered).await;
    h.finish(&env).await;
}

/// Test 3: a failure retrying cannot fix makes the delivery dead at its
/// first attempt, with the reason kept.
pub(crate) async fn permanent<H: Harness>() {
    let mut env = Env::new().await;
    let h = H::add(&mut env, "a", &[EventType::Send]).await;
    let target = h.target();
    env.send(SET, &[EventType::Send]).await;
    let reason = h.break_for_good(&mut env).await;
    env.start();
    let dead = env
        .until(&target, "dead", |ds| all(ds, DeliveryStatus::Dead, 1))
        .await;
    assert_eq!(dead[0].attempts, 1, "{dead:?}");
    let error = dead[0].last_error.as_deref().unwrap_or_default();
    assert!(
        error.contains(&reason),
        "{}: {error:?} lacks {reason:?}",
        H::KIND
    );
    let attempts = env.attempts(dead[0].id).await;
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].detail.as_deref(), Some(error));
    if let Arrived::Bytes(b) = h.arrived(&env).await {
        assert!(b.is_empty(), "{}: a dead delivery arrived", H::KIND);
    }
    h.finish(&env).await;
}

/// A stuck target of either kind: this kind's own, or a webhook.
enum Stuck<H> {
    Same(H),
    Webhook(super::webhook::harness::Webhook),
}

impl<H: Harness> Stuck<H> {
    fn target(&self) -> Target {
        match self {
            Stuck::Same(h) => h.target(),
            Stuck::Webhook(w) => w.target(),
        }
    }
    fn hanging(&self) -> usize {
        match self {
            Stuck::Same(h) => h.hanging(),
            Stuck::Webhook(w) => w.hanging(),
        }
    }
}

/// Test 4: while one target hangs mid-attempt, another target's
/// deliveries go through, including ones routed after the hang began.
pub(crate) async fn no_head_of_line_blocking<H: Harness>() {
    let mut env = Env::new().await;
    // Hung attempts must stay hung for the whole test.
    env.config.delivery.timeout_ms = 600_000;
    let stuck = H::add(&mut env, "stuck", &[EventType::Send]).await;
    let stuck = match stuck.hang(&mut env).await {
        Ok(()) => Stuck::Same(stuck),
        Err(Cannot(why)) => {
            eprintln!(
                "{}: cannot be held stuck ({why}); a hanging webhook forwarder is the stuck neighbour",
                H::KIND
            );
            stuck.finish(&env).await;
            env.store
                .delete_event_destination(ACCOUNT, SET, "stuck")
                .await
                .ok();
            env.config.forwarders.retain(|f| f.name != "stuck");
            let w = super::webhook::harness::Webhook::add(
                &mut env,
                "stuck-neighbour",
                &[EventType::Send],
            )
            .await;
            w.hang(&mut env).await.unwrap();
            Stuck::Webhook(w)
        }
    };
    let healthy = H::add(&mut env, "healthy", &[EventType::Send]).await;
    env.send(SET, &[EventType::Send, EventType::Send]).await;
    env.start();
    let deadline = Instant::now() + PATIENCE;
    while stuck.hanging() == 0 {
        assert!(
            Instant::now() < deadline,
            "the stuck target never got a request"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Routed while the stuck target's attempts hang.
    env.send(SET, &[EventType::Send, EventType::Send]).await;
    let delivered = env
        .until(&healthy.target(), "delivered all four", |ds| {
            all(ds, DeliveryStatus::Delivered, 4)
        })
        .await;
    assert_arrived_exactly(&healthy, &env, &delivered).await;
    let held = env.deliveries(&stuck.target()).await;
    assert!(!held.is_empty());
    assert!(
        held.iter()
            .all(|d| d.status == DeliveryStatus::Pending && d.attempts == 0),
        "the stuck target settled something: {held:#?}"
    );
    healthy.finish(&env).await;
    if let Stuck::Same(h) = &stuck {
        h.finish(&env).await;
    }
}

/// A local HTTP server that records the requests it accepts and answers
/// as the test says: accept, fail (503), refuse (a 4xx) or hang.
#[derive(Clone)]
pub(crate) struct Receiver {
    pub url: String,
    state: Arc<ReceiverState>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Accept,
    Fail,
    Refuse(u16),
    Hang,
}

struct ReceiverState {
    mode: Mutex<Mode>,
    accepted: Mutex<Vec<(HeaderMap, Bytes)>>,
    hanging: AtomicUsize,
    /// Answer as a Firehose HTTP endpoint must: echo the `requestId`.
    firehose: bool,
}

impl Receiver {
    pub async fn start(firehose: bool) -> Receiver {
        let state = Arc::new(ReceiverState {
            mode: Mutex::new(Mode::Accept),
            accepted: Mutex::new(Vec::new()),
            hanging: AtomicUsize::new(0),
            firehose,
        });
        let app = axum::Router::new()
            .fallback(receive)
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/in", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { url, state }
    }

    pub fn set(&self, mode: Mode) {
        *self.state.mode.lock().unwrap() = mode;
    }

    pub fn accepted(&self) -> Vec<(HeaderMap, Bytes)> {
        self.state.accepted.lock().unwrap().clone()
    }

    pub fn hanging(&self) -> usize {
        self.state.hanging.load(Ordering::SeqCst)
    }
}

async fn receive(State(s): State<Arc<ReceiverState>>, headers: HeaderMap, body: Bytes) -> Response {
    let mode = *s.mode.lock().unwrap();
    match mode {
        Mode::Hang => {
            s.hanging.fetch_add(1, Ordering::SeqCst);
            std::future::pending::<()>().await;
            unreachable!()
        }
        Mode::Fail => StatusCode::SERVICE_UNAVAILABLE.into_response(),
        Mode::Refuse(code) => StatusCode::from_u16(code).unwrap().into_response(),
        Mode::Accept => {
            let answer = if s.firehose {
                let req: Value = serde_json::from_slice(&body).unwrap_or_default();
                json!({"requestId": req["requestId"], "timestamp": 1}).to_string()
            } else {
                String::new()
            };
            s.accepted.lock().unwrap().push((headers, body));
            (StatusCode::OK, answer).into_response()
        }
    }
}

/// The four tests for one kind, in a module named after it.
macro_rules! compliance {
    ($kind:ident, $harness:ty) => {
        mod $kind {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn delivers_exactly_the_routed_records_byte_for_byte() {
                super::routed::<$harness>().await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn retries_a_transient_failure() {
                super::transient::<$harness>().await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_permanent_failure_goes_dead_with_its_reason() {
                super::permanent::<$harness>().await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_stuck_target_does_not_hold_up_another() {
                super::no_head_of_line_blocking::<$harness>().await
            }
        }
    };
}

compliance!(sns, crate::outbox::sns::harness::Sns);
compliance!(
    firehose_directory,
    crate::outbox::firehose::harness::Directory
);
compliance!(firehose_http, crate::outbox::firehose::harness::Http);
compliance!(
    eventbridge,
    crate::outbox::eventbridge::harness::EventBridge
);
compliance!(cloudwatch, crate::outbox::cloudwatch::harness::CloudWatch);
compliance!(pinpoint, crate::outbox::pinpoint::harness::Pinpoint);
compliance!(webhook, crate::outbox::webhook::harness::Webhook);
compliance!(nats, crate::outbox::nats::harness::Nats);
