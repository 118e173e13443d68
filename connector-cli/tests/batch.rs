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
        "{\"account_id\":1,\"contact_id\":1}\n{\"account_id\":1,\"contact_id\":2}\n",
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
        "{\"account_id\":1,\"contact_id\":3}",
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
    let out = run_with_stdin(
        cmd,
        "{\"account_id\":1,\"contact_id\":1}\n{\"account_id\":1}\n",
    )
    .await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let l = lines(&out);
    assert_eq!(l[0]["request"]["method"], "GET");
    assert_eq!(l[1]["error"]["field"], "contact_id");

    let mut cmd = konverte(home.path(), &server.uri());
    cmd.args([
        "run",
        "konverte",
        "contacts.get",
        "--input",
        "-",
        "--dry-run",
    ]);
    let out = run_with_stdin(cmd, "{\"account_id\":1,\"contact_id\":1}\n").await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_line_that_is_not_utf8_is_one_outcome_and_reading_goes_on() {
    let home = tempfile::tempdir().unwrap();
    let mut input = Vec::new();
    input.extend_from_slice(b"\xEF\xBB\xBF{\"account_id\":1,\"contact_id\":1}\n");
    input.extend_from_slice(b"{\"account_id\":1,\"contact_id\":2,\"q\":\"caf\xE9\"}\n");
    for id in 3..=5 {
        input.extend_from_slice(format!("{{\"account_id\":1,\"contact_id\":{id}}}\n").as_bytes());
    }
    let mut cmd = konverte(home.path(), "http://127.0.0.1:9");
    cmd.args([
        "run",
        "konverte",
        "contacts.get",
        "--input",
        "-",
        "--dry-run",
    ]);
    let out = run_with_stdin(cmd, input).await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let l = lines(&out);
    assert_eq!(l.len(), 5, "{l:?}");
    assert_eq!(l[0]["ok"], true, "a leading BOM is skipped: {}", l[0]);
    assert_eq!(l[1]["error"]["kind"], "validation", "{}", l[1]);
    assert!(
        l[1]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("line 2: not valid UTF-8"),
        "{}",
        l[1]
    );
    for (i, line) in l.iter().enumerate().skip(2) {
        assert_eq!(line["index"], i);
        assert_eq!(line["ok"], true, "{line}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn output_json_streams_one_array_for_batches_and_lists() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path_regex(r"^/api/v1/accounts/1/contacts/\d+$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 1})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/accounts/1/contacts"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"meta": {"count": 2}, "payload": [{"id": 1}, {"id": 2}]})),
        )
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let mut cmd = konverte(home.path(), &server.uri());
    cmd.args([
        "run",
        "konverte",
        "contacts.get",
        "--input",
        "-",
        "--output",
        "json",
    ]);
    let out = run_with_stdin(
        cmd,
        "{\"account_id\":1,\"contact_id\":1}\n{\"account_id\":1,\"contact_id\":2}\n",
    )
    .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let all: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("one JSON document ({e}): {}", stdout(&out)));
    assert_eq!(all.as_array().unwrap().len(), 2, "{all}");
    assert_eq!(all[1]["index"], 1);

    let mut cmd = konverte(home.path(), &server.uri());
    cmd.args([
        "konverte",
        "contacts",
        "list",
        "--account_id",
        "1",
        "--all",
        "--output",
        "json",
    ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let all: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("one JSON document ({e}): {}", stdout(&out)));
    assert_eq!(all, json!([{"id": 1}, {"id": 2}]));

    // Nothing to list is an empty array.
    let mut cmd = konverte(home.path(), &server.uri());
    cmd.args([
        "run",
        "konverte",
        "contacts.get",
        "--input",
        "[]",
        "--output",
        "json",
    ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "[]");
}

#[tokio::test(flavor = "multi_thread")]
async fn quiet_still_shows_each_failed_item() {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = konverte(home.path(), "http://127.0.0.1:9");
    cmd.args([
        "-q",
        "run",
        "konverte",
        "contacts.get",
        "--input",
        "-",
        "--dry-run",
    ]);
    let out = run_with_stdin(
        cmd,
        "{\"account_id\":1,\"contact_id\":1}\n{\"account_id\":1}\n",
    )
    .await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("error: item 1:"), "{err}");
    assert!(!err.contains("ok 1, failed 1"), "no summary with -q: {err}");
}

