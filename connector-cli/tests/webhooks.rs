//! `moco webhooks ensure`: `--dry-run` looks up but changes nothing.

mod common;

use common::*;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn moco_with_hooks(hooks: Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/account/web_hooks"))
        .respond_with(ResponseTemplate::new(200).set_body_json(hooks))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 99})))
        .expect(0)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 7})))
        .expect(0)
        .mount(&server)
        .await;
    server
}

async fn ensure_dry_run(server: &MockServer) -> Value {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = moco(home.path(), &format!("{}/api/v1", server.uri()));
    cmd.args([
        "moco",
        "webhooks",
        "ensure",
        "--target",
        "Activity",
        "--event",
        "create",
        "--url",
        "https://hooks.example.com/moco",
        "--rate-limit",
        "off",
        "--dry-run",
    ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(!stdout(&out).contains(TOKEN) && !stderr(&out).contains(TOKEN));
    lines(&out).remove(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn ensure_dry_run_says_what_it_would_change_and_sends_no_change() {
    let hook = |disabled: bool| {
        json!([{"id": 7, "target": "Activity", "event": "create",
                "hook": "https://hooks.example.com/moco", "disabled": disabled}])
    };

    let server = moco_with_hooks(json!([])).await;
    let shown = ensure_dry_run(&server).await;
    assert_eq!(shown["change"], "create", "{shown}");
    assert_eq!(shown["request"]["method"], "POST", "{shown}");
    assert_eq!(
        shown["request"]["body"]["hook"],
        "https://hooks.example.com/moco"
    );
    server.verify().await;

    let server = moco_with_hooks(hook(true)).await;
    let shown = ensure_dry_run(&server).await;
    assert_eq!(shown["change"], "enable", "{shown}");
    assert_eq!(shown["request"]["method"], "PUT", "{shown}");
    assert_eq!(shown["hook"]["id"], 7);
    server.verify().await;

    let server = moco_with_hooks(hook(false)).await;
    let shown = ensure_dry_run(&server).await;
    assert_eq!(shown["change"], "none", "{shown}");
    assert!(shown.get("request").is_none(), "{shown}");
    server.verify().await;
}
