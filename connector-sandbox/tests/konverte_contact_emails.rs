//! A contact's e-mail is unique in its account, case-insensitively (contact.rb:
//! `validates :email, uniqueness: { scope: [:account_id], case_sensitive: false }`), through
//! creates, updates and a restart from the state file; the sandbox reads an index for it.

mod common;

use common::{client, status_json};
use connector_sandbox::{KonverteSandbox, SandboxConfig, seed};
use reqwest::Method;
use serde_json::{Value, json};

async fn call(k: &KonverteSandbox, method: Method, path: &str, body: Value) -> (u16, Value) {
    let url = format!(
        "{}/api/v1/accounts/{}{path}",
        k.base_url(),
        seed::KONVERTE_ACCOUNT_ID
    );
    let request = client()
        .request(method, url)
        .header("api_access_token", k.token())
        .json(&body);
    status_json(request.send().await.expect("the sandbox answers")).await
}

async fn create(k: &KonverteSandbox, email: &str) -> (u16, Value) {
    call(
        k,
        Method::POST,
        "/contacts",
        json!({"name": "C", "email": email}),
    )
    .await
}

fn id(answer: &Value) -> u64 {
    answer["payload"]["contact"]["id"]
        .as_u64()
        .expect("a created contact")
}

#[tokio::test]
async fn emails_stay_unique_through_updates_and_a_restart() {
    let state = std::env::temp_dir().join(format!(
        "sandbox-contact-emails-{}.json",
        std::process::id()
    ));
    let config = || SandboxConfig {
        state_file: Some(state.clone()),
        ..Default::default()
    };
    let k = KonverteSandbox::start(config()).await.expect("sandbox");

    let (status, first) = create(&k, "ada@example.test").await;
    assert_eq!(status, 200, "{first}");
    let (status, body) = create(&k, "ADA@Example.test").await;
    assert_eq!(status, 422, "the same e-mail in other case: {body}");

    // An e-mail changed away is free again; the new one is taken.
    let path = format!("/contacts/{}", id(&first));
    let (status, body) = call(
        &k,
        Method::PUT,
        &path,
        json!({"email": "grace@example.test"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, second) = create(&k, "ada@example.test").await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(create(&k, "Grace@example.test").await.0, 422);
    // A contact keeps its own e-mail on update.
    let (status, body) = call(
        &k,
        Method::PUT,
        &path,
        json!({"email": "GRACE@example.test"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    k.shutdown_and_save().await.expect("state written");

    let k = KonverteSandbox::start(config())
        .await
        .expect("sandbox again");
    for taken in ["grace@example.test", "ada@example.test"] {
        let (status, body) = create(&k, taken).await;
        assert_eq!(status, 422, "{taken} after the restart: {body}");
    }
    assert_eq!(create(&k, "alan@example.test").await.0, 200);
    k.shutdown().await;
    let _ = std::fs::remove_file(&state);
}
