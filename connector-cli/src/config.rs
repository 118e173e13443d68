//! Where credentials come from: flags, then the environment, then a named profile
//! in the config file. Tokens are [`SecretString`]s from the moment they are read.
//!
//! ```toml
//! # ~/.config/connector/config.toml (or $CONNECTOR_CONFIG)
//! [profiles.default.konverte]
//! base_url = "https://chat.example.com"
//! token_file = "~/.config/connector/konverte.token"   # or: token = "..."
//! platform_token_file = "..."                         # optional
//! agent_bot_token = "..."                             # optional
//! dashed_header = false
//!
//! [profiles.default.moco]
//! subdomain = "acme"                                  # or: base_url = "https://acme.mocoapp.com/api/v1"
//! token_file = "~/.config/connector/moco.key"         # or: token = "..."
//! ```

use connector_core::Error;
use connector_core::secret::read_token_file;
use secrecy::SecretString;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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
    /// The directory of the config file: relative token files are read from there.
    #[serde(skip)]
    dir: Option<PathBuf>,
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
    pub dashed_header: Option<bool>,
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

/// Where the config file is: `$CONNECTOR_CONFIG`, else `<config dir>/connector/config.toml`.
pub fn config_path() -> Option<PathBuf> {
    match env("CONNECTOR_CONFIG") {
        Some(path) => Some(PathBuf::from(path)),
        None => dirs::config_dir().map(|d| d.join("connector").join("config.toml")),
    }
}

/// Loads the named profile (`None`: the default one). A missing file is an empty
/// profile, unless the file or the profile was asked for by name.
pub fn load_profile(name: Option<&str>) -> Result<Profile, Error> {
    let explicit_file = env("CONNECTOR_CONFIG").is_some();
    let Some(path) = config_path() else {
        return match name {
            Some(n) if n != DEFAULT_PROFILE => Err(Error::Config(format!(
                "profile {n:?}: no config directory on this system; set CONNECTOR_CONFIG"
            ))),
            _ => Ok(Profile::default()),
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
                _ => Ok(Profile::default()),
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
    Ok(profile)
}

/// Parses the config file. The error never quotes the file's text (it may hold tokens):
/// only the position and what was wrong.
fn parse(text: &str) -> Result<ConfigFile, String> {
    toml::from_str(text).map_err(|e: toml::de::Error| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].lines().count().max(1));
        match line {
            Some(line) => format!("line {line}: {}", e.message()),
            None => e.message().to_owned(),
        }
    })
}

/// A non-empty environment variable.
pub fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
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

/// Everything needed to build a Konverte client.
#[derive(Debug)]
pub struct KonverteCredentials {
    pub base_url: Option<String>,
    pub api_token: Option<SecretString>,
    pub platform_token: Option<SecretString>,
    pub agent_bot_token: Option<SecretString>,
    pub dashed_header: bool,
}

/// Where MOCO is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MocoLocation {
    Subdomain(String),
    BaseUrl(String),
}

/// Everything needed to build a MOCO client.
#[derive(Debug)]
pub struct MocoCredentials {
    pub location: Option<MocoLocation>,
    pub api_key: Option<SecretString>,
    pub impersonate: Option<i64>,
}

impl Profile {
    fn file(&self, path: &Path) -> PathBuf {
        expand(path, self.dir.as_deref())
    }

    fn secret(
        &self,
        inline: &Option<SecretString>,
        file: &Option<PathBuf>,
    ) -> Result<Option<SecretString>, Error> {
        if let Some(path) = file {
            return read_token_file(&self.file(path)).map(Some);
        }
        Ok(inline.clone())
    }

    /// Konverte settings: flags, then `KONVERTE_*`, then this profile.
    pub fn konverte(&self, flags: &Overrides) -> Result<KonverteCredentials, Error> {
        let p = &self.konverte;
        let base_url = flags
            .base_url
            .clone()
            .or_else(|| env("KONVERTE_BASE_URL"))
            .or_else(|| p.base_url.clone());
        let api_token = match &flags.token_file {
            Some(path) => Some(read_token_file(&expand(path, None))?),
            None => match env_secret("KONVERTE_API_TOKEN") {
                Some(t) => Some(t),
                None => self.secret(&p.token, &p.token_file)?,
            },
        };
        let platform_token = match env_secret("KONVERTE_PLATFORM_TOKEN") {
            Some(t) => Some(t),
            None => self.secret(&p.platform_token, &p.platform_token_file)?,
        };
        let agent_bot_token = match env_secret("KONVERTE_AGENT_BOT_TOKEN") {
            Some(t) => Some(t),
            None => self.secret(&p.agent_bot_token, &p.agent_bot_token_file)?,
        };
        let dashed_header = env_flag("KONVERTE_DASHED_HEADER")
            .or(p.dashed_header)
            .unwrap_or(false);
        Ok(KonverteCredentials {
            base_url,
            api_token,
            platform_token,
            agent_bot_token,
            dashed_header,
        })
    }

    /// MOCO settings: flags, then `MOCO_*`, then this profile.
    pub fn moco(&self, flags: &Overrides) -> Result<MocoCredentials, Error> {
        let p = &self.moco;
        let location = if let Some(url) = &flags.base_url {
            Some(MocoLocation::BaseUrl(url.clone()))
        } else if let Some(url) = env("MOCO_BASE_URL") {
            Some(MocoLocation::BaseUrl(url))
        } else if let Some(sub) = env("MOCO_SUBDOMAIN") {
            Some(MocoLocation::Subdomain(sub))
        } else if let Some(url) = &p.base_url {
            Some(MocoLocation::BaseUrl(url.clone()))
        } else {
            p.subdomain.clone().map(MocoLocation::Subdomain)
        };
        let api_key = match &flags.token_file {
            Some(path) => Some(read_token_file(&expand(path, None))?),
            None => match env_secret("MOCO_API_KEY") {
                Some(t) => Some(t),
                None => self.secret(&p.token, &p.token_file)?,
            },
        };
        Ok(MocoCredentials {
            location,
            api_key,
            impersonate: p.impersonate,
        })
    }
}

/// `~/x` -> home/x; a relative path in the config file is relative to the file's directory.
fn expand(path: &Path, base: Option<&Path>) -> PathBuf {
    if let Ok(rest) = path.strip_prefix("~") {
        if let Some(home) = dirs::home_dir() {
            return home.join(rest);
        }
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
