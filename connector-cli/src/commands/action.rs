//! One action: a generated command's flags, or `run`'s input. Single calls, paged
//! lists (`--all`/`--limit`), batches and `--dry-run` all go through here.

use super::context::{Ctx, fail};
use crate::backend::Backend;
use crate::backends;
use crate::config;
use crate::exit::{self, BatchStatus};
use crate::input::{self, Numbered};
use crate::options::{self, RunFlags};
use crate::out::Out;
use crate::output;
use crate::params::{YES, deletes};
use crate::progress::Progress;
use crate::redact::Redactor;
use async_trait::async_trait;
use clap::ArgMatches;
use connector_core::futures::FutureExt;
use connector_core::futures::stream::{BoxStream, StreamExt};
use connector_core::request;
use connector_core::{
    ActionSpec, Connector, Error, Options, Outcome, OutcomeResult, PreparedRequest, RequestOptions,
    ResponseKind, Sleeper, Summary, Url, batch,
};
use serde_json::{Map, Value, json};
use std::collections::{HashMap, HashSet};
use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// `connector <backend> <resource> <verb> --flags`.
pub async fn run(ctx: &Ctx, backend: Backend, spec: &'static ActionSpec, m: &ArgMatches) -> u8 {
    let mut flags = match options::from_matches(m, backend.impersonation()) {
        Ok(f) => f,
        Err(e) => return fail(&e),
    };
    let input = match input::from_flags(spec, m, ctx.quiet) {
        Ok(i) => i,
        Err(e) => return fail(&e),
    };
    let (connector, redactor) = match connect(ctx, backend, &mut flags) {
        Ok(c) => c,
        Err(code) => return code,
    };
    lenient_warnings(ctx, spec, &flags)(&input);
    let mut out = Out::new(redactor).with_view(&flags.fields, flags.jq.as_deref());
    let deleting = deletes(spec) && !flags.dry_run;
    let what = deleting.then(|| target(spec, &input));
    if let Some(what) = &what
        && !options::flag(m, YES)
        && !confirm(&format!("delete {what}?"))
    {
        out.error("not deleted (give --yes to delete without asking)");
        return exit::USAGE;
    }
    let code = single(&*connector, spec, input, &flags, &mut out).await;
    if let Some(what) = what
        && code == exit::SUCCESS
    {
        out.note(ctx.quiet, format!("deleted {what}"));
    }
    code
}

/// What a delete acts on, for the prompt and the note: the resource and the path
/// parameters given (`contacts id=5 account_id=1`).
fn target(spec: &ActionSpec, input: &Map<String, Value>) -> String {
    let mut text = spec.resource.to_owned();
    for p in spec
        .params
        .iter()
        .filter(|p| p.location == connector_core::Location::Path)
    {
        if let Some(v) = input.get(p.name) {
            let v = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
            text.push_str(&format!(" {}={v}", p.name));
        }
    }
    text
}

/// Asks on the terminal; without one (a script, a pipe) the answer is yes, so scripts
/// keep working.
fn confirm(question: &str) -> bool {
    use std::io::{BufRead, IsTerminal, Write};
    if !io::stdin().is_terminal() || !io::stderr().is_terminal() {
        return true;
    }
    let mut stderr = io::stderr().lock();
    let _ = write!(stderr, "{} [y/N] ", crate::terminal::escape(question));
    let _ = stderr.flush();
    let mut answer = String::new();
    if io::stdin().lock().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim(), "y" | "Y" | "yes" | "Yes" | "YES")
}

/// With `--lenient` (and not quiet): one warning for each field or enum word the
/// declaration does not know, the first time an input carries it, not once per item.
pub fn lenient_warnings(
    ctx: &Ctx,
    spec: &'static ActionSpec,
    flags: &RunFlags,
) -> impl FnMut(&Map<String, Value>) + Send + 'static {
    let on = flags.options.lenient && !ctx.quiet;
    let mut warned = HashSet::new();
    move |input| {
        if !on {
            return;
        }
        for what in request::undeclared(spec, input) {
            if warned.insert(what.clone()) {
                output::warn(format!(
                    "{what} of `{}`; sent as given (--lenient)",
                    spec.id
                ));
            }
        }
    }
}

