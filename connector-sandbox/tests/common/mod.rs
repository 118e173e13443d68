//! Helpers shared by the sandbox's integration tests.
#![allow(dead_code)]

pub mod hooks;

use reqwest::{Client, Method, Response};
use serde_json::Value;

pub fn client() -> Client {
    Client::builder()
        .no_proxy()
        .build()
        .expect("reqwest client")
}

/// Sends a JSON request and returns the response.
pub async fn send(
    client: &Client,
    method: Method,
    url: &str,
    auth: Option<(&str, &str)>,
    body: Option<Value>,
) -> Response {
    let mut request = client.request(method, url);
    if let Some((name, value)) = auth {
        request = request.header(name, value);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.expect("request reaches the sandbox")
}

/// Status and JSON body (Null for an empty body).
pub async fn status_json(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    let body = if text.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    };
    (status, body)
}

/// `method path` against a MOCO sandbox with its API key: the status and the JSON body.
pub async fn moco_call(
    moco: &connector_sandbox::MocoSandbox,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let url = format!("{}{path}", moco.base_url());
    let auth = format!("Token token={}", moco.api_key());
    status_json(
        send(
            &client(),
            method,
            &url,
            Some(("Authorization", &auth)),
            body,
        )
        .await,
    )
    .await
}
