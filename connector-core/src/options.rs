//! Request options: the seed's "Request Options", available on every action.

use crate::error::Error;
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::num::{NonZeroU32, NonZeroUsize};
use std::str::FromStr;
use std::time::Duration;
use url::Url;

/// How every action is sent: timeouts, proxy, TLS, batching, concurrency, retries,
/// rate limit. [`Options`] is the ready-made implementation; implement the trait to
/// source options from elsewhere (a config service, per-tenant settings, ...).
pub trait RequestOptions: Send + Sync + fmt::Debug {
    /// Deadline for one attempt (connect, send, and read the whole response).
    fn timeout(&self) -> Option<Duration>;
    /// Deadline for the whole call, retries and waits included.
    fn total_timeout(&self) -> Option<Duration>;
    fn proxy(&self) -> Option<&ProxyConfig>;
    /// Accept any TLS certificate. Off unless asked for; warned about when used.
    fn ignore_ssl_issues(&self) -> bool;
    /// Items per batch; `None` sends a stream of items without pauses.
    fn batch_size(&self) -> Option<NonZeroUsize>;
    /// Pause after each batch.
    fn batch_interval(&self) -> Duration;
    /// Requests in flight at once in a batch.
    fn concurrency(&self) -> NonZeroUsize;
    fn retry(&self) -> &RetryPolicy;
    /// Client-side limit: the connector's own (e.g. MOCO's documented quota), none, or
    /// another one.
    fn rate_limit(&self) -> RateLimitChoice;
    /// Where a fixed limit's schedule is kept: shared by this machine's processes unless
    /// said otherwise.
    fn rate_limit_store(&self) -> &RateLimitStore {
        &RateLimitStore::Machine
    }
    /// In a batch, go on after a failed item (else the rest is skipped).
    fn continue_on_fail(&self) -> bool;
    /// Extra headers sent with every request (e.g. MOCO's `X-IMPERSONATE-USER-ID`).
    fn headers(&self) -> &[(String, String)];
    /// Send fields and enum values the declaration does not know, as given (each logged
    /// as a warning), instead of refusing them: for what the API takes but its docs do
    /// not list. Off by default, so that typos are caught.
    fn lenient(&self) -> bool {
        false
    }
}

/// Retry budget and backoff.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included (1 = never retry).
    pub max_attempts: u32,
    /// First backoff delay; doubled per attempt, with jitter.
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// A `Retry-After` longer than this is not waited for; the call fails as rate limited.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(150),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// `retries` re-tries after the first attempt.
    pub fn with_retries(retries: u32) -> Self {
        RetryPolicy {
            max_attempts: retries.saturating_add(1),
            ..Self::default()
        }
    }
}

/// A client-side limit: at most `requests` per `per`, spread evenly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RateLimit {
    pub requests: NonZeroU32,
    pub per: Duration,
}

impl RateLimit {
    pub fn new(requests: u32, per: Duration) -> Result<Self, Error> {
        let requests = NonZeroU32::new(requests)
            .ok_or_else(|| Error::Config("a rate limit needs at least 1 request".into()))?;
        if per.is_zero() {
            return Err(Error::Config(
                "a rate limit window must be longer than 0".into(),
            ));
        }
        Ok(RateLimit { requests, per })
    }

    /// Time between two requests.
    pub fn interval(&self) -> Duration {
        self.per / self.requests.get()
    }
}

impl fmt::Display for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}",
            self.requests,
            humantime::format_duration(self.per)
        )
    }
}

/// Parses `120/2m`, `20/1s`, `1200/120s`; `off` is handled by [`parse_rate_limit`].
impl FromStr for RateLimit {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            Error::Config(format!(
                "rate limit {s:?}: expected N/DURATION, e.g. 120/2m or 20/1s"
            ))
        };
        let (n, per) = s.split_once('/').ok_or_else(bad)?;
        let n: u32 = n.trim().parse().map_err(|_| bad())?;
        let per = per.trim();
        let per = if per.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            humantime::parse_duration(per).map_err(|_| bad())?
        } else {
            humantime::parse_duration(&format!("1{per}")).map_err(|_| bad())?
        };
        RateLimit::new(n, per)
    }
}

