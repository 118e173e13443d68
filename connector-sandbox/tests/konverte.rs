//! The Konverte (Chatwoot) sandbox over real HTTP.

mod common;

use common::{client, send, status_json};
use connector_sandbox::{KonverteSandbox, SandboxConfig};
use reqwest::Method;
use serde_json::{Value, json};

struct K {
    sandbox: KonverteSandbox,
    http: reqwest::Client,
}

impl K {
    async fn start() -> Self {
        Self::with(SandboxConfig::default()).await
    }

    async fn with(config: SandboxConfig) -> Self {
        let sandbox = KonverteSandbox::start(config)
            .await
            .expect("sandbox starts");
        Self {
            sandbox,
            http: client(),
        }
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let url = format!("{}{path}", self.sandbox.base_url());
        let token = self.sandbox.token().to_owned();
        status_json(
            send(
                &self.http,
                method,
                &url,
                Some(("api_access_token", &token)),
                body,
            )
            .await,
        )
        .await
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.call(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    async fn patch(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::PATCH, path, Some(body)).await
    }

    async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::PUT, path, Some(body)).await
    }

    async fn delete(&self, path: &str, body: Option<Value>) -> (u16, Value) {
        self.call(Method::DELETE, path, body).await
    }

    async fn public(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let url = format!("{}{path}", self.sandbox.base_url());
        status_json(send(&self.http, method, &url, None, body).await).await
    }
}

