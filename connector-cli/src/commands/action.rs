//! One action: a generated command's flags, or `run`'s input. Single calls, paged
//! lists (`--all`/`--limit`), batches and `--dry-run` all go through here.

use super::{Ctx, fail, write_failed};
use crate::backends::{self, Backend};
use crate::config;
use crate::exit::{self, BatchStatus};
use crate::input::{self, Item};
use crate::options::{self, OutputFormat, RunFlags};
use crate::output::{self, Out, Progress};
use clap::ArgMatches;
use connector_core::futures::stream::{BoxStream, StreamExt};
use connector_core::{ActionSpec, Connector, OutcomeResult, Pagination, Summary, batch};
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// `connector <backend> <resource> <verb> --flags`.
pub async fn run(ctx: &Ctx, backend: Backend, spec: &'static ActionSpec, m: &ArgMatches) -> u8 {
    let flags = match options::from_matches(m, backend) {
        Ok(f) => f,
        Err(e) => return fail(&e),
    };
    let input = match input::from_flags(spec, m, ctx.quiet) {
        Ok(i) => i,
        Err(e) => return fail(&e),
    };
    let connector = match connect(ctx, backend, &flags) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let mut out = Out::new();
    single(&*connector, spec, input, &flags, &mut out).await
}

/// Loads the profile and builds the backend's client, once.
pub fn connect(ctx: &Ctx, backend: Backend, flags: &RunFlags) -> Result<Arc<dyn Connector>, u8> {
    let profile = config::load_profile(ctx.profile.as_deref()).map_err(|e| fail(&e))?;
    let connector = backends::build(backend, &profile, flags).map_err(|e| fail(&e))?;
    warn_insecure(flags);
    tracing::debug!(backend = backend.name(), base_url = %connector.base_url(), "client ready");
    Ok(connector)
}

/// The warning `--ignore-ssl-issues` always prints.
pub fn warn_insecure(flags: &RunFlags) {
    if flags.options.ignore_ssl_issues {
        output::warn(
            "--ignore-ssl-issues: TLS certificates are not checked; anyone on the network path \
             can read and change this traffic",
        );
    }
}

/// One input: a call, a paged list, or a dry run.
pub async fn single(
    connector: &dyn Connector,
    spec: &'static ActionSpec,
    input: Map<String, Value>,
    flags: &RunFlags,
    out: &mut Out,
) -> u8 {
    let code = if flags.dry_run {
        match connector.prepare(spec.id, &input) {
            Ok(req) => {
                let shown = connector.describe(&req, &flags.options);
                match out.document(&shown, flags.output) {
                    Ok(()) => exit::SUCCESS,
                    Err(e) => return write_failed(&e),
                }
            }
            Err(e) => fail(&e),
        }
    } else if flags.all {
        let mut items = connector.stream(spec.id, input, &flags.options, flags.limit);
        let mut code = exit::SUCCESS;
        while let Some(item) = items.next().await {
            match item {
                Ok(v) => {
                    if let Err(e) = out.line(v, flags.output) {
                        return write_failed(&e);
                    }
                }
                Err(e) => {
                    // Items already printed stay printed; flush them before the message.
                    if let Err(w) = out.finish() {
                        return write_failed(&w);
                    }
                    code = fail(&e);
                    break;
                }
            }
        }
        code
    } else {
        match connector.execute(spec.id, input, &flags.options).await {
            Ok(v) => match out.document(table_items(spec, &v, flags), flags.output) {
                Ok(()) => exit::SUCCESS,
                Err(e) => return write_failed(&e),
            },
            Err(e) => fail(&e),
        }
    };
    match out.finish() {
        Ok(()) => code,
        Err(e) => write_failed(&e),
    }
}

/// For `--output table`, the items of a paged list's answer rather than its envelope.
fn table_items<'v>(spec: &ActionSpec, value: &'v Value, flags: &RunFlags) -> &'v Value {
    match (flags.output, spec.pagination) {
        (Some(OutputFormat::Table), Pagination::PageNumber { items, .. }) if !items.is_empty() => {
            value.pointer(items).unwrap_or(value)
        }
        _ => value,
    }
}

/// Many inputs: one outcome line per input, in input order, streamed.
pub async fn many(
    ctx: &Ctx,
    connector: Arc<dyn Connector>,
    spec: &'static ActionSpec,
    items: BoxStream<'static, Item>,
    flags: &RunFlags,
    out: &mut Out,
) -> u8 {
    let mut progress = Progress::new(ctx.quiet);
    let mut summary = Summary::default();
    let mut status = BatchStatus::default();
    let quiet = ctx.quiet;
    let mut report = |index: usize, error: &connector_core::Error, progress: &Progress| {
        status.record(error);
        if !quiet {
            progress.suspend(|| output::error(format!("item {index}: {error}")));
        }
    };
    if flags.dry_run {
        let mut items = items.enumerate();
        while let Some((index, item)) = items.next().await {
            progress.inc();
            let line = match item.and_then(|m| connector.prepare(spec.id, &m)) {
                Ok(req) => {
                    summary.ok += 1;
                    json!({"index": index, "ok": true, "request": connector.describe(&req, &flags.options)})
                }
                Err(e) => {
                    summary.failed += 1;
                    report(index, &e, &progress);
                    json!({"index": index, "ok": false, "error": e.to_json()})
                }
            };
            if let Err(e) = progress.suspend(|| out.line(line, flags.output)) {
                progress.finish();
                return write_failed(&e);
            }
        }
    } else {
        let mut outcomes = batch::run(&*connector, spec.id, items, &flags.options);
        while let Some(outcome) = outcomes.next().await {
            progress.inc();
            summary.add(&outcome);
            if let OutcomeResult::Err(e) = &outcome.result {
                report(outcome.index, e, &progress);
            }
            if let Err(e) = progress.suspend(|| out.line(outcome.into_json(), flags.output)) {
                progress.finish();
                return write_failed(&e);
            }
        }
    }
    progress.finish();
    if let Err(e) = out.finish() {
        return write_failed(&e);
    }
    if !quiet {
        output::summary(&summary);
    }
    status.exit_code()
}