/// Which client-side rate limit a call uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RateLimitChoice {
    /// The connector's default: the API's documented quota where it has one.
    #[default]
    ConnectorDefault,
    /// No client-side limit at all.
    Off,
    /// This limit instead of the connector's.
    Custom(RateLimit),
}

impl RateLimitChoice {
    /// The limit in force, given the connector's default.
    pub fn resolve(self, connector_default: Option<RateLimit>) -> Option<RateLimit> {
        match self {
            RateLimitChoice::ConnectorDefault => connector_default,
            RateLimitChoice::Off => None,
            RateLimitChoice::Custom(limit) => Some(limit),
        }
    }
}

impl From<Option<RateLimit>> for RateLimitChoice {
    fn from(limit: Option<RateLimit>) -> Self {
        limit.map_or(RateLimitChoice::Off, RateLimitChoice::Custom)
    }
}

/// Where a fixed rate limit's schedule is kept, so that everyone using the same backend and
/// credentials shares one quota. Without a fixed limit (no `--rate-limit`, no quota the
/// connector knows) pacing adapts to the server's 429s, in this process.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum RateLimitStore {
    /// In this process only.
    Process,
    /// Shared by the processes of this machine: a small lock-protected file per backend and
    /// credentials (named by a hash) in the cache directory.
    #[default]
    Machine,
    /// Like [`RateLimitStore::Machine`], with the files in this directory.
    Directory(std::path::PathBuf),
    /// Shared by every machine using this Redis. If it cannot be reached, calls fail before
    /// sending anything. Needs the `redis` feature; without it, calls fail with
    /// [`Error::Config`] before sending anything.
    Redis(RedisUrl),
}

impl RateLimitStore {
    /// `process`, `machine` or `redis://[:PASSWORD@]HOST:PORT[/DB]`.
    pub fn parse(s: &str) -> Result<Self, Error> {
        match s.trim() {
            "process" => Ok(RateLimitStore::Process),
            "machine" => Ok(RateLimitStore::Machine),
            url => RedisUrl::parse(url).map(RateLimitStore::Redis),
        }
    }

    /// Stores that exist to share a limit across machines need one to share.
    pub(crate) fn is_shared(&self) -> bool {
        matches!(self, RateLimitStore::Redis(_))
    }
}

impl fmt::Display for RateLimitStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RateLimitStore::Process => f.write_str("process"),
            RateLimitStore::Machine => f.write_str("machine"),
            RateLimitStore::Directory(dir) => write!(f, "{}", dir.display()),
            RateLimitStore::Redis(url) => write!(f, "{url}"),
        }
    }
}

/// A `redis://` URL. A password in it is shown as `***`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RedisUrl {
    url: Url,
}

impl RedisUrl {
    pub fn parse(s: &str) -> Result<Self, Error> {
        let bad = |why: &str| {
            Error::Config(format!(
                "rate-limit store: {why} (expected process, machine or redis://HOST:PORT)"
            ))
        };
        let url = Url::parse(s.trim()).map_err(|_| bad("not a URL"))?;
        match url.scheme() {
            "redis" => {}
            "rediss" => return Err(bad("TLS to Redis (rediss://) is not supported")),
            _ => return Err(bad("the scheme must be redis://")),
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(bad("the URL needs a host"));
        }
        Ok(RedisUrl { url })
    }

    /// The URL with its password, for connecting only.
    #[cfg(feature = "redis")]
    pub(crate) fn expose(&self) -> &str {
        self.url.as_str()
    }
}

impl fmt::Display for RedisUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = self.url.clone();
        if shown.password().is_some() {
            let _ = shown.set_password(Some(crate::request::MASK));
        }
        f.write_str(shown.as_str())
    }
}

impl fmt::Debug for RedisUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RedisUrl({self})")
    }
}

