//! The hardened listener at real sockets: slow and hostile clients, limits, shutdown.
//! Deadlines in these tests are short; what is asserted is what happens and in which
//! order, with generous bounds, never how fast.

use connector_core::listener::{Body, Limits, Listener};
use http::{Request, Response};
use http_body_util::BodyExt;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout};

/// Far longer than any deadline under test: reaching it means the server never acted.
const NEVER: Duration = Duration::from_secs(40);

fn limits() -> Limits {
    Limits {
        head_timeout: Duration::from_millis(500),
        body_timeout: Duration::from_millis(500),
        max_body: 1024,
        max_connections: 8,
        shutdown_grace: Duration::from_millis(200),
    }
}

/// Answers 200 with the body it was given.
async fn echo(limits: Limits) -> Listener {
    let service = tower::service_fn(|req: Request<Body>| async move {
        let body = req.into_body().collect().await.map(|b| b.to_bytes());
        Ok::<_, Infallible>(Response::new(http_body_util::Full::new(
            body.unwrap_or_default(),
        )))
    });
    Listener::bind("127.0.0.1:0".parse().unwrap(), limits, service)
        .await
        .unwrap()
}

/// Reads until the server closes; `None` if it has not within [`NEVER`].
async fn read_to_close(stream: &mut TcpStream) -> Option<String> {
    let mut all = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + NEVER;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(String::from_utf8_lossy(&all).into_owned()),
            Ok(Ok(n)) => all.extend_from_slice(&buf[..n]),
        }
    }
}

/// Sends a head one byte at a time, every 100 ms, until the server closes the
/// connection. Returns whether it did within [`NEVER`].
async fn drip(addr: SocketAddr) -> bool {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = b"POST /hook HTTP/1.1\r\nHost: x\r\nX-Padding: ";
    let started = Instant::now();
    let mut sent = 0usize;
    let mut buf = [0u8; 256];
    while started.elapsed() < NEVER {
        tokio::select! {
            read = stream.read(&mut buf) => match read {
                Ok(0) | Err(_) => return true,
                Ok(_) => {}
            },
            () = tokio::time::sleep(Duration::from_millis(100)) => {
                let byte = head.get(sent).copied().unwrap_or(b'a');
                if stream.write_all(&[byte]).await.is_err() {
                    return true;
                }
                sent += 1;
            }
        }
    }
    false
}

async fn post(addr: SocketAddr, body: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(req.as_bytes()).await.unwrap();
    read_to_close(&mut stream).await.expect("an answer")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_clients_dripping_header_bytes_are_all_cut_off_and_others_still_get_served() {
    let listener = echo(limits()).await;
    let addr = listener.local_addr();
    let clients: Vec<_> = (0..40).map(|_| tokio::spawn(drip(addr))).collect();
    let mut cut = 0;
    for c in clients {
        cut += usize::from(c.await.unwrap());
    }
    assert_eq!(cut, 40, "every dripping client must be cut off");
    let answer = post(addr, "hello").await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("hello"), "{answer}");
    listener.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_declared_length_above_the_limit_is_answered_413_without_waiting_for_the_body() {
    let listener = echo(Limits {
        body_timeout: NEVER * 2,
        ..limits()
    })
    .await;
    let mut stream = TcpStream::connect(listener.local_addr()).await.unwrap();
    stream
        .write_all(b"POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000000\r\n\r\n")
        .await
        .unwrap();
    let answer = read_to_close(&mut stream)
        .await
        .expect("answered and closed while the client still owes the body");
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    listener.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_chunked_body_past_the_limit_is_413_and_a_slow_body_is_408() {
    let listener = echo(limits()).await;
    let mut stream = TcpStream::connect(listener.local_addr()).await.unwrap();
    let chunk = "x".repeat(800);
    let req = format!(
        "POST /hook HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n320\r\n{chunk}\r\n320\r\n{chunk}\r\n0\r\n\r\n"
    );
    stream.write_all(req.as_bytes()).await.unwrap();
    let answer = read_to_close(&mut stream).await.expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");

    let mut stream = TcpStream::connect(listener.local_addr()).await.unwrap();
    stream
        .write_all(b"POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        .await
        .unwrap();
    let answer = read_to_close(&mut stream).await.expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    listener.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_idle_connection_is_closed_after_the_head_deadline() {
    let listener = echo(limits()).await;
    let mut silent = TcpStream::connect(listener.local_addr()).await.unwrap();
    assert!(read_to_close(&mut silent).await.is_some());
    // Keep-alive: after one answer, waiting for the next head has the same deadline.
    let mut stream = TcpStream::connect(listener.local_addr()).await.unwrap();
    stream
        .write_all(b"POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok")
        .await
        .unwrap();
    let answer = read_to_close(&mut stream).await.expect("closed");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    listener.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_past_the_cap_wait_until_one_ends() {
    let listener = echo(Limits {
        max_connections: 1,
        head_timeout: Duration::from_secs(2),
        ..limits()
    })
    .await;
    let addr = listener.local_addr();
    let started = Instant::now();
    let mut stalled = TcpStream::connect(addr).await.unwrap();
    stalled.write_all(b"POST /hook HT").await.unwrap();
    // Give the listener time to take the stalled connection first.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let waiting = tokio::spawn(async move { (post(addr, "next").await, Instant::now()) });
    assert!(read_to_close(&mut stalled).await.is_some());
    let (answer, answered) = waiting.await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // The one slot frees when the stalled client's head deadline (2 s) cuts it; a lower
    // bound only, so a slow machine cannot fail it.
    assert!(
        answered.duration_since(started) >= Duration::from_millis(1900),
        "served only once the one slot was free (after {:?})",
        answered.duration_since(started)
    );
    listener.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_returns_within_the_grace_whatever_the_clients_do() {
    let listener = echo(Limits {
        head_timeout: NEVER * 2,
        body_timeout: NEVER * 2,
        shutdown_grace: Duration::from_millis(300),
        ..limits()
    })
    .await;
    let addr = listener.local_addr();
    let mut clients = Vec::new();
    for i in 0..6 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        let part: &[u8] = if i % 2 == 0 {
            b"POST /hook HTTP/1.1\r\nHost: x\r\nX-Pa"
        } else {
            b"POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc"
        };
        s.write_all(part).await.unwrap();
        clients.push(s);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    timeout(NEVER, listener.shutdown())
        .await
        .expect("shutdown must not wait for the clients")
        .unwrap();
    for mut c in clients {
        assert!(read_to_close(&mut c).await.is_some(), "closed by shutdown");
    }
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "no longer listening"
    );
}

#[tokio::test]
async fn the_service_sees_the_whole_body() {
    let listener = echo(limits()).await;
    let body = "y".repeat(1024);
    let answer = post(listener.local_addr(), &body).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with(&body));
    let answer = post(listener.local_addr(), &format!("{body}z")).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    listener.shutdown().await.unwrap();
}
