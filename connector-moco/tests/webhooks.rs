//! The web hook receiver over real HTTP.

use connector_core::SecretString;
use connector_moco::webhooks::{EventFilter, Receiver, WebhookEvent, router, sign};
use serde_json::json;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::mpsc;

const SECRET: &str = "1d608b9d72219b90ff2393a1d3ee0ac0";

fn local() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

struct Delivery<'a> {
    target: &'a str,
    event: &'a str,
    body: &'a [u8],
    signature: Option<String>,
}

impl<'a> Delivery<'a> {
    fn signed(target: &'a str, event: &'a str, body: &'a [u8]) -> Self {
        Delivery {
            target,
            event,
            body,
            signature: Some(sign(SECRET, body)),
        }
    }
}

async fn post(addr: SocketAddr, d: Delivery<'_>) -> u16 {
    let mut req = reqwest::Client::new()
        .post(format!("http://{addr}/hooks/moco"))
        .header("Content-Type", "application/json")
        .header("X-Moco-Target", d.target)
        .header("X-Moco-Event", d.event)
        .header("X-Moco-Timestamp", "1527170410463")
        .header("X-Moco-User-Id", "933613686")
        .header("X-Moco-Account-Url", "https://acme.mocoapp.com")
        .body(d.body.to_vec());
    if let Some(sig) = d.signature {
        req = req.header("X-Moco-Signature", sig);
    }
    req.send().await.unwrap().status().as_u16()
}

async fn next(rx: &mut mpsc::Receiver<WebhookEvent>) -> WebhookEvent {
    tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("an event in time")
        .expect("the channel is open")
}

#[tokio::test]
async fn a_signed_delivery_arrives_with_its_context() {
    let (receiver, mut rx) =
        Receiver::bind(local(), SecretString::from(SECRET), EventFilter::all())
            .await
            .unwrap();
    let body = br#"{"id":111,"description":"a description"}"#;
    let status = post(
        receiver.local_addr(),
        Delivery::signed("Activity", "create", body),
    )
    .await;
    assert!((200..300).contains(&status), "{status}");
    assert_eq!(
        next(&mut rx).await,
        WebhookEvent {
            target: "Activity".into(),
            event: "create".into(),
            timestamp: Some(1_527_170_410_463),
            user_id: Some(933_613_686),
            account_url: Some("https://acme.mocoapp.com".into()),
            payload: json!({"id": 111, "description": "a description"}),
        }
    );
    receiver.shutdown().await.unwrap();
    assert!(
        rx.recv().await.is_none(),
        "the channel ends with the receiver"
    );
}

#[tokio::test]
async fn forged_or_unsigned_deliveries_are_refused_and_dropped() {
    let (receiver, mut rx) =
        Receiver::bind(local(), SecretString::from(SECRET), EventFilter::all())
            .await
            .unwrap();
    let addr = receiver.local_addr();
    let body = br#"{"id":1}"#;
    let forged = Delivery {
        signature: Some(sign("another-secret", body)),
        ..Delivery::signed("Activity", "delete", body)
    };
    assert_eq!(post(addr, forged).await, 401);
    let unsigned = Delivery {
        signature: None,
        ..Delivery::signed("Activity", "delete", body)
    };
    assert_eq!(post(addr, unsigned).await, 401);
    let garbage = Delivery {
        signature: Some("not hex".into()),
        ..Delivery::signed("Activity", "delete", body)
    };
    assert_eq!(post(addr, garbage).await, 401);
    // The signature covers the body: the same signature on another body is refused.
    let tampered = Delivery {
        body: br#"{"id":2}"#,
        ..Delivery::signed("Activity", "delete", body)
    };
    assert_eq!(post(addr, tampered).await, 401);
    let not_json = Delivery::signed("Activity", "delete", b"id=1");
    assert_eq!(post(addr, not_json).await, 400);
    let status = reqwest::get(format!("http://{addr}/hooks/moco"))
        .await
        .unwrap()
        .status()
        .as_u16();
    assert_eq!(status, 405);

    assert_eq!(
        post(addr, Delivery::signed("Activity", "update", br#"{"id":3}"#)).await,
        204
    );
    let first = next(&mut rx).await;
    assert_eq!(
        (first.event.as_str(), &first.payload),
        ("update", &json!({"id": 3})),
        "nothing else arrived before"
    );
    assert!(rx.try_recv().is_err());
}

#[tokio::test]
async fn the_filter_acknowledges_but_drops_other_deliveries() {
    let filter = EventFilter {
        targets: vec!["activity".into()],
        events: vec!["CREATE".into(), "delete".into()],
    };
    let (receiver, mut rx) = Receiver::bind(local(), SecretString::from(SECRET), filter)
        .await
        .unwrap();
    let addr = receiver.local_addr();
    assert_eq!(
        post(addr, Delivery::signed("Project", "create", br#"{"id":1}"#)).await,
        204
    );
    assert_eq!(
        post(addr, Delivery::signed("Activity", "update", br#"{"id":2}"#)).await,
        204
    );
    assert_eq!(
        post(addr, Delivery::signed("Activity", "create", br#"{"id":3}"#)).await,
        204
    );
    let got = next(&mut rx).await;
    assert_eq!(
        (got.target.as_str(), got.payload["id"].as_i64()),
        ("Activity", Some(3))
    );
    assert!(rx.try_recv().is_err());
    drop(receiver);
    assert!(
        next_or_end(&mut rx).await.is_none(),
        "dropping the receiver stops it"
    );
}

async fn next_or_end(rx: &mut mpsc::Receiver<WebhookEvent>) -> Option<WebhookEvent> {
    tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("the channel ends in time")
}

#[tokio::test]
async fn a_full_channel_answers_503_so_moco_delivers_again() {
    let (tx, mut rx) = mpsc::channel(1);
    let app = router(SecretString::from(SECRET), EventFilter::all(), tx);
    let listener = tokio::net::TcpListener::bind(local()).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    assert_eq!(
        post(addr, Delivery::signed("Deal", "create", b"{}")).await,
        204
    );
    assert_eq!(
        post(addr, Delivery::signed("Deal", "update", b"{}")).await,
        503
    );
    assert_eq!(next(&mut rx).await.event, "create");
    assert_eq!(
        post(addr, Delivery::signed("Deal", "update", b"{}")).await,
        204
    );
    server.abort();
}
