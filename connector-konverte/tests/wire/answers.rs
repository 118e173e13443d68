//! The typed answers of the actions that answered untyped JSON before, as the Chatwoot 4.15.1
//! controllers and views render them: each reads a realistic answer (wiremock), and the
//! sandbox's answer to the same typed call.

use crate::support::client;
use connector_core::Attachment;
use connector_konverte::{Konverte, SecretString};
use connector_sandbox::{KonverteSandbox, SandboxConfig};
use serde_json::{Map, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn answer(server: &MockServer, verb: &str, route: &str, response: ResponseTemplate) {
    Mock::given(method(verb))
        .and(path(route))
        .respond_with(response)
        .expect(1)
        .mount(server)
        .await;
}

fn body(v: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(v)
}

#[tokio::test]
async fn the_channel_reports_read_per_channel_type_and_keep_new_ones() {
    let server = MockServer::start().await;
    answer(
        &server,
        "GET",
        "/api/v2/accounts/1/reports/first_response_time_distribution",
        body(json!({
            "Channel::WebWidget": {"0-1h": 12, "1-4h": 3, "4-8h": 0, "8-24h": 1, "24h+": 2},
            "Channel::Email": {"0-1h": 0, "1-4h": 5, "4-8h": 2, "8-24h": 0, "24h+": 0},
            "Channel::Voice": {"0-1h": 1, "1-4h": 0, "4-8h": 0, "8-24h": 0, "24h+": 0}
        })),
    )
    .await;
    answer(
        &server,
        "GET",
        "/api/v2/accounts/1/summary_reports/channel",
        body(json!({
            "Channel::Whatsapp": {"open": 4, "resolved": 10, "pending": 1, "snoozed": 0, "total": 15},
            "Channel::Api": {"open": 0, "resolved": 2, "pending": 0, "snoozed": 1, "total": 3}
        })),
    )
    .await;
    let konverte = client(&server);
    let distribution = konverte
        .reports()
        .first_response_time_distribution(1)
        .since(1_714_521_600)
        .send()
        .await
        .unwrap();
    let widget = distribution.channel_webwidget.unwrap();
    assert_eq!(
        (
            widget.p_0_1h,
            widget.p_1_4h,
            widget.p_4_8h,
            widget.p_8_24h,
            widget.p_24h
        ),
        (Some(12), Some(3), Some(0), Some(1), Some(2))
    );
    assert_eq!(distribution.channel_email.unwrap().p_1_4h, Some(5));
    assert!(distribution.channel_api.is_none(), "absent channel types");
    assert_eq!(
        distribution.extra["Channel::Voice"]["0-1h"], 1,
        "a channel type this version does not name"
    );
    let summary = konverte
        .reports()
        .summary_by_channel(1)
        .send()
        .await
        .unwrap();
    let whatsapp = summary.channel_whatsapp.unwrap();
    assert_eq!(
        (whatsapp.open, whatsapp.resolved, whatsapp.total),
        (Some(4), Some(10), Some(15))
    );
    assert_eq!(summary.channel_api.unwrap().snoozed, Some(1));
}

#[tokio::test]
async fn label_lists_counts_and_inbox_deletion_read_as_declared() {
    let server = MockServer::start().await;
    let labels = || body(json!({"payload": ["billing", "vip"]}));
    for (verb, route) in [
        ("GET", "/api/v1/accounts/1/contacts/7/labels"),
        ("POST", "/api/v1/accounts/1/contacts/7/labels"),
        ("GET", "/api/v1/accounts/1/conversations/9/labels"),
        ("POST", "/api/v1/accounts/1/conversations/9/labels"),
    ] {
        answer(&server, verb, route, labels()).await;
    }
    answer(
        &server,
        "GET",
        "/api/v1/accounts/1/notifications/unread_count",
        body(json!(4)),
    )
    .await;
    answer(
        &server,
        "DELETE",
        "/api/v1/accounts/1/inboxes/3",
        body(json!({"message": "Your inbox deletion request will be processed in some time."})),
    )
    .await;
    let konverte = client(&server);
    let expected = vec!["billing".to_owned(), "vip".to_owned()];
    assert_eq!(
        konverte.contacts().labels(1, 7).send().await.unwrap(),
        expected
    );
    assert_eq!(
        konverte
            .contacts()
            .set_labels(1, 7, ["billing", "vip"])
            .send()
            .await
            .unwrap(),
        expected
    );
    assert_eq!(
        konverte.conversations().labels(1, 9).send().await.unwrap(),
        expected
    );
    assert_eq!(
        konverte
            .conversations()
            .add_labels(1, 9)
            .labels(["billing", "vip"])
            .send()
            .await
            .unwrap(),
        expected
    );
    assert_eq!(
        konverte
            .notifications()
            .unread_count(1)
            .send()
            .await
            .unwrap(),
        4
    );
    let deletion = konverte.inboxes().delete(1, 3).send().await.unwrap();
    assert!(
        deletion.message.unwrap().contains("processed"),
        "the message is read"
    );
}

#[tokio::test]
async fn head_ok_actions_return_unit() {
    let server = MockServer::start().await;
    for (verb, route) in [
        ("POST", "/api/v1/accounts/1/agents/bulk_create"),
        ("POST", "/api/v1/accounts/1/portals/help/articles/reorder"),
        (
            "PATCH",
            "/api/v1/accounts/1/portals/help/articles/bulk_actions/update_status",
        ),
        (
            "PATCH",
            "/api/v1/accounts/1/portals/help/articles/bulk_actions/update_category",
        ),
        ("POST", "/api/v1/accounts/1/bulk_actions"),
        ("POST", "/api/v1/accounts/1/portals/help/categories/reorder"),
        ("POST", "/api/v1/accounts/1/contacts/import"),
        ("PATCH", "/api/v1/accounts/1/conversations/9/draft_messages"),
        (
            "POST",
            "/public/api/v1/inboxes/in-1/contacts/c-1/conversations/9/toggle_typing",
        ),
        (
            "POST",
            "/public/api/v1/inboxes/in-1/contacts/c-1/conversations/9/update_last_seen",
        ),
        ("POST", "/api/v1/accounts/1/inboxes/3/set_agent_bot"),
    ] {
        // `head :ok`: a 200 without a body.
        answer(&server, verb, route, ResponseTemplate::new(200)).await;
    }
    let k = client(&server);
    let positions = Map::from_iter([("4".to_owned(), json!(1))]);
    let (): () = k
        .agents()
        .bulk_create(1, ["a@example.org"])
        .send()
        .await
        .unwrap();
    k.articles()
        .reorder(1, "help")
        .positions_hash(positions.clone())
        .send()
        .await
        .unwrap();
    k.articles()
        .bulk_update_status(1, "help", [4])
        .status("published")
        .send()
        .await
        .unwrap();
    k.articles()
        .bulk_update_category(1, "help", [4])
        .category_id(2)
        .send()
        .await
        .unwrap();
    k.bulk_actions()
        .create(1, "Conversation")
        .ids([9])
        .send()
        .await
        .unwrap();
    k.categories()
        .reorder(1, "help")
        .positions_hash(positions)
        .send()
        .await
        .unwrap();
    k.contacts()
        .import(1, Attachment::from_bytes("c.csv", b"name\nAda\n".to_vec()))
        .send()
        .await
        .unwrap();
    k.conversation_drafts()
        .update(1, 9)
        .message("Draft")
        .send()
        .await
        .unwrap();
    k.conversations_api()
        .toggle_typing("in-1", "c-1", 9)
        .typing_status("on")
        .send()
        .await
        .unwrap();
    k.conversations_api()
        .update_last_seen("in-1", "c-1", 9)
        .send()
        .await
        .unwrap();
    k.inboxes()
        .set_agent_bot(1, 3)
        .agent_bot(2)
        .send()
        .await
        .unwrap();
}

fn sandbox_client(sandbox: &KonverteSandbox) -> Konverte {
    Konverte::builder()
        .base_url(sandbox.base_url())
        .api_token(SecretString::from(sandbox.token().to_owned()))
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_sandbox_answers_decode_as_the_declared_models() {
    let sandbox = KonverteSandbox::start(SandboxConfig::default())
        .await
        .unwrap();
    let k = sandbox_client(&sandbox);
    let contact = k
        .execute_json(
            "contacts.create",
            json!({"account_id": 1, "inbox_id": 1, "name": "Visitor"}),
        )
        .await
        .unwrap();
    let contact_id = contact["payload"]["contact"]["id"]
        .as_i64()
        .or_else(|| contact["id"].as_i64())
        .expect("a contact id");
    let conversation = k
        .execute_json(
            "conversations.create",
            json!({"account_id": 1, "inbox_id": 1, "contact_id": contact_id}),
        )
        .await
        .unwrap();
    let conversation_id = conversation["id"].as_i64().expect("a conversation id");

    let set = k
        .contacts()
        .set_labels(1, contact_id, ["vip"])
        .send()
        .await
        .unwrap();
    assert_eq!(set, ["vip"]);
    assert_eq!(
        k.contacts().labels(1, contact_id).send().await.unwrap(),
        ["vip"]
    );
    let added = k
        .conversations()
        .add_labels(1, conversation_id)
        .labels(["billing"])
        .send()
        .await
        .unwrap();
    assert_eq!(added, ["billing"]);
    assert_eq!(
        k.conversations()
            .labels(1, conversation_id)
            .send()
            .await
            .unwrap(),
        ["billing"]
    );
    let unread = k.notifications().unread_count(1).send().await.unwrap();
    assert_eq!(unread, 0);
    // Decoding is the check: a model reads any object, and fails on anything else.
    k.reports()
        .first_response_time_distribution(1)
        .send()
        .await
        .unwrap();
    k.reports().summary_by_channel(1).send().await.unwrap();
    k.conversation_drafts()
        .update(1, conversation_id)
        .message("Draft")
        .send()
        .await
        .unwrap();
    let bot = k
        .execute_json(
            "account_agent_bots.create",
            json!({"account_id": 1, "name": "Triage"}),
        )
        .await
        .unwrap();
    k.inboxes()
        .set_agent_bot(1, 1)
        .agent_bot(bot["id"].as_i64().expect("a bot id"))
        .send()
        .await
        .unwrap();
    let deletion = k.inboxes().delete(1, 1).send().await.unwrap();
    assert!(deletion.message.is_some(), "{deletion:?}");
    sandbox.shutdown().await;
}
