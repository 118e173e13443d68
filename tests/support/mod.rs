//! Shared helpers of the story tests: in-process sandboxes, the real `connector` binary in an
//! isolated environment (its own HOME, no inherited variables), and JSON (Lines) parsing.
//!
//! The sandboxes run on the test's Tokio runtime, so every CLI run happens on a blocking thread
//! (`spawn_blocking`) while the runtime keeps serving.

#![allow(dead_code)]

use connector_sandbox::{KonverteSandbox, MocoSandbox, SandboxConfig};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::Duration;
use tempfile::TempDir;
use tokio::sync::mpsc;

/// Konverte token of the story sandboxes; no output may ever contain it.
pub const KONVERTE_TOKEN: &str = "story-konverte-tok-41c7e2";
/// MOCO API key of the story sandboxes; no output may ever contain it.
pub const MOCO_KEY: &str = "story-moco-key-9d03b8";

/// Deadline of one CLI run: a hung command fails its story instead of hanging it.
const RUN_TIMEOUT: Duration = Duration::from_secs(60);

/// A sandbox configuration with the story credentials (and everything else as given).
pub fn config(base: SandboxConfig) -> SandboxConfig {
    SandboxConfig {
        konverte_token: KONVERTE_TOKEN.to_owned(),
        moco_api_key: MOCO_KEY.to_owned(),
        ..base
    }
}

pub async fn konverte_sandbox() -> KonverteSandbox {
    KonverteSandbox::start(config(SandboxConfig::default()))
        .await
        .expect("the Konverte sandbox starts")
}

pub async fn moco_sandbox(base: SandboxConfig) -> MocoSandbox {
    MocoSandbox::start(config(base))
        .await
        .expect("the MOCO sandbox starts")
}

/// The `connector` binary with an empty environment except what a story gives it.
#[derive(Debug)]
pub struct Cli {
    home: TempDir,
    envs: Vec<(String, String)>,
}

impl Default for Cli {
    fn default() -> Self {
        Self::new()
    }
}

impl Cli {
    /// HOME and XDG_CONFIG_HOME point into a fresh temporary directory; colours are off.
    pub fn new() -> Self {
        let home = tempfile::tempdir().expect("a temporary home");
        let envs = vec![
            ("HOME".to_owned(), home.path().display().to_string()),
            (
                "XDG_CONFIG_HOME".to_owned(),
                home.path().join(".config").display().to_string(),
            ),
            ("NO_COLOR".to_owned(), "1".to_owned()),
        ];
        Cli { home, envs }
    }

    /// Adds the base URL and token of a Konverte sandbox, as the user's and the platform
    /// app's token (the sandbox takes its one token for every kind).
    pub fn konverte(mut self, sandbox: &KonverteSandbox) -> Self {
        self.envs
            .push(("KONVERTE_BASE_URL".into(), sandbox.base_url()));
        self.envs
            .push(("KONVERTE_API_TOKEN".into(), sandbox.token().to_owned()));
        self.envs
            .push(("KONVERTE_PLATFORM_TOKEN".into(), sandbox.token().to_owned()));
        self
    }

    /// Removes an environment variable a setup added.
    pub fn without(mut self, name: &str) -> Self {
        self.envs.retain(|(k, _)| k != name);
        self
    }

    /// Adds the base URL and API key of a MOCO sandbox.
    pub fn moco(mut self, sandbox: &MocoSandbox) -> Self {
        self.envs.push(("MOCO_BASE_URL".into(), sandbox.base_url()));
        self.envs
            .push(("MOCO_API_KEY".into(), sandbox.api_key().to_owned()));
        self
    }

    /// The temporary home directory (a place for input and secret files).
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// Writes `contents` to a file in the home directory and returns its path.
    pub fn write_file(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.home().join(name);
        std::fs::write(&path, contents).expect("the file is written");
        path
    }

    fn std_command(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_connector"));
        cmd.env_clear()
            .envs(self.envs.iter().map(|(k, v)| (k, v)))
            .current_dir(self.home())
            .args(args);
        cmd
    }

    /// Runs `connector ARGS` to completion on a blocking thread.
    pub async fn run(&self, args: &[&str]) -> Run {
        self.run_with_stdin(args, Vec::new()).await
    }

