//! Where credentials come from. A backend's base URL and tokens are taken together from
//! one source, the first that has any: the flags (`--base-url`, `--token-file`), else a
//! profile named with `--profile`/`CONNECTOR_PROFILE` (alone: the environment is then
//! not read), else the environment (`KONVERTE_*`, `MOCO_*`), else the `default` profile.
//! A token is never sent to a base URL from another source, with one exception the
//! user asks for: `--base-url` alone takes the token of the first source that has one,
//! and `--token-file` alone the base URL of the first source that has one.
//! A profile without a `token`/`token_file` of its own uses the token `connector auth
//! login` stored for it (the OS keyring, else a 0600 file; see [`crate::credstore`]).
//! Tokens are [`SecretString`]s from the moment they are read.
//!
//! ```toml
//! # ~/.config/connector/config.toml (or $CONNECTOR_CONFIG)
//! [profiles.default.konverte]
//! base_url = "https://chat.example.com"
//! token_file = "~/.config/connector/konverte.token"   # or: token = "..."
//! platform_token_file = "..."                         # optional
//! agent_bot_token = "..."                             # optional
//! hmac_token_file = "..."                             # optional: an API inbox's HMAC token
//! dashed_header = true                                # false: send `api_access_token`
//! account_id = 1                                      # optional: when --account_id is absent
//!
//! [profiles.default]
//! rate_limit_store = "redis://10.0.0.5:6379"          # optional: share rate limits across machines
//! output = "table"                                    # optional: json, jsonl, table, csv, ids
//!
//! [profiles.default.moco]
//! subdomain = "acme"                                  # or: base_url = "https://acme.mocoapp.com/api/v1"
//! token_file = "~/.config/connector/moco.key"         # or: token = "..."
//! ```

use crate::environment::{config_path, env};
use connector_core::Error;
use connector_core::secret::read_token_file;
use secrecy::SecretString;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The environment variable of the default Konverte account.
pub const ACCOUNT_ID_ENV: &str = "KONVERTE_ACCOUNT_ID";

/// The profile used when `--profile` is not given.
pub const DEFAULT_PROFILE: &str = "default";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    profiles: BTreeMap<String, Profile>,
}

/// One named profile: settings per backend.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    #[serde(default)]
    pub konverte: KonverteProfile,
    #[serde(default)]
    pub moco: MocoProfile,
    /// Where fixed rate limits are kept: `machine`, `process` or `redis://HOST:PORT`.
    pub rate_limit_store: Option<String>,
    /// The output format when neither `--output` nor `CONNECTOR_OUTPUT` says.
    pub output: Option<String>,
    /// The directory of the config file: relative token files are read from there.
    #[serde(skip)]
    dir: Option<PathBuf>,
    /// Named with `--profile`/`CONNECTOR_PROFILE` (then the environment is not read).
    #[serde(skip)]
    named: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KonverteProfile {
    pub base_url: Option<String>,
    #[serde(alias = "api_token")]
    pub token: Option<SecretString>,
    pub token_file: Option<PathBuf>,
    pub platform_token: Option<SecretString>,
    pub platform_token_file: Option<PathBuf>,
    pub agent_bot_token: Option<SecretString>,
    pub agent_bot_token_file: Option<PathBuf>,
    pub hmac_token: Option<SecretString>,
    pub hmac_token_file: Option<PathBuf>,
    pub dashed_header: Option<bool>,
    /// The `account_id` of actions that take one, when the flag is absent.
    pub account_id: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MocoProfile {
    pub subdomain: Option<String>,
    pub base_url: Option<String>,
    #[serde(alias = "api_key")]
    pub token: Option<SecretString>,
    pub token_file: Option<PathBuf>,
    pub impersonate: Option<i64>,
}

/// Loads the named profile (`None`: the default one). A missing file is an empty
/// profile, unless the file or the profile was asked for by name.
pub fn load_profile(name: Option<&str>) -> Result<Profile, Error> {
    let explicit_file = env("CONNECTOR_CONFIG").is_some();
    let empty = || Profile {
        named: name.map(str::to_owned),
        ..Profile::default()
    };
    let Some(path) = config_path() else {
        return match name {
            Some(n) if n != DEFAULT_PROFILE => Err(Error::Config(format!(
                "profile {n:?}: no config directory on this system; set CONNECTOR_CONFIG"
            ))),
            _ => Ok(empty()),
        };
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit_file => {
            return match name {
                Some(n) if n != DEFAULT_PROFILE => Err(Error::Config(format!(
                    "profile {n:?}: there is no config file at {}",
                    path.display()
                ))),
                _ => Ok(empty()),
            };
        }
        Err(e) => {
            return Err(Error::Config(format!(
                "config file {}: {e}",
                path.display()
            )));
        }
    };
    let mut file =
        parse(&text).map_err(|e| Error::Config(format!("config file {}: {e}", path.display())))?;
    let wanted = name.unwrap_or(DEFAULT_PROFILE);
    let mut profile = match file.profiles.remove(wanted) {
        Some(p) => p,
        None if name.is_none() || wanted == DEFAULT_PROFILE => Profile::default(),
        None => {
            let known: Vec<&str> = file.profiles.keys().map(String::as_str).collect();
            return Err(Error::Config(format!(
                "profile {wanted:?} is not in {} (profiles: {})",
                path.display(),
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            )));
        }
    };
    profile.dir = path.parent().map(Path::to_path_buf);
    profile.named = name.map(str::to_owned);
    Ok(profile)
}

/// Parses the config file. The error never quotes the file's text (it may hold tokens):
/// only the line, the key and what was expected there.
fn parse(text: &str) -> Result<ConfigFile, String> {
    let at = |span: Option<std::ops::Range<usize>>, message: &str| match span {
        Some(span) => {
            let end = span.start.min(text.len());
            let line = text.as_bytes()[..end]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            format!("line {line}: {message}")
        }
        None => message.to_owned(),
    };
    let document = toml::Deserializer::parse(text).map_err(|e| at(e.span(), e.message()))?;
    serde_path_to_error::deserialize(document).map_err(|e| {
        let key = e.path().to_string();
        let e = e.into_inner();
        at(
            e.span(),
            &format!("`{key}`: {}", without_value(e.message())),
        )
    })
}

/// serde's messages quote the offending value (`invalid type: string "...", expected
/// a boolean`): keep only what was expected. Messages about keys name keys only.
fn without_value(message: &str) -> String {
    if ["unknown field", "missing field", "duplicate"]
        .iter()
        .any(|p| message.starts_with(p))
    {
        return message.to_owned();
    }
    match message.find("expected ") {
        Some(at) => message[at..].to_owned(),
        None => "invalid value".to_owned(),
    }
}

fn env_secret(name: &str) -> Option<SecretString> {
    env(name).map(|v| SecretString::from(v.trim().to_owned()))
}

fn env_flag(name: &str) -> Option<bool> {
    env(name).map(|v| {
        matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "1" | "true" | "yes" | "on"
        )
    })
}

