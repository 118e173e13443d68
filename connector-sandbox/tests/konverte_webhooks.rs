//! Konverte deliveries are retried the way Chatwoot retries them: an agent bot answering 429
//! or 500 gets the delivery again (3 attempts, 3 s apart), an account webhook never.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use axum::http::StatusCode;
use common::{client, send, status_json};
use connector_sandbox::{KonverteSandbox, SandboxConfig, WebhookDelivery, WebhookReceiver};
use reqwest::Method;
use serde_json::{Value, json};

/// A receiver that answers `failing` for its first `failures` requests, then 200; returns its
/// URL and the number of requests it got.
async fn receiver(failing: StatusCode, failures: u32) -> (String, Arc<AtomicU32>) {
    let hits = Arc::new(AtomicU32::new(0));
    let counted = hits.clone();
    let app = axum::Router::new().fallback(move || {
        let hits = counted.clone();
        async move {
            if hits.fetch_add(1, Ordering::SeqCst) < failures {
                failing
            } else {
                StatusCode::OK
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let url = format!("http://{}/hook", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, hits)
}

async fn post(sandbox: &KonverteSandbox, path: &str, body: Value) -> Value {
    let url = format!("{}/api/v1/accounts/1{path}", sandbox.base_url());
    let token = sandbox.token().to_owned();
    let (status, body) = status_json(
        send(
            &client(),
            Method::POST,
            &url,
            Some(("api_access_token", &token)),
            Some(body),
        )
        .await,
    )
    .await;
    assert!((200..300).contains(&status), "{path}: {status} {body}");
    body
}

/// Sends a message in a new conversation of inbox 1.
async fn message(sandbox: &KonverteSandbox) {
    let contact = post(sandbox, "/contacts", json!({"name": "R", "inbox_id": 1})).await;
    let conversation = post(
        sandbox,
        "/conversations",
        json!({"inbox_id": 1, "contact_id": contact["payload"]["contact"]["id"]}),
    )
    .await;
    let id = conversation["id"].as_u64().expect("conversation id");
    post(
        sandbox,
        &format!("/conversations/{id}/messages"),
        // Incoming: an agent's first reply would also raise conversation_updated (it sets
        // first_reply_created_at), a second event for the bot to count.
        json!({"content": "retry me", "message_type": "incoming"}),
    )
    .await;
}

/// The first recorded delivery to `url` (waits up to 60 s for its last attempt).
async fn delivery_to(sandbox: &KonverteSandbox, url: &str) -> WebhookDelivery {
    for _ in 0..600 {
        if let Some(d) = sandbox
            .webhook_deliveries()
            .into_iter()
            .find(|d| d.url == url)
        {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no delivery to {url}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_bot_answering_500_then_429_gets_the_delivery_again() {
    let sandbox = KonverteSandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    let (url, hits) = receiver(StatusCode::INTERNAL_SERVER_ERROR, 2).await;
    let bot = post(
        &sandbox,
        "/agent_bots",
        json!({"name": "Flaky", "outgoing_url": url}),
    )
    .await;
    assert!(
        bot["secret"].as_str().is_some_and(|s| !s.is_empty()),
        "{bot}"
    );
    post(
        &sandbox,
        "/inboxes/1/set_agent_bot",
        json!({"agent_bot": bot["id"]}),
    )
    .await;
    message(&sandbox).await;
    let delivered = delivery_to(&sandbox, &url).await;
    assert_eq!(delivered.receiver, WebhookReceiver::AgentBot);
    assert_eq!((delivered.attempts, delivered.status), (3, Some(200)));
    assert_eq!(hits.load(Ordering::SeqCst), 3);

    // Three attempts in all: a bot still failing after the third is left alone.
    let (url, hits) = receiver(StatusCode::TOO_MANY_REQUESTS, 10).await;
    let bot = post(
        &sandbox,
        "/agent_bots",
        json!({"name": "Down", "outgoing_url": url}),
    )
    .await;
    post(
        &sandbox,
        "/inboxes/1/set_agent_bot",
        json!({"agent_bot": bot["id"]}),
    )
    .await;
    message(&sandbox).await;
    let delivered = delivery_to(&sandbox, &url).await;
    assert_eq!((delivered.attempts, delivered.status), (3, Some(429)));
    assert_eq!(hits.load(Ordering::SeqCst), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_webhook_answering_500_is_not_retried() {
    let sandbox = KonverteSandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    let (url, hits) = receiver(StatusCode::INTERNAL_SERVER_ERROR, 1).await;
    post(
        &sandbox,
        "/webhooks",
        json!({"url": url, "subscriptions": ["message_created"]}),
    )
    .await;
    message(&sandbox).await;
    let delivered = delivery_to(&sandbox, &url).await;
    assert_eq!(delivered.receiver, WebhookReceiver::Account);
    assert_eq!((delivered.attempts, delivered.status), (1, Some(500)));
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}
