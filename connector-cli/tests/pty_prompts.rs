//! In a real pseudo-terminal: the delete prompt, and the progress bar with its total.

mod common;

use common::TOKEN;
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use serde_json::json;
use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Runs `connector args` in a terminal, answering `reply` once `prompt` shows (if given);
/// returns everything the terminal showed and the exit code.
fn in_terminal(base_url: &str, args: &[&str], prompt: Option<(&str, &str)>) -> (String, u32) {
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 40,
            cols: 160,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    let mut cmd = CommandBuilder::new(assert_cmd::cargo::cargo_bin("connector"));
    cmd.env_clear();
    cmd.env("HOME", home.path());
    cmd.env("XDG_CONFIG_HOME", home.path().join(".config"));
    cmd.env("TERM", "xterm-256color");
    cmd.env("KONVERTE_BASE_URL", base_url);
    cmd.env("KONVERTE_API_TOKEN", TOKEN);
    cmd.args(args);
    let mut child = pty.slave.spawn_command(cmd).unwrap();
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().unwrap();
    let mut writer = pty.master.take_writer().unwrap();
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut seen = String::new();
    let mut answered = prompt.is_none();
    let status = loop {
        if let Ok(chunk) = rx.recv_timeout(Duration::from_millis(100)) {
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
        if let Some((text, reply)) = prompt
            && !answered
            && seen.contains(text)
        {
            writer.write_all(reply.as_bytes()).unwrap();
            writer.flush().unwrap();
            answered = true;
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
    };
    while let Ok(chunk) = rx.recv_timeout(Duration::from_millis(300)) {
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    (seen, status.exit_code())
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_asks_on_a_terminal_and_no_means_nothing_is_sent() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/api/v1/accounts/1/contacts/5"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    let uri = server.uri();
    let args = ["konverte", "contacts", "delete", "5", "--account-id", "1"];
    let (seen, code) = tokio::task::spawn_blocking({
        let uri = uri.clone();
        move || in_terminal(&uri, &args, Some(("[y/N]", "n\r")))
    })
    .await
    .unwrap();
    assert!(
        seen.contains("delete contacts account_id=1 contact_id=5?"),
        "{seen}"
    );
    assert_eq!(code, 2, "{seen}");
    assert!(server.received_requests().await.unwrap().is_empty());

    let (seen, code) = tokio::task::spawn_blocking({
        let uri = uri.clone();
        move || in_terminal(&uri, &args, Some(("[y/N]", "y\r")))
    })
    .await
    .unwrap();
    assert_eq!(code, 0, "{seen}");
    assert!(seen.contains("deleted contacts"), "{seen}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);

    // --yes: no question.
    let (seen, code) = tokio::task::spawn_blocking(move || {
        let mut with_yes = args.to_vec();
        with_yes.push("--yes");
        in_terminal(&uri, &with_yes, None)
    })
    .await
    .unwrap();
    assert_eq!(code, 0, "{seen}");
    assert!(!seen.contains("[y/N]"), "{seen}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_progress_bar_shows_the_total_of_a_file() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/accounts/1/contacts/5"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"payload": {"id": 5}}))
                .set_delay(Duration::from_millis(400)),
        )
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("in.jsonl");
    std::fs::write(&file, "{\"account_id\":1,\"contact_id\":5}\n".repeat(6)).unwrap();
    let input = format!("@{}", file.display());
    let uri = server.uri();
    let (seen, code) = tokio::task::spawn_blocking(move || {
        in_terminal(
            &uri,
            &[
                "run",
                "konverte",
                "contacts.get",
                "--input",
                &input,
                "--concurrency",
                "1",
            ],
            None,
        )
    })
    .await
    .unwrap();
    assert_eq!(code, 0, "{seen}");
    assert!(seen.contains("/6 items"), "{seen}");
}
