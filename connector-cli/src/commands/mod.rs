//! The commands, and what they share.

pub mod action;
pub mod actions;
pub mod api;
pub mod auth;
pub mod completions;
pub mod download;
pub mod mcp;
pub mod run;
pub mod sandbox;
pub mod webhooks;

use crate::backend::Backend;
use crate::cli::DOWNLOAD;
use crate::exit;
use crate::output;
use clap::ArgMatches;
use connector_core::Error;
use std::future::Future;

/// What every command may need from the root flags.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub verbose: u8,
    pub quiet: bool,
    pub profile: Option<String>,
}

impl Ctx {
    pub fn from_matches(m: &ArgMatches) -> Self {
        Ctx {
            verbose: m.get_count("verbose"),
            quiet: m.get_flag("quiet"),
            // `CONNECTOR_PROFILE=` (empty) is no profile.
            profile: m
                .get_one::<String>("profile")
                .filter(|p| !p.trim().is_empty())
                .cloned(),
        }
    }
}

/// Runs the chosen command and returns its exit code.
pub fn dispatch(ctx: &Ctx, m: &ArgMatches) -> u8 {
    let Some((name, sub)) = m.subcommand() else {
        return exit::USAGE;
    };
    match name {
        "actions" => actions::run(sub),
        "auth" => block_on(auth::run(ctx, sub)),
        "api" => block_on(api::run(ctx, sub)),
        "completions" => completions::run(sub),
        "mcp" => mcp::run(ctx, sub),
        "run" => block_on(run::run(ctx, sub)),
        "sandbox" => block_on(sandbox::run(ctx, sub)),
        other => match Backend::from_name(other) {
            Some(backend) => backend_command(ctx, backend, sub),
            None => exit::USAGE,
        },
    }
}

fn backend_command(ctx: &Ctx, backend: Backend, m: &ArgMatches) -> u8 {
    let Some((resource, rm)) = m.subcommand() else {
        return exit::USAGE;
    };
    if resource == DOWNLOAD {
        return block_on(download::run(ctx, backend, rm));
    }
    let Some((verb, leaf)) = rm.subcommand() else {
        return exit::USAGE;
    };
    if resource == webhooks::WEBHOOKS
        && let Some(code) = webhooks::run(ctx, backend, verb, leaf)
    {
        return code;
    }
    let Some(spec) = backend
        .actions()
        .iter()
        .find(|a| a.resource == resource && a.verb == verb)
    else {
        output::error(format!("unknown action {resource} {verb}"));
        return exit::USAGE;
    };
    block_on(action::run(ctx, backend, spec, leaf))
}

/// Builds the one tokio runtime of this process and runs `fut` on it. One thread: a
/// batch's work per item is small next to the network wait, and on a busy machine one
/// thread beats several (fewer context switches; see bench/RESULTS.md).
pub fn block_on<F: Future<Output = u8>>(fut: F) -> u8 {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => {
            let code = rt.block_on(fut);
            // Do not wait for stray blocking reads (stdin) to finish.
            rt.shutdown_background();
            code
        }
        Err(e) => {
            output::error(format!("cannot start the async runtime: {e}"));
            exit::FAILURE
        }
    }
}

/// Prints an error and returns its exit code.
pub fn fail(error: &Error) -> u8 {
    output::error(error);
    exit::for_error(error)
}

/// The exit code after a failed write to stdout: a closed pipe (`| head`) is not an
/// error worth a message.
pub fn write_failed(e: &std::io::Error) -> u8 {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        exit::SUCCESS
    } else if e.kind() == std::io::ErrorKind::InvalidData {
        // What the output stage refused (`--jq` on some items), reported item by item.
        output::error(e);
        exit::FAILURE
    } else {
        output::error(format!("cannot write the output: {e}"));
        exit::FAILURE
    }
}
