//! `connector api`: any route, through the same pipeline as the declared actions.

mod common;

use common::*;
use connector_sandbox::{KonverteSandbox, MocoSandbox, SandboxConfig};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn config() -> SandboxConfig {
    SandboxConfig {
        konverte_token: TOKEN.into(),
        moco_api_key: TOKEN.into(),
        ..SandboxConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_route_of_the_sandbox_with_fields_paging_and_a_dry_run() {
    let moco_sb = MocoSandbox::start(config()).await.unwrap();
    let konverte_sb = KonverteSandbox::start(config()).await.unwrap();
    let home = tempfile::tempdir().unwrap();

    // A write with -f fields goes in the JSON body; the answer is the server's.
    let mut cmd = konverte(home.path(), &konverte_sb.base_url());
    cmd.args(["api", "konverte", "POST", "/api/v1/accounts/1/contacts"])
        .args([
            "-f",
            "name=Raw Ada",
            "-f",
            "email=raw.ada@x.example",
            "-f",
            "inbox_id=1",
        ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("raw.ada@x.example"),
        "{}",
        stdout(&out)
    );

    // --all pages in Konverte's style and prints the items one per line.
    let mut cmd = konverte(home.path(), &konverte_sb.base_url());
    cmd.args([
        "api",
        "konverte",
        "GET",
        "/api/v1/accounts/1/contacts",
        "--all",
    ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let items = lines(&out);
    assert!(
        items.iter().any(|c| c["email"] == "raw.ada@x.example"),
        "{items:?}"
    );

    // MOCO pages by Link headers; --limit stops early.
    let mut cmd = moco(home.path(), &moco_sb.base_url());
    cmd.args([
        "api",
        "moco",
        "GET",
        "/users",
        "-f",
        "per_page=1",
        "--limit",
        "1",
    ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(lines(&out).len(), 1, "{}", stdout(&out));

    // --dry-run shows the request, token masked, and sends nothing.
    let mut cmd = moco(home.path(), &moco_sb.base_url());
    cmd.args([
        "api",
        "moco",
        "PUT",
        "/projects/1",
        "-f",
        "name=X",
        "--dry-run",
    ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["method"], "PUT");
    assert_eq!(shown["body"], json!({"name": "X"}));
    assert!(!stdout(&out).contains(TOKEN));
}

#[tokio::test(flavor = "multi_thread")]
async fn credentials_retries_and_the_query_go_as_for_any_action() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/undeclared/thing"))
        .and(query_param("q", "a b"))
        .and(query_param("n", "5"))
        .and(header("api-access-token", TOKEN))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/undeclared/thing"))
        .and(header("api-access-token", TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": 1})))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/platform/api/v1/users/3"))
        .and(body_json(json!({"name": "B", "custom": {"a": 1}})))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let mut cmd = konverte(home.path(), &server.uri());
    cmd.env("KONVERTE_PLATFORM_TOKEN", TOKEN).args([
        "api",
        "konverte",
        "get",
        "/api/v1/undeclared/thing?q=a+b",
        "-f",
        "n=5",
    ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "retried after the 503: {}", stderr(&out));
    assert!(stdout(&out).contains("\"ok\""), "{}", stdout(&out));
    assert_eq!(server.received_requests().await.unwrap().len(), 2);

    let mut cmd = konverte(home.path(), &server.uri());
    cmd.env("KONVERTE_PLATFORM_TOKEN", TOKEN).args([
        "api",
        "konverte",
        "PATCH",
        &format!("{}/platform/api/v1/users/3", server.uri()),
        "--input",
        "{\"custom\":{\"a\":1}}",
        "-f",
        "name=B",
    ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn another_origin_and_a_bad_method_are_refused_before_sending() {
    let home = tempfile::tempdir().unwrap();
    let base = format!("http://127.0.0.1:{}", closed_port());
    for (m, p, word) in [
        (
            "GET",
            "https://elsewhere.example/api/v1/x",
            "another origin",
        ),
        ("FETCH", "/x", "one of GET"),
    ] {
        let out = konverte(home.path(), &base)
            .args(["api", "konverte", m, p])
            .output()
            .unwrap();
        assert_eq!(code(&out), 2, "{}", stderr(&out));
        assert!(stderr(&out).contains(word), "{}", stderr(&out));
    }
}
