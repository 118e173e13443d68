//! Credentials: held as [`SecretString`], sent as sensitive headers, shown as `***`.

use crate::action::ActionSpec;
use crate::error::Error;
use http::{HeaderMap, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};
use std::fmt;

/// Adds a backend's credentials to a request.
pub trait Authenticator: Send + Sync + fmt::Debug {
    /// Inserts the credential headers `action` needs, marked sensitive so that no log
    /// or debug output shows them. Fails (before sending) when no usable credential
    /// is configured.
    fn authorize(&self, action: &ActionSpec, headers: &mut HeaderMap) -> Result<(), Error>;

    /// What to check when the API answers 401 or 403 to `action`.
    fn unauthorized_hint(&self, action: &ActionSpec) -> Option<String>;

    /// The input completed with values the action takes as ordinary parameters but
    /// that derive from a credential (a signature of another field), or `None` when
    /// there is nothing to add. Runs before validation, so what it adds is checked like
    /// any other input. Default: nothing.
    fn complete_input(
        &self,
        _action: &ActionSpec,
        _input: &Map<String, Value>,
    ) -> Option<Map<String, Value>> {
        None
    }
}

/// No credentials at all (public endpoints, tests).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoAuth;

impl Authenticator for NoAuth {
    fn authorize(&self, _: &ActionSpec, _: &mut HeaderMap) -> Result<(), Error> {
        Ok(())
    }
    fn unauthorized_hint(&self, _: &ActionSpec) -> Option<String> {
        None
    }
}

/// A token sent in one header, optionally behind a prefix (`Token token=`), chosen
/// per action by the action's declared token kinds.
#[derive(Clone)]
pub struct TokenAuth {
    header: HeaderName,
    prefix: String,
    by_kind: Vec<(String, SecretString)>,
    fallback: Option<SecretString>,
    hint: Option<String>,
}

impl TokenAuth {
    /// `header` is the header name (`api_access_token`, `Authorization`); `prefix` goes
    /// before the token (`""`, `"Token token="`, `"Bearer "`).
    pub fn new(header: &str, prefix: impl Into<String>) -> Result<Self, Error> {
        let header = HeaderName::from_bytes(header.as_bytes())
            .map_err(|_| Error::Config(format!("{header:?} is not a valid header name")))?;
        Ok(TokenAuth {
            header,
            prefix: prefix.into(),
            by_kind: Vec::new(),
            fallback: None,
            hint: None,
        })
    }

    /// The token to use for actions that accept `kind`.
    pub fn with_token(mut self, kind: impl Into<String>, token: SecretString) -> Self {
        self.by_kind.push((kind.into(), token));
        self
    }

    /// The token to use when no kind-specific token matches.
    pub fn with_fallback(mut self, token: SecretString) -> Self {
        self.fallback = Some(token);
        self
    }

    /// Extra advice appended to every 401 hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn header(&self) -> &HeaderName {
        &self.header
    }

    fn token_for(&self, action: &ActionSpec) -> Option<&SecretString> {
        action
            .tokens
            .iter()
            .find_map(|kind| self.by_kind.iter().find(|(k, _)| k == kind).map(|(_, t)| t))
            .or(self.fallback.as_ref())
    }
}

impl fmt::Debug for TokenAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenAuth")
            .field("header", &self.header.as_str())
            .field(
                "kinds",
                &self
                    .by_kind
                    .iter()
                    .map(|(k, _)| k.as_str())
                    .collect::<Vec<_>>(),
            )
            .field("token", &crate::request::MASK)
            .finish()
    }
}

impl Authenticator for TokenAuth {
    fn authorize(&self, action: &ActionSpec, headers: &mut HeaderMap) -> Result<(), Error> {
        if !action.needs_token() {
            return Ok(());
        }
        let token = self.token_for(action).ok_or_else(|| {
            Error::Config(format!(
                "`{}` needs a {} token and none is configured",
                action.id,
                action.tokens.join(" or ")
            ))
        })?;
        let mut value = HeaderValue::from_str(&format!("{}{}", self.prefix, token.expose_secret()))
            .map_err(|_| {
                Error::Config("the token contains characters a header cannot carry".into())
            })?;
        value.set_sensitive(true);
        headers.insert(self.header.clone(), value);
        Ok(())
    }

    fn unauthorized_hint(&self, action: &ActionSpec) -> Option<String> {
        let mut hint = if action.tokens.is_empty() {
            "this action needs no token; the server refused it anyway".to_owned()
        } else {
            format!(
                "`{}` needs a {} token, sent in the `{}` header",
                action.id,
                action.tokens.join(" or "),
                self.header
            )
        };
        if let Some(extra) = &self.hint {
            hint.push_str("; ");
            hint.push_str(extra);
        }
        Some(hint)
    }
}

/// Reads a token from a file: the first line, trimmed. Refuses an empty file.
pub fn read_token_file(path: &std::path::Path) -> Result<SecretString, Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Config(format!("token file {}: {e}", path.display())))?;
    let token = text.lines().next().unwrap_or("").trim();
    if token.is_empty() {
        return Err(Error::Config(format!(
            "token file {} is empty",
            path.display()
        )));
    }
    Ok(SecretString::from(token.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::{Method, Pagination};

    const SPEC: ActionSpec = ActionSpec {
        id: "users.get",
        resource: "users",
        verb: "get",
        name: "",
        summary: "",
        method: Method::Get,
        path: "/u",
        params: &[],
        pagination: Pagination::None,
        idempotent: true,
        tokens: &["platform"],
        ..ActionSpec::BLANK
    };

    #[test]
    fn header_is_sensitive_and_debug_hides_the_token() {
        let auth = TokenAuth::new("api_access_token", "")
            .unwrap()
            .with_token("platform", SecretString::from("tok-123-secret"));
        let mut headers = HeaderMap::new();
        auth.authorize(&SPEC, &mut headers).unwrap();
        let v = headers.get("api_access_token").unwrap();
        assert!(v.is_sensitive());
        assert!(!format!("{headers:?}").contains("tok-123-secret"));
        assert!(!format!("{auth:?}").contains("tok-123-secret"));
    }

    #[test]
    fn missing_kind_is_a_config_error_naming_the_kind() {
        let auth = TokenAuth::new("api_access_token", "")
            .unwrap()
            .with_token("user", SecretString::from("u"));
        let err = auth.authorize(&SPEC, &mut HeaderMap::new()).unwrap_err();
        assert!(err.to_string().contains("platform"), "{err}");
        assert!(
            auth.unauthorized_hint(&SPEC)
                .unwrap()
                .contains("platform token")
        );
    }
}
