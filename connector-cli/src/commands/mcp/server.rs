//! The MCP server: lists the tools and answers calls, with the backends' clients built
//! once at start.

use super::call::{self, Control};
use super::catalog;
use super::masking::Masker;
use super::tools::{self, Offered};
use crate::backend::Backend;
use crate::files::Target;
use crate::redact::Redactor;
use connector_core::{Connector, Error, Options};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// How the actions are offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// One tool per action.
    All,
    /// `search_actions`, `describe_action`, `run_action`.
    Catalog,
}

/// A backend's client, the request options every call of it uses, and the redactor of
/// its credentials.
#[derive(Debug, Clone)]
pub struct Client {
    pub backend: Backend,
    pub connector: Arc<dyn Connector>,
    pub options: Options,
    pub redactor: Redactor,
}

#[derive(Debug)]
pub struct Server {
    mode: Mode,
    read_only: bool,
    offered: Vec<Offered>,
    /// Tool name -> index into `offered` (`--tools all`).
    by_tool: HashMap<String, usize>,
    tools: Vec<Tool>,
    clients: Vec<Client>,
    /// Where files the API answers with are saved.
    files: Target,
    /// Every client's credentials, masked in every result.
    redactor: Redactor,
}

impl Server {
    pub fn new(
        mode: Mode,
        read_only: bool,
        offered: Vec<Offered>,
        clients: Vec<Client>,
        files: Target,
    ) -> Self {
        let backends: Vec<Backend> = clients.iter().map(|c| c.backend).collect();
        let tools = match mode {
            Mode::All => offered.iter().map(tools::action_tool).collect(),
            Mode::Catalog => catalog::tools(&backends, read_only),
        };
        let by_tool = offered
            .iter()
            .enumerate()
            .map(|(i, o)| (o.tool_name(), i))
            .collect();
        let mut redactor = Redactor::default();
        for client in &clients {
            redactor.extend(&client.redactor);
        }
        Server {
            mode,
            read_only,
            offered,
            by_tool,
            tools,
            clients,
            files,
            redactor,
        }
    }

    pub fn tools(&self) -> &[Tool] {
        &self.tools
    }

    fn client(&self, backend: Backend) -> Option<&Client> {
        self.clients.iter().find(|c| c.backend == backend)
    }

    /// Runs an offered action: the call's own arguments are taken from `control_args`
    /// (the tool's arguments, or `run_action`'s), its parameters are `input`.
    async fn run_action(
        &self,
        offered: Offered,
        mut input: Map<String, Value>,
        control_args: Option<Map<String, Value>>,
    ) -> CallToolResult {
        let control = match control_args {
            Some(mut args) => Control::take(&offered, &mut args),
            None => Control::take(&offered, &mut input),
        };
        let control = match control {
            Ok(c) => c,
            Err(e) => {
                return call::failure(&e, &Masker::for_input(&self.redactor, offered.spec, &input));
            }
        };
        let Some(client) = self.client(offered.backend) else {
            let e = Error::Config(format!("{} is not configured", offered.backend.name()));
            return call::failure(&e, &Masker::new(&self.redactor));
        };
        call::run(
            &*client.connector,
            &client.options,
            &self.files,
            &offered,
            input,
            control,
            &self.redactor,
        )
        .await
    }

    async fn call(
        &self,
        name: &str,
        args: Map<String, Value>,
    ) -> Result<CallToolResult, ErrorData> {
        let masker = Masker::new(&self.redactor);
        match self.mode {
            Mode::All => match self.by_tool.get(name) {
                Some(&i) => Ok(self.run_action(self.offered[i], args, None).await),
                None => Err(unknown_tool(name)),
            },
            Mode::Catalog => match name {
                catalog::SEARCH => Ok(to_result(catalog::search(&self.offered, &args), &masker)),
                catalog::DESCRIBE => Ok(to_result(
                    catalog::describe(&self.offered, self.read_only, &args),
                    &masker,
                )),
                catalog::RUN => match catalog::run_arguments(&self.offered, self.read_only, args) {
                    Ok(run) => Ok(self
                        .run_action(run.offered, run.input, Some(run.control))
                        .await),
                    Err(e) => Ok(call::failure(&e, &masker)),
                },
                _ => Err(unknown_tool(name)),
            },
        }
    }
}

fn to_result(outcome: Result<Value, Error>, masker: &Masker) -> CallToolResult {
    match outcome {
        Ok(v) => call::success(v, masker),
        Err(e) => call::failure(&e, masker),
    }
}

fn unknown_tool(name: &str) -> ErrorData {
    ErrorData::invalid_params(format!("unknown tool `{name}`"), None)
}

impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        let backends: Vec<&str> = self.clients.iter().map(|c| c.backend.name()).collect();
        let how = match self.mode {
            Mode::All => "Each action is a tool of its own.".to_owned(),
            Mode::Catalog => format!(
                "{} actions: find them with {}, read one's input schema with {}, run it with {}.",
                self.offered.len(),
                catalog::SEARCH,
                catalog::DESCRIBE,
                catalog::RUN
            ),
        };
        let reads = if self.read_only {
            " Only reads are offered."
        } else {
            " Writes take dry_run: true to show the request without sending it."
        };
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(
                Implementation::new("connector", env!("CARGO_PKG_VERSION"))
                    .with_title("Konverte Digital and MOCO connectors"),
            )
            .with_instructions(format!(
                "API actions of {}. {how}{reads} Inputs are validated before anything is \
                 sent; a refused input names its field. List answers hold at most `limit` \
                 items and give the next `offset`.",
                backends.join(" and ")
            ))
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.tools.clone()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let args = request.arguments.unwrap_or_default();
        self.call(&request.name, args).await.map(Into::into)
    }
}
