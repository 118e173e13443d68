//! No secret text in any Debug, Display, dry-run description or log line.

mod common;

use common::{TOKEN, connector, input};
use connector_core::{Connector, Options, ProxyConfig, SecretString, TokenAuth};
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const PASSWORD: &str = "Pa55-word!unique";
const PROXY_PASSWORD: &str = "proxy-pw-77x";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn assert_clean(what: &str, text: &str) {
    for secret in [TOKEN, PASSWORD, PROXY_PASSWORD] {
        assert!(!text.contains(secret), "{what} shows a secret: {text}");
    }
}

#[tokio::test]
async fn every_type_holding_a_secret_formats_without_it() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({"error": "boom"})))
        .mount(&server)
        .await;
    let api = connector(&server.uri());
    let options = Options::builder()
        .proxy(
            ProxyConfig::parse(&format!("http://u:{PROXY_PASSWORD}@127.0.0.1:9"))
                .unwrap()
                .with_no_proxy("127.0.0.1"),
        )
        .build();
    let auth = TokenAuth::new("api_access_token", "")
        .unwrap()
        .with_fallback(SecretString::from(TOKEN));
    let body = input(json!({"name": "a", "password": PASSWORD}));
    let prepared = api.prepare("items.create", &body).unwrap();
    let described = api.describe(&prepared, &options).unwrap();
    assert_eq!(described["body"]["password"], "***");
    assert!(
        described["headers"]
            .to_string()
            .contains("\"api_access_token\",\"***\""),
        "{described}"
    );
    let err = api
        .execute("items.create", body, &options)
        .await
        .unwrap_err();
    let weak = api
        .execute(
            "items.create",
            input(json!({"name": "a", "password": "weakpassword1"})),
            &options,
        )
        .await
        .unwrap_err();

    for (what, text) in [
        ("connector", format!("{api:?}")),
        ("options", format!("{options:?}")),
        ("auth", format!("{auth:?}")),
        ("prepared", format!("{prepared:?}")),
        ("describe", described.to_string()),
        ("error display", err.to_string()),
        ("error debug", format!("{err:?}")),
        ("error json", err.to_json().to_string()),
        ("validation error", format!("{weak} {weak:?}")),
    ] {
        assert_clean(what, &text);
    }
}

#[tokio::test]
async fn logs_at_trace_level_never_show_the_token_or_password() {
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || sink.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let api = connector(&server.uri());
    let options = Options::builder()
        .retries(1)
        .ignore_ssl_issues(true)
        .build();
    let _ = api
        .execute(
            "items.create",
            input(json!({"name": "a", "password": PASSWORD})),
            &options,
        )
        .await;
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("TLS certificate validation is OFF"),
        "the ignore-ssl warning is logged"
    );
    assert!(logs.contains("sending"), "the request is logged: {logs}");
    assert_clean("logs", &logs);
}
