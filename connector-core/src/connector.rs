//! The `Connector` trait: what the CLI (and any generic caller) needs of a backend.

use crate::action::ActionSpec;
use crate::clock::Sleeper;
use crate::download::Download;
use crate::error::Error;
use crate::limiter::PacerStatus;
use crate::options::RequestOptions;
use crate::paginate;
use crate::pipeline::HttpConnector;
use crate::request::PreparedRequest;
use crate::resolve::Resolved;
use async_trait::async_trait;
use futures::StreamExt;
use futures::stream::BoxStream;
use serde_json::{Map, Value};
use url::Url;

/// Every field but the names, checked before any lookup is made.
fn request_check(
    http: &HttpConnector,
    action: &'static ActionSpec,
    input: &Map<String, Value>,
    options: &dyn RequestOptions,
) -> Result<(), Error> {
    http.prepare_action(
        action,
        &crate::resolve::with_placeholders(action, input),
        options.lenient(),
    )
    .map(|_| ())
}

/// A backend: its name, where it talks to, and its registry of actions. Object-safe,
/// so callers can hold `Box<dyn Connector>` and pick a backend at run time.
#[async_trait]
pub trait Connector: Send + Sync + std::fmt::Debug {
    /// Short lower-case name (`konverte`, `moco`).
    fn name(&self) -> &str;
    fn base_url(&self) -> &Url;
    /// Every action of the backend.
    fn actions(&self) -> &'static [ActionSpec];

    /// The action with this id.
    fn action(&self, id: &str) -> Result<&'static ActionSpec, Error> {
        crate::action::find(self.actions(), id).ok_or_else(|| Error::UnknownAction {
            backend: self.name().to_owned(),
            id: id.to_owned(),
        })
    }

    /// Validates the input and builds the request, without any I/O.
    fn prepare(
        &self,
        action_id: &str,
        input: &Map<String, Value>,
    ) -> Result<PreparedRequest, Error>;

    /// [`Connector::prepare`] as `options` ask: with [`RequestOptions::lenient`], fields
    /// and enum values the declaration does not know are sent as given.
    fn prepare_with(
        &self,
        action_id: &str,
        input: &Map<String, Value>,
        options: &dyn RequestOptions,
    ) -> Result<PreparedRequest, Error> {
        let _ = options;
        self.prepare(action_id, input)
    }

    /// The request as it would go out, credentials and secrets masked (`--dry-run`);
    /// an error where sending would stop before any I/O (no credential, bad header).
    fn describe(
        &self,
        request: &PreparedRequest,
        options: &dyn RequestOptions,
    ) -> Result<Value, Error>;

    /// Replaces names in reference parameters by ids (lookups are reads, through the same
    /// pipeline, cached per client). What `--dry-run` shows before it describes a request.
    async fn resolve(
        &self,
        action_id: &str,
        input: Map<String, Value>,
        options: &dyn RequestOptions,
    ) -> Result<Resolved, Error>;

    /// Validates, sends (with limits and retries) and decodes one call.
    async fn execute(
        &self,
        action_id: &str,
        input: Map<String, Value>,
        options: &dyn RequestOptions,
    ) -> Result<Value, Error>;

    /// Runs an action that answers with a file (declared `response = "bytes"`) and hands
    /// the file out as a stream with its content type and name.
    async fn download(
        &self,
        action_id: &str,
        input: Map<String, Value>,
        options: &dyn RequestOptions,
    ) -> Result<Download, Error>;

    /// Fetches a file by a URL the API handed out; credentials (those `credentials_of` sends)
    /// only on the base URL's origin.
    async fn download_url(
        &self,
        url: &str,
        credentials_of: Option<&str>,
        options: &dyn RequestOptions,
    ) -> Result<Download, Error>;

    /// Every item of a list action, page by page, up to `limit` items.
    fn stream<'a>(
        &'a self,
        action_id: &str,
        input: Map<String, Value>,
        options: &'a dyn RequestOptions,
        limit: Option<usize>,
    ) -> BoxStream<'a, Result<Value, Error>>;

    /// Makes one cheap authenticated call to prove the credentials work.
    async fn check_credentials(&self, options: &dyn RequestOptions) -> Result<(), Error>;

    /// How this connector waits (batch pauses, retries).
    fn sleeper(&self) -> &dyn Sleeper;

    /// What its client-side rate limiters pace at now (see [`HttpConnector::pacing`]);
    /// empty when nothing was paced (or the connector has no limiter).
    fn pacing(&self) -> Vec<PacerStatus> {
        Vec::new()
    }
}

