//! A resolved conversation in an inbox with surveys on gets one survey message
//! (csat_survey_service.rb); the public survey API finds it by the conversation's UUID with no
//! token, takes the answer under `message.submitted_values` and shows it
//! (public/api/v1/csat_survey_controller.rb, models/_csat_survey.json.jbuilder).

mod common;

use common::{client, send, status_json};
use connector_sandbox::{KonverteSandbox, SandboxConfig};
use reqwest::Method;
use serde_json::{Value, json};

struct Api {
    sandbox: KonverteSandbox,
}

impl Api {
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let url = format!("{}{path}", self.sandbox.base_url());
        let token = self.sandbox.token().to_owned();
        let auth = Some(("api_access_token", token.as_str()));
        status_json(send(&client(), method, &url, auth, body).await).await
    }

    /// A public call: no token at all.
    async fn public(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let url = format!("{}{path}", self.sandbox.base_url());
        status_json(send(&client(), method, &url, None, body).await).await
    }

    /// A new conversation in inbox 1, then its UUID.
    async fn conversation(&self) -> (u64, String) {
        let (id, uuid, _) = self.conversation_with_source().await;
        (id, uuid)
    }

    /// A new conversation in inbox 1, its UUID and its contact's source id in the inbox.
    async fn conversation_with_source(&self) -> (u64, String, String) {
        let (status, contact) = self
            .call(
                Method::POST,
                "/api/v1/accounts/1/contacts",
                Some(json!({"name": "Rater", "inbox_id": 1})),
            )
            .await;
        assert_eq!(status, 200, "{contact}");
        let source = contact["payload"]["contact_inbox"]["source_id"]
            .as_str()
            .unwrap_or_else(|| panic!("a source id: {contact}"))
            .to_owned();
        let contact = contact["payload"]["contact"]["id"].clone();
        let (status, conversation) = self
            .call(
                Method::POST,
                "/api/v1/accounts/1/conversations",
                Some(json!({"inbox_id": 1, "contact_id": contact})),
            )
            .await;
        assert_eq!(status, 200, "{conversation}");
        let id = conversation["id"].as_u64().expect("an id");
        (
            id,
            conversation["uuid"].as_str().expect("a uuid").to_owned(),
            source,
        )
    }

    /// Inbox 1 updated with `settings`, then the inbox.
    async fn configure_inbox(&self, settings: Value) -> Value {
        let path = "/api/v1/accounts/1/inboxes/1";
        let (status, inbox) = self.call(Method::PATCH, path, Some(settings)).await;
        assert_eq!(status, 200, "{inbox}");
        inbox
    }

    /// The public survey of the conversation with `uuid`, read with no token.
    async fn survey(&self, uuid: &str) -> (u16, Value) {
        let path = format!("/public/api/v1/csat_survey/{uuid}");
        self.public(Method::GET, &path, None).await
    }

    async fn resolve(&self, conversation: u64) {
        let path = format!("/api/v1/accounts/1/conversations/{conversation}/toggle_status");
        let body = Some(json!({"status": "resolved"}));
        let (status, answer) = self.call(Method::POST, &path, body).await;
        assert_eq!(status, 200, "{answer}");
    }

    async fn surveys_in(&self, conversation: u64) -> Vec<Value> {
        let path = format!("/api/v1/accounts/1/conversations/{conversation}/messages");
        let (status, answer) = self.call(Method::GET, &path, None).await;
        assert_eq!(status, 200, "{answer}");
        (answer["payload"].as_array().expect("messages").iter())
            .filter(|m| m["content_type"] == "input_csat")
            .cloned()
            .collect()
    }
}

/// The public messages of `conversation`, reached by its contact's `source` id in inbox 1.
fn public_messages(source: &str, conversation: u64) -> String {
    let inbox = connector_sandbox::seed::KONVERTE_INBOX_IDENTIFIER;
    format!(
        "/public/api/v1/inboxes/{inbox}/contacts/{source}/conversations/{conversation}/messages"
    )
}

async fn sandbox() -> Api {
    let sandbox = KonverteSandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    Api { sandbox }
}

#[tokio::test]
async fn a_survey_is_sent_on_resolve_only_where_surveys_are_on() {
    let api = sandbox().await;
    let (off, off_uuid) = api.conversation().await;
    api.resolve(off).await;
    assert!(api.surveys_in(off).await.is_empty());
    let (status, _) = api.survey(&off_uuid).await;
    assert_eq!(status, 404);

    let settings = json!({"csat_survey_enabled": true,
                          "csat_config": {"display_type": "star", "message": "Rate us"}});
    let inbox = api.configure_inbox(settings).await;
    assert_eq!(
        inbox["csat_config"]["button_text"], "Please rate us",
        "the defaults"
    );

    let (on, uuid) = api.conversation().await;
    api.resolve(on).await;
    let surveys = api.surveys_in(on).await;
    assert_eq!(surveys.len(), 1, "{surveys:?}");
    assert_eq!(surveys[0]["content"], "Rate us");
    assert_eq!(surveys[0]["message_type"], "template");

    let (status, survey) = api.survey(&uuid).await;
    assert_eq!(status, 200, "{survey}");
    assert_eq!(survey["id"], surveys[0]["id"]);
    assert_eq!(survey["conversation_id"], json!(on));
    assert_eq!(survey["display_type"], "star");
    assert_eq!(survey["csat_survey_response"], Value::Null);
    assert!(survey["created_at"].is_string(), "{survey}");
}

