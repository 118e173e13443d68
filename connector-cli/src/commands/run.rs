//! `connector run <backend> <action-id> --input JSON|@FILE|-`.

use super::action::{connect, lenient_warnings, many, single};
use super::{Ctx, fail};
use crate::backend::Backend;
use crate::exit;
use crate::input::{self, Input};
use crate::options;
use crate::output::Out;
use clap::ArgMatches;
use connector_core::Error;

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
    if flags.all && matches!(input, Input::Batch(_)) {
        return fail(&Error::validation(
            "input",
            "--all and --limit take one inline JSON object, not JSON Lines",
        ));
    }
    let connector = match connect(ctx, backend, &mut flags) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let mut out = Out::new();
    match input {
        Input::Single(map) => {
            lenient_warnings(ctx, spec, &flags)(&map);
            single(&*connector, spec, map, &flags, &mut out).await
        }
        Input::Batch(items) => many(ctx, connector, spec, items, &flags, &mut out).await,
    }
}
