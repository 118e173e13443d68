//! The families that page, unwrap or nest: message cursors walking back through a whole
//! history, page numbers stopping where the server says, envelopes the typed calls
//! unwrap, bodies nested under the model key. Each expectation names its server file.

use super::support::{client, input, options};
use connector_konverte::Connector;
use futures::StreamExt;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const MESSAGES: &str = "/api/v1/accounts/1/conversations/42/messages";

/// A conversation of `total` messages (ids 1..=total), served the way
/// app/finders/message_finder.rb does: no cursor = the newest 20, `before=N` = the 20
/// before N, `after=N` = up to 100 after N; every page in ascending order, inside
/// `{"meta": ..., "payload": [...]}` (app/views/api/v1/accounts/conversations/messages/index.json.jbuilder).
struct History {
    total: i64,
}

impl Respond for History {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let number = |name: &str| {
            req.url
                .query_pairs()
                .find(|(k, _)| k == name)
                .and_then(|(_, v)| v.parse::<i64>().ok())
        };
        let ids: Vec<i64> = match (number("before"), number("after")) {
            (Some(before), _) => ((before - 20).max(1)..before).collect(),
            (None, Some(after)) => ((after + 1)..=(after + 100).min(self.total)).collect(),
            (None, None) => ((self.total - 19).max(1)..=self.total).collect(),
        };
        let payload: Vec<Value> = ids
            .iter()
            .map(|id| json!({"id": id, "content": format!("m{id}"), "message_type": 1, "created_at": 1_700_000_000 + id}))
            .collect();
        ResponseTemplate::new(200).set_body_json(
            json!({"meta": {"labels": [], "contact": {"id": 9}}, "payload": payload}),
        )
    }
}

async fn history(total: i64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(MESSAGES))
        .respond_with(History { total })
        .mount(&server)
        .await;
    server
}

