//! `connector auth status [BACKEND]`: where each credential comes from, the base URL,
//! and whether the token works (one read: Konverte's profile, MOCO's session). Exit 0
//! when every backend checked answered, 1 otherwise. Tokens are never printed.
//!
//! `connector auth login BACKEND`: see [`crate::credstore`].

use super::action;
use super::context::{Ctx, fail};
use crate::backend::Backend;
use crate::config::{self, ACCOUNT_ID_ENV, Origin, Overrides, Profile};
use crate::credstore;
use crate::exit;
use crate::options::{self, RunFlags};
use crate::output;
use crate::terminal;
use clap::ArgMatches;
use connector_core::{Error, Options};
use serde_json::{Map, Value};
use std::path::PathBuf;

pub async fn run(ctx: &Ctx, m: &ArgMatches) -> u8 {
    match m.subcommand() {
        Some(("status", sub)) => status(ctx, sub).await,
        Some(("login", sub)) => login(ctx, sub),
        _ => exit::USAGE,
    }
}

fn chosen(m: &ArgMatches) -> Vec<Backend> {
    match m
        .get_one::<String>("backend")
        .and_then(|b| Backend::from_name(b))
    {
        Some(backend) => vec![backend],
        None => Backend::ALL.to_vec(),
    }
}

async fn status(ctx: &Ctx, m: &ArgMatches) -> u8 {
    let named = m.get_one::<String>("backend").is_some();
    let profile = match config::load_profile(ctx.profile.as_deref()) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let mut all_ok = true;
    let mut any_configured = false;
    for backend in chosen(m) {
        let mut flags = match options::from_matches(m, backend.impersonation()) {
            Ok(f) => f,
            Err(e) => return fail(&e),
        };
        // One attempt: a status is a question, not a job to get done.
        flags.options = Options::builder().retries(0).build();
        let lines = sources(backend, &profile, &flags);
        let (connector, redactor) = match crate::backends::build(backend, &profile, &flags) {
            Ok(c) => c,
            Err(e) => {
                println!("{}: not configured: {}", backend.name(), escape(&e));
                print_sources(&lines);
                if named {
                    all_ok = false;
                }
                continue;
            }
        };
        any_configured = true;
        action::warn_about_flags(ctx, &flags);
        let base = connector.base_url().to_string();
        let answer = connector
            .execute(backend.credentials_action(), Map::new(), &flags.options)
            .await;
        match answer {
            Ok(who) => println!(
                "{}: logged in to {} {}",
                backend.name(),
                terminal::escape(&base),
                identity(&who)
            ),
            Err(e) => {
                all_ok = false;
                // A refusal may quote what was sent.
                println!(
                    "{}: the token does not work at {}: {}",
                    backend.name(),
                    terminal::escape(&base),
                    escape(&redactor.text(&e.to_string()))
                );
            }
        }
        print_sources(&lines);
    }
    if all_ok && any_configured {
        exit::SUCCESS
    } else {
        exit::FAILURE
    }
}

fn escape(e: &impl std::fmt::Display) -> String {
    terminal::escape(&e.to_string()).into_owned()
}

/// `as NAME <EMAIL>` from a profile or session answer (its token is never shown).
fn identity(who: &Value) -> String {
    let who = who.get("payload").unwrap_or(who);
    let name = who
        .get("name")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| {
            let first = who.get("firstname").and_then(Value::as_str)?;
            let last = who.get("lastname").and_then(Value::as_str).unwrap_or("");
            Some(format!("{first} {last}").trim().to_owned())
        });
    let email = who.get("email").and_then(Value::as_str);
    match (name, email) {
        (Some(n), Some(e)) => format!("as {} <{}>", terminal::escape(&n), terminal::escape(e)),
        (Some(n), None) => format!("as {}", terminal::escape(&n)),
        (None, Some(e)) => format!("as <{}>", terminal::escape(e)),
        (None, None) => match who.get("id") {
            Some(id) => format!("as user {}", terminal::escape(&id.to_string())),
            None => String::new(),
        },
    }
}

