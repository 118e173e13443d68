//! The MOCO client: where to connect, with which key, as which user, how fast.

use crate::auth::MocoAuth;
use crate::generated::ACTIONS;
use connector_core::{
    Backend, Error, ExposeSecret, HttpConnector, Options, RateLimit, SecretString, Sleeper,
    TokioSleeper,
};
use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

pub use crate::auth::IMPERSONATE_HEADER;

/// The backend's name: the CLI's first level and [`Connector::name`](connector_core::Connector::name).
pub const BACKEND: &str = "moco";

/// The action [`Connector::check_credentials`](connector_core::Connector::check_credentials) calls: `GET /session`.
pub const CREDENTIALS_CHECK: &str = "session.get";

/// MOCO's documented quota: 120 requests per 2 minutes.
pub const DEFAULT_RATE_LIMIT: RateLimit = RateLimit {
    requests: NonZeroU32::new(120).expect("120 is not zero"),
    per: Duration::from_secs(120),
};

/// The quota of MOCO's unlimited plan: 1200 requests per 2 minutes.
pub const UNLIMITED_PLAN_RATE_LIMIT: RateLimit = RateLimit {
    requests: NonZeroU32::new(1200).expect("1200 is not zero"),
    per: Duration::from_secs(120),
};

/// A MOCO account's API, typed (`client.activities().create()...`) and by action id
/// (through [`Connector`](connector_core::Connector)). Cheap to clone; clones share
/// connections and the client-side rate limiter.
///
/// Run here against the sandbox (`connector-sandbox`); for an account, use
/// `.subdomain("acme")` or [`Moco::from_env`].
///
/// ```
/// use connector_moco::{Moco, SecretString};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), connector_moco::Error> {
/// # let sandbox = connector_sandbox::MocoSandbox::start(Default::default()).await.unwrap();
/// # let (base_url, key) = (sandbox.base_url(), sandbox.api_key().to_owned());
/// let moco = Moco::builder().base_url(base_url).api_key(SecretString::from(key)).build()?;
/// // Whose key is it? `session.get` answers a `models::Session`, `users.get` a `models::User`.
/// let me = moco.session().get().send().await?;
/// let user = moco.users().get(me.id.unwrap_or_default()).send().await?;
/// assert_eq!(user.firstname.as_deref(), Some("Sandbox"));
/// let team = user.unit.and_then(|unit| unit.name).unwrap_or_default();
/// println!("{} {} ({team})", user.firstname.unwrap_or_default(), user.lastname.unwrap_or_default());
/// # sandbox.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Moco {
    connector: HttpConnector,
    settings: Arc<Settings>,
    impersonate: Option<i64>,
}

/// What [`Moco::impersonating`] needs to build a sibling client.
struct Settings {
    base_url: String,
    api_key: SecretString,
    options: Options,
    rate_limit: Option<RateLimit>,
    sleeper: Arc<dyn Sleeper>,
}

impl Moco {
    pub fn builder() -> MocoBuilder {
        MocoBuilder::default()
    }

    /// A client configured from the environment the CLI reads ([`crate::env`]):
    /// `MOCO_BASE_URL` or `MOCO_SUBDOMAIN`, and `MOCO_API_KEY`.
    pub fn from_env() -> Result<Moco, Error> {
        MocoBuilder::default().with_env().build()
    }

    /// Runs an action by id with the client's default options, as the CLI's
    /// `connector run moco <id> --input JSON` does; answers the JSON body.
    pub async fn execute_json(
        &self,
        id: &str,
        input: serde_json::Value,
    ) -> Result<serde_json::Value, Error> {
        self.connector.execute_value(id, input).await
    }

    /// The client-side limit every call gets unless its options choose another
    /// ([`DEFAULT_RATE_LIMIT`] unless the builder said otherwise).
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.connector.default_rate_limit()
    }

    /// The HTTP engine every call goes through.
    pub fn connector(&self) -> &HttpConnector {
        &self.connector
    }

    /// The user id sent in [`IMPERSONATE_HEADER`], if any.
    pub fn impersonated_user(&self) -> Option<i64> {
        self.impersonate
    }

    /// A client with the same base URL, key and options that acts on behalf of
    /// `user_id` (sends [`IMPERSONATE_HEADER`] on every request). The key's user needs
    /// the Staff permission.
    ///
    /// The new client shares this one's connection pool and client-side limiter, so
    /// both identities together stay within the key's quota.
    pub fn impersonating(&self, user_id: i64) -> Moco {
        let auth = MocoAuth::new(self.settings.api_key.clone(), Some(user_id))
            .expect("this key already built a client");
        let connector = self.connector.with_auth(auth);
        Moco {
            connector,
            settings: Arc::clone(&self.settings),
            impersonate: Some(user_id),
        }
    }
}

