//! Konverte deliveries from the sandbox (an account webhook, an agent bot's `outgoing_url`, an
//! API-channel inbox's `webhook_url`), each signed with its receiver's secret as Chatwoot signs
//! them, reach `connector konverte webhooks listen`, which verifies and prints them; one signed
//! with another secret is refused.

use connector_sandbox::{KonverteSandbox, SandboxConfig};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("an address").port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_created_message_is_delivered_signed_and_verified_by_the_listener() {
    let sandbox = KonverteSandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    let api = format!("{}/api/v1/accounts/1", sandbox.base_url());
    let client = reqwest::Client::new();
    let post = |path: &str, body: Value| {
        client
            .post(format!("{api}{path}"))
            .header("api_access_token", sandbox.token())
            .json(&body)
            .send()
    };
    let port = free_port();
    let hook: Value = post(
        "/webhooks",
        json!({"url": format!("http://127.0.0.1:{port}/hook"), "subscriptions": ["message_created"]}),
    )
    .await
    .expect("webhook created")
    .json()
    .await
    .expect("json");
    let secret = hook["payload"]["webhook"]["secret"]
        .as_str()
        .expect("the webhook's secret");
    let dir = tempfile::tempdir().expect("a directory");
    let secret_file = dir.path().join("secret");
    std::fs::write(&secret_file, secret).expect("secret written");

    let mut listener = Command::new(assert_cmd::cargo::cargo_bin("connector"))
        .env_clear()
        .env("HOME", dir.path())
        .env("NO_COLOR", "1")
        .args([
            "konverte",
            "webhooks",
            "listen",
            "--port",
            &port.to_string(),
            "--secret-file",
        ])
        .arg(&secret_file)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the listener starts");
    let mut stderr = BufReader::new(listener.stderr.take().expect("stderr"));
    let mut line = String::new();
    stderr.read_line(&mut line).expect("the listener reports");
    assert!(line.contains("listening"), "{line}");
    let (lines, received) = mpsc::channel();
    let stdout = listener.stdout.take().expect("stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });

    let contact: Value = post("/contacts", json!({"name": "Ada Hook", "inbox_id": 1}))
        .await
        .expect("contact")
        .json()
        .await
        .expect("json");
    let contact_id = contact["payload"]["contact"]["id"]
        .as_u64()
        .expect("contact id");
    let source_id = contact["payload"]["contact_inbox"]["source_id"].clone();
    let conversation: Value = post(
        "/conversations",
        json!({"contact_id": contact_id, "inbox_id": 1, "source_id": source_id}),
    )
    .await
    .expect("conversation")
    .json()
    .await
    .expect("json");
    let conversation_id = conversation["id"]
        .as_u64()
        .unwrap_or_else(|| panic!("no conversation id in {conversation}"));
    let message = post(
        &format!("/conversations/{conversation_id}/messages"),
        json!({"content": "hello from the sandbox", "message_type": "outgoing"}),
    )
    .await
    .expect("message");
    assert!(message.status().is_success());

    let printed =
        tokio::task::spawn_blocking(move || received.recv_timeout(Duration::from_secs(30)))
            .await
            .expect("joined")
            .expect("the listener printed the verified delivery");
    let _ = listener.kill();
    let _ = listener.wait();
    let event: Value = serde_json::from_str(&printed).expect("a JSON line");
    assert_eq!(event["event"], "message_created", "{event}");
    assert_eq!(
        event["payload"]["content"], "hello from the sandbox",
        "{event}"
    );
    assert_eq!(
        event["payload"]["conversation"]["id"],
        json!(conversation_id),
        "{event}"
    );
    assert!(
        event["delivery_id"].as_str().is_some_and(|d| !d.is_empty()),
        "{event}"
    );
}

fn hook_url(port: u16) -> String {
    format!("http://127.0.0.1:{port}/hook")
}

/// `connector konverte webhooks listen` on a free port with `secret`, its printed lines
/// arriving on a channel; killed on drop.
struct Listener {
    child: std::process::Child,
    lines: mpsc::Receiver<String>,
    url: String,
    _dir: tempfile::TempDir,
}

impl Listener {
    fn start(secret: &str) -> Self {
        Self::start_at(free_port(), secret)
    }

    fn start_at(port: u16, secret: &str) -> Self {
        let dir = tempfile::tempdir().expect("a directory");
        let secret_file = dir.path().join("secret");
        std::fs::write(&secret_file, secret).expect("secret written");
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("connector"))
            .env_clear()
            .env("HOME", dir.path())
            .env("NO_COLOR", "1")
            .args([
                "konverte",
                "webhooks",
                "listen",
                "--port",
                &port.to_string(),
            ])
            .arg("--secret-file")
            .arg(&secret_file)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the listener starts");
        let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
        let mut line = String::new();
        stderr.read_line(&mut line).expect("the listener reports");
        assert!(line.contains("listening"), "{line}");
        std::thread::spawn(move || for _ in stderr.lines().map_while(Result::ok) {});
        let (send, lines) = mpsc::channel();
        let stdout = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            lines,
            url: hook_url(port),
            _dir: dir,
        }
    }

    /// The next verified event the listener printed (waits up to 30 s).
    async fn next_event(&self) -> Value {
        let line = tokio::task::block_in_place(|| self.lines.recv_timeout(Duration::from_secs(30)))
            .expect("the listener printed a verified delivery");
        serde_json::from_str(&line).expect("a JSON line")
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Account 1 of a sandbox, over HTTP.
struct Account {
    sandbox: KonverteSandbox,
    http: reqwest::Client,
}

impl Account {
    async fn start() -> Self {
        let sandbox = KonverteSandbox::start(SandboxConfig::default())
            .await
            .expect("sandbox");
        Self {
            sandbox,
            http: reqwest::Client::new(),
        }
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        let url = format!("{}/api/v1/accounts/1{path}", self.sandbox.base_url());
        let response = self
            .http
            .post(url)
            .header("api_access_token", self.sandbox.token())
            .json(&body)
            .send()
            .await
            .expect("the sandbox answers");
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        response.json().await.unwrap_or(Value::Null)
    }

    /// An agent bot posting to `url`, set as inbox 1's bot; returns its secret.
    async fn bot_on_inbox_1(&self, url: &str) -> String {
        let bot = self
            .post(
                "/agent_bots",
                json!({"name": "Hook Bot", "outgoing_url": url}),
            )
            .await;
        self.post("/inboxes/1/set_agent_bot", json!({"agent_bot": bot["id"]}))
            .await;
        bot["secret"].as_str().expect("the bot's secret").to_owned()
    }

    /// A contact and a conversation in `inbox`, then a message; returns the conversation id.
    async fn converse(&self, inbox: &Value, content: &str) -> u64 {
        let contact = self
            .post("/contacts", json!({"name": "Ada Hook", "inbox_id": inbox}))
            .await;
        let conversation = self
            .post(
                "/conversations",
                json!({"contact_id": contact["payload"]["contact"]["id"], "inbox_id": inbox}),
            )
            .await;
        let id = conversation["id"].as_u64().expect("conversation id");
        self.post(
            &format!("/conversations/{id}/messages"),
            json!({"content": content, "message_type": "incoming"}),
        )
        .await;
        id
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_bot_gets_its_events_signed_with_its_secret() {
    let account = Account::start().await;
    let port = free_port();
    let url = hook_url(port);
    let secret = account.bot_on_inbox_1(&url).await;
    let listener = Listener::start_at(port, &secret);
    let conversation = account.converse(&json!(1), "hello bot").await;
    let event = listener.next_event().await;
    assert_eq!(event["event"], "message_created", "{event}");
    assert_eq!(event["payload"]["content"], "hello bot", "{event}");
    assert_eq!(
        event["payload"]["conversation"]["id"], conversation,
        "{event}"
    );

    account
        .post(
            &format!("/conversations/{conversation}/toggle_status"),
            json!({"status": "resolved"}),
        )
        .await;
    // agent_bot_listener.rb: conversation_resolved, conversation_status_changed and (the
    // status is one of conversation.rb's list_of_keys) conversation_updated.
    let mut events = vec![
        listener.next_event().await,
        listener.next_event().await,
        listener.next_event().await,
    ];
    events.sort_by_key(|e| e["event"].as_str().map(str::to_owned));
    let names: Vec<&Value> = events.iter().map(|e| &e["event"]).collect();
    assert_eq!(
        names,
        [
            "conversation_resolved",
            "conversation_status_changed",
            "conversation_updated"
        ],
        "{events:?}"
    );
    assert_eq!(events[1]["payload"]["status"], "resolved", "{events:?}");
    assert_eq!(
        events[2]["payload"]["changed_attributes"][0]["status"],
        json!({"previous_value": "open", "current_value": "resolved"}),
        "{events:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_inbox_gets_its_events_signed_with_the_channel_secret() {
    let account = Account::start().await;
    let port = free_port();
    let url = hook_url(port);
    let inbox = account
        .post(
            "/inboxes",
            json!({"name": "API", "channel": {"type": "api", "webhook_url": url}}),
        )
        .await;
    assert_eq!(inbox["webhook_url"], json!(url), "{inbox}");
    let secret = inbox["secret"].as_str().expect("the channel's secret");
    let listener = Listener::start_at(port, secret);
    let conversation = account.converse(&inbox["id"], "hello inbox").await;
    let created = listener.next_event().await;
    assert_eq!(created["event"], "conversation_created", "{created}");
    assert_eq!(created["payload"]["id"], conversation, "{created}");
    let message = listener.next_event().await;
    assert_eq!(message["event"], "message_created", "{message}");
    assert_eq!(message["payload"]["content"], "hello inbox", "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_signed_with_another_secret_is_refused() {
    let account = Account::start().await;
    let listener = Listener::start("not-the-bot-secret");
    let secret = account.bot_on_inbox_1(&listener.url).await;
    assert_ne!(secret, "not-the-bot-secret");
    account.converse(&json!(1), "hello stranger").await;
    let mut delivered = None;
    for _ in 0..300 {
        delivered = account
            .sandbox
            .webhook_deliveries()
            .into_iter()
            .find(|d| d.url == listener.url);
        if delivered.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let delivered = delivered.expect("the sandbox made the delivery");
    assert_eq!(delivered.event, "message_created");
    assert_eq!(
        delivered.receiver,
        connector_sandbox::WebhookReceiver::AgentBot
    );
    assert_eq!(
        (delivered.status, delivered.attempts),
        (Some(401), 1),
        "a 401 is not retried"
    );
    assert!(
        listener.lines.try_recv().is_err(),
        "the listener printed a delivery it could not verify"
    );
}
