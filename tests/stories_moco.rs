//! MOCO stories, told through the real `connector` binary against an in-process sandbox:
//! a big JSON Lines batch of activities listed back across pages, and a 429 storm waited out.

#[path = "support/mod.rs"]
mod support;

use connector_sandbox::{Faults, MocoSandbox, RateLimit, SandboxConfig};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};
use support::{Cli, Run, all_ok, moco_sandbox, to_json_lines};

const BATCH: usize = 150;

/// Activity `i` of the batch: spread over November 2026, five per day.
fn activity(i: usize) -> Value {
    json!({
        "date": format!("2026-11-{:02}", 1 + i % 30),
        "project_id": 1,
        "task_id": 1,
        "seconds": 60 * (1 + i),
        "description": format!("story activity {i}"),
    })
}

fn ids(values: &[Value]) -> BTreeSet<u64> {
    values.iter().filter_map(|v| v["id"].as_u64()).collect()
}

/// 150 activities from a JSON Lines file, listed back whole (two pages of 100) and filtered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_hundred_fifty_activities_in_one_batch() {
    let sandbox = moco_sandbox(SandboxConfig::default()).await;
    let cli = Cli::new().moco(&sandbox);
    let inputs: Vec<Value> = (0..BATCH).map(activity).collect();
    let file = cli.write_file("activities.jsonl", to_json_lines(&inputs));
    let input = format!("@{}", file.display());

    let run = cli
        .run(&[
            "run",
            "moco",
            "activities.create",
            "--input",
            &input,
            "--rate-limit",
            "off",
            "--concurrency",
            "8",
        ])
        .await;
    run.expect_code(0);
    let created = all_ok(&run, BATCH);
    for (i, response) in created.iter().enumerate() {
        assert_eq!(
            response["description"], inputs[i]["description"],
            "outcome {i}"
        );
        assert_eq!(response["date"], inputs[i]["date"], "outcome {i}");
        assert_eq!(response["seconds"], inputs[i]["seconds"], "outcome {i}");
    }
    let created_ids = ids(&created);
    assert_eq!(created_ids.len(), BATCH, "150 distinct records");
    assert_eq!(sandbox.stats().created, BATCH as u64);

    let before = sandbox.stats().requests;
    let all = cli
        .run(&["moco", "activities", "list", "--all", "--rate-limit", "off"])
        .await;
    let listed = all.expect_code(0).lines();
    assert_eq!(listed.len(), BATCH, "one line per activity");
    assert_eq!(
        ids(&listed),
        created_ids,
        "every created activity, none lost"
    );
    assert_eq!(
        sandbox.stats().requests - before,
        2,
        "pages of 100: 100 + 50"
    );

    let (from, to) = ("2026-11-05", "2026-11-12");
    let expected: BTreeSet<u64> = created
        .iter()
        .filter(|a| {
            let date = a["date"].as_str().unwrap_or_default();
            (from..=to).contains(&date)
        })
        .filter_map(|a| a["id"].as_u64())
        .collect();
    assert_eq!(expected.len(), 8 * 5, "the filter has something to narrow");
    let filtered = cli
        .run(&[
            "moco",
            "activities",
            "list",
            "--from",
            from,
            "--to",
            to,
            "--all",
            "--rate-limit",
            "off",
        ])
        .await;
    let filtered = filtered.expect_code(0).lines();
    assert_eq!(
        ids(&filtered),
        expected,
        "exactly the activities from {from} to {to}"
    );
    sandbox.shutdown().await;
}

/// 20 creates through the CLI, as a batch on stdin, with the given extra options.
async fn twenty_creates(cli: &Cli, extra: &[&str], first: usize) -> Run {
    let inputs: Vec<Value> = (first..first + 20).map(activity).collect();
    let mut args = vec!["run", "moco", "activities.create", "--input", "-"];
    args.extend_from_slice(extra);
    let run = cli.run_with_stdin(&args, to_json_lines(&inputs)).await;
    run.expect_code(0);
    let responses = all_ok(&run, 20);
    for (input, response) in inputs.iter().zip(&responses) {
        assert_eq!(response["description"], input["description"]);
    }
    run
}

/// A server allowing 5 requests per second: without a client limit the CLI meets 429s and
/// waits them out; with `--rate-limit 5/1s` it meets none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_storm_is_waited_out_and_then_avoided() {
    let window = Duration::from_secs(1);
    let sandbox: MocoSandbox = moco_sandbox(SandboxConfig {
        faults: Faults {
            rate_limit: Some(RateLimit {
                requests: 5,
                per: window,
            }),
            retry_after_secs: 1,
            ..Faults::default()
        },
        ..SandboxConfig::default()
    })
    .await;
    let cli = Cli::new().moco(&sandbox);

    let unlimited = [
        "--rate-limit",
        "off",
        "--retries",
        "10",
        "--concurrency",
        "4",
    ];
    twenty_creates(&cli, &unlimited, 0).await;
    let storm = sandbox.stats();
    assert!(storm.throttled > 0, "the server throttled: {storm:?}");
    assert_eq!(storm.created, 20, "every item created once: {storm:?}");
    assert_eq!(
        storm.requests,
        20 + storm.throttled,
        "only throttled requests were sent again: {storm:?}"
    );

    // Let the server's window empty, so the second run starts from a clean slate.
    tokio::time::sleep(window + Duration::from_millis(100)).await;
    let started = Instant::now();
    twenty_creates(&cli, &["--rate-limit", "5/1s"], 20).await;
    let elapsed = started.elapsed();
    let calm = sandbox.stats();
    assert_eq!(calm.throttled, storm.throttled, "no new 429: {calm:?}");
    assert_eq!(calm.created, 40, "{calm:?}");
    assert_eq!(
        calm.requests,
        storm.requests + 20,
        "one request per item: {calm:?}"
    );
    // 20 requests at 5/s, evenly spaced: at least 19 gaps of 200 ms.
    assert!(
        elapsed >= Duration::from_millis(3_700),
        "paced: {elapsed:?}"
    );
    sandbox.shutdown().await;
}