/// Per-invocation overrides from the command line.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub base_url: Option<String>,
    pub token_file: Option<PathBuf>,
}

/// Where a backend's base URL and tokens came from, for messages.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Origin {
    /// The flags alone, or no source had anything for this backend.
    #[default]
    Nothing,
    Environment,
    Profile(String),
}

/// Everything needed to build a Konverte client.
#[derive(Debug, Default)]
pub struct KonverteCredentials {
    pub base_url: Option<String>,
    pub api_token: Option<SecretString>,
    pub platform_token: Option<SecretString>,
    pub agent_bot_token: Option<SecretString>,
    pub hmac_token: Option<SecretString>,
    pub dashed_header: bool,
    pub origin: Origin,
}

/// Where MOCO is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MocoLocation {
    Subdomain(String),
    BaseUrl(String),
}

/// Everything needed to build a MOCO client.
#[derive(Debug, Default)]
pub struct MocoCredentials {
    pub location: Option<MocoLocation>,
    pub api_key: Option<SecretString>,
    pub impersonate: Option<i64>,
    pub origin: Origin,
}

/// What one source says about a backend.
trait Settings {
    fn has_location(&self) -> bool;
    fn has_token(&self) -> bool;
}

impl Settings for KonverteProfile {
    fn has_location(&self) -> bool {
        self.base_url.is_some()
    }
    fn has_token(&self) -> bool {
        self.token.is_some()
            || self.token_file.is_some()
            || self.platform_token.is_some()
            || self.platform_token_file.is_some()
            || self.agent_bot_token.is_some()
            || self.agent_bot_token_file.is_some()
            || self.hmac_token.is_some()
            || self.hmac_token_file.is_some()
    }
}

impl Settings for MocoProfile {
    fn has_location(&self) -> bool {
        self.base_url.is_some() || self.subdomain.is_some()
    }
    fn has_token(&self) -> bool {
        self.token.is_some() || self.token_file.is_some()
    }
}

/// A source's settings, where its relative token files live, and its name.
struct Source<'a, T> {
    settings: &'a T,
    dir: Option<&'a Path>,
    origin: Origin,
}

