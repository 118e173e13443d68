//! An HTTP endpoint for Chatwoot's deliveries: checks each signature and timestamp,
//! acknowledges a delivery id seen before without handing it out again, and hands the
//! rest to a channel.

use super::event::{SIGNATURE_HEADER, TIMESTAMP_HEADER, WebhookEvent, text};
use super::verify::{DEFAULT_TOLERANCE, verify};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use connector_core::listener::{Limits, Listener};
use connector_core::{ExposeSecret, SecretString};
use std::collections::{HashSet, VecDeque};
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::mpsc;

/// Events [`Receiver::bind`]'s channel holds before deliveries are answered 503.
pub const CHANNEL_CAPACITY: usize = 1024;

/// How many delivery ids the receiver remembers to drop repeats (the oldest is
/// forgotten first).
pub const RECENT_DELIVERIES: usize = 10_000;

/// How deliveries are checked and which are handed out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiverConfig {
    /// How far a delivery's timestamp may be from now ([`DEFAULT_TOLERANCE`]).
    pub tolerance: Duration,
    /// Event names to hand out (`message_created`, ...); empty: every event. Others are
    /// acknowledged and dropped, so Chatwoot does not retry them.
    pub events: Vec<String>,
}

impl Default for ReceiverConfig {
    fn default() -> Self {
        ReceiverConfig {
            tolerance: DEFAULT_TOLERANCE,
            events: Vec::new(),
        }
    }
}

/// Delivery ids already handed out, oldest first.
#[derive(Default)]
struct Recent {
    ids: HashSet<String>,
    order: VecDeque<String>,
}

impl Recent {
    /// Records `id`; false when it was there already.
    fn insert(&mut self, id: &str) -> bool {
        if !self.ids.insert(id.to_owned()) {
            return false;
        }
        self.order.push_back(id.to_owned());
        if self.order.len() > RECENT_DELIVERIES
            && let Some(old) = self.order.pop_front()
        {
            self.ids.remove(&old);
        }
        true
    }

    fn forget(&mut self, id: &str) {
        self.ids.remove(id);
        self.order.retain(|x| x != id);
    }
}

struct Shared {
    secret: SecretString,
    config: ReceiverConfig,
    events: mpsc::Sender<WebhookEvent>,
    recent: Mutex<Recent>,
}

/// The receiving endpoint as a router, to mount in an existing axum app. It answers a
/// POST on any path: 200 to a verified delivery (handed to `events` unless its id was
/// seen before or the config's event list leaves it out), 401 with the reason to a
/// missing, wrong or stale signature, 400 to a verified body that is not JSON, 503 when
/// `events` is full or closed, 405 to other methods.
pub fn router(
    secret: SecretString,
    config: ReceiverConfig,
    events: mpsc::Sender<WebhookEvent>,
) -> Router {
    let shared = Arc::new(Shared {
        secret,
        config,
        events,
        recent: Mutex::new(Recent::default()),
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
    let signature = text(&headers, SIGNATURE_HEADER).unwrap_or("");
    let timestamp = text(&headers, TIMESTAMP_HEADER).unwrap_or("");
    if let Err(why) = verify(
        shared.secret.expose_secret(),
        signature,
        timestamp,
        &body,
        shared.config.tolerance,
    ) {
        tracing::warn!(%why, "webhook delivery refused");
        return (StatusCode::UNAUTHORIZED, why.to_string()).into_response();
    }
    let signed_at = timestamp.parse().unwrap_or_default();
    let event = match WebhookEvent::from_parts(&headers, signed_at, &body) {
        Ok(event) => event,
        Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    };
    let wanted = shared.config.events.is_empty()
        || event
            .event
            .as_deref()
            .is_some_and(|name| shared.config.events.iter().any(|e| e == name));
    if !wanted {
        tracing::debug!(event = ?event.event, "webhook delivery filtered out");
        return StatusCode::OK.into_response();
    }
    let id = event.delivery_id.clone();
    if let Some(id) = &id {
        let mut recent = shared.recent.lock().unwrap_or_else(PoisonError::into_inner);
        if !recent.insert(id) {
            tracing::debug!(delivery = %id, "repeated webhook delivery acknowledged, not handed out again");
            return StatusCode::OK.into_response();
        }
    }
    let answer = match shared.events.try_send(event) {
        Ok(()) => return StatusCode::OK.into_response(),
        Err(mpsc::error::TrySendError::Full(_)) => {
            tracing::warn!("webhook channel is full; answering 503");
            (StatusCode::SERVICE_UNAVAILABLE, "busy").into_response()
        }
        Err(mpsc::error::TrySendError::Closed(_)) => {
            (StatusCode::SERVICE_UNAVAILABLE, "not receiving").into_response()
        }
    };
    // Not handed out: a retry of it must get through.
    if let Some(id) = &id {
        shared
            .recent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .forget(id);
    }
    answer
}

/// A running receiver. Stops on [`Receiver::shutdown`] or when dropped; the event
/// channel ends once it has stopped.
#[derive(Debug)]
pub struct Receiver {
    listener: Listener,
}

impl Receiver {
    /// Listens on `addr` (port 0 picks a free port; see [`Receiver::local_addr`]) and
    /// returns the receiver with the channel verified deliveries arrive on. See
    /// [`router`] for the answers it gives. It serves through the core's hardened
    /// listener ([`connector_core::listener`]): deadlines for the head and the body, 413
    /// for a declared oversize body, a connection cap, a bounded shutdown.
    pub async fn bind(
        addr: SocketAddr,
        secret: SecretString,
        config: ReceiverConfig,
    ) -> io::Result<(Receiver, mpsc::Receiver<WebhookEvent>)> {
        Self::bind_with(addr, secret, config, Limits::default()).await
    }

    /// [`Receiver::bind`] with other deadlines and limits.
    pub async fn bind_with(
        addr: SocketAddr,
        secret: SecretString,
        config: ReceiverConfig,
        limits: Limits,
    ) -> io::Result<(Receiver, mpsc::Receiver<WebhookEvent>)> {
        if secret.expose_secret().is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the webhook secret is empty: anyone could sign deliveries",
            ));
        }
        let (tx, rx) = mpsc::channel(CHANNEL_CAPACITY);
        let listener = Listener::bind(addr, limits, router(secret, config, tx)).await?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_ids_forget_the_oldest_beyond_the_bound() {
        let mut r = Recent::default();
        assert!(r.insert("a"));
        assert!(!r.insert("a"));
        for i in 0..RECENT_DELIVERIES {
            assert!(r.insert(&i.to_string()));
        }
        assert_eq!(r.ids.len(), RECENT_DELIVERIES);
        assert!(r.insert("a"), "the oldest id was forgotten");
        r.forget("a");
        assert!(r.insert("a"));
    }
}