impl fmt::Debug for Moco {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Moco")
            .field("base_url", &self.connector.base_url().as_str())
            .field("api_key", &connector_core::MASK)
            .field("impersonate", &self.impersonate)
            .field("rate_limit", &self.settings.rate_limit)
            .finish()
    }
}

fn build_connector(settings: &Settings, impersonate: Option<i64>) -> Result<HttpConnector, Error> {
    HttpConnector::builder(BACKEND, ACTIONS)
        .base_url(settings.base_url.clone())
        .auth(MocoAuth::new(settings.api_key.clone(), impersonate)?)
        .options(settings.options.clone())
        .default_rate_limit(settings.rate_limit)
        .sleeper(Arc::clone(&settings.sleeper))
        .credentials_check(CREDENTIALS_CHECK)
        .build()
}

/// Where the client connects.
#[derive(Debug, Clone)]
enum Target {
    Subdomain(String),
    BaseUrl(String),
}

/// Builder for [`Moco`]. Needs an API key and either a subdomain or a base URL.
///
/// ```
/// use connector_moco::{Moco, Options, SecretString};
/// use std::time::Duration;
///
/// let client = Moco::builder()
///     .subdomain("acme")
///     .api_key(SecretString::from("moco-api-key"))
///     .options(Options::builder().retries(2).timeout(Duration::from_secs(20)).build())
///     .build()
///     .unwrap();
/// assert_eq!(client.connector().base_url().as_str(), "https://acme.mocoapp.com/api/v1");
/// assert!(!format!("{client:?}").contains("moco-api-key"));
/// assert!(Moco::builder().subdomain("acme").build().is_err(), "a key is required");
/// assert!(Moco::builder().subdomain("not a host").api_key(SecretString::from("k")).build().is_err());
/// ```
#[derive(Default)]
pub struct MocoBuilder {
    target: Option<Target>,
    api_key: Option<SecretString>,
    options: Option<Options>,
    rate_limit: Option<Option<RateLimit>>,
    impersonate: Option<i64>,
    sleeper: Option<Arc<dyn Sleeper>>,
}

impl fmt::Debug for MocoBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MocoBuilder")
            .field("target", &self.target)
            .field(
                "api_key",
                &self.api_key.as_ref().map(|_| connector_core::MASK),
            )
            .field("options", &self.options)
            .field("rate_limit", &self.rate_limit)
            .field("impersonate", &self.impersonate)
            .finish()
    }
}

impl MocoBuilder {
    /// The account's subdomain: `acme` for `https://acme.mocoapp.com`. Letters, digits
    /// and inner hyphens only (checked by [`MocoBuilder::build`]). Replaces a base URL.
    pub fn subdomain(mut self, subdomain: &str) -> Self {
        self.target = Some(Target::Subdomain(subdomain.to_owned()));
        self
    }

    /// The API root, e.g. `http://127.0.0.1:8080/api/v1` for a test server or a
    /// sandbox. Replaces a subdomain.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.target = Some(Target::BaseUrl(url.into()));
        self
    }

    /// The user or account API key.
    pub fn api_key(mut self, key: impl Into<SecretString>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Options for every call that does not pass its own. The client-side limit stays
    /// MOCO's quota (see [`MocoBuilder::rate_limit`]) unless the options choose another.
    pub fn options(mut self, options: Options) -> Self {
        self.options = Some(options);
        self
    }

    /// The account's quota, applied to every call (whatever options it passes, unless
    /// they choose another limit or `Off`): [`DEFAULT_RATE_LIMIT`] unless set here;
    /// [`UNLIMITED_PLAN_RATE_LIMIT`] for the unlimited plan, `None` for no limit.
    pub fn rate_limit(mut self, limit: Option<RateLimit>) -> Self {
        self.rate_limit = Some(limit);
        self
    }

    /// Act on behalf of this user (sends [`IMPERSONATE_HEADER`] on every request).
    pub fn impersonate(mut self, user_id: i64) -> Self {
        self.impersonate = Some(user_id);
        self
    }

    /// How retries wait (tests pass a mock to observe the waits).
    pub fn sleeper(mut self, sleeper: Arc<dyn Sleeper>) -> Self {
        self.sleeper = Some(sleeper);
        self
    }

    pub fn build(self) -> Result<Moco, Error> {
        let base_url = match self.target {
            None => {
                return Err(Error::Config(
                    "moco: set the account's subdomain (or a base URL)".into(),
                ));
            }
            Some(Target::Subdomain(s)) => {
                check_subdomain(&s)?;
                format!("https://{}.mocoapp.com/api/v1", s.to_ascii_lowercase())
            }
            Some(Target::BaseUrl(url)) => url,
        };
        let api_key = self
            .api_key
            .ok_or_else(|| Error::Config("moco: no API key is configured".into()))?;
        if api_key.expose_secret().trim().is_empty() {
            return Err(Error::Config("moco: the API key is empty".into()));
        }
        let settings = Settings {
            base_url,
            api_key,
            options: self.options.unwrap_or_default(),
            rate_limit: self.rate_limit.unwrap_or(Some(DEFAULT_RATE_LIMIT)),
            sleeper: self.sleeper.unwrap_or_else(|| Arc::new(TokioSleeper)),
        };
        let connector = build_connector(&settings, self.impersonate)?;
        Ok(Moco {
            connector,
            settings: Arc::new(settings),
            impersonate: self.impersonate,
        })
    }
}

