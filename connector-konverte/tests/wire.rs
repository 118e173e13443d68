//! Exact wire shapes against wiremock: method, path, query, JSON body and the token
//! header, for one or more actions of every resource group; paging; 401 hints; and
//! inputs refused before anything is sent.

use connector_konverte::{Connector, Error, Konverte, Options, SecretString};
use futures::StreamExt;
use serde_json::{Map, Value, json};
use wiremock::matchers::{any, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const USER_TOKEN: &str = "user-tok-8f3a9c";
const PLATFORM_TOKEN: &str = "platform-tok-51d2e7";
const BOT_TOKEN: &str = "bot-tok-0b7c44";
const SECRETS: [&str; 3] = [USER_TOKEN, PLATFORM_TOKEN, BOT_TOKEN];

fn options() -> Options {
    Options::builder().retries(0).build()
}

fn client(server: &MockServer) -> Konverte {
    Konverte::builder()
        .base_url(server.uri())
        .api_token(SecretString::from(USER_TOKEN))
        .platform_token(SecretString::from(PLATFORM_TOKEN))
        .agent_bot_token(SecretString::from(BOT_TOKEN))
        .options(options())
        .build()
        .unwrap()
}

fn input(v: Value) -> Map<String, Value> {
    v.as_object().expect("an object").clone()
}

fn assert_no_secret(text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "a token leaked: {text}");
    }
}

/// Which credential a request must carry.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Token {
    User,
    Platform,
    None,
}

impl Token {
    fn value(self) -> Option<&'static str> {
        match self {
            Token::User => Some(USER_TOKEN),
            Token::Platform => Some(PLATFORM_TOKEN),
            Token::None => None,
        }
    }
}

/// One expected request.
struct Shape {
    id: &'static str,
    input: Value,
    method: &'static str,
    path: &'static str,
    query: Option<&'static str>,
    body: Option<Value>,
    token: Token,
}

fn check(shape: &Shape, req: &Request, header: &str, other_header: &str) {
    let id = shape.id;
    assert_eq!(req.method.as_str(), shape.method, "{id}: method");
    assert_eq!(req.url.path(), shape.path, "{id}: path");
    // Pairs in any order: the server reads them by name.
    let sorted = |q: Option<&str>| {
        q.map(|q| {
            let mut pairs: Vec<&str> = q.split('&').collect();
            pairs.sort_unstable();
            pairs.join("&")
        })
    };
    assert_eq!(sorted(req.url.query()), sorted(shape.query), "{id}: query");
    match &shape.body {
        Some(expected) => {
            let got: Value = serde_json::from_slice(&req.body)
                .unwrap_or_else(|e| panic!("{id}: body is not JSON: {e}"));
            assert_eq!(&got, expected, "{id}: body");
            let ct = req
                .headers
                .get("content-type")
                .and_then(|v| v.to_str().ok());
            assert_eq!(ct, Some("application/json"), "{id}: content type");
        }
        None => assert!(
            req.body.is_empty(),
            "{id}: unexpected body {:?}",
            String::from_utf8_lossy(&req.body)
        ),
    }
    let sent = req
        .headers
        .get(header)
        .map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(sent.as_deref(), shape.token.value(), "{id}: {header}");
    assert!(
        req.headers.get(other_header).is_none(),
        "{id}: {other_header} must not be sent"
    );
}

