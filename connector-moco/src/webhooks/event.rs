//! One web hook delivery, read from its `X-Moco-*` headers and JSON body.

use http::HeaderMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

pub const TARGET_HEADER: &str = "x-moco-target";
pub const EVENT_HEADER: &str = "x-moco-event";
pub const TIMESTAMP_HEADER: &str = "x-moco-timestamp";
pub const SIGNATURE_HEADER: &str = "x-moco-signature";
pub const USER_ID_HEADER: &str = "x-moco-user-id";
pub const ACCOUNT_URL_HEADER: &str = "x-moco-account-url";

/// A delivery: what changed (`target`, e.g. `Activity`), how (`event`, e.g. `create`),
/// when (`timestamp`, milliseconds since the Unix epoch), by whom (`user_id`), in which
/// account, and the record itself (`payload`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WebhookEvent {
    pub target: String,
    pub event: String,
    pub timestamp: Option<i64>,
    pub user_id: Option<i64>,
    pub account_url: Option<String>,
    pub payload: Value,
}

/// Why a delivery could not be read. The signature is checked before this.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventError {
    /// `X-Moco-Target` or `X-Moco-Event` is absent or empty.
    MissingHeader(&'static str),
    /// The body is not JSON.
    NotJson(String),
}

impl fmt::Display for EventError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventError::MissingHeader(h) => write!(f, "the delivery has no {h} header"),
            EventError::NotJson(e) => write!(f, "the delivery's body is not JSON: {e}"),
        }
    }
}

impl std::error::Error for EventError {}

fn text<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

impl WebhookEvent {
    /// Reads a delivery. Does not check the signature: use [`super::verify`] first.
    /// A timestamp or user id that is not a whole number is left out.
    pub fn from_parts(headers: &HeaderMap, body: &[u8]) -> Result<Self, EventError> {
        let target =
            text(headers, TARGET_HEADER).ok_or(EventError::MissingHeader("X-Moco-Target"))?;
        let event = text(headers, EVENT_HEADER).ok_or(EventError::MissingHeader("X-Moco-Event"))?;
        let payload =
            serde_json::from_slice(body).map_err(|e| EventError::NotJson(e.to_string()))?;
        Ok(WebhookEvent {
            target: target.to_owned(),
            event: event.to_owned(),
            timestamp: text(headers, TIMESTAMP_HEADER).and_then(|v| v.parse().ok()),
            user_id: text(headers, USER_ID_HEADER).and_then(|v| v.parse().ok()),
            account_url: text(headers, ACCOUNT_URL_HEADER).map(str::to_owned),
            payload,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn reads_the_documented_headers() {
        let h = headers(&[
            ("X-Moco-Target", "Activity"),
            ("X-Moco-Event", "create"),
            ("X-Moco-Timestamp", "1527170410463"),
            ("X-Moco-User-Id", "933613686"),
            ("X-Moco-Account-Url", "https://acme.mocoapp.com"),
        ]);
        let e = WebhookEvent::from_parts(&h, br#"{"id":1}"#).unwrap();
        assert_eq!(
            e,
            WebhookEvent {
                target: "Activity".into(),
                event: "create".into(),
                timestamp: Some(1_527_170_410_463),
                user_id: Some(933_613_686),
                account_url: Some("https://acme.mocoapp.com".into()),
                payload: json!({"id": 1}),
            }
        );
    }

    #[test]
    fn optional_headers_may_be_missing_or_odd() {
        let h = headers(&[
            ("X-Moco-Target", "Project"),
            ("X-Moco-Event", "delete"),
            ("X-Moco-Timestamp", "soon"),
        ]);
        let e = WebhookEvent::from_parts(&h, b"[]").unwrap();
        assert_eq!((e.timestamp, e.user_id, e.account_url), (None, None, None));
    }

    #[test]
    fn target_event_and_json_are_required() {
        let h = headers(&[("X-Moco-Event", "create")]);
        assert_eq!(
            WebhookEvent::from_parts(&h, b"{}"),
            Err(EventError::MissingHeader("X-Moco-Target"))
        );
        let h = headers(&[("X-Moco-Target", "Activity"), ("X-Moco-Event", " ")]);
        assert_eq!(
            WebhookEvent::from_parts(&h, b"{}"),
            Err(EventError::MissingHeader("X-Moco-Event"))
        );
        let h = headers(&[("X-Moco-Target", "Activity"), ("X-Moco-Event", "create")]);
        assert!(matches!(
            WebhookEvent::from_parts(&h, b"id=1"),
            Err(EventError::NotJson(_))
        ));
        assert!(matches!(
            WebhookEvent::from_parts(&h, b""),
            Err(EventError::NotJson(_))
        ));
    }
}
