//! The generic tier refuses what the real servers refuse: a nested route under a parent that
//! does not exist (or whose id is not a number) is 404, a body that is JSON but not an object is
//! 422 and one that is not JSON is 400, each in its API's error shape.

mod common;

use common::{client, status_json};
use connector_sandbox::{KonverteSandbox, MocoSandbox, SandboxConfig};
use reqwest::Method;
use serde_json::{Value, json};

/// Sends `body` as raw JSON text (so that arrays and broken JSON can be sent too).
async fn call(url: &str, auth: (&str, &str), method: Method, body: Option<&str>) -> (u16, Value) {
    let mut request = client().request(method, url).header(auth.0, auth.1);
    if let Some(body) = body {
        request = request
            .header("Content-Type", "application/json")
            .body(body.to_owned());
    }
    status_json(request.send().await.expect("the sandbox answers")).await
}

#[tokio::test]
async fn moco_nested_routes_need_their_parent() {
    let moco = MocoSandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    let key = format!("Token token={}", moco.api_key());
    let auth = ("Authorization", key.as_str());
    let url = |path: &str| format!("{}{path}", moco.base_url());
    let contract = Some(r#"{"user_id": 1, "hourly_rate": 100}"#);

    for path in ["/projects/999/contracts", "/projects/abc/contracts"] {
        let (status, body) = call(&url(path), auth, Method::GET, None).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert!(body["message"].is_string(), "{body}");
        let (status, _) = call(&url(path), auth, Method::POST, contract).await;
        assert_eq!(status, 404, "{path}");
    }
    let (status, created) = call(&url("/projects/1/contracts"), auth, Method::POST, contract).await;
    assert_eq!(status, 200, "{created}");
    let (status, listed) = call(&url("/projects/1/contracts"), auth, Method::GET, None).await;
    assert_eq!(
        (status, listed[0]["id"].clone()),
        (200, created["id"].clone())
    );

    // A parent of the generic tier: an invoice must exist before it is sent.
    let (status, _) = call(
        &url("/invoices/5/send_email"),
        auth,
        Method::POST,
        Some("{}"),
    )
    .await;
    assert_eq!(status, 404);
    let (_, invoice) = call(
        &url("/invoices"),
        auth,
        Method::POST,
        Some(r#"{"title": "I"}"#),
    )
    .await;
    let sent = format!("/invoices/{}/send_email", invoice["id"]);
    let (status, body) = call(&url(&sent), auth, Method::POST, Some("{}")).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn moco_bodies_must_be_json_objects() {
    let moco = MocoSandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    let key = format!("Token token={}", moco.api_key());
    let auth = ("Authorization", key.as_str());
    let units = format!("{}/units", moco.base_url());
    let (status, body) = call(&units, auth, Method::POST, Some("[1, 2]")).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["message"].is_string(), "{body}");
    let (status, _) = call(&units, auth, Method::POST, Some("{\"name\": ")).await;
    assert_eq!(status, 400);
    let (_, listed) = call(&units, auth, Method::GET, None).await;
    assert_eq!(listed, json!([]), "nothing was created");
}

#[tokio::test]
async fn konverte_nested_routes_need_their_parent() {
    let konverte = KonverteSandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    let auth = ("api_access_token", konverte.token());
    let url = |path: &str| format!("{}/api/v1/accounts/1{path}", konverte.base_url());
    let note = Some(r#"{"content": "a note"}"#);
    for path in ["/contacts/999/notes", "/contacts/abc/notes"] {
        let (status, body) = call(&url(path), auth, Method::GET, None).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert!(body["error"].is_string(), "{body}");
        let (status, _) = call(&url(path), auth, Method::POST, note).await;
        assert_eq!(status, 404, "{path}");
    }
    let (status, _) = call(&url("/conversations/999/labels"), auth, Method::GET, None).await;
    assert_eq!(status, 404);

    let (_, contact) = call(
        &url("/contacts"),
        auth,
        Method::POST,
        Some(r#"{"name": "N"}"#),
    )
    .await;
    let notes = format!("/contacts/{}/notes", contact["payload"]["contact"]["id"]);
    let (status, created) = call(&url(&notes), auth, Method::POST, note).await;
    assert_eq!(status, 200, "{created}");
    let (status, listed) = call(&url(&notes), auth, Method::GET, None).await;
    assert_eq!(status, 200);
    assert!(listed.to_string().contains("a note"), "{listed}");

    // A note the contact does not have is 404 as well.
    let (status, _) = call(
        &url(&format!(
            "{notes}/{}",
            created["id"].as_u64().unwrap_or(0) + 1
        )),
        auth,
        Method::GET,
        None,
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn konverte_bodies_must_be_json_objects() {
    let konverte = KonverteSandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    let auth = ("api_access_token", konverte.token());
    let labels = format!("{}/api/v1/accounts/1/labels", konverte.base_url());
    let (status, body) = call(&labels, auth, Method::POST, Some("\"a label\"")).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"].is_string(), "{body}");
    let (status, _) = call(&labels, auth, Method::POST, Some("{")).await;
    assert_eq!(status, 400);
}
