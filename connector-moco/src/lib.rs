//! # connector-moco
//!
//! A client for the [MOCO](https://www.mocoapp.com) API (`https://{subdomain}.mocoapp.com/api/v1`).
//! Every operation is declared once in `manifest/<resource>.toml` (one file per resource, each
//! action checked against its section of the MOCO docs); `cargo xtask codegen` turns the
//! declarations into [`generated::ACTIONS`] (read by the dynamic [`Connector`] API and the
//! CLI), the typed API below and its [`models`] and [`enums`]. Both validate input before
//! anything is sent and share one pipeline: MOCO's client-side rate limit (120 requests per
//! 2 minutes unless configured otherwise), retries (a 429 waits as long as `Retry-After`
//! asks) and `Link`-header pagination. Typed calls return the declared model (every field
//! optional, unknown fields kept in `extra`); the dynamic API returns JSON.
//!
//! ```no_run
//! use connector_moco::models::{Activity, Project};
//! use connector_moco::{Moco, SecretString};
//! use connector_core::futures::TryStreamExt;
//!
//! # async fn demo() -> Result<(), connector_moco::Error> {
//! let client = Moco::builder()
//!     .subdomain("acme")
//!     .api_key(SecretString::from("YOUR_API_KEY"))
//!     .build()?;
//!
//! // Required fields are the constructor's arguments; the rest are setters.
//! let activity: Activity = client
//!     .activities()
//!     .create("2024-05-02", 944_587_499, 658_636)
//!     .seconds(3600)
//!     .description("Workshop")
//!     .send()
//!     .await?;
//!
//! // Update sends only the fields given; 0, false and "" are sent as given.
//! if let Some(id) = activity.id {
//!     client.activities().update(id).billable(false).send().await?;
//! }
//!
//! // Lists stream typed items across pages; this stops after 250 of them.
//! let projects: Vec<Project> = client.projects().list().include_archived(false).stream(Some(250)).try_collect().await?;
//! for project in &projects {
//!     println!("{:?} {:?} ({} tasks)", project.identifier, project.name, project.tasks.as_ref().map_or(0, Vec::len));
//! }
//!
//! // Act as another user (needs the Staff permission).
//! let mine = client.impersonating(933_590_696).activities().list().from("2024-05-01").to("2024-05-31").send().await?;
//! let hours: f64 = mine.iter().filter_map(|a| a.hours).sum();
//! println!("{hours} hours in May");
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
//!
//! ## Cargo features: only the resource groups you call
//!
//! Each resource's typed API (its handler such as `client.activities()`, builders, models and
//! enums) is the cargo feature named after the resource (`activities`, `companies`,
//! `web_hooks`, ... one per `manifest/*.toml`, listed in `Cargo.toml` and `ACTIONS.md`).
//! `full`, every group, is the default. A program that calls a few groups compiles only
//! those (and the models they share with others):
//!
//! ```toml
//! [dependencies]
//! connector-moco = { version = "0.1", default-features = false, features = ["activities", "projects", "users"] }
//! ```
//!
//! The dynamic API ([`ACTIONS`], [`Connector::execute`], `execute_json`) always has every
//! action; `webhooks::ensure_webhook` needs `web_hooks`.

mod auth;
mod client;
pub mod env;
pub mod generated;
pub mod webhooks;

pub use client::*;
pub use connector_core::{Connector, Error, Options, Ref, SecretString};
pub use generated::{ACTIONS, RESOURCES, enums, models};
