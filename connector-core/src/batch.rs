//! Many inputs, one action: exactly one outcome per input, in input order.

use crate::connector::Connector;
use crate::error::Error;
use crate::options::RequestOptions;
use futures::stream::{self, BoxStream, Stream, StreamExt};
use serde_json::{Map, Value};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

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
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = Arc::clone(&stop);
    let concurrency = options.concurrency().get();
    let run_one = move |(index, input): (usize, Result<Map<String, Value>, Error>)| {
        let stop = Arc::clone(&stop);
        async move {
            if stop.load(Ordering::SeqCst) {
                return Outcome {
                    index,
                    result: OutcomeResult::Skipped,
                };
            }
            let result = match input {
                Err(e) => Err(e),
                Ok(input) => connector.execute(action_id, input, options).await,
            };
            let result = match result {
                Ok(v) => OutcomeResult::Ok(v),
                Err(e) => {
                    if !options.continue_on_fail() {
                        stop.store(true, Ordering::SeqCst);
                    }
                    OutcomeResult::Err(e)
                }
            };
            Outcome { index, result }
        }
    };
    let indexed = inputs.enumerate();
    match options.batch_size() {
        None => indexed.map(run_one).buffered(concurrency).boxed(),
        Some(size) => {
            let interval = options.batch_interval();
            indexed
                .chunks(size.get())
                .enumerate()
                .then(move |(n, chunk)| {
                    let run_one = run_one.clone();
                    let stopped = Arc::clone(&stopped);
                    async move {
                        if n > 0 && !interval.is_zero() && !stopped.load(Ordering::SeqCst) {
                            connector.sleeper().sleep(interval).await;
                        }
                        stream::iter(chunk).map(run_one).buffered(concurrency)
                    }
                })
                .flatten()
                .boxed()
        }
    }
}
