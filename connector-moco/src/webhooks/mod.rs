//! MOCO web hooks: checking a delivery's signature, reading it as a [`WebhookEvent`],
//! receiving deliveries over HTTP ([`Receiver`]), and subscribing (`ensure_webhook`, with the
//! `web_hooks` feature).
//!
//! MOCO signs each delivery's body with HMAC-SHA256, keyed with the web hook's secret
//! (the 32-character hex string shown in MOCO's web hook overview), and sends the
//! lower-case hex digest in `X-Moco-Signature`. The signature covers the body only, not
//! the `X-Moco-*` headers.

mod event;
#[cfg(feature = "receiver")]
mod receiver;
// Subscribing calls the typed `web_hooks` actions.
#[cfg(feature = "web_hooks")]
mod register;
mod verify;

pub use event::{
    ACCOUNT_URL_HEADER, EVENT_HEADER, EventError, SIGNATURE_HEADER, TARGET_HEADER,
    TIMESTAMP_HEADER, USER_ID_HEADER, WebhookEvent,
};
#[cfg(feature = "receiver")]
pub use receiver::{CHANNEL_CAPACITY, EventFilter, Receiver, router};
#[cfg(feature = "web_hooks")]
pub use register::ensure_webhook;
pub use verify::{sign, verify};