fn print_sources(lines: &[(&'static str, String)]) {
    for (what, from) in lines {
        println!("  {what:<16} {}", terminal::escape(from));
    }
}

/// Where one credential of the chosen source is: an environment variable, a profile
/// key, a flag, the keyring; never its value.
struct Credential {
    label: &'static str,
    env: &'static str,
    key: &'static str,
    inline: bool,
    file: Option<PathBuf>,
    present: bool,
}

fn describe(c: &Credential, origin: &Origin, flag_file: Option<&PathBuf>) -> String {
    if !c.present {
        return "not set".to_owned();
    }
    if let Some(path) = flag_file {
        return format!("--token-file {}", path.display());
    }
    match origin {
        Origin::Environment => format!("environment variable {}", c.env),
        Origin::Profile(name) => match &c.file {
            Some(path) => format!("profile {name:?}: {}_file = {}", c.key, path.display()),
            None if c.inline => format!("profile {name:?}: {}", c.key),
            None => format!("stored by auth login: {}", credstore::describe(name, c.env)),
        },
        Origin::Nothing => "not set".to_owned(),
    }
}

/// One line per credential of `backend`: what it is and where it comes from.
fn sources(backend: Backend, profile: &Profile, flags: &RunFlags) -> Vec<(&'static str, String)> {
    let overrides = Overrides {
        base_url: flags.base_url.clone(),
        token_file: flags.token_file.clone(),
    };
    let mut lines = Vec::new();
    match backend {
        Backend::Konverte => {
            let Ok(creds) = profile.konverte(&overrides) else {
                return lines;
            };
            let p = &profile.konverte;
            let origin = &creds.origin;
            let own = matches!(origin, Origin::Profile(_));
            lines.push((
                "base URL",
                match (&flags.base_url, origin) {
                    (Some(_), _) => "--base-url".to_owned(),
                    (None, Origin::Environment) => "environment variable KONVERTE_BASE_URL".into(),
                    (None, Origin::Profile(n)) if creds.base_url.is_some() => {
                        format!("profile {n:?}: base_url")
                    }
                    _ => "not set".to_owned(),
                },
            ));
            let list = [
                (
                    "api token",
                    "KONVERTE_API_TOKEN",
                    "token",
                    &p.token,
                    &p.token_file,
                    creds.api_token.is_some(),
                ),
                (
                    "platform token",
                    "KONVERTE_PLATFORM_TOKEN",
                    "platform_token",
                    &p.platform_token,
                    &p.platform_token_file,
                    creds.platform_token.is_some(),
                ),
                (
                    "agent bot token",
                    "KONVERTE_AGENT_BOT_TOKEN",
                    "agent_bot_token",
                    &p.agent_bot_token,
                    &p.agent_bot_token_file,
                    creds.agent_bot_token.is_some(),
                ),
                (
                    "hmac token",
                    connector_konverte::HMAC_TOKEN_ENV,
                    "hmac_token",
                    &p.hmac_token,
                    &p.hmac_token_file,
                    creds.hmac_token.is_some(),
                ),
            ];
            for (i, (label, env, key, inline, file, present)) in list.into_iter().enumerate() {
                let c = Credential {
                    label,
                    env,
                    key,
                    inline: own && inline.is_some(),
                    file: if own { file.clone() } else { None },
                    present,
                };
                let flag_file = if i == 0 {
                    flags.token_file.as_ref()
                } else {
                    None
                };
                lines.push((c.label, describe(&c, origin, flag_file)));
            }
            let account =
                if !profile.is_named() && crate::environment::env(ACCOUNT_ID_ENV).is_some() {
                    format!("environment variable {ACCOUNT_ID_ENV}")
                } else if p.account_id.is_some() {
                    "profile: account_id".to_owned()
                } else {
                    "not set (give --account_id)".to_owned()
                };
            lines.push(("account_id", account));
        }
        Backend::Moco => {
            let Ok(creds) = profile.moco(&overrides) else {
                return lines;
            };
            let p = &profile.moco;
            let origin = &creds.origin;
            let own = matches!(origin, Origin::Profile(_));
            lines.push((
                "address",
                match (&flags.base_url, origin, &creds.location) {
                    (Some(_), _, _) => "--base-url".to_owned(),
                    (None, Origin::Environment, Some(config::MocoLocation::Subdomain(_))) => {
                        "environment variable MOCO_SUBDOMAIN".into()
                    }
                    (None, Origin::Environment, Some(_)) => {
                        "environment variable MOCO_BASE_URL".into()
                    }
                    (None, Origin::Profile(n), Some(config::MocoLocation::Subdomain(_))) => {
                        format!("profile {n:?}: subdomain")
                    }
                    (None, Origin::Profile(n), Some(_)) => format!("profile {n:?}: base_url"),
                    _ => "not set".to_owned(),
                },
            ));
            let c = Credential {
                label: "api key",
                env: "MOCO_API_KEY",
                key: "token",
                inline: own && p.token.is_some(),
                file: if own { p.token_file.clone() } else { None },
                present: creds.api_key.is_some(),
            };
            lines.push((c.label, describe(&c, origin, flags.token_file.as_ref())));
        }
    }
    lines
}

/// `connector auth login BACKEND`: reads the token without echo and stores it.
fn login(ctx: &Ctx, m: &ArgMatches) -> u8 {
    let Some(backend) = m
        .get_one::<String>("backend")
        .and_then(|b| Backend::from_name(b))
    else {
        return exit::USAGE;
    };
    let profile = ctx
        .profile
        .clone()
        .unwrap_or_else(|| config::DEFAULT_PROFILE.to_owned());
    let env = match backend {
        Backend::Konverte => "KONVERTE_API_TOKEN",
        Backend::Moco => "MOCO_API_KEY",
    };
    let token = match credstore::prompt(&format!(
        "{} token for profile {profile:?}: ",
        backend.name()
    )) {
        Ok(t) => t,
        Err(e) => return fail(&e),
    };
    match credstore::save(&profile, env, &token) {
        Ok(place) => {
            output::note(
                ctx.quiet,
                format!(
                    "stored the {} token of profile {profile:?} in {place}; it is used when \
                     the profile has no token of its own (see `connector auth status`)",
                    backend.name()
                ),
            );
            exit::SUCCESS
        }
        Err(e) => fail(&Error::Config(e)),
    }
}
