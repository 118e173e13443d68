//! `connector auth status` and `auth login` against the sandbox: good and bad tokens,
//! where each credential comes from, a stored token used by its profile, and no token
//! ever printed. `--help` of both is a golden file.

mod common;

use common::*;
use connector_sandbox::{KonverteSandbox, MocoSandbox, SandboxConfig};

async fn sandboxes() -> (KonverteSandbox, MocoSandbox) {
    let config = SandboxConfig {
        konverte_token: TOKEN.into(),
        moco_api_key: TOKEN.into(),
        ..SandboxConfig::default()
    };
    (
        KonverteSandbox::start(config.clone()).await.unwrap(),
        MocoSandbox::start(config).await.unwrap(),
    )
}

#[tokio::test]
async fn status_says_where_credentials_come_from_and_whether_they_work() {
    let (k, m) = sandboxes().await;
    let home = tempfile::tempdir().unwrap();
    let mut cmd = konverte(home.path(), &k.base_url());
    cmd.env("MOCO_BASE_URL", m.base_url())
        .env("MOCO_API_KEY", TOKEN)
        .args(["auth", "status"]);
    let out = run(cmd).await;
    let text = stdout(&out);
    assert_eq!(code(&out), 0, "{text}{}", stderr(&out));
    assert!(text.contains("konverte: logged in to"), "{text}");
    assert!(
        text.contains("environment variable KONVERTE_API_TOKEN"),
        "{text}"
    );
    assert!(text.contains("environment variable MOCO_API_KEY"), "{text}");
    assert!(text.contains("moco: logged in to"), "{text}");
    assert!(!text.contains(TOKEN) && !stderr(&out).contains(TOKEN));

    // A wrong token: exit 1, the server's refusal named, the token still not shown.
    let mut cmd = connector(home.path());
    cmd.env("KONVERTE_BASE_URL", k.base_url())
        .env("KONVERTE_API_TOKEN", "wrong-token-DISTINCTIVE")
        .args(["auth", "status", "konverte"]);
    let out = run(cmd).await;
    let text = stdout(&out);
    assert_eq!(code(&out), 1, "{text}");
    assert!(
        text.contains("does not work") && text.contains("401"),
        "{text}"
    );
    assert!(!text.contains("wrong-token-DISTINCTIVE"), "{text}");

    // Nothing configured for the backend asked about: exit 1.
    let mut cmd = connector(home.path());
    cmd.args(["auth", "status", "moco"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).contains("moco: not configured"),
        "{}",
        stdout(&out)
    );

    // --token-file is named as the source.
    let file = home.path().join("k.token");
    std::fs::write(&file, TOKEN).unwrap();
    let mut cmd = connector(home.path());
    cmd.env("KONVERTE_BASE_URL", k.base_url()).args([
        "auth",
        "status",
        "konverte",
        "--token-file",
        file.to_str().unwrap(),
    ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(stdout(&out).contains("--token-file"), "{}", stdout(&out));
}

#[tokio::test]
async fn a_token_stored_by_login_is_used_by_its_profile() {
    let (k, _m) = sandboxes().await;
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.work.konverte]\nbase_url = \"{}\"\naccount_id = 1\n",
            k.base_url()
        ),
    )
    .unwrap();
    let with_config = |args: &[&str]| {
        let mut cmd = connector(home.path());
        cmd.env("CONNECTOR_CONFIG", &config)
            .env("CONNECTOR_KEYRING", "off")
            .args(args);
        cmd
    };
    let out = run_with_stdin(
        with_config(&["--profile", "work", "auth", "login", "konverte"]),
        format!("{TOKEN}\n"),
    )
    .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(!stderr(&out).contains(TOKEN) && !stdout(&out).contains(TOKEN));
    let stored = home.path().join("tokens").join("work.KONVERTE_API_TOKEN");
    assert_eq!(std::fs::read_to_string(&stored).unwrap().trim(), TOKEN);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&stored).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let out = run(with_config(&[
        "--profile",
        "work",
        "auth",
        "status",
        "konverte",
    ]))
    .await;
    let text = stdout(&out);
    assert_eq!(code(&out), 0, "{text}{}", stderr(&out));
    assert!(
        text.contains("stored by auth login: file ") && text.contains("work.KONVERTE_API_TOKEN"),
        "{text}"
    );
    assert!(text.contains("profile: account_id"), "{text}");

    // The stored token and the profile's account make a plain call work.
    let out = run(with_config(&[
        "--profile",
        "work",
        "konverte",
        "contacts",
        "list",
        "-o",
        "jsonl",
    ]))
    .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    // An empty answer to the prompt stores nothing.
    let out = run_with_stdin(
        with_config(&["--profile", "other", "auth", "login", "moco"]),
        "\n",
    )
    .await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        !home
            .path()
            .join("tokens")
            .join("other.MOCO_API_KEY")
            .exists()
    );
}

#[test]
fn auth_help_is_golden() {
    for (name, args) in [
        ("auth_help", &["auth", "--help"][..]),
        ("auth_status_help", &["auth", "status", "--help"][..]),
        ("auth_login_help", &["auth", "login", "--help"][..]),
    ] {
        let home = tempfile::tempdir().unwrap();
        let mut cmd = connector(home.path());
        cmd.env("COLUMNS", "100").args(args);
        let out = cmd.output().unwrap();
        assert_eq!(code(&out), 0);
        insta::assert_snapshot!(name, stdout(&out));
    }
}
