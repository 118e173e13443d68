//! Stories told by hand for the groups the derived stories skip (`skips`), each in the shape
//! its group really has: a table of (group, story), checked against the skip lists and told
//! together.

use super::skips::Skips;
use crate::support::{Cli, Run};
use futures::StreamExt;
use futures::future::LocalBoxFuture;
use serde_json::Value;

/// One group's story through the binary: `Err` says what went wrong.
pub type Story = for<'a> fn(&'a Cli) -> LocalBoxFuture<'a, Result<(), String>>;

/// Fails unless the tailored stories name exactly the skipped groups, each once.
pub fn check_coverage(skips: &Skips, stories: &[(&'static str, Story)]) {
    let mut told: Vec<&str> = stories.iter().map(|(group, _)| *group).collect();
    told.sort_unstable();
    assert_eq!(
        told,
        skips.all(),
        "the tailored stories and the groups the derived stories skip (stories/skips.rs)"
    );
}

/// Tells every story, a few at a time, and fails naming each group whose story failed.
pub async fn tell(cli: &Cli, stories: &[(&'static str, Story)]) {
    let failures: Vec<String> = futures::stream::iter(stories)
        .map(|(group, story)| async move {
            story(cli)
                .await
                .map_err(|failure| format!("{group}: {failure}"))
        })
        .buffer_unordered(4)
        .filter_map(|result| async move { result.err() })
        .collect()
        .await;
    assert!(
        failures.is_empty(),
        "{} of {} tailored stories failed:\n{}",
        failures.len(),
        stories.len(),
        failures.join("\n")
    );
}

/// `connector ARGS --rate-limit off` (the sandbox has no quota); `Err` unless it exits 0.
pub async fn ok(cli: &Cli, args: &[&str]) -> Result<Run, String> {
    let run = run(cli, args).await;
    if run.code != 0 {
        return Err(format!(
            "`{}`: exit {}: {}{}",
            run.command, run.code, run.stdout, run.stderr
        ));
    }
    Ok(run)
}

/// `connector ARGS --rate-limit off`, whatever its exit.
pub async fn run(cli: &Cli, args: &[&str]) -> Run {
    let mut args = args.to_vec();
    args.extend(["--rate-limit", "off"]);
    cli.run(&args).await
}

/// `Err` unless `run` failed with `status` named on stderr.
pub fn refused(run: &Run, status: &str) -> Result<(), String> {
    if run.code == 0 || !run.stderr.contains(status) {
        return Err(format!(
            "`{}` should be refused with {status}: exit {}: {}{}",
            run.command, run.code, run.stdout, run.stderr
        ));
    }
    Ok(())
}

/// stdout as one JSON document.
pub fn document(run: &Run) -> Result<Value, String> {
    serde_json::from_str(run.stdout.trim())
        .map_err(|e| format!("`{}`: stdout is no JSON ({e}): {}", run.command, run.stdout))
}

/// A record's `id` as the CLI takes it.
pub fn id_of(record: &Value) -> Result<String, String> {
    record["id"]
        .as_u64()
        .map(|id| id.to_string())
        .ok_or_else(|| format!("no numeric id in {record}"))
}

/// The ids of JSON Lines records, in order.
pub fn ids(records: &[Value]) -> Vec<String> {
    records
        .iter()
        .filter_map(|r| r["id"].as_u64().map(|id| id.to_string()))
        .collect()
}

/// `Err(what)` unless `condition` holds.
pub fn expect(condition: bool, what: impl FnOnce() -> String) -> Result<(), String> {
    if condition { Ok(()) } else { Err(what()) }
}
