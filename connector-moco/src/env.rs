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
    given(std::env::var(name).ok())
}

/// [`var`] as a secret.
pub fn secret(name: &str) -> Option<SecretString> {
    var(name).map(SecretString::from)
}

fn given(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

impl MocoBuilder {
    /// Takes what the environment gives: [`BASE_URL`] (else [`SUBDOMAIN`]) and
    /// [`API_KEY`]; what it does not give stays as it was.
    pub fn with_env(self) -> Self {
        self.with_vars(|name| std::env::var(name).ok())
    }

    /// [`MocoBuilder::with_env`] reading the variables through `get` (a test's table, a
    /// secrets manager).
    pub fn with_vars(mut self, get: impl Fn(&str) -> Option<String>) -> Self {
        let get = |name| given(get(name));
        if let Some(url) = get(BASE_URL) {
            self = self.base_url(url);
        } else if let Some(sub) = get(SUBDOMAIN) {
            self = self.subdomain(&sub);
        }
        if let Some(key) = get(API_KEY) {
            self = self.api_key(SecretString::from(key));
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Moco;
    use std::collections::HashMap;

    #[tokio::test]
    async fn variables_configure_a_client_that_runs_actions_by_id() {
        let sandbox = connector_sandbox::MocoSandbox::start(Default::default())
            .await
            .unwrap();
        let vars = HashMap::from([
            (BASE_URL, format!(" {} ", sandbox.base_url())),
            (SUBDOMAIN, "ignored-when-a-base-url-is-set".to_owned()),
            (API_KEY, sandbox.api_key().to_owned()),
        ]);
        let moco = Moco::builder()
            .with_vars(|n| vars.get(n).cloned())
            .build()
            .unwrap();
        let session = moco
            .execute_json("session.get", serde_json::Value::Null)
            .await
            .unwrap();
        assert_eq!(session["id"], 1);
        let user = moco
            .execute_json("users.get", serde_json::json!({"id": 1}))
            .await
            .unwrap();
        assert_eq!(user["firstname"], "Sandbox");
        let not_an_object = moco.execute_json("users.get", serde_json::json!([1])).await;
        assert!(matches!(
            not_an_object,
            Err(crate::Error::Validation { .. })
        ));
        sandbox.shutdown().await;
    }

    #[test]
    fn blank_variables_are_not_given() {
        let vars = HashMap::from([(SUBDOMAIN, "acme"), (API_KEY, "  ")]);
        let built = Moco::builder()
            .with_vars(|n| vars.get(n).map(|v| v.to_string()))
            .build();
        let err = built.unwrap_err().to_string();
        assert!(err.contains("no API key"), "{err}");
    }
}