fn shapes() -> Vec<Shape> {
    vec![
        Shape {
            id: "account_agent_bots.create",
            input: json!({"account_id": 1, "name": "Triage", "outgoing_url": "https://bot.example.com/hook"}),
            method: "POST",
            path: "/api/v1/accounts/1/agent_bots",
            query: None,
            body: Some(json!({"name": "Triage", "outgoing_url": "https://bot.example.com/hook"})),
            token: Token::User,
        },
        Shape {
            id: "account_users.create",
            input: json!({"account_id": "3", "user_id": 9, "role": "administrator"}),
            method: "POST",
            path: "/platform/api/v1/accounts/3/account_users",
            query: None,
            body: Some(json!({"user_id": 9, "role": "administrator"})),
            token: Token::Platform,
        },
        Shape {
            id: "accounts.update",
            input: json!({"account_id": 3, "name": "Acme"}),
            method: "PATCH",
            path: "/platform/api/v1/accounts/3",
            query: None,
            body: Some(json!({"name": "Acme"})),
            token: Token::Platform,
        },
        Shape {
            id: "agent_bots.get",
            input: json!({"id": 4}),
            method: "GET",
            path: "/platform/api/v1/agent_bots/4",
            query: None,
            body: None,
            token: Token::Platform,
        },
        Shape {
            id: "agents.create",
            input: json!({"account_id": 1, "name": "Grace", "email": "grace@example.com", "role": "agent", "auto_offline": "false"}),
            method: "POST",
            path: "/api/v1/accounts/1/agents",
            query: None,
            body: Some(
                json!({"name": "Grace", "email": "grace@example.com", "role": "agent", "auto_offline": false}),
            ),
            token: Token::User,
        },
        Shape {
            id: "automation_rules.create",
            input: json!({
                "account_id": 1, "name": "Tag help", "event_name": "message_created", "active": true,
                "conditions": [{"attribute_key": "content", "filter_operator": "contains", "values": ["help"], "query_operator": null}],
                "actions": "[{\"action_name\": \"add_label\", \"action_params\": [\"support\"]}]"
            }),
            method: "POST",
            path: "/api/v1/accounts/1/automation_rules",
            query: None,
            body: Some(json!({
                "name": "Tag help", "event_name": "message_created", "active": true,
                "actions": [{"action_name": "add_label", "action_params": ["support"]}],
                "conditions": [{"attribute_key": "content", "filter_operator": "contains", "values": ["help"], "query_operator": null}]
            })),
            token: Token::User,
        },
        Shape {
            id: "canned_responses.update",
            input: json!({"account_id": 1, "id": 2, "short_code": "thx", "content": "Thank you!"}),
            method: "PATCH",
            path: "/api/v1/accounts/1/canned_responses/2",
            query: None,
            body: Some(json!({"content": "Thank you!", "short_code": "thx"})),
            token: Token::User,
        },
        Shape {
            id: "contacts.search",
            input: json!({"account_id": 1, "page": 2, "sort": "-name", "q": "ada lovelace"}),
            method: "GET",
            path: "/api/v1/accounts/1/contacts/search",
            query: Some("sort=-name&page=2&q=ada+lovelace"),
            body: None,
            token: Token::User,
        },
        Shape {
            id: "contacts.update",
            input: json!({"account_id": 1, "id": 77, "phone_number": "+4930123456", "custom_attributes": "{\"tier\": \"gold\"}"}),
            method: "PUT",
            path: "/api/v1/accounts/1/contacts/77",
            query: None,
            body: Some(
                json!({"phone_number": "+4930123456", "custom_attributes": {"tier": "gold"}}),
            ),
            token: Token::User,
        },
        Shape {
            id: "contacts.filter",
            input: json!({"account_id": 1, "page": 1, "payload": [{"attribute_key": "email", "filter_operator": "contains", "values": ["@example.com"], "query_operator": null}]}),
            method: "POST",
            path: "/api/v1/accounts/1/contacts/filter",
            query: Some("page=1"),
            body: Some(
                json!({"payload": [{"attribute_key": "email", "filter_operator": "contains", "values": ["@example.com"], "query_operator": null}]}),
            ),
            token: Token::User,
        },
        Shape {
            id: "contacts_api.create",
            input: json!({"inbox_identifier": "Xy12abc", "name": "Ada", "custom_attributes": {"plan": "pro"}}),
            method: "POST",
            path: "/public/api/v1/inboxes/Xy12abc/contacts",
            query: None,
            body: Some(json!({"name": "Ada", "custom_attributes": {"plan": "pro"}})),
            token: Token::None,
        },
        Shape {
            id: "contacts_api.get",
            input: json!({"inbox_identifier": "a/../b", "contact_identifier": "s?1#x"}),
            method: "GET",
            path: "/public/api/v1/inboxes/a%2F..%2Fb/contacts/s%3F1%23x",
            query: None,
            body: None,
            token: Token::None,
        },
        Shape {
            id: "conversations.list",
            input: json!({"account_id": 1, "status": "pending", "assignee_type": "me", "labels": ["vip", "billing"], "inbox_id": 4, "page": 1}),
            method: "GET",
            path: "/api/v1/accounts/1/conversations",
            query: Some(
                "assignee_type=me&status=pending&inbox_id=4&labels%5B%5D=vip&labels%5B%5D=billing&page=1",
            ),
            body: None,
            token: Token::User,
        },
        Shape {
            id: "conversations.toggle_status",
            input: json!({"account_id": 1, "conversation_id": 42}),
            method: "POST",
            path: "/api/v1/accounts/1/conversations/42/toggle_status",
            query: None,
            body: Some(json!({})),
            token: Token::User,
        },
        Shape {
            id: "conversations.add_labels",
            input: json!({"account_id": 1, "conversation_id": 42, "labels": "vip, billing"}),
            method: "POST",
            path: "/api/v1/accounts/1/conversations/42/labels",
            query: None,
            body: Some(json!({"labels": ["vip", "billing"]})),
            token: Token::User,
        },
        Shape {
            id: "conversations_api.create",
            input: json!({"inbox_identifier": "Xy12abc", "contact_identifier": "c-99", "custom_attributes": {}}),
            method: "POST",
            path: "/public/api/v1/inboxes/Xy12abc/contacts/c-99/conversations",
            query: None,
            body: Some(json!({"custom_attributes": {}})),
            token: Token::None,
        },
        Shape {
            id: "csat_survey.get",
            input: json!({"conversation_uuid": "6f1c2d1e-8a8b-4c55-9d1e-0e6a2b7c9f10"}),
            method: "GET",
            path: "/survey/responses/6f1c2d1e-8a8b-4c55-9d1e-0e6a2b7c9f10",
            query: None,
            body: None,
            token: Token::None,
        },
        Shape {
            id: "custom_attributes.list",
            input: json!({"account_id": 1, "attribute_model": "1"}),
            method: "GET",
            path: "/api/v1/accounts/1/custom_attribute_definitions",
            query: Some("attribute_model=1"),
            body: None,
            token: Token::User,
        },
        Shape {
            id: "custom_filters.create",
            input: json!({"account_id": 1, "filter_type": "contact", "name": "Gold", "type": "contact", "query": {"payload": []}}),
            method: "POST",
            path: "/api/v1/accounts/1/custom_filters",
            query: Some("filter_type=contact"),
            body: Some(json!({"name": "Gold", "type": "contact", "query": {"payload": []}})),
            token: Token::User,
        },
        Shape {
            id: "inbox_api.get",
            input: json!({"inbox_identifier": "Xy12abc"}),
            method: "GET",
            path: "/public/api/v1/inboxes/Xy12abc",
            query: None,
            body: None,
            token: Token::None,
        },
        Shape {
            id: "inboxes.get",
            input: json!({"account_id": 1, "id": 7}),
            method: "GET",
            path: "/api/v1/accounts/1/inboxes/7/",
            query: None,
            body: None,
            token: Token::User,
        },
        Shape {
            id: "inboxes.create",
            input: json!({"account_id": 1, "name": "Website", "channel": {"type": "web_widget", "website_url": "https://example.com"}}),
            method: "POST",
            path: "/api/v1/accounts/1/inboxes/",
            query: None,
            body: Some(
                json!({"name": "Website", "channel": {"type": "web_widget", "website_url": "https://example.com"}}),
            ),
            token: Token::User,
        },
        Shape {
            id: "inboxes.set_agent_bot",
            input: json!({"account_id": 1, "id": 7, "agent_bot": null}),
            method: "POST",
            path: "/api/v1/accounts/1/inboxes/7/set_agent_bot",
            query: None,
            body: Some(json!({"agent_bot": null})),
            token: Token::User,
        },
        Shape {
            id: "inboxes.remove_members",
            input: json!({"account_id": 1, "inbox_id": "7", "user_ids": "3,4"}),
            method: "DELETE",
            path: "/api/v1/accounts/1/inbox_members",
            query: None,
            body: Some(json!({"inbox_id": "7", "user_ids": [3, 4]})),
            token: Token::User,
        },
        Shape {
            id: "integrations.create_hook",
            input: json!({"account_id": 1, "app_id": "dialogflow", "inbox_id": "7", "settings": {"project_id": "p"}}),
            method: "POST",
            path: "/api/v1/accounts/1/integrations/hooks",
            query: None,
            body: Some(
                json!({"app_id": "dialogflow", "inbox_id": "7", "settings": {"project_id": "p"}}),
            ),
            token: Token::User,
        },
        Shape {
            id: "messages.create",
            input: json!({"account_id": 1, "conversation_id": 42, "content": "On it!", "private": true, "message_type": "outgoing"}),
            method: "POST",
            path: "/api/v1/accounts/1/conversations/42/messages",
            query: None,
            body: Some(json!({"content": "On it!", "message_type": "outgoing", "private": true})),
            token: Token::User,
        },
        Shape {
            id: "messages.delete",
            input: json!({"account_id": 1, "conversation_id": 42, "message_id": 900}),
            method: "DELETE",
            path: "/api/v1/accounts/1/conversations/42/messages/900",
            query: None,
            body: None,
            token: Token::User,
        },
        Shape {
            id: "messages_api.update",
            input: json!({"inbox_identifier": "Xy12abc", "contact_identifier": "c-99", "conversation_id": 5, "message_id": 6, "submitted_values": {"email": "ada@example.com"}}),
            method: "PATCH",
            path: "/public/api/v1/inboxes/Xy12abc/contacts/c-99/conversations/5/messages/6",
            query: None,
            body: Some(json!({"submitted_values": {"email": "ada@example.com"}})),
            token: Token::None,
        },
        Shape {
            id: "portals.create_category",
            input: json!({"account_id": 1, "portal_id": 2, "name": "Billing", "locale": "en", "position": 3}),
            method: "POST",
            path: "/api/v1/accounts/1/portals/2/categories",
            query: None,
            body: Some(
                json!({"locale": "en", "name": "Billing", "position": 3, "portal_id": 2, "account_id": 1}),
            ),
            token: Token::User,
        },
        Shape {
            id: "profile.get",
            input: json!({}),
            method: "GET",
            path: "/api/v1/profile",
            query: None,
            body: None,
            token: Token::User,
        },
        Shape {
            id: "reports.metric",
            input: json!({"account_id": 1, "metric": "conversations_count", "type": "team", "id": "3", "since": "1714521600", "until": "1717200000"}),
            method: "GET",
            path: "/api/v2/accounts/1/reports",
            query: Some(
                "metric=conversations_count&type=team&id=3&since=1714521600&until=1717200000",
            ),
            body: None,
            token: Token::User,
        },
        Shape {
            id: "reports.conversations",
            input: json!({"account_id": 1, "type": "account"}),
            method: "GET",
            path: "/api/v2/accounts/1/reports/conversations",
            query: Some("type=account"),
            body: None,
            token: Token::User,
        },
        Shape {
            id: "reports.agent_conversations",
            input: json!({"account_id": 1, "type": "agent", "user_id": "5"}),
            method: "GET",
            path: "/api/v2/accounts/1/reports/conversations/",
            query: Some("type=agent&user_id=5"),
            body: None,
            token: Token::User,
        },
        Shape {
            id: "teams.add_members",
            input: json!({"account_id": 1, "team_id": 3, "user_ids": [1, "2"]}),
            method: "POST",
            path: "/api/v1/accounts/1/teams/3/team_members",
            query: None,
            body: Some(json!({"user_ids": [1, 2]})),
            token: Token::User,
        },
        Shape {
            id: "users.create",
            input: json!({"name": "Ada", "email": "ada@example.com", "password": "Str0ng!pass", "custom_attributes": {"team": "core"}}),
            method: "POST",
            path: "/platform/api/v1/users",
            query: None,
            body: Some(
                json!({"name": "Ada", "email": "ada@example.com", "password": "Str0ng!pass", "custom_attributes": {"team": "core"}}),
            ),
            token: Token::Platform,
        },
        Shape {
            id: "users.login_link",
            input: json!({"id": 5}),
            method: "GET",
            path: "/platform/api/v1/users/5/login",
            query: None,
            body: None,
            token: Token::Platform,
        },
        Shape {
            id: "webhooks.create",
            input: json!({"account_id": 1, "url": "https://hooks.example.com/k", "subscriptions": ["message_created", "conversation_created"]}),
            method: "POST",
            path: "/api/v1/accounts/1/webhooks",
            query: None,
            body: Some(
                json!({"url": "https://hooks.example.com/k", "subscriptions": ["message_created", "conversation_created"]}),
            ),
            token: Token::User,
        },
    ]
}

