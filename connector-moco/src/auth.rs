//! MOCO credentials: `Authorization: Token token=KEY`, plus the impersonation header.

use connector_core::{ActionSpec, Authenticator, Error, SecretString, TokenAuth};
use http::{HeaderMap, HeaderName, HeaderValue};

/// The header that makes a request act on behalf of another user.
pub const IMPERSONATE_HEADER: &str = "X-IMPERSONATE-USER-ID";

/// What to check when MOCO refuses the key.
const KEY_HINT: &str = "check the MOCO API key: a user key is on the profile page under \
                        \"Integrations\", an account key under Settings > Extensions > API & Webhooks";

/// The API key, sent as a sensitive header, and the user to impersonate, if any.
///
/// Impersonation lives here rather than in the request options so that it holds for
/// every call of the client, whichever options a call passes.
#[derive(Debug, Clone)]
pub(crate) struct MocoAuth {
    token: TokenAuth,
    impersonate: Option<i64>,
}

impl MocoAuth {
    pub(crate) fn new(api_key: SecretString, impersonate: Option<i64>) -> Result<Self, Error> {
        let token = TokenAuth::new("Authorization", "Token token=")?
            .with_token("api_key", api_key)
            .with_hint(KEY_HINT);
        Ok(MocoAuth { token, impersonate })
    }
}

impl Authenticator for MocoAuth {
    fn authorize(&self, action: &ActionSpec, headers: &mut HeaderMap) -> Result<(), Error> {
        self.token.authorize(action, headers)?;
        if let Some(user_id) = self.impersonate {
            headers.insert(
                HeaderName::from_static("x-impersonate-user-id"),
                HeaderValue::from(user_id),
            );
        }
        Ok(())
    }

    fn unauthorized_hint(&self, action: &ActionSpec) -> Option<String> {
        let mut hint = self.token.unauthorized_hint(action)?;
        if let Some(user_id) = self.impersonate {
            hint.push_str(&format!(
                "; acting as user {user_id} ({IMPERSONATE_HEADER}) needs a key whose user has the Staff permission"
            ));
        }
        Some(hint)
    }
}
