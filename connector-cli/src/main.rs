//! `connector`: every Konverte Digital and MOCO action from the shell.

mod backend;
mod backends;
mod cli;
mod commands;
mod config;
mod credstore;
mod environment;
mod exit;
mod files;
mod input;
mod jq;
mod options;
mod out;
mod output;
mod params;
mod progress;
mod redact;
mod render;
mod suggest;
mod terminal;

use std::process::ExitCode;

// Batches allocate on every worker thread at once; glibc's malloc serialises them on
// its arena locks (seen in profiles of the bulk benchmark), mimalloc does not.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // When the shell asks for completions (`COMPLETE=bash connector ...`), answer and exit.
    clap_complete::CompleteEnv::with_factory(cli::command)
        .var(commands::completions::VAR)
        .complete();
    let matches = match cli::command().try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(exit::USAGE));
        }
    };
    let ctx = commands::Ctx::from_matches(&matches);
    logging(&ctx, &matches);
    let code = commands::dispatch(&ctx, &matches);
    files::cleanup();
    exit::code(code)
}

/// Tracing to stderr: errors only by default, `-v` info, `-vv` debug, `-vvv` trace (for
/// this workspace's crates; HTTP internals stay at debug). Credentials are sent as
/// sensitive headers and never enter a log line.
fn logging(ctx: &commands::Ctx, matches: &clap::ArgMatches) {
    use tracing_subscriber::EnvFilter;
    let ours = [
        "connector",
        "connector_core",
        "connector_konverte",
        "connector_moco",
        "connector_sandbox",
    ];
    let sandbox = matches.subcommand_name() == Some("sandbox");
    let level = match (ctx.verbose, sandbox) {
        (0, false) => "error",
        (0, true) | (1, _) => "info",
        (2, _) => "debug",
        _ => "trace",
    };
    let mut directives = String::from(if ctx.verbose >= 2 { "info" } else { "error" });
    for krate in ours {
        directives.push_str(&format!(",{krate}={level}"));
    }
    if ctx.verbose >= 2 {
        directives.push_str(",reqwest=debug");
    }
    let filter = EnvFilter::try_new(&directives).unwrap_or_else(|_| EnvFilter::new("error"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never)
        .try_init();
}
