//! Konverte stories of the newer families, told through the real `connector` binary against
//! the sandbox: a conversation's whole history walked back with message cursors; an
//! account webhook ensured, its deliveries received and checked; and inputs refused before
//! anything is sent, a missing token kind among them.

#[path = "support/mod.rs"]
mod support;

use connector_konverte::webhooks::sign;
use serde_json::{Value, json};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use support::{Cli, all_ok, free_port, konverte_sandbox, to_json_lines};

/// A conversation of 45 messages: `--all` walks back 20 at a time with `before` until a
/// page comes back empty; `--limit` stops early.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conversation_history_comes_back_whole() {
    let sandbox = konverte_sandbox().await;
    let cli = Cli::new().konverte(&sandbox);
    let contact = cli
        .run(&[
            "konverte",
            "contacts",
            "create",
            "--account_id",
            "1",
            "--inbox_id",
            "1",
            "--name",
            "Visitor",
        ])
        .await;
    let contact = contact.expect_code(0).json();
    let source_id = contact["payload"]["contact_inbox"]["source_id"]
        .as_str()
        .unwrap_or_else(|| panic!("a contact inbox: {contact}"))
        .to_owned();
    let conversation = cli
        .run(&[
            "konverte",
            "conversations",
            "create",
            "--account_id",
            "1",
            "--inbox_id",
            "1",
            "--source_id",
            &source_id,
            "--message",
            r#"{"content": "message 1"}"#,
        ])
        .await;
    let conversation = conversation.expect_code(0).json();
    let id = conversation["id"]
        .as_u64()
        .expect("a conversation id")
        .to_string();

    let replies: Vec<Value> = (2..=45)
        .map(|i| json!({"account_id": 1, "conversation_id": id, "content": format!("message {i}")}))
        .collect();
    let sent = cli
        .run_with_stdin(
            &[
                "run",
                "konverte",
                "messages.create",
                "--input",
                "-",
                "--concurrency",
                "1",
            ],
            to_json_lines(&replies),
        )
        .await;
    all_ok(sent.expect_code(0), 44);

    let before = sandbox.stats().requests;
    let all = cli
        .run(&[
            "konverte",
            "messages",
            "list",
            "--account_id",
            "1",
            "--conversation_id",
            &id,
            "--all",
        ])
        .await;
    let messages = all.expect_code(0).lines();
    let mut contents: Vec<String> = messages
        .iter()
        .filter_map(|m| m["content"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(contents.len(), 45, "the whole history, not the latest 20");
    assert_eq!(
        contents[0], "message 26",
        "the newest page comes first, oldest first within it"
    );
    contents.sort_by_key(|c| c[8..].parse::<u32>().unwrap_or_default());
    let expected: Vec<String> = (1..=45).map(|i| format!("message {i}")).collect();
    assert_eq!(contents, expected, "every message once");
    assert_eq!(
        sandbox.stats().requests - before,
        4,
        "20 + 20 + 5, then an empty page before the oldest"
    );

    let before = sandbox.stats().requests;
    let limited = cli
        .run(&[
            "konverte",
            "messages",
            "list",
            "--account_id",
            "1",
            "--conversation_id",
            &id,
            "--limit",
            "25",
        ])
        .await;
    assert_eq!(limited.expect_code(0).lines().len(), 25);
    assert_eq!(sandbox.stats().requests - before, 2, "two pages cover 25");
    sandbox.shutdown().await;
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs() as i64
}

/// Posts a delivery the way Chatwoot's lib/webhooks/trigger.rb does.
async fn deliver(port: u16, secret: &str, ts: i64, delivery: &str, body: &Value) -> u16 {
    let body = body.to_string();
    let ts = ts.to_string();
    reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/konverte"))
        .header("Content-Type", "application/json")
        .header("X-Chatwoot-Timestamp", &ts)
        .header("X-Chatwoot-Signature", sign(secret, &ts, body.as_bytes()))
        .header("X-Chatwoot-Delivery", delivery)
        .body(body)
        .send()
        .await
        .expect("the listener answers")
        .status()
        .as_u16()
}

/// `ensure` creates a webhook and writes its secret to a file (never to stdout), reuses it,
/// changes its events; `listen` prints each verified delivery once; `verify` checks one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_is_ensured_and_its_deliveries_are_verified_once() {
    let sandbox = konverte_sandbox().await;
    let cli = Cli::new().konverte(&sandbox);
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/konverte");
    let secret_file = cli.home().join("hook.secret");
    let secret_path = secret_file.display().to_string();
    let ensure = |events: &'static str| {
        let url = url.clone();
        let secret_path = secret_path.clone();
        let cli = &cli;
        async move {
            cli.run(&[
                "konverte",
                "webhooks",
                "ensure",
                "--account_id",
                "1",
                "--url",
                &url,
                "--subscriptions",
                events,
                "--secret-file",
                &secret_path,
            ])
            .await
        }
    };

    let created = ensure("message_created,conversation_created").await;
    let created = created.expect_code(0).json();
    assert_eq!(created["change"], "created", "{created}");
    assert_eq!(
        created["webhook"]["secret"], "***",
        "the secret is not printed"
    );
    let secret = std::fs::read_to_string(&secret_file).expect("the secret file");
    let secret = secret.trim().to_owned();
    assert!(secret.len() >= 16, "{secret:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&secret_file)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "only its owner reads the secret");
    }
    let again = ensure("conversation_created,message_created").await;
    let again = again.expect_code(0).json();
    assert_eq!(
        (&again["change"], &again["webhook"]["id"]),
        (&json!("reused"), &created["webhook"]["id"])
    );
    let changed = ensure("message_created").await;
    let changed = changed.expect_code(0).json();
    assert_eq!(changed["change"], "updated");
    assert_eq!(
        changed["webhook"]["subscriptions"],
        json!(["message_created"])
    );
    let listed = cli
        .run(&["konverte", "webhooks", "list", "--account_id", "1"])
        .await;
    assert_eq!(
        listed.expect_code(0).json()["payload"]["webhooks"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    for run in [&created, &again, &changed] {
        assert!(!run.to_string().contains(&secret));
    }

    let mut listener = cli.spawn(&[
        "konverte",
        "webhooks",
        "listen",
        "--port",
        &port.to_string(),
        "--secret-file",
        &secret_path,
    ]);
    listener
        .wait_for_stderr(&format!("127.0.0.1:{port}"), Duration::from_secs(10))
        .await;
    let message = json!({"event": "message_created", "id": 501, "content": "Hello"});
    let delivery = "3b9d1c7e-2f4a-4c1e-8a0b-6d5e4f3a2b1c";
    assert_eq!(deliver(port, &secret, now(), delivery, &message).await, 200);
    assert_eq!(
        deliver(port, &secret, now(), delivery, &message).await,
        200,
        "a retry is acknowledged"
    );
    assert_eq!(
        deliver(port, &secret, now() - 3_600, "stale-1", &message).await,
        401
    );
    assert_eq!(
        deliver(port, "not-the-secret", now(), "forged-1", &message).await,
        401
    );
    let other = json!({"event": "message_created", "id": 502});
    assert_eq!(
        deliver(
            port,
            &secret,
            now(),
            "7f00aa11-0000-4000-8000-000000000001",
            &other
        )
        .await,
        200
    );
    let first: Value = serde_json::from_str(
        &listener
            .next_stdout_line(Duration::from_secs(10))
            .await
            .expect("a first event"),
    )
    .unwrap();
    assert_eq!(
        (&first["delivery_id"], &first["event"]),
        (&json!(delivery), &json!("message_created"))
    );
    assert_eq!(first["payload"], message);
    let second: Value = serde_json::from_str(
        &listener
            .next_stdout_line(Duration::from_secs(10))
            .await
            .expect("a second event"),
    )
    .unwrap();
    assert_eq!(
        second["payload"]["id"], 502,
        "the retry was not printed again"
    );
    drop(listener);

    let body = message.to_string();
    let ts = now().to_string();
    let signature = sign(&secret, &ts, body.as_bytes());
    let verify = |signature: String, ts: String, body: String| {
        let secret_path = secret_path.clone();
        let cli = &cli;
        async move {
            cli.run_with_stdin(
                &[
                    "konverte",
                    "webhooks",
                    "verify",
                    "--signature",
                    &signature,
                    "--timestamp",
                    &ts,
                    "--secret-file",
                    &secret_path,
                ],
                body,
            )
            .await
        }
    };
    verify(signature.clone(), ts.clone(), body.clone())
        .await
        .expect_code(0);
    let changed = verify(
        signature.clone(),
        ts.clone(),
        body.replace("Hello", "Hellp"),
    )
    .await;
    changed.expect_code(1);
    assert!(changed.stderr.contains("does not match"), "{changed:?}");
    let old_ts = (now() - 900).to_string();
    let stale = verify(sign(&secret, &old_ts, body.as_bytes()), old_ts, body).await;
    stale.expect_code(1);
    assert!(stale.stderr.contains("tolerance"), "{stale:?}");
    sandbox.shutdown().await;
}

/// Bad input for the newer actions, and an action whose token kind is not configured:
/// exit 2, the field or the variable named, and not one request sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_and_missing_token_kinds_send_nothing() {
    let sandbox = konverte_sandbox().await;
    let cli = Cli::new().konverte(&sandbox);
    let before = sandbox.stats().requests;
    let cases: [(&[&str], &str); 8] = [
        (
            &[
                "konverte",
                "messages",
                "list",
                "--account_id",
                "1",
                "--conversation_id",
                "1",
                "--before",
                "newest",
            ],
            "before",
        ),
        (
            &[
                "konverte",
                "contacts",
                "merge",
                "--account_id",
                "1",
                "--base_contact_id",
                "1",
            ],
            "mergee_contact_id",
        ),
        (
            &[
                "konverte",
                "labels",
                "create",
                "--account_id",
                "1",
                "--color",
                "#fff",
            ],
            "title",
        ),
        (
            &[
                "konverte",
                "conversations",
                "update",
                "--account_id",
                "1",
                "--conversation_id",
                "1",
                "--priority",
                "none",
            ],
            "priority",
        ),
        (
            &[
                "konverte",
                "reports",
                "agents_csv",
                "--account_id",
                "1",
                "--until",
                "1717800000",
            ],
            "since",
        ),
        (
            &[
                "konverte",
                "notifications",
                "list",
                "--account_id",
                "1",
                "--includes",
                "unread",
            ],
            "includes",
        ),
        (
            &[
                "konverte",
                "sla_policies",
                "create",
                "--account_id",
                "1",
                "--name",
                "Gold",
                "--first_response_time_threshold",
                "soon",
            ],
            "first_response_time_threshold",
        ),
        (
            &[
                "konverte",
                "webhooks",
                "ensure",
                "--account_id",
                "1",
                "--url",
                "https://x.test",
                "--subscriptions",
                "everything",
                "--secret-file",
                "s",
            ],
            "subscriptions",
        ),
    ];
    for (args, field) in cases {
        let run = cli.run(args).await;
        run.expect_code(2);
        assert!(run.stderr.contains(field), "{field} is named: {run:?}");
        assert!(run.stdout.trim().is_empty(), "{run:?}");
    }
    // No platform token: a platform action is refused, never sent with the user's token.
    let users = Cli::new()
        .konverte(&sandbox)
        .without("KONVERTE_PLATFORM_TOKEN");
    let refused = users.run(&["konverte", "users", "get", "--id", "1"]).await;
    refused.expect_code(2);
    for part in [
        "platform token",
        "KONVERTE_PLATFORM_TOKEN",
        "platform_token_file",
    ] {
        assert!(refused.stderr.contains(part), "{part}: {refused:?}");
    }
    assert_eq!(sandbox.stats().requests, before, "nothing was sent");
    // With it, the same call goes through.
    cli.run(&["konverte", "users", "get", "--id", "1"]).await;
    assert_eq!(sandbox.stats().requests, before + 1);
    sandbox.shutdown().await;
}