#[tokio::test]
async fn every_resource_group_has_its_exact_wire_shape() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 1})))
        .mount(&server)
        .await;
    let client = client(&server);
    let shapes = shapes();
    let mut groups: Vec<&str> = Vec::new();
    for (i, shape) in shapes.iter().enumerate() {
        let out = client
            .execute(shape.id, input(shape.input.clone()), &options())
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", shape.id));
        assert_eq!(out, json!({"id": 1}), "{}", shape.id);
        let received = server.received_requests().await.unwrap();
        assert_eq!(received.len(), i + 1, "{}: one request per call", shape.id);
        check(shape, &received[i], "api_access_token", "api-access-token");
        groups.push(shape.id.split_once('.').unwrap().0);
    }
    // Every resource group of the registry is exercised here.
    for a in client.actions() {
        assert!(
            groups.contains(&a.resource),
            "no wire test for the `{}` group",
            a.resource
        );
    }
}

#[tokio::test]
async fn dashed_header_sends_api_access_token_with_dashes() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    let client = Konverte::builder()
        .base_url(server.uri())
        .api_token(SecretString::from(USER_TOKEN))
        .platform_token(SecretString::from(PLATFORM_TOKEN))
        .dashed_header(true)
        .options(options())
        .build()
        .unwrap();
    let wanted = ["profile.get", "users.login_link", "inbox_api.get"];
    let shapes: Vec<Shape> = shapes()
        .into_iter()
        .filter(|s| wanted.contains(&s.id))
        .collect();
    assert_eq!(shapes.len(), 3);
    for (i, shape) in shapes.iter().enumerate() {
        client
            .execute(shape.id, input(shape.input.clone()), &options())
            .await
            .unwrap();
        let received = server.received_requests().await.unwrap();
        check(shape, &received[i], "Api-Access-Token", "api_access_token");
    }
}

