//! Contract: every one of the 115 actions, executed through the public API against
//! Prism, a mock that checks each request (token header, path, query, body) against
//! the API description. Skipped, with a message, where `../shared/tools/konverte-prism`
//! is not installed.

use connector_core::{ActionSpec, Location, Pagination, ParamSpec, ParamType, RequestOptions};
use connector_konverte::{ACTIONS, Connector, Error, Konverte, Options, SecretString};
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

const PRISM: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/tools/konverte-prism"
);

/// Any token does: Prism checks that the header is there.
const TOKEN: &str = "contract-test-token";

/// Stops the Prism instance when the test ends, panics included.
struct PrismGuard {
    script: PathBuf,
    port: u16,
}

impl PrismGuard {
    fn start(script: &Path) -> (Self, String) {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let guard = PrismGuard {
            script: script.to_path_buf(),
            port,
        };
        let out = Command::new(script)
            .args(["start", &port.to_string()])
            .output()
            .expect("konverte-prism runs");
        assert!(
            out.status.success(),
            "konverte-prism start {port} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let base = stdout
            .lines()
            .rev()
            .find(|l| l.starts_with("http"))
            .unwrap_or_else(|| panic!("no base URL in {stdout:?}"))
            .trim()
            .to_owned();
        (guard, base)
    }
}

impl Drop for PrismGuard {
    fn drop(&mut self) {
        let _ = Command::new(&self.script)
            .args(["stop", &self.port.to_string()])
            .status();
    }
}

/// A value of the declared type that the API description accepts.
fn sample(ty: &ParamType) -> Value {
    match ty {
        ParamType::String | ParamType::Json => json!("sample"),
        ParamType::Integer => json!(1),
        ParamType::Number => json!(1.5),
        ParamType::Boolean => json!(true),
        ParamType::Date => json!("2024-05-01"),
        ParamType::DateTime => json!("2024-05-01T12:00:00Z"),
        ParamType::Enum { values } => json!(values[0]),
        ParamType::Object => json!({}),
        ParamType::Array { items } => json!([sample(items)]),
        ParamType::Email => json!("ada@example.com"),
        ParamType::Password => json!("S3cure!pass"),
        ParamType::File => json!({"filename": "sample.txt", "base64": "c2FtcGxl"}),
    }
}

/// Values the generic samples would get wrong, with the reason.
fn special(action: &ActionSpec, p: &ParamSpec) -> Option<Value> {
    match (action.id, p.name) {
        // We take a UUID (a string); the description types it as an integer, so digits
        // satisfy both.
        ("csat_survey.get", "conversation_uuid") => Some(json!("4242")),
        // The first message must have content.
        ("conversations.create", "message") => Some(json!({"content": "Hello"})),
        _ => None,
    }
}

/// Every declared parameter, required or not, so that Prism checks each of them.
fn full_input(action: &ActionSpec) -> Map<String, Value> {
    let mut input = Map::new();
    for p in action.params {
        let value = special(action, p).unwrap_or_else(|| sample(&p.ty));
        input.entry(p.name.to_owned()).or_insert(value);
    }
    input
}

/// The two public list actions inherit the description's global user-token scheme,
/// though the public API is checked by inbox and contact identifiers; the connector
/// sends no token there, so for Prism the header is added as a plain extra header.
fn options_for(action: &ActionSpec) -> Options {
    let builder = Options::builder().retries(0);
    if matches!(action.id, "conversations_api.list" | "messages_api.list") {
        builder.header("api_access_token", TOKEN).build()
    } else {
        builder.build()
    }
}

/// Sends the same request again outside the connector, to show Prism's verdict.
async fn explain(
    client: &Konverte,
    action: &ActionSpec,
    input: &Map<String, Value>,
    options: &Options,
) -> String {
    let Ok(req) = client.prepare(action.id, input) else {
        return String::from("(not preparable)");
    };
    let http = reqwest::Client::new();
    let mut call = http
        .request(
            req.method.as_str().parse().expect("a method"),
            req.url.as_str(),
        )
        .header("api_access_token", TOKEN);
    for (k, v) in options.headers() {
        call = call.header(k.as_str(), v.as_str());
    }
    if let Some(body) = &req.body {
        call = call.json(body);
    }
    match call.send().await {
        Ok(resp) => {
            let status = resp.status();
            let violations = resp
                .headers()
                .get("sl-violations")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            let body = resp.text().await.unwrap_or_default();
            format!(
                "{status} {} sl-violations: {violations} body: {body}",
                req.url
            )
        }
        Err(e) => format!("replay failed: {e}"),
    }
}

#[tokio::test]
async fn every_action_satisfies_the_api_description() {
    let script = Path::new(PRISM);
    if !script.exists() {
        println!("skipped: {PRISM} is not installed; the contract run needs it (and node/npm)");
        return;
    }
    let (_prism, base_url) = PrismGuard::start(script);
    let client = Konverte::builder()
        .base_url(&base_url)
        .api_token(SecretString::from(TOKEN))
        .platform_token(SecretString::from(TOKEN))
        .agent_bot_token(SecretString::from(TOKEN))
        .build()
        .expect("a client");

    let mut exercised = 0;
    let mut failures = Vec::new();
    for action in ACTIONS {
        let input = full_input(action);
        let options = options_for(action);
        exercised += 1;
        match client.execute(action.id, input.clone(), &options).await {
            Ok(_) => {}
            Err(e) => {
                let why = explain(&client, action, &input, &options).await;
                failures.push(format!(
                    "{} ({} {}): {e}\n    {why}",
                    action.id, action.method, action.path
                ));
            }
        }
    }
    println!(
        "contract: {exercised} actions exercised against Prism at {base_url}, {} failed",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} actions were refused:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(exercised, 115);
    assert_eq!(exercised, ACTIONS.len());

    // The typed API decodes Prism's examples into the models.
    let user = client
        .users()
        .update(1)
        .name("Ada")
        .password("S3cure!pass")
        .send()
        .await
        .unwrap();
    assert!(user.id.is_some());
    let me = client.profile().get().send().await.unwrap();
    assert!(me.email.is_some());
    let conversation = client.conversations().get(1, 2).send().await.unwrap();
    assert!(conversation.id.is_some());
    let bot = client.agent_bots().get(3).send().await.unwrap();
    assert!(bot.name.is_some());

    // Every paged list is declared with a page parameter Prism accepts.
    for action in ACTIONS.iter().filter(|a| a.pagination.is_paged()) {
        let Pagination::PageNumber { param, .. } = action.pagination else {
            continue;
        };
        let mut input = full_input(action);
        input.insert(param.to_owned(), json!(2));
        client
            .execute(action.id, input, &options_for(action))
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", action.id));
    }
}

#[tokio::test]
async fn bad_inputs_never_reach_prism() {
    let script = Path::new(PRISM);
    if !script.exists() {
        println!("skipped: {PRISM} is not installed");
        return;
    }
    let (_prism, base_url) = PrismGuard::start(script);
    let client = Konverte::builder()
        .base_url(&base_url)
        .platform_token(SecretString::from(TOKEN))
        .api_token(SecretString::from(TOKEN))
        .build()
        .unwrap();
    let options = Options::builder().retries(0).build();
    let cases = [
        (
            "users.update",
            json!({"id": 1, "password": "weakling"}),
            "password",
        ),
        (
            "users.create",
            json!({"name": "A", "custom_attributes": "{oops"}),
            "custom_attributes",
        ),
        ("users.get", json!({"id": "1/../2"}), "id"),
        ("reports.summary", json!({"account_id": 1}), "type"),
        (
            "conversations.toggle_priority",
            json!({"account_id": 1, "conversation_id": 1, "priority": "asap"}),
            "priority",
        ),
    ];
    for (id, input, field) in cases {
        let err: Error = client
            .execute(id, input.as_object().unwrap().clone(), &options)
            .await
            .unwrap_err();
        assert_eq!(err.field(), Some(field), "{id}: {err}");
        assert!(err.nothing_sent(), "{id}: {err}");
    }
    // The same actions with valid input pass, so the refusals above were ours.
    let ok = [
        ("users.update", json!({"id": 1, "password": "Str0ng!pass"})),
        ("users.get", json!({"id": "12"})),
        (
            "reports.summary",
            json!({"account_id": 1, "type": "account"}),
        ),
    ];
    for (id, input) in ok {
        client
            .execute(id, input.as_object().unwrap().clone(), &options)
            .await
            .unwrap_or_else(|e| panic!("{id}: {e}"));
    }
    // Prism itself refuses a request without the token, so the header check is real.
    let anonymous = Konverte::builder().base_url(&base_url).build().unwrap();
    let spec = anonymous.action("inbox_api.get").unwrap();
    assert!(spec.params.iter().all(|p| p.location == Location::Path));
    anonymous
        .execute(
            "inbox_api.get",
            json!({"inbox_identifier": "abc"})
                .as_object()
                .unwrap()
                .clone(),
            &options,
        )
        .await
        .expect("public actions need no token");
    let raw = reqwest::get(format!("{base_url}/api/v1/profile"))
        .await
        .unwrap();
    assert_eq!(raw.status().as_u16(), 401, "Prism checks the token header");
}