#[tokio::test]
async fn an_answer_is_stored_and_shown_without_a_token() {
    let api = sandbox().await;
    api.configure_inbox(json!({"csat_survey_enabled": true}))
        .await;
    let (conversation, uuid) = api.conversation().await;
    api.resolve(conversation).await;
    let path = format!("/public/api/v1/csat_survey/{uuid}");
    let answer = |rating: Value| {
        Some(json!({"message": {"submitted_values": {
            "csat_survey_response": {"rating": rating, "feedback_message": "Fast", "extra": 1}}}}))
    };

    let (status, survey) = api.public(Method::PUT, &path, answer(json!(9))).await;
    assert_eq!(status, 200, "{survey}");
    assert_eq!(
        survey["csat_survey_response"],
        Value::Null,
        "9 is no rating"
    );

    let (status, survey) = api.public(Method::PUT, &path, answer(json!(4))).await;
    assert_eq!(status, 200, "{survey}");
    let stored = &survey["csat_survey_response"];
    assert_eq!(
        (stored["rating"].clone(), stored["feedback_message"].clone()),
        (json!(4), json!("Fast"))
    );
    assert_eq!(stored["conversation_id"], json!(conversation));

    let (_, again) = api.survey(&uuid).await;
    assert_eq!(
        again["csat_survey_response"],
        survey["csat_survey_response"]
    );
    let submitted =
        &api.surveys_in(conversation).await[0]["content_attributes"]["submitted_values"];
    assert_eq!(
        submitted["csat_survey_response"],
        json!({"rating": 4, "feedback_message": "Fast"}),
        "unpermitted keys dropped"
    );

    let (status, unchanged) = api
        .public(
            Method::PUT,
            &path,
            Some(json!({"message": {"content": "x"}})),
        )
        .await;
    assert_eq!(status, 200, "{unchanged}");
    assert_eq!(
        unchanged["csat_survey_response"], survey["csat_survey_response"],
        "no submitted_values: nothing changes"
    );
    let kept = &api.surveys_in(conversation).await[0]["content_attributes"]["submitted_values"];
    assert_eq!(kept, submitted, "the message keeps its answer");
    let (status, _) = api
        .public(Method::PUT, &path, Some(json!({"rating": 5})))
        .await;
    assert_eq!(status, 400, "no `message` key");
    let (status, _) = api.survey("not-a-conversation").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_public_message_api_answers_a_survey_too() {
    let api = sandbox().await;
    api.configure_inbox(json!({"csat_survey_enabled": true}))
        .await;
    let (conversation, uuid, source) = api.conversation_with_source().await;
    api.resolve(conversation).await;
    let survey = api.surveys_in(conversation).await[0]["id"].clone();
    let path = format!("{}/{survey}", public_messages(&source, conversation));
    let body = json!({"submitted_values": {"csat_survey_response": {"rating": 2}}});
    let (status, message) = api.public(Method::PATCH, &path, Some(body)).await;
    assert_eq!(status, 200, "{message}");
    assert_eq!(
        message["content_attributes"]["submitted_values"]["csat_survey_response"]["rating"],
        2
    );
    let (_, shown) = api.survey(&uuid).await;
    assert_eq!(shown["csat_survey_response"]["rating"], 2, "{shown}");
}

/// messages_controller.rb#update permits `submitted_values` of name, title, value and
/// csat_survey_response on any message; a body without them changes nothing.
#[tokio::test]
async fn a_form_answer_keeps_only_the_permitted_keys() {
    let api = sandbox().await;
    let (conversation, _, source) = api.conversation_with_source().await;
    let messages = public_messages(&source, conversation);
    let (status, message) = api
        .public(Method::POST, &messages, Some(json!({"content": "Hi"})))
        .await;
    assert_eq!(status, 200, "{message}");
    let path = format!("{messages}/{}", message["id"]);
    let given = json!({"submitted_values": [
        {"name": "email", "value": "a@example.com", "secret": "x"}, {"title": "Plan"}]});
    let (status, message) = api.public(Method::PATCH, &path, Some(given)).await;
    assert_eq!(status, 200, "{message}");
    let kept = json!([{"name": "email", "value": "a@example.com"}, {"title": "Plan"}]);
    assert_eq!(message["content_attributes"]["submitted_values"], kept);

    let (status, message) = api
        .public(Method::PATCH, &path, Some(json!({"content": "ignored"})))
        .await;
    assert_eq!(status, 200, "{message}");
    assert_eq!(message["content_attributes"]["submitted_values"], kept);
    assert_eq!(message["content"], "Hi", "content is not permitted");
}
