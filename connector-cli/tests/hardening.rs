//! Inputs and answers that used to slip through, at a real local server: URLs too long
//! for the transport, blank and control-character path ids, over-long JSON Lines,
//! unusable next links, clearing fields, undeclared fields and words (`--lenient`), and
//! control characters in messages.

mod common;

use common::*;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A server that must receive nothing.
async fn untouchable() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(0)
        .mount(&server)
        .await;
    server
}

fn moco_run(home: &std::path::Path, server: &MockServer, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = moco(home, &format!("{}/api/v1", server.uri()));
    cmd.arg("run")
        .arg("moco")
        .args(args)
        .args(["--rate-limit", "off"]);
    cmd
}

async fn bodies(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap_or(Value::Null))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_url_too_long_for_the_transport_is_a_validation_error_naming_the_field() {
    let server = untouchable().await;
    let home = tempfile::tempdir().unwrap();
    let input = json!({"sort_by": "x".repeat(70_000)}).to_string();
    for dry_run in [false, true] {
        let mut cmd = moco_run(
            home.path(),
            &server,
            &["activities.list", "--input", &input],
        );
        if dry_run {
            cmd.arg("--dry-run");
        }
        let out = run(cmd).await;
        assert_eq!(code(&out), 2, "dry run {dry_run}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("invalid `sort_by`") && err.contains("URL"),
            "{err}"
        );
    }
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn blank_and_control_character_path_ids_are_refused_before_sending() {
    let server = untouchable().await;
    let home = tempfile::tempdir().unwrap();
    for id in [" ", "   ", "\t", "a\u{0}b", "line\nbreak", "x\u{1b}y"] {
        let input = json!({"inbox_identifier": id, "name": "Ada"}).to_string();
        let mut cmd = konverte(home.path(), &server.uri());
        cmd.args(["run", "konverte", "contacts_api.create", "--input", &input]);
        let out = run(cmd).await;
        assert_eq!(code(&out), 2, "{id:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("invalid `inbox_identifier`"),
            "{id:?}: {}",
            stderr(&out)
        );
    }
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_json_line_past_the_limit_is_its_items_error_and_the_batch_goes_on() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/activities"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 1})))
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let item =
        |d: &str| json!({"date": "2026-01-05", "project_id": 1, "task_id": 2, "description": d});
    let file = home.path().join("items.jsonl");
    let text = format!(
        "{}\n{}\n{}\n",
        item("short"),
        item(&"x".repeat(10_000)),
        item("also short")
    );
    std::fs::write(&file, text).unwrap();
    let input = format!("@{}", file.display());
    let mut cmd = moco_run(
        home.path(),
        &server,
        &[
            "activities.create",
            "--input",
            &input,
            "--max-line-size",
            "1K",
            "--continue-on-fail",
        ],
    );
    cmd.arg("-q");
    let out = run(cmd).await;
    let outcomes = lines(&out);
    assert_eq!(outcomes.len(), 3, "{}", stdout(&out));
    assert_eq!(outcomes[0]["ok"], true);
    assert_eq!(outcomes[1]["ok"], false);
    assert!(
        outcomes[1]["error"].to_string().contains("limit of 1 KiB"),
        "{}",
        outcomes[1]
    );
    assert_eq!(outcomes[2]["ok"], true);
    assert_eq!(code(&out), 2, "only a refusal before sending failed");
    assert_eq!(bodies(&server).await.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unusable_next_link_prints_what_came_then_fails_saying_the_list_is_incomplete() {
    for link in [
        r#"<file:///etc/passwd>; rel="next""#,
        r#"<http://[::1>; rel="next""#,
    ] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/api/v1/activities"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("Link", link)
                    .set_body_json(json!([{"id": 1}, {"id": 2}])),
            )
            .mount(&server)
            .await;
        let home = tempfile::tempdir().unwrap();
        let mut cmd = moco(home.path(), &format!("{}/api/v1", server.uri()));
        cmd.args(["moco", "activities", "list", "--all", "--rate-limit", "off"]);
        let out = run(cmd).await;
        assert_eq!(code(&out), 1, "{link}: {}", stderr(&out));
        let items = lines(&out);
        assert_eq!(items, vec![json!({"id": 1}), json!({"id": 2})], "{link}");
        let err = stderr(&out);
        assert!(
            err.contains("the list is incomplete (2 items printed)"),
            "{link}: {err}"
        );
        assert_eq!(server.received_requests().await.unwrap().len(), 1);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn clearing_with_empty_text_or_null_is_sent_as_given() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let input = json!({
        "id": 7, "finish_date": "", "billing_variant": "", "fixed_price": "",
        "hourly_rate": "", "co_leader_id": null, "info": null
    })
    .to_string();
    let out = run(moco_run(
        home.path(),
        &server,
        &["projects.update", "--input", &input],
    ))
    .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let input = json!({"project_id": "", "from": "", "billable": "", "user_id": null}).to_string();
    let out = run(moco_run(
        home.path(),
        &server,
        &["activities.list", "--input", &input],
    ))
    .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    let requests = server.received_requests().await.unwrap();
    let body: Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(
        body,
        json!({"finish_date": "", "billing_variant": "", "fixed_price": "",
               "hourly_rate": "", "co_leader_id": null, "info": null})
    );
    assert_eq!(
        requests[1].url.query(),
        Some("from=&project_id=&billable="),
        "{}",
        requests[1].url
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn lenient_sends_undeclared_fields_and_words_with_one_warning_each_and_typos_are_caught_without_it()
 {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/companies"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 3})))
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let company = json!({"name": "Acme", "type": "partner", "x_rating": 5});
    let file = home.path().join("companies.jsonl");
    std::fs::write(&file, format!("{company}\n{company}\n")).unwrap();
    let input = format!("@{}", file.display());

    // Not lenient: refused, nothing sent; a typo gets a suggestion.
    let out = run(moco_run(
        home.path(),
        &server,
        &["companies.create", "--input", &company.to_string()],
    ))
    .await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let typo = json!({"nmae": "Acme", "type": "customer"}).to_string();
    let out = run(moco_run(
        home.path(),
        &server,
        &["companies.create", "--input", &typo],
    ))
    .await;
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("invalid `nmae`") && stderr(&out).contains("did you mean `name`?"),
        "{}",
        stderr(&out)
    );
    let out = run(moco_run(
        home.path(),
        &server,
        &[
            "companies.create",
            "--input",
            r#"{"name":"Acme","type":"custmer"}"#,
        ],
    ))
    .await;
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("did you mean \"customer\"?"),
        "{}",
        stderr(&out)
    );
    assert!(server.received_requests().await.unwrap().is_empty());

    // Lenient: both items sent as given, one warning per unknown thing for the batch.
    let out = run(moco_run(
        home.path(),
        &server,
        &["companies.create", "--input", &input, "--lenient"],
    ))
    .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(
        err.matches("`x_rating` is not a declared field").count(),
        1,
        "{err}"
    );
    assert_eq!(
        err.matches("\"partner\" is not a declared value of `type`")
            .count(),
        1,
        "{err}"
    );
    assert_eq!(bodies(&server).await, vec![company.clone(), company]);

    // The generated command takes an undeclared word with --lenient too.
    let mut cmd = moco(home.path(), &format!("{}/api/v1", server.uri()));
    cmd.args([
        "moco",
        "companies",
        "create",
        "--name",
        "B",
        "--type",
        "partner",
        "--lenient",
        "--rate-limit",
        "off",
    ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("\"partner\""), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn control_characters_from_the_server_are_escaped_in_messages() {
    let server = MockServer::start().await;
    let message = "bad \u{1b}]0;owned\u{7} value\r\nok 100, failed 0 \u{9b}2J";
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({"message": message})))
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let mut cmd = moco(home.path(), &format!("{}/api/v1", server.uri()));
    cmd.args(["moco", "activities", "list", "--rate-limit", "off"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    for raw in ['\u{1b}', '\u{7}', '\r', '\u{9b}'] {
        assert!(!err.contains(raw), "{raw:?} reached the terminal: {err:?}");
    }
    assert!(err.contains("\\u{1b}]0;owned\\u{7}"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "no forged line: {err}");
}
