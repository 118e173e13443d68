//! Messages and contacts as Chatwoot handles them: their events carry the models'
//! `webhook_data` (app/models/message.rb, contact.rb; app/listeners/webhook_listener.rb), only
//! API inboxes take incoming messages (app/builders/messages/message_builder.rb), and a new
//! message changes its conversation (app/models/message.rb: `reopen_conversation`,
//! `valid_first_reply?`, `update_waiting_since`).

mod common;

use common::hooks::{change, received, receiver};
use common::{client, send, status_json};
use connector_sandbox::{KonverteSandbox, SandboxConfig};
use reqwest::Method;
use serde_json::{Value, json};

async fn start() -> KonverteSandbox {
    KonverteSandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox")
}

/// Any answer of `method path` in account 1: its status and body.
async fn call(
    sandbox: &KonverteSandbox,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let url = format!("{}/api/v1/accounts/1{path}", sandbox.base_url());
    let token = sandbox.token().to_owned();
    status_json(
        send(
            &client(),
            method,
            &url,
            Some(("api_access_token", &token)),
            body,
        )
        .await,
    )
    .await
}

async fn post(sandbox: &KonverteSandbox, path: &str, body: Value) -> Value {
    let (status, answer) = call(sandbox, Method::POST, path, Some(body)).await;
    assert!((200..300).contains(&status), "{path}: {status} {answer}");
    answer
}

async fn get(sandbox: &KonverteSandbox, path: &str) -> Value {
    let (status, answer) = call(sandbox, Method::GET, path, None).await;
    assert_eq!(status, 200, "{path}: {answer}");
    answer
}

/// A contact of `inbox` and a conversation with it, without messages; their ids.
async fn conversation_in(sandbox: &KonverteSandbox, inbox: u64, name: &str) -> (u64, u64) {
    let contact = post(
        sandbox,
        "/contacts",
        json!({"name": name, "inbox_id": inbox}),
    )
    .await;
    let contact = contact["payload"]["contact"]["id"]
        .as_u64()
        .expect("contact id");
    let conversation = post(
        sandbox,
        "/conversations",
        json!({"inbox_id": inbox, "contact_id": contact}),
    )
    .await;
    (
        contact,
        conversation["id"].as_u64().expect("conversation id"),
    )
}

