//! `connector` as a long-running process (`connector sandbox`, `webhooks listen`), stopped
//! with SIGTERM, and the credentials `connector sandbox` prints.

use super::connector;
use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStderr, ChildStdout, Stdio};
use std::time::Duration;

/// A process of ours, stopped with SIGTERM when the test is done.
pub struct Running {
    child: Child,
    stdout: BufReader<ChildStdout>,
    stderr: BufReader<ChildStderr>,
}

impl Running {
    pub fn start(home: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Running {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("connector"));
        cmd.env_clear()
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("NO_COLOR", "1")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("connector starts");
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let stderr = BufReader::new(child.stderr.take().unwrap());
        Running {
            child,
            stdout,
            stderr,
        }
    }

    pub fn stdout_line(&mut self) -> String {
        let mut line = String::new();
        self.stdout.read_line(&mut line).expect("a line on stdout");
        line
    }

    pub fn stderr_line(&mut self) -> String {
        let mut line = String::new();
        self.stderr.read_line(&mut line).expect("a line on stderr");
        line
    }

    /// SIGTERM, then the exit code (or -1 after 10 s).
    pub fn terminate(mut self) -> i32 {
        let pid = self.child.id().to_string();
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status();
        for _ in 0..100 {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code().unwrap_or(-1);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        -1
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The four `export NAME=value` lines of `connector sandbox`.
pub fn exports(sandbox: &mut Running) -> Vec<(String, String)> {
    let names = [
        "KONVERTE_BASE_URL",
        "KONVERTE_API_TOKEN",
        "KONVERTE_PLATFORM_TOKEN",
        "MOCO_BASE_URL",
        "MOCO_API_KEY",
    ];
    names
        .iter()
        .map(|name| {
            let line = sandbox.stdout_line();
            let rest = line
                .trim_end()
                .strip_prefix(&format!("export {name}="))
                .unwrap_or_else(|| panic!("expected export {name}=..., got {line:?}"));
            (name.to_string(), rest.to_owned())
        })
        .collect()
}

pub fn with_env(home: &std::path::Path, env: &[(String, String)]) -> assert_cmd::Command {
    let mut cmd = connector(home);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}
