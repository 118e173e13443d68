//! # connector-moco
//!
//! A client for the [MOCO](https://www.mocoapp.com) API (`https://{subdomain}.mocoapp.com/api/v1`).
//! Every operation is declared in `manifest/*.toml` (activities, companies, contacts,
//! deals, projects, users and web hooks in one file each; the rest of the API in
//! `manifest/api-*.toml`); `cargo xtask codegen` turns the declarations into
//! [`generated::ACTIONS`] (read by the dynamic [`connector_core::Connector`] API and the
//! CLI) and the typed API below. Both validate input before anything is sent and share
//! one pipeline: MOCO's client-side rate limit (120 requests per 2 minutes unless
//! configured otherwise), retries (a 429 waits as long as `Retry-After` asks) and
//! `Link`-header pagination.
//!
//! ```no_run
//! use connector_moco::Moco;
//! use connector_core::{SecretString, futures::TryStreamExt};
//!
//! # async fn demo() -> Result<(), connector_core::Error> {
//! let client = Moco::builder()
//!     .subdomain("acme")
//!     .api_key(SecretString::from("YOUR_API_KEY"))
//!     .build()?;
//!
//! let activity = client
//!     .activities()
//!     .create("2024-05-02", 944_587_499, 658_636)
//!     .seconds(3600)
//!     .description("Workshop")
//!     .send()
//!     .await?;
//!
//! // Update sends only the fields given; 0, false and "" are sent as given.
//! client.activities().update(activity["id"].as_i64().unwrap_or_default()).billable(false).send().await?;
//!
//! // Lists stream across pages; this stops after 250 items.
//! let projects: Vec<_> = client.projects().list().include_archived(false).stream(Some(250)).try_collect().await?;
//!
//! // Act as another user (needs the Staff permission).
//! client.impersonating(933_590_696).activities().list().from("2024-05-01").to("2024-05-31").send().await?;
//! # Ok(()) }
//! ```
//!
//! Checking a web hook delivery (see [`webhooks`] for a ready-made receiver):
//!
//! ```no_run
//! use connector_moco::webhooks::{self, WebhookEvent};
//!
//! # fn handle(headers: &http::HeaderMap, body: &[u8]) -> Option<WebhookEvent> {
//! let secret = "1d608b9d72219b90ff2393a1d3ee0ac0"; // shown in MOCO's web hook overview
//! let signature = headers.get("x-moco-signature")?.to_str().ok()?;
//! if !webhooks::verify(secret, body, signature) {
//!     return None; // answer 401
//! }
//! WebhookEvent::from_parts(headers, body).ok()
//! # }
//! ```

mod auth;
mod client;
pub mod generated;
pub mod webhooks;

pub use client::*;
pub use generated::{ACTIONS, RESOURCES, enums, models};
