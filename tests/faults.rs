//! Under faults: 5,000 items through a sandbox that answers 10% 503, 5% 429 and drops 5%
//! of connections. Nothing lost, nothing sent twice by accident.

use connector_core::batch::{self, OutcomeResult};
use connector_core::{Error, Options, RetryPolicy, SecretString};
use connector_moco::Moco;
use connector_sandbox::{Faults, MocoSandbox, SandboxConfig};
use futures::StreamExt;
use serde_json::{Map, Value, json};
use std::time::Duration;

const ITEMS: usize = 5_000;

fn faulty() -> SandboxConfig {
    SandboxConfig {
        faults: Faults {
            error_rate: 0.10,
            throttle_rate: 0.05,
            drop_rate: 0.05,
            retry_after_secs: 0,
            seed: 7,
            ..Faults::default()
        },
        ..SandboxConfig::default()
    }
}

fn options() -> Options {
    Options::builder()
        .concurrency(32)
        .continue_on_fail(true)
        .timeout(Duration::from_secs(10))
        .rate_limit_opt(None)
        .retry(RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(20),
            ..RetryPolicy::default()
        })
        .build()
}

fn client(sandbox: &MocoSandbox) -> Moco {
    Moco::builder()
        .base_url(sandbox.base_url())
        .api_key(SecretString::from(sandbox.api_key().to_owned()))
        .rate_limit(None)
        .build()
        .unwrap()
}

fn activity(i: usize) -> Result<Map<String, Value>, Error> {
    let v = json!({"date": "2026-11-02", "project_id": 1, "task_id": 1, "seconds": 60 + i, "description": format!("item {i}")});
    Ok(v.as_object().cloned().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_thousand_creates_under_faults_lose_nothing_and_duplicate_nothing() {
    let sandbox = MocoSandbox::start(faulty()).await.unwrap();
    let moco = client(&sandbox);
    let options = options();
    let inputs = futures::stream::iter((0..ITEMS).map(activity));
    let outcomes: Vec<_> = batch::run(&moco, "activities.create", inputs, &options)
        .collect()
        .await;

    assert_eq!(outcomes.len(), ITEMS, "one outcome per input");
    assert!(
        outcomes.iter().enumerate().all(|(i, o)| o.index == i),
        "in input order"
    );
    let ok = outcomes.iter().filter(|o| o.is_ok()).count();
    let unknown = outcomes
        .iter()
        .filter(|o| matches!(o.result, OutcomeResult::Err(Error::OutcomeUnknown { .. })))
        .count();
    let unavailable = outcomes
        .iter()
        .filter(|o| matches!(&o.result, OutcomeResult::Err(e) if e.status() == Some(503)))
        .count();
    assert_eq!(
        ok + unknown + unavailable,
        ITEMS,
        "a POST fails only as 503 or outcome unknown"
    );
    assert!(
        unknown > 0 && unavailable > 0,
        "the faults were exercised: {unknown} unknown, {unavailable} 503"
    );

    let stats = sandbox.stats();
    assert_eq!(
        stats.created as usize, ok,
        "the server created exactly the ok items"
    );
    // A POST is re-sent only after a 429 (never processed). So the server saw each input once,
    // plus once more per 429 it answered.
    assert_eq!(stats.requests, ITEMS as u64 + stats.throttled, "{stats:?}");
    assert!(stats.throttled > 0 && stats.dropped > 0);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotent_requests_all_succeed_within_the_retry_budget() {
    let sandbox = MocoSandbox::start(faulty()).await.unwrap();
    let moco = client(&sandbox);
    let options = options();
    // Reads of the seeded project, and full updates (PUT) of the seeded company.
    let inputs = futures::stream::iter(
        (0..ITEMS / 2).map(|_| Ok(json!({"id": 1}).as_object().cloned().unwrap())),
    );
    let reads: Vec<_> = batch::run(&moco, "projects.get", inputs, &options)
        .collect()
        .await;
    let failed: Vec<_> = reads
        .iter()
        .filter(|o| !o.is_ok())
        .map(|o| o.to_json())
        .collect();
    assert!(
        failed.is_empty(),
        "{} GETs failed: {:?}",
        failed.len(),
        failed.first()
    );
    let inputs = futures::stream::iter((0..ITEMS / 2).map(|i| {
        Ok(json!({"id": 1, "name": format!("Customer {i}")})
            .as_object()
            .cloned()
            .unwrap())
    }));
    let writes: Vec<_> = batch::run(&moco, "companies.update", inputs, &options)
        .collect()
        .await;
    assert_eq!(writes.len(), ITEMS / 2);
    assert!(
        writes.iter().all(|o| o.is_ok()),
        "PUT is idempotent and retried through every fault"
    );
    let stats = sandbox.stats();
    assert!(
        stats.dropped > 0 && stats.errors > 0 && stats.throttled > 0,
        "{stats:?}"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_slow_server_fails_items_in_time_and_the_batch_goes_on() {
    let slow = SandboxConfig {
        faults: Faults {
            latency: Duration::from_millis(1500),
            ..Faults::default()
        },
        ..SandboxConfig::default()
    };
    let sandbox = MocoSandbox::start(slow).await.unwrap();
    let moco = client(&sandbox);
    let options = Options::builder()
        .timeout(Duration::from_millis(200))
        .retry(RetryPolicy::none())
        .continue_on_fail(true)
        .concurrency(4)
        .build();
    let started = std::time::Instant::now();
    let inputs = futures::stream::iter((0..4).map(activity));
    let outcomes: Vec<_> = batch::run(&moco, "activities.create", inputs, &options)
        .collect()
        .await;
    assert_eq!(outcomes.len(), 4);
    for o in &outcomes {
        let OutcomeResult::Err(e) = &o.result else {
            panic!("item {} did not time out", o.index)
        };
        assert!(e.to_string().contains("timed out"), "{e}");
    }
    assert!(
        started.elapsed() < Duration::from_millis(1400),
        "timeouts fired before the server answered"
    );
}
