//! What every wire test shares: a client with one token of each kind, and the check of
//! one received request against the expected shape.

use connector_konverte::{Konverte, Options, SecretString};
use serde_json::{Map, Value};
use wiremock::{MockServer, Request};

pub const USER_TOKEN: &str = "user-tok-8f3a9c";
pub const PLATFORM_TOKEN: &str = "platform-tok-51d2e7";
pub const BOT_TOKEN: &str = "bot-tok-0b7c44";
pub const HMAC_TOKEN: &str = "inbox-hmac-tok-77aa";
pub const SECRETS: [&str; 4] = [USER_TOKEN, PLATFORM_TOKEN, BOT_TOKEN, HMAC_TOKEN];

/// The header tokens go in by default, as the wire carries it (names are lower case).
pub const HEADER: &str = "api-access-token";
/// The underscore spelling, sent only when asked for.
pub const UNDERSCORE_HEADER: &str = "api_access_token";

pub fn options() -> Options {
    Options::builder().retries(0).build()
}

pub fn client(server: &MockServer) -> Konverte {
    Konverte::builder()
        .base_url(server.uri())
        .api_token(SecretString::from(USER_TOKEN))
        .platform_token(SecretString::from(PLATFORM_TOKEN))
        .agent_bot_token(SecretString::from(BOT_TOKEN))
        .options(options())
        .build()
        .unwrap()
}

pub fn input(v: Value) -> Map<String, Value> {
    v.as_object().expect("an object").clone()
}

pub fn assert_no_secret(text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "a token leaked: {text}");
    }
}

/// Which credential a request must carry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Token {
    User,
    Platform,
    None,
}

impl Token {
    pub fn value(self) -> Option<&'static str> {
        match self {
            Token::User => Some(USER_TOKEN),
            Token::Platform => Some(PLATFORM_TOKEN),
            Token::None => None,
        }
    }
}

/// One expected request, and the server file the expectation comes from.
pub struct Shape {
    pub id: &'static str,
    pub input: Value,
    pub method: &'static str,
    pub path: &'static str,
    pub query: Option<&'static str>,
    pub body: Option<Value>,
    pub token: Token,
    /// The Chatwoot file (controller, view) that reads this request.
    pub source: &'static str,
}

/// Query pairs in any order: the server reads them by name.
fn sorted(q: Option<&str>) -> Option<String> {
    q.map(|q| {
        let mut pairs: Vec<&str> = q.split('&').collect();
        pairs.sort_unstable();
        pairs.join("&")
    })
}

pub fn check(shape: &Shape, req: &Request, header: &str, other_header: &str) {
    let id = shape.id;
    let at = format!("{id} ({})", shape.source);
    assert_eq!(req.method.as_str(), shape.method, "{at}: method");
    assert_eq!(req.url.path(), shape.path, "{at}: path");
    assert_eq!(sorted(req.url.query()), sorted(shape.query), "{at}: query");
    match &shape.body {
        Some(expected) => {
            let got: Value = serde_json::from_slice(&req.body)
                .unwrap_or_else(|e| panic!("{at}: body is not JSON: {e}"));
            assert_eq!(&got, expected, "{at}: body");
            let ct = req
                .headers
                .get("content-type")
                .and_then(|v| v.to_str().ok());
            assert_eq!(ct, Some("application/json"), "{at}: content type");
        }
        None => assert!(
            req.body.is_empty(),
            "{at}: unexpected body {:?}",
            String::from_utf8_lossy(&req.body)
        ),
    }
    let sent = req
        .headers
        .get(header)
        .map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(sent.as_deref(), shape.token.value(), "{at}: {header}");
    assert!(
        req.headers.get(other_header).is_none(),
        "{at}: {other_header} must not be sent"
    );
}
