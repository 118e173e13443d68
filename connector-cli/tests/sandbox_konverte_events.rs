//! Through the `connector` binary against the Konverte sandbox: a conversation changed with
//! the CLI raises `conversation_status_changed` and `conversation_updated` as Chatwoot sends
//! them, which `connector konverte webhooks listen` verifies and prints; a contact created
//! with `--avatar @file` gets the image as its thumbnail, served back byte for byte.

#[path = "../../tests/support/mod.rs"]
mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::*;

/// A tiny PNG (signature and an IHDR chunk).
const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

fn id_of(record: &Value) -> String {
    record["id"].as_u64().expect("a numeric id").to_string()
}

/// Verified events the listener prints until `want` of them matched (30 s at most each).
async fn events_until(listener: &mut Background, want: &[&str]) -> Vec<Value> {
    let mut seen = Vec::new();
    while !want
        .iter()
        .all(|w| seen.iter().any(|e: &Value| e["event"] == *w))
    {
        let line = listener
            .next_stdout_line(Duration::from_secs(30))
            .await
            .unwrap_or_else(|| panic!("the listener printed no more events; had {seen:#?}"));
        seen.push(serde_json::from_str(&line).expect("a JSON line"));
    }
    seen
}

fn event<'e>(events: &'e [Value], name: &str) -> &'e Value {
    events
        .iter()
        .find(|e| e["event"] == name)
        .unwrap_or_else(|| panic!("no {name} in {events:#?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_status_change_and_an_assignment_reach_the_listener_with_their_changes() {
    let sandbox = konverte_sandbox().await;
    let cli = Cli::new().konverte(&sandbox);
    let port = free_port();
    let hook = cli
        .run(&[
            "konverte",
            "webhooks",
            "create",
            "--account_id",
            "1",
            "--url",
            &format!("http://127.0.0.1:{port}/hook"),
            "--subscriptions",
            "conversation_status_changed",
            "--subscriptions",
            "conversation_updated",
        ])
        .await;
    let hook = hook.expect_code(0).json();
    // `webhooks create` prints the server's document (`payload.webhook`).
    let secret = hook
        .pointer("/payload/webhook/secret")
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("a secret in {hook}"));
    let secret_file = cli.write_file("secret", secret);
    let mut listener = cli.spawn(&[
        "konverte",
        "webhooks",
        "listen",
        "--port",
        &port.to_string(),
        "--secret-file",
        secret_file.to_str().expect("a UTF-8 path"),
    ]);
    listener
        .wait_for_stderr("listening", Duration::from_secs(30))
        .await;

    let contact = cli
        .run(&[
            "konverte",
            "contacts",
            "create",
            "--account_id",
            "1",
            "--name",
            "Lena Listen",
            "--inbox_id",
            "1",
        ])
        .await;
    let contact = id_of(&contact.expect_code(0).json());
    let conversation = cli
        .run(&[
            "konverte",
            "conversations",
            "create",
            "--account_id",
            "1",
            "--inbox_id",
            "1",
            "--contact_id",
            &contact,
        ])
        .await;
    let conversation = id_of(&conversation.expect_code(0).json());
    cli.run(&[
        "konverte",
        "conversations",
        "toggle_status",
        "--account_id",
        "1",
        "--conversation_id",
        &conversation,
        "--status",
        "pending",
    ])
    .await
    .expect_code(0);

    let events = events_until(
        &mut listener,
        &["conversation_status_changed", "conversation_updated"],
    )
    .await;
    let status = &event(&events, "conversation_status_changed")["payload"];
    assert_eq!(status["id"].to_string(), conversation, "{status}");
    assert_eq!(status["status"], "pending", "{status}");
    assert_eq!(status["changed_attributes"], Value::Null, "{status}");
    assert_eq!(status["meta"]["sender"]["name"], "Lena Listen", "{status}");
    let updated = &event(&events, "conversation_updated")["payload"];
    assert_eq!(
        updated["changed_attributes"][0],
        json!({"status": {"previous_value": "open", "current_value": "pending"}}),
        "{updated}"
    );

    cli.run(&[
        "konverte",
        "conversations",
        "assign",
        "--account_id",
        "1",
        "--conversation_id",
        &conversation,
        "--assignee_id",
        "1",
    ])
    .await
    .expect_code(0);
    let events = events_until(&mut listener, &["conversation_updated"]).await;
    let assigned = &event(&events, "conversation_updated")["payload"];
    assert_eq!(
        assigned["changed_attributes"][0],
        json!({"assignee_id": {"previous_value": null, "current_value": 1}}),
        "{assigned}"
    );
    assert_eq!(assigned["meta"]["assignee"]["id"], 1, "{assigned}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contact_avatar_uploaded_with_the_cli_is_served_back() {
    let sandbox = konverte_sandbox().await;
    let cli = Cli::new().konverte(&sandbox);
    let picture = cli.write_file("ada.png", PNG);
    let avatar = format!("@{}", picture.display());
    let created = cli
        .run(&[
            "konverte",
            "contacts",
            "create",
            "--account_id",
            "1",
            "--name",
            "Ada Picture",
            "--avatar",
            &avatar,
        ])
        .await;
    let created = created.expect_code(0).json();
    assert_eq!(created["name"], "Ada Picture", "{created}");
    let thumbnail = created["thumbnail"]
        .as_str()
        .unwrap_or_else(|| panic!("a thumbnail in {created}"));
    assert!(thumbnail.starts_with(&sandbox.base_url()), "{thumbnail}");
    let served = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a client")
        .get(thumbnail)
        .send()
        .await
        .expect("the avatar answers");
    assert_eq!(served.status(), 200);
    assert_eq!(
        served.headers()["content-type"]
            .to_str()
            .expect("a content type"),
        "image/png"
    );
    assert_eq!(served.bytes().await.expect("bytes").as_ref(), PNG);

    let got = cli
        .run(&[
            "konverte",
            "contacts",
            "get",
            "--account_id",
            "1",
            "--contact_id",
            &id_of(&created),
        ])
        .await;
    assert_eq!(got.expect_code(0).json()["thumbnail"], thumbnail);
}
