//! One exit code per class of failure.

mod common;

use common::*;
use serde_json::json;
use std::time::Duration;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path("/api/v1/accounts/1/contacts/404"))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(json!({"error": "Resource could not be found"})),
        )
        .mount(&server)
        .await;
    Mock::given(path("/api/v1/accounts/1/contacts/500"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({"error": "internal"})))
        .mount(&server)
        .await;
    Mock::given(path("/api/v1/accounts/1/contacts/777"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_millis(1500)))
        .mount(&server)
        .await;
    Mock::given(path("/api/v1/accounts/1/contacts/1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 1})))
        .mount(&server)
        .await;
    server
}

async fn exit_of(base: &str, args: &[&str]) -> (i32, String) {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = konverte(home.path(), base);
    cmd.args(args)
        .args(["--retries", "0", "--timeout", "500ms"]);
    let out = run(cmd).await;
    (code(&out), stderr(&out))
}

#[tokio::test(flavor = "multi_thread")]
async fn each_class_has_its_code() {
    let s = server().await;
    let base = s.uri();
    let get = |id: &'static str| {
        [
            "konverte",
            "contacts",
            "get",
            "--account_id",
            "1",
            "--contact_id",
            id,
        ]
    };

    let (c, err) = exit_of(&base, &get("1")).await;
    assert_eq!(c, 0, "{err}");

    // Validation: a bad value, a missing required field.
    let (c, err) = exit_of(
        &base,
        &[
            "konverte",
            "contacts",
            "get",
            "--account_id",
            "1/../2",
            "--contact_id",
            "1",
        ],
    )
    .await;
    assert_eq!(c, 2, "{err}");
    assert!(err.contains("error: invalid `account_id`"), "{err}");
    let (c, err) = exit_of(&base, &["konverte", "contacts", "get", "--account_id", "1"]).await;
    assert_eq!(c, 2, "{err}");
    assert!(
        err.contains("`contact_id`") && err.contains("required"),
        "{err}"
    );

    // Usage: an unknown flag.
    let (c, _) = exit_of(&base, &["konverte", "contacts", "get", "--bogus"]).await;
    assert_eq!(c, 2);

    let (c, err) = exit_of(&base, &get("404")).await;
    assert_eq!(c, 1, "{err}");
    assert!(err.contains("error: 404"), "{err}");
    let (c, err) = exit_of(&base, &get("500")).await;
    assert_eq!(c, 1, "{err}");
    assert!(err.contains("error: 500"), "{err}");
    let (c, err) = exit_of(&base, &get("777")).await;
    assert_eq!(c, 1, "{err}");
    assert!(err.contains("timed out"), "{err}");

    let refused = format!("http://127.0.0.1:{}", closed_port());
    let (c, err) = exit_of(&refused, &get("1")).await;
    assert_eq!(c, 1, "{err}");
    assert!(err.contains("error: connection failed"), "{err}");

    // Nothing was sent for the validation failures.
    let sent = s.received_requests().await.unwrap();
    assert!(
        sent.iter().all(|r| !r.url.path().contains("..")),
        "{sent:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn configuration_problems_exit_2() {
    let home = tempfile::tempdir().unwrap();
    // No base URL at all.
    let mut cmd = connector(home.path());
    cmd.args(["konverte", "profile", "get"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("KONVERTE_BASE_URL"),
        "{}",
        stderr(&out)
    );
    // MOCO without a key.
    let mut cmd = connector(home.path());
    cmd.env("MOCO_SUBDOMAIN", "acme")
        .args(["moco", "session", "get"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    // A profile that does not exist.
    let mut cmd = konverte(home.path(), "http://127.0.0.1:9");
    cmd.args(["--profile", "nope", "konverte", "profile", "get"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("nope"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_batch_with_an_api_failure_exits_1() {
    let s = server().await;
    let home = tempfile::tempdir().unwrap();
    let mut cmd = konverte(home.path(), &s.uri());
    cmd.args([
        "run",
        "konverte",
        "contacts.get",
        "--input",
        "-",
        "--retries",
        "0",
        "--continue-on-fail",
    ]);
    let out = run_with_stdin(
        cmd,
        "{\"account_id\":1,\"contact_id\":1}\n{\"account_id\":1}\n{\"account_id\":1,\"contact_id\":404}\n",
    )
    .await;
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(lines(&out).len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_without_a_token_fails_like_the_real_run() {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = connector(home.path());
    cmd.env("KONVERTE_BASE_URL", "http://127.0.0.1:9").args([
        "konverte",
        "profile",
        "get",
        "--dry-run",
    ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    assert!(stderr(&out).contains("token"), "{}", stderr(&out));

    let mut cmd = connector(home.path());
    cmd.env("KONVERTE_BASE_URL", "http://127.0.0.1:9").args([
        "run",
        "konverte",
        "profile.get",
        "--input",
        "-",
        "--dry-run",
    ]);
    let out = run_with_stdin(cmd, "{}\n").await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert_eq!(lines(&out)[0]["error"]["kind"], "validation");
}
