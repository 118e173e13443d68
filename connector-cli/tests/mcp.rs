//! `connector mcp` driven by a real MCP client (rmcp's) over stdio, against the
//! sandboxes: the handshake, tools/list in both modes, reads with paging, writes with
//! dry_run, validation and API errors, --read-only, and no secret in any result.

mod common;

use common::TOKEN;
use connector_core::{ActionSpec, Method, ResponseKind};
use connector_sandbox::{KonverteSandbox, MocoSandbox, SandboxConfig};
use rmcp::model::{CallToolRequestParams, CallToolResult, Tool};
use rmcp::service::RunningService;
use rmcp::transport::TokioChildProcess;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Map, Value, json};
use std::future::Future;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

/// MOCO's key in these tests: as distinctive as [`TOKEN`], and never in a result.
const MOCO_KEY: &str = "moco-key-DISTINCTIVE-51c0e2-never-print";

struct Sandboxes {
    konverte: KonverteSandbox,
    moco: MocoSandbox,
    home: tempfile::TempDir,
}

impl Sandboxes {
    async fn start() -> Sandboxes {
        let config = SandboxConfig {
            konverte_token: TOKEN.into(),
            moco_api_key: MOCO_KEY.into(),
            ..SandboxConfig::default()
        };
        Sandboxes {
            konverte: KonverteSandbox::start(config.clone()).await.unwrap(),
            moco: MocoSandbox::start(config).await.unwrap(),
            home: tempfile::tempdir().unwrap(),
        }
    }

    /// `connector mcp ARGS` with both backends' credentials in its environment.
    fn command(&self, args: &[&str]) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_connector"));
        cmd.env_clear()
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path().join(".config"))
            .env("NO_COLOR", "1")
            .env("KONVERTE_BASE_URL", self.konverte.base_url())
            .env("KONVERTE_API_TOKEN", TOKEN)
            .env("KONVERTE_PLATFORM_TOKEN", TOKEN)
            .env("MOCO_BASE_URL", self.moco.base_url())
            .env("MOCO_API_KEY", MOCO_KEY)
            .arg("mcp")
            .args(args);
        cmd
    }

    async fn session(&self, args: &[&str]) -> Session {
        let (transport, stderr) = TokioChildProcess::builder(self.command(args))
            .stderr(Stdio::piped())
            .spawn()
            .expect("connector mcp starts");
        let mut stderr = stderr.expect("stderr is piped");
        let stderr = tokio::spawn(async move {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text).await;
            text
        });
        let client = ().serve(transport).await.expect("the MCP handshake");
        Session {
            client,
            stderr,
            seen: String::new(),
        }
    }

    fn requests(&self) -> u64 {
        self.konverte.stats().requests + self.moco.stats().requests
    }

    async fn stop(self) {
        self.konverte.shutdown().await;
        self.moco.shutdown().await;
    }
}

struct Session {
    client: RunningService<RoleClient, ()>,
    stderr: tokio::task::JoinHandle<String>,
    /// Everything the server said, to look for secrets at the end.
    seen: String,
}

impl Session {
    async fn tools(&mut self) -> Vec<Tool> {
        let tools = self.client.list_all_tools().await.expect("tools/list");
        self.seen.push_str(&serde_json::to_string(&tools).unwrap());
        tools
    }

    async fn call(&mut self, tool: &str, args: Value) -> CallToolResult {
        let Value::Object(args) = args else {
            panic!("arguments are an object")
        };
        let result = self
            .client
            .call_tool(CallToolRequestParams::new(tool.to_owned()).with_arguments(args))
            .await
            .unwrap_or_else(|e| panic!("tools/call {tool}: {e}"));
        self.seen.push_str(&serde_json::to_string(&result).unwrap());
        result
    }

    /// Closes the session; returns everything it showed, stderr included.
    async fn close(self) -> String {
        let Session {
            client,
            stderr,
            mut seen,
        } = self;
        let _ = client.cancel().await;
        let logs = tokio::time::timeout(Duration::from_secs(30), stderr)
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or_default();
        seen.push_str(&logs);
        seen
    }
}

