//! Wires store, engine and API together and runs them.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use mailsight_api::{ApiConfig, AppState, Authenticator, IngestState};
use mailsight_engine::outbox::Deliverer;
use mailsight_engine::{Engine, Ingestor};
use mailsight_store::Store;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::config::Config;

/// Why the server could not start or stopped. Variants with a source say
/// only what failed; the cause is the source's to tell (once, in the chain
/// `main` prints).
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error("cannot open the store")]
    Store(#[from] mailsight_store::StoreError),
    #[error("network error")]
    Io(#[from] std::io::Error),
    #[error("cannot create the ephemeral data directory")]
    Ephemeral(#[source] std::io::Error),
    #[error("SNS hosting: {0}")]
    Sns(String),
    #[error("tracking: {0}")]
    Tracking(String),
    #[error("HTTPS listener")]
    Tls(#[from] crate::tls::TlsError),
    #[error("ingest endpoints")]
    Ingest(#[from] mailsight_api::state::IngestSetupError),
}

/// Serves on `listener` until `shutdown` resolves.
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    config.check()?;
    // The ephemeral mode puts everything the data directory holds (the
    // database, the SNS and tracking keys, export files) in a directory of
    // its own, removed when this function returns.
    let mut config = config;
    let _ephemeral = if config.is_ephemeral() {
        let dir = crate::ephemeral::directory().map_err(ServerError::Ephemeral)?;
        config.data_dir = dir.path().to_owned();
        config.ephemeral = true;
        Some(dir)
    } else {
        None
    };
    let store: Arc<dyn Store> = crate::store::open(&config).await?;
    let tracking = config
        .tracking
        .settings(&config.data_dir, &listener.local_addr()?, store.as_ref())
        .await
        .map_err(|e| ServerError::Tracking(e.to_string()))?;
    let engine = Arc::new(
        Engine::new(
            store.clone(),
            config.simulator.clone(),
            config.sending.clone(),
        )
        .with_tracking(tracking),
    );
    // The HTTPS listener, if asked for, is bound before anything is
    // announced, so a taken port stops the start.
    let tls = match config.tls.listen {
        Some(addr) => {
            // The certificate names addresses, not ports: it is made
            // before the port answers, so a client never finds the port
            // open and the authority's file not yet written.
            let tls = crate::tls::load(&config.tls, &config.data_dir, addr)?;
            Some((TcpListener::bind(addr).await?, tls))
        }
        None => None,
    };
    // SNS hosting: the signing key lives in the data directory; the public
    // URL defaults to the address actually bound (port 0 in tests), the
    // HTTPS one when there is one (validators fetch certificates only over
    // https).
    let sns_public_url = match (&config.sns.public_url, &tls) {
        (Some(url), _) => url.clone(),
        (None, Some((tcp, _))) => format!("https://{}", tcp.local_addr()?),
        (None, None) => format!("http://{}", listener.local_addr()?),
    };
    let sns_host = Arc::new(
        mailsight_engine::outbox::sns::SnsHost::load_or_create(
            store.as_ref(),
            &config.data_dir,
            &sns_public_url,
        )
        .await
        .map_err(|e| ServerError::Sns(e.to_string()))?,
    );
    config
        .sns
        .seed(store.as_ref(), &config.sending.region)
        .await
        .map_err(|e| ServerError::Sns(e.to_string()))?;
    let summary = crate::startup::stored(&config, store.as_ref()).await;
    let ingest = IngestState::new(config.ingest.clone(), Ingestor::new(store))?;
    let metrics = mailsight_engine::outbox::cloudwatch::Metrics::new();
    mailsight_engine::outbox::cloudwatch::persist::restore(engine.store().as_ref(), &metrics)
        .await?;
    let attempts = mailsight_engine::outbox::AttemptCounters::new();
    let exports = Arc::new(mailsight_engine::exports::Exports::new(
        engine.store().clone(),
        config.exports(),
        config.insights.ses_exact,
        engine.tracking().key.clone(),
    ));
    let state = AppState {
        exports: exports.clone(),
        metrics: metrics.clone(),
        engine: engine.clone(),
        auth: Arc::new(Authenticator::new(config.auth.keys.clone())),
        budget: Arc::new(mailsight_api::budget::ByteBudget::new(
            config.max_buffered_bytes,
        )),
        config: Arc::new(ApiConfig {
            max_body_bytes: config.max_body_bytes,
            max_buffered_bytes: config.max_buffered_bytes,
            insights: config.insights.clone(),
            trust_forwarded_for: config.tracking.trust_forwarded_for,
            metrics: config.metrics.clone(),
            max_requests_in_flight: config.max_requests_in_flight,
            connections: mailsight_api::connections::ConnectionLimits {
                max_connections: config.max_connections,
                header_read_timeout: std::time::Duration::from_millis(
                    config.header_read_timeout_ms,
                ),
            },
        }),
        monitor: mailsight_api::Monitor::new(attempts.clone()),
        ingest: Arc::new(ingest),
        sns: Arc::new(mailsight_api::SnsApi {
            host: sns_host.clone(),
            region: config.sending.region.clone(),
        }),
    };

    // One shutdown signal, fanned out to the API and the scheduler.
    let (stop_tx, stop_rx) = watch::channel(false);
    let stopped = |mut rx: watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let deliverer = Arc::new(
        Deliverer::new(
            engine.store().clone(),
            config.outbox(),
            config.sending.region.clone(),
        )
        .with_metrics(metrics.clone())
        .with_attempt_counters(attempts)
        .with_sns(sns_host),
    );
    deliverer.register_forwarders().await?;
    let outbox = {
        let rx = stop_rx.clone();
        tokio::spawn(deliverer.run(stopped(rx)))
    };
    let scheduler = {
        let engine = engine.clone();
        let rx = stop_rx.clone();
        tokio::spawn(async move { engine.run_scheduler(stopped(rx)).await })
    };
    // The counters' last snapshot is taken once the outbox has stopped
    // counting.
    let (outbox_done, counters_stop) = tokio::sync::oneshot::channel::<()>();
    let counters = tokio::spawn(mailsight_engine::outbox::cloudwatch::persist::keep(
        engine.store().clone(),
        metrics,
        async move {
            let _ = counters_stop.await;
        },
    ));
    let exporter = {
        let rx = stop_rx.clone();
        tokio::spawn(exports.run(stopped(rx)))
    };
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    tracing::info!(address = %listener.local_addr()?, data_dir = %config.data_dir.display(), "mailsight is listening");
    crate::startup::log(&crate::startup::lines(
        &config,
        listener.local_addr()?,
        &summary,
    ));
    let https = match tls {
        Some((tcp, tls)) => {
            tracing::info!(
                address = %tcp.local_addr()?,
                ca = ?tls.ca_file.as_ref().map(|p| p.display().to_string()),
                "mailsight is listening for HTTPS"
            );
            let listener = mailsight_api::tls_listener::TlsListener::new(tcp, tls.config);
            Some(tokio::spawn(mailsight_api::serve_tls(
                listener,
                state.clone(),
                stopped(stop_rx.clone()),
            )))
        }
        None => None,
    };
    let served = mailsight_api::serve(listener, state, stopped(stop_rx)).await;
    if let Some(https) = https {
        let _ = https.await;
    }
    let _ = scheduler.await;
    let _ = outbox.await;
    let _ = outbox_done.send(());
    let _ = exporter.await;
    let _ = counters.await;
    served?;
    Ok(())
}

/// A server running in this process; tests start one on port 0.
pub struct Running {
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<(), ServerError>>,
}

impl Running {
    /// Binds `config.listen` (use port 0 for any free port) and starts serving.
    pub async fn start(config: Config) -> Result<Running, ServerError> {
        config.check()?;
        let listener = TcpListener::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(run(config, listener, async move {
            let _ = stopped.await;
        }));
        Ok(Running {
            addr,
            stop: Some(stop),
            task,
        })
    }

    /// The base URL clients point their endpoint at.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets requests finish, and waits for the end.
    pub async fn stop(mut self) -> Result<(), ServerError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match (&mut self.task).await {
            Ok(result) => result,
            Err(e) => Err(ServerError::Io(std::io::Error::other(e))),
        }
    }
}