fn cursors(requests: &[Request]) -> Vec<Option<String>> {
    requests
        .iter()
        .map(|r| r.url.query().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn a_message_stream_walks_back_through_the_whole_history() {
    let server = history(47).await;
    let client = client(&server);
    let messages: Vec<_> = client.messages().list(1, 42).stream(None).collect().await;
    let ids: Vec<i64> = messages
        .into_iter()
        .map(|m| m.unwrap().id.unwrap())
        .collect();
    // Newest page first, each page oldest first, as the server sends them.
    let expected: Vec<i64> = (28..=47).chain(8..=27).chain(1..=7).collect();
    assert_eq!(ids, expected);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        cursors(&requests),
        vec![
            None,
            Some("before=28".into()),
            Some("before=8".into()),
            Some("before=1".into())
        ],
        "before = the smallest id seen, until a page comes back empty"
    );
}

#[tokio::test]
async fn a_limit_stops_the_walk_without_another_page() {
    let server = history(100).await;
    let client = client(&server);
    let opts = options();
    let items: Vec<Value> = client
        .stream(
            "messages.list",
            input(json!({"account_id": 1, "conversation_id": 42})),
            &opts,
            Some(25),
        )
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(items.len(), 25);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn after_walks_forward_from_a_known_message() {
    let server = history(260).await;
    let client = client(&server);
    let ids: Vec<i64> = client
        .messages()
        .list(1, 42)
        .after(30)
        .stream(None)
        .map(|m| m.unwrap().id.unwrap())
        .collect()
        .await;
    assert_eq!(ids, (31..=260).collect::<Vec<_>>());
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        cursors(&requests),
        vec![
            Some("after=30".into()),
            Some("after=130".into()),
            Some("after=230".into()),
            Some("after=260".into())
        ]
    );
}

#[tokio::test]
async fn the_public_message_list_walks_back_with_before_only() {
    // app/controllers/public/api/v1/inboxes/messages_controller.rb passes only `before`
    // to the finder; the answer is a bare array.
    let server = MockServer::start().await;
    let base = "/public/api/v1/inboxes/Xy12abc/contacts/c-99/conversations/5/messages";
    let page = |ids: std::ops::RangeInclusive<i64>| {
        let items: Vec<Value> = ids.map(|id| json!({"id": id, "content": "x"})).collect();
        ResponseTemplate::new(200).set_body_json(items)
    };
    Mock::given(path(base))
        .and(query_param_is_missing("before"))
        .respond_with(page(21..=40))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path(base))
        .and(query_param("before", "21"))
        .respond_with(page(1..=20))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path(base))
        .and(query_param("before", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let opts = options();
    let n = client
        .stream(
            "messages_api.list",
            input(json!({"inbox_identifier": "Xy12abc", "contact_identifier": "c-99", "conversation_id": 5})),
            &opts,
            None,
        )
        .filter(|r| std::future::ready(r.is_ok()))
        .count()
        .await;
    assert_eq!(n, 40);
    let requests = server.received_requests().await.unwrap();
    assert!(
        requests
            .iter()
            .all(|r| r.headers.get("api-access-token").is_none())
    );
    server.verify().await;
}

#[tokio::test]
async fn contact_search_pages_until_has_more_is_false() {
    // app/views/api/v1/accounts/contacts/search.json.jbuilder: `count` is the size of
    // this page, `has_more` whether another follows.
    let server = MockServer::start().await;
    let answer = |ids: std::ops::RangeInclusive<i64>, has_more: bool| {
        let payload: Vec<Value> = ids
            .map(|id| json!({"id": id, "name": format!("Ada {id}")}))
            .collect();
        let count = payload.len();
        ResponseTemplate::new(200).set_body_json(
            json!({"meta": {"count": count, "current_page": "1", "has_more": has_more}, "payload": payload}),
        )
    };
    for (page, ids, more) in [(1, 1..=15, true), (2, 16..=30, false)] {
        Mock::given(path("/api/v1/accounts/1/contacts/search"))
            .and(query_param("q", "ada"))
            .and(query_param("page", page.to_string()))
            .respond_with(answer(ids, more))
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(query_param("page", "3"))
        .respond_with(answer(31..=45, false))
        .expect(0)
        .named("no page after has_more = false")
        .mount(&server)
        .await;
    let client = client(&server);
    let contacts: Vec<_> = client
        .contacts()
        .search(1, "ada")
        .stream(None)
        .collect()
        .await;
    assert_eq!(contacts.len(), 30, "count (15) is not a total");
    server.verify().await;
}

#[tokio::test]
async fn a_list_with_a_real_total_stops_when_it_is_reached() {
    // app/views/api/v1/accounts/notifications/index.json.jbuilder: `count` is the
    // number of all notifications the finder found.
    let server = MockServer::start().await;
    for page in 1..=2 {
        let payload: Vec<Value> = (1..=3).map(|i| json!({"id": page * 10 + i})).collect();
        Mock::given(path("/api/v1/accounts/1/notifications"))
            .and(query_param("page", page.to_string()))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "data": {"meta": {"unread_count": 1, "count": 6, "current_page": page}, "payload": payload}
            })))
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(query_param("page", "3"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": {"meta": {"count": 6}, "payload": [{"id": 99}]}})),
        )
        .expect(0)
        .mount(&server)
        .await;
    let client = client(&server);
    let ids: Vec<i64> = client
        .notifications()
        .list(1)
        .stream(None)
        .map(|n| n.unwrap().id.unwrap())
        .collect()
        .await;
    assert_eq!(ids, vec![11, 12, 13, 21, 22, 23]);
    server.verify().await;
}