/// Loads the profile and builds the backend's client, once, with the redactor of the
/// credentials it holds (for the command's [`Out`]).
pub fn connect(
    ctx: &Ctx,
    backend: Backend,
    flags: &mut RunFlags,
) -> Result<(Arc<dyn Connector>, Redactor), u8> {
    let profile = config::load_profile(ctx.profile.as_deref()).map_err(|e| fail(&e))?;
    flags.apply_profile(&profile).map_err(|e| fail(&e))?;
    let (connector, redactor) = backends::build(backend, &profile, flags).map_err(|e| fail(&e))?;
    warn_about_flags(ctx, flags);
    tracing::debug!(backend = backend.name(), base_url = %connector.base_url(), "client ready");
    Ok((connector, redactor))
}

/// The warning `--ignore-ssl-issues` always prints, and the one about a proxy password
/// on the command line (unless quiet).
pub fn warn_about_flags(ctx: &Ctx, flags: &RunFlags) {
    if flags.options.ignore_ssl_issues {
        output::warn(
            "--ignore-ssl-issues: TLS certificates are not checked; anyone on the network path \
             can read and change this traffic",
        );
    }
    if flags.proxy_password && !ctx.quiet {
        output::warn(
            "--proxy: the password in the proxy URL is visible to other users of this machine \
             (ps, shell history)",
        );
    }
}

/// `--dry-run`: the request as it would go out, or the error the real run would stop
/// at before sending.
pub fn dry_run(
    connector: &dyn Connector,
    action_id: &str,
    input: &Map<String, Value>,
    options: &Options,
) -> Result<Value, Error> {
    let request = connector.prepare_with(action_id, input, options)?;
    connector.describe(&request, options)
}

/// `--dry-run` for inputs that may name records: the lookups run (they are reads), and
/// the request shows the ids they found and says which lookups were made.
pub async fn dry_run_resolving(
    connector: &dyn Connector,
    action_id: &str,
    input: Map<String, Value>,
    options: &Options,
) -> Result<Value, Error> {
    let resolved = connector.resolve(action_id, input, options).await?;
    let mut shown = dry_run(connector, action_id, &resolved.input, options)?;
    if !resolved.lookups.is_empty()
        && let Value::Object(map) = &mut shown
    {
        map.insert(
            "lookups".into(),
            serde_json::to_value(&resolved.lookups).unwrap_or_default(),
        );
    }
    Ok(shown)
}