/// The structured answer of a successful call.
fn ok(result: &CallToolResult) -> &Map<String, Value> {
    assert_ne!(result.is_error, Some(true), "{result:?}");
    result
        .structured_content
        .as_ref()
        .and_then(Value::as_object)
        .unwrap_or_else(|| panic!("no structured content: {result:?}"))
}

/// The `error` of a failed call.
fn err(result: &CallToolResult) -> &Map<String, Value> {
    assert_eq!(result.is_error, Some(true), "{result:?}");
    result
        .structured_content
        .as_ref()
        .and_then(|v| v.get("error"))
        .and_then(Value::as_object)
        .unwrap_or_else(|| panic!("no error: {result:?}"))
}

fn assert_no_secret(text: &str) {
    for secret in [TOKEN, MOCO_KEY] {
        assert!(!text.contains(secret), "a credential was shown: {text}");
    }
}

/// Every test gets two minutes at most: a hung server fails instead of hanging.
async fn within<F: Future<Output = ()>>(test: F) {
    tokio::time::timeout(Duration::from_secs(120), test)
        .await
        .expect("the test finished in time");
}

fn total_actions() -> usize {
    connector_konverte::ACTIONS.len() + connector_moco::ACTIONS.len()
}

/// A read, as the server defines it: a GET, or a paged search it may repeat.
fn reads(a: &ActionSpec) -> bool {
    a.method == Method::Get || (a.pagination.is_paged() && a.idempotent)
}

fn names(tools: &[Tool]) -> Vec<&str> {
    tools.iter().map(|t| t.name.as_ref()).collect()
}

