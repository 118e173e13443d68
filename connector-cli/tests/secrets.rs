//! The token never shows: not on success, failure, dry run, -vv, bad input or 401.

mod common;

use common::*;
use serde_json::json;
use wiremock::matchers::{header, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test(flavor = "multi_thread")]
async fn the_token_never_appears_in_any_output() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v1/profile"))
        .and(header("Api-Access-Token", TOKEN))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": 1, "name": "Ada", "access_token": TOKEN})),
        )
        .mount(&server)
        .await;
    Mock::given(path("/api/v1/accounts/1/contacts/500"))
        .respond_with(ResponseTemplate::new(500).set_body_string("internal error"))
        .mount(&server)
        .await;
    Mock::given(path("/api/v1/accounts/1/contacts/401"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({"error": "Invalid Access Token"})),
        )
        .mount(&server)
        .await;
    Mock::given(path("/platform/api/v1/users/3"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 3})))
        .mount(&server)
        .await;
    let moco_base = format!("{}/api/v1", server.uri());
    Mock::given(path("/api/v1/session"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"message": "unauthorized"})))
        .mount(&server)
        .await;

    let home = tempfile::tempdir().unwrap();
    let token_file = home.path().join("token");
    std::fs::write(&token_file, format!("{TOKEN}\n")).unwrap();
    let token_file = token_file.display().to_string();
    let uri = server.uri();

    let cases: Vec<(Vec<&str>, Option<&str>)> = vec![
        (vec!["konverte", "profile", "get"], None),
        (vec!["-vv", "konverte", "profile", "get"], None),
        (
            vec!["-vvv", "konverte", "profile", "get", "--output", "table"],
            None,
        ),
        (
            vec![
                "konverte",
                "contacts",
                "get",
                "--account_id",
                "1",
                "--contact_id",
                "500",
                "--retries",
                "1",
            ],
            None,
        ),
        (
            vec![
                "-vv",
                "konverte",
                "contacts",
                "get",
                "--account_id",
                "1",
                "--contact_id",
                "401",
            ],
            None,
        ),
        (
            vec![
                "konverte",
                "contacts",
                "get",
                "--account_id",
                "1",
                "--contact_id",
                "x/y",
                "-vv",
            ],
            None,
        ),
        (vec!["-vv", "konverte", "profile", "get", "--dry-run"], None),
        (
            vec![
                "konverte",
                "users",
                "update",
                "--id",
                "3",
                "--password",
                "weak",
                "-vv",
            ],
            None,
        ),
        (
            vec![
                "-vv",
                "konverte",
                "users",
                "get",
                "--id",
                "3",
                "--token-file",
                &token_file,
            ],
            None,
        ),
        (
            vec![
                "-vv",
                "run",
                "konverte",
                "contacts.get",
                "--input",
                "-",
                "--continue-on-fail",
                "--retries",
                "0",
            ],
            Some(
                "{\"account_id\":1,\"contact_id\":401}\nnot json\n{\"account_id\":1,\"contact_id\":500}\n{\"account_id\":1,\"contact_id\":\"a/b\"}\n",
            ),
        ),
        (
            vec![
                "-vv",
                "run",
                "konverte",
                "contacts.get",
                "--input",
                "-",
                "--dry-run",
            ],
            Some("{\"account_id\":1,\"contact_id\":1}\n"),
        ),
        (
            vec![
                "-vv",
                "moco",
                "session",
                "get",
                "--rate-limit",
                "off",
                "--base-url",
                &moco_base,
            ],
            None,
        ),
        (
            vec![
                "-vv",
                "moco",
                "session",
                "get",
                "--dry-run",
                "--base-url",
                &moco_base,
                "--impersonate",
                "4",
            ],
            None,
        ),
    ];
    let mut saw_401 = false;
    let mut saw_mask = false;
    for (args, stdin) in cases {
        let mut cmd = konverte(home.path(), &uri);
        cmd.env("KONVERTE_PLATFORM_TOKEN", TOKEN)
            .env("MOCO_API_KEY", TOKEN)
            .args(&args);
        let out = match stdin {
            Some(input) => run_with_stdin(cmd, input).await,
            None => run(cmd).await,
        };
        let text = format!("{}\n{}", stdout(&out), stderr(&out));
        assert!(!text.contains(TOKEN), "{args:?} printed the token:\n{text}");
        assert!(
            !text.contains(&TOKEN[4..20]),
            "{args:?} printed part of the token:\n{text}"
        );
        saw_401 |= text.contains("401");
        saw_mask |= stdout(&out).contains("\"access_token\":\"***\"");
    }
    assert!(saw_401);
    assert!(saw_mask, "the echoed token is masked, not dropped");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_password_on_the_command_line_is_warned_about_and_never_echoed() {
    let home = tempfile::tempdir().unwrap();
    let password = "Inline-Pa55!word";
    let file = home.path().join("password");
    std::fs::write(&file, format!("{password}\n")).unwrap();
    let at_file = format!("@{}", file.display());
    let args = |value: &str, quiet: bool| {
        let mut cmd = konverte(home.path(), "http://127.0.0.1:9");
        cmd.env("KONVERTE_PLATFORM_TOKEN", TOKEN);
        if quiet {
            cmd.arg("-q");
        }
        cmd.args([
            "konverte",
            "users",
            "create",
            "--name",
            "Ada",
            "--email",
            "ada@example.com",
            "--password",
            value,
            "--dry-run",
        ]);
        cmd
    };

    let inline = run(args(password, false)).await;
    assert_eq!(code(&inline), 0, "{}", stderr(&inline));
    assert!(stderr(&inline).contains("--password on the command line is visible"));
    let from_file = run(args(&at_file, false)).await;
    assert_eq!(code(&from_file), 0);
    assert!(
        !stderr(&from_file).contains("visible"),
        "{}",
        stderr(&from_file)
    );
    let quiet = run(args(password, true)).await;
    assert!(!stderr(&quiet).contains("visible"));
    for o in [&inline, &from_file, &quiet] {
        assert!(!stdout(o).contains(password) && !stderr(o).contains(password));
        assert!(stdout(o).contains("\"password\":\"***\""), "{}", stdout(o));
    }
}

