//! # connector-konverte
//!
//! A client for the Konverte Digital API (a Chatwoot installation): all 115 operations
//! of its OpenAPI description, declared once in `manifest/*.toml` and generated into
//! [`ACTIONS`] (the registry the CLI and the dynamic API read) and a typed API
//! (`client.<resource>().<verb>(..)`). `ACTIONS.md` lists every action id.
//!
//! Three kinds of token travel in the `api_access_token` header: a user's token
//! (`user`), an agent bot's (`agent_bot`) and a platform app's (`platform`, for the
//! `/platform/api/v1` actions). The public client API (`/public/api/v1`) and the survey
//! page take none. Every input is checked before anything is sent: required fields,
//! types, enum values, password complexity, JSON objects, ids that cannot change the
//! path.
//!
//! ```no_run
//! use connector_konverte::{Connector, Konverte, Options, SecretString};
//!
//! # async fn demo() -> Result<(), connector_konverte::Error> {
//! let client = Konverte::builder()
//!     .base_url("https://chat.example.com")
//!     .platform_token(SecretString::from("platform-app-token"))
//!     .build()?;
//!
//! // Typed: the builder validates, sends and decodes into `models::User`.
//! let user = client.users().update(5).name("Ada").send().await?;
//! println!("{:?}", user.email);
//!
//! // Dynamic: the same action by id with a JSON input, as the CLI calls it.
//! let input = serde_json::json!({"id": 5, "name": "Ada"});
//! let answer = client
//!     .execute("users.update", input.as_object().unwrap().clone(), &Options::default())
//!     .await?;
//! println!("{answer}");
//! # Ok(()) }
//! ```

mod client;
pub mod generated;

pub use client::*;
pub use connector_core::{Connector, Error, Options, SecretString};
pub use generated::{ACTIONS, RESOURCES, enums, models};
