//! Konverte stories, told through the real `connector` binary against an in-process sandbox:
//! a platform user's life cycle, and contacts imported from JSON Lines and listed across pages.

#[path = "support/mod.rs"]
mod support;

use serde_json::{Value, json};
use support::{Cli, KONVERTE_TOKEN, all_ok, konverte_sandbox, to_json_lines};

/// Create → get → update → two refused updates (nothing sent) → delete → get is a 404.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_platform_user_lives_and_dies() {
    let sandbox = konverte_sandbox().await;
    let cli = Cli::new().konverte(&sandbox);

    let created = cli
        .run(&[
            "konverte",
            "users",
            "create",
            "--name",
            "Ada Lovelace",
            "--email",
            "ada@example.com",
            "--password",
            "Analyt1cal!Engine",
        ])
        .await;
    let user = created.expect_code(0).json();
    let id = user["id"].as_u64().expect("the new user has a numeric id");
    assert_eq!(user["name"], "Ada Lovelace");
    assert_eq!(user["email"], "ada@example.com");
    assert!(
        user.get("password").is_none(),
        "no password in the answer: {user}"
    );
    let id = id.to_string();

    let got = cli.run(&["konverte", "users", "get", "--id", &id]).await;
    let got = got.expect_code(0).json();
    assert_eq!((&got["id"], &got["name"]), (&user["id"], &user["name"]));

    let updated = cli
        .run(&[
            "konverte",
            "users",
            "update",
            "--id",
            &id,
            "--name",
            "Ada King",
            "--custom_attributes",
            r#"{"tier":"gold","seats":3}"#,
        ])
        .await;
    let updated = updated.expect_code(0).json();
    assert_eq!(updated["name"], "Ada King");
    assert_eq!(
        updated["custom_attributes"],
        json!({"tier": "gold", "seats": 3})
    );
    let got = cli.run(&["konverte", "users", "get", "--id", &id]).await;
    let got = got.expect_code(0).json();
    assert_eq!(got["name"], "Ada King", "the update was stored");
    assert_eq!(
        got["custom_attributes"],
        json!({"tier": "gold", "seats": 3})
    );

    // Validation errors: exit 2, the field named, and not one request reaches the server.
    let before = sandbox.stats().requests;
    let weak = cli
        .run(&[
            "konverte",
            "users",
            "update",
            "--id",
            &id,
            "--password",
            "weakpass",
        ])
        .await;
    weak.expect_code(2);
    assert!(
        weak.stdout.trim().is_empty(),
        "no data for a refused item: {weak:?}"
    );
    assert!(
        weak.stderr.contains("password"),
        "the error names the field: {weak:?}"
    );
    let array = cli
        .run(&[
            "konverte",
            "users",
            "update",
            "--id",
            &id,
            "--custom_attributes",
            r#"["tier","gold"]"#,
        ])
        .await;
    array.expect_code(2);
    assert!(
        array.stderr.contains("custom_attributes"),
        "the error names the field: {array:?}"
    );
    assert_eq!(
        sandbox.stats().requests,
        before,
        "nothing was sent for refused input"
    );
    let got = cli.run(&["konverte", "users", "get", "--id", &id]).await;
    let got = got.expect_code(0).json();
    assert_eq!(
        got["custom_attributes"],
        json!({"tier": "gold", "seats": 3}),
        "unchanged"
    );

    cli.run(&["konverte", "users", "delete", "--id", &id])
        .await
        .expect_code(0);
    let gone = cli.run(&["konverte", "users", "get", "--id", &id]).await;
    gone.expect_code(1);
    assert!(
        gone.stdout.trim().is_empty(),
        "no data for a failed call: {gone:?}"
    );
    assert!(
        gone.stderr.contains("404"),
        "the error shows the status: {gone:?}"
    );
    sandbox.shutdown().await;
}

/// 40 contacts from JSON Lines on stdin, then listed back across pages of 15.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forty_contacts_go_in_and_come_back_across_pages() {
    let sandbox = konverte_sandbox().await;
    let cli = Cli::new().konverte(&sandbox);

    let inputs: Vec<Value> = (1..=40)
        .map(|i| {
            json!({"account_id": 1, "inbox_id": 1, "name": format!("Contact {i}"),
                   "email": format!("contact{i}@example.com")})
        })
        .collect();
    let before = sandbox.stats();
    let import = cli
        .run_with_stdin(
            &[
                "run",
                "konverte",
                "contacts.create",
                "--input",
                "-",
                "--concurrency",
                "8",
            ],
            to_json_lines(&inputs),
        )
        .await;
    import.expect_code(0);
    let responses = all_ok(&import, 40);
    for (input, response) in inputs.iter().zip(&responses) {
        assert_eq!(
            response["name"], input["name"],
            "outcome {response} matches its input"
        );
        assert_eq!(response["email"], input["email"]);
    }
    let after = sandbox.stats();
    assert_eq!(after.created - before.created, 40, "{after:?}");
    assert_eq!(
        after.requests - before.requests,
        40,
        "one request per contact: {after:?}"
    );

    let mut imported: Vec<&str> = inputs.iter().filter_map(|c| c["email"].as_str()).collect();
    imported.sort_unstable();

    let before = sandbox.stats().requests;
    let all = cli
        .run(&["konverte", "contacts", "list", "--account_id", "1", "--all"])
        .await;
    let listed = all.expect_code(0).lines();
    assert_eq!(listed.len(), 40, "one line per contact");
    let mut emails: Vec<&str> = listed.iter().filter_map(|c| c["email"].as_str()).collect();
    emails.sort_unstable();
    assert_eq!(emails, imported, "every imported contact, once");
    assert_eq!(
        sandbox.stats().requests - before,
        3,
        "pages of 15: 15 + 15 + 10"
    );

    let before = sandbox.stats().requests;
    let limited = cli
        .run(&[
            "konverte",
            "contacts",
            "list",
            "--account_id",
            "1",
            "--limit",
            "20",
        ])
        .await;
    let limited = limited.expect_code(0).lines();
    assert_eq!(limited.len(), 20);
    assert_eq!(limited[..], listed[..20], "the first 20 of the full list");
    assert_eq!(sandbox.stats().requests - before, 2, "two pages cover 20");

    let before = sandbox.stats().requests;
    let dry = cli
        .run(&[
            "konverte",
            "contacts",
            "list",
            "--account_id",
            "1",
            "--all",
            "--dry-run",
        ])
        .await;
    let request = dry.expect_code(0).json();
    assert_eq!(request["method"], "GET");
    let url = request["url"].as_str().unwrap_or_default();
    assert!(url.starts_with(&sandbox.base_url()), "{request}");
    assert!(url.contains("/api/v1/accounts/1/contacts"), "{request}");
    let headers = request["headers"]
        .as_array()
        .expect("headers as [name, value] pairs");
    assert!(
        headers.contains(&json!(["api-access-token", "***"])),
        "the token is masked: {request}"
    );
    assert!(!dry.stdout.contains(KONVERTE_TOKEN));
    let dry_create = cli
        .run(&[
            "run",
            "konverte",
            "contacts.create",
            "--input",
            r#"{"account_id":1,"inbox_id":1,"name":"Ghost"}"#,
            "--dry-run",
        ])
        .await;
    dry_create.expect_code(0);
    assert!(dry_create.stdout.contains("\"***\"") && dry_create.stdout.contains("Ghost"));
    assert_eq!(sandbox.stats().requests, before, "a dry run sends nothing");
    sandbox.shutdown().await;
}
