use connector_core::{Options, SecretString};
use connector_moco::Moco;
use wiremock::MockServer;

pub const KEY: &str = "test-key-5f1e";
pub const AUTHORIZATION: &str = "Token token=test-key-5f1e";

/// The API root on the mock server, as it is on MOCO: `.../api/v1`.
pub fn api_root(server: &MockServer) -> String {
    format!("{}/api/v1", server.uri())
}

/// A client without the client-side limit, so tests do not wait a second per request.
pub fn client(server: &MockServer) -> Moco {
    Moco::builder()
        .base_url(api_root(server))
        .api_key(SecretString::from(KEY))
        .rate_limit(None)
        .build()
        .unwrap()
}

pub fn no_limit() -> Options {
    Options::builder().rate_limit_opt(None).build()
}

pub fn input(v: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    v.as_object().expect("an object").clone()
}
