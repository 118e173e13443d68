//! Which backends exist, and how each is built from flags, environment and profile.

use crate::config::{self, MocoLocation, Overrides, Profile};
use crate::options::RunFlags;
use crate::output;
use connector_core::{ActionSpec, Connector, Error};
use connector_konverte::Konverte;
use connector_moco::Moco;
use std::sync::Arc;

/// A backend the CLI knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Konverte,
    Moco,
}

impl Backend {
    pub const ALL: [Backend; 2] = [Backend::Konverte, Backend::Moco];

    pub fn name(self) -> &'static str {
        match self {
            Backend::Konverte => "konverte",
            Backend::Moco => "moco",
        }
    }

    pub fn about(self) -> &'static str {
        match self {
            Backend::Konverte => "Konverte Digital (Chatwoot) API",
            Backend::Moco => "MOCO (mocoapp.com) API",
        }
    }

    /// How to configure it, for `--help`.
    pub fn credentials_help(self) -> &'static str {
        match self {
            Backend::Konverte => {
                "Credentials: KONVERTE_BASE_URL and, for the kinds of token the actions take, \
                 KONVERTE_API_TOKEN (a user's; or --token-file), KONVERTE_PLATFORM_TOKEN (a \
                 platform app's, for users, accounts, account_users, agent_bots), \
                 KONVERTE_AGENT_BOT_TOKEN (an agent bot's), KONVERTE_HMAC_TOKEN (an API inbox's, \
                 signs identifiers for the public API); tokens go in Api-Access-Token \
                 (KONVERTE_DASHED_HEADER=0: api_access_token). Or [profiles.NAME.konverte] in the \
                 config file (token_file, platform_token_file, agent_bot_token_file, \
                 hmac_token_file, ...). Base URL and tokens come together from the first of: \
                 --base-url with --token-file, a profile named with --profile, the environment, \
                 the default profile. An action none of whose token kinds is configured is \
                 refused before sending (exit 2)."
            }
            Backend::Moco => {
                "Credentials: MOCO_SUBDOMAIN or MOCO_BASE_URL, MOCO_API_KEY (or --token-file); \
                 or [profiles.NAME.moco] in the config file. Address and key come together \
                 from the first of: --base-url with --token-file, a profile named with \
                 --profile, the environment, the default profile. Requests are limited to \
                 120/2m (shared by the processes of this machine using the same key) unless \
                 --rate-limit says otherwise."
            }
        }
    }

    pub fn actions(self) -> &'static [ActionSpec] {
        match self {
            Backend::Konverte => connector_konverte::ACTIONS,
            Backend::Moco => connector_moco::ACTIONS,
        }
    }

    /// The action whose credentials a download from a URL the API handed out carries
    /// (only to the backend's own origin).
    pub fn credentials_action(self) -> &'static str {
        match self {
            Backend::Konverte => "profile.get",
            Backend::Moco => "session.get",
        }
    }

    pub fn from_name(name: &str) -> Option<Backend> {
        Backend::ALL.into_iter().find(|b| b.name() == name)
    }
}

fn overrides(flags: &RunFlags) -> Overrides {
    Overrides {
        base_url: flags.base_url.clone(),
        token_file: flags.token_file.clone(),
    }
}

/// Builds the Konverte client.
pub fn konverte(profile: &Profile, flags: &RunFlags) -> Result<Konverte, Error> {
    let creds = profile.konverte(&overrides(flags))?;
    for token in [
        &creds.api_token,
        &creds.platform_token,
        &creds.agent_bot_token,
        &creds.hmac_token,
    ]
    .into_iter()
    .flatten()
    {
        output::protect(token);
    }
    let base_url = creds
        .base_url
        .ok_or_else(|| config::no_location("konverte", &creds.origin))?;
    let mut b = Konverte::builder()
        .base_url(base_url)
        .dashed_header(creds.dashed_header)
        .options(flags.options.clone());
    if let Some(t) = creds.api_token {
        b = b.api_token(t);
    }
    if let Some(t) = creds.platform_token {
        b = b.platform_token(t);
    }
    if let Some(t) = creds.agent_bot_token {
        b = b.agent_bot_token(t);
    }
    if let Some(t) = creds.hmac_token {
        b = b.hmac_token(t);
    }
    b.build()
}

/// Builds the MOCO client; `--impersonate` (else the profile's `impersonate`) makes
/// every request act as that user.
pub fn moco(profile: &Profile, flags: &RunFlags) -> Result<Moco, Error> {
    let creds = profile.moco(&overrides(flags))?;
    if let Some(key) = &creds.api_key {
        output::protect(key);
    }
    let mut b = Moco::builder();
    if let Some(user) = flags.impersonate.or(creds.impersonate) {
        b = b.impersonate(user);
    }
    b = match creds.location {
        Some(MocoLocation::BaseUrl(url)) => b.base_url(url),
        Some(MocoLocation::Subdomain(sub)) => b.subdomain(&sub),
        None => return Err(config::no_location("moco", &creds.origin)),
    };
    if let Some(key) = creds.api_key {
        b = b.api_key(key);
    }
    b.options(flags.options.clone()).build()
}

/// Builds the client of `backend`, once per invocation.
pub fn build(
    backend: Backend,
    profile: &Profile,
    flags: &RunFlags,
) -> Result<Arc<dyn Connector>, Error> {
    Ok(match backend {
        Backend::Konverte => Arc::new(konverte(profile, flags)?),
        Backend::Moco => Arc::new(moco(profile, flags)?),
    })
}
