//! The per-connection server loop with fault injection in front of an axum router.
//!
//! Connections are served by hyper's HTTP/1 connection driver so that a request can be dropped:
//! the service returns an error, and hyper closes the connection without writing a response.

use std::collections::VecDeque;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tower::ServiceExt;

use crate::config::Faults;
use crate::http::json;
use crate::stats::Counters;

/// The error a request's service returns to make hyper close the connection unanswered.
#[derive(Debug, thiserror::Error)]
#[error("connection dropped by the sandbox's fault injection")]
pub(crate) struct DroppedConnection;

/// Locks a mutex, ignoring poisoning (the protected data stays usable for a fake server).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The base URL (`http://host:port`) under which a listener is reachable; unspecified
/// addresses (`0.0.0.0`, `::`) are reported as loopback.
pub(crate) fn origin(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    Pass,
    Drop,
    Throttle,
    Fail,
}

#[derive(Debug)]
struct FaultInjector {
    faults: Faults,
    rng: Mutex<StdRng>,
    window: Mutex<VecDeque<Instant>>,
    counters: Arc<Counters>,
}

impl FaultInjector {
    /// Draws the random faults of one request (always three draws, so sequences replay).
    fn draw(&self) -> Decision {
        let (drop, throttle, fail) = {
            let mut rng = lock(&self.rng);
            (
                rng.random::<f64>(),
                rng.random::<f64>(),
                rng.random::<f64>(),
            )
        };
        if drop < self.faults.drop_rate {
            Decision::Drop
        } else if throttle < self.faults.throttle_rate {
            Decision::Throttle
        } else if fail < self.faults.error_rate {
            Decision::Fail
        } else {
            Decision::Pass
        }
    }

    /// Sliding-window admission: `Err(seconds until a slot frees)` when the window is full.
    fn admit(&self) -> Result<(), u64> {
        let Some(limit) = self.faults.rate_limit else {
            return Ok(());
        };
        let now = Instant::now();
        let mut window = lock(&self.window);
        while let Some(&oldest) = window.front() {
            if now.duration_since(oldest) >= limit.per {
                window.pop_front();
            } else {
                break;
            }
        }
        if window.len() < limit.requests as usize {
            window.push_back(now);
            return Ok(());
        }
        let wait = window
            .front()
            .map(|oldest| (*oldest + limit.per).saturating_duration_since(now))
            .unwrap_or(limit.per);
        Err(wait.as_secs_f64().ceil().max(1.0) as u64)
    }
}

fn too_many_requests(retry_after: u64) -> Response {
    let mut response = json(
        StatusCode::TOO_MANY_REQUESTS,
        &json!({
            "error": "Too many requests, slow down",
            "retry_after": retry_after,
        }),
    );
    if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

fn unavailable() -> Response {
    json(
        StatusCode::SERVICE_UNAVAILABLE,
        &json!({"error": "Service temporarily unavailable (sandbox fault injection)"}),
    )
}

async fn handle(
    injector: Arc<FaultInjector>,
    router: Router,
    request: hyper::Request<Incoming>,
) -> Result<Response, DroppedConnection> {
    let counters = &injector.counters;
    Counters::bump(&counters.requests);
    let decision = injector.draw();
    if !injector.faults.latency.is_zero() {
        tokio::time::sleep(injector.faults.latency).await;
    }
    if decision == Decision::Drop {
        Counters::bump(&counters.dropped);
        return Err(DroppedConnection);
    }
    if let Err(retry_after) = injector.admit() {
        Counters::bump(&counters.throttled);
        return Ok(too_many_requests(retry_after));
    }
    match decision {
        Decision::Throttle => {
            Counters::bump(&counters.throttled);
            return Ok(too_many_requests(injector.faults.retry_after_secs));
        }
        Decision::Fail => {
            Counters::bump(&counters.errors);
            return Ok(unavailable());
        }
        Decision::Pass | Decision::Drop => {}
    }
    let response = match router.oneshot(request.map(Body::new)).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    Ok(response)
}

/// A running server: stops gracefully with [`Running::shutdown`], abruptly on drop.
#[derive(Debug)]
pub(crate) struct Running {
    addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    accept: Option<JoinHandle<()>>,
}

impl Running {
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, lets open connections finish their current request, and waits (up to
    /// five seconds) for them to close.
    pub(crate) async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(accept) = self.accept.take() {
            let _ = accept.await;
        }
        let _ = tokio::time::timeout(Duration::from_secs(5), self.shutdown.closed()).await;
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(accept) = self.accept.take() {
            accept.abort();
        }
    }
}

/// Serves `router` on `listener` with `faults` injected; must run inside a Tokio runtime.
pub(crate) fn serve(
    listener: TcpListener,
    router: Router,
    faults: Faults,
    counters: Arc<Counters>,
) -> std::io::Result<Running> {
    let addr = listener.local_addr()?;
    let injector = Arc::new(FaultInjector {
        rng: Mutex::new(StdRng::seed_from_u64(faults.seed)),
        window: Mutex::new(VecDeque::new()),
        faults,
        counters,
    });
    let (shutdown, stop) = watch::channel(false);
    let accept = tokio::spawn(accept_loop(listener, router, injector, stop));
    Ok(Running {
        addr,
        shutdown,
        accept: Some(accept),
    })
}

async fn accept_loop(
    listener: TcpListener,
    router: Router,
    injector: Arc<FaultInjector>,
    stop: watch::Receiver<bool>,
) {
    let mut stopped = stop.clone();
    loop {
        let stream = tokio::select! {
            _ = stopped.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(err) => {
                    tracing::debug!(error = %err, "sandbox accept failed");
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let injector = injector.clone();
        let mut conn_stop = stop.clone();
        tokio::spawn(async move {
            let service =
                service_fn(move |request| handle(injector.clone(), router.clone(), request));
            let connection = http1::Builder::new()
                .timer(TokioTimer::new())
                .serve_connection(TokioIo::new(stream), service);
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(err) = result {
                        tracing::trace!(error = %err, "sandbox connection closed");
                    }
                }
                _ = conn_stop.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.as_mut().await;
                }
            }
        });
    }
}
