//! Helpers shared by the benchmark binaries (`bench-server`, `bench-load`, `bench-sandbox`):
//! a tiny `--flag value` parser, the loopback-only address check and the shutdown signal.
//!
//! The binaries are driven by `bench/run.sh`; see `bench/README.md`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

/// `--name value` pairs and bare `--switch`es, nothing else.
#[derive(Debug, Default)]
pub struct Args {
    values: HashMap<String, String>,
}

impl Args {
    /// Parses `std::env::args()`; `switches` are the flags that take no value.
    pub fn from_env(usage: &str, switches: &[&str]) -> Result<Self, String> {
        Self::parse(std::env::args().skip(1), usage, switches)
    }

    /// Parses `args` (without the program name).
    pub fn parse(
        args: impl IntoIterator<Item = String>,
        usage: &str,
        switches: &[&str],
    ) -> Result<Self, String> {
        let mut values = HashMap::new();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            if arg == "--help" || arg == "-h" {
                return Err(usage.to_owned());
            }
            let Some(name) = arg.strip_prefix("--") else {
                return Err(format!("unexpected argument `{arg}`\n\n{usage}"));
            };
            let (name, value) = match name.split_once('=') {
                Some((n, v)) => (n.to_owned(), v.to_owned()),
                None if switches.contains(&name) => (name.to_owned(), "true".to_owned()),
                None => {
                    let value = args
                        .next()
                        .ok_or_else(|| format!("--{name} needs a value\n\n{usage}"))?;
                    (name.to_owned(), value)
                }
            };
            values.insert(name, value);
        }
        Ok(Self { values })
    }

    /// The value of `--name`, if given.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// The value of `--name` parsed, or `default` when absent.
    pub fn parsed<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T, String> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| format!("--{name}: cannot parse `{v}`")),
        }
    }

    /// Whether the switch `--name` was given.
    pub fn switch(&self, name: &str) -> bool {
        self.get(name).is_some_and(|v| v != "false")
    }

    /// `--addr` (default `127.0.0.1:0`), refused unless it is a loopback address.
    pub fn loopback_addr(&self) -> Result<SocketAddr, String> {
        let addr: SocketAddr = self.parsed("addr", SocketAddr::from(([127, 0, 0, 1], 0)))?;
        if addr.ip().is_loopback() {
            Ok(addr)
        } else {
            Err(format!("--addr {addr}: benchmarks listen on loopback only"))
        }
    }

    /// `--max-seconds` (default `default_secs`): the hard stop of a server.
    pub fn deadline(&self, default_secs: u64) -> Result<Duration, String> {
        Ok(Duration::from_secs(
            self.parsed("max-seconds", default_secs)?,
        ))
    }
}

/// Why a server stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// SIGTERM.
    Terminated,
    /// SIGINT (Ctrl-C).
    Interrupted,
    /// `--max-seconds` elapsed.
    Deadline,
}

/// Resolves on SIGTERM, SIGINT or after `deadline`, whichever comes first.
pub async fn stop_signal(deadline: Duration) -> Stop {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => return wait_ctrl_c(deadline).await,
        };
        tokio::select! {
            _ = term.recv() => Stop::Terminated,
            stop = wait_ctrl_c(deadline) => stop,
        }
    }
    #[cfg(not(unix))]
    {
        wait_ctrl_c(deadline).await
    }
}

async fn wait_ctrl_c(deadline: Duration) -> Stop {
    tokio::select! {
        r = tokio::signal::ctrl_c() => match r {
            Ok(()) => Stop::Interrupted,
            // No signal handler: only the deadline can stop us.
            Err(_) => { tokio::time::sleep(deadline).await; Stop::Deadline }
        },
        () = tokio::time::sleep(deadline) => Stop::Deadline,
    }
}

/// Writes `value` as one line of JSON to `path`, or to stdout when `path` is `None`.
pub fn write_json(path: Option<&str>, value: &serde_json::Value) -> std::io::Result<()> {
    let text = format!("{value}\n");
    match path {
        Some(p) => std::fs::write(p, text),
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()
        }
    }
}

/// Prints `line` to stdout and flushes, so that a script reading the pipe sees it at once.
pub fn announce(line: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::Args;

    fn args(list: &[&str]) -> Result<Args, String> {
        Args::parse(list.iter().map(|s| (*s).to_owned()), "usage", &["quiet"])
    }

    #[test]
    fn parses_values_switches_and_equals() {
        let a = args(&["--n", "5", "--quiet", "--url=http://x"]).unwrap();
        assert_eq!(a.parsed("n", 0_u32).unwrap(), 5);
        assert!(a.switch("quiet"));
        assert_eq!(a.get("url"), Some("http://x"));
        assert_eq!(a.parsed("missing", 7_u32).unwrap(), 7);
    }

    #[test]
    fn refuses_non_loopback_and_strays() {
        assert!(
            args(&["--addr", "0.0.0.0:80"])
                .unwrap()
                .loopback_addr()
                .is_err()
        );
        assert!(
            args(&["--addr", "127.0.0.1:0"])
                .unwrap()
                .loopback_addr()
                .is_ok()
        );
        assert!(args(&["stray"]).is_err());
        assert!(args(&["--n"]).is_err());
    }
}
