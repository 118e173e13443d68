//! `connector run` batches and `--dry-run`.

mod common;

use common::*;
use serde_json::json;
use wiremock::matchers::{body_json, method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_line_in_the_middle_gives_its_own_outcome_in_order() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/accounts/1/contacts"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"payload": {"contact": {"id": 9}}})),
        )
        .expect(4)
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let input = concat!(
        "{\"account_id\":1,\"name\":\"Ada\"}\n",
        "{\"account_id\":1,\"name\":\"Bob\"}\n",
        "\n",
        "this is not json\n",
        "{\"account_id\":1,\"custom_attributes\":[1]}\n",
        "{\"account_id\":1,\"name\":\"Cy\"}\n",
        "{\"account_id\":1,\"name\":\"Di\"}\n",
    );
    let mut cmd = konverte(home.path(), &server.uri());
    cmd.args([
        "run",
        "konverte",
        "contacts.create",
        "--input",
        "-",
        "--continue-on-fail",
        "--concurrency",
        "4",
    ]);
    let out = run_with_stdin(cmd, input).await;
    assert_eq!(
        code(&out),
        2,
        "every failure was validation: {}",
        stderr(&out)
    );
    let l = lines(&out);
    assert_eq!(l.len(), 6, "{l:?}");
    for (i, line) in l.iter().enumerate() {
        assert_eq!(line["index"], i, "{l:?}");
    }
    assert_eq!(l[0]["ok"], true);
    assert_eq!(l[1]["ok"], true);
    assert_eq!(l[2]["ok"], false);
    assert_eq!(l[2]["error"]["kind"], "validation");
    assert!(
        l[2]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("line 4"),
        "{}",
        l[2]
    );
    assert_eq!(l[3]["error"]["field"], "custom_attributes");
    assert_eq!(l[4]["ok"], true);
    assert_eq!(l[5]["response"]["payload"]["contact"]["id"], 9);
    let err = stderr(&out);
    assert!(
        err.contains("error: item 2:") && err.contains("ok 4, failed 2, skipped 0"),
        "{err}"
    );
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn inputs_from_a_file_and_inline_json() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path_regex(r"^/api/v1/accounts/1/contacts/\d+$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 1})))
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("in.jsonl");
    std::fs::write(
        &file,
        "{\"account_id\":1,\"id\":1}\n{\"account_id\":1,\"id\":2}\n",
    )
    .unwrap();
    let mut cmd = konverte(home.path(), &server.uri());
    cmd.args(["run", "konverte", "contacts.get", "--input"])
        .arg(format!("@{}", file.display()));
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(lines(&out).len(), 2);
    assert!(stderr(&out).contains("ok 2, failed 0, skipped 0"));

    // --quiet: no summary; --output table: a table of the outcomes.
    let mut cmd = konverte(home.path(), &server.uri());
    cmd.args([
        "run",
        "konverte",
        "contacts.get",
        "-q",
        "--output",
        "table",
        "--input",
    ])
    .arg(format!("@{}", file.display()));
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    let table = stdout(&out);
    assert!(
        table.contains("index") && table.contains("response") && !table.starts_with('{'),
        "{table}"
    );

    // Inline JSON: one call, the response itself on stdout.
    let mut cmd = konverte(home.path(), &server.uri());
    cmd.args([
        "run",
        "konverte",
        "contacts.get",
        "--input",
        "{\"account_id\":1,\"id\":3}",
    ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "{\"id\":1}");

    // A file that does not exist, an unknown action.
    let mut cmd = konverte(home.path(), &server.uri());
    cmd.args([
        "run",
        "konverte",
        "contacts.get",
        "--input",
        "@/nonexistent/in.jsonl",
    ]);
    assert_eq!(code(&run(cmd).await), 2);
    let mut cmd = konverte(home.path(), &server.uri());
    cmd.args(["run", "konverte", "contacts.nope", "--input", "{}"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("unknown action"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn flags_compile_to_the_same_request_as_run() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path("/platform/api/v1/users/5"))
        .and(body_json(
            json!({"name": "Ada", "custom_attributes": {"tier": "gold"}}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 5})))
        .expect(2)
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let attrs = home.path().join("attrs.json");
    std::fs::write(&attrs, "{\"tier\": \"gold\"}\n").unwrap();
    let mut cmd = konverte(home.path(), &server.uri());
    cmd.env("KONVERTE_PLATFORM_TOKEN", TOKEN)
        .args([
            "konverte",
            "users",
            "update",
            "--id",
            "5",
            "--name",
            "Ada",
            "--custom_attributes",
        ])
        .arg(format!("@{}", attrs.display()));
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let mut cmd = konverte(home.path(), &server.uri());
    cmd.env("KONVERTE_PLATFORM_TOKEN", TOKEN).args([
        "run",
        "konverte",
        "users.update",
        "--input",
        "{\"id\":5,\"name\":\"Ada\",\"custom_attributes\":{\"tier\":\"gold\"}}",
    ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_sends_nothing_and_masks_secrets() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let mut cmd = konverte(home.path(), &server.uri());
    cmd.env("KONVERTE_PLATFORM_TOKEN", TOKEN).args([
        "konverte",
        "users",
        "update",
        "--id",
        "5",
        "--password",
        "Sup3r-Secret!",
        "--name",
        "Ada",
        "--dry-run",
    ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let shown = &lines(&out)[0];
    assert_eq!(shown["method"], "PATCH");
    assert_eq!(
        shown["url"],
        format!("{}/platform/api/v1/users/5", server.uri())
    );
    assert_eq!(shown["body"]["password"], "***");
    assert_eq!(shown["body"]["name"], "Ada");
    let text = stdout(&out) + &stderr(&out);
    assert!(
        !text.contains(TOKEN) && !text.contains("Sup3r-Secret!"),
        "{text}"
    );
    assert!(
        shown["headers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h[1] == "***"),
        "the token header is shown masked: {shown}"
    );

    // Batches: one line per input, invalid ones exit 2.
    let mut cmd = konverte(home.path(), &server.uri());
    cmd.args([
        "run",
        "konverte",
        "contacts.get",
        "--input",
        "-",
        "--dry-run",
    ]);
    let out = run_with_stdin(cmd, "{\"account_id\":1,\"id\":1}\n{\"account_id\":1}\n").await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let l = lines(&out);
    assert_eq!(l[0]["request"]["method"], "GET");
    assert_eq!(l[1]["error"]["field"], "id");

    let mut cmd = konverte(home.path(), &server.uri());
    cmd.args([
        "run",
        "konverte",
        "contacts.get",
        "--input",
        "-",
        "--dry-run",
    ]);
    let out = run_with_stdin(cmd, "{\"account_id\":1,\"id\":1}\n").await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    server.verify().await;
}