/// `off`/`none` -> no limit, otherwise [`RateLimit::from_str`].
pub fn parse_rate_limit(s: &str) -> Result<Option<RateLimit>, Error> {
    match s.trim() {
        "off" | "none" | "0" => Ok(None),
        other => other.parse().map(Some),
    }
}

/// Parses `30s`, `1500ms`, `2m`; a bare number is seconds.
pub fn parse_duration(s: &str) -> Result<Duration, Error> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    humantime::parse_duration(s)
        .map_err(|e| Error::Config(format!("duration {s:?}: {e} (e.g. 30s, 1500ms, 2m)")))
}

/// An HTTP, HTTPS or SOCKS5 proxy. The password is held as a secret and shown as `***`.
#[derive(Clone)]
pub struct ProxyConfig {
    url: Url,
    username: Option<String>,
    password: Option<SecretString>,
    no_proxy: Option<String>,
}

impl ProxyConfig {
    /// `http://host:3128`, `https://user:pass@host`, `socks5://host:1080`, `socks5h://...`.
    pub fn parse(url: &str) -> Result<Self, Error> {
        let mut parsed = Url::parse(url).map_err(|_| {
            Error::Config(
                "proxy: expected a URL like http://host:3128 or socks5://host:1080".into(),
            )
        })?;
        if !matches!(parsed.scheme(), "http" | "https" | "socks5" | "socks5h") {
            return Err(Error::Config(format!(
                "proxy: scheme {:?} is not supported (http, https, socks5, socks5h)",
                parsed.scheme()
            )));
        }
        if parsed.host_str().is_none() {
            return Err(Error::Config("proxy: the URL needs a host".into()));
        }
        let username = (!parsed.username().is_empty()).then(|| decode(parsed.username()));
        let password = parsed.password().map(|p| SecretString::from(decode(p)));
        let _ = parsed.set_username("");
        let _ = parsed.set_password(None);
        Ok(ProxyConfig {
            url: parsed,
            username,
            password,
            no_proxy: None,
        })
    }

    /// Hosts that bypass the proxy, comma-separated (`localhost,.internal,10.0.0.0/8`).
    pub fn with_no_proxy(mut self, hosts: impl Into<String>) -> Self {
        self.no_proxy = Some(hosts.into());
        self
    }

    pub fn with_credentials(mut self, username: impl Into<String>, password: SecretString) -> Self {
        self.username = Some(username.into());
        self.password = Some(password);
        self
    }

    /// The proxy URL without credentials.
    pub fn url(&self) -> &Url {
        &self.url
    }

    pub fn no_proxy(&self) -> Option<&str> {
        self.no_proxy.as_deref()
    }

    pub(crate) fn to_reqwest(&self) -> Result<reqwest::Proxy, Error> {
        let socks = self.url.scheme().starts_with("socks");
        let mut url = self.url.clone();
        if socks {
            // reqwest reads SOCKS credentials from the URL only.
            if let Some(user) = &self.username {
                let _ = url.set_username(user);
                let _ = url.set_password(self.password.as_ref().map(|p| p.expose_secret()));
            }
        }
        let mut proxy = reqwest::Proxy::all(url.as_str())
            .map_err(|_| Error::Config(format!("proxy {}: not usable", self.url)))?;
        if !socks && let Some(user) = &self.username {
            let password = self.password.as_ref().map_or("", |p| p.expose_secret());
            proxy = proxy.basic_auth(user, password);
        }
        if let Some(hosts) = &self.no_proxy {
            proxy = proxy.no_proxy(reqwest::NoProxy::from_string(hosts));
        }
        Ok(proxy)
    }