#[tokio::test]
async fn conversation_lists_stop_on_a_short_page_not_on_all_count() {
    // app/views/api/v1/accounts/conversations/index.json.jbuilder: `all_count` counts
    // before `assignee_type` narrows the list, so it is no total for paging.
    let server = MockServer::start().await;
    for (page, n) in [(1, 25), (2, 4)] {
        let payload: Vec<Value> = (0..n).map(|i| json!({"id": page * 100 + i})).collect();
        Mock::given(path("/api/v1/accounts/1/conversations"))
            .and(query_param("page", page.to_string()))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "data": {"meta": {"mine_count": 29, "all_count": 500}, "payload": payload}
            })))
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = client(&server);
    let opts = options();
    let n = client
        .stream(
            "conversations.list",
            input(json!({"account_id": 1, "assignee_type": "me"})),
            &opts,
            None,
        )
        .count()
        .await;
    assert_eq!(n, 29);
    server.verify().await;
}

#[tokio::test]
async fn typed_calls_unwrap_the_envelope_the_view_renders() {
    let server = MockServer::start().await;
    let answers = [
        // app/views/api/v1/accounts/contacts/show.json.jbuilder
        (
            "/api/v1/accounts/1/contacts/7",
            json!({"payload": {"id": 7, "name": "Ada", "email": "ada@example.com"}}),
        ),
        // app/views/api/v1/accounts/webhooks/index.json.jbuilder
        (
            "/api/v1/accounts/1/webhooks",
            json!({"payload": {"webhooks": [{"id": 3, "url": "https://x.test/h", "subscriptions": ["message_created"], "secret": "s"}]}}),
        ),
        // app/views/api/v1/accounts/conversations/toggle_status.json.jbuilder
        (
            "/api/v1/accounts/1/conversations/42/toggle_status",
            json!({"meta": {}, "payload": {"success": true, "conversation_id": 42, "current_status": "snoozed"}}),
        ),
        // app/controllers/api/v1/accounts/inbox_csat_templates_controller.rb, render_successful_template_creation
        (
            "/api/v1/accounts/1/inboxes/5/csat_template",
            json!({"template": {"name": "csat_5", "template_id": "t-1", "status": "PENDING", "language": "en"}}),
        ),
        // app/views/api/v1/accounts/contacts/create.json.jbuilder
        (
            "/api/v1/accounts/1/contacts",
            json!({"payload": {"contact": {"id": 8, "name": "Grace"}, "contact_inbox": {"source_id": "s"}}}),
        ),
    ];
    for (p, body) in &answers {
        Mock::given(path(*p))
            .respond_with(ResponseTemplate::new(200).set_body_json(body.clone()))
            .mount(&server)
            .await;
    }
    let client = client(&server);
    let contact = client.contacts().get(1, 7).send().await.unwrap();
    assert_eq!(
        (contact.id, contact.email.as_deref()),
        (Some(7), Some("ada@example.com"))
    );
    let hooks = client.webhooks().list(1).send().await.unwrap();
    assert_eq!(hooks.len(), 1);
    assert_eq!(hooks[0].secret.as_deref(), Some("s"));
    let status = client
        .conversations()
        .toggle_status(1, 42)
        .status("snoozed")
        .snoozed_until(1_767_225_600)
        .send()
        .await
        .unwrap();
    assert_eq!(
        status
            .current_status
            .map(|s| s.as_str().to_owned())
            .as_deref(),
        Some("snoozed")
    );
    let template = client
        .inboxes()
        .create_csat_template(1, 5, "How did we do?")
        .send()
        .await
        .unwrap();
    assert_eq!(
        (template.name.as_deref(), template.status.as_deref()),
        (Some("csat_5"), Some("PENDING"))
    );
    let created = client
        .contacts()
        .create(1)
        .name("Grace")
        .send()
        .await
        .unwrap();
    assert_eq!(created.id, Some(8));
    // The dynamic API answers the whole body.
    let raw = client
        .execute(
            "contacts.get",
            input(json!({"account_id": 1, "contact_id": 7})),
            &options(),
        )
        .await
        .unwrap();
    assert_eq!(raw["payload"]["id"], 7);
}

