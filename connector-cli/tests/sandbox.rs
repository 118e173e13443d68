//! Stories against `connector sandbox`, started as a real process: credentials on
//! stdout, actions and batches against it, and the MOCO webhook round trip.

mod common;

use common::process::*;
use common::*;
use serde_json::Value;
use std::io::{Read, Write};

#[test]
fn sandbox_prints_credentials_that_work_and_stops_on_sigterm() {
    let home = tempfile::tempdir().unwrap();
    let mut sandbox = Running::start(home.path(), &["sandbox", "--port", "0"], &[]);
    let env = exports(&mut sandbox);
    assert!(env[3].1.ends_with("/api/v1"), "{env:?}");

    let out = with_env(home.path(), &env)
        .args([
            "konverte",
            "contacts",
            "create",
            "--account_id",
            "1",
            "--inbox_id",
            "1",
            "--name",
            "Ada Lovelace",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = with_env(home.path(), &env)
        .args([
            "konverte",
            "contacts",
            "search",
            "--account_id",
            "1",
            "--q",
            "Lovelace",
            "--all",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let found = lines(&out);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["name"], "Ada Lovelace");

    // A MOCO batch: one outcome line per input; the invalid date is refused before sending.
    let input = concat!(
        "{\"date\":\"2024-05-02\",\"project_id\":1,\"task_id\":1,\"seconds\":3600,\"description\":\"a\"}\n",
        "{\"date\":\"2024-13-02\",\"project_id\":1,\"task_id\":1,\"seconds\":3600}\n",
        "{\"date\":\"2024-05-03\",\"project_id\":1,\"task_id\":1,\"seconds\":1800,\"description\":\"b\"}\n",
    );
    let out = with_env(home.path(), &env)
        .args([
            "run",
            "moco",
            "activities.create",
            "--input",
            "-",
            "--rate-limit",
            "off",
            "--continue-on-fail",
        ])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let l = lines(&out);
    assert_eq!(
        (l[0]["ok"].clone(), l[1]["ok"].clone(), l[2]["ok"].clone()),
        (Value::Bool(true), Value::Bool(false), Value::Bool(true))
    );
    assert_eq!(l[1]["error"]["field"], "date");
    let out = with_env(home.path(), &env)
        .args(["moco", "activities", "list", "--all", "--rate-limit", "off"])
        .output()
        .unwrap();
    assert_eq!(lines(&out).len(), 2, "{}", stdout(&out));

    assert_eq!(sandbox.terminate(), 0);
}

#[test]
fn webhooks_ensure_listen_and_verify_round_trip() {
    let home = tempfile::tempdir().unwrap();
    let mut sandbox = Running::start(home.path(), &["sandbox"], &[]);
    let env = exports(&mut sandbox);
    let port = closed_port();
    let url = format!("http://127.0.0.1:{port}/moco");

    // ensure creates the hook once and finds it the second time.
    let ensure = || {
        with_env(home.path(), &env)
            .args([
                "moco",
                "webhooks",
                "ensure",
                "--target",
                "Company",
                "--event",
                "create",
                "--url",
                &url,
                "--rate-limit",
                "off",
            ])
            .output()
            .unwrap()
    };
    let first = ensure();
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    let hook: Value = serde_json::from_slice(&first.stdout).unwrap();
    let second: Value = serde_json::from_slice(&ensure().stdout).unwrap();
    assert_eq!(hook["id"], second["id"]);
    let secret = hook["signature_key"]
        .as_str()
        .expect("the hook's signature key")
        .to_owned();
    let secret_file = home.path().join("hook.secret");
    std::fs::write(&secret_file, &secret).unwrap();

    // listen: verified events become JSON lines on stdout.
    let secret_path = secret_file.display().to_string();
    let port_text = port.to_string();
    let mut listener = Running::start(
        home.path(),
        &[
            "moco",
            "webhooks",
            "listen",
            "--port",
            &port_text,
            "--secret-file",
            &secret_path,
            "--target",
            "Company",
        ],
        &[],
    );
    let ready = listener.stderr_line();
    assert!(ready.contains(&format!("127.0.0.1:{port}")), "{ready}");

    let out = with_env(home.path(), &env)
        .args([
            "moco",
            "companies",
            "create",
            "--name",
            "Hooked GmbH",
            "--type",
            "supplier",
            "--rate-limit",
            "off",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let event: Value = serde_json::from_str(&listener.stdout_line()).unwrap();
    assert_eq!(event["target"], "Company");
    assert_eq!(event["event"], "create");
    assert_eq!(event["payload"]["name"], "Hooked GmbH");

    // A forged delivery is refused and never printed.
    let mut tcp = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let body = "{\"id\":1,\"name\":\"forged\"}";
    write!(
        tcp,
        "POST /moco HTTP/1.1\r\nHost: x\r\nX-Moco-Target: Company\r\nX-Moco-Event: create\r\nX-Moco-Signature: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        "0".repeat(64),
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    tcp.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert_eq!(listener.terminate(), 0);

    // verify: exit 0 for the right signature, 1 otherwise.
    let payload = b"{\"id\":111,\"description\":\"a description\"}";
    let signature = connector_sandbox::sign_moco(&secret, payload);
    let verify = |sig: &str, extra: &[&str]| {
        connector(home.path())
            .args(["moco", "webhooks", "verify", "--signature", sig])
            .args(extra)
            .write_stdin(payload.to_vec())
            .output()
            .unwrap()
    };
    let out = verify(&signature, &["--secret-file", &secret_path]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = verify(&"ab".repeat(32), &["--secret-file", &secret_path]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("error: the signature does not match"),
        "{}",
        stderr(&out)
    );
    let out = verify(&signature, &["--secret", &secret]);
    assert_eq!(code(&out), 0);
    assert!(
        stderr(&out).contains("warning: --secret"),
        "{}",
        stderr(&out)
    );
    let out = connector(home.path())
        .env("MOCO_WEBHOOK_SECRET", &secret)
        .args(["moco", "webhooks", "verify", "--signature", &signature])
        .write_stdin(payload.to_vec())
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = connector(home.path())
        .args(["moco", "webhooks", "verify", "--signature", &signature])
        .write_stdin(payload.to_vec())
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "no secret at all: {}", stderr(&out));

    assert_eq!(sandbox.terminate(), 0);
}
