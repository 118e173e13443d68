//! MOCO webhook stories, told through the real `connector` binary: a web hook registered in the
//! sandbox, delivered to `connector moco webhooks listen` and printed verified; and signatures
//! checked by `connector moco webhooks verify`.

#[path = "support/mod.rs"]
mod support;

use connector_moco::webhooks::sign;
use connector_sandbox::SandboxConfig;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use support::{Cli, free_port, moco_sandbox};

fn now_ms() -> i64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970");
    i64::try_from(since.as_millis()).expect("milliseconds fit")
}

/// Register a hook, listen with its key, create an activity: one verified event line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_activity_webhook_is_delivered_and_verified() {
    let sandbox = moco_sandbox(SandboxConfig::default()).await;
    let cli = Cli::new().moco(&sandbox);
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/");

    let hook = cli
        .run(&[
            "moco",
            "web_hooks",
            "create",
            "--target",
            "Activity",
            "--event",
            "create",
            "--hook",
            &url,
        ])
        .await;
    let hook = hook.expect_code(0).json();
    assert_eq!(
        (&hook["target"], &hook["event"], &hook["hook"]),
        (&"Activity".into(), &"create".into(), &url.as_str().into())
    );
    let key = hook["signature_key"]
        .as_str()
        .unwrap_or_else(|| panic!("the web hook carries its signature_key: {hook}"));
    assert_eq!(key.len(), 32, "{hook}");

    // `ensure` finds the same hook rather than registering a second one.
    let ensured = cli
        .run(&[
            "moco", "webhooks", "ensure", "--target", "Activity", "--event", "create", "--url",
            &url,
        ])
        .await;
    assert_eq!(
        ensured.expect_code(0).json()["id"],
        hook["id"],
        "no duplicate hook"
    );

    let secret_file = cli.write_file("hook.secret", format!("{key}\n"));
    let mut listener = cli.spawn(&[
        "moco",
        "webhooks",
        "listen",
        "--port",
        &port.to_string(),
        "--secret-file",
        &secret_file.display().to_string(),
    ]);
    listener
        .wait_for_stderr(&format!("127.0.0.1:{port}"), Duration::from_secs(10))
        .await;

    let before = now_ms();
    let created = cli
        .run(&[
            "moco",
            "activities",
            "create",
            "--date",
            "2026-11-20",
            "--project_id",
            "1",
            "--task_id",
            "1",
            "--seconds",
            "5400",
            "--description",
            "Webhook story",
        ])
        .await;
    let activity = created.expect_code(0).json();

    let line = listener
        .next_stdout_line(Duration::from_secs(10))
        .await
        .unwrap_or_else(|| {
            panic!(
                "no event line within 10 s; listener running: {}",
                listener.is_running()
            )
        });
    let after = now_ms();
    let event: serde_json::Value =
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
    assert_eq!(event["target"], "Activity", "{event}");
    assert_eq!(event["event"], "create", "{event}");
    assert_eq!(event["user_id"], 1, "made by the seeded user: {event}");
    let at = event["timestamp"].as_i64().expect("a timestamp in ms");
    assert!(
        (before - 1_000..=after + 1_000).contains(&at),
        "{at} in {before}..={after}"
    );
    let payload = &event["payload"];
    assert_eq!(payload["id"], activity["id"], "{event}");
    assert_eq!(payload["description"], "Webhook story");
    assert_eq!(payload["seconds"], 5400);
    assert_eq!(payload["date"], "2026-11-20");

    // One event, one line.
    assert_eq!(
        listener.next_stdout_line(Duration::from_millis(300)).await,
        None,
        "a single delivery"
    );
    assert!(listener.is_running(), "the listener keeps listening");
    drop(listener);
    sandbox.shutdown().await;
}

/// `webhooks verify`: exit 0 for the right signature, 1 once one byte of the body changes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signature_verifies_and_a_changed_byte_does_not() {
    // The signature example of MOCO's documentation.
    let key = "1d608b9d72219b90ff2393a1d3ee0ac0";
    let body = br#"{"id":111,"description":"a description"}"#;
    let signature = sign(key, body);
    assert_eq!(
        signature,
        "bf027a86207ef1ca1cb76f5a536b41a14287ab1a0fd5b33bfe86924bc2f48fd1"
    );

    let cli = Cli::new();
    let secret_file = cli.write_file("hook.secret", format!("{key}\n"));
    let secret_file = secret_file.display().to_string();
    let verify = |signature: String, body: Vec<u8>| {
        let cli = &cli;
        let secret_file = &secret_file;
        async move {
            let args = [
                "moco",
                "webhooks",
                "verify",
                "--signature",
                &signature,
                "--secret-file",
                secret_file,
            ];
            cli.run_with_stdin(&args, body).await
        }
    };

    let good = verify(signature.clone(), body.to_vec()).await;
    good.expect_code(0);
    assert!(good.stdout.is_empty(), "verify prints no data: {good:?}");

    let mut tampered = body.to_vec();
    tampered[7] = b'2'; // "id":111 -> "id":121
    let bad = verify(signature.clone(), tampered).await;
    bad.expect_code(1);
    assert!(bad.stderr.contains("signature"), "{bad:?}");

    // A signature made with another key fails too.
    let other = sign("0123456789abcdef0123456789abcdef", body);
    verify(other, body.to_vec()).await.expect_code(1);
}
