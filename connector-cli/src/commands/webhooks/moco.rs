//! `connector moco webhooks listen|verify|ensure`.

use super::super::action::{dry_run, warn_about_flags};
use super::super::context::{Added, Ctx, block_on, fail};
use super::{added, drain_events, list, print_events, secret, secret_args};
use crate::backend::Backend;
use crate::backends;
use crate::config;
use crate::exit;
use crate::options::{self, RunFlags, ensure_args};
use crate::out::Out;
use crate::output;
use crate::redact::Redactor;
use clap::{Arg, ArgAction, ArgMatches, Command, ValueHint, value_parser};
use connector_core::futures::TryStreamExt;
use connector_core::{Connector, Error, ExposeSecret};
use connector_moco::Moco;
use connector_moco::webhooks::{self, EventFilter, Receiver};
use serde_json::{Map, Value, json};
use std::io::Read;
use std::net::{IpAddr, SocketAddr};

const SECRET_ENV: &str = connector_moco::env::WEBHOOK_SECRET;

/// What the backend adds beside its actions: these helpers under `webhooks`.
pub const ADDED: Added = added(commands, run);

fn run(ctx: &Ctx, verb: &str, m: &ArgMatches) -> Option<u8> {
    Some(match verb {
        "listen" => block_on(listen(ctx, m)),
        "verify" => verify(ctx, m),
        "ensure" => block_on(ensure(ctx, m)),
        _ => return None,
    })
}

async fn listen(ctx: &Ctx, m: &ArgMatches) -> u8 {
    let secret = match secret(m, SECRET_ENV) {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let mut out = Out::new(Redactor::default().with(&secret));
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
    let code = print_events(&mut out, &mut events).await;
    // Stopping takes at most the listener's grace period, whatever the clients do.
    if let Err(e) = receiver.shutdown().await {
        output::error(format!("stopping the receiver: {e}"));
    }
    drain_events(&mut out, &mut events, code)
}

fn verify(ctx: &Ctx, m: &ArgMatches) -> u8 {
    let secret = match secret(m, SECRET_ENV) {
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

async fn ensure(ctx: &Ctx, m: &ArgMatches) -> u8 {
    let mut flags = match options::from_matches(m, Backend::Moco.impersonation()) {
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
    let (moco, redactor) = match backends::moco(&profile, &flags) {
        Ok(c) => c,
        Err(e) => return fail(&e),
    };
    let mut out = Out::new(redactor);
    warn_about_flags(ctx, &flags);
    let get = |id: &str| m.get_one::<String>(id).map(String::as_str).unwrap_or("");
    let (target, event, url) = (get("target"), get("event"), get("url"));
    let result = if flags.dry_run {
        planned_change(&moco, &flags, target, event, url).await
    } else {
        webhooks::ensure_webhook(&moco, target, event, url)
            .await
            .and_then(|hook| {
                serde_json::to_value(hook).map_err(|e| Error::Decode {
                    context: "web hook".into(),
                    message: e.to_string(),
                })
            })
    };
    match result {
        Ok(value) => match out
            .document(&value, flags.output)
            .and_then(|()| out.finish())
        {
            Ok(()) => exit::SUCCESS,
            Err(e) => out.write_failed(&e),
        },
        Err(e) => out.fail(&e),
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

/// The clap commands of the MOCO helpers.
fn commands() -> Vec<Command> {
    vec![
        Command::new("listen")
            .about("Receive MOCO webhooks; print each verified event as one JSON line")
            .arg(
                Arg::new("port")
                    .long("port")
                    .value_name("PORT")
                    .value_parser(value_parser!(u16))
                    .required(true)
                    .help("Port to listen on (0 picks a free one)"),
            )
            .arg(
                Arg::new("host")
                    .long("host")
                    .value_name("ADDR")
                    .default_value("127.0.0.1")
                    .help("Address to listen on (0.0.0.0 for every interface)"),
            )
            .args(secret_args(SECRET_ENV))
            .arg(
                Arg::new("target")
                    .long("target")
                    .value_name("TARGET")
                    .action(ArgAction::Append)
                    .help("Only events of this record kind (Activity, Company, Project, ...); repeatable"),
            )
            .arg(
                Arg::new("event")
                    .long("event")
                    .value_name("EVENT")
                    .action(ArgAction::Append)
                    .help("Only these events (create, update, delete, ...); repeatable"),
            ),
        Command::new("verify")
            .about("Check a webhook payload on stdin against its X-Moco-Signature (exit 0 ok, 1 not)")
            .arg(
                Arg::new("signature")
                    .long("signature")
                    .value_name("SIG")
                    .required(true)
                    .help("The X-Moco-Signature header value"),
            )
            .args(secret_args(SECRET_ENV)),
        Command::new("ensure")
            .about("Make sure a web hook for TARGET/EVENT delivers to URL")
            .long_about(
                "Make sure a web hook for TARGET/EVENT delivers to URL: a hook with the same \
                 target, event and URL is reused (and enabled if it is disabled), else a new \
                 one is created. Other hooks are left alone. --dry-run looks the hooks up and \
                 prints what it would create or enable, sending no change.",
            )
            .args(ensure_args(true))
            .arg(Arg::new("target").long("target").value_name("TARGET").required(true))
            .arg(Arg::new("event").long("event").value_name("EVENT").required(true))
            .arg(
                Arg::new("url")
                    .long("url")
                    .value_name("URL")
                    .value_hint(ValueHint::Url)
                    .required(true),
            ),
    ]
}
