//! Inputs the server would certainly refuse are refused before anything is sent, with
//! the field named; the typed API refuses the same way.

use super::support::{assert_no_secret, client, input, options};
use connector_konverte::Connector;
use futures::StreamExt;
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// (action, input, field named, words of the reason)
fn cases() -> Vec<(&'static str, Value, &'static str, &'static str)> {
    vec![
        (
            "users.create",
            json!({"name": "Ada", "email": "ada@example.com", "password": "zebra-tulip"}),
            "password",
            "upper-case",
        ),
        (
            "users.create",
            json!({"email": "ada@example.com", "password": "Sh0r!"}),
            "password",
            "at least 6",
        ),
        (
            "users.create",
            json!({"name": "Ada", "password": "Str0ng!pass"}),
            "email",
            "required",
        ),
        (
            "users.update",
            json!({"id": 5, "password": "NoDigits!here"}),
            "password",
            "digit",
        ),
        (
            "users.update",
            json!({"id": 5, "password": "N0special"}),
            "password",
            "special",
        ),
        (
            "users.update",
            json!({"id": 5, "custom_attributes": [1, 2]}),
            "custom_attributes",
            "JSON object",
        ),
        (
            "users.update",
            json!({"id": 5, "custom_attributes": "{\n  \"tier\": gold\n}"}),
            "custom_attributes",
            "line 2 column",
        ),
        (
            "contacts.create",
            json!({"account_id": 1, "custom_attributes": "not json"}),
            "custom_attributes",
            "line 1 column",
        ),
        (
            "users.update",
            json!({"id": 5, "email": "ada at example.com"}),
            "email",
            "e-mail",
        ),
        ("users.get", json!({"id": "1/../2"}), "id", "whole number"),
        (
            "contacts.get",
            json!({"account_id": "1/../2", "contact_id": 3}),
            "account_id",
            "whole number",
        ),
        (
            "contacts.get",
            json!({"account_id": 1, "id": 3}),
            "id",
            "not a parameter",
        ),
        ("users.get", json!({}), "id", "required"),
        ("contacts.search", json!({"account_id": 1}), "q", "required"),
        (
            "inboxes.add_members",
            json!({"account_id": 1, "user_ids": [1]}),
            "inbox_id",
            "required",
        ),
        (
            "inboxes.create",
            json!({"account_id": 1, "name": "x"}),
            "channel",
            "required",
        ),
        (
            "conversations.toggle_priority",
            json!({"account_id": 1, "conversation_id": 2, "priority": "none"}),
            "priority",
            "not one of",
        ),
        (
            "conversations.update",
            json!({"account_id": 1, "conversation_id": 2, "priority": "critical"}),
            "priority",
            "not one of",
        ),
        (
            "conversations.list",
            json!({"account_id": 1, "status": "closed"}),
            "status",
            "not one of",
        ),
        (
            "webhooks.create",
            json!({"account_id": 1, "url": "https://x.test", "subscriptions": ["message_created", "everything"]}),
            "subscriptions[1]",
            "not one of",
        ),
        (
            "webhooks.create",
            json!({"account_id": 1, "subscriptions": ["message_created"]}),
            "url",
            "required",
        ),
        (
            "teams.add_members",
            json!({"account_id": 1, "team_id": 2, "user_ids": "1,two"}),
            "user_ids[1]",
            "whole number",
        ),
        (
            "users.update",
            json!({"id": 5, "nmae": "typo"}),
            "nmae",
            "not a parameter",
        ),
        // New families.
        (
            "messages.list",
            json!({"account_id": 1, "conversation_id": 2, "before": "latest"}),
            "before",
            "whole number",
        ),
        (
            "contacts.merge",
            json!({"account_id": 1, "base_contact_id": 7}),
            "mergee_contact_id",
            "required",
        ),
        (
            "contact_notes.create",
            json!({"account_id": 1, "contact_id": 7}),
            "content",
            "required",
        ),
        (
            "labels.create",
            json!({"account_id": 1, "color": "#fff"}),
            "title",
            "required",
        ),
        (
            "macros.create",
            json!({"account_id": 1, "name": "Close", "visibility": "everyone", "actions": []}),
            "visibility",
            "not one of",
        ),
        (
            "sla_policies.create",
            json!({"account_id": 1, "first_response_time_threshold": "soon"}),
            "first_response_time_threshold",
            "number",
        ),
        (
            "campaigns.create",
            json!({"account_id": 1, "title": "T", "message": "M"}),
            "inbox_id",
            "required",
        ),
        (
            "articles.create",
            json!({"account_id": 1, "portal_slug": "h", "title": "T", "author_id": 1, "status": "0"}),
            "status",
            "not one of",
        ),
        (
            "portals.get",
            json!({"account_id": 1, "portal_slug": ".."}),
            "portal_slug",
            "`..`",
        ),
        (
            "reports.metric",
            json!({"account_id": 1, "type": "country"}),
            "type",
            "not one of",
        ),
        (
            "reports.summary",
            json!({"account_id": 1}),
            "type",
            "required",
        ),
        (
            "reports.agents_csv",
            json!({"account_id": 1, "until": 1_717_800_000}),
            "since",
            "required",
        ),
        (
            "csat_responses.list",
            // A text is an agent's e-mail or name (looked up); a fraction is no id at all.
            json!({"account_id": 1, "user_ids": [1.5]}),
            "user_ids[0]",
            "whole number",
        ),
        (
            "notifications.list",
            json!({"account_id": 1, "includes": ["unread"]}),
            "includes[0]",
            "not one of",
        ),
        (
            "profile.set_availability",
            json!({"account_id": 1, "availability": "away"}),
            "availability",
            "not one of",
        ),
        (
            "conversations_api.toggle_typing",
            json!({"inbox_identifier": "x", "contact_identifier": "y", "conversation_id": 1, "typing_status": "typing"}),
            "typing_status",
            "not one of",
        ),
        (
            "csat_survey.update",
            json!({"conversation_uuid": "6f1c2d1e"}),
            "submitted_values",
            "required",
        ),
        (
            "bulk_actions.create",
            json!({"account_id": 1, "type": "Message", "ids": [1]}),
            "type",
            "not one of",
        ),
        (
            "account.update",
            json!({"account_id": 1, "locale": "klingon"}),
            "locale",
            "not one of",
        ),
    ]
}

