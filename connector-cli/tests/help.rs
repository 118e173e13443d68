//! The generated command tree: help at every level, `actions`, completions, version.

mod common;

use common::{code, connector, stderr, stdout};
use serde_json::Value;

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

#[test]
fn verb_help_shows_flags_types_required_marks_and_the_request_line() {
    let text = help(&["konverte", "users", "update", "--help"]);
    assert!(text.contains("PATCH /platform/api/v1/users/{id}"), "{text}");
    assert!(text.contains("--id <INT>"), "{text}");
    assert!(text.contains("--email <EMAIL>"), "{text}");
    assert!(text.contains("--password <PASSWORD|@FILE>"), "{text}");
    assert!(text.contains("--custom_attributes <JSON|@FILE>"), "{text}");
    let id_line = text.lines().find(|l| l.contains("--id <INT>")).unwrap();
    assert!(id_line.contains("[required]"), "{id_line}");
    let name_line = text.lines().find(|l| l.contains("--name <TEXT>")).unwrap();
    assert!(!name_line.contains("[required]"), "{name_line}");
    // Request options are there too.
    for flag in ["--timeout", "--proxy", "--dry-run", "--rate-limit"] {
        assert!(text.contains(flag), "{flag} missing:\n{text}");
    }
}

#[test]
fn enum_values_are_listed_and_enforced() {
    let text = help(&["konverte", "conversations", "toggle_status", "--help"]);
    assert!(
        text.contains(
            "POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/toggle_status"
        ),
        "{text}"
    );
    assert!(
        text.contains("open") && text.contains("resolved") && text.contains("pending"),
        "{text}"
    );

    let home = tempfile::tempdir().unwrap();
    // The core checks the word, before anything is sent (nothing listens on port 9).
    let out = connector(home.path())
        .env("KONVERTE_BASE_URL", "http://127.0.0.1:9")
        .env("KONVERTE_API_TOKEN", "unused")
        .args([
            "konverte",
            "conversations",
            "toggle_status",
            "--account_id",
            "1",
            "--conversation_id",
            "2",
            "--status",
            "closed",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(
        err.contains("invalid `status`") && err.contains("is not one of"),
        "{err}"
    );
}

#[test]
fn moco_verb_help() {
    let text = help(&["moco", "activities", "create", "--help"]);
    assert!(text.contains("POST /activities"), "{text}");
    assert!(text.contains("--date <DATE>"), "{text}");
    assert!(text.contains("--impersonate <USER_ID>"), "{text}");
    let text = help(&["moco", "projects", "list", "--help"]);
    assert!(
        text.contains("GET /projects") && text.contains("--all"),
        "{text}"
    );
}

#[test]
fn backend_help_lists_resources_with_counts_and_resource_help_lists_verbs() {
    let text = help(&["konverte", "--help"]);
    let count = connector_konverte::ACTIONS.len();
    assert!(count >= 250, "{count}");
    assert!(text.contains(&format!("{count} actions in")), "{text}");
    let users = text
        .lines()
        .find(|l| l.trim_start().starts_with("users "))
        .unwrap();
    assert!(users.contains("6 actions"), "{users}");
    let text = help(&["konverte", "users", "--help"]);
    assert!(
        text.contains("update") && text.contains("Change a platform user's name"),
        "{text}"
    );
    let text = help(&["moco", "--help"]);
    assert!(
        text.contains("webhooks") && text.contains("web_hooks"),
        "{text}"
    );
    let text = help(&["moco", "webhooks", "--help"]);
    for verb in ["listen", "verify", "ensure"] {
        assert!(text.contains(verb), "{text}");
    }
}

#[test]
fn root_help_documents_exit_codes_and_version_works() {
    let text = help(&["--help"]);
    assert!(text.contains("Exit codes"), "{text}");
    assert!(text.contains("  2  usage or validation error"), "{text}");
    for cmd in [
        "konverte",
        "moco",
        "run",
        "actions",
        "sandbox",
        "completions",
    ] {
        assert!(text.contains(cmd), "{cmd}: {text}");
    }
    let text = help(&["--version"]);
    assert!(text.starts_with("connector "), "{text}");
}

#[test]
fn actions_lists_every_action_as_table_and_json() {
    let text = help(&["actions", "moco"]);
    assert!(
        text.contains("projects.create") && text.contains("POST") && text.contains("/projects"),
        "{text}"
    );
    assert!(!text.contains("users.login_link"), "only moco: {text}");

    let json: Value = serde_json::from_str(&help(&["actions", "--json"])).unwrap();
    let list = json.as_array().unwrap();
    assert_eq!(
        list.len(),
        connector_konverte::ACTIONS.len() + connector_moco_count(list)
    );
    let update = list
        .iter()
        .find(|a| a["backend"] == "konverte" && a["id"] == "users.update")
        .unwrap();
    assert_eq!(update["method"], "PATCH");
    assert_eq!(update["resource"], "users");
    assert_eq!(update["path"], "/platform/api/v1/users/{id}");
    assert!(update["summary"].as_str().unwrap().len() > 5);
    let id = update["params"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "id")
        .unwrap();
    assert_eq!(id["in"], "path");
    assert_eq!(id["required"], true);
    assert_eq!(id["type"], "integer");
}

fn connector_moco_count(list: &[Value]) -> usize {
    list.iter().filter(|a| a["backend"] == "moco").count()
}

#[test]
fn completions_are_small_scripts_and_the_binary_answers_them() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let text = help(&["completions", shell]);
        assert!(text.len() < 100_000, "{shell}: {} bytes", text.len());
        assert!(text.contains("COMPLETE"), "{shell}: {text}");
    }
    // What the registered function asks at a TAB: the tree's words, with deferred flags.
    let home = tempfile::tempdir().unwrap();
    let ask = |index: &str, words: &[&str]| {
        let out = connector(home.path())
            .env("COMPLETE", "bash")
            .env("_CLAP_IFS", "\n")
            .env("_CLAP_COMPLETE_INDEX", index)
            .env("_CLAP_COMPLETE_COMP_TYPE", "9")
            .env("_CLAP_COMPLETE_SPACE", "true")
            .arg("--")
            .args(words)
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{words:?}: {}", stderr(&out));
        stdout(&out)
    };
    let words = ask("2", &["connector", "konverte", "conv"]);
    assert!(words.lines().any(|w| w == "conversations"), "{words}");
    let words = ask("4", &["connector", "konverte", "contacts", "get", "--tim"]);
    assert!(words.lines().any(|w| w == "--timeout"), "{words}");
    let words = ask(
        "5",
        &[
            "connector",
            "konverte",
            "conversations",
            "toggle_status",
            "--status",
            "",
        ],
    );
    assert!(words.lines().any(|w| w == "resolved"), "{words}");
}

