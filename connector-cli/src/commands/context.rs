//! What every command shares: the root flags ([`Ctx`]), the one async runtime, the
//! error exit, and the shape of the commands a backend adds beside its actions
//! ([`Added`]). Below every command module; it knows none of them.

use crate::exit;
use crate::output;
use clap::{ArgMatches, Command};
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

/// Commands a backend adds beside its declared actions (MOCO's and Konverte's
/// `webhooks listen|verify|ensure`), as the backend's descriptor supplies them
/// ([`crate::backend::Backend::added`]): the tree and the dispatcher only walk this table.
#[derive(Debug, Clone, Copy)]
pub struct Added {
    /// The resource they go under: beside the declared actions of that name, else a
    /// resource of their own.
    pub resource: &'static str,
    /// The resource's help when the backend declares no action under it.
    pub about: &'static str,
    /// The clap commands.
    pub commands: fn() -> Vec<Command>,
    /// Runs `verb` when it is one of them (`None`: a declared action of that name).
    pub run: fn(&Ctx, &str, &ArgMatches) -> Option<u8>,
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

/// Prints an error raised before any credential is loaded and returns its exit code
/// (afterwards: [`crate::out::Out::fail`], which masks them).
pub fn fail(error: &Error) -> u8 {
    output::error(error);
    exit::for_error(error)
}

/// The exit code after a failed write to stdout by a command that holds no credentials.
pub fn write_failed(e: &std::io::Error) -> u8 {
    crate::out::write_failed(e, output::error)
}