#[tokio::test]
async fn bad_inputs_are_refused_before_anything_is_sent() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(0)
        .named("nothing may be sent")
        .mount(&server)
        .await;
    let client = client(&server);
    for (id, value, field, reason) in &cases() {
        let err = client
            .execute(id, input(value.clone()), &options())
            .await
            .err()
            .unwrap_or_else(|| panic!("{id} {value}: was sent"));
        assert_eq!(err.field(), Some(*field), "{id} {value}: {err}");
        assert!(err.nothing_sent(), "{id}: {err}");
        let text = err.to_string();
        assert!(
            text.contains(reason),
            "{id}: {text:?} should mention {reason:?}"
        );
        assert_no_secret(&text);
        if let Some(pw) = value.get("password").and_then(Value::as_str) {
            assert!(!text.contains(pw), "{id}: the password was echoed: {text}");
        }
    }

    // The typed API refuses the same way.
    let err = client
        .users()
        .create("ada@example.com")
        .name("Ada")
        .password("weakpass")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("password"));
    assert!(!err.to_string().contains("weakpass"));
    let err = client
        .conversations()
        .toggle_priority(1, 2)
        .priority("sky-high")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("priority"));

    // A paged stream refuses before its first page.
    let opts = options();
    let first = client
        .stream(
            "contacts.list",
            input(json!({"account_id": 1, "sort": "age"})),
            &opts,
            None,
        )
        .next()
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(first.field(), Some("sort"));
    server.verify().await;
}
