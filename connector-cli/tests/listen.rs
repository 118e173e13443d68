//! `connector moco webhooks listen` against hostile clients, and the empty-secret forms.

mod common;

use common::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

const SECRET: &str = "1d608b9d72219b90ff2393a1d3ee0ac0";

/// Waits for the process to exit; `None` if it is still running after `wait`.
fn exit_within(child: &mut Child, wait: Duration) -> Option<i32> {
    let started = Instant::now();
    while started.elapsed() < wait {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status.code().unwrap_or(-1));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

#[test]
fn sigterm_stops_the_listener_while_clients_stall_and_a_huge_body_is_refused_at_once() {
    let home = tempfile::tempdir().unwrap();
    let secret = home.path().join("hook.secret");
    std::fs::write(&secret, SECRET).unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("connector"))
        .env_clear()
        .env("HOME", home.path())
        .env("NO_COLOR", "1")
        .args(["moco", "webhooks", "listen", "--port", "0", "--secret-file"])
        .arg(&secret)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut ready = String::new();
    stderr.read_line(&mut ready).unwrap();
    let addr = ready
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split(';').next())
        .unwrap_or_else(|| panic!("no address in {ready:?}"))
        .to_owned();

    // Stalled: half a head, half a body.
    let mut stalled_head = TcpStream::connect(&addr).unwrap();
    stalled_head
        .write_all(b"POST /moco HTTP/1.1\r\nHost: x\r\nX-Moco-Sig")
        .unwrap();
    let mut stalled_body = TcpStream::connect(&addr).unwrap();
    stalled_body
        .write_all(b"POST /moco HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"id\"")
        .unwrap();

    let mut huge = TcpStream::connect(&addr).unwrap();
    huge.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    huge.write_all(
        b"POST /moco HTTP/1.1\r\nHost: x\r\nX-Moco-Signature: 00\r\nContent-Length: 10000000000\r\n\r\n",
    )
    .unwrap();
    let mut answer = String::new();
    let _ = huge.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer:?}");

    let _ = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    // The default head and body deadlines are 10 s: exiting well before them shows the
    // stalled clients were not waited for.
    let code = exit_within(&mut child, Duration::from_secs(8));
    if code.is_none() {
        let _ = child.kill();
    }
    assert_eq!(code, Some(0), "still running 8 s after SIGTERM");
    drop((stalled_head, stalled_body));
}

#[test]
fn every_empty_secret_form_is_a_usage_error() {
    let home = tempfile::tempdir().unwrap();
    let empty = home.path().join("empty.secret");
    std::fs::write(&empty, "\n").unwrap();
    let empty = empty.display().to_string();
    let forms: [(&[&str], Option<&str>); 4] = [
        (&["--secret", ""], None),
        (&["--secret", "  "], None),
        (&["--secret-file", &empty], None),
        (&[], Some("")),
    ];
    for (args, env) in forms {
        for verb in ["listen", "verify"] {
            let mut cmd = connector(home.path());
            cmd.args(["moco", "webhooks", verb]).args(args);
            if verb == "verify" {
                cmd.args(["--signature", "00"]).write_stdin("{}");
            } else {
                cmd.args(["--port", "0"]);
            }
            if let Some(value) = env {
                cmd.env("MOCO_WEBHOOK_SECRET", value);
            }
            let out = cmd.output().unwrap();
            assert_eq!(code(&out), 2, "{verb} {args:?}: {}", stderr(&out));
        }
    }
}
