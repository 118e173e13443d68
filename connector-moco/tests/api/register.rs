//! `ensure_webhook` reuses a matching subscription and creates one otherwise.

use crate::common::{api_root, client};
use connector_moco::webhooks::ensure_webhook;
use serde_json::{Value, json};
use wiremock::matchers::{body_json, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

const URL: &str = "https://hooks.example.org/moco";

fn hook(id: i64, target: &str, event: &str, url: &str, disabled: bool) -> Value {
    json!({"id": id, "target": target, "event": event, "hook": url, "disabled": disabled, "disabled_at": null})
}

async fn listing(server: &MockServer, hooks: Value) {
    Mock::given(method("GET"))
        .and(path("/api/v1/account/web_hooks"))
        .respond_with(ResponseTemplate::new(200).set_body_json(hooks))
        .expect(1)
        .mount(server)
        .await;
}

async fn no_writes(server: &MockServer) {
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(server)
        .await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_hook_with_the_same_target_event_and_url_is_reused() {
    let server = MockServer::start().await;
    listing(
        &server,
        json!([
            hook(
                1,
                "Activity",
                "create",
                "https://elsewhere.example.org/",
                false
            ),
            hook(2, "Project", "create", URL, false),
            hook(3, "Activity", "update", URL, false),
            hook(4, "Activity", "create", URL, false),
        ]),
    )
    .await;
    no_writes(&server).await;
    let got = ensure_webhook(&client(&server), "Activity", "create", URL)
        .await
        .unwrap();
    assert_eq!(got.id, Some(4));
}

#[tokio::test]
async fn a_hook_is_created_when_none_matches() {
    let server = MockServer::start().await;
    listing(
        &server,
        json!([
            hook(
                1,
                "Activity",
                "create",
                "https://elsewhere.example.org/",
                false
            ),
            hook(2, "Activity", "delete", URL, false),
        ]),
    )
    .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/account/web_hooks"))
        .and(body_json(
            json!({"target": "Activity", "event": "create", "hook": URL}),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(hook(9, "Activity", "create", URL, false)),
        )
        .expect(1)
        .mount(&server)
        .await;
    let got = ensure_webhook(&client(&server), "Activity", "create", URL)
        .await
        .unwrap();
    assert_eq!(got.id, Some(9));
}

#[tokio::test]
async fn every_page_of_hooks_is_searched() {
    let server = MockServer::start().await;
    let next = format!(
        "<{}/account/web_hooks?page=2>; rel=\"next\"",
        api_root(&server)
    );
    Mock::given(method("GET"))
        .and(path("/api/v1/account/web_hooks"))
        .and(query_param_is_missing("page"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([hook(1, "Deal", "create", URL, false)]))
                .insert_header("Link", next),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/account/web_hooks"))
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([hook(
            2,
            "Invoice::Payment",
            "update",
            URL,
            false
        )])))
        .expect(1)
        .mount(&server)
        .await;
    no_writes(&server).await;
    let got = ensure_webhook(&client(&server), "Invoice::Payment", "update", URL)
        .await
        .unwrap();
    assert_eq!(got.id, Some(2));
}

#[tokio::test]
async fn a_disabled_match_is_enabled_again() {
    let server = MockServer::start().await;
    listing(&server, json!([hook(5, "Activity", "create", URL, true)])).await;
    Mock::given(method("PUT"))
        .and(path("/api/v1/account/web_hooks/5/enable"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(hook(5, "Activity", "create", URL, false)),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let got = ensure_webhook(&client(&server), "Activity", "create", URL)
        .await
        .unwrap();
    assert_eq!((got.id, got.disabled), (Some(5), Some(false)));
}

#[tokio::test]
async fn an_unknown_target_is_refused_before_creating() {
    let server = MockServer::start().await;
    listing(&server, json!([])).await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let err = ensure_webhook(&client(&server), "activity", "create", URL)
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("target"));
}
