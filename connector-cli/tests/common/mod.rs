//! Shared helpers: the real `connector` binary with a clean environment, run off the
//! async runtime so wiremock servers keep answering.

#![allow(dead_code)]

pub mod process;

use assert_cmd::Command;
use std::path::Path;
use std::process::Output;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wiremock::{Request, Respond, ResponseTemplate};

/// A token no test output may ever contain.
pub const TOKEN: &str = "tok-DISTINCTIVE-7f3a9c-never-print";

/// `connector` with an empty environment: HOME and XDG_CONFIG_HOME point at `home`
/// (so no developer config leaks in) and colours are off.
pub fn connector(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("connector").expect("the connector binary is built");
    cmd.env_clear()
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(30));
    cmd
}

/// `connector` set up for a Konverte server at `base_url` with [`TOKEN`].
pub fn konverte(home: &Path, base_url: &str) -> Command {
    let mut cmd = connector(home);
    cmd.env("KONVERTE_BASE_URL", base_url)
        .env("KONVERTE_API_TOKEN", TOKEN);
    cmd
}

/// `connector` set up for a MOCO server at `base_url` with [`TOKEN`].
pub fn moco(home: &Path, base_url: &str) -> Command {
    let mut cmd = connector(home);
    cmd.env("MOCO_BASE_URL", base_url)
        .env("MOCO_API_KEY", TOKEN);
    cmd
}

/// Runs the command on a blocking thread.
pub async fn run(mut cmd: Command) -> Output {
    tokio::task::spawn_blocking(move || cmd.output().expect("connector runs"))
        .await
        .expect("the blocking task finishes")
}

/// Runs the command with `stdin` on a blocking thread.
pub async fn run_with_stdin(mut cmd: Command, stdin: impl Into<Vec<u8>>) -> Output {
    let stdin = stdin.into();
    tokio::task::spawn_blocking(move || cmd.write_stdin(stdin).output().expect("connector runs"))
        .await
        .expect("the blocking task finishes")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// JSON Lines of stdout.
pub fn lines(o: &Output) -> Vec<serde_json::Value> {
    stdout(o)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// A responder that notes when each request arrived, answering with `template`.
#[derive(Clone)]
pub struct Arrivals {
    pub times: Arc<Mutex<Vec<Instant>>>,
    template: ResponseTemplate,
}

impl Arrivals {
    pub fn new(template: ResponseTemplate) -> Self {
        Arrivals {
            times: Arc::default(),
            template,
        }
    }

    /// Arrival times relative to the first, in milliseconds, in arrival order.
    pub fn offsets_ms(&self) -> Vec<u128> {
        let times = self.times.lock().unwrap();
        let first = times.first().copied();
        times
            .iter()
            .map(|t| first.map_or(0, |f| t.duration_since(f).as_millis()))
            .collect()
    }
}

impl Respond for Arrivals {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        self.times.lock().unwrap().push(Instant::now());
        self.template.clone()
    }
}

/// A local port nothing listens on.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    port
}
