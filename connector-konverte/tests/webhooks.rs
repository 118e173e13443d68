//! Webhooks over real HTTP: the receiver (signature, freshness, repeated delivery ids)
//! and `ensure_webhook` against wiremock. Signing as lib/webhooks/trigger.rb does it.

use connector_konverte::webhooks::{
    Ensured, Receiver, ReceiverConfig, WebhookEvent, ensure_webhook, planned_change, sign,
};
use connector_konverte::{Konverte, Options, SecretString};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::mpsc;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "wh-secret-5b1d";

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

async fn receiver(config: ReceiverConfig) -> (Receiver, mpsc::Receiver<WebhookEvent>) {
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    Receiver::bind(addr, SecretString::from(SECRET), config)
        .await
        .unwrap()
}

/// Posts `body` as Chatwoot would: signed with `secret` at `ts`, under `delivery`.
async fn deliver(
    addr: SocketAddr,
    body: &[u8],
    ts: i64,
    secret: &str,
    delivery: Option<&str>,
) -> (u16, String) {
    let ts = ts.to_string();
    let mut req = reqwest::Client::new()
        .post(format!("http://{addr}/chatwoot/events"))
        .header("Content-Type", "application/json")
        .header("X-Chatwoot-Timestamp", &ts)
        .header("X-Chatwoot-Signature", sign(secret, &ts, body))
        .body(body.to_vec());
    if let Some(id) = delivery {
        req = req.header("X-Chatwoot-Delivery", id);
    }
    let resp = req.send().await.unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

async fn next(rx: &mut mpsc::Receiver<WebhookEvent>) -> WebhookEvent {
    tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("an event in time")
        .expect("the channel is open")
}

#[tokio::test]
async fn a_signed_delivery_arrives_once_even_when_retried() {
    let (receiver, mut rx) = receiver(ReceiverConfig::default()).await;
    let addr = receiver.local_addr();
    let body = br#"{"event":"message_created","id":41,"content":"Hi"}"#;
    let id = "7c1f0a52-7f3b-4d0e-8d57-0c8c9a1b2e33";
    assert_eq!(deliver(addr, body, now(), SECRET, Some(id)).await.0, 200);
    // A retry: same delivery id, signed again a little later.
    assert_eq!(
        deliver(addr, body, now() + 1, SECRET, Some(id)).await.0,
        200
    );
    let other = br#"{"event":"conversation_created","id":7}"#;
    assert_eq!(
        deliver(
            addr,
            other,
            now(),
            SECRET,
            Some("0e7d3a1c-1111-4c1c-9c1c-5a5a5a5a5a5a")
        )
        .await
        .0,
        200
    );
    let first = next(&mut rx).await;
    assert_eq!(first.delivery_id.as_deref(), Some(id));
    assert_eq!(first.event.as_deref(), Some("message_created"));
    assert_eq!(first.payload["content"], "Hi");
    let second = next(&mut rx).await;
    assert_eq!(
        second.event.as_deref(),
        Some("conversation_created"),
        "the retry was dropped"
    );
    receiver.shutdown().await.unwrap();
    assert!(rx.recv().await.is_none(), "nothing else was handed out");
}

#[tokio::test]
async fn forged_stale_and_unreadable_deliveries_are_refused_with_the_reason() {
    let (receiver, mut rx) = receiver(ReceiverConfig {
        tolerance: Duration::from_secs(60),
        events: Vec::new(),
    })
    .await;
    let addr = receiver.local_addr();
    let body = br#"{"event":"contact_created","id":1}"#;
    let (status, why) = deliver(addr, body, now(), "another-secret", None).await;
    assert_eq!(
        (status, why.contains("does not match")),
        (401, true),
        "{why}"
    );
    let (status, why) = deliver(addr, body, now() - 3600, SECRET, None).await;
    assert_eq!(
        (status, why.contains("tolerance of 60 s")),
        (401, true),
        "{why}"
    );
    let (status, _) = deliver(addr, b"not json", now(), SECRET, None).await;
    assert_eq!(status, 400);
    let unsigned = reqwest::Client::new()
        .post(format!("http://{addr}/"))
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status().as_u16(), 401);
    assert!(
        unsigned
            .text()
            .await
            .unwrap()
            .contains("X-Chatwoot-Signature")
    );
    let get = reqwest::get(format!("http://{addr}/")).await.unwrap();
    assert_eq!(get.status().as_u16(), 405);
    receiver.shutdown().await.unwrap();
    assert!(
        rx.recv().await.is_none(),
        "no refused delivery was handed out"
    );
}

