//! The web hook receiver with its default limits against clients that never finish:
//! dripping header bytes, declaring a huge body, stalling through shutdown. Bounds here
//! are generous (the default head deadline is 10 s); what is asserted is that the
//! receiver acts, never how fast.

use connector_core::SecretString;
use connector_moco::webhooks::{EventFilter, Receiver};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

const SECRET: &str = "1d608b9d72219b90ff2393a1d3ee0ac0";
/// Far past the default deadlines: a client still open then was never cut off.
const NEVER: Duration = Duration::from_secs(45);

async fn receiver() -> Receiver {
    let (receiver, _events) = Receiver::bind(
        "127.0.0.1:0".parse().unwrap(),
        SecretString::from(SECRET),
        EventFilter::all(),
    )
    .await
    .unwrap();
    receiver
}

/// Drips a head one byte every 200 ms; whether the server closed within [`NEVER`].
async fn drip(addr: SocketAddr) -> bool {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = b"POST /hooks/moco HTTP/1.1\r\nHost: x\r\nX-Moco-Signature: ";
    let started = Instant::now();
    let mut sent = 0;
    let mut buf = [0u8; 256];
    while started.elapsed() < NEVER {
        tokio::select! {
            read = stream.read(&mut buf) => match read {
                Ok(0) | Err(_) => return true,
                Ok(_) => {}
            },
            () = tokio::time::sleep(Duration::from_millis(200)) => {
                let byte = head.get(sent).copied().unwrap_or(b'0');
                if stream.write_all(&[byte]).await.is_err() {
                    return true;
                }
                sent += 1;
            }
        }
    }
    false
}

async fn read_answer(stream: &mut TcpStream) -> Option<String> {
    let mut all = Vec::new();
    let mut buf = [0u8; 1024];
    let deadline = Instant::now() + NEVER;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(String::from_utf8_lossy(&all).into_owned()),
            Ok(Ok(n)) => all.extend_from_slice(&buf[..n]),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_clients_dripping_header_bytes_are_all_cut_off() {
    let receiver = receiver().await;
    let addr = receiver.local_addr();
    let clients: Vec<_> = (0..60).map(|_| tokio::spawn(drip(addr))).collect();
    let mut still_open = 0;
    for c in clients {
        still_open += usize::from(!c.await.unwrap());
    }
    assert_eq!(still_open, 0, "dripping clients left open");
    receiver.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_declared_ten_gigabyte_body_is_answered_413_at_once() {
    let receiver = receiver().await;
    let mut stream = TcpStream::connect(receiver.local_addr()).await.unwrap();
    stream
        .write_all(
            b"POST /hooks/moco HTTP/1.1\r\nHost: x\r\nX-Moco-Signature: 00\r\n\
              Content-Length: 10000000000\r\n\r\n",
        )
        .await
        .unwrap();
    let answer = read_answer(&mut stream).await.expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    receiver.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_does_not_wait_for_a_stalled_client() {
    let receiver = receiver().await;
    let mut stalled = TcpStream::connect(receiver.local_addr()).await.unwrap();
    stalled
        .write_all(b"POST /hooks/moco HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    tokio::time::timeout(Duration::from_secs(8), receiver.shutdown())
        .await
        .expect("stopped although the client is stalled")
        .unwrap();
    assert!(read_answer(&mut stalled).await.is_some(), "closed");
}
