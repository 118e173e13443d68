//! How each backend's client is built from flags, environment and profile.

use crate::backend::Backend;
use crate::config::{self, MocoLocation, Overrides, Profile};
use crate::options::RunFlags;
use crate::output;
use connector_core::{Connector, Error};
use connector_konverte::Konverte;
use connector_moco::Moco;
use std::sync::Arc;

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
    let Some(key) = creds.api_key else {
        return Err(Error::Config(
            "moco: no API key is configured (set MOCO_API_KEY, or token or token_file in the \
             profile's [profiles.NAME.moco] table, or give --token-file)"
                .into(),
        ));
    };
    b.api_key(key).options(flags.options.clone()).build()
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

/// The HTTP engine of `backend`'s client (for `connector api`): the same credentials,
/// retries, rate limit, timeout, proxy and TLS options as every action.
pub fn http(
    backend: Backend,
    profile: &Profile,
    flags: &RunFlags,
) -> Result<connector_core::HttpConnector, Error> {
    Ok(match backend {
        Backend::Konverte => konverte(profile, flags)?.connector().clone(),
        Backend::Moco => moco(profile, flags)?.connector().clone(),
    })
}
