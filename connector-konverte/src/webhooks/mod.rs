//! Chatwoot webhooks: checking a delivery's signature ([`verify`]), reading it as a
//! [`WebhookEvent`], receiving deliveries over HTTP ([`Receiver`]) and subscribing a URL
//! (`ensure_webhook`, with the `webhooks` feature).
//!
//! Chatwoot signs every delivery of an account webhook (with the webhook's `secret`), of
//! an API-channel inbox (the inbox's secret) and of an agent bot (the bot's secret) the
//! same way (`lib/webhooks/trigger.rb`):
//!
//! - `X-Chatwoot-Timestamp`: Unix seconds when the attempt was signed;
//! - `X-Chatwoot-Signature`: `sha256=` + lower-case hex HMAC-SHA256, keyed with the secret,
//!   of `"{timestamp}.{raw body}"`;
//! - `X-Chatwoot-Delivery`: a UUID that stays the same when a delivery is retried.
//!
//! The server enforces no freshness, so the receiver does: a timestamp further than the
//! tolerance ([`DEFAULT_TOLERANCE`], 300 s) from now is refused, and a delivery id seen
//! before is acknowledged without being handed out again.
//!
//! ```
//! use connector_konverte::webhooks::{sign, verify_at, Rejection, DEFAULT_TOLERANCE};
//!
//! let body = br#"{"event":"message_created","id":7}"#;
//! let signature = sign("webhook-secret", "1750000000", body);
//! assert!(verify_at("webhook-secret", &signature, "1750000000", body, DEFAULT_TOLERANCE, 1750000100).is_ok());
//! assert_eq!(
//!     verify_at("webhook-secret", &signature, "1750000000", body, DEFAULT_TOLERANCE, 1750000400),
//!     Err(Rejection::Stale { age_seconds: 400, tolerance_seconds: 300 })
//! );
//! ```

// Subscribing calls the typed `webhooks` actions.
#[cfg(feature = "webhooks")]
mod ensure;
mod event;
#[cfg(feature = "receiver")]
mod receiver;
mod verify;

#[cfg(feature = "webhooks")]
pub use ensure::{Ensured, ensure_webhook, planned_change};
pub use event::{DELIVERY_HEADER, EventError, SIGNATURE_HEADER, TIMESTAMP_HEADER, WebhookEvent};
#[cfg(feature = "receiver")]
pub use receiver::{CHANNEL_CAPACITY, RECENT_DELIVERIES, Receiver, ReceiverConfig, router};
pub use verify::{DEFAULT_TOLERANCE, Rejection, sign, verify, verify_at};
