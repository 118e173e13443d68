//! The Konverte client: where the installation is, which tokens to send, how to send.

use crate::auth::KonverteAuth;
use crate::generated::ACTIONS;
use connector_core::{Backend, Error, HttpConnector, Options, SecretString};
use std::fmt;

/// The server reads the token from `api_access_token` or from `Api-Access-Token`
/// (`app/controllers/concerns/access_token_auth_helper.rb`); this spelling is sent
/// only when [`KonverteBuilder::dashed_header`] is turned off.
pub const TOKEN_HEADER: &str = "api_access_token";
/// The header the token is sent in by default: reverse proxies (nginx by default)
/// drop headers whose names contain underscores.
pub const DASHED_TOKEN_HEADER: &str = "Api-Access-Token";

/// The token kinds an action can ask for (its `tokens` in the registry).
pub mod token_kind {
    /// A user's access token (profile page); set with `api_token`.
    pub const USER: &str = "user";
    /// An agent bot's token; set with `agent_bot_token`.
    pub const AGENT_BOT: &str = "agent_bot";
    /// A platform app's token, for the `/platform` API; set with `platform_token`.
    pub const PLATFORM: &str = "platform";
}

/// The action that proves the credentials work.
const CREDENTIALS_CHECK: &str = "profile.get";

/// A client of one Konverte Digital (Chatwoot) installation.
///
/// Every action is reachable twice, through the same validation and pipeline: typed,
/// `client.<resource>().<verb>(path params)...send()`, and by id, with
/// [`Connector::execute`](connector_core::Connector::execute) and [`Connector::stream`](connector_core::Connector::stream).
///
/// Run here against the sandbox (`connector-sandbox`, which takes one token for every
/// kind); for an installation, use its address or [`Konverte::from_env`].
///
/// ```
/// use connector_konverte::{Konverte, SecretString};
/// use futures::StreamExt;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), connector_konverte::Error> {
/// # let sandbox = connector_sandbox::KonverteSandbox::start(Default::default()).await.unwrap();
/// # let (base_url, token) = (sandbox.base_url(), sandbox.token().to_owned());
/// let client = Konverte::builder()
///     .base_url(base_url)
///     .api_token(SecretString::from(token.clone()))
///     .platform_token(SecretString::from(token))
///     .build()?;
///
/// // Typed: a platform user, created, then renamed.
/// let password = SecretString::from("Analytical-Engine-1843");
/// let user = client.users().create("ada@example.com").name("Ada L.").password(password).send().await?;
/// let user = client.users().update(user.id.unwrap_or_default()).name("Ada").send().await?;
/// assert_eq!(user.name.as_deref(), Some("Ada"));
///
/// // Typed list: every contact of account 1, page after page, at most 100.
/// client.contacts().create(1).inbox_id(1).email("ada@example.com").send().await?;
/// let mut contacts = client.contacts().list(1).stream(Some(100));
/// while let Some(contact) = contacts.next().await {
///     println!("{:?}", contact?.email);
/// }
///
/// // By id, as the CLI does it.
/// let found = client
///     .execute_json("contacts.search", serde_json::json!({"account_id": 1, "q": "ada@example.com"}))
///     .await?;
/// assert_eq!(found["payload"][0]["email"], "ada@example.com");
/// # sandbox.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Konverte {
    http: HttpConnector,
}

impl Konverte {
    /// Starts a client; [`KonverteBuilder::base_url`] is required.
    pub fn builder() -> KonverteBuilder {
        KonverteBuilder::default()
    }

    /// A client configured from the environment the CLI reads ([`crate::env`]):
    /// `KONVERTE_BASE_URL`, the tokens and `KONVERTE_DASHED_HEADER`.
    pub fn from_env() -> Result<Konverte, Error> {
        KonverteBuilder::default().with_env().build()
    }

    /// Runs an action by id with the client's default options, as the CLI's
    /// `connector run konverte <id> --input JSON` does; answers the JSON body.
    pub async fn execute_json(
        &self,
        id: &str,
        input: serde_json::Value,
    ) -> Result<serde_json::Value, Error> {
        self.http.execute_value(id, input).await
    }

    /// The HTTP engine every call goes through.
    pub fn connector(&self) -> &HttpConnector {
        &self.http
    }
}

/// Builder for [`Konverte`].
///
/// ```
/// use connector_konverte::{Konverte, SecretString};
///
/// let client = Konverte::builder()
///     .base_url("https://chat.example.com")
///     .api_token(SecretString::from("user-access-token"))
///     .hmac_token(SecretString::from("inbox-hmac-token"))
///     .build()
///     .unwrap();
/// assert_eq!(client.connector().base_url().as_str(), "https://chat.example.com/");
/// assert!(!format!("{client:?}").contains("user-access-token"));
/// assert!(Konverte::builder().build().is_err(), "there is no default host");
/// ```
#[derive(Clone)]
pub struct KonverteBuilder {
    base_url: Option<String>,
    api_token: Option<SecretString>,
    platform_token: Option<SecretString>,
    agent_bot_token: Option<SecretString>,
    hmac_token: Option<SecretString>,
    dashed_header: bool,
    options: Option<Options>,
}

