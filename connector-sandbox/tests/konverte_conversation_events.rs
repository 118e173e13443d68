//! Conversation events delivered as Chatwoot delivers them (app/listeners/webhook_listener.rb,
//! app/listeners/agent_bot_listener.rb, app/models/conversation.rb): the status change with
//! `webhook_data` and a null `changed_attributes`, `conversation_updated` with every change
//! for assignments, labels, custom attributes and priority, typing events, and agent bots
//! assigned to a conversation getting its events next to the inbox's bot.

mod common;

use common::hooks::{change, received, receiver};
use common::{client, send, status_json};
use connector_sandbox::{KonverteSandbox, SandboxConfig};
use reqwest::Method;
use serde_json::{Value, json};

/// An `event` about conversation `id` that changed `attribute`.
fn updated(body: &Value, id: u64, attribute: &str) -> bool {
    body["event"] == "conversation_updated" && body["id"] == id && change(body, attribute).is_some()
}

async fn call(sandbox: &KonverteSandbox, method: Method, path: &str, body: Value) -> Value {
    let url = format!("{}/api/v1/accounts/1{path}", sandbox.base_url());
    let token = sandbox.token().to_owned();
    let (status, answer) = status_json(
        send(
            &client(),
            method,
            &url,
            Some(("api_access_token", &token)),
            Some(body),
        )
        .await,
    )
    .await;
    assert!((200..300).contains(&status), "{path}: {status} {answer}");
    answer
}

async fn post(sandbox: &KonverteSandbox, path: &str, body: Value) -> Value {
    call(sandbox, Method::POST, path, body).await
}

