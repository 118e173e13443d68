//! `connector <backend> webhooks listen|verify|ensure`: receiving, checking and
//! registering webhooks, beside the backend's webhook actions. Each backend with
//! webhooks has a module here; [`commands`] and [`run`] are all the CLI tree and the
//! dispatcher know of them.

mod konverte;
mod moco;

use super::{Ctx, write_failed};
use crate::backend::Backend;
use crate::config::env;
use crate::exit;
use crate::output::{self, Out};
use clap::{Arg, ArgMatches, Command, ValueHint};
use connector_core::secret::read_token_file;
use connector_core::{Error, SecretString};
use serde::Serialize;
use std::path::Path;
use tokio::sync::mpsc;

/// The resource the helpers live under.
pub const WEBHOOKS: &str = "webhooks";

/// The helper commands of `backend`, added to its `webhooks` resource.
pub fn commands(backend: Backend) -> Vec<Command> {
    match backend {
        Backend::Konverte => konverte::commands(),
        Backend::Moco => moco::commands(),
    }
}

/// Runs `webhooks <verb>` of `backend` when it is a helper; `None` for an API action.
pub fn run(ctx: &Ctx, backend: Backend, verb: &str, m: &ArgMatches) -> Option<u8> {
    match backend {
        Backend::Konverte => konverte::run(ctx, verb, m),
        Backend::Moco => moco::run(ctx, verb, m),
    }
}

/// `--secret-file` and `--secret`, naming the environment variable read without them.
fn secret_args(env_var: &str) -> [Arg; 2] {
    [
        Arg::new("secret-file")
            .long("secret-file")
            .value_name("PATH")
            .value_hint(ValueHint::FilePath)
            .help(format!(
                "File holding the webhook's signing secret (else ${env_var})"
            )),
        Arg::new("secret")
            .long("secret")
            .value_name("SECRET")
            .conflicts_with("secret-file")
            .help("The signing secret itself (visible to other users in the process list: prefer --secret-file)"),
    ]
}

/// `--secret-file`, else `--secret` (with a warning), else `$env_var`; protected from
/// ever being printed.
fn secret(m: &ArgMatches, env_var: &str) -> Result<SecretString, Error> {
    let secret = find_secret(m, env_var)?;
    output::protect(&secret);
    Ok(secret)
}

fn find_secret(m: &ArgMatches, env_var: &str) -> Result<SecretString, Error> {
    if let Some(path) = m.get_one::<String>("secret-file") {
        return read_token_file(Path::new(path));
    }
    if let Some(s) = m.get_one::<String>("secret") {
        if s.trim().is_empty() {
            return Err(Error::Config(
                "--secret is empty: anyone could sign deliveries".into(),
            ));
        }
        output::warn(format!(
            "--secret puts the signing secret on the command line, where other users can see it; \
             prefer --secret-file or {env_var}"
        ));
        return Ok(SecretString::from(s.clone()));
    }
    env(env_var)
        .map(|s| SecretString::from(s.trim().to_owned()))
        .ok_or_else(|| {
            Error::Config(format!(
                "no webhook secret: pass --secret-file PATH or set {env_var}"
            ))
        })
}

fn list(m: &ArgMatches, id: &str) -> Vec<String> {
    m.get_many::<String>(id)
        .map(|v| v.cloned().collect())
        .unwrap_or_default()
}

/// Prints one JSON line per event until Ctrl-C/SIGTERM or the channel ends.
async fn print_events<E: Serialize>(out: &mut Out, events: &mut mpsc::Receiver<E>) -> u8 {
    let stop = super::sandbox::wait_for_signal();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => return exit::SUCCESS,
            event = events.recv() => {
                let Some(event) = event else { return exit::SUCCESS };
                if let Err(e) = print_event(out, &event) {
                    return write_failed(&e);
                }
            }
        }
    }
}

/// After the receiver stopped: deliveries it acknowledged are printed, not lost.
fn drain_events<E: Serialize>(out: &mut Out, events: &mut mpsc::Receiver<E>, mut code: u8) -> u8 {
    while code == exit::SUCCESS
        && let Ok(event) = events.try_recv()
    {
        if let Err(e) = print_event(out, &event) {
            code = write_failed(&e);
        }
    }
    code
}

/// One line per event, flushed at once: a reader may be waiting for it.
fn print_event<E: Serialize>(out: &mut Out, event: &E) -> std::io::Result<()> {
    match serde_json::to_value(event) {
        Ok(value) => out.line(value, None).and_then(|()| out.finish()),
        Err(e) => {
            output::error(format!("cannot encode an event: {e}"));
            Ok(())
        }
    }
}
