//! A Konverte webhook created in the sandbox is delivered, signed as Chatwoot signs it, to
//! `connector konverte webhooks listen`, which verifies it and prints it.

use connector_sandbox::{KonverteSandbox, SandboxConfig};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("an address").port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_created_message_is_delivered_signed_and_verified_by_the_listener() {
    let sandbox = KonverteSandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    let api = format!("{}/api/v1/accounts/1", sandbox.base_url());
    let client = reqwest::Client::new();
    let post = |path: &str, body: Value| {
        client
            .post(format!("{api}{path}"))
            .header("api_access_token", sandbox.token())
            .json(&body)
            .send()
    };
    let port = free_port();
    let hook: Value = post(
        "/webhooks",
        json!({"url": format!("http://127.0.0.1:{port}/hook"), "subscriptions": ["message_created"]}),
    )
    .await
    .expect("webhook created")
    .json()
    .await
    .expect("json");
    let secret = hook["payload"]["webhook"]["secret"]
        .as_str()
        .expect("the webhook's secret");
    let dir = tempfile::tempdir().expect("a directory");
    let secret_file = dir.path().join("secret");
    std::fs::write(&secret_file, secret).expect("secret written");

    let mut listener = Command::new(assert_cmd::cargo::cargo_bin("connector"))
        .env_clear()
        .env("HOME", dir.path())
        .env("NO_COLOR", "1")
        .args([
            "konverte",
            "webhooks",
            "listen",
            "--port",
            &port.to_string(),
            "--secret-file",
        ])
        .arg(&secret_file)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the listener starts");
    let mut stderr = BufReader::new(listener.stderr.take().expect("stderr"));
    let mut line = String::new();
    stderr.read_line(&mut line).expect("the listener reports");
    assert!(line.contains("listening"), "{line}");
    let (lines, received) = mpsc::channel();
    let stdout = listener.stdout.take().expect("stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });

    let contact: Value = post("/contacts", json!({"name": "Ada Hook", "inbox_id": 1}))
        .await
        .expect("contact")
        .json()
        .await
        .expect("json");
    let contact_id = contact["payload"]["contact"]["id"]
        .as_u64()
        .expect("contact id");
    let source_id = contact["payload"]["contact_inbox"]["source_id"].clone();
    let conversation: Value = post(
        "/conversations",
        json!({"contact_id": contact_id, "inbox_id": 1, "source_id": source_id}),
    )
    .await
    .expect("conversation")
    .json()
    .await
    .expect("json");
    let conversation_id = conversation["id"]
        .as_u64()
        .unwrap_or_else(|| panic!("no conversation id in {conversation}"));
    let message = post(
        &format!("/conversations/{conversation_id}/messages"),
        json!({"content": "hello from the sandbox", "message_type": "outgoing"}),
    )
    .await
    .expect("message");
    assert!(message.status().is_success());

    let printed =
        tokio::task::spawn_blocking(move || received.recv_timeout(Duration::from_secs(30)))
            .await
            .expect("joined")
            .expect("the listener printed the verified delivery");
    let _ = listener.kill();
    let _ = listener.wait();
    let event: Value = serde_json::from_str(&printed).expect("a JSON line");
    assert_eq!(event["event"], "message_created", "{event}");
    assert_eq!(
        event["payload"]["content"], "hello from the sandbox",
        "{event}"
    );
    assert_eq!(
        event["payload"]["conversation_id"],
        json!(conversation_id),
        "{event}"
    );
    assert!(
        event["delivery_id"].as_str().is_some_and(|d| !d.is_empty()),
        "{event}"
    );
}
