//! The commands, and the dispatcher that runs the one chosen. Each command module
//! depends on [`context`] (and `run`, `download`, the helpers on [`action`]); only this
//! file knows them all.

pub mod action;
pub mod actions;
pub mod api;
pub mod auth;
pub mod completions;
pub mod context;
pub mod download;
pub mod mcp;
pub mod run;
pub mod sandbox;
pub mod webhooks;

pub use context::Ctx;

use crate::backend::Backend;
use crate::exit;
use crate::output;
use clap::ArgMatches;
use context::{Added, block_on};

// The part of the backend descriptor that names command code. `backend.rs` stays a leaf
// (names, help, registry, capabilities), so this table of what each backend adds is
// bound here, where the commands it points at are in scope; the tree (cli.rs) and the
// dispatcher below only walk it.
impl Backend {
    /// The commands the backend adds beside its declared actions.
    pub fn added(self) -> &'static [Added] {
        match self {
            Backend::Konverte => &[webhooks::konverte::ADDED],
            Backend::Moco => &[webhooks::moco::ADDED],
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
    if resource == download::NAME {
        return block_on(download::run(ctx, backend, rm));
    }
    let Some((verb, leaf)) = rm.subcommand() else {
        return exit::USAGE;
    };
    for added in backend.added().iter().filter(|a| a.resource == resource) {
        if let Some(code) = (added.run)(ctx, verb, leaf) {
            return code;
        }
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
