//! Lists as streams over real HTTP: Link rel=next and page-number + meta styles.

mod common;

use common::{connector, input};
use connector_core::{Connector, Options};
use futures::StreamExt;
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn link_pages(server: &MockServer, pages: u32, per: u32, expect_last: u64) {
    for p in 1..=pages {
        let items: Vec<_> = (0..per).map(|i| json!({"id": (p - 1) * per + i})).collect();
        let mut resp = ResponseTemplate::new(200)
            .set_body_json(items)
            .insert_header("x-page", p.to_string().as_str())
            .insert_header("x-per-page", per.to_string().as_str())
            .insert_header("x-total", (pages * per).to_string().as_str());
        if p < pages {
            let next = format!("<{}/items?page={}>; rel=\"next\"", server.uri(), p + 1);
            resp = resp.insert_header("link", next.as_str());
        }
        let m = Mock::given(method("GET")).and(path("/items"));
        let m = if p == 1 {
            m.and(wiremock::matchers::query_param_is_missing("page"))
        } else {
            m.and(query_param("page", p.to_string().as_str()))
        };
        let m = m.respond_with(resp);
        let m = if p == pages { m.expect(expect_last) } else { m };
        m.mount(server).await;
    }
}

#[tokio::test]
async fn link_pages_stream_until_no_next() {
    let server = MockServer::start().await;
    link_pages(&server, 3, 4, 1).await;
    let api = connector(&server.uri());
    let o = Options::default();
    let items: Vec<_> = api
        .stream("items.list", input(json!({})), &o, None)
        .collect()
        .await;
    let ids: Vec<i64> = items
        .into_iter()
        .map(|r| r.unwrap()["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, (0..12).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_limit_never_fetches_a_page_more_than_needed() {
    let server = MockServer::start().await;
    link_pages(&server, 3, 4, 0).await;
    let api = connector(&server.uri());
    let o = Options::default();
    let items: Vec<_> = api
        .stream("items.list", input(json!({})), &o, Some(8))
        .collect()
        .await;
    assert_eq!(items.len(), 8);
}

#[tokio::test]
async fn a_next_link_to_another_origin_is_not_followed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([{"id": 1}]))
                .insert_header("link", "<https://evil.example/items?page=2>; rel=\"next\""),
        )
        .mount(&server)
        .await;
    let api = connector(&server.uri());
    let o = Options::default();
    let items: Vec<_> = api
        .stream("items.list", input(json!({})), &o, None)
        .collect()
        .await;
    assert_eq!(items.len(), 2);
    assert!(items[0].is_ok());
    assert!(
        items[1]
            .as_ref()
            .unwrap_err()
            .to_string()
            .contains("another origin")
    );
}

#[tokio::test]
async fn page_number_lists_stop_at_the_total_and_start_where_asked() {
    let server = MockServer::start().await;
    for p in 1..=3u32 {
        let n = if p < 3 { 15 } else { 5 };
        let payload: Vec<_> = (0..n).map(|i| json!({"id": (p - 1) * 15 + i})).collect();
        Mock::given(method("GET"))
            .and(path("/contacts"))
            .and(query_param("page", p.to_string().as_str()))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"meta": {"count": 35, "current_page": p}, "payload": payload}),
            ))
            .mount(&server)
            .await;
    }
    let api = connector(&server.uri());
    let o = Options::default();
    let all: Vec<_> = api
        .stream("contacts.list", input(json!({})), &o, None)
        .collect()
        .await;
    assert_eq!(all.len(), 35);
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        3,
        "no 4th page after the total"
    );
    let from_two: Vec<_> = api
        .stream("contacts.list", input(json!({"page": 2})), &o, None)
        .collect()
        .await;
    assert_eq!(from_two.len(), 20);
    // The page parameter alone still fetches one page.
    let one = api
        .execute("contacts.list", input(json!({"page": 3})), &o)
        .await
        .unwrap();
    assert_eq!(one["payload"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn a_server_that_ignores_the_page_number_yields_each_item_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/contacts"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"payload": [{"id": 1}, {"id": 2}]})),
        )
        .mount(&server)
        .await;
    let api = connector(&server.uri());
    let o = Options::default();
    let all: Vec<_> = api
        .stream("contacts.list", input(json!({})), &o, None)
        .collect()
        .await;
    let ids: Vec<_> = all
        .into_iter()
        .map(|r| r.unwrap()["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![1, 2]);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_next_link_back_to_a_page_already_fetched_ends_the_list() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([{"id": 1}]))
                .insert_header(
                    "link",
                    format!("<{}/items?page=1>; rel=\"next\"", server.uri()).as_str(),
                ),
        )
        .mount(&server)
        .await;
    let api = connector(&server.uri());
    let o = Options::default();
    let items: Vec<_> = api
        .stream("items.list", input(json!({})), &o, None)
        .collect()
        .await;
    assert!(items.len() <= 2, "{} items", items.len());
    assert!(server.received_requests().await.unwrap().len() <= 2);
}

#[tokio::test]
async fn a_page_without_its_list_is_an_error_not_an_empty_list() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"data": {"payload": [{"id": 1}]}})),
        )
        .mount(&server)
        .await;
    let api = connector(&server.uri());
    let o = Options::default();
    let items: Vec<_> = api
        .stream("contacts.list", input(json!({})), &o, None)
        .collect()
        .await;
    assert_eq!(items.len(), 1);
    assert!(
        items[0]
            .as_ref()
            .unwrap_err()
            .to_string()
            .contains("/payload")
    );
}