impl Default for KonverteBuilder {
    fn default() -> Self {
        KonverteBuilder {
            base_url: None,
            api_token: None,
            platform_token: None,
            agent_bot_token: None,
            hmac_token: None,
            dashed_header: true,
            options: None,
        }
    }
}

impl KonverteBuilder {
    /// The installation's address, e.g. `https://chat.example.com`. Required.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// A user's access token (profile settings), for the actions that take a `user`
    /// token: everything under `/api/v1/accounts`, `/api/v2` and the profile. It is
    /// never sent to an action that does not take one (the platform API).
    pub fn api_token(mut self, token: SecretString) -> Self {
        self.api_token = Some(token);
        self
    }

    /// A platform app's token, for the `/platform/api/v1` actions (accounts, users,
    /// account users, platform agent bots); sent nowhere else.
    pub fn platform_token(mut self, token: SecretString) -> Self {
        self.platform_token = Some(token);
        self
    }

    /// An agent bot's token, for the few actions the server lets bots call
    /// (messages.create, conversations.get, toggle_status, ...), used there when no
    /// user token is set.
    pub fn agent_bot_token(mut self, token: SecretString) -> Self {
        self.agent_bot_token = Some(token);
        self
    }

    /// The HMAC token of an API inbox with identity validation: the public API's contact
    /// calls that take `identifier` get `identifier_hash` computed from it when the
    /// input has none ([`crate::identifier_hash`]).
    pub fn hmac_token(mut self, token: SecretString) -> Self {
        self.hmac_token = Some(token);
        self
    }

    /// Send the token as `Api-Access-Token` (the default: reverse proxies such as nginx
    /// drop headers with underscores in their names); `false` sends `api_access_token`.
    pub fn dashed_header(mut self, dashed: bool) -> Self {
        self.dashed_header = dashed;
        self
    }

    /// Options for calls that do not pass their own (timeouts, retries, proxy, ...).
    pub fn options(mut self, options: Options) -> Self {
        self.options = Some(options);
        self
    }

    /// Checks the base URL and the tokens; nothing is sent.
    pub fn build(self) -> Result<Konverte, Error> {
        let base_url = self.base_url.ok_or_else(|| {
            Error::Config(
                "konverte: no base URL is configured; give the installation's address, \
                 e.g. https://chat.example.com"
                    .into(),
            )
        })?;
        let header = if self.dashed_header {
            DASHED_TOKEN_HEADER
        } else {
            TOKEN_HEADER
        };
        let mut auth = KonverteAuth::new(header);
        if let Some(token) = self.api_token {
            auth = auth.with_token(token_kind::USER, token);
        }
        if let Some(token) = self.agent_bot_token {
            auth = auth.with_token(token_kind::AGENT_BOT, token);
        }
        if let Some(token) = self.platform_token {
            auth = auth.with_token(token_kind::PLATFORM, token);
        }
        if let Some(token) = self.hmac_token {
            auth = auth.with_hmac_token(token);
        }
        let http = HttpConnector::builder("konverte", ACTIONS)
            .base_url(base_url)
            .auth(auth)
            .options(self.options.unwrap_or_default())
            .credentials_check(CREDENTIALS_CHECK)
            .build()?;
        Ok(Konverte { http })
    }
}

impl fmt::Debug for KonverteBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = |t: &Option<SecretString>| t.as_ref().map(|_| connector_core::MASK);
        f.debug_struct("KonverteBuilder")
            .field("base_url", &self.base_url)
            .field("api_token", &set(&self.api_token))
            .field("platform_token", &set(&self.platform_token))
            .field("agent_bot_token", &set(&self.agent_bot_token))
            .field("hmac_token", &set(&self.hmac_token))
            .field("dashed_header", &self.dashed_header)
            .field("options", &self.options)
            .finish()
    }
}

impl Backend for Konverte {
    fn http(&self) -> &HttpConnector {
        &self.http
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use connector_core::Connector;

    #[test]
    fn builder_debug_hides_tokens() {
        let b = Konverte::builder()
            .base_url("http://x.test")
            .api_token(SecretString::from("tok-user-1"))
            .platform_token(SecretString::from("tok-platform-2"));
        let shown = format!("{b:?}");
        assert!(
            !shown.contains("tok-user-1") && !shown.contains("tok-platform-2"),
            "{shown}"
        );
        assert!(shown.contains(connector_core::MASK));
    }

    #[test]
    fn base_url_must_be_http() {
        for bad in ["ftp://x.test", "not a url", "https://user:pw@x.test"] {
            let err = Konverte::builder().base_url(bad).build().unwrap_err();
            assert!(matches!(err, Error::Config(_)), "{bad}: {err}");
            assert!(!err.to_string().contains("pw@"), "{err}");
        }
    }

    #[test]
    fn credentials_check_is_the_profile() {
        let k = Konverte::builder()
            .base_url("http://x.test")
            .build()
            .unwrap();
        assert_eq!(
            k.connector().credentials_check_action(),
            Some("profile.get")
        );
        assert!(k.action("profile.get").unwrap().params.is_empty());
    }
}
