//! Habits of the command line: kebab-case flags, positional ids, "did you mean", flags
//! offered only where they act, deletes announced, errors naming host and attempts.

mod common;

use common::{closed_port, code, connector, konverte, moco, run, stderr, stdout};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn help(args: &[&str]) -> String {
    let home = tempfile::tempdir().unwrap();
    let out = connector(home.path())
        .env("COLUMNS", "200")
        .args(args)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
    stdout(&out)
}

#[tokio::test(flavor = "multi_thread")]
async fn kebab_case_flags_and_a_positional_id_reach_the_same_request() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/accounts/1/contacts/5"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"payload": {"id": 5}})))
        .expect(3)
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    for args in [
        vec![
            "konverte",
            "contacts",
            "get",
            "--account_id",
            "1",
            "--contact_id",
            "5",
        ],
        vec![
            "konverte",
            "contacts",
            "get",
            "--account-id",
            "1",
            "--contact-id",
            "5",
        ],
        vec!["konverte", "contacts", "get", "5", "--account-id", "1"],
    ] {
        let mut cmd = konverte(home.path(), &server.uri());
        cmd.args(&args);
        let out = run(cmd).await;
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).contains("\"id\":5"), "{}", stdout(&out));
    }
}

#[test]
fn a_positional_id_and_its_flag_together_are_refused() {
    let home = tempfile::tempdir().unwrap();
    let out = konverte(home.path(), &format!("http://127.0.0.1:{}", closed_port()))
        .args([
            "konverte",
            "contacts",
            "get",
            "5",
            "--contact_id",
            "6",
            "--account_id",
            "1",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot be used with"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn help_shows_each_flag_once_with_its_kebab_alias() {
    let text = help(&["konverte", "contacts", "get", "--help"]);
    assert_eq!(text.matches("--account_id <INT>").count(), 1, "{text}");
    // The alias is a note on the flag's own line, not a second entry.
    let lines: Vec<&str> = text.lines().filter(|l| l.contains("account-id")).collect();
    assert_eq!(lines.len(), 1, "{text}");
    assert!(lines[0].contains("--account_id <INT>"), "{text}");
    assert!(lines[0].contains("[alias: --account-id]"), "{text}");
    assert!(text.contains("[ID]"), "{text}");
}

#[test]
fn list_flags_only_on_lists_and_batch_flags_only_where_input_can_be_many() {
    let get = help(&["konverte", "contacts", "get", "--help"]);
    let list = help(&["konverte", "contacts", "list", "--help"]);
    let run = help(&["run", "--help"]);
    for flag in [
        "--all",
        "--limit",
        "--concurrency",
        "--batch-size",
        "--continue-on-fail",
    ] {
        assert!(!get.contains(flag), "{flag} on get: {get}");
        assert!(run.contains(flag), "{flag} missing on run: {run}");
    }
    for flag in ["--all", "--limit"] {
        assert!(list.contains(flag), "{flag} missing on list: {list}");
    }
    assert!(!list.contains("--concurrency"), "{list}");
    let home = tempfile::tempdir().unwrap();
    let out = connector(home.path())
        .args([
            "konverte",
            "contacts",
            "get",
            "5",
            "--account_id",
            "1",
            "--all",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}

#[test]
fn unknown_action_ids_and_resources_get_a_suggestion() {
    let home = tempfile::tempdir().unwrap();
    let out = connector(home.path())
        .args(["run", "moco", "projects.gett"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("did you mean `projects.get`?"),
        "{}",
        stderr(&out)
    );
    let out = connector(home.path())
        .args(["run", "moco", "zzzzzz"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(!stderr(&out).contains("did you mean"), "{}", stderr(&out));
    let out = connector(home.path())
        .args(["konverte", "contactz", "list"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("'contacts'"), "{}", stderr(&out));
    let out = connector(home.path())
        .args(["konverte", "contacts", "lst"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("'list'"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_says_what_it_deleted_and_never_asks_without_a_terminal() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/api/v1/accounts/1/contacts/5"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let mut cmd = konverte(home.path(), &server.uri());
    cmd.args(["konverte", "contacts", "delete", "5", "--account-id", "1"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("deleted contacts account_id=1 contact_id=5"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("[y/N]"), "{}", stderr(&out));
    assert!(help(&["konverte", "contacts", "delete", "--help"]).contains("--yes"));
    assert!(!help(&["konverte", "contacts", "get", "--help"]).contains("--yes"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_connection_names_the_host_and_the_attempts() {
    let port = closed_port();
    let home = tempfile::tempdir().unwrap();
    let mut cmd = moco(home.path(), &format!("http://127.0.0.1:{port}/api/v1"));
    cmd.args(["moco", "projects", "get", "5", "--retries", "2"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "connection refused by 127.0.0.1:{port}, 3 attempts over "
        )),
        "{err}"
    );
    assert!(!err.contains("os error"), "{err}");
}

#[test]
fn a_missing_token_names_the_variable_and_the_profile_key() {
    let home = tempfile::tempdir().unwrap();
    let out = connector(home.path())
        .env("MOCO_SUBDOMAIN", "example")
        .args(["moco", "projects", "get", "5"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("MOCO_API_KEY") && err.contains("token_file"),
        "{err}"
    );
    let out = connector(home.path())
        .env("KONVERTE_BASE_URL", "http://127.0.0.1:9")
        .args(["konverte", "contacts", "get", "5", "--account_id", "1"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("KONVERTE_API_TOKEN") && err.contains("token_file"),
        "{err}"
    );
}
