//! One delivery, read from its `X-Chatwoot-*` headers and JSON body.

use http::HeaderMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

pub const SIGNATURE_HEADER: &str = "x-chatwoot-signature";
pub const TIMESTAMP_HEADER: &str = "x-chatwoot-timestamp";
pub const DELIVERY_HEADER: &str = "x-chatwoot-delivery";

/// A verified delivery: its id (the same across retries), when it was signed (Unix
/// seconds), the event name from the body (`message_created`, `conversation_updated`,
/// ...; `app/listeners/webhook_listener.rb` adds it to every payload) and the body itself.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WebhookEvent {
    pub delivery_id: Option<String>,
    pub timestamp: i64,
    pub event: Option<String>,
    pub payload: Value,
}

/// Why a verified delivery could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventError {
    /// The body is not JSON.
    NotJson(String),
}

impl fmt::Display for EventError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventError::NotJson(e) => write!(f, "the delivery's body is not JSON: {e}"),
        }
    }
}

impl std::error::Error for EventError {}

/// A header's text, trimmed; `None` when absent, empty or not text.
pub(crate) fn text<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

impl WebhookEvent {
    /// Reads a delivery whose signature was checked (see [`super::verify`]).
    pub fn from_parts(
        headers: &HeaderMap,
        timestamp: i64,
        body: &[u8],
    ) -> Result<Self, EventError> {
        let payload: Value =
            serde_json::from_slice(body).map_err(|e| EventError::NotJson(e.to_string()))?;
        Ok(WebhookEvent {
            delivery_id: text(headers, DELIVERY_HEADER).map(str::to_owned),
            timestamp,
            event: payload
                .get("event")
                .and_then(Value::as_str)
                .map(str::to_owned),
            payload,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_delivery_id_and_the_event_name() {
        let mut h = HeaderMap::new();
        h.insert(
            "X-Chatwoot-Delivery",
            "0b6d3c1e-5a5f-4e1c-9d7c-2f0d5f7f1a10".parse().unwrap(),
        );
        let e =
            WebhookEvent::from_parts(&h, 1_750_000_000, br#"{"event":"message_created","id":5}"#)
                .unwrap();
        assert_eq!(
            e,
            WebhookEvent {
                delivery_id: Some("0b6d3c1e-5a5f-4e1c-9d7c-2f0d5f7f1a10".into()),
                timestamp: 1_750_000_000,
                event: Some("message_created".into()),
                payload: json!({"event": "message_created", "id": 5}),
            }
        );
        let e = WebhookEvent::from_parts(&HeaderMap::new(), 1, b"[]").unwrap();
        assert_eq!((e.delivery_id, e.event), (None, None));
        assert!(matches!(
            WebhookEvent::from_parts(&HeaderMap::new(), 1, b"id=1"),
            Err(EventError::NotJson(_))
        ));
    }
}