    /// Runs `connector ARGS` with `stdin`, to completion on a blocking thread.
    pub async fn run_with_stdin(&self, args: &[&str], stdin: impl Into<Vec<u8>>) -> Run {
        let mut cmd = assert_cmd::Command::from_std(self.std_command(args));
        cmd.write_stdin(stdin.into()).timeout(RUN_TIMEOUT);
        let shown = format!("connector {}", args.join(" "));
        let output = tokio::task::spawn_blocking(move || cmd.output())
            .await
            .expect("the blocking task finishes")
            .unwrap_or_else(|e| panic!("{shown}: cannot run: {e}"));
        let run = Run {
            command: shown,
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        run.assert_no_secrets();
        run
    }

    /// Starts `connector ARGS` in the background, stdout and stderr read line by line.
    pub fn spawn(&self, args: &[&str]) -> Background {
        let mut child = self
            .std_command(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("connector {}: cannot start: {e}", args.join(" ")));
        let stdout = read_lines(child.stdout.take().expect("piped stdout"));
        let stderr = read_lines(child.stderr.take().expect("piped stderr"));
        Background {
            child,
            stdout,
            stderr,
        }
    }
}

/// Forwards the lines of `source` to a channel, from a thread of its own.
fn read_lines(source: impl std::io::Read + Send + 'static) -> mpsc::UnboundedReceiver<String> {
    let (tx, rx) = mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in BufReader::new(source).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// A `connector` process running in the background; killed when dropped.
#[derive(Debug)]
pub struct Background {
    child: Child,
    stdout: mpsc::UnboundedReceiver<String>,
    stderr: mpsc::UnboundedReceiver<String>,
}

impl Background {
    /// The next stdout line, or `None` if none comes within `wait` (or stdout closed).
    pub async fn next_stdout_line(&mut self, wait: Duration) -> Option<String> {
        tokio::time::timeout(wait, self.stdout.recv())
            .await
            .ok()
            .flatten()
    }

    /// Waits for a stderr line containing `needle`; panics with what was seen if none comes
    /// within `wait` or the process closes stderr (e.g. exits) first.
    pub async fn wait_for_stderr(&mut self, needle: &str, wait: Duration) -> String {
        let mut seen = Vec::new();
        let found = tokio::time::timeout(wait, async {
            while let Some(line) = self.stderr.recv().await {
                if line.contains(needle) {
                    return Some(line);
                }
                seen.push(line);
            }
            None
        })
        .await;
        match found {
            Ok(Some(line)) => line,
            Ok(None) => panic!("stderr closed before {needle:?}; stderr: {seen:#?}"),
            Err(_) => panic!("no {needle:?} on stderr within {wait:?}; stderr: {seen:#?}"),
        }
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What one CLI run did.
#[derive(Debug, Clone)]
pub struct Run {
    pub command: String,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Panics, showing the run, unless it exited with `code`.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code,
            code,
            "exit code of `{}`\n{}",
            self.command,
            self.show()
        );
        self
    }

    /// stdout as one JSON document.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim()).unwrap_or_else(|e| {
            panic!(
                "stdout of `{}` is not JSON ({e})\n{}",
                self.command,
                self.show()
            )
        })
    }

    /// stdout as JSON Lines (blank lines skipped).
    #[track_caller]
    pub fn lines(&self) -> Vec<Value> {
        json_lines(&self.stdout)
    }

    fn show(&self) -> String {
        let cut = |s: &str| s.chars().take(2_000).collect::<String>();
        format!(
            "--- stdout ---\n{}\n--- stderr ---\n{}",
            cut(&self.stdout),
            cut(&self.stderr)
        )
    }

    #[track_caller]
    fn assert_no_secrets(&self) {
        for secret in [KONVERTE_TOKEN, MOCO_KEY] {
            assert!(
                !self.stdout.contains(secret) && !self.stderr.contains(secret),
                "`{}` printed a credential\n{}",
                self.command,
                self.show()
            );
        }
    }
}

/// Parses JSON Lines (blank lines skipped).
#[track_caller]
pub fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect()
}

/// Joins values as JSON Lines.
pub fn to_json_lines(values: &[Value]) -> String {
    values.iter().map(|v| format!("{v}\n")).collect()
}

/// A free local port (bound and released at once).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

/// Checks a batch's outcome lines: `n` of them, indexes `0..n` in order, all ok.
/// Returns the responses in input order.
#[track_caller]
pub fn all_ok(run: &Run, n: usize) -> Vec<Value> {
    let lines = run.lines();
    assert_eq!(
        lines.len(),
        n,
        "one outcome line per input of `{}`",
        run.command
    );
    lines
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            assert_eq!(line["index"], i, "outcome lines are in input order: {line}");
            assert_eq!(line["ok"], true, "item {i} failed: {line}");
            line["response"].clone()
        })
        .collect()
}
