//! Prism for the contract run: which description, starting and stopping it, and the
//! tables of where the descriptions and the server disagree.

mod deviations;

pub use deviations::{DEVIATIONS, NOT_DECLARED};

use std::path::{Path, PathBuf};
use std::process::Command;

pub const PRISM: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/tools/konverte-prism"
);
const REFERENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/reference/");

/// Which API description Prism serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spec {
    /// The description the seed n8n node bundles (115 operations).
    Bundled,
    /// Upstream Chatwoot's own at release 4.15.1.
    Latest,
}

impl Spec {
    fn arg(self) -> &'static str {
        match self {
            Spec::Bundled => "bundled",
            Spec::Latest => "latest",
        }
    }

    pub fn file(self) -> PathBuf {
        Path::new(REFERENCE).join(match self {
            Spec::Bundled => "konverte-openapi.json",
            Spec::Latest => "chatwoot-4.15-openapi.json",
        })
    }

    /// Public actions the description puts under its global user-token scheme.
    pub fn public_needs_token(self, action: &str) -> bool {
        match self {
            Spec::Bundled => matches!(action, "conversations_api.list" | "messages_api.list"),
            Spec::Latest => false,
        }
    }
}

/// What Prism does with an action's request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// A 2xx: the description agrees (the default for every described action).
    Accepted,
    /// A 4xx: the description is wrong, and the declaration follows the server.
    Refused,
    /// Accepted, but what we send is not what the description shows (listed for the record).
    Differs,
}

/// One disagreement between a description and the server.
#[derive(Debug)]
pub struct Deviation {
    pub spec: Spec,
    pub action: &'static str,
    pub expect: Expect,
    /// What the description says.
    pub description: &'static str,
    /// What the server does (and so what the declaration says).
    pub server: &'static str,
    /// The Chatwoot file that shows it.
    pub file: &'static str,
}

/// A described operation with no action, and why.
#[derive(Debug)]
pub struct NotDeclared {
    pub spec: Spec,
    pub method: &'static str,
    pub path: &'static str,
    pub why: &'static str,
}

/// Stops the Prism instance when the test ends, panics included.
pub struct Prism {
    port: u16,
}

/// Where konverte-prism installs Prism (its `$PRISM_HOME`), so that starts can be
/// serialised on a lock file there.
fn prism_home() -> PathBuf {
    if let Some(home) = std::env::var_os("PRISM_HOME") {
        return PathBuf::from(home);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    cache.join("konverte-prism")
}

impl Prism {
    /// Starts Prism serving `spec` on a free port; `None` (with a message) where the
    /// tool is not installed. Starts are serialised with `flock` on a lock file beside
    /// the install: the first start installs Prism, and two at once would both install
    /// into the same directory (and write the same served copy of the description).
    pub fn start(spec: Spec) -> Option<(Prism, String)> {
        if !Path::new(PRISM).exists() {
            println!("skipped: {PRISM} is not installed; the contract run needs it (and node/npm)");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let home = prism_home();
        std::fs::create_dir_all(&home).expect("the Prism home can be made");
        let lock = home.join("start.lock");
        let args = ["start", &port.to_string(), spec.arg()].map(str::to_owned);
        let mut cmd = if Command::new("flock").arg("--version").output().is_ok() {
            let mut c = Command::new("flock");
            c.arg(&lock).arg(PRISM).args(&args);
            c
        } else {
            let mut c = Command::new(PRISM);
            c.args(&args);
            c
        };
        let out = cmd.output().expect("konverte-prism runs");
        let guard = Prism { port };
        assert!(
            out.status.success(),
            "konverte-prism start {port} {} failed: {}",
            spec.arg(),
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let base = stdout
            .lines()
            .rev()
            .find(|l| l.starts_with("http"))
            .unwrap_or_else(|| panic!("no base URL in {stdout:?}"))
            .trim()
            .to_owned();
        Some((guard, base))
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = Command::new(PRISM)
            .args(["stop", &self.port.to_string()])
            .status();
    }
}
