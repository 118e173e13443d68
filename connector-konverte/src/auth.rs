//! Which token an action gets, and the identity hash the public API checks.
//!
//! Each action declares the token kinds the server lets in (`tokens` in the manifest,
//! read from `app/controllers/concerns/access_token_auth_helper.rb` and the controllers'
//! base classes). The first declared kind that is configured is sent; a kind that is
//! not declared is never sent (a user token on `/platform` only earns a 401), and when
//! none is configured the call is refused before anything leaves the machine.

use connector_core::{ActionSpec, Authenticator, Error, ExposeSecret, SecretString};
use hmac::{Hmac, Mac};
use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Map, Value};
use sha2::Sha256;
use std::fmt;

/// A token kind, where it is configured, and what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenKind {
    /// The name actions use in `tokens` (`user`, `agent_bot`, `platform`).
    pub name: &'static str,
    /// What the token is.
    pub what: &'static str,
    /// The [`crate::KonverteBuilder`] method that sets it.
    pub builder: &'static str,
    /// The environment variable the CLI reads it from.
    pub env: &'static str,
    /// The keys of a config profile's `[profiles.NAME.konverte]` table that hold it.
    pub profile_keys: &'static str,
}

/// Every token kind Konverte actions declare.
pub const TOKEN_KINDS: [TokenKind; 3] = [
    TokenKind {
        name: "user",
        what: "a user's access token (profile settings)",
        builder: "api_token",
        env: crate::env::API_TOKEN,
        profile_keys: "token or token_file",
    },
    TokenKind {
        name: "agent_bot",
        what: "an agent bot's access token",
        builder: "agent_bot_token",
        env: crate::env::AGENT_BOT_TOKEN,
        profile_keys: "agent_bot_token or agent_bot_token_file",
    },
    TokenKind {
        name: "platform",
        what: "a platform app's access token (super admin, platform apps)",
        builder: "platform_token",
        env: crate::env::PLATFORM_TOKEN,
        profile_keys: "platform_token or platform_token_file",
    },
];

/// Where the inbox HMAC token for identity validation is configured.
pub const HMAC_TOKEN_ENV: &str = crate::env::HMAC_TOKEN;

/// The kind named `name`, if Konverte has one.
pub fn token_kind(name: &str) -> Option<&'static TokenKind> {
    TOKEN_KINDS.iter().find(|k| k.name == name)
}