/// One input: a call, a paged list, or a dry run.
pub async fn single(
    connector: &dyn Connector,
    spec: &'static ActionSpec,
    mut input: Map<String, Value>,
    flags: &RunFlags,
    out: &mut Out,
) -> u8 {
    options::fill_defaults(flags.account_id, spec, &mut input);
    out.use_columns(spec);
    let code = if flags.dry_run {
        match dry_run_resolving(connector, spec.id, input, &flags.options).await {
            Ok(shown) => match out.request(&shown, flags.output) {
                Ok(()) => exit::SUCCESS,
                Err(e) => return out.write_failed(&e),
            },
            Err(e) => out.fail(&e),
        }
    } else if spec.response == ResponseKind::Bytes {
        if let Err(e) = flags.files.check_single() {
            return out.fail(&e);
        }
        // Buffered JSON lines must not interleave with the file's bytes on stdout.
        if let Err(e) = out.flush() {
            return out.write_failed(&e);
        }
        match connector.download(spec.id, input, &flags.options).await {
            Ok(download) => match flags.files.save(download).await {
                Ok(saved) => {
                    if let Some(file) = saved["file"].as_str() {
                        out.note(false, format!("saved {} bytes to {file}", saved["bytes"]));
                    }
                    exit::SUCCESS
                }
                Err(e) => out.fail(&e),
            },
            Err(e) => out.fail(&e),
        }
    } else if flags.all {
        if let Err(e) = out.begin_stream(flags.output) {
            return out.write_failed(&e);
        }
        let mut items = connector.stream(spec.id, input, &flags.options, flags.limit);
        let mut code = exit::SUCCESS;
        let mut printed = 0usize;
        while let Some(item) = items.next().await {
            match item {
                Ok(v) => {
                    if let Err(e) = out.line(v, flags.output) {
                        return out.write_failed(&e);
                    }
                    printed += 1;
                }
                Err(e) => {
                    // Items already printed stay printed; flush them before the message.
                    if let Err(w) = out.finish() {
                        return out.write_failed(&w);
                    }
                    if printed == 0 {
                        code = out.fail(&e);
                    } else {
                        out.error(format!(
                            "the list is incomplete ({printed} items printed): {e}"
                        ));
                        code = exit::FAILURE;
                    }
                    break;
                }
            }
        }
        code
    } else {
        match connector.execute(spec.id, input, &flags.options).await {
            Ok(v) => match out.answer(spec, v, flags.output) {
                Ok(()) => exit::SUCCESS,
                Err(e) => return out.write_failed(&e),
            },
            Err(e) => out.fail(&e),
        }
    };
    match out.finish() {
        Ok(()) => code,
        Err(e) => out.write_failed(&e),
    }
}

/// What a batch's outcome lines and progress bar carry besides the outcome.
#[derive(Debug, Default)]
pub struct BatchInfo {
    /// How many inputs there are, when known up front.
    pub total: Option<u64>,
    /// `--key FIELD`: that field of each input goes into its outcome line as `key`.
    pub key: Option<String>,
}

/// Where each input of a batch came from, by its index, until its outcome is written.
type Origins = Arc<Mutex<HashMap<usize, (usize, Option<Value>)>>>;