/// A web-widget inbox's id.
async fn widget_inbox(sandbox: &KonverteSandbox) -> u64 {
    let inbox = post(
        sandbox,
        "/inboxes",
        json!({"name": "Site", "channel": {"type": "web_widget", "website_url": "https://site.example"}}),
    )
    .await;
    inbox["id"].as_u64().expect("inbox id")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_event_carries_the_message_webhook_data() {
    let sandbox = start().await;
    let (url, bodies) = receiver().await;
    post(&sandbox, "/webhooks", json!({"url": url})).await;
    let (contact, id) = conversation_in(&sandbox, 1, "Ada Webhook").await;
    // An activity is not `webhook_sendable?`: the next message event is the incoming one.
    post(
        &sandbox,
        &format!("/conversations/{id}/messages"),
        json!({"content": "Ada joined", "message_type": "activity"}),
    )
    .await;
    post(
        &sandbox,
        &format!("/conversations/{id}/messages"),
        json!({"content": "hello", "message_type": "incoming"}),
    )
    .await;
    let message = received(&bodies, |b| b["event"] == "message_created").await;
    assert_eq!(message["content"], "hello", "{message}");
    assert_eq!(message["message_type"], "incoming", "{message}");
    assert_eq!(message["conversation"]["id"], id, "{message}");
    assert_eq!(
        message["conversation"]["channel"], "Channel::Api",
        "{message}"
    );
    assert_eq!(message["inbox"]["id"], 1, "{message}");
    assert!(message["inbox"]["name"].is_string(), "{message}");
    assert_eq!(message["account"]["id"], 1, "{message}");
    assert_eq!(message["private"], false, "{message}");
    assert_eq!(message["content_attributes"], json!({}), "{message}");
    assert_eq!(message["additional_attributes"], json!({}), "{message}");
    assert!(message.get("attachments").is_none(), "{message}");
    assert!(message.get("conversation_id").is_none(), "{message}");
    // A Rails time, not Unix seconds.
    let created_at = message["created_at"].as_str().expect("a time");
    assert!(
        chrono::DateTime::parse_from_rfc3339(created_at).is_ok(),
        "{created_at}"
    );
    // The contact's webhook_data: no `type`, its account and avatar.
    let sender = &message["sender"];
    assert_eq!(sender["id"], contact, "{sender}");
    assert_eq!(sender["name"], "Ada Webhook", "{sender}");
    assert_eq!(sender["account"]["id"], 1, "{sender}");
    assert!(
        sender.get("avatar").is_some() && sender.get("type").is_none(),
        "{sender}"
    );
    // The conversation's contact inbox, as the row renders: with its id and times.
    let contact_inbox = &message["conversation"]["contact_inbox"];
    assert!(
        contact_inbox["id"].as_u64().is_some_and(|i| i > 0),
        "{contact_inbox}"
    );
    assert!(contact_inbox["created_at"].is_string(), "{contact_inbox}");
    // The message list's meta: the conversation's labels, contact and last-seen times.
    let list = get(&sandbox, &format!("/conversations/{id}/messages")).await;
    assert_eq!(list["meta"]["contact"]["id"], contact, "{list}");
    assert_eq!(list["meta"]["contact"]["type"], "contact", "{list}");
    assert_eq!(list["meta"]["labels"], json!([]), "{list}");
    assert!(list["meta"].get("assignee").is_none(), "{list}");
    assert_eq!(list["meta"]["agent_last_seen_at"], Value::Null, "{list}");
    let events: Vec<Value> = bodies.lock().expect("bodies").clone();
    assert!(
        !events
            .iter()
            .any(|b| b["event"] == "message_created" && b["message_type"] == "activity"),
        "{events:?}"
    );

    post(
        &sandbox,
        &format!("/conversations/{id}/messages"),
        json!({"content": "hi Ada", "message_type": "outgoing"}),
    )
    .await;
    let reply = received(&bodies, |b| {
        b["event"] == "message_created" && b["content"] == "hi Ada"
    })
    .await;
    assert_eq!(reply["sender"]["type"], "user", "{reply}");
    assert!(reply["sender"]["email"].is_string(), "{reply}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contact_events_carry_its_webhook_data_and_what_changed() {
    let sandbox = start().await;
    let (url, bodies) = receiver().await;
    post(&sandbox, "/webhooks", json!({"url": url})).await;
    let contact = post(
        &sandbox,
        "/contacts",
        json!({"name": "Grace", "email": "grace@example.test", "custom_attributes": {"plan": "pro"}}),
    )
    .await;
    let id = contact["payload"]["contact"]["id"]
        .as_u64()
        .expect("contact id");
    let created = received(&bodies, |b| b["event"] == "contact_created").await;
    assert_eq!(created["id"], id, "{created}");
    assert_eq!(created["email"], "grace@example.test", "{created}");
    assert_eq!(
        created["custom_attributes"],
        json!({"plan": "pro"}),
        "{created}"
    );
    assert_eq!(
        created["account"],
        json!({"id": 1, "name": created["account"]["name"]}),
        "{created}"
    );
    assert_eq!(created["avatar"], created["thumbnail"], "{created}");
    assert!(created.get("changed_attributes").is_none(), "{created}");

    // An update that changes nothing raises nothing: the first contact_updated is the rename.
    let path = format!("/contacts/{id}");
    let (status, _) = call(&sandbox, Method::PUT, &path, Some(json!({"name": "Grace"}))).await;
    assert_eq!(status, 200);
    let (status, _) = call(
        &sandbox,
        Method::PUT,
        &path,
        Some(json!({"name": "Grace Hopper"})),
    )
    .await;
    assert_eq!(status, 200);
    let updated = received(&bodies, |b| b["event"] == "contact_updated").await;
    assert_eq!(updated["name"], "Grace Hopper", "{updated}");
    assert_eq!(
        change(&updated, "name"),
        Some(&json!({"previous_value": "Grace", "current_value": "Grace Hopper"})),
        "{updated}"
    );
    assert!(change(&updated, "email").is_none(), "{updated}");
    let count = bodies
        .lock()
        .expect("bodies")
        .iter()
        .filter(|b| b["event"] == "contact_updated")
        .count();
    assert_eq!(count, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_api_inboxes_take_incoming_messages() {
    let sandbox = start().await;
    let inbox = widget_inbox(&sandbox).await;
    let (contact, id) = conversation_in(&sandbox, inbox, "Widget Visitor").await;
    let path = format!("/conversations/{id}/messages");
    let (status, answer) = call(
        &sandbox,
        Method::POST,
        &path,
        Some(json!({"content": "from the widget", "message_type": "incoming"})),
    )
    .await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(
        answer["error"],
        "Incoming messages are only allowed in Api inboxes"
    );
    let messages = get(&sandbox, &path).await;
    assert_eq!(messages["payload"], json!([]), "{messages}");
    // An agent's reply is fine.
    post(&sandbox, &path, json!({"content": "hello visitor"})).await;

    // In a new conversation's first message the builder raises inside the transaction,
    // which nothing rescues: a 500, and no conversation is kept.
    let before =
        get(&sandbox, "/conversations?status=all").await["data"]["meta"]["all_count"].clone();
    let (status, answer) = call(
        &sandbox,
        Method::POST,
        "/conversations",
        Some(json!({"inbox_id": inbox, "contact_id": contact, "message": {"content": "hi", "message_type": "incoming"}})),
    )
    .await;
    assert_eq!(status, 500, "{answer}");
    let after =
        get(&sandbox, "/conversations?status=all").await["data"]["meta"]["all_count"].clone();
    assert_eq!(before, after);

    // In an API inbox the first message may be the contact's.
    let (api_contact, _) = conversation_in(&sandbox, 1, "Api Contact").await;
    let created = post(
        &sandbox,
        "/conversations",
        json!({"inbox_id": 1, "contact_id": api_contact, "message": {"content": "hi", "message_type": "incoming"}}),
    )
    .await;
    let id = created["id"].as_u64().expect("id");
    let messages = get(&sandbox, &format!("/conversations/{id}/messages")).await;
    assert_eq!(
        messages["payload"][0]["message_type"], "incoming",
        "{messages}"
    );
    assert_eq!(
        messages["payload"][0]["sender"]["type"], "contact",
        "{messages}"
    );
}

/// Conversation `id` resolved, then an incoming message `content` in it; the conversation.
async fn resolved_then_written_to(sandbox: &KonverteSandbox, id: u64, content: &str) -> Value {
    let path = format!("/conversations/{id}");
    post(
        sandbox,
        &format!("{path}/toggle_status"),
        json!({"status": "resolved"}),
    )
    .await;
    post(
        sandbox,
        &format!("{path}/messages"),
        json!({"content": content, "message_type": "incoming"}),
    )
    .await;
    get(sandbox, &path).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incoming_message_reopens_and_the_first_reply_is_kept() {
    let sandbox = start().await;
    let (url, bodies) = receiver().await;
    post(&sandbox, "/webhooks", json!({"url": url})).await;
    let (_, id) = conversation_in(&sandbox, 1, "Reopening Rita").await;
    let messages = format!("/conversations/{id}/messages");
    let conversation = get(&sandbox, &format!("/conversations/{id}")).await;
    assert_eq!(
        conversation["first_reply_created_at"],
        Value::Null,
        "{conversation}"
    );
    assert!(
        conversation["waiting_since"]
            .as_i64()
            .is_some_and(|w| w > 0),
        "{conversation}"
    );

    // The first public reply of an agent: first_reply_created_at set, waiting_since cleared.
    post(&sandbox, &messages, json!({"content": "how can we help?"})).await;
    let conversation = get(&sandbox, &format!("/conversations/{id}")).await;
    assert!(
        conversation["first_reply_created_at"]
            .as_i64()
            .is_some_and(|t| t > 0),
        "{conversation}"
    );
    assert_eq!(conversation["waiting_since"], Value::Null, "{conversation}");
    let update = received(&bodies, |b| {
        b["event"] == "conversation_updated"
            && b["id"] == id
            && change(b, "first_reply_created_at").is_some()
    })
    .await;
    let first = change(&update, "first_reply_created_at").expect("the change");
    assert_eq!(first["previous_value"], Value::Null, "{update}");
    assert!(first["current_value"].is_string(), "{update}");
    assert!(update["first_reply_created_at"].is_string(), "{update}");

    let conversation = resolved_then_written_to(&sandbox, id, "one more thing").await;
    assert_eq!(conversation["status"], "open", "{conversation}");
    assert!(
        conversation["waiting_since"]
            .as_i64()
            .is_some_and(|w| w > 0),
        "{conversation}"
    );
    // webhook_listener.rb has no conversation_opened (only agent bots get it).
    received(&bodies, |b| {
        b["event"] == "conversation_status_changed" && b["id"] == id && b["status"] == "open"
    })
    .await;

    // With a bot on the inbox, a resolved conversation goes back to the bot: pending.
    let bot = post(
        &sandbox,
        "/agent_bots",
        json!({"name": "Triage", "outgoing_url": "http://127.0.0.1:9/bot"}),
    )
    .await;
    post(
        &sandbox,
        "/inboxes/1/set_agent_bot",
        json!({"agent_bot": bot["id"]}),
    )
    .await;
    let conversation = resolved_then_written_to(&sandbox, id, "still there?").await;
    assert_eq!(conversation["status"], "pending", "{conversation}");
}

/// A new agent of account 1 in inbox 1; its id.
async fn agent(sandbox: &KonverteSandbox, name: &str, online: bool) -> u64 {
    let email = format!("{}@team.example", name.to_lowercase());
    let availability = if online { "available" } else { "busy" };
    let agent = post(
        sandbox,
        "/agents",
        json!({"name": name, "email": email, "role": "agent", "availability_status": availability, "auto_offline": false}),
    )
    .await;
    let id = agent["id"].as_u64().expect("agent id");
    post(
        sandbox,
        "/inbox_members",
        json!({"inbox_id": 1, "user_ids": [id]}),
    )
    .await;
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_team_that_auto_assigns_gives_the_conversation_to_its_online_members_in_turn() {
    let sandbox = start().await;
    let (ana, ben, cy) = (
        agent(&sandbox, "Ana", true).await,
        agent(&sandbox, "Ben", true).await,
        agent(&sandbox, "Cy", false).await,
    );
    let team = post(&sandbox, "/teams", json!({"name": "Rota"})).await;
    let team = team["id"].as_u64().expect("team id");
    post(
        &sandbox,
        &format!("/teams/{team}/team_members"),
        json!({"user_ids": [ana, ben, cy]}),
    )
    .await;
    let mut assigned = Vec::new();
    for n in 0..3 {
        let (_, id) = conversation_in(&sandbox, 1, &format!("Rota {n}")).await;
        post(
            &sandbox,
            &format!("/conversations/{id}/assignments"),
            json!({"team_id": team}),
        )
        .await;
        let conversation = get(&sandbox, &format!("/conversations/{id}")).await;
        assigned.push(conversation["assignee_id"].as_u64().expect("an assignee"));
    }
    // Cy is busy: Ana and Ben in turn.
    assert_eq!(assigned, vec![ana, ben, ana]);

    // Created with the team and an assignee from outside it: the team's member instead.
    let (contact, _) = conversation_in(&sandbox, 1, "Outsider").await;
    let created = post(
        &sandbox,
        "/conversations",
        json!({"inbox_id": 1, "contact_id": contact, "team_id": team, "assignee_id": 1}),
    )
    .await;
    let conversation = get(&sandbox, &format!("/conversations/{}", created["id"])).await;
    assert_eq!(conversation["assignee_id"], ben, "{conversation}");

    // A team that does not auto-assign leaves it unassigned.
    let quiet = post(
        &sandbox,
        "/teams",
        json!({"name": "Quiet", "allow_auto_assign": false}),
    )
    .await;
    let quiet = quiet["id"].as_u64().expect("team id");
    post(
        &sandbox,
        &format!("/teams/{quiet}/team_members"),
        json!({"user_ids": [ana]}),
    )
    .await;
    let (_, id) = conversation_in(&sandbox, 1, "Quiet One").await;
    post(
        &sandbox,
        &format!("/conversations/{id}/assignments"),
        json!({"team_id": quiet}),
    )
    .await;
    let conversation = get(&sandbox, &format!("/conversations/{id}")).await;
    assert_eq!(conversation["assignee_id"], Value::Null, "{conversation}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inbox_events_carry_the_presenter_data_and_what_changed() {
    let sandbox = start().await;
    let (url, bodies) = receiver().await;
    post(&sandbox, "/webhooks", json!({"url": url})).await;
    let inbox = widget_inbox(&sandbox).await;
    let created = received(&bodies, |b| b["event"] == "inbox_created").await;
    assert_eq!(
        created["channel"]["website_url"], "https://site.example",
        "{created}"
    );
    assert_eq!(created["account"]["id"], 1, "{created}");
    assert!(created.get("enable_auto_assignment").is_some(), "{created}");
    assert!(created.get("changed_attributes").is_none(), "{created}");

    let path = format!("/inboxes/{inbox}");
    // A channel attribute is the channel's, not the inbox's: no inbox_updated for it.
    let (status, _) = call(
        &sandbox,
        Method::PATCH,
        &path,
        Some(json!({"channel": {"widget_color": "#000000"}})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = call(
        &sandbox,
        Method::PATCH,
        &path,
        Some(json!({"name": "Website"})),
    )
    .await;
    assert_eq!(status, 200);
    let updated = received(&bodies, |b| b["event"] == "inbox_updated").await;
    assert_eq!(
        change(&updated, "name"),
        Some(&json!({"previous_value": "Site", "current_value": "Website"})),
        "{updated}"
    );
    let count = bodies
        .lock()
        .expect("bodies")
        .iter()
        .filter(|b| b["event"] == "inbox_updated")
        .count();
    assert_eq!(count, 1);
}