#[tokio::test]
async fn typed_update_sends_the_same_request_and_decodes_a_user() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path("/platform/api/v1/users/5"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": 5, "name": "Ada", "email": "ada@example.com", "custom_attributes": {"tier": "gold"}, "pubsub_token": "p"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let mut attrs = Map::new();
    attrs.insert("tier".into(), json!("gold"));
    let user = client
        .users()
        .update(5)
        .name("Ada")
        .email("ada@example.com")
        .password("N3w-Secret!")
        .custom_attributes(attrs)
        .send()
        .await
        .unwrap();
    assert_eq!((user.id, user.name.as_deref()), (Some(5), Some("Ada")));
    assert_eq!(user.custom_attributes.unwrap()["tier"], "gold");
    assert_eq!(user.extra["pubsub_token"], "p");
    let req = &server.received_requests().await.unwrap()[0];
    check(
        &Shape {
            id: "users.update",
            input: Value::Null,
            method: "PATCH",
            path: "/platform/api/v1/users/5",
            query: None,
            body: Some(
                json!({"name": "Ada", "email": "ada@example.com", "password": "N3w-Secret!", "custom_attributes": {"tier": "gold"}}),
            ),
            token: Token::Platform,
        },
        req,
        "api_access_token",
        "api-access-token",
    );
}

