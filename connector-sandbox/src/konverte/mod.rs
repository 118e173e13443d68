//! The Konverte (Chatwoot) sandbox.

mod api;
mod deliver;
mod persist;
pub use deliver::{WebhookDelivery, WebhookReceiver};
pub(crate) mod records;
mod store;

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use tokio::net::TcpListener;

use crate::config::{SandboxConfig, SeedData};
use crate::server::{self, Running};
use crate::state::StateError;
use crate::stats::{Counters, Stats};

/// A running fake Konverte (Chatwoot) server; see the [crate docs](crate) for its behaviour,
/// authentication and seed data (account 1, user/agent 1, inbox 1 with
/// `inbox_identifier` `sandbox-inbox-identifier`).
///
/// Stops gracefully with [`KonverteSandbox::shutdown`] (which also writes the
/// [state file](SandboxConfig::state_file)); dropping the handle stops it without writing.
pub struct KonverteSandbox {
    running: Running,
    app: Arc<api::App>,
    base_url: String,
    token: String,
    state_file: Option<PathBuf>,
}

impl fmt::Debug for KonverteSandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KonverteSandbox")
            .field("base_url", &self.base_url)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl KonverteSandbox {
    /// Starts a sandbox on `127.0.0.1` with a free port.
    pub async fn start(config: SandboxConfig) -> std::io::Result<Self> {
        Self::start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), config).await
    }

    /// Starts a sandbox listening on `addr` (port 0 picks a free port), with the records of
    /// the state file if it has some, else with [`SandboxConfig::data`]. A state file that
    /// cannot be read answers an error of kind `InvalidData` saying why.
    pub async fn start_on(addr: SocketAddr, config: SandboxConfig) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let base_url = server::origin(listener.local_addr()?);
        let counters = Arc::new(Counters::default());
        let app = Arc::new(api::App::new(
            config.data != SeedData::Empty,
            config.konverte_token.clone(),
            base_url.clone(),
            counters.clone(),
        ));
        let restored = match &config.state_file {
            Some(path) => persist::restore(&app, path)?,
            None => false,
        };
        if !restored && config.data == SeedData::Demo {
            let auth = ("api_access_token", config.konverte_token.as_str());
            crate::demo::play(app.clone().router(), auth, &crate::demo::konverte()).await;
            counters.reset();
        }
        let running = server::serve(listener, app.clone().router(), config.faults, counters)?;
        Ok(Self {
            running,
            app,
            base_url,
            token: config.konverte_token,
            state_file: config.state_file,
        })
    }

    /// The server root, e.g. `http://127.0.0.1:PORT` (no trailing slash); API paths such as
    /// `/api/v1/...` and `/platform/api/v1/...` hang off it.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.running.addr()
    }

    /// The `api_access_token` the sandbox accepts (for user, agent-bot and platform endpoints).
    pub fn token(&self) -> &str {
        &self.token
    }

    /// A snapshot of the request counters.
    pub fn stats(&self) -> Stats {
        self.app.counters.snapshot()
    }

    /// Authenticated requests per route, keyed `METHOD /template` as in
    /// [`routes`](crate::routes) (`METHOD /path` for a request no route matched).
    pub fn route_counts(&self) -> std::collections::BTreeMap<String, u64> {
        self.app.counters.route_counts()
    }

    /// Authenticated requests to the route `method` + `template`, e.g.
    /// `requests_to("GET", "/units")`.
    pub fn requests_to(&self, method: &str, template: &str) -> u64 {
        self.route_counts()
            .get(&format!("{method} {template}"))
            .copied()
            .unwrap_or(0)
    }

    /// Adds `n` generated contacts to account `account_id` without going through HTTP (for
    /// benchmarks and paging tests). Returns the number added: 0 if the account does not exist.
    pub fn insert_bulk_contacts(&self, account_id: u64, n: usize) -> usize {
        self.app.insert_bulk_contacts(account_id, n)
    }

    /// The webhook deliveries made so far (account webhooks, API-channel inboxes, agent bots),
    /// each once its last attempt is answered or failed.
    pub fn webhook_deliveries(&self) -> Vec<WebhookDelivery> {
        self.app.webhook_deliveries()
    }

    /// Writes the records to the [state file](SandboxConfig::state_file) now (nothing without
    /// one).
    pub fn save_state(&self) -> Result<(), StateError> {
        match &self.state_file {
            Some(path) => persist::save(&self.app, path),
            None => Ok(()),
        }
    }

    /// Stops accepting connections, lets open ones finish their request and waits for them,
    /// then writes the state file (a failure is logged; [`shutdown_and_save`](Self::shutdown_and_save)
    /// returns it).
    pub async fn shutdown(self) {
        if let Err(error) = self.shutdown_and_save().await {
            tracing::error!(%error, "sandbox state not saved");
        }
    }

    /// As [`shutdown`](Self::shutdown), answering whether the state file was written.
    pub async fn shutdown_and_save(self) -> Result<(), StateError> {
        let Self {
            running,
            app,
            state_file,
            ..
        } = self;
        running.shutdown().await;
        match &state_file {
            Some(path) => persist::save(&app, path),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_demo_request_is_accepted() {
        let app = app();
        let steps = crate::demo::konverte();
        assert!(steps.len() > 30, "{} steps", steps.len());
        let failures = crate::demo::play(app.router(), ("api_access_token", "t"), &steps).await;
        assert_eq!(failures, Vec::<String>::new());
    }

    fn app() -> Arc<api::App> {
        Arc::new(api::App::new(
            true,
            "t".into(),
            "http://127.0.0.1:1".into(),
            Arc::new(Counters::default()),
        ))
    }

    #[tokio::test]
    async fn the_demo_records_survive_the_state_file() {
        let path =
            std::env::temp_dir().join(format!("sandbox-konverte-demo-{}.json", std::process::id()));
        let first = app();
        crate::demo::play(
            first.clone().router(),
            ("api_access_token", "t"),
            &crate::demo::konverte(),
        )
        .await;
        persist::save(&first, &path).unwrap();
        let second = app();
        assert!(persist::restore(&second, &path).unwrap());
        std::fs::remove_file(&path).unwrap();
        let snapshot = |app: &api::App| {
            let records = serde_json::to_value(&*crate::server::lock(&app.generic.records));
            (
                serde_json::to_value(&*crate::server::lock(&app.store)).unwrap(),
                records.unwrap(),
            )
        };
        assert_eq!(snapshot(&first), snapshot(&second));
    }
}
