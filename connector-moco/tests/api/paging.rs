//! Lists follow `Link: rel="next"` page by page, and stop as soon as the limit is met.

use crate::common::{AUTHORIZATION, api_root, client, input, no_limit};
use connector_core::Connector;
use connector_core::futures::TryStreamExt;
use connector_moco::models::Activity;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Three pages of activities from 2024-05-01: [1, 2], [3, 4], [5]. `expect` says how
/// often each page must be fetched.
async fn three_pages(server: &MockServer, expect: [u64; 3]) {
    let root = api_root(server);
    let page = |n: u64, items: Value, next: Option<u64>| {
        let mut resp = ResponseTemplate::new(200)
            .set_body_json(items)
            .insert_header("X-Page", n.to_string())
            .insert_header("X-Per-Page", "2")
            .insert_header("X-Total", "5");
        let mut links = Vec::new();
        if n > 1 {
            links.push(format!(
                "<{root}/activities?from=2024-05-01&page={}>; rel=\"prev\"",
                n - 1
            ));
        }
        if let Some(next) = next {
            links.push(format!(
                "<{root}/activities?from=2024-05-01&page={next}>; rel=\"next\""
            ));
        }
        if !links.is_empty() {
            resp = resp.insert_header("Link", links.join(", "));
        }
        resp
    };
    Mock::given(method("GET"))
        .and(path("/api/v1/activities"))
        .and(query_param("from", "2024-05-01"))
        .and(query_param_is_missing("page"))
        .and(header("authorization", AUTHORIZATION))
        .respond_with(page(1, json!([{"id": 1}, {"id": 2}]), Some(2)))
        .expect(expect[0])
        .mount(server)
        .await;
    for (n, items, next, times) in [
        (2, json!([{"id": 3}, {"id": 4}]), Some(3), expect[1]),
        (3, json!([{"id": 5}]), None, expect[2]),
    ] {
        Mock::given(method("GET"))
            .and(path("/api/v1/activities"))
            .and(query_param("page", n.to_string()))
            .and(header("authorization", AUTHORIZATION))
            .respond_with(page(n, items, next))
            .expect(times)
            .mount(server)
            .await;
    }
}

fn ids(items: &[Activity]) -> Vec<i64> {
    items.iter().map(|a| a.id.unwrap()).collect()
}

#[tokio::test]
async fn every_page_is_fetched_once_in_order() {
    let server = MockServer::start().await;
    three_pages(&server, [1, 1, 1]).await;
    let moco = client(&server);
    let items: Vec<Activity> = moco
        .activities()
        .list()
        .from("2024-05-01")
        .stream(None)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&items), [1, 2, 3, 4, 5]);
}

#[tokio::test]
async fn a_limit_at_a_page_boundary_never_fetches_the_next_page() {
    let server = MockServer::start().await;
    three_pages(&server, [1, 1, 0]).await;
    let moco = client(&server);
    let items: Vec<Activity> = moco
        .activities()
        .list()
        .from("2024-05-01")
        .stream(Some(4))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&items), [1, 2, 3, 4]);
}

#[tokio::test]
async fn the_dynamic_stream_stops_mid_page_too() {
    let server = MockServer::start().await;
    three_pages(&server, [1, 1, 0]).await;
    let moco = client(&server);
    let options = no_limit();
    let items: Vec<Value> = moco
        .stream(
            "activities.list",
            input(json!({"from": "2024-05-01"})),
            &options,
            Some(3),
        )
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<i64> = items.iter().map(|v| v["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [1, 2, 3]);
}
