//! `connector mcp`: every action as a tool for AI agents, over the Model Context
//! Protocol on stdio (the official Rust SDK, `rmcp`). Credentials, profiles and
//! request options are those of every other command; stdout carries only the
//! protocol, messages and logs go to stderr.

mod call;
mod catalog;
mod masking;
mod server;
mod tools;

use super::action::warn_about_flags;
use super::context::{Ctx, block_on, fail};
use crate::backend::Backend;
use crate::backends;
use crate::config;
use crate::exit;
use crate::files::Target;
use crate::options::{self, connection_args, request_args};
use crate::output;
use clap::builder::PossibleValuesParser;
use clap::{Arg, ArgAction, ArgMatches, Command, ValueHint};
use connector_core::Error;
use server::{Client, Mode, Server};
use std::path::PathBuf;
use tools::{CATALOG_ABOVE, Patterns};

/// The request-option flags that mean something to a server answering one call at a
/// time (no batch, list, dry-run or output flags: those are per call, or the protocol's).
const REQUEST_FLAGS: &[&str] = &[
    "timeout",
    "total-timeout",
    "proxy",
    "no-proxy",
    "ignore-ssl-issues",
    "retries",
    "rate-limit",
];

pub fn command() -> Command {
    Command::new("mcp")
        .about("Serve every action as a tool for AI agents (Model Context Protocol over stdio)")
        .long_about(format!(
            "Serve every action as a tool for AI agents: a Model Context Protocol server on \
             stdin/stdout, for desktop assistants, IDEs and agent frameworks. Credentials, \
             profiles and request options are those of every other command. Inputs are \
             validated before anything is sent; writes take dry_run; lists give at most \
             `limit` items per call; tokens and secrets never appear in a result. stdout \
             carries only the protocol; messages and logs (-v) go to stderr.\n\n\
             --tools all offers one tool per action; --tools catalog offers three \
             (search_actions, describe_action, run_action) so an agent looks up what it \
             needs; the default is catalog above {CATALOG_ABOVE} selected actions."
        ))
        .after_help(
            "Register it with an assistant (credentials from the config file's profile):\n  \
             {\"mcpServers\": {\"connector\": {\"command\": \"connector\", \
             \"args\": [\"mcp\", \"--profile\", \"work\", \"--read-only\"]}}}",
        )
        .arg(
            Arg::new("backend")
                .long("backend")
                .value_name("BACKEND")
                .action(ArgAction::Append)
                .value_parser(PossibleValuesParser::new(Backend::ALL.map(Backend::name)))
                .help("Offer this backend's actions; repeatable [default: every backend with credentials]"),
        )
        .arg(
            Arg::new("tools")
                .long("tools")
                .value_name("MODE")
                .value_parser(["all", "catalog"])
                .help(format!(
                    "all: one tool per action; catalog: search_actions, describe_action, \
                     run_action [default: catalog above {CATALOG_ABOVE} actions, else all]"
                )),
        )
        .arg(
            Arg::new("read-only")
                .long("read-only")
                .action(ArgAction::SetTrue)
                .help("Offer only actions that read (GET, and paged searches); nothing can change data"),
        )
        .arg(
            Arg::new("actions")
                .long("actions")
                .value_name("GLOB")
                .action(ArgAction::Append)
                .help("Offer only actions whose id (contacts.*) or backend.id (moco.activities.*) matches; repeatable"),
        )
        .arg(
            Arg::new("out-dir")
                .long("out-dir")
                .value_name("DIR")
                .value_hint(ValueHint::DirPath)
                .value_parser(clap::value_parser!(PathBuf))
                .help("Where files that actions answer with (PDFs, exports) are saved; results give the path [default: <temp dir>/connector-mcp]"),
        )
        .args(connection_args(true))
        .args(
            request_args()
                .into_iter()
                .filter(|a| REQUEST_FLAGS.contains(&a.get_id().as_str())),
        )
}

