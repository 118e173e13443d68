//! Credentials: flags > environment > profile; token files; no token on argv.

mod common;

use common::*;
use serde_json::json;
use wiremock::matchers::{header, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn profile_server(token: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path("/api/v1/profile"))
        .and(header("api_access_token", token))
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

    // The environment beats the profile: a wrong env token is used and refused.
    let mut cmd = connector(home.path());
    cmd.env("KONVERTE_API_TOKEN", "from-env").args([
        "konverte",
        "profile",
        "get",
        "--retries",
        "0",
    ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("401"), "{}", stderr(&out));

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
