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
        // The innermost cause says what happened ("connection refused"); the layers
        // above it (hyper's, reqwest's) only say where in the stack.
        return (
            Failure::Connection { maybe_sent: false },
            Error::Connect {
                message: root_cause(&err),
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

/// The innermost source of `err`, without the OS error number, starting lower-case.
fn root_cause(err: &dyn std::error::Error) -> String {
    let mut last = err;
    while let Some(s) = last.source() {
        last = s;
    }
    let text = last.to_string();
    let text = match text.rfind(" (os error ") {
        Some(i) if text.ends_with(')') => text[..i].to_owned(),
        _ => text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => text,
    }
}

/// A network error as the caller sees it after the last attempt: which host, how many
/// attempts, over how long ("connection refused by 127.0.0.1:9, 4 attempts over 2.6 s").
/// Only the host and port of the URL are named (its path and query may be private).
pub(crate) fn with_context(err: Error, url: &url::Url, attempts: u32, elapsed: Duration) -> Error {
    let host = match (url.host_str(), url.port_or_known_default()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_owned(),
        _ => return err,
    };
    let tries = format!(
        "{attempts} attempt{} over {:.1} s",
        if attempts == 1 { "" } else { "s" },
        elapsed.as_secs_f64()
    );
    match err {
        Error::Connect {
            message,
            maybe_sent,
        } => {
            let message = if message.ends_with("refused") || message.ends_with("reset") {
                format!("{message} by {host}, {tries}")
            } else {
                format!("{message} ({host}), {tries}")
            };
            Error::Connect {
                message,
                maybe_sent,
            }
        }
        Error::Tls { message } => Error::Tls {
            message: format!("{message} ({host}, {tries})"),
        },
        other => other,
    }
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
