//! The credentials of one command, masked as `***` wherever output would show them,
//! even when an API echoes them back (Chatwoot's profile answer carries the caller's own
//! `access_token`). A [`Redactor`] is built once per command from the credentials in
//! use (the clients' tokens, a webhook's signing secret) and travels with the output
//! value ([`crate::out::Out`]); there is no process-wide list. A leaf module.

use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use std::borrow::Cow;

/// Shorter values are not masked inside other text (they would mask too much).
const MIN_SECRET_LEN: usize = 6;

/// The secrets a command's output must never show.
#[derive(Clone, Default)]
pub struct Redactor {
    secrets: Vec<SecretString>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("secrets", &self.secrets.len())
            .finish()
    }
}

impl Redactor {
    /// Masks `secret` too (when it is long enough to find safely).
    pub fn add(&mut self, secret: &SecretString) {
        if secret.expose_secret().len() >= MIN_SECRET_LEN {
            self.secrets.push(secret.clone());
        }
    }

    /// This redactor, masking `secret` too.
    pub fn with(mut self, secret: &SecretString) -> Self {
        self.add(secret);
        self
    }

    /// Masks what `other` masks too.
    pub fn extend(&mut self, other: &Redactor) {
        self.secrets.extend(other.secrets.iter().cloned());
    }

    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    /// `text` with every secret replaced by `***`.
    pub fn text<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let mut out = Cow::Borrowed(text);
        for secret in &self.secrets {
            let secret = secret.expose_secret();
            if out.contains(secret) {
                out = Cow::Owned(out.replace(secret, connector_core::MASK));
            }
        }
        out
    }

    /// Masks every secret inside the strings of `value`, in place.
    pub fn value(&self, value: &mut Value) {
        if self.is_empty() {
            return;
        }
        match value {
            Value::String(s) => {
                if let Cow::Owned(masked) = self.text(s) {
                    *s = masked;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.value(v)),
            Value::Object(map) => map.values_mut().for_each(|v| self.value(v)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn its_secrets_are_masked_and_short_ones_are_not_searched_for() {
        let redactor = Redactor::default()
            .with(&SecretString::from("abcdef-secret"))
            .with(&SecretString::from("abc"));
        let mut v =
            json!({"access_token": "abcdef-secret", "n": ["Bearer abcdef-secret"], "short": "abc"});
        redactor.value(&mut v);
        assert_eq!(
            v,
            json!({"access_token": "***", "n": ["Bearer ***"], "short": "abc"})
        );
        assert_eq!(redactor.text("401: abcdef-secret?"), "401: ***?");
        assert!(!format!("{redactor:?}").contains("abcdef"));
    }

    #[test]
    fn one_redactor_knows_nothing_of_another() {
        let one = Redactor::default().with(&SecretString::from("first-secret"));
        let other = Redactor::default().with(&SecretString::from("other-secret"));
        assert_eq!(one.text("other-secret"), "other-secret");
        let mut both = one.clone();
        both.extend(&other);
        assert_eq!(both.text("first-secret other-secret"), "*** ***");
    }
}