#[tokio::test]
async fn requests_without_or_with_a_wrong_token_are_unauthorized() {
    let k = K::start().await;
    let url = format!("{}/api/v1/accounts/1/contacts", k.sandbox.base_url());
    let (status, body) = status_json(send(&k.http, Method::GET, &url, None, None).await).await;
    assert_eq!(status, 401);
    assert!(body["error"].as_str().is_some_and(|e| !e.is_empty()));

    let wrong = Some(("api_access_token", "not-the-token"));
    let (status, _) = status_json(send(&k.http, Method::GET, &url, wrong, None).await).await;
    assert_eq!(status, 401);

    let platform = format!("{}/platform/api/v1/users/1", k.sandbox.base_url());
    let (status, _) = status_json(send(&k.http, Method::GET, &platform, None, None).await).await;
    assert_eq!(status, 401);

    // The dashed spelling of the header is accepted too.
    let token = k.sandbox.token().to_owned();
    let (status, _) = status_json(
        send(
            &k.http,
            Method::GET,
            &url,
            Some(("Api-Access-Token", &token)),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(k.sandbox.stats().unauthorized, 3);
}

#[tokio::test]
async fn seed_data_is_there() {
    let k = K::start().await;
    let (status, account) = k.get("/platform/api/v1/accounts/1").await;
    assert_eq!(status, 200);
    assert_eq!(account["name"], "Sandbox Co");
    let (_, agents) = k.get("/api/v1/accounts/1/agents").await;
    assert_eq!(agents[0]["id"], 1);
    assert_eq!(agents[0]["role"], "administrator");
    let (status, inbox) = k.get("/api/v1/accounts/1/inboxes/1/").await;
    assert_eq!(status, 200);
    let identifier = inbox["inbox_identifier"].as_str().expect("identifier");
    let (status, public) = k
        .public(
            Method::GET,
            &format!("/public/api/v1/inboxes/{identifier}"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(public["identifier"], identifier);
    assert_eq!(public["working_hours"].as_array().map(Vec::len), Some(7));
    let (status, profile) = k.get("/api/v1/profile").await;
    assert_eq!(status, 200);
    assert_eq!(profile["id"], 1);
    assert_eq!(profile["accounts"][0]["id"], 1);
}

#[tokio::test]
async fn without_seed_data_the_account_does_not_exist() {
    let k = K::with(SandboxConfig {
        data: connector_sandbox::SeedData::Empty,
        ..SandboxConfig::default()
    })
    .await;
    let (status, _) = k.get("/api/v1/accounts/1/contacts").await;
    assert_eq!(status, 404);
    let (status, account) = k
        .post("/platform/api/v1/accounts", json!({"name": "Fresh"}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(account["id"], 1);
    let (status, list) = k.get("/api/v1/accounts/1/contacts").await;
    assert_eq!(status, 200);
    assert_eq!(list["meta"]["count"], 0);
}

#[tokio::test]
async fn a_contact_needs_no_inbox() {
    let k = K::start().await;
    for inbox in [json!(null), json!("")] {
        let body = json!({"name": "Inboxless", "inbox_id": inbox, "company_id": ""});
        let (status, created) = k.post("/api/v1/accounts/1/contacts", body).await;
        assert_eq!(status, 200, "{created}");
        let id = created["payload"]["contact"]["id"].as_u64().expect("id");
        assert_eq!(
            created["payload"]["contact_inbox"],
            json!({"inbox": null, "source_id": null})
        );
        let (_, shown) = k.get(&format!("/api/v1/accounts/1/contacts/{id}")).await;
        assert_eq!(shown["contact_inboxes"], json!([]), "{shown}");
    }
    let (status, created) = k
        .post("/api/v1/accounts/1/contacts", json!({"name": "Bare"}))
        .await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["payload"]["contact"]["name"], "Bare");
    let (_, list) = k.get("/api/v1/accounts/1/contacts").await;
    assert_eq!(list["meta"]["count"], 3);
    assert_eq!(k.sandbox.stats().created, 3);
}

#[tokio::test]
async fn contact_life_cycle() {
    let k = K::start().await;
    let (status, created) = k
        .post(
            "/api/v1/accounts/1/contacts",
            json!({"inbox_id": 1, "name": "Ada Lovelace", "email": "ada@example.com",
                   "phone_number": "+4930123456", "custom_attributes": {"tier": "gold"}}),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    let id = created["id"].as_u64().expect("id");
    assert_eq!(created["payload"]["contact"]["id"], id);
    assert_eq!(created["payload"]["contact"]["email"], "ada@example.com");
    assert!(created["payload"]["contact_inbox"]["source_id"].is_string());
    assert_eq!(created["custom_attributes"]["tier"], "gold");

    let (status, shown) = k.get(&format!("/api/v1/accounts/1/contacts/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(shown["payload"]["name"], "Ada Lovelace");
    assert_eq!(shown["contact_inboxes"][0]["inbox"]["id"], 1);

    let (status, updated) = k
        .put(
            &format!("/api/v1/accounts/1/contacts/{id}"),
            json!({"name": "Ada King", "custom_attributes": {"since": 1843}}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(updated["name"], "Ada King");
    assert_eq!(
        updated["custom_attributes"],
        json!({"tier": "gold", "since": 1843})
    );

    let (_, search) = k.get("/api/v1/accounts/1/contacts/search?q=king").await;
    assert_eq!(search["meta"]["count"], 1);
    assert_eq!(search["payload"][0]["id"], id);

    let (status, filtered) = k
        .post(
            "/api/v1/accounts/1/contacts/filter",
            json!({"payload": [{"attribute_key": "tier", "filter_operator": "equal_to", "values": ["gold"], "query_operator": null}]}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(filtered["payload"][0]["id"], id);

    let (status, inboxes) = k
        .get(&format!(
            "/api/v1/accounts/1/contacts/{id}/contactable_inboxes"
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(inboxes["payload"][0]["inbox"]["id"], 1);

    let (status, body) = k
        .delete(&format!("/api/v1/accounts/1/contacts/{id}"), None)
        .await;
    assert_eq!((status, body), (200, Value::Null));
    let (status, _) = k.get(&format!("/api/v1/accounts/1/contacts/{id}")).await;
    assert_eq!(status, 404);
    assert_eq!(k.sandbox.stats().created, 1);
}

#[tokio::test]
async fn unknown_ids_are_404() {
    let k = K::start().await;
    for path in [
        "/api/v1/accounts/1/contacts/999",
        "/api/v1/accounts/1/conversations/999",
        "/api/v1/accounts/1/teams/999",
        "/api/v1/accounts/1/inboxes/999/",
        "/platform/api/v1/users/999",
        "/platform/api/v1/agent_bots/999",
        "/api/v1/accounts/999/contacts",
        "/api/v1/accounts/1/contacts/not-a-number",
    ] {
        let (status, body) = k.get(path).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert!(body["error"].is_string(), "{path}: {body}");
    }
    let (status, _) = k
        .patch(
            "/api/v1/accounts/1/canned_responses/999",
            json!({"content": "x"}),
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn validation_answers_422_with_a_message() {
    let k = K::start().await;
    let (status, body) = k
        .post(
            "/platform/api/v1/users",
            json!({"name": "Weak", "email": "weak@example.com", "password": "password"}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["attributes"], json!(["password"]));
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("uppercase"))
    );

    let (status, body) = k
        .post(
            "/platform/api/v1/users",
            json!({"name": "Odd", "email": "odd@example.com", "password": "Str0ng!pass", "custom_attributes": "nope"}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["field"], "custom_attributes");

    let (status, body) = k
        .post(
            "/api/v1/accounts/1/contacts",
            json!({"inbox_id": 1, "name": "X", "custom_attributes": [1, 2]}),
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("JSON object"))
    );

    // An inbox of no account is the server's RecordNotFound.
    let (status, _) = k
        .post(
            "/api/v1/accounts/1/contacts",
            json!({"name": "Lost", "inbox_id": 99}),
        )
        .await;
    assert_eq!(status, 404);
    // Required fields: role for agents, ...
    let (status, _) = k
        .post(
            "/api/v1/accounts/1/agents",
            json!({"name": "A", "email": "a@example.com"}),
        )
        .await;
    assert_eq!(status, 422);
    // An inbox changes only what is given (inboxes_controller.rb#update requires nothing).
    let (status, inbox) = k
        .patch("/api/v1/accounts/1/inboxes/1", json!({"name": "renamed"}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(inbox["name"], "renamed");
    let (status, _) = k
        .post("/api/v1/accounts/1/teams/1/team_members", json!({}))
        .await;
    assert_eq!(status, 404, "team 1 does not exist");

    // Nothing was created by the rejected requests.
    assert_eq!(k.sandbox.stats().created, 0);
}

#[tokio::test]
async fn platform_user_life_cycle() {
    let k = K::start().await;
    let (status, user) = k
        .post(
            "/platform/api/v1/users",
            json!({"name": "Grace", "email": "grace@example.com", "password": "Secr3t!pass", "custom_attributes": {"team": "ops"}}),
        )
        .await;
    assert_eq!(status, 200, "{user}");
    let id = user["id"].as_u64().expect("id");
    assert!(user.get("password").is_none());
    let (status, _) = k
        .post(
            "/platform/api/v1/users",
            json!({"name": "Again", "email": "grace@example.com", "password": "Secr3t!pass"}),
        )
        .await;
    assert_eq!(status, 422, "duplicate email");

    let (status, updated) = k
        .patch(
            &format!("/platform/api/v1/users/{id}"),
            json!({"name": "Grace Hopper"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(updated["name"], "Grace Hopper");
    let (status, _) = k
        .patch(
            &format!("/platform/api/v1/users/{id}"),
            json!({"password": "short"}),
        )
        .await;
    assert_eq!(status, 422);

    let (status, membership) = k
        .post(
            "/platform/api/v1/accounts/1/account_users",
            json!({"user_id": id, "role": "agent"}),
        )
        .await;
    assert_eq!(status, 200);
    // `render json: @account_user`: the row's columns.
    assert_eq!(membership["account_id"], 1, "{membership}");
    assert_eq!(membership["user_id"], id, "{membership}");
    assert_eq!(membership["role"], "agent", "{membership}");
    assert!(
        membership["id"].as_u64().is_some_and(|i| i > 0),
        "{membership}"
    );
    for column in ["availability", "auto_offline", "created_at", "updated_at"] {
        assert!(!membership[column].is_null(), "{column}: {membership}");
    }
    let (_, users) = k.get("/platform/api/v1/accounts/1/account_users").await;
    assert_eq!(users.as_array().map(Vec::len), Some(2));
    assert!(
        users.as_array().expect("rows").contains(&membership),
        "{users}"
    );
    // `belongs_to :user`: an unknown user fails validation.
    let (status, refused) = k
        .post(
            "/platform/api/v1/accounts/1/account_users",
            json!({"user_id": 999_999}),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["message"], "User must exist", "{refused}");
    let (_, login) = k.get(&format!("/platform/api/v1/users/{id}/login")).await;
    assert!(
        login["url"]
            .as_str()
            .is_some_and(|u| u.starts_with("http://"))
    );

    let (status, _) = k
        .delete(&format!("/platform/api/v1/users/{id}"), None)
        .await;
    assert_eq!(status, 200);
    let (status, _) = k.get(&format!("/platform/api/v1/users/{id}")).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn teams_canned_responses_and_webhooks() {
    let k = K::start().await;
    let (status, team) = k
        .post(
            "/api/v1/accounts/1/teams",
            json!({"name": "Support", "description": "First line"}),
        )
        .await;
    assert_eq!(status, 200);
    let team_id = team["id"].as_u64().expect("id");
    let (status, members) = k
        .post(
            &format!("/api/v1/accounts/1/teams/{team_id}/team_members"),
            json!({"user_ids": [1]}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(members[0]["id"], 1);
    let (status, _) = k
        .post(
            &format!("/api/v1/accounts/1/teams/{team_id}/team_members"),
            json!({"user_ids": [42]}),
        )
        .await;
    assert_eq!(status, 422, "user 42 is not an agent");
    let (_, shown) = k.get(&format!("/api/v1/accounts/1/teams/{team_id}")).await;
    assert_eq!(shown["is_member"], true);
    let (_, renamed) = k
        .patch(
            &format!("/api/v1/accounts/1/teams/{team_id}"),
            json!({"name": "Tier 1"}),
        )
        .await;
    assert_eq!(renamed["name"], "tier 1");
    let (status, _) = k
        .delete(&format!("/api/v1/accounts/1/teams/{team_id}"), None)
        .await;
    assert_eq!(status, 200);
    let (_, teams) = k.get("/api/v1/accounts/1/teams").await;
    assert_eq!(teams, json!([]));

    let (status, canned) = k
        .post(
            "/api/v1/accounts/1/canned_responses",
            json!({"short_code": "hi", "content": "Hello!"}),
        )
        .await;
    assert_eq!(status, 200);
    let canned_id = canned["id"].as_u64().expect("id");
    let (_, canned) = k
        .patch(
            &format!("/api/v1/accounts/1/canned_responses/{canned_id}"),
            json!({"content": "Hi there"}),
        )
        .await;
    assert_eq!(canned["content"], "Hi there");
    assert_eq!(canned["short_code"], "hi");

    let (status, _) = k
        .post("/api/v1/accounts/1/webhooks", json!({"url": "not a url"}))
        .await;
    assert_eq!(status, 422);
    let (status, hook) = k
        .post(
            "/api/v1/accounts/1/webhooks",
            json!({"url": "https://example.com/hook", "subscriptions": ["message_created"]}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(hook["payload"]["webhook"]["account_id"], 1);
    assert!(hook["payload"]["webhook"]["secret"].is_string());
    let (_, hooks) = k.get("/api/v1/accounts/1/webhooks").await;
    assert_eq!(
        hooks["payload"]["webhooks"][0]["subscriptions"],
        json!(["message_created"])
    );
}

#[tokio::test]
async fn conversations_messages_and_labels() {
    let k = K::start().await;
    let (_, contact) = k
        .post(
            "/api/v1/accounts/1/contacts",
            json!({"inbox_id": 1, "name": "Visitor"}),
        )
        .await;
    let contact_id = contact["id"].as_u64().expect("id");
    let source_id = contact["payload"]["contact_inbox"]["source_id"]
        .as_str()
        .expect("source id")
        .to_owned();
    let (status, _) = k
        .post(
            "/api/v1/accounts/1/conversations",
            json!({"inbox_id": 1, "source_id": "unknown-source"}),
        )
        .await;
    assert_eq!(status, 422);
    let (status, conversation) = k
        .post(
            "/api/v1/accounts/1/conversations",
            json!({"inbox_id": 1, "source_id": source_id, "message": {"content": "Welcome"}}),
        )
        .await;
    assert_eq!(status, 200, "{conversation}");
    let id = conversation["id"].as_u64().expect("id");
    assert_eq!(conversation["inbox_id"], 1);
    assert_eq!(conversation["meta"]["sender"]["id"], contact_id);
    assert_eq!(conversation["messages"][0]["content"], "Welcome");

    let (status, message) = k
        .post(
            &format!("/api/v1/accounts/1/conversations/{id}/messages"),
            json!({"content": "How can I help?", "private": true}),
        )
        .await;
    assert_eq!(status, 200);
    let message_id = message["id"].as_u64().expect("id");
    assert_eq!(message["message_type"], "outgoing");
    // message_builder.rb / message.rb require no content: an empty message is saved.
    let (status, empty) = k
        .post(
            &format!("/api/v1/accounts/1/conversations/{id}/messages"),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "an empty message is accepted: {empty}");
    assert_eq!(empty["content"], Value::Null, "{empty}");
    assert_eq!(empty["content_type"], "text", "{empty}");
    // ContentAttributeValidator: an input_select needs items, with its own keys only.
    let messages_path = format!("/api/v1/accounts/1/conversations/{id}/messages");
    for (body, expected) in [
        (json!({"content_type": "input_select"}), 422),
        (
            json!({"content_type": "input_select", "content_attributes": {"items": [{"title": "A", "colour": "red"}]}}),
            422,
        ),
        (json!({"content_type": "carousel"}), 422),
        (
            json!({"content_type": "input_select", "content_attributes": {"items": [{"title": "Yes", "value": "yes"}]}}),
            200,
        ),
    ] {
        let (status, answer) = k.post(&messages_path, body.clone()).await;
        assert_eq!(status, expected, "{body} -> {answer}");
    }
    let (_, messages) = k
        .get(&format!("/api/v1/accounts/1/conversations/{id}/messages"))
        .await;
    assert_eq!(messages["payload"].as_array().map(Vec::len), Some(4));
    let (status, _) = k
        .delete(
            &format!("/api/v1/accounts/1/conversations/{id}/messages/{message_id}"),
            None,
        )
        .await;
    assert_eq!(status, 200);

    let (_, toggled) = k
        .post(
            &format!("/api/v1/accounts/1/conversations/{id}/toggle_status"),
            json!({"status": "resolved"}),
        )
        .await;
    assert_eq!(toggled["payload"]["current_status"], "resolved");
    let (status, _) = k
        .post(
            &format!("/api/v1/accounts/1/conversations/{id}/toggle_priority"),
            json!({"priority": "urgent"}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, assignee) = k
        .post(
            &format!("/api/v1/accounts/1/conversations/{id}/assignments"),
            json!({"assignee_id": 1}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(assignee["id"], 1);
    let (_, labels) = k
        .post(
            &format!("/api/v1/accounts/1/conversations/{id}/labels"),
            json!({"labels": ["billing", "vip"]}),
        )
        .await;
    assert_eq!(labels, json!({"payload": ["billing", "vip"]}));

    let (_, details) = k
        .get(&format!("/api/v1/accounts/1/conversations/{id}"))
        .await;
    assert_eq!(details["status"], "resolved");
    assert_eq!(details["priority"], "urgent");
    assert_eq!(details["meta"]["assignee"]["id"], 1);

    let (_, open) = k.get("/api/v1/accounts/1/conversations").await;
    assert_eq!(
        open["data"]["meta"]["all_count"], 0,
        "default status is open"
    );
    let (_, resolved) = k
        .get("/api/v1/accounts/1/conversations?status=resolved&assignee_type=me")
        .await;
    assert_eq!(resolved["data"]["meta"]["mine_count"], 1);
    assert_eq!(resolved["data"]["payload"][0]["id"], id);
    let (_, meta) = k
        .get("/api/v1/accounts/1/conversations/meta?status=resolved")
        .await;
    assert_eq!(meta["meta"]["assigned_count"], 1);
    let (_, of_contact) = k
        .get(&format!(
            "/api/v1/accounts/1/contacts/{contact_id}/conversations"
        ))
        .await;
    assert_eq!(of_contact[0]["id"], id);

    let (_, summary) = k
        .get("/api/v2/accounts/1/reports/summary?type=account")
        .await;
    assert_eq!(summary["conversations_count"], 1);
    assert!(summary["previous"].is_object());
    let (_, agent_metrics) = k
        .get("/api/v2/accounts/1/reports/conversations/?type=agent")
        .await;
    assert_eq!(agent_metrics[0]["id"], 1);
    let (_, account_metrics) = k
        .get("/api/v2/accounts/1/reports/conversations?type=account")
        .await;
    assert!(account_metrics["open"].is_number());
}

#[tokio::test]
async fn contacts_are_paged_15_and_conversations_25_per_page() {
    let k = K::start().await;
    for i in 0..20 {
        let (status, _) = k
            .post(
                "/api/v1/accounts/1/contacts",
                json!({"inbox_id": 1, "name": format!("Contact {i:02}"), "email": format!("c{i}@example.com")}),
            )
            .await;
        assert_eq!(status, 200);
    }
    let (_, first) = k.get("/api/v1/accounts/1/contacts").await;
    assert_eq!(first["meta"], json!({"count": 20, "current_page": 1}));
    assert_eq!(first["payload"].as_array().map(Vec::len), Some(15));
    let (_, second) = k.get("/api/v1/accounts/1/contacts?page=2").await;
    assert_eq!(second["meta"], json!({"count": 20, "current_page": 2}));
    assert_eq!(second["payload"].as_array().map(Vec::len), Some(5));
    let (_, sorted) = k.get("/api/v1/accounts/1/contacts?sort=-name").await;
    assert_eq!(sorted["payload"][0]["name"], "Contact 19");

    // Conversations come 25 a page (conversation_finder.rb).
    for n in 1..=27 {
        let source = format!("src-{n}");
        let contact = (n - 1) % 20 + 1;
        let (status, _) = k
            .post(
                "/api/v1/accounts/1/conversations",
                json!({"inbox_id": 1, "source_id": source, "contact_id": contact}),
            )
            .await;
        assert_eq!(status, 200);
    }
    let (_, page1) = k.get("/api/v1/accounts/1/conversations").await;
    assert_eq!(page1["data"]["meta"]["all_count"], 27);
    assert_eq!(page1["data"]["meta"]["unassigned_count"], 27);
    assert_eq!(page1["data"]["payload"].as_array().map(Vec::len), Some(25));
    let (_, page2) = k.get("/api/v1/accounts/1/conversations?page=2").await;
    assert_eq!(page2["data"]["payload"].as_array().map(Vec::len), Some(2));

    assert_eq!(k.sandbox.insert_bulk_contacts(1, 100), 100);
    let (_, bulk) = k.get("/api/v1/accounts/1/contacts?page=8").await;
    assert_eq!(bulk["meta"]["count"], 120);
    assert_eq!(bulk["payload"].as_array().map(Vec::len), Some(15));
}

#[tokio::test]
async fn inboxes_accept_paths_with_and_without_trailing_slash() {
    let k = K::start().await;
    let (status, inbox) = k
        .post(
            "/api/v1/accounts/1/inboxes/",
            json!({"name": "Web", "channel": {"type": "web_widget", "website_url": "https://example.com"}}),
        )
        .await;
    assert_eq!(status, 200, "{inbox}");
    assert_eq!(inbox["channel_type"], "Channel::WebWidget");
    let id = inbox["id"].as_u64().expect("id");
    let (status, _) = k
        .post("/api/v1/accounts/1/inboxes", json!({"name": "Api"}))
        .await;
    assert_eq!(status, 200);
    for path in [
        format!("/api/v1/accounts/1/inboxes/{id}"),
        format!("/api/v1/accounts/1/inboxes/{id}/"),
    ] {
        let (status, shown) = k.get(&path).await;
        assert_eq!(status, 200);
        assert_eq!(shown["name"], "Web");
    }
    let (_, updated) = k
        .patch(
            &format!("/api/v1/accounts/1/inboxes/{id}"),
            json!({"enable_auto_assignment": false, "name": "Website"}),
        )
        .await;
    assert_eq!(updated["enable_auto_assignment"], false);
    assert_eq!(updated["name"], "Website");

    let (status, members) = k
        .post(
            "/api/v1/accounts/1/inbox_members",
            json!({"inbox_id": id.to_string(), "user_ids": [1]}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(members["payload"][0]["id"], 1, "the agents under payload");
    let (_, members) = k
        .get(&format!("/api/v1/accounts/1/inbox_members/{id}"))
        .await;
    assert_eq!(members["payload"].as_array().map(Vec::len), Some(1));

    let (status, bot) = k
        .post("/api/v1/accounts/1/agent_bots", json!({"name": "Helper"}))
        .await;
    assert_eq!(status, 200);
    let (status, body) = k
        .post(
            &format!("/api/v1/accounts/1/inboxes/{id}/set_agent_bot"),
            json!({"agent_bot": bot["id"]}),
        )
        .await;
    assert_eq!((status, body), (204, Value::Null));
    let (status, assigned) = k
        .get(&format!("/api/v1/accounts/1/inboxes/{id}/agent_bot"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(assigned["name"], "Helper");
}

#[tokio::test]
async fn public_client_api_flow() {
    let k = K::start().await;
    let base = "/public/api/v1/inboxes/sandbox-inbox-identifier";
    let (status, contact) = k
        .public(
            Method::POST,
            &format!("{base}/contacts"),
            Some(json!({"name": "Widget User", "email": "widget@example.com"})),
        )
        .await;
    assert_eq!(status, 200, "{contact}");
    let source = contact["source_id"].as_str().expect("source").to_owned();
    assert!(contact["pubsub_token"].is_string());
    let (status, _) = k
        .public(
            Method::POST,
            &format!("{base}/contacts"),
            Some(json!({"custom_attributes": "flat"})),
        )
        .await;
    assert_eq!(status, 422);
    let (status, conversation) = k
        .public(
            Method::POST,
            &format!("{base}/contacts/{source}/conversations"),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 200);
    let conversation_id = conversation["id"].as_u64().expect("id");
    let (status, message) = k
        .public(
            Method::POST,
            &format!("{base}/contacts/{source}/conversations/{conversation_id}/messages"),
            Some(json!({"content": "Hello from the widget"})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(message["message_type"], "incoming");
    let (_, messages) = k
        .public(
            Method::GET,
            &format!("{base}/contacts/{source}/conversations/{conversation_id}/messages"),
            None,
        )
        .await;
    assert_eq!(messages[0]["content"], "Hello from the widget");
    // The agent side sees the same conversation.
    let (_, details) = k
        .get(&format!(
            "/api/v1/accounts/1/conversations/{conversation_id}"
        ))
        .await;
    assert_eq!(details["messages"][0]["content"], "Hello from the widget");
    let (status, _) = k
        .public(Method::GET, "/public/api/v1/inboxes/nope/contacts/x", None)
        .await;
    assert_eq!(status, 404);

    let url = format!("{}/survey/responses/abc-123", k.sandbox.base_url());
    let page = k.http.get(url).send().await.expect("survey");
    assert_eq!(page.status().as_u16(), 200);
    assert!(page.text().await.expect("html").contains("abc-123"));
}

#[tokio::test]
async fn remaining_account_resources() {
    let k = K::start().await;
    let (status, attribute) = k
        .post(
            "/api/v1/accounts/1/custom_attribute_definitions",
            json!({"attribute_display_name": "Plan", "attribute_key": "plan", "attribute_display_type": 6, "attribute_model": 1, "attribute_values": ["free", "pro"]}),
        )
        .await;
    assert_eq!(status, 200, "{attribute}");
    assert_eq!(attribute["attribute_display_type"], "list");
    assert_eq!(attribute["attribute_model"], "contact_attribute");
    let (_, listed) = k
        .get("/api/v1/accounts/1/custom_attribute_definitions?attribute_model=1")
        .await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1));

    let (status, filter) = k
        .post(
            "/api/v1/accounts/1/custom_filters",
            json!({"name": "Open", "type": "conversation", "query": {"payload": []}}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = k
        .post(
            "/api/v1/accounts/1/custom_filters",
            json!({"name": "Bad", "type": "elsewhere"}),
        )
        .await;
    assert_eq!(status, 422);
    let filter_id = filter["id"].as_u64().expect("id");
    let (status, _) = k
        .delete(
            &format!("/api/v1/accounts/1/custom_filters/{filter_id}"),
            None,
        )
        .await;
    assert_eq!(status, 200);

    let (status, rule) = k
        .post(
            "/api/v1/accounts/1/automation_rules",
            json!({"name": "Tag", "event_name": "message_created", "actions": [{"action_name": "add_label", "action_params": ["x"]}], "conditions": []}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(rule["active"], true);

    let (status, portal) = k
        .post(
            "/api/v1/accounts/1/portals",
            json!({"name": "Help", "slug": "help"}),
        )
        .await;
    assert_eq!(status, 200);
    let portal_id = portal["id"].as_u64().expect("id");
    let (status, category) = k
        .post(
            &format!("/api/v1/accounts/1/portals/{portal_id}/categories"),
            json!({"name": "Billing", "locale": "en"}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = k
        .post(
            &format!("/api/v1/accounts/1/portals/{portal_id}/articles"),
            json!({"title": "Invoices", "content": "...", "category_id": category["payload"]["id"]}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, portals) = k.get("/api/v1/accounts/1/portals").await;
    assert_eq!(portals["payload"][0]["articles"][0]["title"], "Invoices");
    let (_, patched) = k
        .patch(
            "/api/v1/accounts/1/portals",
            json!({"slug": "help", "header_text": "Hi"}),
        )
        .await;
    assert_eq!(patched["header_text"], "Hi");

    let (_, apps) = k.get("/api/v1/accounts/1/integrations/apps").await;
    assert!(apps["payload"].as_array().is_some_and(|a| a.len() > 2));
    let (status, hook) = k
        .post(
            "/api/v1/accounts/1/integrations/hooks",
            json!({"app_id": "webhook", "settings": {"url": "https://example.com"}}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = k
        .post(
            "/api/v1/accounts/1/integrations/hooks",
            json!({"app_id": "nope"}),
        )
        .await;
    assert_eq!(status, 422);
    let hook_id = hook["id"].as_u64().expect("id");
    let (status, _) = k
        .delete(
            &format!("/api/v1/accounts/1/integrations/hooks/{hook_id}"),
            None,
        )
        .await;
    assert_eq!(status, 200);

    let (_, series) = k
        .get("/api/v2/accounts/1/reports?metric=conversations_count&type=account&since=0&until=172800")
        .await;
    assert_eq!(series.as_array().map(Vec::len), Some(3));
    assert!(series[0]["value"].is_string());
}
