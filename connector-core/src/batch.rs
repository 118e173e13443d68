//! Many inputs, one action: exactly one outcome per input, in input order.

use crate::connector::Connector;
use crate::error::Error;
use crate::options::RequestOptions;
use futures::stream::{self, BoxStream, Stream, StreamExt};
use serde_json::{Map, Value};
use std::future::Future;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// What happened to one input.
#[derive(Debug)]
pub enum OutcomeResult {
    Ok(Value),
    Err(Error),
    /// Not attempted, because an earlier item failed and `continue_on_fail` is off.
    Skipped,
}

/// The outcome of the input at `index` (0-based, in input order).
#[derive(Debug)]
pub struct Outcome {
    pub index: usize,
    pub result: OutcomeResult,
}

impl Outcome {
    pub fn is_ok(&self) -> bool {
        matches!(self.result, OutcomeResult::Ok(_))
    }

    /// One JSON line: `{"index":0,"ok":true,"response":..}`,
    /// `{"index":1,"ok":false,"error":{..}}` or `{"index":2,"ok":false,"skipped":true}`.
    pub fn to_json(&self) -> Value {
        match &self.result {
            OutcomeResult::Ok(v) => {
                serde_json::json!({"index": self.index, "ok": true, "response": v})
            }
            OutcomeResult::Err(e) => {
                serde_json::json!({"index": self.index, "ok": false, "error": e.to_json()})
            }
            OutcomeResult::Skipped => {
                serde_json::json!({"index": self.index, "ok": false, "skipped": true})
            }
        }
    }

    /// [`Outcome::to_json`], moving the response instead of copying it.
    pub fn into_json(self) -> Value {
        match self.result {
            OutcomeResult::Ok(response) => {
                let mut line = Map::with_capacity(3);
                line.insert("index".into(), self.index.into());
                line.insert("ok".into(), true.into());
                line.insert("response".into(), response);
                Value::Object(line)
            }
            _ => self.to_json(),
        }
    }
}

/// Totals of a finished batch.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub ok: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl Summary {
    pub fn add(&mut self, outcome: &Outcome) {
        match outcome.result {
            OutcomeResult::Ok(_) => self.ok += 1,
            OutcomeResult::Err(_) => self.failed += 1,
            OutcomeResult::Skipped => self.skipped += 1,
        }
    }
}

/// Runs `action_id` once per input. Inputs are read lazily (a 10,000-line file is
/// never held in memory), sent `concurrency` at a time, in batches of `batch_size`
/// with `batch_interval` between batches. An input that is already an error (e.g. a
/// line that is not JSON) becomes that item's outcome without sending anything.
pub fn run<'a, S>(
    connector: &'a dyn Connector,
    action_id: &'a str,
    inputs: S,
    options: &'a dyn RequestOptions,
) -> BoxStream<'a, Outcome>
where
    S: Stream<Item = Result<Map<String, Value>, Error>> + Send + 'a,
{
    drive(
        inputs,
        Plan::of(options),
        move |input| connector.execute(action_id, input, options),
        move |pause| connector.sleeper().sleep(pause),
    )
}

/// What a batch needs of the options, read once.
#[derive(Debug, Clone, Copy)]
struct Plan {
    concurrency: usize,
    batch_size: Option<NonZeroUsize>,
    interval: Duration,
    continue_on_fail: bool,
}

impl Plan {
    fn of(options: &dyn RequestOptions) -> Self {
        Plan {
            concurrency: options.concurrency().get(),
            batch_size: options.batch_size(),
            interval: options.batch_interval(),
            continue_on_fail: options.continue_on_fail(),
        }
    }
}

/// The batch engine: numbers the inputs, runs `call` for each (at most `concurrency`
/// at once, outcomes in input order), pauses between batches, and turns every input
/// after a failure into `Skipped` unless the plan continues on failure.
fn drive<'a, S, C, CF, P, PF>(inputs: S, plan: Plan, call: C, pause: P) -> BoxStream<'a, Outcome>
where
    S: Stream<Item = Result<Map<String, Value>, Error>> + Send + 'a,
    C: Fn(Map<String, Value>) -> CF + Clone + Send + Sync + 'a,
    CF: Future<Output = Result<Value, Error>> + Send + 'a,
    P: Fn(Duration) -> PF + Send + 'a,
    PF: Future<Output = ()> + Send + 'a,
{
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = Arc::clone(&stop);
    let run_one = move |(index, input): (usize, Result<Map<String, Value>, Error>)| {
        let stop = Arc::clone(&stop);
        let call = call.clone();
        async move {
            if stop.load(Ordering::SeqCst) {
                return Outcome {
                    index,
                    result: OutcomeResult::Skipped,
                };
            }
            let result = match input {
                Err(e) => Err(e),
                Ok(input) => call(input).await,
            };
            let result = match result {
                Ok(v) => OutcomeResult::Ok(v),
                Err(e) => {
                    if !plan.continue_on_fail {
                        stop.store(true, Ordering::SeqCst);
                    }
                    OutcomeResult::Err(e)
                }
            };
            Outcome { index, result }
        }
    };
    let indexed = inputs.enumerate();
    match plan.batch_size {
        None => indexed.map(run_one).buffered(plan.concurrency).boxed(),
        Some(size) => indexed
            .chunks(size.get())
            .enumerate()
            .then(move |(n, chunk)| {
                let run_one = run_one.clone();
                let wait = (n > 0 && !plan.interval.is_zero() && !stopped.load(Ordering::SeqCst))
                    .then(|| pause(plan.interval));
                async move {
                    if let Some(wait) = wait {
                        wait.await;
                    }
                    stream::iter(chunk).map(run_one).buffered(plan.concurrency)
                }
            })
            .flatten()
            .boxed(),
    }
}
