//! `--ignore-ssl-issues` against a local HTTPS server with a self-signed certificate.

mod common;

use common::*;
use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Serves `{"secure":true}` over TLS with a fresh self-signed certificate; counts the
/// requests that got through the handshake.
async fn self_signed_server() -> (u16, Arc<AtomicUsize>) {
    let generated =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .expect("a certificate");
    let key = tokio_rustls::rustls::pki_types::PrivateKeyDer::try_from(
        generated.signing_key.serialize_der(),
    )
    .expect("a key");
    let tls = tokio_rustls::rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![generated.cert.der().clone()], key)
        .expect("a TLS config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let served = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&served);
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let counter = Arc::clone(&counter);
            tokio::spawn(async move {
                let Ok(stream) = acceptor.accept(tcp).await else {
                    return;
                };
                let service = hyper::service::service_fn(
                    move |_req: hyper::Request<hyper::body::Incoming>| {
                        counter.fetch_add(1, Ordering::SeqCst);
                        async move {
                            Ok::<_, Infallible>(
                                hyper::Response::builder()
                                    .header("content-type", "application/json")
                                    .body("{\"secure\":true}".to_owned())
                                    .unwrap(),
                            )
                        }
                    },
                );
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (port, served)
}

#[tokio::test(flavor = "multi_thread")]
async fn self_signed_certificates_are_refused_unless_ignored_with_a_warning() {
    let (port, served) = self_signed_server().await;
    let base = format!("https://localhost:{port}");
    let home = tempfile::tempdir().unwrap();

    let mut cmd = konverte(home.path(), &base);
    cmd.args(["konverte", "profile", "get", "--retries", "0"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("error: TLS failed"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());
    assert_eq!(served.load(Ordering::SeqCst), 0);

    let mut cmd = konverte(home.path(), &base);
    cmd.args([
        "konverte",
        "profile",
        "get",
        "--retries",
        "0",
        "--ignore-ssl-issues",
    ]);
    let out = run(cmd).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: --ignore-ssl-issues"),
        "{}",
        stderr(&out)
    );
    assert_eq!(lines(&out)[0]["secure"], true);
    assert_eq!(served.load(Ordering::SeqCst), 1);
}