#[tokio::test]
async fn an_event_filter_acknowledges_what_it_leaves_out() {
    let (receiver, mut rx) = receiver(ReceiverConfig {
        events: vec!["message_created".into()],
        ..ReceiverConfig::default()
    })
    .await;
    let addr = receiver.local_addr();
    let status = deliver(addr, br#"{"event":"contact_updated"}"#, now(), SECRET, None)
        .await
        .0;
    assert_eq!(status, 200);
    deliver(
        addr,
        br#"{"event":"message_created","id":2}"#,
        now(),
        SECRET,
        None,
    )
    .await;
    assert_eq!(next(&mut rx).await.payload["id"], 2);
    receiver.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_empty_secret_is_refused() {
    let err = Receiver::bind(
        "127.0.0.1:0".parse().unwrap(),
        SecretString::from(""),
        ReceiverConfig::default(),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("empty"), "{err}");
}

fn client(server: &MockServer) -> Konverte {
    Konverte::builder()
        .base_url(server.uri())
        .api_token(SecretString::from("user-tok"))
        .build()
        .unwrap()
}

fn hooks(list: Value) -> ResponseTemplate {
    // app/views/api/v1/accounts/webhooks/index.json.jbuilder
    ResponseTemplate::new(200).set_body_json(json!({"payload": {"webhooks": list}}))
}

const LIST: &str = "/api/v1/accounts/1/webhooks";

#[tokio::test]
async fn ensure_reuses_a_match_updates_the_url_or_creates() {
    let options = Options::builder().retries(0).build();
    let events = vec![
        "message_created".to_owned(),
        "conversation_created".to_owned(),
    ];
    let url = "https://hooks.example.com/k";

    // The same URL and events, in another order: reused, nothing written.
    let server = MockServer::start().await;
    Mock::given(method("GET")).and(path(LIST))
        .respond_with(hooks(json!([{"id": 3, "url": url, "subscriptions": ["conversation_created", "message_created"], "secret": "s3"}])))
        .mount(&server).await;
    let done = ensure_webhook(&client(&server), 1, url, &events, &options)
        .await
        .unwrap();
    assert!(matches!(done, Ensured::Reused(_)), "{done:?}");
    assert_eq!(done.webhook().secret.as_deref(), Some("s3"));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);

    // The URL with other events: its events are replaced (a URL is unique per account,
    // app/models/webhook.rb).
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(LIST))
        .respond_with(hooks(
            json!([{"id": 4, "url": url, "subscriptions": ["contact_created"], "secret": "s4"}]),
        ))
        .mount(&server)
        .await;
    Mock::given(method("PATCH")).and(path("/api/v1/accounts/1/webhooks/4"))
        // app/views/api/v1/accounts/webhooks/update.json.jbuilder
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"payload": {"webhook": {"id": 4, "url": url, "subscriptions": ["conversation_created", "message_created"], "secret": "s4"}}})))
        .expect(1)
        .mount(&server).await;
    let done = ensure_webhook(&client(&server), 1, url, &events, &options)
        .await
        .unwrap();
    assert_eq!(done.change(), "updated");
    let sent: Value =
        serde_json::from_slice(&server.received_requests().await.unwrap()[1].body).unwrap();
    assert_eq!(
        sent,
        json!({"subscriptions": ["conversation_created", "message_created"]})
    );

    // No such URL: created, and the plan of a dry run says so without sending it.
    let server = MockServer::start().await;
    Mock::given(method("GET")).and(path(LIST))
        .respond_with(hooks(json!([{"id": 5, "url": "https://elsewhere.example.com", "subscriptions": ["message_created"], "secret": "s5"}])))
        .mount(&server).await;
    Mock::given(method("POST")).and(path(LIST))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"payload": {"webhook": {"id": 6, "url": url, "subscriptions": ["conversation_created", "message_created"], "secret": "s6"}}})))
        .expect(1)
        .mount(&server).await;
    let plan = planned_change(&client(&server), 1, url, &events, &options)
        .await
        .unwrap();
    assert_eq!(plan["change"], "create");
    assert_eq!(plan["request"]["method"], "POST");
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "a plan only reads"
    );
    let done = ensure_webhook(&client(&server), 1, url, &events, &options)
        .await
        .unwrap();
    assert_eq!(
        (done.change(), done.webhook().secret.as_deref()),
        ("created", Some("s6"))
    );
    let sent: Value =
        serde_json::from_slice(&server.received_requests().await.unwrap()[2].body).unwrap();
    assert_eq!(
        sent,
        json!({"url": url, "subscriptions": ["conversation_created", "message_created"]})
    );
    server.verify().await;
}