    /// Identity of this proxy for the client cache (credentials included, never shown).
    pub(crate) fn cache_key(&self) -> String {
        format!(
            "{}|{}|{}|{}",
            self.url,
            self.username.as_deref().unwrap_or(""),
            self.password.as_ref().map_or("", |p| p.expose_secret()),
            self.no_proxy.as_deref().unwrap_or("")
        )
    }
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

impl fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyConfig")
            .field("url", &self.url.as_str())
            .field("username", &self.username)
            .field(
                "password",
                &self.password.as_ref().map(|_| crate::request::MASK),
            )
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

/// The ready-made [`RequestOptions`]. Build with [`Options::builder`].
///
/// ```
/// use connector_core::{Options, RateLimit};
/// use std::time::Duration;
///
/// let options = Options::builder()
///     .timeout(Duration::from_secs(10))
///     .batch_size(50)
///     .batch_interval(Duration::from_millis(500))
///     .rate_limit("120/2m".parse::<RateLimit>().unwrap())
///     .retries(3)
///     .build();
/// assert_eq!(options.retry.max_attempts, 4);
/// ```
#[derive(Debug, Clone)]
pub struct Options {
    pub timeout: Option<Duration>,
    pub total_timeout: Option<Duration>,
    pub proxy: Option<ProxyConfig>,
    pub ignore_ssl_issues: bool,
    pub batch_size: Option<NonZeroUsize>,
    pub batch_interval: Duration,
    pub concurrency: NonZeroUsize,
    pub retry: RetryPolicy,
    pub rate_limit: RateLimitChoice,
    pub rate_limit_store: RateLimitStore,
    pub continue_on_fail: bool,
    pub headers: Vec<(String, String)>,
    /// See [`RequestOptions::lenient`].
    pub lenient: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            timeout: Some(Duration::from_secs(30)),
            total_timeout: None,
            proxy: None,
            ignore_ssl_issues: false,
            batch_size: None,
            batch_interval: Duration::ZERO,
            concurrency: NonZeroUsize::new(4).expect("4 is not zero"),
            retry: RetryPolicy::default(),
            rate_limit: RateLimitChoice::ConnectorDefault,
            rate_limit_store: RateLimitStore::Machine,
            continue_on_fail: false,
            headers: Vec::new(),
            lenient: false,
        }
    }
}

impl Options {
    pub fn builder() -> OptionsBuilder {
        OptionsBuilder(Options::default())
    }
}

/// Builder for [`Options`].
#[derive(Debug, Clone, Default)]
pub struct OptionsBuilder(Options);

impl OptionsBuilder {
    pub fn timeout(mut self, d: Duration) -> Self {
        self.0.timeout = Some(d);
        self
    }
    pub fn no_timeout(mut self) -> Self {
        self.0.timeout = None;
        self
    }
    pub fn total_timeout(mut self, d: Duration) -> Self {
        self.0.total_timeout = Some(d);
        self
    }
    pub fn proxy(mut self, proxy: ProxyConfig) -> Self {
        self.0.proxy = Some(proxy);
        self
    }
    /// Accept any certificate. Only for hosts you trust: a warning is logged each
    /// time a client is built with it.
    pub fn ignore_ssl_issues(mut self, ignore: bool) -> Self {
        self.0.ignore_ssl_issues = ignore;
        self
    }
    /// Items per batch; 0 means no batching.
    pub fn batch_size(mut self, n: usize) -> Self {
        self.0.batch_size = NonZeroUsize::new(n);
        self
    }
    pub fn batch_interval(mut self, d: Duration) -> Self {
        self.0.batch_interval = d;
        self
    }
    /// Requests in flight at once (at least 1).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.0.concurrency = NonZeroUsize::new(n.max(1)).expect("at least 1");
        self
    }
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.0.retry = policy;
        self
    }
    /// Re-tries after the first attempt.
    pub fn retries(mut self, n: u32) -> Self {
        self.0.retry.max_attempts = n.saturating_add(1);
        self
    }
    /// Use this limit instead of the connector's default.
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.0.rate_limit = RateLimitChoice::Custom(limit);
        self
    }
    /// `Some(limit)`: use it; `None`: no client-side limit at all.
    pub fn rate_limit_opt(mut self, limit: Option<RateLimit>) -> Self {
        self.0.rate_limit = limit.into();
        self
    }
    pub fn rate_limit_choice(mut self, choice: RateLimitChoice) -> Self {
        self.0.rate_limit = choice;
        self
    }
    /// Where a fixed limit's schedule is kept (default: shared by this machine's processes).
    pub fn rate_limit_store(mut self, store: RateLimitStore) -> Self {
        self.0.rate_limit_store = store;
        self
    }
    pub fn continue_on_fail(mut self, yes: bool) -> Self {
        self.0.continue_on_fail = yes;
        self
    }
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.0.headers.push((name.into(), value.into()));
        self
    }
    /// See [`RequestOptions::lenient`].
    pub fn lenient(mut self, yes: bool) -> Self {
        self.0.lenient = yes;
        self
    }
    pub fn build(self) -> Options {
        self.0
    }
}

