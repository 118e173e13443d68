//! Credentials: flags > named profile > environment > default profile, each source
//! taken whole; token files; no token on argv; config errors never quote values.

mod common;

use common::*;
use serde_json::json;
use wiremock::matchers::{header, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn profile_server(token: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path("/api/v1/profile"))
        .and(header("Api-Access-Token", token))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"token": "matched"})))
        .mount(&server)
        .await;
    Mock::given(path("/api/v1/profile"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({"error": "Invalid Access Token"})),
        )
        .with_priority(10)
        .mount(&server)
        .await;
    server
}

#[tokio::test(flavor = "multi_thread")]
async fn profiles_env_and_flags_in_that_order() {
    let server = profile_server("from-flag-file").await;
    let other = profile_server("from-profile").await;
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join(".config/connector");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("work.token"), "from-profile\n").unwrap();
    std::fs::write(
        dir.join("config.toml"),
        format!(
            "[profiles.default.konverte]\nbase_url = \"{}\"\ntoken_file = \"work.token\"\n\n[profiles.other.konverte]\nbase_url = \"{}\"\ntoken = \"wrong\"\n",
            other.uri(),
            server.uri()
        ),
    )
    .unwrap();

    // The default profile alone.
    let mut cmd = connector(home.path());
    cmd.args(["konverte", "profile", "get"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(lines(&out)[0]["token"], "matched");

    // --profile picks another; a --token-file beats its token.
    let flag_file = home.path().join("flag.token");
    std::fs::write(&flag_file, "from-flag-file").unwrap();
    let mut cmd = connector(home.path());
    cmd.args([
        "--profile",
        "other",
        "konverte",
        "profile",
        "get",
        "--token-file",
    ])
    .arg(&flag_file);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    // The environment beats the default profile, whole: a token without a base URL
    // is never sent to the profile's base URL.
    let mut cmd = connector(home.path());
    cmd.env("KONVERTE_API_TOKEN", "from-env").args([
        "konverte",
        "profile",
        "get",
        "--retries",
        "0",
    ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("KONVERTE_BASE_URL"),
        "{}",
        stderr(&out)
    );

    // --base-url beats the environment and the profile.
    let mut cmd = connector(home.path());
    cmd.env("KONVERTE_BASE_URL", "http://127.0.0.1:9").args([
        "konverte",
        "profile",
        "get",
        "--base-url",
        &other.uri(),
    ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    // CONNECTOR_CONFIG points elsewhere.
    let cfg = home.path().join("elsewhere.toml");
    std::fs::write(
        &cfg,
        format!(
            "[profiles.default.konverte]\nbase_url = \"{}\"\ntoken = \"from-flag-file\"\n",
            server.uri()
        ),
    )
    .unwrap();
    let mut cmd = connector(home.path());
    cmd.env("CONNECTOR_CONFIG", &cfg)
        .args(["konverte", "profile", "get"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn there_is_no_token_flag() {
    let home = tempfile::tempdir().unwrap();
    let out = connector(home.path())
        .args(["konverte", "profile", "get", "--token", "x"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
}

/// A config dir under `home` with `config.toml` holding `text`.
fn write_config(home: &std::path::Path, text: &str) {
    let dir = home.join(".config/connector");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), text).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_env_token_is_never_sent_to_a_profile_base_url() {
    let profile_host = profile_server(TOKEN).await;
    let home = tempfile::tempdir().unwrap();
    write_config(
        home.path(),
        &format!(
            "[profiles.default.konverte]\nbase_url = \"{}\"\n\n[profiles.default.moco]\nbase_url = \"{}/api/v1\"\n",
            profile_host.uri(),
            profile_host.uri()
        ),
    );
    let mut cmd = connector(home.path());
    cmd.env("KONVERTE_API_TOKEN", TOKEN)
        .args(["konverte", "profile", "get", "--retries", "0"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let mut cmd = connector(home.path());
    cmd.env("MOCO_API_KEY", TOKEN).args([
        "moco",
        "session",
        "get",
        "--retries",
        "0",
        "--rate-limit",
        "off",
    ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("MOCO_"), "{}", stderr(&out));
    let sent = profile_host.received_requests().await.unwrap();
    assert!(
        sent.is_empty(),
        "nothing may reach the profile's host: {sent:?}"
    );

    // Nor a named profile's token to the environment's base URL.
    let env_host = profile_server(TOKEN).await;
    write_config(
        home.path(),
        &format!("[profiles.staging.konverte]\ntoken = \"{TOKEN}\"\n"),
    );
    let mut cmd = connector(home.path());
    cmd.env("KONVERTE_BASE_URL", env_host.uri()).args([
        "--profile",
        "staging",
        "konverte",
        "profile",
        "get",
    ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("staging"), "{}", stderr(&out));
    assert!(env_host.received_requests().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_named_profile_beats_the_environment() {
    let staging = profile_server("staging-token").await;
    let env_host = profile_server("env-token").await;
    let home = tempfile::tempdir().unwrap();
    write_config(
        home.path(),
        &format!(
            "[profiles.staging.konverte]\nbase_url = \"{}\"\ntoken = \"staging-token\"\n",
            staging.uri()
        ),
    );
    let with_env = || {
        let mut cmd = connector(home.path());
        cmd.env("KONVERTE_BASE_URL", env_host.uri())
            .env("KONVERTE_API_TOKEN", "env-token");
        cmd
    };
    let mut cmd = with_env();
    cmd.args(["--profile", "staging", "konverte", "profile", "get"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let mut cmd = with_env();
    cmd.env("CONNECTOR_PROFILE", "staging")
        .args(["konverte", "profile", "get"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(staging.received_requests().await.unwrap().len(), 2);
    assert!(env_host.received_requests().await.unwrap().is_empty());

    // An empty CONNECTOR_PROFILE is no profile: the environment applies.
    let mut cmd = with_env();
    cmd.env("CONNECTOR_PROFILE", "")
        .args(["konverte", "profile", "get"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(env_host.received_requests().await.unwrap().len(), 1);

    // --base-url alone takes the token of the source that would have given it.
    let mut cmd = with_env();
    cmd.args([
        "--profile",
        "staging",
        "konverte",
        "profile",
        "get",
        "--base-url",
    ])
    .arg(staging.uri());
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn config_errors_name_the_key_and_line_but_never_the_value() {
    let home = tempfile::tempdir().unwrap();
    write_config(
        home.path(),
        &format!(
            "[profiles.default.konverte]\nbase_url = \"http://127.0.0.1:9\"\ndashed_header = \"{TOKEN}\"\n"
        ),
    );
    let out = connector(home.path())
        .args(["konverte", "profile", "get"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        !err.contains(TOKEN) && !err.contains(&TOKEN[4..16]),
        "{err}"
    );
    assert!(
        err.contains("line 3")
            && err.contains("profiles.default.konverte.dashed_header")
            && err.contains("expected a boolean"),
        "{err}"
    );
}