#[test]
fn usage_errors_exit_2() {
    let home = tempfile::tempdir().unwrap();
    for args in [
        vec!["konverte", "users", "update", "--nope", "1"],
        vec!["konverte", "nope"],
        vec!["run", "konverte"],
        vec!["konverte", "users", "get", "--id", "1", "--timeout", "soon"],
    ] {
        let out = connector(home.path()).args(&args).output().unwrap();
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).is_empty(), "{args:?}");
    }
}

#[test]
fn completions_to_a_closed_pipe_succeed() {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("connector"))
        .args(["completions", "zsh"])
        .env_clear()
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    assert!(!first.is_empty(), "{first}");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}

#[test]
fn help_texts_say_what_happens() {
    let root = help(&["--help"]);
    assert!(
        root.contains("422 included") && root.contains("found before sending"),
        "{root}"
    );
    assert!(root.contains("130"), "{root}");
    let run = help(&["run", "--help"]);
    assert!(
        run.contains("one call, whose response is printed as is"),
        "{run}"
    );
    let sandbox = help(&["sandbox", "--help"]);
    assert!(
        sandbox.contains("connector sandbox > sandbox.env &") && !sandbox.contains("eval"),
        "{sandbox}"
    );
    let ensure = help(&["moco", "webhooks", "ensure", "--help"]);
    assert!(
        !ensure.contains("update") && ensure.contains("reused") && ensure.contains("--dry-run"),
        "{ensure}"
    );
    let quiet = help(&["konverte", "profile", "get", "--help"]);
    assert!(quiet.contains("per-item errors"), "{quiet}");
}

#[test]
fn webhook_helpers_take_only_the_flags_that_apply() {
    let listen = help(&["moco", "webhooks", "listen", "--help"]);
    let verify = help(&["moco", "webhooks", "verify", "--help"]);
    for text in [&listen, &verify] {
        for flag in [
            "--timeout",
            "--dry-run",
            "--output",
            "--base-url",
            "--concurrency",
        ] {
            assert!(!text.contains(flag), "{flag}: {text}");
        }
    }
    let ensure = help(&["moco", "webhooks", "ensure", "--help"]);
    for flag in [
        "--concurrency",
        "--batch-size",
        "--all",
        "--limit",
        "--continue-on-fail",
    ] {
        assert!(!ensure.contains(flag), "{flag}: {ensure}");
    }
    for flag in ["--dry-run", "--timeout", "--base-url", "--rate-limit"] {
        assert!(ensure.contains(flag), "{flag}: {ensure}");
    }

    let home = tempfile::tempdir().unwrap();
    for args in [
        vec![
            "moco",
            "webhooks",
            "listen",
            "--port",
            "0",
            "--timeout",
            "5s",
        ],
        vec!["moco", "webhooks", "listen", "--port", "0", "--dry-run"],
        vec![
            "moco",
            "webhooks",
            "verify",
            "--signature",
            "x",
            "--output",
            "json",
        ],
        vec![
            "moco",
            "webhooks",
            "verify",
            "--signature",
            "x",
            "--dry-run",
        ],
        vec![
            "moco",
            "webhooks",
            "ensure",
            "--target",
            "Activity",
            "--event",
            "create",
            "--url",
            "http://x",
            "--concurrency",
            "3",
        ],
        vec![
            "moco", "webhooks", "ensure", "--target", "Activity", "--event", "create", "--url",
            "http://x", "--all",
        ],
    ] {
        let out = connector(home.path())
            .env("MOCO_WEBHOOK_SECRET", "s3cret-value")
            .args(&args)
            .timeout(std::time::Duration::from_secs(10))
            .output()
            .unwrap();
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
    }
}