impl RequestOptions for Options {
    fn timeout(&self) -> Option<Duration> {
        self.timeout
    }
    fn total_timeout(&self) -> Option<Duration> {
        self.total_timeout
    }
    fn proxy(&self) -> Option<&ProxyConfig> {
        self.proxy.as_ref()
    }
    fn ignore_ssl_issues(&self) -> bool {
        self.ignore_ssl_issues
    }
    fn batch_size(&self) -> Option<NonZeroUsize> {
        self.batch_size
    }
    fn batch_interval(&self) -> Duration {
        self.batch_interval
    }
    fn concurrency(&self) -> NonZeroUsize {
        self.concurrency
    }
    fn retry(&self) -> &RetryPolicy {
        &self.retry
    }
    fn rate_limit(&self) -> RateLimitChoice {
        self.rate_limit
    }
    fn rate_limit_store(&self) -> &RateLimitStore {
        &self.rate_limit_store
    }
    fn continue_on_fail(&self) -> bool {
        self.continue_on_fail
    }
    fn headers(&self) -> &[(String, String)] {
        &self.headers
    }
    fn lenient(&self) -> bool {
        self.lenient
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limits_parse() {
        let r: RateLimit = "120/2m".parse().unwrap();
        assert_eq!((r.requests.get(), r.per), (120, Duration::from_secs(120)));
        assert_eq!(r.interval(), Duration::from_secs(1));
        let r: RateLimit = "20/s".parse().unwrap();
        assert_eq!(r.interval(), Duration::from_millis(50));
        assert!(parse_rate_limit("off").unwrap().is_none());
        for bad in ["120", "x/2m", "0/1s", "5/0s", "5/soon"] {
            assert!(bad.parse::<RateLimit>().is_err(), "{bad}");
        }
    }

    #[test]
    fn rate_limit_stores_parse_and_hide_passwords() {
        assert_eq!(
            RateLimitStore::parse("machine").unwrap(),
            RateLimitStore::Machine
        );
        assert_eq!(
            RateLimitStore::parse("process").unwrap(),
            RateLimitStore::Process
        );
        let s = RateLimitStore::parse("redis://:hunter2@10.0.0.5:6379/2").unwrap();
        assert_eq!(s.to_string(), "redis://:***@10.0.0.5:6379/2");
        assert!(!format!("{s:?}").contains("hunter2"));
        for bad in ["rediss://h:6379", "http://h", "redis://", "nonsense"] {
            assert!(RateLimitStore::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("30s").unwrap(), Duration::from_secs(30));
        assert_eq!(
            parse_duration("1500ms").unwrap(),
            Duration::from_millis(1500)
        );
        assert_eq!(parse_duration("2").unwrap(), Duration::from_secs(2));
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn proxy_password_never_shows() {
        let p = ProxyConfig::parse("http://bob:hunter2%21@proxy.local:3128").unwrap();
        let shown = format!("{p:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert_eq!(p.url().as_str(), "http://proxy.local:3128/");
        assert!(ProxyConfig::parse("ftp://x").is_err());
        assert!(ProxyConfig::parse("not a url").is_err());
    }
}
