//! An HTTP/1.1 listener for receivers that strangers can reach (web hook endpoints): it
//! holds up against slow and hostile clients and stops on time.
//!
//! - the request head must arrive within [`Limits::head_timeout`] (a client dripping bytes
//!   is cut off; an idle keep-alive connection too), the body within [`Limits::body_timeout`]
//!   (else `408`);
//! - a body longer than [`Limits::max_body`] is answered `413` — at once when the
//!   `Content-Length` declares it, without waiting for the bytes;
//! - at most [`Limits::max_connections`] connections are served at a time; more wait in the
//!   kernel's backlog until one ends;
//! - [`Listener::shutdown`] (or dropping the listener) stops accepting, lets requests in
//!   progress finish for [`Limits::shutdown_grace`], then cuts whatever is left.
//!
//! The service sees each request with its whole body already read ([`Body`]); any tower
//! service fits, an axum `Router` included.
//!
//! ```no_run
//! use connector_core::listener::{Body, Limits, Listener};
//! use std::convert::Infallible;
//!
//! # async fn demo() -> std::io::Result<()> {
//! let echo = tower::service_fn(|req: http::Request<Body>| async move {
//!     Ok::<_, Infallible>(http::Response::new(req.into_body()))
//! });
//! let listener = Listener::bind("127.0.0.1:0".parse().unwrap(), Limits::default(), echo).await?;
//! println!("listening on {}", listener.local_addr());
//! listener.shutdown().await
//! # }
//! ```

use bytes::Bytes;
use http::{HeaderValue, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Either, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::{JoinHandle, JoinSet};
use tower_service::Service;

/// The body a service receives: the request's whole body, already read within the limits.
pub type Body = Full<Bytes>;

/// The head of a request may not be larger than this (hyper answers `431` beyond it).
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// What a client may take, and how long shutting down may take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Deadline for the whole request head (request line and headers), from the moment
    /// the server starts waiting for it; also how long an idle connection stays open.
    pub head_timeout: Duration,
    /// Deadline for reading the body once the head has arrived.
    pub body_timeout: Duration,
    /// Largest body accepted, in bytes.
    pub max_body: usize,
    /// Connections served at once.
    pub max_connections: usize,
    /// How long requests in progress may go on after shutdown begins.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    /// 10 s for the head, 10 s for the body, 2 MiB bodies, 64 connections, 1 s of grace.
    fn default() -> Self {
        Limits {
            head_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            max_body: 2 * 1024 * 1024,
            max_connections: 64,
            shutdown_grace: Duration::from_secs(1),
        }
    }
}

/// A running listener. Stops on [`Listener::shutdown`] or when dropped.
#[derive(Debug)]
pub struct Listener {
    local_addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Listener {
    /// Listens on `addr` (port 0 picks a free port; see [`Listener::local_addr`]) and serves
    /// every request with `service`.
    pub async fn bind<S, B>(addr: SocketAddr, limits: Limits, service: S) -> io::Result<Listener>
    where
        S: Service<Request<Body>, Response = Response<B>, Error = Infallible>
            + Clone
            + Send
            + 'static,
        S::Future: Send + 'static,
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let listener = TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, Arc::new(limits), service, stopped));
        Ok(Listener {
            local_addr,
            stop,
            task,
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting, gives requests in progress [`Limits::shutdown_grace`] to finish,
    /// closes every connection and returns.
    pub async fn shutdown(self) -> io::Result<()> {
        let _ = self.stop.send(true);
        self.task.await.map_err(io::Error::other)
    }
}

/// Resolves once a stop is asked for (or the [`Listener`] is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}

async fn accept_loop<S, B>(
    listener: TcpListener,
    limits: Arc<Limits>,
    service: S,
    mut stop: watch::Receiver<bool>,
) where
    S: Service<Request<Body>, Response = Response<B>, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut connections = JoinSet::new();
    loop {
        let permit: OwnedSemaphorePermit = tokio::select! {
            () = stopped(&mut stop) => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
        };
        let (stream, peer) = tokio::select! {
            () = stopped(&mut stop) => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little instead of spinning.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        tracing::debug!(%peer, "connection accepted");
        let (limits, service, stop) = (Arc::clone(&limits), service.clone(), stop.clone());
        connections.spawn(async move {
            serve_io(stream, limits, service, stop).await;
            drop(permit);
        });
    }
    drop(listener);
    let grace = limits.shutdown_grace;
    let finished = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(grace, finished).await.is_err() {
        tracing::debug!(
            left = connections.len(),
            "closing connections still open after the grace period"
        );
    }
    connections.shutdown().await;
}

/// Serves one connection over any byte stream, as the listener does for each accepted
/// socket: HTTP/1.1 with the head deadline, each request read within the body limits
/// before `service` sees it. Ends when the client closes, a deadline passes, or `stop`
/// turns true (then the request in progress may finish; the caller bounds how long).
pub async fn serve_io<I, S, B>(
    io: I,
    limits: Arc<Limits>,
    service: S,
    mut stop: watch::Receiver<bool>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    S: Service<Request<Body>, Response = Response<B>, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let per_request = Arc::clone(&limits);
    let handler = hyper::service::service_fn(move |req: Request<Incoming>| {
        let (limits, service) = (Arc::clone(&per_request), service.clone());
        async move { Ok::<_, Infallible>(answer(req, &limits, service).await) }
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.head_timeout)
        .max_buf_size(MAX_HEAD_BYTES);
    let conn = builder.serve_connection(TokioIo::new(io), handler);
    tokio::pin!(conn);
    let result = tokio::select! {
        result = conn.as_mut() => result,
        () = stopped(&mut stop) => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = result {
        tracing::debug!(error = %e, "connection ended with an error");
    }
}

/// Reads the body within the limits, then asks the service.
async fn answer<S, B>(
    req: Request<Incoming>,
    limits: &Limits,
    mut service: S,
) -> Response<Either<Full<Bytes>, B>>
where
    S: Service<Request<Body>, Response = Response<B>, Error = Infallible>,
{
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limits.max_body as u64) {
        return refusal(StatusCode::PAYLOAD_TOO_LARGE, "the body is too large");
    }
    let (parts, body) = req.into_parts();
    let read = tokio::time::timeout(
        limits.body_timeout,
        Limited::new(body, limits.max_body).collect(),
    );
    let body = match read.await {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => {
            return refusal(StatusCode::PAYLOAD_TOO_LARGE, "the body is too large");
        }
        Ok(Err(_)) => return refusal(StatusCode::BAD_REQUEST, "the body could not be read"),
        Err(_) => return refusal(StatusCode::REQUEST_TIMEOUT, "the body came too slowly"),
    };
    let req = Request::from_parts(parts, Full::new(body));
    let Ok(()) = futures::future::poll_fn(|cx| service.poll_ready(cx)).await;
    let Ok(resp) = service.call(req).await;
    resp.map(Either::Right)
}

/// A short plain-text answer that also closes the connection (the rest of the request
/// is not read).
fn refusal<B>(status: StatusCode, text: &'static str) -> Response<Either<Full<Bytes>, B>> {
    let mut resp = Response::new(Either::Left(Full::new(Bytes::from_static(text.as_bytes()))));
    *resp.status_mut() = status;
    let headers = resp.headers_mut();
    headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp
}