impl<T> Source<'_, T> {
    fn secret(
        &self,
        inline: &Option<SecretString>,
        file: &Option<PathBuf>,
    ) -> Result<Option<SecretString>, Error> {
        match file {
            Some(path) => read_token_file(&expand(path, self.dir)).map(Some),
            None => Ok(inline.clone()),
        }
    }

    /// The token `connector auth login` stored for this source's profile (a profile
    /// only: the environment has no stored tokens).
    fn stored(&self, variable: &str) -> Option<SecretString> {
        match &self.origin {
            Origin::Profile(name) => crate::credstore::load(name, variable),
            _ => None,
        }
    }
}

/// The source that gives what the flags leave open (see the module docs); `None` when
/// the flags give both, or no source has anything.
fn choose<'s, 'a, T: Settings>(
    sources: &'s [Source<'a, T>],
    flags: &Overrides,
) -> Option<&'s Source<'a, T>> {
    let wanted = |s: &&Source<'a, T>| match (&flags.base_url, &flags.token_file) {
        (Some(_), Some(_)) => false,
        (Some(_), None) => s.settings.has_token(),
        (None, Some(_)) => s.settings.has_location(),
        (None, None) => s.settings.has_location() || s.settings.has_token(),
    };
    sources.iter().find(wanted)
}

fn konverte_env() -> KonverteProfile {
    KonverteProfile {
        base_url: env(connector_konverte::env::BASE_URL),
        token: env_secret(connector_konverte::env::API_TOKEN),
        platform_token: env_secret(connector_konverte::env::PLATFORM_TOKEN),
        agent_bot_token: env_secret(connector_konverte::env::AGENT_BOT_TOKEN),
        hmac_token: env_secret(connector_konverte::env::HMAC_TOKEN),
        dashed_header: env_flag(connector_konverte::env::DASHED_HEADER),
        ..KonverteProfile::default()
    }
}

fn moco_env() -> MocoProfile {
    MocoProfile {
        subdomain: env(connector_moco::env::SUBDOMAIN),
        base_url: env(connector_moco::env::BASE_URL),
        token: env_secret(connector_moco::env::API_KEY),
        ..MocoProfile::default()
    }
}

fn flag_token(flags: &Overrides) -> Result<Option<SecretString>, Error> {
    flags
        .token_file
        .as_ref()
        .map(|path| read_token_file(&expand(path, None)))
        .transpose()
}

impl Profile {
    /// The sources after the flags, in order: this profile alone when it was named,
    /// else the environment and then this (default) profile.
    fn sources<'a, T>(&'a self, env: &'a T, own: &'a T) -> Vec<Source<'a, T>> {
        let profile = Source {
            settings: own,
            dir: self.dir.as_deref(),
            origin: Origin::Profile(
                self.named
                    .clone()
                    .unwrap_or_else(|| DEFAULT_PROFILE.to_owned()),
            ),
        };
        if self.named.is_some() {
            return vec![profile];
        }
        let env = Source {
            settings: env,
            dir: None,
            origin: Origin::Environment,
        };
        vec![env, profile]
    }

    /// Was this profile named (`--profile`/`CONNECTOR_PROFILE`)? Then it is used alone.
    pub fn is_named(&self) -> bool {
        self.named.is_some()
    }

    /// The default Konverte `account_id`: a named profile's own; else
    /// `KONVERTE_ACCOUNT_ID`, else the default profile's. (An account id belongs to a
    /// server: a named profile's is never overridden by the environment.)
    pub fn default_account_id(&self) -> Result<Option<i64>, Error> {
        if self.named.is_none()
            && let Some(text) = env(ACCOUNT_ID_ENV)
        {
            return text
                .trim()
                .parse::<i64>()
                .map(Some)
                .map_err(|_| Error::Config(format!("{ACCOUNT_ID_ENV}: expected a number")));
        }
        Ok(self.konverte.account_id)
    }

    /// Konverte's base URL and tokens, from one source (see the module docs).
    pub fn konverte(&self, flags: &Overrides) -> Result<KonverteCredentials, Error> {
        let env = konverte_env();
        let sources = self.sources(&env, &self.konverte);
        let mut creds = match choose(&sources, flags) {
            Some(source) => {
                let p = source.settings;
                KonverteCredentials {
                    base_url: p.base_url.clone(),
                    api_token: source
                        .secret(&p.token, &p.token_file)?
                        .or_else(|| source.stored("KONVERTE_API_TOKEN")),
                    platform_token: source.secret(&p.platform_token, &p.platform_token_file)?,
                    agent_bot_token: source.secret(&p.agent_bot_token, &p.agent_bot_token_file)?,
                    hmac_token: source.secret(&p.hmac_token, &p.hmac_token_file)?,
                    dashed_header: p.dashed_header.unwrap_or(true),
                    origin: source.origin.clone(),
                }
            }
            None => KonverteCredentials::default(),
        };
        if flags.base_url.is_some() {
            creds.base_url.clone_from(&flags.base_url);
        }
        if let Some(token) = flag_token(flags)? {
            creds.api_token = Some(token);
        }
        Ok(creds)
    }

    /// MOCO's location and key, from one source (see the module docs). The profile's
    /// `impersonate` comes with the profile's key only.
    pub fn moco(&self, flags: &Overrides) -> Result<MocoCredentials, Error> {
        let env = moco_env();
        let sources = self.sources(&env, &self.moco);
        let mut creds = match choose(&sources, flags) {
            Some(source) => {
                let p = source.settings;
                let location = match (&p.base_url, &p.subdomain) {
                    (Some(url), _) => Some(MocoLocation::BaseUrl(url.clone())),
                    (None, Some(sub)) => Some(MocoLocation::Subdomain(sub.clone())),
                    (None, None) => None,
                };
                MocoCredentials {
                    location,
                    api_key: source
                        .secret(&p.token, &p.token_file)?
                        .or_else(|| source.stored("MOCO_API_KEY")),
                    impersonate: p.impersonate,
                    origin: source.origin.clone(),
                }
            }
            None => MocoCredentials::default(),
        };
        if let Some(url) = &flags.base_url {
            creds.location = Some(MocoLocation::BaseUrl(url.clone()));
        }
        if let Some(key) = flag_token(flags)? {
            creds.api_key = Some(key);
            creds.impersonate = None;
        }
        Ok(creds)
    }
}

