//! Output against the sandbox: tables (golden files), csv, jsonl one line per item,
//! `--fields`, `--jq`, `-o ids`, and the defaults from the environment and the profile.

mod common;

use common::*;
use connector_sandbox::{KonverteSandbox, MocoSandbox, SandboxConfig};
use serde_json::Value;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

struct Sandboxes {
    konverte: KonverteSandbox,
    moco: MocoSandbox,
    home: tempfile::TempDir,
}

impl Sandboxes {
    async fn start() -> Sandboxes {
        let config = SandboxConfig {
            konverte_token: TOKEN.into(),
            moco_api_key: TOKEN.into(),
            ..SandboxConfig::default()
        };
        Sandboxes {
            konverte: KonverteSandbox::start(config.clone()).await.unwrap(),
            moco: MocoSandbox::start(config).await.unwrap(),
            home: tempfile::tempdir().unwrap(),
        }
    }

    fn konverte(&self, args: &[&str]) -> assert_cmd::Command {
        let mut cmd = konverte(self.home.path(), &self.konverte.base_url());
        cmd.env("COLUMNS", "72").args(args);
        cmd
    }

    fn moco(&self, args: &[&str]) -> assert_cmd::Command {
        let mut cmd = moco(self.home.path(), &self.moco.base_url());
        cmd.env("COLUMNS", "100").args(args);
        cmd
    }

    /// Two contacts: one whose name carries an escape sequence, one with a long name.
    async fn with_contacts(self) -> Self {
        for (name, email) in [
            ("Ada \u{1b}]0;owned\u{7}\u{1b}[31m", "ada@example.com"),
            (
                "Bartholomew Longname-Worthington the Third of Somewhere Far",
                "bart@example.com",
            ),
        ] {
            let out = run(self.konverte(&[
                "konverte",
                "contacts",
                "create",
                "--account_id",
                "1",
                "--inbox_id",
                "1",
                "--name",
                name,
                "--email",
                email,
            ]))
            .await;
            assert_eq!(code(&out), 0, "{}", stderr(&out));
        }
        self
    }
}

fn contacts_list(extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = ["konverte", "contacts", "list", "--account_id", "1"]
        .map(String::from)
        .to_vec();
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

#[tokio::test]
async fn tables_are_fitted_and_escape_server_text() {
    let s = Sandboxes::start().await.with_contacts().await;
    let args = contacts_list(&["-o", "table", "--fields", "id,name,email"]);
    let out = run(s.konverte(&strs(&args))).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text}"
    );
    for line in text.lines() {
        assert!(line.chars().count() <= 72, "wider than COLUMNS: {line}");
    }
    insta::assert_snapshot!("konverte_contacts_table", text);

    // MOCO users: the columns the manifest declares, a nested one (unit.name) among them.
    let out = run(s.moco(&["moco", "users", "list", "-o", "table"])).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    insta::assert_snapshot!("moco_users_table", stdout(&out));
}

#[tokio::test]
async fn csv_has_a_header_row_and_the_same_columns() {
    let s = Sandboxes::start().await.with_contacts().await;
    let args = contacts_list(&[
        "--all",
        "-o",
        "csv",
        "--fields",
        "id,name,email,additional_attributes.city",
    ]);
    let out = run(s.konverte(&strs(&args))).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    insta::assert_snapshot!("konverte_contacts_csv", stdout(&out));

    let out = run(s.moco(&["moco", "users", "list", "-o", "csv"])).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    insta::assert_snapshot!("moco_users_csv", stdout(&out));
}

#[tokio::test]
async fn jsonl_is_one_line_per_item_with_or_without_all() {
    let s = Sandboxes::start().await.with_contacts().await;
    for extra in [&["-o", "jsonl"][..], &["-o", "jsonl", "--all"][..]] {
        let out = run(s.konverte(&strs(&contacts_list(extra)))).await;
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let items = lines(&out);
        assert!(items.len() >= 2, "{extra:?}: {}", stdout(&out));
        assert!(
            items
                .iter()
                .all(|i| i["id"].is_number() && i.get("payload").is_none()),
            "{extra:?}"
        );
    }
    // --fields keeps the chosen keys, nested as they were.
    let out = run(s.konverte(&strs(&contacts_list(&[
        "-o",
        "jsonl",
        "--fields",
        "id,contact_inboxes.0.inbox.name",
    ]))))
    .await;
    let first = &lines(&out)[0];
    assert_eq!(
        first["contact_inboxes"]["0"]["inbox"]["name"], "Sandbox Website",
        "{first}"
    );
    assert_eq!(first.as_object().unwrap().len(), 2, "{first}");
}

