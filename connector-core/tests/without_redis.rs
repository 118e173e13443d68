//! A build without the `redis` feature refuses a Redis rate-limit store before sending
//! anything, and says which feature to turn on. `cargo test --workspace` turns the feature on
//! (the CLI needs it), so `.ci/run` runs this file alone: `cargo test -p connector-core --test
//! without_redis`.
#![cfg(not(feature = "redis"))]

mod common;

use common::{connector, input};
use connector_core::{Connector, Error, Options, RateLimitStore};
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn a_redis_store_without_the_feature_is_a_config_error_and_nothing_is_sent() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(0)
        .mount(&server)
        .await;
    let api = connector(&server.uri());
    let options = Options::builder()
        .rate_limit("5/1s".parse().unwrap())
        .rate_limit_store(RateLimitStore::parse("redis://:hunter2@127.0.0.1:6379").unwrap())
        .build();
    let err = api
        .execute("items.get", input(json!({"id": 1})), &options)
        .await
        .unwrap_err();
    let Error::Config(message) = &err else {
        panic!("expected a configuration error, got {err:?}");
    };
    assert!(message.contains("`redis` feature"), "{message}");
    assert!(
        !message.contains("hunter2"),
        "the password is masked: {message}"
    );
}