#[tokio::test]
async fn token_kinds_pick_the_right_token_and_fall_back_to_the_api_token() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    let sent = |req: &Request| {
        req.headers
            .get("api_access_token")
            .map(|v| v.to_str().unwrap().to_owned())
    };

    // A bot-only client: bot actions use the bot token; user-only actions are refused.
    let bot = Konverte::builder()
        .base_url(server.uri())
        .agent_bot_token(SecretString::from(BOT_TOKEN))
        .options(options())
        .build()
        .unwrap();
    bot.execute(
        "messages.create",
        input(json!({"account_id": 1, "conversation_id": 2, "content": "hi"})),
        &options(),
    )
    .await
    .unwrap();
    assert_eq!(
        sent(&server.received_requests().await.unwrap()[0]).as_deref(),
        Some(BOT_TOKEN)
    );
    let err = bot
        .execute("profile.get", Map::new(), &options())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err}");
    assert!(err.to_string().contains("user token"), "{err}");
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "nothing was sent"
    );

    // Only an api token: it serves the platform actions too.
    let user_only = Konverte::builder()
        .base_url(server.uri())
        .api_token(SecretString::from(USER_TOKEN))
        .options(options())
        .build()
        .unwrap();
    user_only
        .execute("users.get", input(json!({"id": 1})), &options())
        .await
        .unwrap();
    assert_eq!(
        sent(&server.received_requests().await.unwrap()[1]).as_deref(),
        Some(USER_TOKEN)
    );

    // With a platform token as well, platform actions use it.
    client(&server)
        .execute("accounts.get", input(json!({"account_id": 1})), &options())
        .await
        .unwrap();
    assert_eq!(
        sent(&server.received_requests().await.unwrap()[2]).as_deref(),
        Some(PLATFORM_TOKEN)
    );

    // The credentials check is the profile.
    client(&server).check_credentials(&options()).await.unwrap();
    let last = server.received_requests().await.unwrap().pop().unwrap();
    assert_eq!(
        (last.url.path(), sent(&last).as_deref()),
        ("/api/v1/profile", Some(USER_TOKEN))
    );
}