/// `identifier_hash` for the public API's identity validation: lower-case hex
/// HMAC-SHA256 of `identifier`, keyed with the API inbox's HMAC token
/// (`app/controllers/public/api/v1/inboxes/contacts_controller.rb`, `valid_hmac?`).
///
/// ```
/// let hash = connector_konverte::identifier_hash("inbox-hmac-token", "user-42");
/// assert_eq!(hash.len(), 64);
/// ```
pub fn identifier_hash(hmac_token: &str, identifier: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(hmac_token.as_bytes()).expect("HMAC takes any key length");
    mac.update(identifier.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The parameters identity validation works with.
const IDENTIFIER: &str = "identifier";
const IDENTIFIER_HASH: &str = "identifier_hash";

/// Konverte's credentials: one token per kind, sent in one header, and the inbox
/// HMAC token that signs identifiers.
#[derive(Clone)]
pub(crate) struct KonverteAuth {
    header: HeaderName,
    tokens: Vec<(&'static str, SecretString)>,
    hmac_token: Option<SecretString>,
}

impl KonverteAuth {
    pub(crate) fn new(header: &'static str) -> Self {
        KonverteAuth {
            // Header names are case-insensitive; `HeaderName` keeps them in lower case.
            header: HeaderName::from_bytes(header.as_bytes()).expect("a valid header name"),
            tokens: Vec::new(),
            hmac_token: None,
        }
    }

    pub(crate) fn with_token(mut self, kind: &'static str, token: SecretString) -> Self {
        self.tokens.push((kind, token));
        self
    }

    pub(crate) fn with_hmac_token(mut self, token: SecretString) -> Self {
        self.hmac_token = Some(token);
        self
    }

    /// The token sent for `action`: the first of its kinds that is configured.
    fn token_for(&self, action: &ActionSpec) -> Option<&SecretString> {
        action.tokens.iter().find_map(|kind| {
            self.tokens
                .iter()
                .find(|(k, _)| k == kind)
                .map(|(_, token)| token)
        })
    }
}

/// "a user token (set KONVERTE_API_TOKEN, or token or token_file in the profile's
/// konverte table; KonverteBuilder::api_token in code)", for each kind.
fn where_to_set(kinds: &[&str]) -> String {
    kinds
        .iter()
        .map(|name| match token_kind(name) {
            Some(k) => format!(
                "a {} token, {} (set {}, or {} in the profile's [profiles.NAME.konverte] table; \
                 KonverteBuilder::{} in code)",
                k.name, k.what, k.env, k.profile_keys, k.builder
            ),
            None => format!("a {name} token"),
        })
        .collect::<Vec<_>>()
        .join(", or ")
}

impl Authenticator for KonverteAuth {
    fn authorize(&self, action: &ActionSpec, headers: &mut HeaderMap) -> Result<(), Error> {
        if action.tokens.is_empty() {
            return Ok(());
        }
        let token = self.token_for(action).ok_or_else(|| {
            Error::Config(format!(
                "`{}` needs {}; none is configured, and no other kind is sent there (the \
                 server would refuse it)",
                action.id,
                where_to_set(action.tokens)
            ))
        })?;
        let mut value = HeaderValue::from_str(token.expose_secret()).map_err(|_| {
            Error::Config("the token contains characters a header cannot carry".into())
        })?;
        value.set_sensitive(true);
        headers.insert(self.header.clone(), value);
        Ok(())
    }

    fn unauthorized_hint(&self, action: &ActionSpec) -> Option<String> {
        if action.tokens.is_empty() {
            return Some("this action needs no token; the server refused it anyway".into());
        }
        let other = if self.header.as_str() == crate::TOKEN_HEADER {
            crate::DASHED_TOKEN_HEADER
        } else {
            crate::TOKEN_HEADER
        };
        Some(format!(
            "`{}` needs a {} token, sent in the `{}` header; check that it is {} and still \
             valid (a reverse proxy that drops the header would look the same: try `{other}`)",
            action.id,
            action.tokens.join(" or "),
            header_name(&self.header),
            action
                .tokens
                .iter()
                .filter_map(|k| token_kind(k).map(|k| k.what))
                .collect::<Vec<_>>()
                .join(" or ")
        ))
    }

    fn complete_input(
        &self,
        action: &ActionSpec,
        input: &Map<String, Value>,
    ) -> Option<Map<String, Value>> {
        let hmac_token = self.hmac_token.as_ref()?;
        action.param(IDENTIFIER_HASH)?;
        if input.get(IDENTIFIER_HASH).is_some_and(|v| !v.is_null()) {
            return None;
        }
        // The server signs `identifier.to_s`: text as it is, a number in decimal.
        let identifier = match input.get(IDENTIFIER)? {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return None,
        };
        let mut completed = input.clone();
        completed.insert(
            IDENTIFIER_HASH.to_owned(),
            Value::String(identifier_hash(hmac_token.expose_secret(), &identifier)),
        );
        Some(completed)
    }
}

/// The header as it is written on the wire (`Api-Access-Token`; `HeaderName` keeps
/// names in lower case).
fn header_name(header: &HeaderName) -> &'static str {
    if header.as_str() == crate::TOKEN_HEADER {
        crate::TOKEN_HEADER
    } else {
        crate::DASHED_TOKEN_HEADER
    }
}

impl fmt::Debug for KonverteAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KonverteAuth")
            .field("header", &header_name(&self.header))
            .field(
                "kinds",
                &self.tokens.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
            )
            .field(
                "hmac_token",
                &self.hmac_token.as_ref().map(|_| connector_core::MASK),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use connector_core::Method;

    const PLATFORM: ActionSpec = ActionSpec {
        tokens: &["platform"],
        ..ActionSpec::new("users.get", Method::Get, "/platform/api/v1/users/{id}")
    };

    #[test]
    fn the_hash_is_the_servers_hex_hmac_sha256() {
        // printf %s user-42 | openssl dgst -sha256 -hmac inbox-hmac-token
        assert_eq!(
            identifier_hash("inbox-hmac-token", "user-42"),
            "7f14ea930d0d700dda828cbc1afc6533a8741da5c59b9379bdac75da2760cfe3"
        );
    }

    #[test]
    fn a_missing_kind_names_its_variable_and_profile_key() {
        let auth = KonverteAuth::new(crate::DASHED_TOKEN_HEADER)
            .with_token("user", SecretString::from("u-1"));
        let err = auth
            .authorize(&PLATFORM, &mut HeaderMap::new())
            .unwrap_err();
        let text = err.to_string();
        for part in ["platform", "KONVERTE_PLATFORM_TOKEN", "platform_token_file"] {
            assert!(text.contains(part), "{text}");
        }
        assert!(err.nothing_sent());
        assert!(!format!("{auth:?}").contains("u-1"));
    }
}