/// Many inputs: one outcome line per input, in input order, written as they arrive;
/// each line carries the input's `line` (and with `--key`, its `key`).
///
/// Ctrl-C or SIGTERM stops reading inputs; the requests in flight finish and their
/// outcomes are written, inputs already read but not sent are `skipped`, and the exit
/// code says which signal it was. A second signal stops at once.
pub async fn many(
    ctx: &Ctx,
    connector: Arc<dyn Connector>,
    spec: &'static ActionSpec,
    items: BoxStream<'static, Numbered>,
    info: BatchInfo,
    flags: &RunFlags,
    out: &mut Out,
) -> u8 {
    let mut signals = Signals::new();
    let (stop, stopped) = watch::channel(false);
    let mut warn = lenient_warnings(ctx, spec, flags);
    let account_id = flags.account_id;
    let origins: Origins = Arc::default();
    let recorded = Arc::clone(&origins);
    let key = info.key.clone();
    let items = items
        .map(move |mut n| {
            if let Ok(input) = &mut n.item {
                options::fill_defaults(account_id, spec, input);
            }
            n
        })
        .inspect(move |n| {
            if let Ok(input) = &n.item {
                warn(input);
            }
        })
        .take_until(wait_for_stop(stopped.clone()))
        .enumerate()
        .map(move |(index, n)| {
            let key = key.as_ref().and_then(|k| {
                n.item
                    .as_ref()
                    .ok()
                    .and_then(|input| input.get(k.as_str()).cloned())
            });
            recorded
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(index, (n.line, key));
            n.item
        });
    let downloads = if spec.response == ResponseKind::Bytes && !flags.dry_run {
        match flags.files.check_many() {
            Ok(_) => Some(flags.files.clone()),
            Err(e) => return out.fail(&e),
        }
    } else {
        None
    };
    let gate = Gate {
        inner: &*connector,
        stop: stopped,
        downloads,
    };
    let mut outcomes = if flags.dry_run {
        let connector = Arc::clone(&connector);
        items
            .enumerate()
            .then(move |(index, item)| {
                let connector = Arc::clone(&connector);
                async move {
                    let result = match item {
                        Ok(m) => dry_run_resolving(&*connector, spec.id, m, &flags.options).await,
                        Err(e) => Err(e),
                    };
                    Outcome {
                        index,
                        result: match result {
                            Ok(request) => OutcomeResult::Ok(request),
                            Err(e) => OutcomeResult::Err(e),
                        },
                    }
                }
            })
            .boxed()
    } else {
        batch::run(&gate, spec.id, items, &flags.options)
    };

    let paced = Arc::clone(&connector);
    let mut progress = Progress::new(ctx.quiet, info.total, move || paced.pacing());
    let mut summary = Summary::default();
    let mut status = BatchStatus::default();
    let mut signal = None;
    let mut write_error = out.begin_stream(flags.output).err();
    while write_error.is_none() {
        let next = match outcomes.next().now_or_never() {
            Some(next) => next,
            None => {
                // Nothing ready: let what is buffered out while waiting, so that
                // outcomes show up as they arrive but not one write per line under load.
                if let Err(e) = out.flush() {
                    write_error = Some(e);
                    break;
                }
                tokio::select! {
                    next = outcomes.next() => next,
                    code = signals.recv() => {
                        if signal.replace(code).is_some() {
                            break;
                        }
                        let _ = stop.send(true);
                        progress.suspend(|| {
                            out.note(
                                ctx.quiet,
                                "stopping: no more inputs are read; waiting for the requests in flight \
                                 (again to stop at once)",
                            )
                        });
                        continue;
                    }
                }
            }
        };
        let Some(mut outcome) = next else { break };
        if matches!(&outcome.result, OutcomeResult::Err(Error::Config(m)) if m == NOT_SENT) {
            outcome.result = OutcomeResult::Skipped;
        }
        progress.inc();
        summary.add(&outcome);
        if let OutcomeResult::Err(e) = &outcome.result {
            status.record(e);
            progress.suspend(|| out.error(format!("item {}: {e}", outcome.index)));
        }
        let origin = origins
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&outcome.index);
        let mut line = match outcome.result {
            OutcomeResult::Ok(request) if flags.dry_run => {
                json!({"index": outcome.index, "ok": true, "request": request})
            }
            _ => outcome.into_json(),
        };
        if let (Some((number, key)), Value::Object(map)) = (origin, &mut line) {
            map.insert("line".into(), number.into());
            if info.key.is_some() {
                map.insert("key".into(), key.unwrap_or(Value::Null));
            }
        }
        if let Err(e) = progress.suspend(|| out.line(line, flags.output)) {
            write_error = Some(e);
        }
    }
    drop(outcomes);
    progress.finish();
    if write_error.is_none() {
        write_error = out.finish().err();
    }
    if !ctx.quiet {
        output::summary(&summary);
    }
    match (signal, write_error) {
        (Some(code), _) => code,
        (None, Some(e)) => {
            // Requests were sent whose outcomes nobody saw: never a success.
            if e.kind() == io::ErrorKind::BrokenPipe {
                out.error("stdout was closed before the batch finished; it stopped there");
            } else {
                out.write_failed(&e);
            }
            exit::FAILURE
        }
        (None, None) => status.exit_code(),
    }
}

/// The error [`Gate`] gives an input it did not send; shown as `skipped`.
const NOT_SENT: &str = "not sent: the batch was stopped";

/// The connector as a batch sees it: once stopped, inputs already read are not sent,
/// and a pause between batches ends at once. For an action that answers with a file,
/// each item's file is saved and its outcome names it.
#[derive(Debug)]
struct Gate<'a> {
    inner: &'a dyn Connector,
    stop: watch::Receiver<bool>,
    downloads: Option<crate::files::Target>,
}

