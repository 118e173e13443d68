//! The one request pipeline: prepared request -> rate limiter -> attempt (timeout) ->
//! classify -> retry decision -> response. Typed calls, dynamic calls, pages of a
//! list and items of a batch all go through [`HttpConnector::send_prepared`].

use crate::action::{Action, ActionSpec, find};
use crate::clock::{Sleeper, TokioSleeper};
use crate::error::Error;
use crate::limiter::{Identity, Limiters, Signal};
use crate::options::{Options, RateLimit, RequestOptions};
use crate::request::{self, PreparedRequest};
use crate::response::Response;
use crate::retry::{self, Decision, Failure};
use crate::secret::{Authenticator, NoAuth};
use crate::transport::{self, Transports};
use backon::BackoffBuilder;
use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Map, Value};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};
use url::Url;

/// A backend's HTTP engine: base URL, credentials, action registry, and the shared
/// clients and limiters. Cheap to clone (one `Arc`).
#[derive(Clone, Debug)]
pub struct HttpConnector {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    name: String,
    base_url: Url,
    actions: &'static [ActionSpec],
    auth: Arc<dyn Authenticator>,
    options: Arc<dyn RequestOptions>,
    sleeper: Arc<dyn Sleeper>,
    transports: Arc<Transports>,
    limiters: Arc<Limiters>,
    credentials_check: Option<&'static str>,
    default_rate_limit: Option<RateLimit>,
}

/// Builder for [`HttpConnector`].
#[derive(Debug)]
pub struct HttpConnectorBuilder {
    name: String,
    actions: &'static [ActionSpec],
    base_url: Option<String>,
    auth: Arc<dyn Authenticator>,
    options: Arc<dyn RequestOptions>,
    sleeper: Arc<dyn Sleeper>,
    credentials_check: Option<&'static str>,
    user_agent: Option<String>,
    default_rate_limit: Option<RateLimit>,
}

impl HttpConnectorBuilder {
    /// Base URL every action path is appended to (e.g. `https://app.example.com`).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }
    pub fn auth(mut self, auth: impl Authenticator + 'static) -> Self {
        self.auth = Arc::new(auth);
        self
    }
    /// Options used by typed calls that do not pass their own.
    pub fn options(mut self, options: impl RequestOptions + 'static) -> Self {
        self.options = Arc::new(options);
        self
    }
    pub fn shared_options(mut self, options: Arc<dyn RequestOptions>) -> Self {
        self.options = options;
        self
    }
    pub fn sleeper(mut self, sleeper: Arc<dyn Sleeper>) -> Self {
        self.sleeper = sleeper;
        self
    }
    /// The action (taking no input) that proves the credentials work.
    pub fn credentials_check(mut self, action_id: &'static str) -> Self {
        self.credentials_check = Some(action_id);
        self
    }
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = Some(ua.into());
        self
    }
    /// The API's quota, applied to every call whose options leave the limit at
    /// [`RateLimitChoice::ConnectorDefault`](crate::RateLimitChoice::ConnectorDefault).
    pub fn default_rate_limit(mut self, limit: Option<RateLimit>) -> Self {
        self.default_rate_limit = limit;
        self
    }

    pub fn build(self) -> Result<HttpConnector, Error> {
        let raw = self
            .base_url
            .ok_or_else(|| Error::Config(format!("{}: no base URL is configured", self.name)))?;
        // The raw text is not echoed: it may carry credentials.
        let base_url = Url::parse(raw.trim())
            .map_err(|e| Error::Config(format!("{}: the base URL is not a URL: {e}", self.name)))?;
        if !matches!(base_url.scheme(), "http" | "https") {
            return Err(Error::Config(format!(
                "{}: base URL must start with http:// or https://",
                self.name
            )));
        }
        if !base_url.username().is_empty() || base_url.password().is_some() {
            return Err(Error::Config(format!(
                "{}: put credentials in the token, not in the base URL",
                self.name
            )));
        }
        let user_agent = self
            .user_agent
            .unwrap_or_else(|| format!("connectors/{} ({})", env!("CARGO_PKG_VERSION"), self.name));
        Ok(HttpConnector {
            inner: Arc::new(Inner {
                name: self.name,
                base_url,
                actions: self.actions,
                auth: self.auth,
                options: self.options,
                sleeper: self.sleeper,
                transports: Arc::new(Transports::new(user_agent)),
                limiters: Arc::new(Limiters::default()),
                credentials_check: self.credentials_check,
                default_rate_limit: self.default_rate_limit,
            }),
        })
    }
}

