//! biginbox's HTTP side: the Zoho-Accounts-compatible authorization server, the Bigin REST API
//! v2, and the pages a person uses. `launch` is the one way to start it, for `main` and tests.

pub mod accounts;
pub mod api;
pub mod config;
pub mod provision;
mod schemas;
pub mod secrets;
mod state;
mod wire;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub use config::{DataCentre, ServerConfig};
pub use state::AppState;

/// A running server: its bound address and a handle that stops it.
pub struct Running {
    pub addr: SocketAddr,
    pub state: AppState,
    shutdown: watch::Sender<bool>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Stops accepting, lets requests in flight finish, and waits for the server to end.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.shutdown.send(true);
        self.task.await.context("server task panicked")??;
        Ok(())
    }

    /// Waits until the server ends by itself (it ends on `stop` or a signal).
    pub async fn wait(self) -> anyhow::Result<()> {
        self.task.await.context("server task panicked")??;
        Ok(())
    }
}

/// The whole application's routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(accounts::routes())
        .merge(api::routes())
        .route("/healthz", axum::routing::get(healthz))
        .fallback(api::unknown_path)
        .with_state(state)
}

async fn healthz() -> &'static str {
    "ok"
}

/// Serves `state` on `listener` until `stop` is called or, when `signals` is set, until SIGINT
/// or SIGTERM arrives.
pub async fn launch(state: AppState, listener: TcpListener, signals: bool) -> anyhow::Result<Running> {
    let addr = listener.local_addr()?;
    let (shutdown, mut stopped) = watch::channel(false);
    let app = router(state.clone());
    let task = tokio::spawn(async move {
        let until = async move {
            tokio::select! {
                _ = stopped.wait_for(|s| *s) => {}
                _ = wait_for_signal(), if signals => { tracing::info!("signal received, shutting down"); }
            }
        };
        axum::serve(listener, app).with_graceful_shutdown(until).await
    });
    Ok(Running { addr, state, shutdown, task })
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(term) => term,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

/// Builds the state a server runs on: opens nothing itself, the store is given.
pub async fn state(config: ServerConfig, store: Arc<dyn store::Store>, clock: crm::Clock) -> anyhow::Result<AppState> {
    AppState::new(config, store, clock).await
}