fn contacts_page(ids: &[i64], count: i64, page: i64) -> ResponseTemplate {
    let payload: Vec<Value> = ids
        .iter()
        .map(|id| json!({"id": id, "name": format!("c{id}")}))
        .collect();
    ResponseTemplate::new(200)
        .set_body_json(json!({"meta": {"count": count, "current_page": page}, "payload": payload}))
}

#[tokio::test]
async fn a_limit_reached_on_page_two_never_fetches_page_three() {
    let server = MockServer::start().await;
    let pages = [(1, vec![1, 2]), (2, vec![3, 4]), (3, vec![5, 6])];
    for (page, ids) in &pages {
        Mock::given(method("GET"))
            .and(path("/api/v1/accounts/1/contacts"))
            .and(query_param("page", page.to_string()))
            .respond_with(contacts_page(ids, 6, *page))
            .expect(if *page == 3 { 0 } else { 1 })
            .named(format!("page {page}"))
            .mount(&server)
            .await;
    }
    let client = client(&server);
    let contacts: Vec<_> = client
        .contacts()
        .list(1)
        .sort("name")
        .stream(Some(3))
        .collect()
        .await;
    let ids: Vec<i64> = contacts
        .into_iter()
        .map(|c| c.unwrap().id.unwrap())
        .collect();
    assert_eq!(ids, vec![1, 2, 3]);
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 2);
    assert_eq!(received[1].url.query(), Some("sort=name&page=2"));
    server.verify().await;
}

