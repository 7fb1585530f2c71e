//! The director process: opens the store and the bus, runs the
//! [`Director`]'s background work and serves the HTTP API until shutdown.
//!
//! One shutdown future is fanned out through a `watch` channel: the HTTP
//! server stops accepting connections and gives requests in flight a grace
//! period (then closes them with a warning), and the director's background
//! loop stops.
//!
//! Embedding (a demo running director, gateway and simulators in one
//! process): build a [`Director`] and call [`serve_embedded`], or
//! [`router`] to mount the API in a server of your own.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum_server::tls_rustls::RustlsConfig;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub use crate::api::router;
use crate::api::{ApiTokens, RouterOptions, router_with};
use crate::bus::{Bus, BusError, LocalBus, NatsBus};
use crate::cluster::{Director, DirectorError};
use crate::config::{BusConfig, ConfigError, DirectorConfig, StoreConfig};
use crate::store::{Store, StoreError};
use crate::tls::{self, TlsError};

/// Why the director could not start or stopped serving.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The configuration is unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// TLS could not be set up.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// The store could not be opened.
    #[error("opening the store: {0}")]
    Store(#[source] StoreError),
    /// The bus could not be reached.
    #[error("connecting to the bus: {0}")]
    Bus(#[source] BusError),
    /// The director could not load its state.
    #[error("starting the director: {0}")]
    Director(#[source] DirectorError),
    /// The HTTP server failed.
    #[error("serving HTTP: {0}")]
    Serve(#[source] std::io::Error),
}

/// How [`serve`] serves.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// TLS; plain HTTP when `None`.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// Body limit and the like.
    pub router: RouterOptions,
    /// How long requests in flight get at shutdown.
    pub grace: Duration,
}

impl Default for ServeOptions {
    fn default() -> ServeOptions {
        ServeOptions {
            tls: None,
            router: RouterOptions::default(),
            grace: Duration::from_secs(10),
        }
    }
}

/// Opens the configured store.
pub async fn open_store(config: &StoreConfig) -> Result<Store, ServerError> {
    match config {
        StoreConfig::Redb { path } => Store::open_redb(path).map_err(ServerError::Store),
        #[cfg(feature = "tikv")]
        StoreConfig::Tikv { pd_endpoints } => {
            crate::store::TikvEngine::connect(pd_endpoints.clone())
                .await
                .map(Store::new)
                .map_err(ServerError::Store)
        }
        #[cfg(not(feature = "tikv"))]
        StoreConfig::Tikv { .. } => Err(ServerError::Config(ConfigError::Invalid {
            field: "store.engine",
            message: "this director was built without TiKV support (feature `tikv`)".into(),
        })),
    }
}

/// Connects the configured bus.
pub async fn open_bus(config: &BusConfig) -> Result<Arc<dyn Bus>, ServerError> {
    Ok(match config {
        BusConfig::Local => Arc::new(LocalBus::new()),
        BusConfig::Nats { url } => Arc::new(NatsBus::connect(url).await.map_err(ServerError::Bus)?),
    })
}

/// Runs the director of `config` on `listener` until `shutdown` completes.
/// Tokens are read from the environment variables and files the
/// configuration names.
pub async fn run(
    config: DirectorConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    config.validate()?;
    let tokens = config.auth.tokens(|name| std::env::var(name).ok())?;
    for (api, token) in [
        ("client", &tokens.client),
        ("node", &tokens.node),
        ("gateway", &tokens.gateway),
        ("metrics", &tokens.metrics),
    ] {
        if token.is_none() {
            tracing::warn!(api, "no token configured: this API refuses every request");
        }
    }
    let tls = config.tls.as_ref().map(tls::server_config).transpose()?;
    let store = open_store(&config.store).await?;
    let bus = open_bus(&config.bus).await?;
    tracing::info!(store = %store.describe(), bus = %bus.describe(), "state opened");
    let director = Director::new(store, bus, config.cluster.clone())
        .await
        .map_err(ServerError::Director)?;
    let options = ServeOptions {
        tls,
        router: RouterOptions {
            body_limit: config.body_limit_bytes,
        },
        grace: Duration::from_secs(config.shutdown_grace_secs),
    };
    let director = Arc::new(director);
    let served = serve(director.clone(), tokens, listener, options, shutdown).await;
    close(director).await;
    served
}

/// Drops the director once the last connection task has let go of it, so
/// that its store (a redb file lock) is released when [`run`] returns and
/// the same process may open it again.
async fn close(mut director: Arc<Director>) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        match Arc::try_unwrap(director) {
            Ok(director) => {
                drop(director);
                return;
            }
            Err(shared) if tokio::time::Instant::now() < deadline => {
                director = shared;
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            Err(_) => {
                tracing::warn!("the director's state is still in use after shutdown");
                return;
            }
        }
    }
}

/// [`serve`] with the default options: plain HTTP, 1 MiB bodies, 10 s of
/// grace. Runs the director's background work too.
pub async fn serve_embedded(
    director: Arc<Director>,
    tokens: ApiTokens,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    serve(
        director,
        tokens,
        listener,
        ServeOptions::default(),
        shutdown,
    )
    .await
}

/// Resolves once `rx` says stop (or its sender is gone).
async fn stopped(mut rx: watch::Receiver<bool>) {
    let _ = rx.wait_for(|stop| *stop).await;
}

/// Serves the API of `director` on `listener` and runs its background work
/// ([`Director::run`]) until `shutdown` completes.
pub async fn serve(
    director: Arc<Director>,
    tokens: ApiTokens,
    listener: TcpListener,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    let (stop, stop_rx) = watch::channel(false);
    let signal = {
        let stop = stop.clone();
        tokio::spawn(async move {
            shutdown.await;
            stop.send_replace(true);
        })
    };
    let background = tokio::spawn(director.clone().run(stopped(stop_rx.clone())));

    let handle = axum_server::Handle::new();
    let grace = options.grace;
    // The grace period is timed here, not by axum-server, so that running
    // out of it is noticed and logged.
    let drain = {
        let handle = handle.clone();
        tokio::spawn(async move {
            stopped(stop_rx).await;
            tracing::info!(
                grace_secs = grace.as_secs_f64(),
                connections = handle.connection_count(),
                "shutting down: requests in flight get a grace period"
            );
            handle.graceful_shutdown(None);
            tokio::time::sleep(grace).await;
            let left = handle.connection_count();
            if left > 0 {
                tracing::warn!(
                    connections = left,
                    "grace period over: closing connections with requests in flight"
                );
            }
            handle.shutdown();
        })
    };

    let app = router_with(director, tokens, options.router).into_make_service();
    let listener = listener.into_std().map_err(ServerError::Serve)?;
    let served = match options.tls {
        Some(config) => {
            axum_server::from_tcp_rustls(listener, RustlsConfig::from_config(config))
                .map_err(ServerError::Serve)?
                .handle(handle)
                .serve(app)
                .await
        }
        None => {
            axum_server::from_tcp(listener)
                .map_err(ServerError::Serve)?
                .handle(handle)
                .serve(app)
                .await
        }
    };

    // Whether the server stopped on the signal or failed: stop everything.
    stop.send_replace(true);
    signal.abort();
    drain.abort();
    match background.await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::error!(cause = %e, "director background work failed"),
        Err(e) => tracing::error!(cause = %e, "director background task panicked"),
    }
    tracing::info!("director stopped");
    served.map_err(ServerError::Serve)
}

/// Resolves on SIGINT (Ctrl-C) or, on Unix, SIGTERM: the one shutdown
/// signal of the process.
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(cause = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(cause = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => tracing::info!("interrupted"),
        () = terminate => tracing::info!("terminated"),
    }
}
