//! The MOCO sandbox.

mod api;
mod store;
pub(crate) mod validate;

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use tokio::net::TcpListener;

use crate::config::SandboxConfig;
use crate::server::{self, Running};
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
/// `include_archived=true`. Stops gracefully with [`MocoSandbox::shutdown`]; dropping the handle
/// stops it too.
pub struct MocoSandbox {
    running: Running,
    app: Arc<api::App>,
    base_url: String,
    api_key: String,
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

    /// Starts a sandbox listening on `addr` (port 0 picks a free port).
    pub async fn start_on(addr: SocketAddr, config: SandboxConfig) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let origin = server::origin(listener.local_addr()?);
        let counters = Arc::new(Counters::default());
        let app = Arc::new(api::App::new(
            config.seed_data,
            config.moco_api_key.clone(),
            origin.clone(),
            config.per_page_moco,
            counters.clone(),
        ));
        let running = server::serve(listener, app.clone().router(), config.faults, counters)?;
        Ok(Self {
            running,
            app,
            base_url: format!("{origin}/api/v1"),
            api_key: config.moco_api_key,
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

    /// Stops accepting connections, lets open ones finish their request and waits for them.
    pub async fn shutdown(self) {
        self.running.shutdown().await;
    }
}