/// The redactor travels with each command's output: `api`, `auth status` and a `--jq`
/// error each mask the credentials they were given, wherever a server echoes them.
#[tokio::test(flavor = "multi_thread")]
async fn every_command_masks_the_credentials_it_holds() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v1/profile"))
        .and(header("Api-Access-Token", TOKEN))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": 1, "name": "Ada", "access_token": TOKEN})),
        )
        .mount(&server)
        .await;
    // Any other token is refused, the refusal quoting it (as some servers do).
    Mock::given(path("/api/v1/profile"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"error": format!("invalid token {OTHER}")})),
        )
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let uri = server.uri();
    let cases: Vec<(&str, Vec<&str>)> = vec![
        (TOKEN, vec!["api", "konverte", "GET", "/api/v1/profile"]),
        (
            TOKEN,
            vec!["konverte", "profile", "get", "--jq", ".access_token + 1"],
        ),
        (
            TOKEN,
            vec![
                "konverte",
                "profile",
                "get",
                "-o",
                "csv",
                "--fields",
                "access_token",
            ],
        ),
        (OTHER, vec!["auth", "status", "konverte"]),
    ];
    for (token, args) in cases {
        let mut cmd = connector(home.path());
        cmd.env("KONVERTE_BASE_URL", &uri)
            .env("KONVERTE_API_TOKEN", token)
            .args(&args);
        let out = run(cmd).await;
        let text = format!("{}\n{}", stdout(&out), stderr(&out));
        assert!(!text.contains(token), "{args:?} printed the token:\n{text}");
        assert!(text.contains("***"), "{args:?} masked nothing:\n{text}");
    }
}

const OTHER: &str = "other-DISTINCTIVE-4e1b-never-print";
