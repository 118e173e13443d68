//! HTTP clients, built once per distinct set of transport options and reused.

use crate::error::Error;
use crate::options::RequestOptions;
use crate::retry::Failure;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// What makes two clients different. Timeouts are set per request, so they are not here.
#[derive(Clone, PartialEq, Eq, Hash)]
struct TransportKey {
    proxy: Option<String>,
    ignore_ssl_issues: bool,
}

/// Cache of `reqwest::Client`s keyed by transport options.
#[derive(Default)]
pub(crate) struct Transports {
    user_agent: String,
    clients: Mutex<HashMap<TransportKey, reqwest::Client>>,
}

impl std::fmt::Debug for Transports {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.clients.lock().map(|c| c.len()).unwrap_or(0);
        f.debug_struct("Transports").field("clients", &n).finish()
    }
}

impl Transports {
    pub(crate) fn new(user_agent: String) -> Self {
        Transports {
            user_agent,
            clients: Mutex::default(),
        }
    }

    /// The client for these options, built on first use.
    pub(crate) fn client(&self, options: &dyn RequestOptions) -> Result<reqwest::Client, Error> {
        let key = TransportKey {
            proxy: options.proxy().map(|p| p.cache_key()),
            ignore_ssl_issues: options.ignore_ssl_issues(),
        };
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(client) = clients.get(&key) {
            return Ok(client.clone());
        }
        let client = self.build(options)?;
        clients.insert(key, client.clone());
        Ok(client)
    }

    /// How many distinct clients were built so far.
    pub(crate) fn built(&self) -> usize {
        self.clients.lock().map(|c| c.len()).unwrap_or(0)
    }

    fn build(&self, options: &dyn RequestOptions) -> Result<reqwest::Client, Error> {
        // Redirects are not followed: reqwest would forward custom credential headers
        // (e.g. `api_access_token`) to another host, and turn a POST into a GET.
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(&self.user_agent)
            .pool_idle_timeout(Duration::from_secs(60))
            .tcp_nodelay(true);
        match options.proxy() {
            Some(proxy) => builder = builder.proxy(proxy.to_reqwest()?),
            None => builder = builder.no_proxy(),
        }
        if options.ignore_ssl_issues() {
            tracing::warn!(
                "TLS certificate validation is OFF for this client (ignore SSL issues): \
                 anyone on the network path can read and change the traffic"
            );
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        builder
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {}", chain(&e))))
    }
}

/// Classifies a reqwest failure: what to tell the user, and what the retry logic needs.
pub(crate) fn classify(err: reqwest::Error, timeout: Option<Duration>) -> (Failure, Error) {
    // The URL is left out: its query could carry values the caller considers private.
    let err = err.without_url();
    let text = chain(&err);
    let lower = text.to_ascii_lowercase();
    if err.is_timeout() {
        let sent = !err.is_connect();
        let after = timeout.unwrap_or_default();
        let failure = if sent {
            Failure::Timeout
        } else {
            Failure::Connection { maybe_sent: false }
        };
        return (
            failure,
            Error::Timeout {
                after,
                maybe_sent: sent,
            },
        );
    }
    if err.is_connect() {
        if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
            return (Failure::Tls, Error::Tls { message: text });
        }
        return (
            Failure::Connection { maybe_sent: false },
            Error::Connect {
                message: text,
                maybe_sent: false,
            },
        );
    }
    (
        Failure::Connection { maybe_sent: true },
        Error::Connect {
            message: text,
            maybe_sent: true,
        },
    )
}

/// The error and its sources in one line. reqwest errors never include headers, so no
/// credential can appear here.
pub(crate) fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}