impl HttpConnector {
    pub fn builder(
        name: impl Into<String>,
        actions: &'static [ActionSpec],
    ) -> HttpConnectorBuilder {
        HttpConnectorBuilder {
            name: name.into(),
            actions,
            base_url: None,
            auth: Arc::new(NoAuth),
            options: Arc::new(Options::default()),
            sleeper: Arc::new(TokioSleeper),
            credentials_check: None,
            user_agent: None,
            default_rate_limit: None,
        }
    }

    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The same connector with other credentials (another identity on the same API),
    /// sharing this one's HTTP clients and rate limiters, so that together they stay
    /// within one quota.
    pub fn with_auth(&self, auth: impl Authenticator + 'static) -> HttpConnector {
        let i = &self.inner;
        HttpConnector {
            inner: Arc::new(Inner {
                name: i.name.clone(),
                base_url: i.base_url.clone(),
                actions: i.actions,
                auth: Arc::new(auth),
                options: Arc::clone(&i.options),
                sleeper: Arc::clone(&i.sleeper),
                transports: Arc::clone(&i.transports),
                limiters: Arc::clone(&i.limiters),
                credentials_check: i.credentials_check,
                default_rate_limit: i.default_rate_limit,
            }),
        }
    }
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }
    pub fn actions(&self) -> &'static [ActionSpec] {
        self.inner.actions
    }
    pub fn options(&self) -> &dyn RequestOptions {
        &*self.inner.options
    }
    pub fn sleeper(&self) -> &dyn Sleeper {
        &*self.inner.sleeper
    }
    pub fn credentials_check_action(&self) -> Option<&'static str> {
        self.inner.credentials_check
    }
    /// The limit calls get unless their options choose another.
    pub fn default_rate_limit(&self) -> Option<RateLimit> {
        self.inner.default_rate_limit
    }
    /// How many HTTP clients this connector has built (one per distinct transport options).
    pub fn clients_built(&self) -> usize {
        self.inner.transports.built()
    }

    /// The action with this id, or [`Error::UnknownAction`].
    pub fn action(&self, id: &str) -> Result<&'static ActionSpec, Error> {
        find(self.inner.actions, id).ok_or_else(|| Error::UnknownAction {
            backend: self.inner.name.clone(),
            id: id.to_owned(),
        })
    }

    /// Validates `input` and builds the request. No I/O.
    pub fn prepare(&self, id: &str, input: &Map<String, Value>) -> Result<PreparedRequest, Error> {
        request::prepare(self.action(id)?, &self.inner.base_url, input)
    }

    /// Runs a typed request with the connector's default options.
    pub async fn send<A: Action>(&self, action: A) -> Result<A::Output, Error> {
        let options = Arc::clone(&self.inner.options);
        self.send_with(action, &*options).await
    }

    /// Runs a typed request with these options.
    pub async fn send_with<A: Action>(
        &self,
        action: A,
        options: &dyn RequestOptions,
    ) -> Result<A::Output, Error> {
        let spec = action.spec();
        let prepared = request::prepare(spec, &self.inner.base_url, &action.into_input())?;
        let value = self.send_prepared(&prepared, options).await?.json()?;
        decode(crate::response::unwrap_envelope(spec, value)?)
    }

    /// Runs an action by id and returns the response body as JSON.
    pub async fn execute_json(
        &self,
        id: &str,
        input: &Map<String, Value>,
        options: &dyn RequestOptions,
    ) -> Result<Value, Error> {
        let prepared = self.prepare(id, input)?;
        self.send_prepared(&prepared, options).await?.json()
    }

    /// Sends a validated request: limiter, attempts with timeouts, retries, and the
    /// overall deadline. Returns the 2xx response or the final error.
    pub async fn send_prepared(
        &self,
        req: &PreparedRequest,
        options: &dyn RequestOptions,
    ) -> Result<Response, Error> {
        let headers = self.headers_for(req, options)?;
        let client = self.inner.transports.client(options)?;
        let in_flight = AtomicBool::new(false);
        let call = self.send_with_retries(&client, req, &headers, options, &in_flight);
        match options.total_timeout() {
            None => call.await,
            Some(deadline) => match tokio::time::timeout(deadline, call).await {
                Ok(result) => result,
                // Cut while waiting (limiter, backoff): the last attempt, if any, had
                // finished and was of a kind that is safe to repeat.
                Err(_) if !in_flight.load(Ordering::SeqCst) => Err(Error::Timeout {
                    after: deadline,
                    maybe_sent: false,
                }),
                Err(_) if req.action.idempotent => Err(Error::Timeout {
                    after: deadline,
                    maybe_sent: true,
                }),
                Err(_) => Err(Error::OutcomeUnknown {
                    message: format!(
                        "the overall deadline of {} passed during an attempt",
                        humantime::format_duration(deadline)
                    ),
                }),
            },
        }
    }

    /// Method, URL, headers (credentials masked) and body (secrets masked) of a
    /// request, exactly as it would be sent. For `--dry-run`. Fails where sending would
    /// fail before any I/O (e.g. no credential for the action).
    pub fn describe(
        &self,
        req: &PreparedRequest,
        options: &dyn RequestOptions,
    ) -> Result<Value, Error> {
        let mut shown: Vec<Value> = Vec::new();
        for (name, value) in &self.headers_for(req, options)? {
            let text = if value.is_sensitive() {
                request::MASK.to_owned()
            } else {
                value.to_str().unwrap_or("<binary>").to_owned()
            };
            shown.push(serde_json::json!([name.as_str(), text]));
        }
        for (name, value) in req.redacted_headers() {
            if !shown
                .iter()
                .any(|h| h[0].as_str().is_some_and(|n| n.eq_ignore_ascii_case(&name)))
            {
                shown.push(serde_json::json!([name, value]));
            }
        }
        Ok(serde_json::json!({
            "action": req.action.id,
            "method": req.method.as_str(),
            "url": req.redacted_url(),
            "headers": shown,
            "body": req.redacted_body(),
        }))
    }

    fn headers_for(
        &self,
        req: &PreparedRequest,
        options: &dyn RequestOptions,
    ) -> Result<HeaderMap, Error> {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::ACCEPT,
            HeaderValue::from_static("application/json"),
        );
        if req.body.is_some() {
            headers.insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
        }
        for (name, value) in options.headers().iter().chain(req.headers.iter()) {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::validation(name.clone(), "is not a valid header name"))?;
            let value = HeaderValue::from_str(value).map_err(|_| {
                Error::validation(
                    name.as_str(),
                    "header value has characters a header cannot carry",
                )
            })?;
            headers.insert(name, value);
        }
        self.inner.auth.authorize(req.action, &mut headers)?;
        Ok(headers)
    }

    async fn send_with_retries(
        &self,
        client: &reqwest::Client,
        req: &PreparedRequest,
        headers: &HeaderMap,
        options: &dyn RequestOptions,
        in_flight: &AtomicBool,
    ) -> Result<Response, Error> {
        let policy = options.retry();
        let pacer = self.inner.limiters.pacer(
            options.rate_limit(),
            self.inner.default_rate_limit,
            options.rate_limit_store(),
            || Identity::of(&self.inner.name, &self.inner.base_url, headers),
            req.action.resource,
        )?;
        let mut backoff = backon::ExponentialBuilder::default()
            .with_min_delay(policy.base_delay)
            .with_max_delay(policy.max_delay)
            .with_factor(2.0)
            .with_jitter()
            .without_max_times()
            .build();
        let started = Instant::now();
        let body = match &req.body {
            Some(v) => Some(bytes::Bytes::from(serde_json::to_vec(v).map_err(|e| {
                Error::Config(format!("cannot encode the request body: {e}"))
            })?)),
            None => None,
        };
        let mut attempts = 0;
        let mut earlier_maybe_applied = false;
        let mut permit = pacer.acquire().await?;
        loop {
            attempts += 1;
            tracing::debug!(action = req.action.id, method = %req.method, url = %req.redacted_url(), attempt = attempts, "sending");
            in_flight.store(true, Ordering::SeqCst);
            let outcome = self
                .attempt(client, req, headers, body.clone(), options.timeout())
                .await;
            in_flight.store(false, Ordering::SeqCst);
            let (failure, last) = match outcome {
                Ok(resp) => {
                    let retry_after = resp
                        .header("retry-after")
                        .and_then(|v| retry::parse_retry_after(v, SystemTime::now()));
                    match retry::classify_status(resp.status, retry_after) {
                        None => {
                            permit.finish(Signal::Success).await;
                            return Ok(resp);
                        }
                        Some(f) => (f, Err(resp)),
                    }
                }
                Err((f, e)) => (f, Ok(e)),
            };
            permit
                .finish(match failure {
                    Failure::Throttled { retry_after } => Signal::Throttled { retry_after },
                    _ => Signal::Other,
                })
                .await;
            let remaining = options
                .total_timeout()
                .map(|t| t.saturating_sub(started.elapsed()));
            let proposed = backoff.next().unwrap_or(policy.max_delay);
            match retry::decide(
                policy,
                attempts,
                failure,
                req.action.idempotent,
                proposed,
                remaining,
            ) {
                Decision::Retry { after } => {
                    tracing::info!(action = req.action.id, attempt = attempts, wait = ?after, failure = ?failure, "retrying");
                    earlier_maybe_applied |= failure.maybe_applied();
                    self.inner.sleeper.sleep(after).await;
                    permit = match pacer.acquire().await {
                        Ok(p) => p,
                        Err(e) => {
                            tracing::warn!(error = %e, "cannot pace the retry; giving up");
                            return Err(self.final_error(
                                req,
                                failure,
                                last,
                                earlier_maybe_applied,
                            ));
                        }
                    };
                }
                Decision::Stop => {
                    return Err(self.final_error(req, failure, last, earlier_maybe_applied));
                }
            }
        }
    }

    fn final_error(
        &self,
        req: &PreparedRequest,
        failure: Failure,
        last: Result<Error, Response>,
        earlier_maybe_applied: bool,
    ) -> Error {
        match last {
            Err(resp) => match failure {
                Failure::Throttled { retry_after } => Error::RateLimited { retry_after },
                // A gateway gave up waiting: the upstream may have applied the request.
                Failure::Unavailable { .. } if !req.action.idempotent && resp.status != 503 => {
                    Error::OutcomeUnknown {
                        message: format!("{} from a gateway", resp.to_error(None)),
                    }
                }
                _ => {
                    let hint = match resp.status {
                        401 | 403 => self.inner.auth.unauthorized_hint(req.action),
                        300..=399 => Some(format!(
                            "the server redirects to {}; redirects are not followed (they could \
                             carry the credentials elsewhere or turn a write into a read): use \
                             the final address as the base URL",
                            resp.header("location").unwrap_or("another address")
                        )),
                        404 if earlier_maybe_applied
                            && req.method == crate::action::Method::Delete =>
                        {
                            Some(
                                "an earlier attempt may have reached the server before it \
                                 failed, so this is probably already deleted"
                                    .into(),
                            )
                        }
                        _ => None,
                    };
                    resp.to_error(hint)
                }
            },
            Ok(err) => {
                let maybe_sent = matches!(
                    failure,
                    Failure::Timeout | Failure::Connection { maybe_sent: true }
                );
                if maybe_sent && !req.action.idempotent {
                    Error::OutcomeUnknown {
                        message: err.to_string(),
                    }
                } else {
                    err
                }
            }
        }
    }

    async fn attempt(
        &self,
        client: &reqwest::Client,
        req: &PreparedRequest,
        headers: &HeaderMap,
        body: Option<bytes::Bytes>,
        timeout: Option<Duration>,
    ) -> Result<Response, (Failure, Error)> {
        let mut builder = client
            .request(req.method.to_http(), req.url.clone())
            .headers(headers.clone());
        if let Some(t) = timeout {
            builder = builder.timeout(t);
        }
        if let Some(body) = body {
            builder = builder.body(body);
        }
        // The exchange runs as a task of its own, so that the requests of a batch (driven
        // from one task) are sent and read on every worker thread, not on one.
        let exchange = tokio::spawn(async move {
            let resp = builder
                .send()
                .await
                .map_err(|e| transport::classify(e, timeout))?;
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            let body = resp
                .bytes()
                .await
                .map_err(|e| transport::classify(e, timeout))?;
            Ok(Response {
                status,
                headers,
                body,
            })
        });
        let mut exchange = AbortOnDrop(exchange);
        match (&mut exchange.0).await {
            Ok(result) => result,
            Err(e) => Err((
                Failure::Connection { maybe_sent: true },
                Error::Connect {
                    message: format!("the request's task ended: {e}"),
                    maybe_sent: true,
                },
            )),
        }
    }

    /// Sends a GET to a URL the API handed out (a `Link: rel="next"` page), after
    /// checking it stays on the base URL's origin so credentials never leave it.
    pub(crate) async fn follow(
        &self,
        first: &PreparedRequest,
        next: Url,
        options: &dyn RequestOptions,
    ) -> Result<Response, Error> {
        if next.origin() != self.inner.base_url.origin() {
            return Err(Error::Decode {
                context: "Link header".into(),
                message: format!(
                    "the next page is on another origin ({}); not following it with credentials",
                    next.origin().ascii_serialization()
                ),
            });
        }
        let req = PreparedRequest {
            url: next,
            method: crate::action::Method::Get,
            body: None,
            ..first.clone()
        };
        self.send_prepared(&req, options).await
    }
}

/// Cancels a spawned exchange when the call waiting for it is dropped (e.g. by a deadline).
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Decodes a JSON value into a typed model, naming the path of a mismatch.
pub fn decode<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, Error> {
    serde_path_to_error::deserialize(value).map_err(|e| Error::Decode {
        context: e.path().to_string(),
        message: e.inner().to_string(),
    })
}