#[tokio::test]
async fn initialize_and_list_the_tools_in_both_modes() {
    within(async {
        let sb = Sandboxes::start().await;

        let mut catalog = sb.session(&[]).await;
        let info = catalog.client.peer_info().expect("the server's info");
        assert_eq!(
            info.server_info.as_ref().map(|i| i.name.as_str()),
            Some("connector")
        );
        assert!(info.capabilities.tools.is_some());
        let tools = catalog.tools().await;
        assert!(
            total_actions() > 64,
            "both registries together pass the catalog threshold"
        );
        assert_eq!(
            names(&tools),
            ["search_actions", "describe_action", "run_action"]
        );
        let all = catalog.call("search_actions", json!({"limit": 1000})).await;
        assert_eq!(ok(&all)["total"], total_actions());
        assert_no_secret(&catalog.close().await);

        let mut each = sb.session(&["--tools", "all"]).await;
        let tools = each.tools().await;
        assert_eq!(tools.len(), total_actions());
        let konverte = tools
            .iter()
            .filter(|t| t.name.starts_with("konverte_"))
            .count();
        assert_eq!(konverte, connector_konverte::ACTIONS.len());
        for (backend, actions) in [
            ("konverte", connector_konverte::ACTIONS),
            ("moco", connector_moco::ACTIONS),
        ] {
            for a in actions {
                let name = format!("{backend}_{}", a.id.replace('.', "_"));
                let tool = tools
                    .iter()
                    .find(|t| t.name == name)
                    .unwrap_or_else(|| panic!("no tool {name}"));
                let hints = tool.annotations.as_ref().expect("annotations");
                assert_eq!(hints.read_only_hint, Some(reads(a)), "{name}");
                assert_eq!(
                    hints.idempotent_hint,
                    Some(reads(a) || a.idempotent),
                    "{name}"
                );
                let props = tool.input_schema["properties"].as_object().unwrap();
                assert_eq!(props.contains_key("dry_run"), !reads(a), "{name}");
                let lists = reads(a) && a.response == ResponseKind::Json;
                assert_eq!(props.contains_key("limit"), lists, "{name}");
                if a.method == Method::Delete {
                    assert_eq!(hints.destructive_hint, Some(true), "{name}");
                }
            }
        }
        assert_no_secret(&each.close().await);

        // Few actions: one tool each, without asking.
        let mut few = sb
            .session(&["--backend", "moco", "--actions", "activities.*"])
            .await;
        let tools = few.tools().await;
        let expected = connector_moco::ACTIONS
            .iter()
            .filter(|a| a.resource == "activities")
            .count();
        assert!(expected > 0 && expected <= 64);
        assert_eq!(tools.len(), expected);
        assert!(tools.iter().all(|t| t.name.starts_with("moco_activities_")));
        few.close().await;
        sb.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_read_against_the_sandbox_returns_at_most_limit_items_and_says_how_to_get_more() {
    within(async {
        let sb = Sandboxes::start().await;
        sb.konverte.insert_bulk_contacts(1, 40);
        let mut s = sb
            .session(&["--backend", "konverte", "--actions", "contacts.*"])
            .await;

        let everything = s
            .call(
                "konverte_contacts_list",
                json!({"account_id": 1, "limit": 1000}),
            )
            .await;
        let everything = ok(&everything).clone();
        let total = everything["count"].as_u64().unwrap() as usize;
        assert!(total >= 40, "{everything:?}");
        assert_eq!(everything["more"], false);

        // Pages of 10 cross the sandbox's pages of 15; together they are the whole list.
        let mut ids = Vec::new();
        let mut offset = 0;
        loop {
            let page = s
                .call(
                    "konverte_contacts_list",
                    json!({"account_id": 1, "limit": 10, "offset": offset}),
                )
                .await;
            let page = ok(&page).clone();
            let items = page["items"].as_array().unwrap();
            assert!(items.len() <= 10);
            ids.extend(items.iter().map(|c| c["id"].clone()));
            if page["more"] == false {
                assert!(page.get("next").is_none());
                break;
            }
            offset = page["next"]["offset"].as_u64().unwrap() as usize;
            assert_eq!(offset, ids.len());
        }
        let all_ids: Vec<Value> = everything["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].clone())
            .collect();
        assert_eq!(ids, all_ids);

        // Without a limit, one call holds the default 50 at most.
        let first = s
            .call("konverte_contacts_list", json!({"account_id": 1}))
            .await;
        let first = ok(&first);
        assert_eq!(first["count"].as_u64(), Some(total.min(50) as u64));

        let one = s
            .call(
                "konverte_contacts_get",
                json!({"account_id": 1, "contact_id": all_ids[0]}),
            )
            .await;
        assert_eq!(ok(&one)["id"], all_ids[0]);
        assert_no_secret(&s.close().await);
        sb.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_write_with_dry_run_returns_the_request_with_secrets_masked_and_sends_nothing() {
    within(async {
        let sb = Sandboxes::start().await;
        let mut s = sb.session(&["--tools", "all"]).await;
        let before = sb.requests();
        let password = "Sup3r-Secret!pass";
        let shown = s
            .call(
                "konverte_users_create",
                json!({"name": "Ada", "email": "ada@example.com", "password": password, "dry_run": true}),
            )
            .await;
        let shown = ok(&shown).clone();
        assert_eq!(shown["sent"], false);
        let request = &shown["request"];
        assert_eq!(request["method"], "POST");
        assert_eq!(request["body"]["name"], "Ada");
        assert_eq!(request["body"]["password"], "***");
        let moco = s
            .call(
                "moco_activities_create",
                json!({"date": "2026-11-20", "project_id": 1, "task_id": 1, "seconds": 3600, "dry_run": true}),
            )
            .await;
        assert_eq!(ok(&moco)["request"]["body"]["seconds"], 3600);
        assert_eq!(sb.requests(), before, "a dry run sends nothing");

        let seen = s.close().await;
        assert!(!seen.contains(password), "the password was shown");
        assert_no_secret(&seen);
        sb.stop().await;
    })
    .await;
}

#[tokio::test]
async fn validation_errors_name_the_field_and_send_nothing_api_errors_carry_the_status() {
    within(async {
        let sb = Sandboxes::start().await;
        let mut s = sb.session(&["--backend", "konverte", "--tools", "all"]).await;
        let before = sb.requests();
        let weak = s
            .call(
                "konverte_users_create",
                json!({"name": "Ada", "email": "ada@example.com", "password": "weakpass"}),
            )
            .await;
        let e = err(&weak);
        assert_eq!(e["field"], "password");
        assert_eq!(e["kind"], "validation");
        assert_eq!(e["sent"], false);
        assert!(e["message"].as_str().unwrap().contains("upper-case"), "{e:?}");
        let bad = s
            .call(
                "konverte_contacts_create",
                json!({"account_id": 1, "inbox_id": 1, "name": "Ada", "custom_attributes": "[1, 2]"}),
            )
            .await;
        assert_eq!(err(&bad)["field"], "custom_attributes");
        let missing = s
            .call("konverte_contacts_get", json!({"contact_id": 1}))
            .await;
        assert_eq!(err(&missing)["field"], "account_id");
        let limit = s
            .call("konverte_contacts_list", json!({"account_id": 1, "limit": 0}))
            .await;
        assert_eq!(err(&limit)["field"], "limit");
        assert_eq!(sb.requests(), before, "nothing was sent");

        let absent = s
            .call("konverte_contacts_get", json!({"account_id": 1, "contact_id": 987654}))
            .await;
        let e = err(&absent);
        assert_eq!(e["status"], 404);
        assert_eq!(e["sent"], true);
        assert!(!e["message"].as_str().unwrap_or_default().is_empty());
        assert!(sb.requests() > before);
        assert_no_secret(&s.close().await);

        // The catalog's run_action goes the same way.
        let mut c = sb.session(&[]).await;
        let before = sb.requests();
        let bad = c
            .call(
                "run_action",
                json!({"action": "konverte.contacts.create", "input": {"account_id": 1, "name": "Ada", "custom_attributes": 7}}),
            )
            .await;
        assert_eq!(err(&bad)["field"], "custom_attributes");
        let unknown = c.call("run_action", json!({"action": "contacts.create"})).await;
        assert_eq!(err(&unknown)["field"], "action", "two backends have the id");
        assert_eq!(sb.requests(), before);
        assert_no_secret(&c.close().await);
        sb.stop().await;
    })
    .await;
}

#[tokio::test]
async fn read_only_hides_every_write() {
    within(async {
        let sb = Sandboxes::start().await;
        let reads_count = connector_konverte::ACTIONS
            .iter()
            .chain(connector_moco::ACTIONS)
            .filter(|a| reads(a))
            .count();
        assert!(reads_count < total_actions());

        let mut each = sb.session(&["--read-only", "--tools", "all"]).await;
        let tools = each.tools().await;
        assert_eq!(tools.len(), reads_count);
        for t in &tools {
            let hints = t.annotations.as_ref().unwrap();
            assert_eq!(hints.read_only_hint, Some(true), "{}", t.name);
            assert!(t.input_schema["properties"].get("dry_run").is_none());
        }
        each.close().await;

        let mut c = sb.session(&["--read-only"]).await;
        let tools = c.tools().await;
        let run = tools.iter().find(|t| t.name == "run_action").unwrap();
        assert_eq!(run.annotations.as_ref().unwrap().read_only_hint, Some(true));
        let found = c.call("search_actions", json!({"limit": 1000})).await;
        assert_eq!(ok(&found)["total"], reads_count);
        let before = sb.requests();
        let write = c
            .call(
                "run_action",
                json!({"action": "konverte.contacts.create", "input": {"account_id": 1, "name": "Ada"}}),
            )
            .await;
        let e = err(&write);
        assert_eq!(e["field"], "action");
        assert!(e["message"].as_str().unwrap().contains("--read-only"), "{e:?}");
        assert_eq!(sb.requests(), before);
        c.close().await;
        sb.stop().await;
    })
    .await;
}

#[tokio::test]
async fn no_token_key_or_webhook_secret_in_any_result() {
    within(async {
        let sb = Sandboxes::start().await;
        let mut s = sb.session(&["--tools", "all", "-vv"]).await;
        // Chatwoot's profile answer carries the caller's own token.
        let profile = s.call("konverte_profile_get", json!({})).await;
        assert_eq!(ok(&profile)["access_token"], "***");
        // A new agent bot comes with its access token, a MOCO web hook with its key.
        let bot = s
            .call("konverte_agent_bots_create", json!({"name": "Helper"}))
            .await;
        assert_eq!(ok(&bot)["access_token"], "***");
        let hook = s
            .call(
                "moco_web_hooks_create",
                json!({"target": "Activity", "event": "create", "hook": "https://example.com/hook"}),
            )
            .await;
        assert_eq!(ok(&hook)["signature_key"], "***");
        assert_no_secret(&s.close().await);
        sb.stop().await;
    })
    .await;
}

/// stdout is the protocol alone, even with -vv: each line a JSON-RPC message; the
/// logs go to stderr.
#[tokio::test]
async fn stdout_carries_only_the_protocol() {
    within(async {
        let sb = Sandboxes::start().await;
        let mut child = sb
            .command(&["--backend", "konverte", "--tools", "all", "-vv"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        let messages = [
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}}),
            json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
            json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "konverte_profile_get", "arguments": {}}}),
        ];
        let mut answers = Vec::new();
        for message in messages {
            let expects_answer = message.get("id").is_some();
            stdin
                .write_all(format!("{message}\n").as_bytes())
                .await
                .unwrap();
            if expects_answer {
                let line = stdout.next_line().await.unwrap().expect("an answer");
                let answer: Value = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("not JSON on stdout ({e}): {line}"));
                assert_eq!(answer["jsonrpc"], "2.0", "{line}");
                assert_eq!(answer["id"], message["id"], "{line}");
                answers.push(line);
            }
        }
        drop(stdin);
        while let Some(line) = stdout.next_line().await.unwrap() {
            let v: Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("not JSON on stdout ({e}): {line}"));
            assert_eq!(v["jsonrpc"], "2.0", "{line}");
        }
        let mut logs = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut logs)
            .await
            .unwrap();
        let status = child.wait().await.unwrap();
        assert!(status.success(), "{status:?}: {logs}");
        assert!(logs.contains("tool call"), "the call is logged on stderr: {logs}");
        assert_no_secret(&logs);
        assert_no_secret(&answers.join("\n"));
        sb.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_backend_without_credentials_is_left_out_unless_named() {
    within(async {
        let sb = Sandboxes::start().await;
        let mut cmd = sb.command(&["--tools", "all"]);
        cmd.env_remove("KONVERTE_BASE_URL")
            .env_remove("KONVERTE_API_TOKEN");
        let (transport, _) = TokioChildProcess::builder(cmd)
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let client = ().serve(transport).await.expect("the MCP handshake");
        let tools = client.list_all_tools().await.unwrap();
        assert_eq!(tools.len(), connector_moco::ACTIONS.len());
        assert!(tools.iter().all(|t| t.name.starts_with("moco_")));
        let _ = client.cancel().await;

        let mut named = sb.command(&["--backend", "konverte"]);
        named
            .env_remove("KONVERTE_BASE_URL")
            .env_remove("KONVERTE_API_TOKEN");
        let out = named.stdin(Stdio::null()).output().await.unwrap();
        assert_eq!(out.status.code(), Some(2), "{out:?}");
        assert!(out.stdout.is_empty(), "nothing but the protocol on stdout");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("KONVERTE"),
            "{out:?}"
        );
        sb.stop().await;
    })
    .await;
}

#[tokio::test]
async fn usage_errors_exit_2_before_serving() {
    within(async {
        let sb = Sandboxes::start().await;
        for (args, says) in [
            (&["--base-url", "http://127.0.0.1:1"][..], "--backend"),
            (&["--actions", "[oops"][..], "--actions"),
            (&["--actions", "nothing.matches.this"][..], "no action"),
            (
                &["--backend", "konverte", "--impersonate", "5"][..],
                "impersonat",
            ),
        ] {
            let out = sb
                .command(args)
                .stdin(Stdio::null())
                .output()
                .await
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
            assert!(stderr.contains(says), "{args:?}: {stderr}");
            assert!(out.stdout.is_empty());
        }
        sb.stop().await;
    })
    .await;
}
