//! `connector run <backend> <action-id> --input JSON|@FILE|-`.

use super::action::{BatchInfo, connect, lenient_warnings, many, single};
use super::context::{Ctx, fail};
use crate::backend::Backend;
use crate::exit;
use crate::input::{self, Input};
use crate::options;
use crate::out::Out;
use clap::ArgMatches;
use connector_core::Error;
use connector_core::futures::StreamExt;
use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

pub async fn run(ctx: &Ctx, m: &ArgMatches) -> u8 {
    let backend_name = m
        .get_one::<String>("backend")
        .map(String::as_str)
        .unwrap_or("");
    let Some(backend) = Backend::from_name(backend_name) else {
        return exit::USAGE;
    };
    let id = m
        .get_one::<String>("action")
        .map(String::as_str)
        .unwrap_or("");
    let Some(spec) = backend.actions().iter().find(|a| a.id == id) else {
        let error = Error::UnknownAction {
            backend: backend.name().to_owned(),
            id: id.to_owned(),
        };
        let hint = crate::suggest::did_you_mean(id, backend.actions().iter().map(|a| a.id));
        crate::output::error(format!(
            "{error}{hint} (see `connector actions {}`)",
            backend.name()
        ));
        return exit::for_error(&error);
    };
    let mut flags = match options::from_matches(m, backend.impersonation()) {
        Ok(f) => f,
        Err(e) => return fail(&e),
    };
    let max_line = m
        .get_one::<usize>("max-line-size")
        .copied()
        .unwrap_or(input::DEFAULT_MAX_LINE);
    let given = m.get_one::<String>("input").map(String::as_str);
    let input = match input::parse(given, max_line).await {
        Ok(i) => i,
        Err(e) => return fail(&e),
    };
    let input = match retry_only_failed(m, input) {
        Ok(i) => i,
        Err(e) => return fail(&e),
    };
    if flags.all && matches!(input, Input::Batch { .. }) {
        return fail(&Error::validation(
            "input",
            "--all and --limit take one inline JSON object, not JSON Lines",
        ));
    }
    let (connector, redactor) = match connect(ctx, backend, &mut flags) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let mut out = Out::new(redactor).with_view(&flags.fields, flags.jq.as_deref());
    match input {
        Input::Single(map) => {
            lenient_warnings(ctx, spec, &flags)(&map);
            single(&*connector, spec, map, &flags, &mut out).await
        }
        Input::Batch { items, total } => {
            let info = BatchInfo {
                total,
                key: m.get_one::<String>("key").cloned(),
            };
            many(ctx, connector, spec, items, info, &flags, &mut out).await
        }
    }
}

/// `--retry-failed OUTCOMES.jsonl`: of the batch's inputs, only those whose outcome there
/// failed or was skipped (matched by `line`), so the same `--input` runs again for them.
fn retry_only_failed(m: &ArgMatches, input: Input) -> Result<Input, Error> {
    let Some(path) = m.get_one::<PathBuf>("retry-failed") else {
        return Ok(input);
    };
    let Input::Batch { items, .. } = input else {
        return Err(Error::validation(
            "retry-failed",
            "goes with the batch's own --input @FILE, - or JSON array",
        ));
    };
    let lines = failed_lines(path)?;
    let total = Some(lines.len() as u64);
    let items = items
        .filter(move |n| std::future::ready(lines.contains(&n.line)))
        .boxed();
    Ok(Input::Batch { items, total })
}

/// The `line` of every outcome in the file that is not `"ok": true`.
fn failed_lines(path: &Path) -> Result<HashSet<usize>, Error> {
    let field = "retry-failed";
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::validation(field, format!("cannot read {}: {e}", path.display())))?;
    let mut lines = HashSet::new();
    for (i, row) in text
        .lines()
        .enumerate()
        .filter(|(_, r)| !r.trim().is_empty())
    {
        let outcome: Value = serde_json::from_str(row).map_err(|e| {
            Error::validation(field, format!("line {}: not an outcome line: {e}", i + 1))
        })?;
        if outcome["ok"] == Value::Bool(true) {
            continue;
        }
        let Some(line) = outcome["line"].as_u64() else {
            return Err(Error::validation(
                field,
                format!(
                    "line {}: the outcome has no `line` to match an input by",
                    i + 1
                ),
            ));
        };
        lines.insert(usize::try_from(line).unwrap_or(usize::MAX));
    }
    Ok(lines)
}
