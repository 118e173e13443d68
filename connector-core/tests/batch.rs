//! Batches: one outcome per input, in order; batching pauses; stop or go on after a failure.

mod common;

use common::{ACTIONS, auth, input};
use connector_core::batch::{self, OutcomeResult, Summary};
use connector_core::{Error, HttpConnector, Options};
use futures::StreamExt;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use wiremock::matchers::{body_partial_json, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

mockall::mock! {
    /// The waiting seam, so pauses are checked without real time passing.
    Sleeper {}
    #[async_trait::async_trait]
    impl connector_core::Sleeper for Sleeper {
        async fn sleep(&self, duration: Duration);
    }
}

impl std::fmt::Debug for MockSleeper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MockSleeper")
    }
}

async fn server_failing_on(bad: &[&str]) -> MockServer {
    let server = MockServer::start().await;
    for name in bad {
        Mock::given(method("POST"))
            .and(body_partial_json(json!({"name": name})))
            .respond_with(
                ResponseTemplate::new(422).set_body_json(json!({"message": "name taken"})),
            )
            .mount(&server)
            .await;
    }
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
        .mount(&server)
        .await;
    server
}

fn names(n: usize) -> Vec<Result<serde_json::Map<String, serde_json::Value>, Error>> {
    (0..n)
        .map(|i| Ok(input(json!({"name": format!("n{i}")}))))
        .collect()
}

#[tokio::test]
async fn every_input_gets_one_outcome_in_order_with_failures_in_the_middle() {
    let server = server_failing_on(&["n3", "n7"]).await;
    let api = common::connector(&server.uri());
    let mut inputs = names(10);
    inputs[5] = Err(Error::validation("line 6", "not JSON"));
    inputs[8] = Ok(input(json!({"name": "n8", "password": "weak"})));
    let options = Options::builder()
        .concurrency(4)
        .continue_on_fail(true)
        .build();
    let outcomes: Vec<_> = batch::run(
        &api,
        "items.create",
        futures::stream::iter(inputs),
        &options,
    )
    .collect()
    .await;
    assert_eq!(
        outcomes.iter().map(|o| o.index).collect::<Vec<_>>(),
        (0..10).collect::<Vec<_>>()
    );
    let failed: Vec<usize> = outcomes
        .iter()
        .filter(|o| !o.is_ok())
        .map(|o| o.index)
        .collect();
    assert_eq!(failed, vec![3, 5, 7, 8]);
    // Nothing was sent for the unreadable line and the weak password.
    assert_eq!(server.received_requests().await.unwrap().len(), 8);
    let mut summary = Summary::default();
    outcomes.iter().for_each(|o| summary.add(o));
    assert_eq!(
        summary,
        Summary {
            ok: 6,
            failed: 4,
            skipped: 0
        }
    );
    assert_eq!(outcomes[3].to_json()["error"]["status"], 422);
}

#[tokio::test]
async fn without_continue_on_fail_the_rest_is_skipped_not_lost() {
    let server = server_failing_on(&["n2"]).await;
    let api = common::connector(&server.uri());
    let options = Options::builder().concurrency(1).build();
    let outcomes: Vec<_> = batch::run(
        &api,
        "items.create",
        futures::stream::iter(names(6)),
        &options,
    )
    .collect()
    .await;
    assert_eq!(outcomes.len(), 6);
    assert!(outcomes[..2].iter().all(|o| o.is_ok()));
    assert!(matches!(outcomes[2].result, OutcomeResult::Err(_)));
    assert!(
        outcomes[3..]
            .iter()
            .all(|o| matches!(o.result, OutcomeResult::Skipped))
    );
    assert_eq!(outcomes[4].to_json()["skipped"], true);
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn batches_pause_between_them_and_never_after_the_last() {
    let server = server_failing_on(&[]).await;
    let mut sleeper = MockSleeper::new();
    // 7 items in batches of 3: [0,1,2] pause [3,4,5] pause [6].
    sleeper
        .expect_sleep()
        .withf(|d| *d == Duration::from_millis(400))
        .times(2)
        .returning(|_| ());
    let api = HttpConnector::builder("test", ACTIONS)
        .base_url(server.uri())
        .auth(auth())
        .sleeper(Arc::new(sleeper))
        .build()
        .unwrap();
    let options = Options::builder()
        .batch_size(3)
        .batch_interval(Duration::from_millis(400))
        .concurrency(8)
        .build();
    let outcomes: Vec<_> = batch::run(
        &api,
        "items.create",
        futures::stream::iter(names(7)),
        &options,
    )
    .collect()
    .await;
    assert_eq!(outcomes.len(), 7);
    assert!(outcomes.iter().all(|o| o.is_ok()));
}

#[tokio::test]
async fn batch_pauses_are_real_time_at_the_server() {
    let server = server_failing_on(&[]).await;
    let api = common::connector(&server.uri());
    let options = Options::builder()
        .batch_size(3)
        .batch_interval(Duration::from_millis(300))
        .concurrency(3)
        .build();
    let started = std::time::Instant::now();
    let outcomes: Vec<_> = batch::run(
        &api,
        "items.create",
        futures::stream::iter(names(9)),
        &options,
    )
    .collect()
    .await;
    assert_eq!(outcomes.len(), 9);
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "two pauses of 300 ms"
    );
}

#[tokio::test]
async fn the_rate_limiter_spaces_requests_evenly() {
    let server = server_failing_on(&[]).await;
    let api = common::connector(&server.uri());
    let options = Options::builder()
        .rate_limit("10/1s".parse().unwrap())
        .concurrency(8)
        .build();
    let started = std::time::Instant::now();
    let outcomes: Vec<_> = batch::run(
        &api,
        "items.create",
        futures::stream::iter(names(6)),
        &options,
    )
    .collect()
    .await;
    assert!(outcomes.iter().all(|o| o.is_ok()));
    assert_eq!(server.received_requests().await.unwrap().len(), 6);
    // Six requests at 10/s: the first goes at once, five more at least 100 ms apart.
    assert!(
        started.elapsed() >= Duration::from_millis(490),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn outcome_lines_move_the_response() {
    let server = server_failing_on(&[]).await;
    let api = common::connector(&server.uri());
    let options = Options::default();
    let outcomes: Vec<_> = batch::run(
        &api,
        "items.create",
        futures::stream::iter(names(1)),
        &options,
    )
    .collect()
    .await;
    let expected = outcomes[0].to_json();
    assert_eq!(expected["response"]["ok"], true);
    assert_eq!(outcomes.into_iter().next().unwrap().into_json(), expected);
}