#[tokio::test]
async fn typed_builders_nest_under_the_model_key_and_keep_top_level_fields() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"payload": {"id": 1}})))
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": 1, "slug": "handbook"})),
        )
        .mount(&server)
        .await;
    let client = client(&server);
    // enterprise/app/controllers/api/v1/accounts/sla_policies_controller.rb: params.require(:sla_policy)
    client
        .sla_policies()
        .create(1, "Gold")
        .first_response_time_threshold(3600.0)
        .send()
        .await
        .unwrap();
    // app/controllers/api/v1/accounts/portals_controller.rb: params.require(:portal), with
    // inbox_id and blob_id read at the top level.
    client
        .portals()
        .update(1, "handbook")
        .name("Handbook")
        .inbox_id(5)
        .send()
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    let body = |i: usize| serde_json::from_slice::<Value>(&requests[i].body).unwrap();
    assert_eq!(
        body(0),
        json!({"sla_policy": {"name": "Gold", "first_response_time_threshold": 3600.0}})
    );
    assert_eq!(
        requests[1].url.path(),
        "/api/v1/accounts/1/portals/handbook"
    );
    assert_eq!(
        body(1),
        json!({"portal": {"name": "Handbook"}, "inbox_id": 5})
    );
}

#[tokio::test]
async fn a_dry_run_masks_secrets_inside_the_nested_body() {
    let server = MockServer::start().await;
    let client = client(&server);
    // app/controllers/api/v1/profiles_controller.rb: params.require(:profile).permit(:password, ...)
    let prepared = client
        .prepare(
            "profile.update",
            &input(json!({"current_password": "Old-pass1!", "password": "N3w-pass!", "password_confirmation": "N3w-pass!"})),
        )
        .unwrap();
    let shown = client.describe(&prepared, &options()).unwrap();
    assert_eq!(
        shown["body"],
        json!({"profile": {"current_password": "***", "password": "***", "password_confirmation": "***"}})
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_limit_reached_on_page_two_never_fetches_page_three() {
    // app/views/api/v1/accounts/contacts/index.json.jbuilder: `count` is every contact.
    let server = MockServer::start().await;
    for page in 1..=3 {
        let payload: Vec<Value> = (1..=2)
            .map(|i| json!({"id": (page - 1) * 2 + i, "name": "c"}))
            .collect();
        Mock::given(method("GET"))
            .and(path("/api/v1/accounts/1/contacts"))
            .and(query_param("page", page.to_string()))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"meta": {"count": 6, "current_page": page.to_string()}, "payload": payload}),
            ))
            .expect(if page == 3 { 0 } else { 1 })
            .mount(&server)
            .await;
    }
    let client = client(&server);
    let ids: Vec<i64> = client
        .contacts()
        .list(1)
        .sort("name")
        .stream(Some(3))
        .map(|c| c.unwrap().id.unwrap())
        .collect()
        .await;
    assert_eq!(ids, vec![1, 2, 3]);
    let received = server.received_requests().await.unwrap();
    assert_eq!(received[1].url.query(), Some("sort=name&page=2"));
    server.verify().await;
}

#[tokio::test]
async fn a_typed_update_sends_the_wire_names_and_decodes_the_record() {
    // app/controllers/platform/api/v1/users_controller.rb, app/views/platform/api/v1/models/_user.json.jbuilder
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
    let mut attrs = serde_json::Map::new();
    attrs.insert("tier".into(), json!("gold"));
    let user = client
        .users()
        .update(5)
        .name("Ada")
        .password("N3w-Secret!")
        .custom_attributes(attrs)
        .send()
        .await
        .unwrap();
    assert_eq!((user.id, user.name.as_deref()), (Some(5), Some("Ada")));
    assert_eq!(user.custom_attributes.unwrap()["tier"], "gold");
    let req = &server.received_requests().await.unwrap()[0];
    assert_eq!(
        serde_json::from_slice::<Value>(&req.body).unwrap(),
        json!({"name": "Ada", "password": "N3w-Secret!", "custom_attributes": {"tier": "gold"}})
    );
}
