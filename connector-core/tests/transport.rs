//! TLS and proxies, against real local servers.

mod common;

use common::{connector, input};
use connector_core::{Connector, Error, Options, ProxyConfig, RetryPolicy};
use serde_json::json;
use std::sync::Arc;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The HTTPS server's one answer.
mod tls_answer {
    use std::convert::Infallible;
    pub fn ok_response() -> hyper::Response<String> {
        hyper::Response::builder()
            .header("content-type", "application/json")
            .body("{\"secure\":true}".to_owned())
            .expect("static response")
    }
    pub async fn handle(
        _req: hyper::Request<hyper::body::Incoming>,
    ) -> Result<hyper::Response<String>, Infallible> {
        Ok(ok_response())
    }
}

/// A minimal HTTPS server with a self-signed certificate for `localhost`.
async fn https_server() -> std::net::SocketAddr {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let der_cert = cert.cert.der().clone();
    let der_key =
        tokio_rustls::rustls::pki_types::PrivateKeyDer::try_from(cert.signing_key.serialize_der())
            .unwrap();
    let config = tokio_rustls::rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![der_cert], der_key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let io = hyper_util::rt::TokioIo::new(tls);
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(io, hyper::service::service_fn(tls_answer::handle))
                    .await;
            });
        }
    });
    addr
}

#[tokio::test]
async fn a_self_signed_certificate_is_refused_by_default_and_accepted_when_asked() {
    let addr = https_server().await;
    let api = connector(&format!("https://localhost:{}", addr.port()));
    let strict = Options::builder().retry(RetryPolicy::none()).build();
    let err = api
        .execute("items.get", input(json!({"id": 1})), &strict)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Tls { .. }), "{err:?}");
    assert!(err.to_string().contains("ignore-ssl-issues"), "{err}");

    let lax = Options::builder().ignore_ssl_issues(true).build();
    let v = api
        .execute("items.get", input(json!({"id": 1})), &lax)
        .await
        .unwrap();
    assert_eq!(v["secure"], true);
}

#[tokio::test]
async fn the_proxy_sees_the_request() {
    // wiremock plays the HTTP proxy: reqwest sends it the absolute-form request.
    let proxy = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/items/9"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"via": "proxy"})))
        .expect(1)
        .mount(&proxy)
        .await;
    let api = connector("http://konverte.invalid");
    let options = Options::builder()
        .proxy(ProxyConfig::parse(&format!("http://user:pa55@{}", proxy.address())).unwrap())
        .build();
    let v = api
        .execute("items.get", input(json!({"id": 9})), &options)
        .await
        .unwrap();
    assert_eq!(v["via"], "proxy");
    let seen = &proxy.received_requests().await.unwrap()[0];
    assert_eq!(seen.url.host_str(), Some("konverte.invalid"));
    // Proxy credentials go in Proxy-Authorization, never in the logged options.
    assert!(seen.headers.get("proxy-authorization").is_some());
    assert!(!format!("{options:?}").contains("pa55"));
}

#[tokio::test]
async fn no_proxy_hosts_bypass_the_proxy() {
    let target = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"direct": true})))
        .expect(1)
        .mount(&target)
        .await;
    let options = Options::builder()
        .proxy(
            ProxyConfig::parse("http://127.0.0.1:9")
                .unwrap()
                .with_no_proxy("127.0.0.1"),
        )
        .build();
    let v = connector(&target.uri())
        .execute("items.get", input(json!({"id": 1})), &options)
        .await
        .unwrap();
    assert_eq!(v["direct"], true);
}
