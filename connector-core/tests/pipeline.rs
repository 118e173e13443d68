//! The pipeline against real local HTTP servers (wiremock): timeouts, retries,
//! Retry-After, what is never re-sent, and what is never sent at all.

mod common;

use common::{TOKEN, connector, input};
use connector_core::{Connector, Error, Options, RetryPolicy};
use serde_json::json;
use std::time::{Duration, Instant};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn fast_retries(n: u32) -> Options {
    Options::builder()
        .retry(RetryPolicy {
            max_attempts: n + 1,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
            ..RetryPolicy::default()
        })
        .build()
}

#[tokio::test]
async fn a_slow_response_times_out_per_attempt() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let options = Options::builder()
        .timeout(Duration::from_millis(200))
        .retry(RetryPolicy::none())
        .build();
    let started = Instant::now();
    let err = connector(&server.uri())
        .execute("items.get", input(json!({"id": 1})), &options)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "the timeout did not fire"
    );
}

#[tokio::test]
async fn the_overall_deadline_bounds_all_retries() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "1"))
        .mount(&server)
        .await;
    let options = Options::builder()
        .total_timeout(Duration::from_millis(1500))
        .retries(10)
        .build();
    let err = connector(&server.uri())
        .execute("items.get", input(json!({"id": 1})), &options)
        .await
        .unwrap_err();
    // The 2nd wait would pass the deadline, so the call stops with the API's answer.
    assert_eq!(err.status(), Some(503), "{err}");
    let seen = server.received_requests().await.unwrap().len();
    assert!((1..=2).contains(&seen), "{seen} attempts");
}

#[tokio::test]
async fn a_429_is_waited_out_as_retry_after_asks() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 7})))
        .mount(&server)
        .await;
    let started = Instant::now();
    let v = connector(&server.uri())
        .execute(
            "items.create",
            input(json!({"name": "a"})),
            &fast_retries(3),
        )
        .await
        .unwrap();
    assert_eq!(v["id"], 7);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "did not wait for Retry-After"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_503_is_retried_for_get_but_not_for_post() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 1})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let api = connector(&server.uri());
    let got = api
        .execute("items.get", input(json!({"id": 1})), &fast_retries(3))
        .await
        .unwrap();
    assert_eq!(got["id"], 1);
    let err = api
        .execute(
            "items.create",
            input(json!({"name": "x"})),
            &fast_retries(3),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    let gets = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "GET")
        .count();
    assert_eq!(gets, 3);
}

#[tokio::test]
async fn a_post_whose_connection_dropped_is_outcome_unknown_and_not_resent() {
    // A listener that reads the request and closes without answering.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        use tokio::io::AsyncReadExt;
        loop {
            let (mut sock, _) = listener.accept().await.unwrap();
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut buf = [0u8; 4096];
            let _ = sock.read(&mut buf).await;
            drop(sock);
        }
    });
    let err = connector(&format!("http://{addr}"))
        .execute(
            "items.create",
            input(json!({"name": "x"})),
            &fast_retries(3),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::OutcomeUnknown { .. }), "{err:?}");
    assert!(err.to_string().contains("not re-sent"));
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_refused_connection_is_retried_even_for_post_and_then_reported() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let err = connector(&format!("http://{addr}"))
        .execute(
            "items.create",
            input(json!({"name": "x"})),
            &fast_retries(2),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Connect {
                maybe_sent: false,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn invalid_input_sends_nothing() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let api = connector(&server.uri());
    let o = Options::default();
    let cases = [
        ("items.get", json!({"id": "1/../2"}), "id"),
        ("items.get", json!({}), "id"),
        ("items.create", json!({}), "name"),
        (
            "items.create",
            json!({"name": "a", "password": "weakpass"}),
            "password",
        ),
        (
            "items.create",
            json!({"name": "a", "custom_attributes": "[1]"}),
            "custom_attributes",
        ),
        (
            "items.create",
            json!({"name": "a", "custom_attributes": "{oops"}),
            "custom_attributes",
        ),
        ("items.create", json!({"name": "a", "nmae": "b"}), "nmae"),
    ];
    for (id, value, field) in cases {
        let err = api.execute(id, input(value.clone()), &o).await.unwrap_err();
        assert_eq!(err.field(), Some(field), "{id} {value}: {err}");
        assert!(err.nothing_sent());
    }
    assert!(matches!(
        api.execute("items.nope", input(json!({})), &o)
            .await
            .unwrap_err(),
        Error::UnknownAction { .. }
    ));
}

#[tokio::test]
async fn the_token_goes_in_its_header_and_a_401_names_the_token_kind() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/items/3"))
        .and(header("api_access_token", TOKEN))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "Invalid token"})))
        .expect(1)
        .mount(&server)
        .await;
    let err = connector(&server.uri())
        .execute("items.get", input(json!({"id": 3})), &Options::default())
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("401") && text.contains("Invalid token"),
        "{text}"
    );
    assert!(text.contains("user token"), "{text}");
    assert!(!text.contains(TOKEN) && !format!("{err:?}").contains(TOKEN));
}