#[async_trait]
impl Connector for Gate<'_> {
    fn name(&self) -> &str {
        self.inner.name()
    }
    fn base_url(&self) -> &Url {
        self.inner.base_url()
    }
    fn actions(&self) -> &'static [ActionSpec] {
        self.inner.actions()
    }
    fn prepare(&self, id: &str, input: &Map<String, Value>) -> Result<PreparedRequest, Error> {
        self.inner.prepare(id, input)
    }
    fn prepare_with(
        &self,
        id: &str,
        input: &Map<String, Value>,
        options: &dyn RequestOptions,
    ) -> Result<PreparedRequest, Error> {
        self.inner.prepare_with(id, input, options)
    }
    fn describe(
        &self,
        request: &PreparedRequest,
        options: &dyn RequestOptions,
    ) -> Result<Value, Error> {
        self.inner.describe(request, options)
    }
    async fn execute(
        &self,
        id: &str,
        input: Map<String, Value>,
        options: &dyn RequestOptions,
    ) -> Result<Value, Error> {
        if *self.stop.borrow() {
            return Err(Error::Config(NOT_SENT.into()));
        }
        match &self.downloads {
            Some(target) => {
                let download = self.inner.download(id, input, options).await?;
                target.save(download).await
            }
            None => self.inner.execute(id, input, options).await,
        }
    }
    async fn download(
        &self,
        id: &str,
        input: Map<String, Value>,
        options: &dyn RequestOptions,
    ) -> Result<connector_core::Download, Error> {
        self.inner.download(id, input, options).await
    }
    async fn download_url(
        &self,
        url: &str,
        credentials_of: Option<&str>,
        options: &dyn RequestOptions,
    ) -> Result<connector_core::Download, Error> {
        self.inner.download_url(url, credentials_of, options).await
    }
    fn stream<'a>(
        &'a self,
        id: &str,
        input: Map<String, Value>,
        options: &'a dyn RequestOptions,
        limit: Option<usize>,
    ) -> BoxStream<'a, Result<Value, Error>> {
        self.inner.stream(id, input, options, limit)
    }
    async fn resolve(
        &self,
        id: &str,
        input: Map<String, Value>,
        options: &dyn RequestOptions,
    ) -> Result<connector_core::resolve::Resolved, Error> {
        self.inner.resolve(id, input, options).await
    }
    async fn check_credentials(&self, options: &dyn RequestOptions) -> Result<(), Error> {
        self.inner.check_credentials(options).await
    }
    fn sleeper(&self) -> &dyn Sleeper {
        self
    }
}

#[async_trait]
impl Sleeper for Gate<'_> {
    async fn sleep(&self, duration: Duration) {
        tokio::select! {
            () = self.inner.sleeper().sleep(duration) => {}
            () = wait_for_stop(self.stop.clone()) => {}
        }
    }
}

async fn wait_for_stop(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopped| *stopped).await;
}

/// SIGINT and SIGTERM, each as the exit code it gives. Registered once, so that no
/// signal is lost between two waits.
struct Signals {
    #[cfg(unix)]
    unix: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl Signals {
    fn new() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let unix = signal(SignalKind::interrupt())
                .and_then(|int| Ok((int, signal(SignalKind::terminate())?)))
                .ok();
            Signals { unix }
        }
        #[cfg(not(unix))]
        Signals {}
    }

    async fn recv(&mut self) -> u8 {
        #[cfg(unix)]
        if let Some((int, term)) = &mut self.unix {
            return tokio::select! {
                _ = int.recv() => exit::INTERRUPTED,
                _ = term.recv() => exit::TERMINATED,
            };
        }
        let _ = tokio::signal::ctrl_c().await;
        exit::INTERRUPTED
    }
}
