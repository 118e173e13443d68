//! An HTTP endpoint for MOCO's deliveries: checks each signature, reads the event and
//! hands it to a channel.

use super::event::{SIGNATURE_HEADER, WebhookEvent};
use super::verify::verify;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use connector_core::listener::{Limits, Listener};
use connector_core::{ExposeSecret, SecretString};
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::mpsc;

/// Events [`Receiver::bind`]'s channel holds before deliveries are answered 503 (MOCO
/// retries those later).
pub const CHANNEL_CAPACITY: usize = 1024;

/// Which deliveries to forward. An empty list lets everything through; names compare
/// case-insensitively (`activity` matches `Activity`). Deliveries left out are still
/// acknowledged, so MOCO does not retry them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// `X-Moco-Target` values, e.g. `Activity`, `Project`.
    pub targets: Vec<String>,
    /// `X-Moco-Event` values, e.g. `create`, `delete`.
    pub events: Vec<String>,
}

impl EventFilter {
    /// Forwards every delivery.
    pub fn all() -> Self {
        EventFilter::default()
    }

    pub fn matches(&self, event: &WebhookEvent) -> bool {
        let allowed = |list: &[String], value: &str| {
            list.is_empty() || list.iter().any(|x| x.eq_ignore_ascii_case(value))
        };
        allowed(&self.targets, &event.target) && allowed(&self.events, &event.event)
    }
}

struct Shared {
    secret: SecretString,
    filter: EventFilter,
    events: mpsc::Sender<WebhookEvent>,
}

/// The receiving endpoint as a router, to mount in an existing axum app. It answers a
/// POST on any path: 204 to a verified delivery (forwarded to `events` when `filter`
/// lets it through), 401 to a missing or wrong signature, 400 to a verified delivery
/// that is not JSON or lacks `X-Moco-Target`/`X-Moco-Event`, 503 when `events` is full
/// or closed, 405 to other methods.
pub fn router(
    secret: SecretString,
    filter: EventFilter,
    events: mpsc::Sender<WebhookEvent>,
) -> Router {
    let shared = Arc::new(Shared {
        secret,
        filter,
        events,
    });
    Router::new().fallback(deliver).with_state(shared)
}

async fn deliver(
    State(shared): State<Arc<Shared>>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if method != Method::POST {
        let mut resp = StatusCode::METHOD_NOT_ALLOWED.into_response();
        resp.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return resp;
    }
    let Some(signature) = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok()) else {
        tracing::warn!("web hook delivery without X-Moco-Signature refused");
        return (StatusCode::UNAUTHORIZED, "missing X-Moco-Signature").into_response();
    };
    if !verify(shared.secret.expose_secret(), &body, signature) {
        tracing::warn!("web hook delivery with a wrong signature refused");
        return (StatusCode::UNAUTHORIZED, "signature does not match").into_response();
    }
    let event = match WebhookEvent::from_parts(&headers, &body) {
        Ok(event) => event,
        Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    };
    if !shared.filter.matches(&event) {
        tracing::debug!(target = %event.target, event = %event.event, "web hook delivery filtered out");
        return StatusCode::NO_CONTENT.into_response();
    }
    match shared.events.try_send(event) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(mpsc::error::TrySendError::Full(_)) => {
            tracing::warn!("web hook channel is full; asking MOCO to deliver again later");
            (StatusCode::SERVICE_UNAVAILABLE, "busy").into_response()
        }
        Err(mpsc::error::TrySendError::Closed(_)) => {
            (StatusCode::SERVICE_UNAVAILABLE, "not receiving").into_response()
        }
    }
}

/// A running receiver. Stops on [`Receiver::shutdown`] or when dropped; the event
/// channel ends once it has stopped. It serves through [`connector_core::listener`]: slow
/// or hostile clients are cut off by its deadlines and limits, and stopping takes at most
/// the grace period whatever the clients do.
#[derive(Debug)]
pub struct Receiver {
    listener: Listener,
}

impl Receiver {
    /// Listens on `addr` (port 0 picks a free port; see [`Receiver::local_addr`]) with the
    /// default [`Limits`] and returns the receiver with the channel verified deliveries
    /// arrive on. See [`router`] for the answers it gives.
    pub async fn bind(
        addr: SocketAddr,
        secret: SecretString,
        filter: EventFilter,
    ) -> io::Result<(Receiver, mpsc::Receiver<WebhookEvent>)> {
        Self::bind_with(addr, secret, filter, Limits::default()).await
    }

    /// [`Receiver::bind`] with other deadlines and limits.
    pub async fn bind_with(
        addr: SocketAddr,
        secret: SecretString,
        filter: EventFilter,
        limits: Limits,
    ) -> io::Result<(Receiver, mpsc::Receiver<WebhookEvent>)> {
        if secret.expose_secret().is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the web hook secret is empty: anyone could sign deliveries",
            ));
        }
        let (tx, rx) = mpsc::channel(CHANNEL_CAPACITY);
        let listener = Listener::bind(addr, limits, router(secret, filter, tx)).await?;
        Ok((Receiver { listener }, rx))
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr()
    }

    /// Stops accepting, lets requests in progress finish within the grace period, and
    /// waits until it has stopped.
    pub async fn shutdown(self) -> io::Result<()> {
        self.listener.shutdown().await
    }
}