#[tokio::test]
async fn clients_are_built_once_per_distinct_options() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    let api = connector(&server.uri());
    let a = Options::default();
    let b = Options::builder().timeout(Duration::from_secs(3)).build();
    let c = Options::builder().ignore_ssl_issues(true).build();
    for o in [&a, &b, &a, &b] {
        api.execute("items.get", input(json!({"id": 1})), o)
            .await
            .unwrap();
    }
    assert_eq!(
        api.clients_built(),
        1,
        "timeouts are per request, not per client"
    );
    api.execute("items.get", input(json!({"id": 1})), &c)
        .await
        .unwrap();
    assert_eq!(api.clients_built(), 2);
}

#[tokio::test]
async fn malformed_success_bodies_are_decode_errors() {
    let server = MockServer::start().await;
    Mock::given(path("/items/1"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("<html>oops</html>", "text/html"))
        .mount(&server)
        .await;
    Mock::given(path("/items/2"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("{\"a\":", "application/json"))
        .mount(&server)
        .await;
    Mock::given(path("/items/3"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let api = connector(&server.uri());
    let o = Options::default();
    let e = api
        .execute("items.get", input(json!({"id": 1})), &o)
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Decode { .. }) && e.to_string().contains("text/html"),
        "{e}"
    );
    let e = api
        .execute("items.get", input(json!({"id": 2})), &o)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Decode { .. }), "{e}");
    let v = api
        .execute("items.get", input(json!({"id": 3})), &o)
        .await
        .unwrap();
    assert!(v.is_null());
}

#[tokio::test]
async fn another_identity_shares_the_clients_and_sends_its_own_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header("api_access_token", "other-identity"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"who": "other"})))
        .expect(1)
        .mount(&server)
        .await;
    let api = connector(&server.uri());
    let other = api.with_auth(
        connector_core::TokenAuth::new("api_access_token", "")
            .unwrap()
            .with_fallback(connector_core::SecretString::from("other-identity")),
    );
    let v = other
        .execute("items.get", input(json!({"id": 1})), &Options::default())
        .await
        .unwrap();
    assert_eq!(v["who"], "other");
    assert_eq!(
        api.clients_built(),
        1,
        "the client built for `other` is shared with `api`"
    );
}

#[tokio::test]
async fn a_ten_megabyte_body_gives_a_short_clear_error() {
    let server = MockServer::start().await;
    let huge = format!("<html>{}</html>", "x".repeat(10 * 1024 * 1024));
    Mock::given(path("/items/1"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(huge.clone(), "text/html"))
        .mount(&server)
        .await;
    Mock::given(path("/items/2"))
        .respond_with(ResponseTemplate::new(500).set_body_raw(huge, "text/html"))
        .mount(&server)
        .await;
    let api = connector(&server.uri());
    let o = fast_retries(0);
    let e = api
        .execute("items.get", input(json!({"id": 1})), &o)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Decode { .. }), "{e:?}");
    assert!(
        e.to_string().len() < 1_000,
        "the error quotes only the start of the body"
    );
    let e = api
        .execute("items.get", input(json!({"id": 2})), &o)
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(500));
    assert!(e.to_string().len() < 1_000);
}

#[tokio::test]
async fn redirects_are_not_followed_so_the_token_stays_and_a_post_stays_a_post() {
    let elsewhere = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": 1})))
        .expect(0)
        .mount(&elsewhere)
        .await;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", format!("{}/items", elsewhere.uri()).as_str()),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = connector(&server.uri())
        .execute(
            "items.create",
            input(json!({"name": "a"})),
            &Options::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(302));
    assert!(
        err.to_string().contains(&elsewhere.uri()),
        "names the target: {err}"
    );
}

#[tokio::test]
async fn a_deadline_that_passes_while_waiting_says_nothing_was_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let api = connector(&server.uri());
    let options = Options::builder()
        .rate_limit("1/10s".parse().unwrap())
        .total_timeout(Duration::from_millis(300))
        .build();
    api.execute("items.create", input(json!({"name": "a"})), &options)
        .await
        .unwrap();
    // The second call waits in the limiter and never sends.
    let err = api
        .execute("items.create", input(json!({"name": "b"})), &options)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                maybe_sent: false,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_gateway_timeout_on_a_post_is_outcome_unknown() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(504))
        .expect(1)
        .mount(&server)
        .await;
    let err = connector(&server.uri())
        .execute(
            "items.create",
            input(json!({"name": "a"})),
            &fast_retries(3),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::OutcomeUnknown { .. }), "{err:?}");
    assert!(err.to_string().contains("504"), "{err}");
}

#[tokio::test]
async fn the_connector_default_limit_holds_unless_options_choose_otherwise() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    let api = connector_core::HttpConnector::builder("test", common::ACTIONS)
        .base_url(server.uri())
        .auth(common::auth())
        .default_rate_limit(Some("2/1s".parse().unwrap()))
        .build()
        .unwrap();
    let own = Options::builder().timeout(Duration::from_secs(5)).build();
    let started = std::time::Instant::now();
    for _ in 0..3 {
        api.execute("items.get", input(json!({"id": 1})), &own)
            .await
            .unwrap();
    }
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "options of its own keep the quota"
    );
    let off = Options::builder().rate_limit_opt(None).build();
    let started = std::time::Instant::now();
    for _ in 0..3 {
        api.execute("items.get", input(json!({"id": 1})), &off)
            .await
            .unwrap();
    }
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "Off turns it off"
    );
}