/// `connector` with piped stdin/stdout/stderr, for tests that talk to it while it runs.
fn spawn(home: &std::path::Path, base_url: &str, args: &[&str]) -> std::process::Child {
    use std::process::Stdio;
    std::process::Command::new(assert_cmd::cargo::cargo_bin("connector"))
        .env_clear()
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("NO_COLOR", "1")
        .env("KONVERTE_BASE_URL", base_url)
        .env("KONVERTE_API_TOKEN", TOKEN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("connector starts")
}

/// Waits up to 10 s for the child to exit; its exit code, or -1 (killed or hung).
fn wait_exit(child: &mut std::process::Child) -> i32 {
    for _ in 0..100 {
        if let Ok(Some(status)) = child.try_wait() {
            return status.code().unwrap_or(-1);
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = child.kill();
    -1
}

/// One line from a reader, on a helper thread, within `secs` seconds.
fn line_within<R: std::io::BufRead + Send + 'static>(
    mut reader: R,
    secs: u64,
) -> (Option<String>, std::sync::mpsc::Receiver<R>) {
    let (line_tx, line_rx) = std::sync::mpsc::channel();
    let (back_tx, back_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = reader.read_line(&mut line);
        let _ = line_tx.send(line);
        let _ = back_tx.send(reader);
    });
    let line = line_rx
        .recv_timeout(std::time::Duration::from_secs(secs))
        .ok();
    (line, back_rx)
}

#[tokio::test(flavor = "multi_thread")]
async fn outcomes_show_as_they_arrive_and_a_signal_lets_in_flight_items_finish() {
    use std::io::{BufReader, Read, Write};
    let server = MockServer::start().await;
    Mock::given(path("/api/v1/accounts/1/contacts/1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 1})))
        .mount(&server)
        .await;
    Mock::given(path_regex(r"^/api/v1/accounts/1/contacts/[23]$"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "slow"}))
                .set_delay(std::time::Duration::from_millis(1500)),
        )
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    for (signal, expected) in [("-INT", 130), ("-TERM", 143)] {
        let mut child = spawn(
            home.path(),
            &server.uri(),
            &[
                "run",
                "konverte",
                "contacts.get",
                "--input",
                "-",
                "--concurrency",
                "4",
            ],
        );
        let mut stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut stderr = child.stderr.take().unwrap();
        let server_uri = server.uri();
        let before = server.received_requests().await.unwrap().len();
        let (first, rest, code, err) = tokio::task::spawn_blocking(move || {
            // The input stays open: the first outcome must not wait for its end.
            stdin
                .write_all(b"{\"account_id\":1,\"contact_id\":1}\n")
                .unwrap();
            stdin.flush().unwrap();
            let (first, stdout) = line_within(stdout, 10);
            stdin
                .write_all(
                    b"{\"account_id\":1,\"contact_id\":2}\n{\"account_id\":1,\"contact_id\":3}\n",
                )
                .unwrap();
            stdin.flush().unwrap();
            std::thread::sleep(std::time::Duration::from_millis(700));
            let _ = std::process::Command::new("kill")
                .args([signal, &child.id().to_string()])
                .status();
            // More input once the signal is handled is not read.
            std::thread::sleep(std::time::Duration::from_millis(300));
            let _ = stdin.write_all(b"{\"account_id\":1,\"contact_id\":4}\n");
            let code = wait_exit(&mut child);
            let mut rest = String::new();
            if let Ok(mut stdout) = stdout.recv_timeout(std::time::Duration::from_secs(5)) {
                let _ = stdout.read_to_string(&mut rest);
            }
            let mut err = String::new();
            let _ = stderr.read_to_string(&mut err);
            drop(stdin);
            (first, rest, code, err)
        })
        .await
        .unwrap();
        let first =
            first.unwrap_or_else(|| panic!("no outcome while the input is open ({server_uri})"));
        assert!(first.contains("\"index\":0"), "{first}");
        assert_eq!(code, expected, "{signal}: {err}");
        let rest: Vec<&str> = rest.lines().collect();
        assert_eq!(rest.len(), 2, "the two in flight finish: {rest:?} {err}");
        assert!(rest.iter().all(|l| l.contains("\"ok\":true")), "{rest:?}");
        assert!(err.contains("ok 3, failed 0, skipped 0"), "{err}");
        let sent = server.received_requests().await.unwrap().len() - before;
        assert_eq!(sent, 3, "nothing after the signal is sent");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_batch_cut_short_by_a_closed_stdout_fails_but_a_list_does_not() {
    use std::io::{BufRead, BufReader, Write};
    let server = MockServer::start().await;
    Mock::given(path_regex(r"^/api/v1/accounts/1/contacts/\d+$"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": 1}))
                .set_delay(std::time::Duration::from_millis(100)),
        )
        .mount(&server)
        .await;
    let items: Vec<_> = (0..3000)
        .map(|i| json!({"id": i, "name": "x".repeat(40)}))
        .collect();
    Mock::given(path("/api/v1/accounts/1/contacts"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"meta": {"count": 3000}, "payload": items})),
        )
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let uri = server.uri();
    let (batch_code, list_code) = tokio::task::spawn_blocking(move || {
        let mut batch = spawn(
            home.path(),
            &uri,
            &[
                "run",
                "konverte",
                "contacts.get",
                "--input",
                "-",
                "--concurrency",
                "1",
            ],
        );
        let mut stdin = batch.stdin.take().unwrap();
        for id in 1..=20 {
            writeln!(stdin, "{{\"account_id\":1,\"contact_id\":{id}}}").unwrap();
        }
        drop(stdin);
        let mut stdout = BufReader::new(batch.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        drop(stdout);
        let batch_code = wait_exit(&mut batch);

        let mut list = spawn(
            home.path(),
            &uri,
            &["konverte", "contacts", "list", "--account_id", "1", "--all"],
        );
        let mut stdout = BufReader::new(list.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        drop(stdout);
        (batch_code, wait_exit(&mut list))
    })
    .await
    .unwrap();
    assert_eq!(batch_code, 1, "a batch whose outcomes were not all written");
    assert_eq!(list_code, 0, "`--all | head` is fine");
}