/// A DNS label of letters, digits and hyphens (not first or last), at most 63 long.
fn check_subdomain(s: &str) -> Result<(), Error> {
    let ok = !s.is_empty()
        && s.len() <= 63
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(Error::validation(
            "subdomain",
            format!(
                "{s:?} is not a MOCO subdomain: use letters, digits and hyphens, like `acme` for acme.mocoapp.com"
            ),
        ))
    }
}

impl Backend for Moco {
    fn http(&self) -> &HttpConnector {
        &self.connector
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use connector_core::Connector;

    fn key() -> SecretString {
        SecretString::from("k-123-very-secret")
    }

    #[test]
    fn subdomains_become_the_api_root() {
        let moco = Moco::builder()
            .subdomain("Acme-2")
            .api_key(key())
            .build()
            .unwrap();
        assert_eq!(
            moco.connector().base_url().as_str(),
            "https://acme-2.mocoapp.com/api/v1"
        );
        for bad in [
            "",
            "ac me",
            "acme.evil.example",
            "acme/../x",
            "-acme",
            "acme-",
            "ä",
            &"a".repeat(64),
        ] {
            let err = Moco::builder()
                .subdomain(bad)
                .api_key(key())
                .build()
                .unwrap_err();
            assert_eq!(err.field(), Some("subdomain"), "{bad:?}");
        }
    }

    #[test]
    fn a_key_and_a_target_are_required() {
        assert!(Moco::builder().api_key(key()).build().is_err());
        assert!(Moco::builder().subdomain("acme").build().is_err());
        assert!(
            Moco::builder()
                .subdomain("acme")
                .api_key(SecretString::from(" "))
                .build()
                .is_err()
        );
        assert!(
            Moco::builder()
                .base_url("ftp://x")
                .api_key(key())
                .build()
                .is_err()
        );
    }

    #[test]
    fn the_documented_quota_is_the_default_and_can_be_changed() {
        let limit = |b: MocoBuilder| {
            b.subdomain("acme")
                .api_key(key())
                .build()
                .unwrap()
                .rate_limit()
        };
        assert_eq!(limit(Moco::builder()), Some(DEFAULT_RATE_LIMIT));
        assert_eq!(DEFAULT_RATE_LIMIT.interval(), Duration::from_secs(1));
        assert_eq!(
            limit(Moco::builder().rate_limit(Some(UNLIMITED_PLAN_RATE_LIMIT))),
            Some(UNLIMITED_PLAN_RATE_LIMIT)
        );
        assert_eq!(limit(Moco::builder().rate_limit(None)), None);
        // Options of their own do not drop the quota.
        let opts = Options::builder().timeout(Duration::from_secs(5)).build();
        assert_eq!(
            limit(Moco::builder().options(opts)),
            Some(DEFAULT_RATE_LIMIT)
        );
    }

    #[test]
    fn debug_never_shows_the_key() {
        let builder = Moco::builder()
            .subdomain("acme")
            .api_key(key())
            .impersonate(7);
        assert!(!format!("{builder:?}").contains("very-secret"));
        let moco = builder.build().unwrap();
        let shown = format!(
            "{moco:?} {:?} {:?}",
            moco.connector(),
            moco.impersonating(8)
        );
        assert!(!shown.contains("very-secret"), "{shown}");
        assert!(shown.contains("acme.mocoapp.com"));
    }

    #[test]
    fn impersonating_keeps_the_settings() {
        let moco = Moco::builder()
            .subdomain("acme")
            .api_key(key())
            .rate_limit(None)
            .build()
            .unwrap();
        let other = moco.impersonating(42);
        assert_eq!(other.impersonated_user(), Some(42));
        assert_eq!(moco.impersonated_user(), None);
        assert_eq!(other.connector().base_url(), moco.connector().base_url());
        assert_eq!(other.rate_limit(), None);
        assert_eq!(Connector::name(&other), "moco");
        assert_eq!(
            other.connector().credentials_check_action(),
            Some(CREDENTIALS_CHECK)
        );
    }
}
