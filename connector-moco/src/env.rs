//! The environment variables a MOCO client is configured from, named once here: the CLI
//! reads the same ones ([`crate::Moco::from_env`]).
//!
//! A variable that is unset or blank counts as not given; values are trimmed.

use crate::MocoBuilder;
use connector_core::SecretString;

/// The account's subdomain: `acme` for `https://acme.mocoapp.com`.
pub const SUBDOMAIN: &str = "MOCO_SUBDOMAIN";
/// The API root instead of a subdomain, e.g. a sandbox's `http://127.0.0.1:8080/api/v1`;
/// wins over [`SUBDOMAIN`] when both are set.
pub const BASE_URL: &str = "MOCO_BASE_URL";
/// The user or account API key.
pub const API_KEY: &str = "MOCO_API_KEY";
/// The secret web hook deliveries are signed with ([`crate::webhooks`]).
pub const WEBHOOK_SECRET: &str = "MOCO_WEBHOOK_SECRET";

/// The variable's trimmed value; `None` when unset or blank.
pub fn var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// [`var`] as a secret.
pub fn secret(name: &str) -> Option<SecretString> {
    var(name).map(SecretString::from)
}

impl MocoBuilder {
    /// Takes what the environment gives: [`BASE_URL`] (else [`SUBDOMAIN`]) and
    /// [`API_KEY`]; what it does not give stays as it was.
    pub fn with_env(mut self) -> Self {
        if let Some(url) = var(BASE_URL) {
            self = self.base_url(url);
        } else if let Some(sub) = var(SUBDOMAIN) {
            self = self.subdomain(&sub);
        }
        if let Some(key) = secret(API_KEY) {
            self = self.api_key(key);
        }
        self
    }
}
