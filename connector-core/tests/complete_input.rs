//! `Authenticator::complete_input`: what an authenticator derives from its credentials
//! joins the input before validation, for one call, a dry run and every page alike.

use connector_core::{
    ActionSpec, Authenticator, Connector, Error, HttpConnector, Method, Options, Pagination,
    ParamSpec, ParamType,
};
use futures::StreamExt;
use http::HeaderMap;
use serde_json::{Map, Value, json};
use wiremock::matchers::{method, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Signs `name` into `signature` (a stand-in for an HMAC of an identifier).
#[derive(Debug)]
struct Signer;

impl Authenticator for Signer {
    fn authorize(&self, _: &ActionSpec, _: &mut HeaderMap) -> Result<(), Error> {
        Ok(())
    }
    fn unauthorized_hint(&self, _: &ActionSpec) -> Option<String> {
        None
    }
    fn complete_input(
        &self,
        action: &ActionSpec,
        input: &Map<String, Value>,
    ) -> Option<Map<String, Value>> {
        action.param("signature")?;
        let name = input.get("name")?.as_str()?;
        let mut out = input.clone();
        out.insert("signature".into(), Value::String(format!("signed:{name}")));
        Some(out)
    }
}

static ACTIONS: [ActionSpec; 2] = [
    ActionSpec {
        params: &[
            ParamSpec::body("name", ParamType::String),
            ParamSpec::body("signature", ParamType::Integer),
        ],
        ..ActionSpec::new("things.create", Method::Post, "/things")
    },
    ActionSpec {
        params: &[
            ParamSpec::query("name", ParamType::String),
            ParamSpec::query("signature", ParamType::String),
            ParamSpec::query("page", ParamType::Integer),
        ],
        pagination: Pagination::PageNumber {
            param: "page",
            total: "",
            has_more: "",
        },
        ..ActionSpec::new("things.list", Method::Get, "/things")
    },
];

fn input(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

#[tokio::test]
async fn what_the_authenticator_adds_is_validated_sent_and_shown() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(query_param("signature", "signed:ada"))
        .and(query_param("page", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"id": 1}])))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("signature", "signed:ada"))
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .expect(1)
        .mount(&server)
        .await;
    let api = HttpConnector::builder("things", &ACTIONS)
        .base_url(server.uri())
        .auth(Signer)
        .build()
        .unwrap();
    let options = Options::default();
    // Added before validation: a value of the wrong type is refused like any other.
    let err = api
        .execute("things.create", input(json!({"name": "ada"})), &options)
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("signature"));
    // A dry run shows it, and every page carries it.
    let prepared = api
        .prepare("things.list", &input(json!({"name": "ada"})))
        .unwrap();
    assert!(
        prepared.url.as_str().contains("signature=signed%3Aada"),
        "{}",
        prepared.url
    );
    let items: Vec<_> = api
        .stream("things.list", input(json!({"name": "ada"})), &options, None)
        .collect()
        .await;
    assert_eq!(items.len(), 1);
    server.verify().await;
}
