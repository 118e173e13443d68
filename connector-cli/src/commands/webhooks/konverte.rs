//! `connector konverte webhooks listen|verify|ensure`: Chatwoot's signed deliveries
//! (lib/webhooks/trigger.rb) and account webhooks.

use super::super::action::warn_about_flags;
use super::super::context::{Added, Ctx, block_on, fail};
use super::{added, drain_events, list, print_events, secret, secret_args};
use crate::backend::Backend;
use crate::backends;
use crate::config;
use crate::exit;
use crate::options::{self, ensure_args, positive_duration_arg};
use crate::out::Out;
use crate::output;
use crate::redact::Redactor;
use clap::{Arg, ArgAction, ArgMatches, Command, ValueHint, value_parser};
use connector_core::{Error, ExposeSecret};
use connector_konverte::enums::WebhookEvent;
use connector_konverte::webhooks::{
    self, DEFAULT_TOLERANCE, Receiver, ReceiverConfig, ensure_webhook, planned_change,
};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

const SECRET_ENV: &str = connector_konverte::env::WEBHOOK_SECRET;

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

fn tolerance(m: &ArgMatches) -> Duration {
    m.get_one::<Duration>("tolerance")
        .copied()
        .unwrap_or(DEFAULT_TOLERANCE)
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
    let config = ReceiverConfig {
        tolerance: tolerance(m),
        events: list(m, "event"),
    };
    let (receiver, mut events) =
        match Receiver::bind(SocketAddr::new(ip, port), secret, config).await {
            Ok(r) => r,
            Err(e) => {
                output::error(format!("cannot listen on {ip}:{port}: {e}"));
                return exit::FAILURE;
            }
        };
    output::note(
        ctx.quiet,
        format!(
            "listening for Konverte webhooks on http://{}; Ctrl-C stops",
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
    let get = |id: &str| m.get_one::<String>(id).map(String::as_str).unwrap_or("");
    let mut body = Vec::new();
    if let Err(e) = std::io::stdin().lock().read_to_end(&mut body) {
        output::error(format!("cannot read the payload from stdin: {e}"));
        return exit::USAGE;
    }
    match webhooks::verify(
        secret.expose_secret(),
        get("signature"),
        get("timestamp"),
        &body,
        tolerance(m),
    ) {
        Ok(()) => {
            output::note(ctx.quiet, "signature verified");
            exit::SUCCESS
        }
        Err(why) => {
            output::error(format!("not verified: {why}"));
            exit::FAILURE
        }
    }
}

/// Writes the secret to `path`, readable by its owner only, replacing what was there.
fn write_secret(path: &Path, secret: &str) -> std::io::Result<()> {
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        open.mode(0o600);
    }
    let mut file = open.open(path)?;
    file.write_all(secret.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()
}

async fn ensure(ctx: &Ctx, m: &ArgMatches) -> u8 {
    let flags = match options::from_matches(m, Backend::Konverte.impersonation()) {
        Ok(f) => f,
        Err(e) => return fail(&e),
    };
    let profile = match config::load_profile(ctx.profile.as_deref()) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let (client, redactor) = match backends::konverte(&profile, &flags) {
        Ok(c) => c,
        Err(e) => return fail(&e),
    };
    let mut out = Out::new(redactor);
    warn_about_flags(ctx, &flags);
    let account_id = m.get_one::<i64>("account_id").copied().unwrap_or_default();
    let url = m.get_one::<String>("url").map(String::as_str).unwrap_or("");
    let subscriptions = list(m, "subscriptions");
    let secret_file = m.get_one::<PathBuf>("secret-file");
    let shown = if flags.dry_run {
        match planned_change(&client, account_id, url, &subscriptions, &flags.options).await {
            Ok(plan) => plan,
            Err(e) => return out.fail(&e),
        }
    } else {
        let done =
            match ensure_webhook(&client, account_id, url, &subscriptions, &flags.options).await {
                Ok(done) => done,
                Err(e) => return out.fail(&e),
            };
        let Some(secret) = done.webhook().secret.as_deref() else {
            out.error("the server's answer carries no webhook secret; nothing was written");
            return exit::FAILURE;
        };
        if let Some(path) = secret_file {
            if let Err(e) = write_secret(path, secret) {
                out.error(format!(
                    "cannot write the secret to {}: {e}",
                    path.display()
                ));
                return exit::FAILURE;
            }
            out.note(
                ctx.quiet,
                format!("the webhook's secret is in {}", path.display()),
            );
        }
        let mut hook = serde_json::to_value(done.webhook()).unwrap_or(Value::Null);
        if let Some(s) = hook.get_mut("secret") {
            *s = Value::String(connector_core::MASK.into());
        }
        serde_json::json!({"change": done.change(), "webhook": hook})
    };
    match out
        .document(&shown, flags.output)
        .and_then(|()| out.finish())
    {
        Ok(()) => exit::SUCCESS,
        Err(e) => out.write_failed(&e),
    }
}

fn tolerance_arg() -> Arg {
    Arg::new("tolerance")
        .long("tolerance")
        .value_name("DURATION")
        .value_parser(positive_duration_arg)
        .help("How far the delivery's X-Chatwoot-Timestamp may be from now, either way [default: 300s]")
}

/// The clap commands of the Konverte helpers.
fn commands() -> Vec<Command> {
    vec![
        Command::new("listen")
            .about("Receive Konverte webhooks; print each verified event as one JSON line")
            .long_about(
                "Receive Konverte (Chatwoot) webhooks on any path: each delivery's \
                 X-Chatwoot-Signature is checked against the secret and its X-Chatwoot-Timestamp \
                 against the clock; a verified one is answered 200 and printed as one JSON line \
                 {delivery_id, timestamp, event, payload}, a repeated X-Chatwoot-Delivery is \
                 answered 200 and not printed again, others get 401 with the reason.",
            )
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
            .arg(tolerance_arg())
            .arg(
                Arg::new("event")
                    .long("event")
                    .value_name("EVENT")
                    .action(ArgAction::Append)
                    .value_delimiter(',')
                    .value_parser(WebhookEvent::ALL.to_vec())
                    .help("Only these events (message_created, conversation_updated, ...); repeatable"),
            ),
        Command::new("verify")
            .about("Check a webhook payload on stdin against its signature and timestamp (exit 0 ok, 1 not)")
            .arg(
                Arg::new("signature")
                    .long("signature")
                    .value_name("SIG")
                    .required(true)
                    .help("The X-Chatwoot-Signature header value (sha256=...)"),
            )
            .arg(
                Arg::new("timestamp")
                    .long("timestamp")
                    .value_name("TS")
                    .required(true)
                    .help("The X-Chatwoot-Timestamp header value (Unix seconds)"),
            )
            .args(secret_args(SECRET_ENV))
            .arg(tolerance_arg()),
        Command::new("ensure")
            .about("Make sure an account webhook delivers SUBSCRIPTIONS to URL; its secret goes to --secret-file")
            .long_about(
                "Make sure an account webhook delivers the events SUBSCRIPTIONS to URL: a webhook \
                 with this URL and these events is reused, one with this URL and other events gets \
                 these events (a URL is unique in an account), else one is created. Its signing \
                 secret is written to --secret-file (mode 600), never to stdout; stdout gets \
                 {change: reused|updated|created, webhook} with the secret masked. --dry-run \
                 looks the webhooks up and prints what it would change, sending no change and \
                 writing no file.",
            )
            .args(ensure_args(false))
            .arg(
                Arg::new("account_id")
                    .long("account_id")
                    .value_name("INT")
                    .value_parser(value_parser!(i64))
                    .required(true),
            )
            .arg(
                Arg::new("url")
                    .long("url")
                    .value_name("URL")
                    .value_hint(ValueHint::Url)
                    .required(true),
            )
            .arg(
                Arg::new("subscriptions")
                    .long("subscriptions")
                    .value_name("EVENT,...")
                    .action(ArgAction::Append)
                    .value_delimiter(',')
                    .value_parser(WebhookEvent::ALL.to_vec())
                    .required(true),
            )
            .arg(
                Arg::new("secret-file")
                    .long("secret-file")
                    .value_name("PATH")
                    .value_hint(ValueHint::FilePath)
                    .value_parser(value_parser!(PathBuf))
                    .required_unless_present("dry-run")
                    .help("Where the webhook's signing secret is written (mode 600)"),
            ),
    ]
}
