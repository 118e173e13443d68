//! # connector-core
//!
//! The ground every connector stands on. A backend declares its operations as data
//! ([`ActionSpec`]); this crate turns a declaration plus an input map into a validated
//! [`PreparedRequest`] (no I/O before that succeeds), then sends it through one
//! pipeline: client-side rate limiter → attempt with timeout → classification →
//! retry decision ([`retry::decide`], a pure function) → JSON or a typed model.
//! Lists are [`futures::Stream`]s ([`paginate`]); batches yield exactly one
//! [`batch::Outcome`] per input ([`batch::run`]).
//! `schema::input_schema` (feature `schema`) turns a declaration into the JSON Schema of its
//! input (for forms, AI agents' tools, or anyone who builds inputs elsewhere).
//!
//! Cargo features, none on by default: `redis` (a rate limit shared through Redis, see
//! [`RateLimitStore`]), `listener` (the HTTP server web hook receivers run on), `schema`,
//! and `testing` (mockall doubles of the trait seams).
//!
//! ```no_run
//! use connector_core::{ActionSpec, HttpConnector, Method, Options, ParamSpec, ParamType, Connector};
//!
//! static ACTIONS: [ActionSpec; 1] = [ActionSpec {
//!     name: "Get a user",
//!     summary: "Fetch one user by id.",
//!     params: &[ParamSpec::path("id", ParamType::Integer)],
//!     ..ActionSpec::new("users.get", Method::Get, "/users/{id}")
//! }];
//!
//! # async fn demo() -> Result<(), connector_core::Error> {
//! let api = HttpConnector::builder("demo", &ACTIONS).base_url("https://api.example.com").build()?;
//! let mut input = serde_json::Map::new();
//! input.insert("id".into(), 42.into());
//! let user = api.execute("users.get", input, &Options::default()).await?;
//! # Ok(()) }
//! ```

pub mod action;
mod args;
pub mod batch;
mod blocking;
mod body;
pub mod clock;
pub mod connector;
pub mod download;
pub mod error;
pub mod lenient;
mod limiter;
#[cfg(feature = "listener")]
pub mod listener;
pub mod options;
pub mod paginate;
pub mod pipeline;
pub mod request;
pub mod resolve;
pub mod response;
pub mod retry;
#[cfg(feature = "schema")]
pub mod schema;
pub mod secret;
mod transport;
pub mod validate;

pub use action::{
    Action, ActionSpec, BodyKind, Location, Method, Pagination, ParamSpec, ParamType, RefSpec,
    ResourceSpec, ResponseKind,
};
pub use args::{Attachment, DateArg, DateTimeArg, Ref};
pub use batch::{Outcome, OutcomeResult, Summary};
pub use clock::{Sleeper, TokioSleeper};
pub use connector::{Backend, Connector};
pub use download::Download;
pub use error::{Error, ErrorKind, Result};
pub use limiter::{Pace, PacerStatus, Sharing};
pub use options::{
    Options, OptionsBuilder, ProxyConfig, RateLimit, RateLimitChoice, RateLimitStore, RedisUrl,
    RequestOptions, RetryPolicy,
};
pub use pipeline::{HttpConnector, HttpConnectorBuilder, NoContent, decode};
pub use request::{MASK, PreparedRequest};
pub use response::Response;
pub use secret::{Authenticator, NoAuth, TokenAuth};

pub use futures;
/// Re-exported so backends and their users name the same types.
pub use secrecy::{self, ExposeSecret, SecretString};
pub use serde_json;
pub use url::Url;

#[cfg(feature = "testing")]
pub use clock::MockSleeper;
