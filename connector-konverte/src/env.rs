//! The environment variables a Konverte client is configured from, named once here: the
//! CLI reads the same ones ([`crate::Konverte::from_env`]).
//!
//! A variable that is unset or blank counts as not given; values are trimmed.

use crate::KonverteBuilder;
use connector_core::SecretString;

/// The installation's address, e.g. `https://chat.example.com`.
pub const BASE_URL: &str = "KONVERTE_BASE_URL";
/// A user's access token ([`KonverteBuilder::api_token`]).
pub const API_TOKEN: &str = "KONVERTE_API_TOKEN";
/// A platform app's token ([`KonverteBuilder::platform_token`]).
pub const PLATFORM_TOKEN: &str = "KONVERTE_PLATFORM_TOKEN";
/// An agent bot's token ([`KonverteBuilder::agent_bot_token`]).
pub const AGENT_BOT_TOKEN: &str = "KONVERTE_AGENT_BOT_TOKEN";
/// An API inbox's HMAC token ([`KonverteBuilder::hmac_token`]).
pub const HMAC_TOKEN: &str = "KONVERTE_HMAC_TOKEN";
/// `0`/`false`/`no`/`off` sends the token as `api_access_token` ([`KonverteBuilder::dashed_header`]).
pub const DASHED_HEADER: &str = "KONVERTE_DASHED_HEADER";
/// The secret web hook deliveries are signed with ([`crate::webhooks`]).
pub const WEBHOOK_SECRET: &str = "KONVERTE_WEBHOOK_SECRET";

/// The variable's trimmed value; `None` when unset or blank.
pub fn var(name: &str) -> Option<String> {
    given(std::env::var(name).ok())
}

/// [`var`] as a secret.
pub fn secret(name: &str) -> Option<SecretString> {
    var(name).map(SecretString::from)
}

/// [`var`] as a yes/no: `1`, `true`, `yes`, `on` (any case) are yes, anything else no.
pub fn flag(name: &str) -> Option<bool> {
    var(name).map(|v| is_yes(&v))
}

fn given(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn is_yes(v: &str) -> bool {
    matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on")
}

impl KonverteBuilder {
    /// Takes what the environment gives: [`BASE_URL`], the tokens ([`API_TOKEN`],
    /// [`PLATFORM_TOKEN`], [`AGENT_BOT_TOKEN`], [`HMAC_TOKEN`]) and [`DASHED_HEADER`];
    /// what it does not give stays as it was.
    pub fn with_env(self) -> Self {
        self.with_vars(|name| std::env::var(name).ok())
    }

    /// [`KonverteBuilder::with_env`] reading the variables through `get` (a test's table,
    /// a secrets manager).
    pub fn with_vars(mut self, get: impl Fn(&str) -> Option<String>) -> Self {
        let get = |name| given(get(name));
        let secret = |name| get(name).map(SecretString::from);
        if let Some(url) = get(BASE_URL) {
            self = self.base_url(url);
        }
        if let Some(t) = secret(API_TOKEN) {
            self = self.api_token(t);
        }
        if let Some(t) = secret(PLATFORM_TOKEN) {
            self = self.platform_token(t);
        }
        if let Some(t) = secret(AGENT_BOT_TOKEN) {
            self = self.agent_bot_token(t);
        }
        if let Some(t) = secret(HMAC_TOKEN) {
            self = self.hmac_token(t);
        }
        if let Some(dashed) = get(DASHED_HEADER) {
            self = self.dashed_header(is_yes(&dashed));
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Konverte;
    use std::collections::HashMap;

    #[tokio::test]
    async fn variables_configure_a_client_that_runs_actions_by_id() {
        let sandbox = connector_sandbox::KonverteSandbox::start(Default::default())
            .await
            .unwrap();
        let vars = HashMap::from([
            (BASE_URL, sandbox.base_url()),
            (API_TOKEN, format!("{}\n", sandbox.token())),
            (DASHED_HEADER, "0".to_owned()),
        ]);
        let konverte = Konverte::builder()
            .with_vars(|n| vars.get(n).cloned())
            .build()
            .unwrap();
        let profile = konverte
            .execute_json("profile.get", serde_json::Value::Null)
            .await
            .unwrap();
        assert_eq!(profile["id"], 1);
        // No platform token was given: the platform API is refused before sending.
        let refused = konverte
            .execute_json("users.get", serde_json::json!({"id": 1}))
            .await;
        assert!(refused.is_err(), "{refused:?}");
        sandbox.shutdown().await;
    }
}
