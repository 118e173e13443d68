//! How each backend's client is built from flags, environment and profile, with the
//! [`Redactor`] of the credentials it was given (for the command's output).

use crate::backend::Backend;
use crate::config::{self, MocoLocation, Overrides, Profile};
use crate::options::RunFlags;
use crate::redact::Redactor;
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
pub fn konverte(profile: &Profile, flags: &RunFlags) -> Result<(Konverte, Redactor), Error> {
    let creds = profile.konverte(&overrides(flags))?;
    let mut redactor = Redactor::default();
    for token in [
        &creds.api_token,
        &creds.platform_token,
        &creds.agent_bot_token,
        &creds.hmac_token,
    ]
    .into_iter()
    .flatten()
    {
        redactor.add(token);
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
    Ok((b.build()?, redactor))
}

/// Builds the MOCO client; `--impersonate` (else the profile's `impersonate`) makes
/// every request act as that user.
pub fn moco(profile: &Profile, flags: &RunFlags) -> Result<(Moco, Redactor), Error> {
    let creds = profile.moco(&overrides(flags))?;
    let mut redactor = Redactor::default();
    if let Some(key) = &creds.api_key {
        redactor.add(key);
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
    let moco = b.api_key(key).options(flags.options.clone()).build()?;
    Ok((moco, redactor))
}

/// Builds the client of `backend`, once per invocation.
pub fn build(
    backend: Backend,
    profile: &Profile,
    flags: &RunFlags,
) -> Result<(Arc<dyn Connector>, Redactor), Error> {
    Ok(match backend {
        Backend::Konverte => {
            let (client, redactor) = konverte(profile, flags)?;
            (Arc::new(client), redactor)
        }
        Backend::Moco => {
            let (client, redactor) = moco(profile, flags)?;
            (Arc::new(client), redactor)
        }
    })
}

/// The HTTP engine of `backend`'s client (for `connector api`): the same credentials,
/// retries, rate limit, timeout, proxy and TLS options as every action.
pub fn http(
    backend: Backend,
    profile: &Profile,
    flags: &RunFlags,
) -> Result<(connector_core::HttpConnector, Redactor), Error> {
    Ok(match backend {
        Backend::Konverte => {
            let (client, redactor) = konverte(profile, flags)?;
            (client.connector().clone(), redactor)
        }
        Backend::Moco => {
            let (client, redactor) = moco(profile, flags)?;
            (client.connector().clone(), redactor)
        }
    })
}