/// The error for a source that has tokens but no base URL (or nothing at all).
pub fn no_location(backend: &str, origin: &Origin) -> Error {
    let (env_var, key) = match backend {
        "moco" => ("MOCO_SUBDOMAIN or MOCO_BASE_URL", "subdomain or base_url"),
        _ => ("KONVERTE_BASE_URL", "base_url"),
    };
    Error::Config(match origin {
        Origin::Environment => format!(
            "{backend}: the environment has a token but no {env_var}; set it too \
             (settings from the environment and from a profile are never combined)"
        ),
        Origin::Profile(name) => format!(
            "{backend}: profile {name:?} has no {key} (a profile's token is only sent to \
             the profile's own address{})",
            if name == DEFAULT_PROFILE {
                ""
            } else {
                "; the environment is not read when a profile is named"
            }
        ),
        Origin::Nothing => format!(
            "{backend}: no address; set {env_var}, pass --base-url, or add {key} to the profile"
        ),
    })
}

/// `~/x` -> home/x; a relative path in the config file is relative to the file's directory.
fn expand(path: &Path, base: Option<&Path>) -> PathBuf {
    if let Ok(rest) = path.strip_prefix("~")
        && let Some(home) = dirs::home_dir()
    {
        return home.join(rest);
    }
    match base {
        Some(dir) if path.is_relative() => dir.join(path),
        _ => path.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn profiles_parse_and_errors_do_not_quote_the_file() {
        let file = parse(
            r#"
[profiles.default.konverte]
base_url = "https://chat.example.com"
token = "tok-1"

[profiles.work.moco]
subdomain = "acme"
api_key = "key-2"
"#,
        )
        .unwrap();
        let d = &file.profiles["default"];
        assert_eq!(
            d.konverte.base_url.as_deref(),
            Some("https://chat.example.com")
        );
        assert_eq!(d.konverte.token.as_ref().unwrap().expose_secret(), "tok-1");
        assert_eq!(
            file.profiles["work"].moco.subdomain.as_deref(),
            Some("acme")
        );

        let err =
            parse("[profiles.default.konverte]\ntoken = \"very-secret-value\nx=1").unwrap_err();
        assert!(!err.contains("very-secret-value"), "{err}");
        let err = parse("[profiles.default.konverte]\ntokn = \"very-secret-value\"").unwrap_err();
        assert!(!err.contains("very-secret-value"), "{err}");
    }

    #[test]
    fn a_wrongly_typed_value_is_named_by_key_and_line_only() {
        let err = parse(
            "[profiles.default.moco]\nsubdomain = \"acme\"\nimpersonate = \"key-secret-9\"\n",
        )
        .unwrap_err();
        assert_eq!(
            err,
            "line 3: `profiles.default.moco.impersonate`: expected i64"
        );
        let err = parse("[profiles.x.konverte]\ntokn = 1\n").unwrap_err();
        assert!(err.contains("unknown field `tokn`"), "{err}");
    }

    #[test]
    fn relative_token_files_are_read_next_to_the_config() {
        assert_eq!(
            expand(Path::new("k.token"), Some(Path::new("/etc/connector"))),
            PathBuf::from("/etc/connector/k.token")
        );
        assert_eq!(
            expand(Path::new("/abs"), Some(Path::new("/x"))),
            PathBuf::from("/abs")
        );
    }
}
