//! A batch's outcome lines name their input (`line`, `--key`), and `--retry-failed`
//! runs again only what failed or was skipped.

mod common;

use common::*;
use serde_json::json;
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Contacts whose name is `Bad` are refused with 422; the rest are created.
async fn contacts_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/accounts/1/contacts"))
        .and(body_partial_json(json!({"name": "Bad"})))
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({"message": "refused"})))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/accounts/1/contacts"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"payload": {"contact": {"id": 9}}})),
        )
        .with_priority(2)
        .mount(&server)
        .await;
    server
}

const INPUT: &str = concat!(
    "{\"account_id\":1,\"name\":\"Ada\",\"email\":\"ada@x.example\"}\n",
    "\n",
    "{\"account_id\":1,\"name\":\"Bad\",\"email\":\"bad@x.example\"}\n",
    "not json\n",
    "{\"account_id\":1,\"name\":\"Cy\",\"email\":\"cy@x.example\"}\n",
);

#[tokio::test(flavor = "multi_thread")]
async fn outcome_lines_carry_the_input_line_and_key_and_failures_can_be_retried() {
    let server = contacts_server().await;
    let home = tempfile::tempdir().unwrap();
    let input = home.path().join("contacts.jsonl");
    std::fs::write(&input, INPUT).unwrap();
    let at_input = format!("@{}", input.display());
    let mut cmd = konverte(home.path(), &server.uri());
    cmd.args(["run", "konverte", "contacts.create", "--input", &at_input])
        .args(["--continue-on-fail", "--key", "email"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let l = lines(&out);
    assert_eq!(l.len(), 4, "{l:?}");
    let numbers: Vec<u64> = l.iter().map(|o| o["line"].as_u64().unwrap()).collect();
    assert_eq!(numbers, [1, 3, 4, 5], "blank lines are counted: {l:?}");
    assert_eq!(l[0]["key"], "ada@x.example");
    assert_eq!(l[1]["key"], "bad@x.example");
    assert_eq!(l[1]["ok"], false);
    assert_eq!(
        l[2]["key"],
        json!(null),
        "a line that is no object has no key"
    );
    assert_eq!(l[3]["ok"], true);

    let outcomes = home.path().join("outcomes.jsonl");
    std::fs::write(&outcomes, &out.stdout).unwrap();
    let before = server.received_requests().await.unwrap().len();
    let mut cmd = konverte(home.path(), &server.uri());
    cmd.args(["run", "konverte", "contacts.create", "--input", &at_input])
        .args(["--continue-on-fail", "--retry-failed"])
        .arg(&outcomes);
    let out = run(cmd).await;
    let l = lines(&out);
    let numbers: Vec<u64> = l.iter().map(|o| o["line"].as_u64().unwrap()).collect();
    assert_eq!(numbers, [3, 4], "only the failed inputs again: {l:?}");
    let sent = server.received_requests().await.unwrap().len() - before;
    assert_eq!(sent, 1, "the line that is not JSON sends nothing");
}

#[test]
fn retry_failed_needs_outcomes_with_lines() {
    let home = tempfile::tempdir().unwrap();
    let outcomes = home.path().join("old.jsonl");
    std::fs::write(&outcomes, "{\"index\":0,\"ok\":false,\"skipped\":true}\n").unwrap();
    let out = konverte(home.path(), &format!("http://127.0.0.1:{}", closed_port()))
        .args([
            "run",
            "konverte",
            "contacts.create",
            "--input",
            "[{}]",
            "--retry-failed",
        ])
        .arg(&outcomes)
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("no `line`"), "{}", stderr(&out));
}