#[tokio::test]
async fn a_list_streams_across_three_pages_and_stops_at_the_total() {
    let server = MockServer::start().await;
    for page in 1..=3 {
        let payload: Vec<Value> = (1..=2)
            .map(|i| json!({"id": page * 10 + i, "status": "open"}))
            .collect();
        Mock::given(method("GET"))
            .and(path("/api/v1/accounts/1/conversations"))
            .and(query_param("page", page.to_string()))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "data": {"meta": {"mine_count": 0, "all_count": 6}, "payload": payload}
            })))
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(query_param("page", "4"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": {"meta": {"all_count": 6}, "payload": []}})),
        )
        .expect(0)
        .mount(&server)
        .await;
    let client = client(&server);
    let opts = options();
    let items: Vec<Value> = client
        .stream(
            "conversations.list",
            input(json!({"account_id": 1, "status": "open"})),
            &opts,
            None,
        )
        .map(|r| r.unwrap())
        .collect()
        .await;
    let ids: Vec<i64> = items.iter().map(|v| v["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, vec![11, 12, 21, 22, 31, 32]);
    server.verify().await;
}

#[tokio::test]
async fn unauthorized_names_the_token_kind_and_the_dashed_header() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({"error": "Invalid Access Token"})),
        )
        .expect(2)
        .mount(&server)
        .await;
    let client = client(&server);
    let err = client.users().get(5).send().await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    let text = err.to_string();
    assert!(text.contains("platform token"), "{text}");
    assert!(text.contains("Api-Access-Token"), "{text}");
    assert!(text.contains("Invalid Access Token"), "{text}");
    assert_no_secret(&text);
    assert_no_secret(&format!("{err:?}"));

    let err = client
        .execute(
            "messages.create",
            input(json!({"account_id": 1, "conversation_id": 2, "content": "x"})),
            &options(),
        )
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("user or agent_bot token"), "{text}");
    assert!(text.contains("Api-Access-Token"), "{text}");
    assert_no_secret(&text);
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
    let cases: Vec<(&str, Value, &str, &str)> = vec![
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
            json!({"id": 5, "custom_attributes": "[1, 2]"}),
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
            json!({"account_id": "1/../2", "id": 3}),
            "account_id",
            "whole number",
        ),
        ("users.get", json!({}), "id", "required"),
        (
            "messages.create",
            json!({"account_id": 1, "conversation_id": 2}),
            "content",
            "required",
        ),
        (
            "reports.metric",
            json!({"account_id": 1, "type": "account"}),
            "metric",
            "required",
        ),
        (
            "inboxes.add_members",
            json!({"account_id": 1, "user_ids": [1]}),
            "inbox_id",
            "required",
        ),
        (
            "conversations.toggle_priority",
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
            json!({"account_id": 1, "subscriptions": ["message_created", "everything"]}),
            "subscriptions[1]",
            "not one of",
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
    ];
    for (id, value, field, reason) in &cases {
        let err = client
            .execute(id, input(value.clone()), &options())
            .await
            .unwrap_err();
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
        .create()
        .name("Ada")
        .password("weakpass")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("password"));
    assert!(!err.to_string().contains("weakpass"));
    let err = client
        .users()
        .update(5)
        .password("alllower1!")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("password"));
    let err = client
        .conversations()
        .toggle_priority(1, 2, "sky-high")
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

#[tokio::test]
async fn tokens_never_show_in_debug_or_errors() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(403).set_body_string("forbidden"))
        .mount(&server)
        .await;
    let client = client(&server);
    assert_no_secret(&format!("{client:?}"));
    assert_no_secret(&format!("{:?}", client.connector()));
    assert_no_secret(&format!(
        "{:?}",
        client.users().update(1).password("S3cret!pw")
    ));
    let prepared = client
        .prepare(
            "users.update",
            &input(json!({"id": 1, "password": "S3cret!pw"})),
        )
        .unwrap();
    let described = client.describe(&prepared, &options()).unwrap().to_string();
    assert_no_secret(&described);
    assert!(!described.contains("S3cret!pw"), "{described}");
    for id in ["users.get", "profile.get", "messages.list"] {
        let mut i = json!({"id": 1, "account_id": 1, "conversation_id": 1});
        let spec = client.action(id).unwrap();
        i.as_object_mut()
            .unwrap()
            .retain(|k, _| spec.param(k).is_some());
        let err = client.execute(id, input(i), &options()).await.unwrap_err();
        assert_eq!(err.status(), Some(403));
        assert_no_secret(&err.to_string());
        assert_no_secret(&format!("{err:?}"));
        assert_no_secret(&err.to_json().to_string());
    }
}