/// A backend client built around an [`HttpConnector`]. Implementing this one method
/// makes the client a [`Connector`]: every call goes to the shared pipeline.
pub trait Backend: Send + Sync + std::fmt::Debug {
    fn http(&self) -> &HttpConnector;
}

/// The engine on its own is a connector too (tests, one-off declarations).
impl Backend for HttpConnector {
    fn http(&self) -> &HttpConnector {
        self
    }
}

#[async_trait]
impl<T: Backend> Connector for T {
    fn name(&self) -> &str {
        HttpConnector::name(self.http())
    }
    fn base_url(&self) -> &Url {
        HttpConnector::base_url(self.http())
    }
    fn actions(&self) -> &'static [ActionSpec] {
        HttpConnector::actions(self.http())
    }
    fn prepare(
        &self,
        action_id: &str,
        input: &Map<String, Value>,
    ) -> Result<PreparedRequest, Error> {
        HttpConnector::prepare(self.http(), action_id, input)
    }
    fn prepare_with(
        &self,
        action_id: &str,
        input: &Map<String, Value>,
        options: &dyn RequestOptions,
    ) -> Result<PreparedRequest, Error> {
        HttpConnector::prepare_with(self.http(), action_id, input, options)
    }
    fn describe(
        &self,
        request: &PreparedRequest,
        options: &dyn RequestOptions,
    ) -> Result<Value, Error> {
        HttpConnector::describe(self.http(), request, options)
    }
    async fn execute(
        &self,
        action_id: &str,
        input: Map<String, Value>,
        options: &dyn RequestOptions,
    ) -> Result<Value, Error> {
        self.http().execute_json(action_id, &input, options).await
    }
    async fn download(
        &self,
        action_id: &str,
        input: Map<String, Value>,
        options: &dyn RequestOptions,
    ) -> Result<Download, Error> {
        self.http().download(action_id, input, options).await
    }
    async fn resolve(
        &self,
        action_id: &str,
        input: Map<String, Value>,
        options: &dyn RequestOptions,
    ) -> Result<Resolved, Error> {
        let http = self.http();
        let action = HttpConnector::action(http, action_id)?;
        if !crate::resolve::needs_resolving(action, &input) {
            return Ok(Resolved {
                input,
                lookups: Vec::new(),
            });
        }
        request_check(http, action, &input, options)?;
        http.resolve_names(action, input, options).await
    }
    async fn download_url(
        &self,
        url: &str,
        credentials_of: Option<&str>,
        options: &dyn RequestOptions,
    ) -> Result<Download, Error> {
        self.http().download_url(url, credentials_of, options).await
    }
    fn stream<'a>(
        &'a self,
        action_id: &str,
        input: Map<String, Value>,
        options: &'a dyn RequestOptions,
        limit: Option<usize>,
    ) -> BoxStream<'a, Result<Value, Error>> {
        let http = self.http();
        let action = match HttpConnector::action(http, action_id) {
            Ok(action) => action,
            Err(e) => return Box::pin(futures::stream::once(async move { Err(e) })),
        };
        if !crate::resolve::needs_resolving(action, &input) {
            return paginate::stream(http, action, input, options, limit);
        }
        // A list filtered by a name (`--user_id ada@example.com`): the name first.
        Box::pin(
            futures::stream::once(async move { http.with_ids(action, input, options).await })
                .flat_map(move |resolved| match resolved {
                    Ok(input) => paginate::stream(http, action, input, options, limit),
                    Err(e) => Box::pin(futures::stream::once(async move { Err(e) })),
                }),
        )
    }
    async fn check_credentials(&self, options: &dyn RequestOptions) -> Result<(), Error> {
        let http = self.http();
        let id = http
            .credentials_check_action()
            .ok_or_else(|| Error::Config(format!("{} has no credentials check", http.name())))?;
        http.execute_json(id, &Map::new(), options)
            .await
            .map(|_| ())
    }
    fn sleeper(&self) -> &dyn Sleeper {
        HttpConnector::sleeper(self.http())
    }
    fn pacing(&self) -> Vec<PacerStatus> {
        HttpConnector::pacing(self.http())
    }
}
