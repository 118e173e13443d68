//! Fault injection and the server loop.

mod common;

use std::time::{Duration, Instant};

use common::{client, send};
use connector_sandbox::{Faults, KonverteSandbox, MocoSandbox, RateLimit, SandboxConfig};
use reqwest::Method;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn with_faults(faults: Faults) -> SandboxConfig {
    SandboxConfig {
        faults,
        ..SandboxConfig::default()
    }
}

async fn moco_status(http: &reqwest::Client, sandbox: &MocoSandbox, path: &str) -> u16 {
    let auth = format!("Token token={}", sandbox.api_key());
    let url = format!("{}{path}", sandbox.base_url());
    send(
        http,
        Method::GET,
        &url,
        Some(("Authorization", &auth)),
        None,
    )
    .await
    .status()
    .as_u16()
}

#[tokio::test]
async fn the_sliding_window_rate_limit_answers_429_with_retry_after() {
    let sandbox = MocoSandbox::start(with_faults(Faults {
        rate_limit: Some(RateLimit {
            requests: 3,
            per: Duration::from_secs(30),
        }),
        ..Faults::default()
    }))
    .await
    .expect("start");
    let http = client();
    for _ in 0..3 {
        assert_eq!(moco_status(&http, &sandbox, "/projects").await, 200);
    }
    let url = format!("{}/projects", sandbox.base_url());
    let auth = format!("Token token={}", sandbox.api_key());
    let response = send(
        &http,
        Method::GET,
        &url,
        Some(("Authorization", &auth)),
        None,
    )
    .await;
    assert_eq!(response.status().as_u16(), 429);
    let retry_after: u64 = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After seconds");
    assert!((1..=30).contains(&retry_after), "{retry_after}");
    let stats = sandbox.stats();
    assert_eq!((stats.requests, stats.throttled), (4, 1));
}

#[tokio::test]
async fn a_short_window_frees_its_slots() {
    let sandbox = MocoSandbox::start(with_faults(Faults {
        rate_limit: Some(RateLimit {
            requests: 2,
            per: Duration::from_millis(300),
        }),
        ..Faults::default()
    }))
    .await
    .expect("start");
    let http = client();
    assert_eq!(moco_status(&http, &sandbox, "/users").await, 200);
    assert_eq!(moco_status(&http, &sandbox, "/users").await, 200);
    assert_eq!(moco_status(&http, &sandbox, "/users").await, 429);
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(moco_status(&http, &sandbox, "/users").await, 200);
}

#[tokio::test]
async fn dropped_requests_get_no_response_and_change_nothing() {
    let sandbox = KonverteSandbox::start(with_faults(Faults {
        drop_rate: 1.0,
        ..Faults::default()
    }))
    .await
    .expect("start");
    let http = client();
    let url = format!("{}/api/v1/accounts/1/contacts", sandbox.base_url());
    let result = http
        .post(&url)
        .header("api_access_token", sandbox.token())
        .json(&json!({"inbox_id": 1, "name": "Never"}))
        .send()
        .await;
    assert!(
        result.is_err(),
        "expected a transport error, got {result:?}"
    );

    // On the wire: the connection closes without a single byte of response.
    let mut stream = tokio::net::TcpStream::connect(sandbox.addr())
        .await
        .expect("connect");
    let body = r#"{"inbox_id":1,"name":"Never either"}"#;
    let request = format!(
        "POST /api/v1/accounts/1/contacts HTTP/1.1\r\nHost: sandbox\r\napi_access_token: {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        sandbox.token(),
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer))
        .await
        .expect("the connection is closed promptly");
    assert!(read.is_ok() || answer.is_empty());
    assert!(
        answer.is_empty(),
        "got {:?}",
        String::from_utf8_lossy(&answer)
    );

    let stats = sandbox.stats();
    assert_eq!(stats.created, 0);
    assert!(stats.dropped >= 2, "{stats:?}");
    assert_eq!(stats.dropped, stats.requests);
}

#[tokio::test]
async fn error_and_throttle_rates_answer_503_and_429() {
    let failing = MocoSandbox::start(with_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    }))
    .await
    .expect("start");
    let http = client();
    assert_eq!(moco_status(&http, &failing, "/projects").await, 503);
    assert_eq!(failing.stats().errors, 1);

    let throttling = KonverteSandbox::start(with_faults(Faults {
        throttle_rate: 1.0,
        retry_after_secs: 7,
        ..Faults::default()
    }))
    .await
    .expect("start");
    let response = http
        .get(format!("{}/api/v1/profile", throttling.base_url()))
        .header("api_access_token", throttling.token())
        .send()
        .await
        .expect("response");
    assert_eq!(response.status().as_u16(), 429);
    assert_eq!(
        response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("7")
    );
    assert_eq!(throttling.stats().throttled, 1);
}

async fn status_sequence(seed: u64) -> Vec<u16> {
    let sandbox = MocoSandbox::start(with_faults(Faults {
        error_rate: 0.3,
        throttle_rate: 0.3,
        seed,
        ..Faults::default()
    }))
    .await
    .expect("start");
    let http = client();
    let mut statuses = Vec::new();
    for _ in 0..30 {
        statuses.push(moco_status(&http, &sandbox, "/users").await);
    }
    statuses
}

#[tokio::test]
async fn faults_are_reproducible_for_a_seed() {
    let first = status_sequence(42).await;
    let second = status_sequence(42).await;
    assert_eq!(first, second);
    for status in [200, 429, 503] {
        assert!(first.contains(&status), "{status} missing from {first:?}");
    }
    assert_ne!(
        first,
        status_sequence(7).await,
        "another seed, other faults"
    );
}

#[tokio::test]
async fn latency_delays_every_answer() {
    let sandbox = MocoSandbox::start(with_faults(Faults {
        latency: Duration::from_millis(150),
        ..Faults::default()
    }))
    .await
    .expect("start");
    let http = client();
    let started = Instant::now();
    assert_eq!(moco_status(&http, &sandbox, "/users").await, 200);
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn shutdown_stops_the_server_and_concurrent_load_is_counted() {
    let sandbox = MocoSandbox::start(SandboxConfig::default())
        .await
        .expect("start");
    sandbox.insert_bulk_activities(1_000);
    let http = client();
    let auth = format!("Token token={}", sandbox.api_key());
    let base = sandbox.base_url();
    let mut tasks = Vec::new();
    for worker in 0..64 {
        let http = http.clone();
        let auth = auth.clone();
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            let mut ok = 0;
            for i in 0..8 {
                let url = format!("{base}/activities?page={}", 1 + (worker + i) % 10);
                let response = http
                    .get(url)
                    .header("Authorization", &auth)
                    .send()
                    .await
                    .expect("response");
                if response.status().is_success() && response.bytes().await.is_ok() {
                    ok += 1;
                }
            }
            ok
        }));
    }
    let mut ok = 0;
    for task in tasks {
        ok += task.await.expect("task");
    }
    assert_eq!(ok, 64 * 8);
    assert_eq!(sandbox.stats().requests, 64 * 8);

    let addr = sandbox.addr();
    tokio::time::timeout(Duration::from_secs(10), sandbox.shutdown())
        .await
        .expect("shutdown completes");
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn dropping_the_handle_stops_the_server() {
    let sandbox = KonverteSandbox::start(SandboxConfig::default())
        .await
        .expect("start");
    let addr = sandbox.addr();
    drop(sandbox);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
