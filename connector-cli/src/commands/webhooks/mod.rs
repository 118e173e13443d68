//! `connector <backend> webhooks listen|verify|ensure`: receiving, checking and
//! registering webhooks, beside the backend's webhook actions. Each backend with
//! webhooks has a module here exporting its [`Added`] table (`ADDED`), which the
//! backend's descriptor hands to the CLI tree and the dispatcher; this file holds what
//! they share.

pub mod konverte;
pub mod moco;

use super::context::Added;
use crate::environment::env;
use crate::exit;
use crate::out::Out;
use crate::output;
use clap::{Arg, ArgMatches, Command, ValueHint};
use connector_core::secret::read_token_file;
use connector_core::{Error, SecretString};
use serde::Serialize;
use std::path::Path;
use tokio::sync::mpsc;

/// The resource the helpers live under.
pub const WEBHOOKS: &str = "webhooks";

/// The resource's help where the backend declares no webhook actions under that name.
const ABOUT: &str = "Receive, verify and register webhooks (listen, verify, ensure)";

/// A backend's helpers as the table its descriptor supplies.
const fn added(
    commands: fn() -> Vec<Command>,
    run: fn(&super::context::Ctx, &str, &ArgMatches) -> Option<u8>,
) -> Added {
    Added {
        resource: WEBHOOKS,
        about: ABOUT,
        commands,
        run,
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

/// `--secret-file`, else `--secret` (with a warning), else `$env_var`. The caller's
/// output masks it ([`crate::redact::Redactor`]).
fn secret(m: &ArgMatches, env_var: &str) -> Result<SecretString, Error> {
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
                    return out.write_failed(&e);
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
            code = out.write_failed(&e);
        }
    }
    code
}

/// One line per event, flushed at once: a reader may be waiting for it.
fn print_event<E: Serialize>(out: &mut Out, event: &E) -> std::io::Result<()> {
    match serde_json::to_value(event) {
        Ok(value) => out.line(value, None).and_then(|()| out.finish()),
        Err(e) => {
            out.error(format!("cannot encode an event: {e}"));
            Ok(())
        }
    }
}
