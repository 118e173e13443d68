//! Configuration of a sandbox: faults, credentials, seed data, state file and page size.

use std::path::PathBuf;
use std::time::Duration;

/// The records a sandbox starts with (unless its [state file](SandboxConfig::state_file) holds
/// records of its own).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SeedData {
    /// The few documented records whose ids are in [`seed`](crate::seed): a Konverte account,
    /// user and inbox; a MOCO user, customer, project and task. What tests build on.
    #[default]
    Minimal,
    /// The minimal records plus a small agency and support team to look around in: MOCO units,
    /// users, companies, projects with tasks, the last four weeks of activities, an invoice and
    /// an offer; Konverte agents, teams, a second inbox, contacts, labels and conversations with
    /// messages.
    Demo,
    /// Nothing at all.
    Empty,
}

impl SeedData {
    /// The value of `connector sandbox --data NAME`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "minimal" => Some(Self::Minimal),
            "demo" => Some(Self::Demo),
            "empty" => Some(Self::Empty),
            _ => None,
        }
    }
}

/// Faults injected into every request before the API logic runs.
///
/// Each request draws from a random generator seeded with [`Faults::seed`], so a sequence of
/// requests sent one after the other meets the same faults in every run. The order of the checks
/// is: latency (sleep), dropped connection, sliding-window [`RateLimit`], random 429, random 503.
#[derive(Debug, Clone, PartialEq)]
pub struct Faults {
    /// A sliding-window rate limit; `None` means unlimited.
    pub rate_limit: Option<RateLimit>,
    /// Delay added before every request is answered (or dropped).
    pub latency: Duration,
    /// Share of requests (0.0..=1.0) answered `503 Service Unavailable`.
    pub error_rate: f64,
    /// Share of requests (0.0..=1.0) answered `429 Too Many Requests` with `Retry-After`.
    pub throttle_rate: f64,
    /// Share of requests (0.0..=1.0) whose connection is closed without any response. Such a
    /// request is never processed: nothing is created or changed.
    pub drop_rate: f64,
    /// Value of the `Retry-After` header (seconds) on randomly throttled requests.
    pub retry_after_secs: u64,
    /// Seed of the random generator deciding which requests meet a fault.
    pub seed: u64,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            rate_limit: None,
            latency: Duration::ZERO,
            error_rate: 0.0,
            throttle_rate: 0.0,
            drop_rate: 0.0,
            retry_after_secs: 1,
            seed: 0,
        }
    }
}

/// A sliding-window rate limit: more than `requests` requests within any window of length `per`
/// are answered `429` with `Retry-After` set to the seconds until a slot frees (at least 1).
/// Rejected requests do not use up a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed per window.
    pub requests: u32,
    /// Length of the window.
    pub per: Duration,
}

/// Configuration of a [`KonverteSandbox`](crate::KonverteSandbox) or
/// [`MocoSandbox`](crate::MocoSandbox).
#[derive(Debug, Clone, PartialEq)]
pub struct SandboxConfig {
    /// Faults to inject; the default injects none.
    pub faults: Faults,
    /// The records to start with (default [`SeedData::Minimal`]).
    pub data: SeedData,
    /// A JSON file the records are loaded from at start (when it exists and holds records of
    /// this backend; then [`data`](Self::data) is not used) and written back to by
    /// `shutdown` or `save_state` of the sandbox. Konverte and MOCO sandboxes may share one
    /// file: each keeps its own section.
    pub state_file: Option<PathBuf>,
    /// The token Konverte requests must send in `api_access_token`.
    pub konverte_token: String,
    /// The key MOCO requests must send in `Authorization`.
    pub moco_api_key: String,
    /// Entries per page of MOCO lists (default 100, as the real API).
    pub per_page_moco: usize,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            faults: Faults::default(),
            data: SeedData::Minimal,
            state_file: None,
            konverte_token: "sandbox-konverte-token".to_owned(),
            moco_api_key: "sandbox-moco-key".to_owned(),
            per_page_moco: 100,
        }
    }
}
