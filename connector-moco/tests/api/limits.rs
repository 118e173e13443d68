//! 429 handling and the client-side rate limiter.

use crate::common::{KEY, api_root};
use connector_core::{MockSleeper, RateLimit, SecretString};
use connector_moco::Moco;
use mockall::predicate::eq;
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

#[tokio::test]
async fn a_429_is_waited_out_as_asked_then_retried() {
    let server = MockServer::start().await;
    let body = json!({"date": "2024-05-02", "project_id": 1, "task_id": 2});
    Mock::given(method("POST"))
        .and(path("/api/v1/activities"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/activities"))
        .and(body_json(body.clone()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 99})))
        .expect(1)
        .mount(&server)
        .await;
    let mut sleeper = MockSleeper::new();
    sleeper
        .expect_sleep()
        .with(eq(Duration::from_secs(1)))
        .times(1)
        .returning(|_| ());
    let moco = Moco::builder()
        .base_url(api_root(&server))
        .api_key(SecretString::from(KEY))
        .rate_limit(None)
        .sleeper(Arc::new(sleeper))
        .build()
        .unwrap();
    let created = moco
        .activities()
        .create("2024-05-02", 1, 2)
        .send()
        .await
        .unwrap();
    assert_eq!(created.id, Some(99));
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[0].body, requests[1].body,
        "the retry re-sends the same body"
    );
}

/// Answers 200 and notes when each request arrived.
#[derive(Clone, Default)]
struct Arrivals(Arc<Mutex<Vec<Instant>>>);

impl Respond for Arrivals {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        self.0.lock().unwrap().push(Instant::now());
        ResponseTemplate::new(200).set_body_json(json!({"id": 1, "uuid": "u"}))
    }
}

#[tokio::test]
async fn the_limiter_spaces_a_burst_to_the_quota() {
    let server = MockServer::start().await;
    let arrivals = Arrivals::default();
    Mock::given(method("GET"))
        .and(path("/api/v1/session"))
        .respond_with(arrivals.clone())
        .expect(5)
        .mount(&server)
        .await;
    let limit = RateLimit::new(2, Duration::from_secs(1)).unwrap();
    let moco = Moco::builder()
        .base_url(api_root(&server))
        .api_key(SecretString::from(KEY))
        .rate_limit(Some(limit))
        .build()
        .unwrap();
    let started = Instant::now();
    let calls = (0..5).map(|_| moco.session().get().send());
    for result in futures::future::join_all(calls).await {
        result.unwrap();
    }
    assert!(
        started.elapsed() >= Duration::from_millis(1900),
        "{:?}",
        started.elapsed()
    );
    let mut at = arrivals.0.lock().unwrap().clone();
    at.sort();
    assert_eq!(at.len(), 5);
    // 2/s is one request per 500 ms; allow for a connection set-up on the first one.
    let tolerance = Duration::from_millis(100);
    for pair in at.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(
            gap + tolerance >= limit.interval(),
            "requests arrived {gap:?} apart"
        );
    }
    assert!(at[4] - at[0] + tolerance >= limit.interval() * 4);
}