/// `connector mcp ...`: serves until the client closes stdin.
pub fn run(ctx: &Ctx, m: &ArgMatches) -> u8 {
    let named: Vec<Backend> = m
        .get_many::<String>("backend")
        .into_iter()
        .flatten()
        .filter_map(|b| Backend::from_name(b))
        .collect();
    let read_only = m.get_flag("read-only");
    let patterns = match Patterns::new(
        m.get_many::<String>("actions")
            .into_iter()
            .flatten()
            .map(String::as_str),
    ) {
        Ok(p) => p,
        Err(e) => return fail(&Error::validation("actions", e)),
    };
    let files = match downloads_dir(m.get_one::<PathBuf>("out-dir")) {
        Ok(t) => t,
        Err(e) => return fail(&e),
    };
    let clients = match clients(ctx, m, &named) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let backends: Vec<Backend> = clients.iter().map(|c| c.backend).collect();
    let offered = tools::select(&backends, read_only, &patterns);
    if offered.is_empty() {
        return fail(&Error::validation(
            "actions",
            "no action of the chosen backends matches",
        ));
    }
    let mode = match m.get_one::<String>("tools").map(String::as_str) {
        Some("all") => Mode::All,
        Some(_) => Mode::Catalog,
        None if offered.len() > CATALOG_ABOVE => Mode::Catalog,
        None => Mode::All,
    };
    let count = offered.len();
    let server = Server::new(mode, read_only, offered, clients, files);
    output::note(
        ctx.quiet,
        format!(
            "connector mcp: {count} actions of {} as {} tool{} ({}{}), on stdio",
            backends
                .iter()
                .map(|b| b.name())
                .collect::<Vec<_>>()
                .join(" and "),
            server.tools().len(),
            if server.tools().len() == 1 { "" } else { "s" },
            match mode {
                Mode::All => "one per action",
                Mode::Catalog => "catalog",
            },
            if read_only { ", reads only" } else { "" },
        ),
    );
    block_on(serve(server))
}

/// `--out-dir`, which must be a directory; by default one in the system's temporary
/// directory, made when missing.
fn downloads_dir(given: Option<&PathBuf>) -> Result<Target, Error> {
    let dir = match given {
        Some(dir) => dir.clone(),
        None => {
            let dir = std::env::temp_dir().join("connector-mcp");
            std::fs::create_dir_all(&dir).map_err(|e| {
                Error::validation("out-dir", format!("cannot make {}: {e}", dir.display()))
            })?;
            dir
        }
    };
    let target = Target {
        out: None,
        out_dir: Some(dir),
    };
    target.check_many()?;
    Ok(target)
}

async fn serve(server: Server) -> u8 {
    use rmcp::ServiceExt;
    let running = match server.serve(rmcp::transport::stdio()).await {
        Ok(r) => r,
        Err(e) => {
            output::error(format!("the MCP session did not start: {e}"));
            return exit::FAILURE;
        }
    };
    match running.waiting().await {
        Ok(reason) => {
            tracing::info!(?reason, "MCP session ended");
            exit::SUCCESS
        }
        Err(e) => {
            output::error(format!("the MCP session failed: {e}"));
            exit::FAILURE
        }
    }
}

/// One client per backend, built once from the same flags, profile and environment
/// as every other command. Without `--backend`, a backend that has no credentials is
/// left out (with a note); a named one must have them.
fn clients(ctx: &Ctx, m: &ArgMatches, named: &[Backend]) -> Result<Vec<Client>, u8> {
    let wanted: Vec<Backend> = Backend::ALL
        .into_iter()
        .filter(|b| named.is_empty() || named.contains(b))
        .collect();
    // Read once, as MOCO's: `--impersonate` applies to MOCO only.
    let flags = options::from_matches(m, Backend::Moco.impersonation()).map_err(|e| fail(&e))?;
    if flags.impersonate.is_some() && !wanted.contains(&Backend::Moco) {
        return Err(fail(&Error::validation(
            "impersonate",
            "only MOCO supports impersonation",
        )));
    }
    if (flags.base_url.is_some() || flags.token_file.is_some()) && wanted.len() != 1 {
        return Err(fail(&Error::validation(
            "base-url",
            "--base-url and --token-file name one backend's server: add exactly one --backend",
        )));
    }
    let profile = config::load_profile(ctx.profile.as_deref()).map_err(|e| fail(&e))?;
    let mut clients = Vec::new();
    let mut first_error = None;
    for backend in wanted {
        let mut backend_flags = flags.clone();
        if backend != Backend::Moco {
            backend_flags.impersonate = None;
        }
        match backends::build(backend, &profile, &backend_flags) {
            Ok((connector, redactor)) => clients.push(Client {
                backend,
                connector,
                options: backend_flags.options,
                redactor,
            }),
            Err(e) if named.is_empty() && matches!(e, Error::Config(_)) => {
                output::note(
                    ctx.quiet,
                    format!("connector mcp: {} left out: {e}", backend.name()),
                );
                first_error.get_or_insert(e);
            }
            Err(e) => return Err(fail(&e)),
        }
    }
    if clients.is_empty() {
        let e = first_error.unwrap_or_else(|| Error::Config("no backend".into()));
        return Err(fail(&e));
    }
    warn_about_flags(ctx, &flags);
    Ok(clients)
}
