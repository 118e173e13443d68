//! The one request pipeline: prepared request -> rate limiter -> attempt (timeout) ->
//! classify -> retry decision -> response. Typed calls, dynamic calls, pages of a
//! list and items of a batch all go through [`HttpConnector::send_prepared`].

use crate::action::{Action, ActionSpec, ResponseKind, find};
use crate::body;
use crate::clock::{Sleeper, TokioSleeper};
use crate::download::Download;
use crate::error::Error;
use crate::limiter::{Identity, Limiters, PacerStatus, Signal};
use crate::options::{Options, RateLimit, RequestOptions};
use crate::request::{self, PreparedRequest};
use crate::resolve::{self, LookupCache};
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
    /// Candidates of name lookups, per list action and scope, for the life of the client.
    lookups: Arc<LookupCache>,
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
                lookups: Arc::default(),
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
                // Another identity may see other records: its own lookups.
                lookups: Arc::default(),
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
    /// What the client-side rate limiters of this connector (and of its `with_auth`
    /// siblings) pace at now, and whether requests wait on them: one entry per limit or
    /// adaptive pacer used so far.
    pub fn pacing(&self) -> Vec<PacerStatus> {
        self.inner.limiters.status()
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
        self.prepare_action(self.action(id)?, input, false)
    }

    /// Validates `input` for `action`, with what the authenticator derives from its
    /// credentials ([`Authenticator::complete_input`]), and builds the request; `lenient`
    /// sends undeclared fields and words ([`RequestOptions::lenient`]). No I/O.
    pub fn prepare_action(
        &self,
        action: &'static ActionSpec,
        input: &Map<String, Value>,
        lenient: bool,
    ) -> Result<PreparedRequest, Error> {
        let base = &self.inner.base_url;
        match self.inner.auth.complete_input(action, input) {
            Some(completed) => request::prepare_with(action, base, &completed, lenient),
            None => request::prepare_with(action, base, input, lenient),
        }
    }

    /// The input with names replaced by ids. Every other field is checked first (with
    /// placeholder ids), so a bad input never costs a lookup.
    pub async fn with_ids(
        &self,
        action: &'static ActionSpec,
        input: Map<String, Value>,
        options: &dyn RequestOptions,
    ) -> Result<Map<String, Value>, Error> {
        if !resolve::needs_resolving(action, &input) {
            return Ok(input);
        }
        self.prepare_action(
            action,
            &resolve::with_placeholders(action, &input),
            options.lenient(),
        )?;
        Ok(self.resolve_names(action, input, options).await?.input)
    }

    pub(crate) fn lookups(&self) -> &LookupCache {
        &self.inner.lookups
    }

    /// How many candidate lists this client has fetched for name lookups (each list
    /// action and scope once).
    pub fn lookups_fetched(&self) -> usize {
        self.inner.lookups.fetches()
    }

    /// [`HttpConnector::prepare`] as `options` ask ([`RequestOptions::lenient`]).
    pub fn prepare_with(
        &self,
        id: &str,
        input: &Map<String, Value>,
        options: &dyn RequestOptions,
    ) -> Result<PreparedRequest, Error> {
        self.prepare_action(self.action(id)?, input, options.lenient())
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
        decode(self.send_spec(spec, action.into_input(), options).await?)
    }

    /// The part of [`HttpConnector::send_with`] that does not depend on the action's type,
    /// compiled once instead of once per typed action: names resolved, validated, sent,
    /// the envelope unwrapped.
    async fn send_spec(
        &self,
        spec: &'static ActionSpec,
        input: Map<String, Value>,
        options: &dyn RequestOptions,
    ) -> Result<Value, Error> {
        let input = self.with_ids(spec, input, options).await?;
        let prepared = self.prepare_action(spec, &input, options.lenient())?;
        let value = self.send_prepared(&prepared, options).await?.json()?;
        crate::response::unwrap_envelope(spec, value)
    }

    /// Runs a typed request whose answer is a file.
    pub async fn send_download<A: Action>(
        &self,
        action: A,
        options: &dyn RequestOptions,
    ) -> Result<Download, Error> {
        self.download_spec(action.spec(), action.into_input(), options)
            .await
    }

    /// [`HttpConnector::send_download`] without the action's type (compiled once).
    async fn download_spec(
        &self,
        spec: &'static ActionSpec,
        input: Map<String, Value>,
        options: &dyn RequestOptions,
    ) -> Result<Download, Error> {
        let input = self.with_ids(spec, input, options).await?;
        let prepared = self.prepare_action(spec, &input, options.lenient())?;
        self.download_prepared(&prepared, options).await
    }

    /// Runs an action by id and returns the response body as JSON.
    pub async fn execute_json(
        &self,
        id: &str,
        input: &Map<String, Value>,
        options: &dyn RequestOptions,
    ) -> Result<Value, Error> {
        let action = self.action(id)?;
        let input = self.with_ids(action, input.clone(), options).await?;
        let prepared = self.prepare_action(action, &input, options.lenient())?;
        if prepared.action.response == ResponseKind::Bytes {
            return Err(Error::Config(format!(
                "`{id}` answers with a file, not JSON: download it (Connector::download, or \
                 `--out FILE` in the CLI)"
            )));
        }
        self.send_prepared(&prepared, options).await?.json()
    }

    /// [`HttpConnector::execute_json`] with the connector's default options, the input
    /// given as one JSON value (an object, or `null` for no input).
    pub async fn execute_value(&self, id: &str, input: Value) -> Result<Value, Error> {
        let input = match input {
            Value::Object(map) => map,
            Value::Null => Map::new(),
            other => {
                return Err(Error::validation(
                    "input",
                    format!("`{id}` takes a JSON object of its parameters, not {other}"),
                ));
            }
        };
        let options = Arc::clone(&self.inner.options);
        self.execute_json(id, &input, &*options).await
    }

    /// Sends a validated request: limiter, attempts with timeouts, retries, and the
    /// overall deadline. Returns the 2xx response or the final error.
    pub async fn send_prepared(
        &self,
        req: &PreparedRequest,
        options: &dyn RequestOptions,
    ) -> Result<Response, Error> {
        match self.exchange(req, options, Mode::Buffered).await? {
            Received::Full(response) => Ok(response),
            Received::Head(_) => unreachable!("buffered exchanges read the whole body"),
        }
    }

    /// Sends a validated request whose answer is a file and hands the file out as a stream
    /// (constant memory). The per-attempt timeout bounds the wait for the answer's head and
    /// then each pause between chunks; the overall deadline bounds the wait for the head.
    pub async fn download_prepared(
        &self,
        req: &PreparedRequest,
        options: &dyn RequestOptions,
    ) -> Result<Download, Error> {
        let fallback = fallback_name(req);
        match self.exchange(req, options, Mode::Streaming).await? {
            Received::Head(head) => Ok(Download::new(head, &fallback, options.timeout())),
            Received::Full(_) => unreachable!("streaming exchanges hand out the head"),
        }
    }

    /// Runs an action that answers with a file, by id.
    pub async fn download(
        &self,
        id: &str,
        input: Map<String, Value>,
        options: &dyn RequestOptions,
    ) -> Result<Download, Error> {
        let action = self.action(id)?;
        let input = self.with_ids(action, input, options).await?;
        let prepared = self.prepare_action(action, &input, options.lenient())?;
        self.download_prepared(&prepared, options).await
    }

    /// Fetches a file by the URL the API handed out (an attachment's `data_url`), following
    /// redirects by hand. Credentials (those `credentials_of`, an action id, would send) go
    /// only to the base URL's origin, never to another one: object storage gets the request
    /// without them.
    pub async fn download_url(
        &self,
        url: &str,
        credentials_of: Option<&str>,
        options: &dyn RequestOptions,
    ) -> Result<Download, Error> {
        let as_action = credentials_of.map(|id| self.action(id)).transpose()?;
        const MAX_REDIRECTS: usize = 5;
        let mut url = self
            .inner
            .base_url
            .join(url)
            .map_err(|e| Error::validation("url", format!("is not a URL: {e}")))?;
        let client = self.inner.transports.client(options)?;
        let timeout = options.timeout();
        for _ in 0..=MAX_REDIRECTS {
            if !matches!(url.scheme(), "http" | "https") {
                return Err(Error::validation(
                    "url",
                    "only http and https URLs are fetched",
                ));
            }
            let mut headers = HeaderMap::new();
            headers.insert(http::header::ACCEPT, HeaderValue::from_static("*/*"));
            for (name, value) in options.headers() {
                if let (Ok(n), Ok(v)) = (
                    HeaderName::from_bytes(name.as_bytes()),
                    HeaderValue::from_str(value),
                ) {
                    headers.insert(n, v);
                }
            }
            if let Some(action) = as_action
                && url.origin() == self.inner.base_url.origin()
            {
                self.inner.auth.authorize(action, &mut headers)?;
            }
            // Only the API's own origin counts against its quota; object storage does not.
            let permit = if url.origin() == self.inner.base_url.origin() {
                let pacer = self.inner.limiters.pacer(
                    options.rate_limit(),
                    self.inner.default_rate_limit,
                    options.rate_limit_store(),
                    || Identity::of(&self.inner.name, &self.inner.base_url, &headers),
                    "downloads",
                )?;
                Some(pacer.acquire().await?)
            } else {
                None
            };
            let send = client.get(url.clone()).headers(headers).send();
            let head = match timeout {
                Some(t) => tokio::time::timeout(t, send)
                    .await
                    .map_err(|_| Error::Timeout {
                        after: t,
                        maybe_sent: true,
                    })?,
                None => send.await,
            }
            .map_err(|e| transport::classify(e, timeout).1)?;
            let status = head.status().as_u16();
            if let Some(permit) = permit {
                let signal = match status {
                    429 => Signal::Throttled { retry_after: None },
                    s if s < 400 => Signal::Success,
                    _ => Signal::Other,
                };
                permit.finish(signal).await;
            }
            if (300..400).contains(&status) {
                let location = head
                    .headers()
                    .get(http::header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .ok_or_else(|| Error::Decode {
                        context: "redirect".into(),
                        message: format!("{status} without a Location"),
                    })?;
                url = url.join(location).map_err(|e| Error::Decode {
                    context: "redirect".into(),
                    message: format!("the Location is not a URL: {e}"),
                })?;
                continue;
            }
            if !(200..300).contains(&status) {
                let response = read_whole(head, timeout).await.map_err(|(_, e)| e)?;
                return Err(response.to_error(None));
            }
            let fallback = url
                .path_segments()
                .and_then(|mut s| s.next_back().map(str::to_owned))
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "download".into());
            return Ok(Download::new(head, &fallback, timeout));
        }
        Err(Error::Decode {
            context: "redirect".into(),
            message: format!("more than {MAX_REDIRECTS} redirects"),
        })
    }

    /// The limiter, the attempts and the overall deadline, for either kind of answer.
    async fn exchange(
        &self,
        req: &PreparedRequest,
        options: &dyn RequestOptions,
        mode: Mode,
    ) -> Result<Received, Error> {
        let headers = self.headers_for(req, options, mode)?;
        let client = self.inner.transports.client(options)?;
        let in_flight = AtomicBool::new(false);
        let call = self.send_with_retries(&client, req, &headers, options, &in_flight, mode);
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
        let mode = if req.action.response == ResponseKind::Bytes {
            Mode::Streaming
        } else {
            Mode::Buffered
        };
        for (name, value) in &self.headers_for(req, options, mode)? {
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
        if req.multipart {
            shown.push(serde_json::json!(["content-type", "multipart/form-data"]));
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
        mode: Mode,
    ) -> Result<HeaderMap, Error> {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::ACCEPT,
            HeaderValue::from_static(match mode {
                Mode::Buffered => "application/json",
                Mode::Streaming => "*/*",
            }),
        );
        // A multipart body brings its own content type with its boundary.
        if req.body.is_some() && !req.multipart {
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
        mode: Mode,
    ) -> Result<Received, Error> {
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
        // A JSON body is encoded once (files read into it now); a multipart body is built
        // anew for every attempt, so a retry re-opens its files and sends them whole.
        let json = match (&req.body, req.multipart) {
            (Some(v), false) => Some(body::json_with_files(req.action, v).await?),
            _ => None,
        };
        let mut attempts = 0;
        let mut earlier_maybe_applied = false;
        let mut permit = pacer.acquire().await?;
        loop {
            attempts += 1;
            tracing::debug!(action = req.action.id, method = %req.method, url = %req.redacted_url(), attempt = attempts, "sending");
            let wire = match (&req.body, &json) {
                (_, Some(bytes)) => WireBody::Json(bytes.clone()),
                (Some(v), None) if req.multipart => {
                    let progress = body::Progress::default();
                    let form = body::multipart_form(req.action, v, &progress).await?;
                    WireBody::Multipart(form, progress)
                }
                _ => WireBody::None,
            };
            in_flight.store(true, Ordering::SeqCst);
            let outcome = self
                .attempt(client, req, headers, wire, options.timeout(), mode)
                .await;
            in_flight.store(false, Ordering::SeqCst);
            let (failure, last) = match outcome {
                Ok(Received::Head(head)) => {
                    permit.finish(Signal::Success).await;
                    return Ok(Received::Head(head));
                }
                Ok(Received::Full(resp)) => {
                    let retry_after = resp
                        .header("retry-after")
                        .and_then(|v| retry::parse_retry_after(v, SystemTime::now()));
                    match retry::classify_status(resp.status, retry_after) {
                        None => {
                            permit.finish(Signal::Success).await;
                            return Ok(Received::Full(resp));
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
                            let last = last.map(|e| {
                                transport::with_context(e, &req.url, attempts, started.elapsed())
                            });
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
                    let last = last
                        .map(|e| transport::with_context(e, &req.url, attempts, started.elapsed()));
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

    /// One attempt. A buffered exchange reads the whole answer within the per-attempt
    /// timeout; a streamed one (file parts going out, or a file coming back) treats the
    /// timeout as an idle limit, so a large transfer that keeps moving is never cut.
    async fn attempt(
        &self,
        client: &reqwest::Client,
        req: &PreparedRequest,
        headers: &HeaderMap,
        body: WireBody,
        timeout: Option<Duration>,
        mode: Mode,
    ) -> Result<Received, (Failure, Error)> {
        let mut builder = client
            .request(req.method.to_http(), req.url.clone())
            .headers(headers.clone());
        let streamed = mode == Mode::Streaming || matches!(body, WireBody::Multipart(..));
        if let (Some(t), false) = (timeout, streamed) {
            builder = builder.timeout(t);
        }
        let mut progress = None;
        match body {
            WireBody::None => {}
            WireBody::Json(bytes) => builder = builder.body(bytes),
            WireBody::Multipart(form, p) => {
                progress = Some(p);
                builder = builder.multipart(form);
            }
        }
        // The exchange runs as a task of its own, so that the requests of a batch (driven
        // from one task) are sent and read on every worker thread, not on one.
        let exchange = tokio::spawn(async move {
            let send = builder.send();
            let head = match (timeout, streamed) {
                (Some(t), true) => idle_limited(send, t, progress.as_ref()).await?,
                _ => send.await.map_err(|e| transport::classify(e, timeout))?,
            };
            if mode == Mode::Streaming && head.status().is_success() {
                return Ok(Received::Head(head));
            }
            let read_timeout = if streamed { timeout } else { None };
            read_whole(head, read_timeout).await.map(Received::Full)
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
            multipart: false,
            ..first.clone()
        };
        self.send_prepared(&req, options).await
    }
}

/// Whether the answer is read whole (JSON) or handed out as a stream (a file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Buffered,
    Streaming,
}

/// What one exchange produced: a whole answer, or the head of a file still to be read.
enum Received {
    Full(Response),
    Head(reqwest::Response),
}

/// The body of one attempt.
enum WireBody {
    None,
    Json(bytes::Bytes),
    Multipart(reqwest::multipart::Form, body::Progress),
}

/// Waits for the answer's head; fails when neither the head came nor any file byte went
/// out for `idle`.
async fn idle_limited(
    send: impl std::future::Future<Output = Result<reqwest::Response, reqwest::Error>>,
    idle: Duration,
    progress: Option<&body::Progress>,
) -> Result<reqwest::Response, (Failure, Error)> {
    tokio::pin!(send);
    loop {
        let before = progress.map(body::Progress::bytes);
        match tokio::time::timeout(idle, &mut send).await {
            Ok(result) => return result.map_err(|e| transport::classify(e, Some(idle))),
            Err(_) if progress.map(body::Progress::bytes) != before => continue,
            Err(_) => {
                return Err((
                    Failure::Timeout,
                    Error::Timeout {
                        after: idle,
                        maybe_sent: true,
                    },
                ));
            }
        }
    }
}

/// Reads a whole answer (within `timeout` when given; a buffered request carries its own).
async fn read_whole(
    head: reqwest::Response,
    timeout: Option<Duration>,
) -> Result<Response, (Failure, Error)> {
    let status = head.status().as_u16();
    let headers = head.headers().clone();
    let body = match timeout {
        Some(t) => tokio::time::timeout(t, head.bytes())
            .await
            .map_err(|_| {
                (
                    Failure::Timeout,
                    Error::Timeout {
                        after: t,
                        maybe_sent: true,
                    },
                )
            })?
            .map_err(|e| transport::classify(e, timeout))?,
        None => head
            .bytes()
            .await
            .map_err(|e| transport::classify(e, timeout))?,
    };
    Ok(Response {
        status,
        headers,
        body,
    })
}

/// A file name for an answer that names none: the action and the record it is about
/// (`invoices-pdf-42`), the extension added from the content type.
fn fallback_name(req: &PreparedRequest) -> String {
    let last_segment = req
        .url
        .path_segments()
        .and_then(|mut s| s.next_back().map(str::to_owned))
        .unwrap_or_default();
    let id = req
        .action
        .path_placeholders()
        .last()
        .map(|_| {
            last_segment
                .split('.')
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .filter(|s| !s.is_empty());
    let base = req.action.id.replace('.', "-");
    match id {
        Some(id) if !req.action.path.ends_with('}') => {
            // `/invoices/{id}.pdf`: the id sits inside the last segment.
            format!("{base}-{}", id)
        }
        Some(_) | None => {
            let ids: Vec<String> = req
                .url
                .path_segments()
                .map(|s| {
                    s.filter(|x| x.chars().all(|c| c.is_ascii_digit()) && !x.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            match ids.last() {
                Some(id) => format!("{base}-{id}"),
                None => base,
            }
        }
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
/// The typed answer of an action declared `output = "none"` (it answers 204, no body):
/// whatever the server sends is accepted and dropped; the generated `send()` returns `()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NoContent;

impl<'de> serde::Deserialize<'de> for NoContent {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(d).map(|_| NoContent)
    }
}

pub fn decode<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, Error> {
    serde_path_to_error::deserialize(value).map_err(|e| Error::Decode {
        context: e.path().to_string(),
        message: e.inner().to_string(),
    })
}