#[tokio::test]
async fn jq_runs_on_each_item_and_on_a_single_answer() {
    let s = Sandboxes::start().await.with_contacts().await;
    let out = run(s.konverte(&strs(&contacts_list(&[
        "--jq",
        "select(.email == \"bart@example.com\") | .id",
    ]))))
    .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(lines(&out), vec![Value::from(2)]);

    let out = run(s.konverte(&strs(&contacts_list(&["--all", "--jq", ".email"])))).await;
    let emails = lines(&out);
    assert!(
        emails.contains(&Value::from("ada@example.com")),
        "{emails:?}"
    );

    let out = run(s.konverte(&[
        "konverte",
        "contacts",
        "get",
        "--account_id",
        "1",
        "--contact_id",
        "2",
        "--jq",
        ".name | length",
    ]))
    .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let long = "Bartholomew Longname-Worthington the Third of Somewhere Far";
    assert_eq!(stdout(&out).trim(), long.chars().count().to_string());

    // --fields on a single record: the chosen keys in JSON, a row per field in a table.
    let get = [
        "konverte",
        "contacts",
        "get",
        "--account_id",
        "1",
        "--contact_id",
        "2",
    ];
    let mut args = get.to_vec();
    args.extend(["--fields", "id,email"]);
    let out = run(s.konverte(&args)).await;
    assert_eq!(
        lines(&out),
        vec![serde_json::json!({"id": 2, "email": "bart@example.com"})]
    );
    args.extend(["-o", "table"]);
    let out = run(s.konverte(&args)).await;
    let table = stdout(&out);
    assert!(
        table.contains("field") && table.contains("bart@example.com"),
        "{table}"
    );
    assert!(!table.contains("created_at"), "{table}");

    // A filter that fails on an item: reported, and the exit code says so.
    let out = run(s.konverte(&strs(&contacts_list(&["--jq", ".name + 1"])))).await;
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("--jq"), "{}", stderr(&out));
}

#[tokio::test]
async fn ids_print_one_per_line() {
    let s = Sandboxes::start().await.with_contacts().await;
    let out = run(s.konverte(&strs(&contacts_list(&["--all", "-o", "ids"])))).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "1\n2\n");
}

#[tokio::test]
async fn a_bad_expression_or_format_is_refused_before_sending() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_string("[]"))
        .expect(0)
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    for bad in [
        &["--jq", ".name |"][..],
        &["-o", "yaml"][..],
        &["--fields", ","][..],
    ] {
        let mut cmd = konverte(home.path(), &server.uri());
        cmd.args(["konverte", "contacts", "list", "--account_id", "1"])
            .args(bad);
        let out = run(cmd).await;
        assert_eq!(code(&out), 2, "{bad:?}: {}", stderr(&out));
    }
    let mut cmd = konverte(home.path(), &server.uri());
    cmd.env("CONNECTOR_OUTPUT", "yaml")
        .args(["konverte", "contacts", "list", "--account_id", "1"]);
    assert_eq!(code(&run(cmd).await), 2);
}

#[tokio::test]
async fn defaults_come_from_flag_then_environment_then_profile() {
    let s = Sandboxes::start().await.with_contacts().await;
    let config = s.home.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.default]\noutput = \"ids\"\n[profiles.default.konverte]\naccount_id = 1\n\
             [profiles.work]\noutput = \"csv\"\n[profiles.work.konverte]\nbase_url = \"{}\"\n\
             token = \"{TOKEN}\"\naccount_id = 1\n",
            s.konverte.base_url()
        ),
    )
    .unwrap();
    let list = ["konverte", "contacts", "list", "--all"];

    // The default profile: ids, and its account.
    let mut cmd = s.konverte(&list);
    cmd.env("CONNECTOR_CONFIG", &config);
    let out = run(cmd).await;
    assert_eq!(
        (code(&out), stdout(&out)),
        (0, "1\n2\n".to_owned()),
        "{}",
        stderr(&out)
    );

    // The environment beats the profile; the flag beats both.
    let mut cmd = s.konverte(&list);
    cmd.env("CONNECTOR_CONFIG", &config)
        .env("CONNECTOR_OUTPUT", "jsonl");
    assert_eq!(lines(&run(cmd).await).len(), 2);
    let mut cmd = s.konverte(&list);
    cmd.env("CONNECTOR_CONFIG", &config)
        .env("CONNECTOR_OUTPUT", "jsonl")
        .args(["-o", "csv", "--fields", "id"]);
    assert_eq!(stdout(&run(cmd).await), "id\n1\n2\n");

    // KONVERTE_ACCOUNT_ID beats the default profile's account (the sandbox has no 99).
    let mut cmd = s.konverte(&list);
    cmd.env("CONNECTOR_CONFIG", &config)
        .env("KONVERTE_ACCOUNT_ID", "99")
        .arg("--dry-run");
    let shown = stdout(&run(cmd).await);
    assert!(shown.contains("/accounts/99/contacts"), "{shown}");
    // ...and the flag beats it.
    let mut cmd = s.konverte(&list);
    cmd.env("CONNECTOR_CONFIG", &config)
        .env("KONVERTE_ACCOUNT_ID", "99")
        .args(["--account_id", "5", "--dry-run"]);
    assert!(stdout(&run(cmd).await).contains("/accounts/5/contacts"));

    // A named profile keeps its own account and format.
    let mut cmd = connector(s.home.path());
    cmd.env("CONNECTOR_CONFIG", &config)
        .env("KONVERTE_ACCOUNT_ID", "99")
        .args([
            "--profile",
            "work",
            "konverte",
            "contacts",
            "list",
            "--fields",
            "id",
        ]);
    let out = run(cmd).await;
    assert_eq!(
        (code(&out), stdout(&out)),
        (0, "id\n1\n2\n".to_owned()),
        "{}",
        stderr(&out)
    );
}
