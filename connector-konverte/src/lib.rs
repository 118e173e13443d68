//! # connector-konverte
//!
//! A client for the Konverte Digital API (a Chatwoot installation): 315 actions in 50
//! resources, each declared once in `manifest/*.toml` and checked against the server's
//! own source (Chatwoot 4.15.1: routes, controllers, views, models; every declaration
//! names the files in `checked_against`), generated into [`ACTIONS`] (the registry the
//! CLI and the dynamic API read) and a typed API (`client.<resource>().<verb>(..)`).
//! `ACTIONS.md` lists every action, what it was checked against, and what was left out.
//!
//! Tokens travel in the `Api-Access-Token` header. Each action declares the kinds the
//! server lets in: a user's token (`user`, [`KonverteBuilder::api_token`]), an agent
//! bot's (`agent_bot`, for the few actions bots may call) or a platform app's
//! (`platform`, the `/platform/api/v1` actions); the public client API (`/public/api/v1`)
//! takes none. A call whose kinds are all unconfigured is refused before anything is
//! sent, naming the kind, its environment variable and profile key ([`TOKEN_KINDS`]).
//! Every input is checked before anything is sent: required fields, types, enum values,
//! password complexity, JSON objects, ids that cannot change the path.
//!
//! [`webhooks`] verifies Chatwoot's signed deliveries and receives them.
//!
//! Run here against the sandbox (`connector-sandbox`); for an installation, its address
//! (`https://chat.example.com`) and a user's access token, or [`Konverte::from_env`].
//!
//! ```
//! use connector_konverte::{Connector, Konverte, Options, SecretString};
//! use futures::StreamExt;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), connector_konverte::Error> {
//! # let sandbox = connector_sandbox::KonverteSandbox::start(Default::default()).await.unwrap();
//! # let (base_url, token) = (sandbox.base_url(), sandbox.token().to_owned());
//! let client = Konverte::builder()
//!     .base_url(base_url)
//!     .api_token(SecretString::from(token))
//!     .build()?;
//!
//! // Typed: each builder validates, sends and decodes into its model (`models::Contact`, ...).
//! let contact = client.contacts().create(1).inbox_id(1).name("Ada").send().await?;
//! let contact_id = contact.id.unwrap_or_default();
//! let conversation = client.conversations().create(1).inbox_id(1).contact_id(contact_id).send().await?;
//! let conversation_id = conversation.id.unwrap_or_default();
//! client.messages().create(1, conversation_id).content("Hello, Ada").send().await?;
//!
//! // Typed list: a conversation's whole history, walking back with `before`.
//! let mut messages = client.messages().list(1, conversation_id).stream(None);
//! while let Some(message) = messages.next().await {
//!     println!("{:?}", message?.content);
//! }
//!
//! // Dynamic: an action by id with a JSON input, as the CLI calls it; the answer is JSON.
//! let input = serde_json::json!({"account_id": 1, "conversation_id": conversation_id, "labels": ["vip"]});
//! let answer = client
//!     .execute("conversations.add_labels", input.as_object().unwrap().clone(), &Options::default())
//!     .await?;
//! assert_eq!(answer["payload"][0], "vip");
//! # sandbox.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! ## Cargo features: only the resource groups you call
//!
//! Each resource's typed API (its handler such as `client.contacts()`, builders, models and
//! enums) is the cargo feature named after the resource (`contacts`, `conversations`,
//! `messages`, ... one per `manifest/*.toml`, listed in `Cargo.toml` and `ACTIONS.md`).
//! `full`, every group, is the default. A program that calls a few groups compiles only
//! those (and the models they share with others):
//!
//! ```toml
//! [dependencies]
//! connector-konverte = { version = "0.1", default-features = false, features = ["contacts", "conversations", "messages"] }
//! ```
//!
//! The dynamic API ([`ACTIONS`], [`Connector::execute`], `execute_json`) always has every
//! action; `webhooks::ensure_webhook` needs `webhooks`.
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

pub use auth::{HMAC_TOKEN_ENV, TOKEN_KINDS, TokenKind, identifier_hash, token_kind};
pub use client::*;
pub use connector_core::{Attachment, Connector, Error, Options, Ref, SecretString};
pub use generated::{ACTIONS, RESOURCES, enums, models};
