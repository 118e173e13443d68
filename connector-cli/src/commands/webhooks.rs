//! `connector moco webhooks listen|verify|ensure`.

use super::action::{dry_run, warn_about_flags};
use super::sandbox::wait_for_signal;
use super::{Ctx, fail, write_failed};
use crate::backends::{self, Backend};
use crate::config::{self, env};
use crate::exit;
use crate::options::{self, RunFlags};
use crate::output::{self, Out};
use clap::ArgMatches;
use connector_core::futures::TryStreamExt;
use connector_core::secret::read_token_file;
use connector_core::{Connector, Error, ExposeSecret, SecretString};
use connector_moco::Moco;
use connector_moco::webhooks::{self, EventFilter, Receiver};
use serde_json::{Map, Value, json};
use std::io::Read;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;

/// `--secret-file`, else `--secret` (with a warning), else `$MOCO_WEBHOOK_SECRET`.
fn secret(m: &ArgMatches) -> Result<SecretString, Error> {
    let secret = find_secret(m)?;
    output::protect(&secret);
    Ok(secret)
}

fn find_secret(m: &ArgMatches) -> Result<SecretString, Error> {
    if let Some(path) = m.get_one::<String>("secret-file") {
        return read_token_file(Path::new(path));
    }
    if let Some(s) = m.get_one::<String>("secret") {
        output::warn(
            "--secret puts the signature key on the command line, where other users can see it; \
             prefer --secret-file or MOCO_WEBHOOK_SECRET",
        );
        return Ok(SecretString::from(s.clone()));
    }
    env("MOCO_WEBHOOK_SECRET")
        .map(|s| SecretString::from(s.trim().to_owned()))
        .ok_or_else(|| {
            Error::Config(
                "no web hook secret: pass --secret-file PATH or set MOCO_WEBHOOK_SECRET".into(),
            )
        })
}

fn list(m: &ArgMatches, id: &str) -> Vec<String> {
    m.get_many::<String>(id)
        .map(|v| v.cloned().collect())
        .unwrap_or_default()
}

pub async fn listen(ctx: &Ctx, m: &ArgMatches) -> u8 {
    let secret = match secret(m) {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let host = m
        .get_one::<String>("host")
        .map(String::as_str)
        .unwrap_or("127.0.0.1");
    let Ok(ip) = host.parse::<IpAddr>() else {
        return fail(&Error::validation(
            "host",
            format!("{host:?} is not an IP address"),
        ));
    };
    let port = m.get_one::<u16>("port").copied().unwrap_or(0);
    let filter = EventFilter {
        targets: list(m, "target"),
        events: list(m, "event"),
    };
    let (receiver, mut events) =
        match Receiver::bind(SocketAddr::new(ip, port), secret, filter).await {
            Ok(r) => r,
            Err(e) => {
                output::error(format!("cannot listen on {ip}:{port}: {e}"));
                return exit::FAILURE;
            }
        };
    output::note(
        ctx.quiet,
        format!(
            "listening for MOCO web hooks on http://{}; Ctrl-C stops",
            receiver.local_addr()
        ),
    );
    let mut out = Out::new();
    let stop = wait_for_signal();
    tokio::pin!(stop);
    let mut code = exit::SUCCESS;
    loop {
        tokio::select! {
            _ = &mut stop => break,
            event = events.recv() => {
                let Some(event) = event else { break };
                let value = match serde_json::to_value(&event) {
                    Ok(v) => v,
                    Err(e) => {
                        output::error(format!("cannot encode an event: {e}"));
                        continue;
                    }
                };
                // One line per event, flushed at once: a reader may be waiting for it.
                if let Err(e) = out.line(value, None).and_then(|()| out.finish()) {
                    code = write_failed(&e);
                    break;
                }
            }
        }
    }
    if let Err(e) = receiver.shutdown().await {
        output::error(format!("stopping the receiver: {e}"));
    }
    code
}

pub fn verify(ctx: &Ctx, m: &ArgMatches) -> u8 {
    let secret = match secret(m) {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let signature = m
        .get_one::<String>("signature")
        .map(String::as_str)
        .unwrap_or("");
    let mut body = Vec::new();
    if let Err(e) = std::io::stdin().lock().read_to_end(&mut body) {
        output::error(format!("cannot read the payload from stdin: {e}"));
        return exit::USAGE;
    }
    if webhooks::verify(secret.expose_secret(), &body, signature.trim()) {
        output::note(ctx.quiet, "signature verified");
        exit::SUCCESS
    } else {
        output::error("the signature does not match the payload and secret");
        exit::FAILURE
    }
}

pub async fn ensure(ctx: &Ctx, m: &ArgMatches) -> u8 {
    let mut flags = match options::from_matches(m, Backend::Moco) {
        Ok(f) => f,
        Err(e) => return fail(&e),
    };
    let profile = match config::load_profile(ctx.profile.as_deref()) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    if let Err(e) = flags.apply_profile(&profile) {
        return fail(&e);
    }
    let moco = match backends::moco(&profile, &flags) {
        Ok(c) => c,
        Err(e) => return fail(&e),
    };
    warn_about_flags(ctx, &flags);
    let get = |id: &str| m.get_one::<String>(id).map(String::as_str).unwrap_or("");
    let (target, event, url) = (get("target"), get("event"), get("url"));
    let result = if flags.dry_run {
        planned_change(&moco, &flags, target, event, url).await
    } else {
        webhooks::ensure_webhook(&moco, target, event, url).await
    };
    let mut out = Out::new();
    match result {
        Ok(value) => match out
            .document(&value, flags.output)
            .and_then(|()| out.finish())
        {
            Ok(()) => exit::SUCCESS,
            Err(e) => write_failed(&e),
        },
        Err(e) => fail(&e),
    }
}

/// `ensure --dry-run`: looks the hooks up (a read) and says what `ensure` would change:
/// `{"change": "none"|"enable"|"create", "hook": <the match>, "request": <what would be sent>}`.
async fn planned_change(
    moco: &Moco,
    flags: &RunFlags,
    target: &str,
    event: &str,
    url: &str,
) -> Result<Value, Error> {
    let hooks: Vec<Value> = moco
        .stream("web_hooks.list", Map::new(), &flags.options, None)
        .try_collect()
        .await?;
    let field =
        |hook: &Value, name: &str| hook.get(name).and_then(Value::as_str).map(str::to_owned);
    let existing = hooks.into_iter().find(|hook| {
        field(hook, "target").as_deref() == Some(target)
            && field(hook, "event").as_deref() == Some(event)
            && field(hook, "hook").as_deref() == Some(url)
    });
    let Some(hook) = existing else {
        let input = Map::from_iter([
            ("target".to_owned(), Value::from(target)),
            ("event".to_owned(), Value::from(event)),
            ("hook".to_owned(), Value::from(url)),
        ]);
        let request = dry_run(moco, "web_hooks.create", &input, &flags.options)?;
        return Ok(json!({"change": "create", "request": request}));
    };
    if hook.get("disabled").and_then(Value::as_bool) != Some(true) {
        return Ok(json!({"change": "none", "hook": hook}));
    }
    let id = hook.get("id").cloned().unwrap_or(Value::Null);
    let input = Map::from_iter([("id".to_owned(), id)]);
    let request = dry_run(moco, "web_hooks.enable", &input, &flags.options)?;
    Ok(json!({"change": "enable", "hook": hook, "request": request}))
}
