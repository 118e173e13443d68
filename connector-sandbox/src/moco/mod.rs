//! The MOCO sandbox.

mod api;
mod persist;
mod store;
pub(crate) mod validate;

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use tokio::net::TcpListener;

use crate::config::{SandboxConfig, SeedData};
use crate::server::{self, Running};
use crate::state::StateError;
use crate::stats::{Counters, Stats};

/// A running fake MOCO server; see the [crate docs](crate) for its behaviour, authentication and
/// seed data (user 1, customer company 1, project 1 with task 1).
///
/// List filters besides `ids`, `updated_after`, `sort_by` (`field [asc|desc]`, dotted paths
/// such as `customer.name` work) and `page`:
///
/// | resource | filters |
/// | --- | --- |
/// | `activities` | `from`, `to`, `user_id`, `project_id`, `task_id`, `company_id`, `billable`, `billed`, `term`, `tags` |
/// | `companies` | `type`, `tags`, `identifier`, `term`, `include_archived` |
/// | `contacts/people` | `tags`, `term`, `phone` |
/// | `deals` | `status`, `tags`, `closed_from`, `closed_to`, `company_id` |
/// | `projects` | `include_archived`, `company_id`, `leader_id`, `tags`, `identifier`, `retainer`, `term` |
/// | `users` | `include_archived`, `tags`, `email` |
///
/// Archived projects and companies and deactivated users are hidden unless
/// `include_archived=true`. Stops gracefully with [`MocoSandbox::shutdown`] (which also writes
/// the [state file](SandboxConfig::state_file)); dropping the handle stops it without writing.
pub struct MocoSandbox {
    running: Running,
    app: Arc<api::App>,
    base_url: String,
    api_key: String,
    state_file: Option<PathBuf>,
}

impl fmt::Debug for MocoSandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MocoSandbox")
            .field("base_url", &self.base_url)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl MocoSandbox {
    /// Starts a sandbox on `127.0.0.1` with a free port.
    pub async fn start(config: SandboxConfig) -> std::io::Result<Self> {
        Self::start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), config).await
    }

    /// Starts a sandbox listening on `addr` (port 0 picks a free port), with the records of
    /// the state file if it has some, else with [`SandboxConfig::data`]. A state file that
    /// cannot be read answers an error of kind `InvalidData` saying why.
    pub async fn start_on(addr: SocketAddr, config: SandboxConfig) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let origin = server::origin(listener.local_addr()?);
        let counters = Arc::new(Counters::default());
        let app = Arc::new(api::App::new(
            config.data != SeedData::Empty,
            config.moco_api_key.clone(),
            origin.clone(),
            config.per_page_moco,
            counters.clone(),
        ));
        let restored = match &config.state_file {
            Some(path) => persist::restore(&app, path)?,
            None => false,
        };
        if !restored && config.data == SeedData::Demo {
            let auth = format!("Token token={}", config.moco_api_key);
            let steps = crate::demo::moco::moco_today();
            crate::demo::play(app.clone().router(), ("authorization", &auth), &steps).await;
            counters.reset();
        }
        let running = server::serve(listener, app.clone().router(), config.faults, counters)?;
        Ok(Self {
            running,
            app,
            base_url: format!("{origin}/api/v1"),
            api_key: config.moco_api_key,
            state_file: config.state_file,
        })
    }

    /// The API root, e.g. `http://127.0.0.1:PORT/api/v1` (no trailing slash); MOCO paths such
    /// as `/projects` are relative to it.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.running.addr()
    }

    /// The API key the sandbox accepts (`Authorization: Token token=KEY` or `Bearer KEY`).
    pub fn api_key(&self) -> &str {
        &self.api_key
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

    /// Preloads `n` activities (on project 1, task 1, user 1, dated from 2024-01-01 on) without
    /// HTTP, web hooks or counters, for benchmarks over large lists. Paging stays O(page).
    pub fn insert_bulk_activities(&self, n: usize) {
        self.app.insert_bulk_activities(n);
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
        let steps = crate::demo::moco::moco_today();
        assert!(steps.len() > 60, "{} steps", steps.len());
        let failures =
            crate::demo::play(app.router(), ("authorization", "Token token=k"), &steps).await;
        assert_eq!(failures, Vec::<String>::new());
    }

    fn app() -> Arc<api::App> {
        Arc::new(api::App::new(
            true,
            "k".into(),
            "http://127.0.0.1:1".into(),
            100,
            Arc::new(Counters::default()),
        ))
    }

    #[tokio::test]
    async fn the_demo_records_survive_the_state_file() {
        let path =
            std::env::temp_dir().join(format!("sandbox-moco-demo-{}.json", std::process::id()));
        let first = app();
        crate::demo::play(
            first.clone().router(),
            ("authorization", "Token token=k"),
            &crate::demo::moco::moco_today(),
        )
        .await;
        persist::save(&first, &path).unwrap();
        let second = app();
        assert!(persist::restore(&second, &path).unwrap());
        std::fs::remove_file(&path).unwrap();
        let snapshot = |app: &api::App| {
            let records = serde_json::to_value(&*crate::server::lock(&app.generic.records));
            (
                app.store
                    .read()
                    .unwrap_or_else(|p| p.into_inner())
                    .snapshot(),
                records.unwrap(),
            )
        };
        assert_eq!(snapshot(&first), snapshot(&second));
    }
}
