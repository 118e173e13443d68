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
//! Run here against the sandbox (`connector-sandbox`); for an account, use
//! `.subdomain("acme")` or [`Moco::from_env`].
//!
//! ```
//! use connector_moco::models::{Activity, Project};
//! use connector_moco::{Moco, SecretString};
//! use connector_core::futures::TryStreamExt;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), connector_moco::Error> {
//! # let sandbox = connector_sandbox::MocoSandbox::start(Default::default()).await.unwrap();
//! # let (base_url, key) = (sandbox.base_url(), sandbox.api_key().to_owned());
//! let client = Moco::builder()
//!     .base_url(base_url) // or .subdomain("acme")
//!     .api_key(SecretString::from(key))
//!     .build()?;
//!
//! // Required fields are the constructor's arguments (date, project, task); the rest are setters.
//! let activity: Activity = client
//!     .activities()
//!     .create("2024-05-02", 1, 1)
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
//! // Act as another user (needs the Staff permission); here the sandbox's user 1.
//! let mine = client.impersonating(1).activities().list().from("2024-05-01").to("2024-05-31").send().await?;
//! let hours: f64 = mine.iter().filter_map(|a| a.hours).sum();
//! assert_eq!(hours, 1.0);
//! # sandbox.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Checking a web hook delivery (see [`webhooks`] for a ready-made receiver):
//!
//! ```
//! use connector_moco::webhooks::{self, WebhookEvent};
//!
//! fn handle(headers: &http::HeaderMap, body: &[u8]) -> Option<WebhookEvent> {
//!     let secret = "1d608b9d72219b90ff2393a1d3ee0ac0"; // shown in MOCO's web hook overview
//!     let signature = headers.get("x-moco-signature")?.to_str().ok()?;
//!     if !webhooks::verify(secret, body, signature) {
//!         return None; // answer 401
//!     }
//!     WebhookEvent::from_parts(headers, body).ok()
//! }
//! # let body = br#"{"id": 7, "description": "Workshop"}"#;
//! # let mut headers = http::HeaderMap::new();
//! # headers.insert("x-moco-target", "Activity".parse().unwrap());
//! # headers.insert("x-moco-event", "create".parse().unwrap());
//! # let signature = connector_sandbox::sign_moco("1d608b9d72219b90ff2393a1d3ee0ac0", body);
//! # headers.insert("x-moco-signature", signature.parse().unwrap());
//! let event = handle(&headers, body).expect("a signed delivery");
//! assert_eq!(event.target, "Activity");
//! # headers.insert("x-moco-signature", "0000".parse().unwrap());
//! # assert!(handle(&headers, body).is_none(), "a wrong signature is refused");
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
//!
//! Two more features are parts of the crate, not resources:
//! - `receiver` (in `default`): `webhooks::Receiver` and `webhooks::router`, the web hook
//!   server (axum). Signature checks (`webhooks::verify`, `webhooks::sign`) need no feature.
//!   Add it beside `default-features = false` to receive web hooks.
//! - `redis` (off unless named): `RateLimitStore::Redis`, a fixed rate limit shared by several
//!   machines. Without it that store is refused with `Error::Config` before anything is sent;
//!   the default store (a lock file shared by the machine's processes) needs no feature.

mod auth;
mod client;
pub mod env;
pub mod generated;
pub mod webhooks;

pub use client::*;
pub use connector_core::{Attachment, Connector, Error, Options, Ref, SecretString};
pub use generated::{ACTIONS, RESOURCES, enums, models};