/// A new conversation of inbox 1 with one incoming message; its id.
async fn conversation(sandbox: &KonverteSandbox) -> u64 {
    let contact = post(sandbox, "/contacts", json!({"name": "Eve", "inbox_id": 1})).await;
    let conversation = post(
        sandbox,
        "/conversations",
        json!({"inbox_id": 1, "contact_id": contact["payload"]["contact"]["id"]}),
    )
    .await;
    let id = conversation["id"].as_u64().expect("conversation id");
    post(
        sandbox,
        &format!("/conversations/{id}/messages"),
        json!({"content": "hello", "message_type": "incoming"}),
    )
    .await;
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_changes_and_updates_reach_an_account_webhook_as_chatwoot_sends_them() {
    let sandbox = KonverteSandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    let (url, bodies) = receiver().await;
    post(&sandbox, "/webhooks", json!({"url": url})).await;
    let id = conversation(&sandbox).await;

    let created = received(&bodies, |b| b["event"] == "conversation_created").await;
    assert_eq!(created["id"], id, "{created}");
    assert_eq!(created["channel"], "Channel::Api", "{created}");
    assert_eq!(created["account"]["id"], 1, "{created}");
    assert!(created.get("changed_attributes").is_none(), "{created}");

    post(
        &sandbox,
        &format!("/conversations/{id}/toggle_status"),
        json!({"status": "snoozed", "snoozed_until": 1_900_000_000}),
    )
    .await;
    let status = received(&bodies, |b| {
        b["event"] == "conversation_status_changed" && b["status"] == "snoozed"
    })
    .await;
    // notify_status_change passes `status_change`, nil after the commit.
    assert_eq!(status["changed_attributes"], Value::Null, "{status}");
    assert!(status.get("changed_attributes").is_some(), "{status}");
    assert_eq!(status["id"], id, "{status}");
    assert_eq!(
        status["snoozed_until"], "2030-03-17T17:46:40.000Z",
        "{status}"
    );
    assert_eq!(status["meta"]["sender"]["name"], "Eve", "{status}");
    assert_eq!(status["messages"][0]["content"], "hello", "{status}");
    assert_eq!(status["messages"][0]["message_type"], 0, "{status}");
    assert!(status["updated_at"].is_f64(), "{status}");
    let update = received(&bodies, |b| updated(b, id, "status")).await;
    assert_eq!(
        change(&update, "status"),
        Some(&json!({"previous_value": "open", "current_value": "snoozed"})),
        "{update}"
    );
    assert_eq!(
        change(&update, "snoozed_until"),
        Some(&json!({"previous_value": null, "current_value": "2030-03-17T17:46:40.000Z"})),
        "{update}"
    );
    assert!(change(&update, "updated_at").is_some(), "{update}");

    // Without a status the toggle reopens a snoozed conversation (and clears snoozed_until).
    let toggled = post(
        &sandbox,
        &format!("/conversations/{id}/toggle_status"),
        json!({}),
    )
    .await;
    assert_eq!(toggled["payload"]["current_status"], "open", "{toggled}");
    assert_eq!(
        toggled["payload"]["snoozed_until"],
        Value::Null,
        "{toggled}"
    );
    received(&bodies, |b| {
        updated(b, id, "status") && change(b, "status").unwrap()["current_value"] == "open"
    })
    .await;

    post(
        &sandbox,
        &format!("/conversations/{id}/assignments"),
        json!({"assignee_id": 1}),
    )
    .await;
    let assigned = received(&bodies, |b| updated(b, id, "assignee_id")).await;
    assert_eq!(
        change(&assigned, "assignee_id"),
        Some(&json!({"previous_value": null, "current_value": 1})),
        "{assigned}"
    );
    assert_eq!(assigned["meta"]["assignee"]["id"], 1, "{assigned}");
    assert_eq!(assigned["meta"]["assignee_type"], "User", "{assigned}");

    post(
        &sandbox,
        &format!("/conversations/{id}/labels"),
        json!({"labels": ["vip", "billing"]}),
    )
    .await;
    let labelled = received(&bodies, |b| updated(b, id, "label_list")).await;
    assert_eq!(
        change(&labelled, "label_list"),
        Some(&json!({"previous_value": [], "current_value": ["vip", "billing"]})),
        "{labelled}"
    );
    assert_eq!(labelled["labels"], json!(["vip", "billing"]), "{labelled}");

    post(
        &sandbox,
        &format!("/conversations/{id}/custom_attributes"),
        json!({"custom_attributes": {"plan": "gold"}}),
    )
    .await;
    let custom = received(&bodies, |b| updated(b, id, "custom_attributes")).await;
    assert_eq!(
        change(&custom, "custom_attributes"),
        Some(&json!({"previous_value": {}, "current_value": {"plan": "gold"}})),
        "{custom}"
    );

    call(
        &sandbox,
        Method::PATCH,
        &format!("/conversations/{id}"),
        json!({"priority": "high"}),
    )
    .await;
    let priority = received(&bodies, |b| updated(b, id, "priority")).await;
    assert_eq!(
        change(&priority, "priority"),
        Some(&json!({"previous_value": null, "current_value": "high"})),
        "{priority}"
    );
    assert_eq!(priority["priority"], "high", "{priority}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typing_is_delivered_with_the_user_and_the_conversation() {
    let sandbox = KonverteSandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    let (url, bodies) = receiver().await;
    post(
        &sandbox,
        "/webhooks",
        json!({"url": url, "subscriptions": ["conversation_typing_on", "conversation_typing_off"]}),
    )
    .await;
    let id = conversation(&sandbox).await;
    post(
        &sandbox,
        &format!("/conversations/{id}/toggle_typing_status"),
        json!({"typing_status": "on", "is_private": true}),
    )
    .await;
    let on = received(&bodies, |b| b["event"] == "conversation_typing_on").await;
    assert_eq!(on["user"]["id"], 1, "{on}");
    assert_eq!(on["user"]["type"], "user", "{on}");
    assert_eq!(on["conversation"]["id"], id, "{on}");
    assert_eq!(on["is_private"], true, "{on}");
    post(
        &sandbox,
        &format!("/conversations/{id}/toggle_typing_status"),
        json!({"typing_status": "off"}),
    )
    .await;
    let off = received(&bodies, |b| b["event"] == "conversation_typing_off").await;
    assert_eq!(off["is_private"], false, "{off}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_bot_assigned_to_a_conversation_gets_its_events_as_does_the_inbox_bot() {
    let sandbox = KonverteSandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    let (assigned_url, assigned_bodies) = receiver().await;
    let (inbox_url, inbox_bodies) = receiver().await;
    let assigned = post(
        &sandbox,
        "/agent_bots",
        json!({"name": "Triage", "outgoing_url": assigned_url}),
    )
    .await;
    let inbox_bot = post(
        &sandbox,
        "/agent_bots",
        json!({"name": "Inbox", "outgoing_url": inbox_url}),
    )
    .await;
    post(
        &sandbox,
        "/inboxes/1/set_agent_bot",
        json!({"agent_bot": inbox_bot["id"]}),
    )
    .await;
    let id = conversation(&sandbox).await;
    let answer = post(
        &sandbox,
        &format!("/conversations/{id}/assignments"),
        json!({"assignee_id": assigned["id"], "assignee_type": "AgentBot"}),
    )
    .await;
    assert_eq!(answer["id"], assigned["id"], "{answer}");
    assert_eq!(answer["name"], "Triage", "{answer}");

    for bodies in [&assigned_bodies, &inbox_bodies] {
        let update = received(bodies, |b| updated(b, id, "assignee_agent_bot_id")).await;
        assert_eq!(
            change(&update, "assignee_agent_bot_id"),
            Some(&json!({"previous_value": null, "current_value": assigned["id"]})),
            "{update}"
        );
        assert_eq!(update["meta"]["assignee_type"], "AgentBot", "{update}");
        assert_eq!(update["meta"]["assignee"]["type"], "agent_bot", "{update}");
    }
    post(
        &sandbox,
        &format!("/conversations/{id}/messages"),
        json!({"content": "for the bots", "message_type": "incoming"}),
    )
    .await;
    for bodies in [&assigned_bodies, &inbox_bodies] {
        received(bodies, |b| {
            b["event"] == "message_created" && b["content"] == "for the bots"
        })
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_through_the_public_api_reaches_the_account_webhook() {
    let sandbox = KonverteSandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    let (url, bodies) = receiver().await;
    post(&sandbox, "/webhooks", json!({"url": url})).await;
    let public = format!(
        "{}/public/api/v1/inboxes/sandbox-inbox-identifier",
        sandbox.base_url()
    );
    let public_post = |path: String, body: Value| {
        let url = format!("{public}{path}");
        async move {
            let (status, answer) =
                status_json(send(&client(), Method::POST, &url, None, Some(body)).await).await;
            assert_eq!(status, 200, "{url}: {answer}");
            answer
        }
    };
    let contact = public_post("/contacts".into(), json!({"name": "Pia Public"})).await;
    let source = contact["source_id"]
        .as_str()
        .expect("a source id")
        .to_owned();
    let conversation = public_post(format!("/contacts/{source}/conversations"), json!({})).await;
    let id = conversation["id"].as_u64().expect("conversation id");
    let created = received(&bodies, |b| b["event"] == "conversation_created").await;
    assert_eq!(created["id"], id, "{created}");
    public_post(
        format!("/contacts/{source}/conversations/{id}/messages"),
        json!({"content": "from the widget"}),
    )
    .await;
    let message = received(&bodies, |b| b["event"] == "message_created").await;
    assert_eq!(message["content"], "from the widget", "{message}");
    assert_eq!(message["account"]["id"], 1, "{message}");
}
