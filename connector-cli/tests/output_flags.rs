//! `-o/--output`, `--fields` and `--jq` are offered only where they act: refused by clap
//! (exit 2, nothing sent) on `download` and actions answering a file and, for
//! `--fields`/`--jq`, on `webhooks ensure`;
//! acting on `webhooks ensure` (`-o`), `api` and `download`'s own `--out`.

mod common;

use common::*;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A server that must see no request at all.
async fn untouchable() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    server
}

#[tokio::test(flavor = "multi_thread")]
async fn flags_that_would_do_nothing_are_refused_before_anything_is_sent() {
    let server = untouchable().await;
    let home = tempfile::tempdir().unwrap();
    let moco_ensure = [
        "moco", "webhooks", "ensure", "--target", "Activity", "--event", "create", "--url",
        "http://x",
    ];
    let konverte_ensure = [
        "konverte",
        "webhooks",
        "ensure",
        "--account_id",
        "1",
        "--url",
        "http://x",
        "--subscriptions",
        "message_created",
        "--dry-run",
    ];
    let download = ["konverte", "download", "/files/report.pdf"];
    let mut cases: Vec<Vec<&str>> = Vec::new();
    for extra in [&["--fields", "id"][..], &["--jq", ".id"]] {
        cases.push([&moco_ensure[..], extra].concat());
        cases.push([&konverte_ensure[..], extra].concat());
    }
    for extra in [
        &["--output", "json"][..],
        &["-o", "table"],
        &["--fields", "id"],
        &["--jq", "."],
        &["--dry-run"],
        &["--lenient"],
    ] {
        cases.push([&download[..], extra].concat());
        cases.push([&["moco", "download", "/files/report.pdf"][..], extra].concat());
    }
    // An action answering a file writes bytes, not records: no -o, --fields or --jq.
    for extra in [
        &["--output", "json"][..],
        &["-o", "csv"],
        &["--fields", "id"],
        &["--jq", "."],
    ] {
        let pdf = ["moco", "invoices", "pdf", "--id", "1", "--out", "x.pdf"];
        cases.push([&pdf[..], extra].concat());
    }
    for args in cases {
        let mut cmd = konverte(home.path(), &server.uri());
        cmd.env("MOCO_BASE_URL", server.uri())
            .env("MOCO_API_KEY", TOKEN)
            .args(&args);
        let out = run(cmd).await;
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("unexpected argument"),
            "{args:?}: {}",
            stderr(&out)
        );
        assert!(stdout(&out).is_empty(), "{args:?}");
    }
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn ensure_prints_its_answer_in_the_output_format() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/account/web_hooks"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let ensure = |format: &str| {
        let mut cmd = moco(home.path(), &format!("{}/api/v1", server.uri()));
        cmd.env("COLUMNS", "200").args([
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
            "-o",
            format,
        ]);
        cmd
    };
    let out = run(ensure("json")).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(lines(&out)[0]["change"], "create", "{}", stdout(&out));
    let out = run(ensure("table")).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let table = stdout(&out);
    assert!(
        serde_json::from_str::<serde_json::Value>(&table).is_err(),
        "{table}"
    );
    assert!(
        table.contains("change") && table.contains("create"),
        "{table}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn download_writes_the_file_where_out_says() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/files/report.pdf"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "application/pdf")
                .set_body_bytes(b"%PDF-1.4 report".to_vec()),
        )
        .expect(2)
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("report.pdf");
    let mut cmd = konverte(home.path(), &server.uri());
    cmd.args(["konverte", "download", "/files/report.pdf", "--out"])
        .arg(&file);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(std::fs::read(&file).unwrap(), b"%PDF-1.4 report");
    // Without --out, and stdout not a terminal: the bytes go to stdout.
    let mut cmd = konverte(home.path(), &server.uri());
    cmd.args(["konverte", "download", "/files/report.pdf"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(out.stdout, b"%PDF-1.4 report");
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn api_applies_fields_and_jq_to_the_answer() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"id": 1, "firstname": "Ada", "unit": {"name": "Ops"}},
            {"id": 2, "firstname": "Bob", "unit": {"name": "Dev"}}
        ])))
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let api = |extra: &[&str]| {
        let mut cmd = moco(home.path(), &format!("{}/api/v1", server.uri()));
        cmd.args(["api", "moco", "GET", "/users", "--rate-limit", "off"])
            .args(extra);
        cmd
    };
    let out = run(api(&["--fields", "id,unit.name", "-o", "jsonl"])).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        lines(&out),
        vec![
            json!({"id": 1, "unit": {"name": "Ops"}}),
            json!({"id": 2, "unit": {"name": "Dev"}})
        ]
    );
    let out = run(api(&["--jq", ".firstname"])).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(lines(&out), vec![json!("Ada"), json!("Bob")]);
    // Without them, the answer as it came.
    let out = run(api(&[])).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(lines(&out)[0].as_array().map(Vec::len), Some(2));
}
