//! `bench-server`: a minimal multi-threaded HTTP/1.1 server on loopback that reads each request
//! body in full and answers a canned `200` JSON (a Konverte contact), so that the client under
//! test, not the server, is the bottleneck. With `--file-bytes N` a `GET` is answered with N
//! bytes of a generated PDF-typed file instead (for the file benchmark); bodies are counted as
//! they stream in, never held whole.
//!
//! Prints its base URL (`http://127.0.0.1:PORT`) as the first line on stdout, then serves until
//! SIGTERM, Ctrl-C or `--max-seconds`, and finally writes its counters as one JSON line to
//! `--stats-file` (or stdout).

use std::convert::Infallible;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use connector_bench::{Args, announce, stop_signal, write_json};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::Frame;
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::net::TcpListener;

const USAGE: &str = "\
bench-server: answers every request with a canned 200 JSON

  --addr ADDR          loopback address to listen on [default: 127.0.0.1:0]
  --token TOKEN        answer 401 unless the api_access_token header carries TOKEN
  --max-seconds N      stop by itself after N seconds [default: 300]
  --stats-file PATH    write the final counters here as JSON [default: stdout]
  --threads N          worker threads [default: number of CPUs]
  --file-bytes N       answer a GET with N bytes of application/pdf (streamed) [default: off]";

/// A created Konverte contact, in the shape the API answers (flat fields plus `payload`).
const CANNED: &str = r#"{"id":1,"name":"Bench Contact","email":"bench@example.test","phone_number":null,"identifier":null,"thumbnail":"","additional_attributes":{},"custom_attributes":{},"contact_inboxes":[],"payload":{"contact":{"id":1,"name":"Bench Contact","email":"bench@example.test","phone_number":null,"identifier":null,"thumbnail":"","additional_attributes":{},"custom_attributes":{}},"contact_inbox":{"source_id":null,"inbox":null}}}"#;

#[derive(Debug, Default)]
struct Counters {
    requests: AtomicU64,
    ok: AtomicU64,
    unauthorized: AtomicU64,
    body_bytes: AtomicU64,
}

#[derive(Debug)]
struct Server {
    token: Option<String>,
    canned: Bytes,
    counters: Counters,
    file_bytes: Option<u64>,
}

type Body = BoxBody<Bytes, Infallible>;

/// Chunk of the generated download: 256 KiB of a repeating pattern, sent as often as needed.
const CHUNK: usize = 256 * 1024;

/// `len` bytes as a stream of shared chunks: constant memory on the server's side.
fn generated(len: u64) -> Body {
    let chunk = Bytes::from((0..CHUNK).map(|i| (i % 251) as u8).collect::<Vec<u8>>());
    let full = len / CHUNK as u64;
    let rest = (len % CHUNK as u64) as usize;
    let chunks = (0..full)
        .map(move |_| chunk.clone())
        .chain((rest > 0).then(|| Bytes::from(vec![b'%'; rest])))
        .map(|b| Ok::<_, Infallible>(Frame::data(b)));
    BodyExt::boxed(StreamBody::new(futures::stream::iter(chunks)))
}

impl Server {
    async fn handle(&self, request: Request<Incoming>) -> Result<Response<Body>, Infallible> {
        self.counters.requests.fetch_add(1, Ordering::Relaxed);
        let authorized = match &self.token {
            None => true,
            Some(token) => request
                .headers()
                .get("api_access_token")
                .is_some_and(|v| v.as_bytes() == token.as_bytes()),
        };
        let is_get = request.method() == hyper::Method::GET;
        // Read the whole body, as a real server would before answering, counting its bytes
        // frame by frame (a 1 GiB upload is not held in memory).
        let mut body = request.into_body();
        let mut len = 0u64;
        while let Some(Ok(frame)) = body.frame().await {
            if let Some(data) = frame.data_ref() {
                len += data.len() as u64;
            }
        }
        self.counters.body_bytes.fetch_add(len, Ordering::Relaxed);
        if let (true, true, Some(size)) = (authorized, is_get, self.file_bytes) {
            self.counters.ok.fetch_add(1, Ordering::Relaxed);
            let mut response = Response::new(generated(size));
            let headers = response.headers_mut();
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
            headers.insert(
                hyper::header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"bench.pdf\""),
            );
            headers.insert(hyper::header::CONTENT_LENGTH, HeaderValue::from(size));
            return Ok(response);
        }
        let (status, body) = if authorized {
            self.counters.ok.fetch_add(1, Ordering::Relaxed);
            (StatusCode::OK, self.canned.clone())
        } else {
            self.counters.unauthorized.fetch_add(1, Ordering::Relaxed);
            (
                StatusCode::UNAUTHORIZED,
                Bytes::from_static(
                    br#"{"error":"You need to sign in or sign up before continuing."}"#,
                ),
            )
        };
        let mut response = Response::new(BodyExt::boxed(Full::new(body)));
        *response.status_mut() = status;
        response.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        Ok(response)
    }
}

fn main() -> ExitCode {
    let args = match Args::from_env(USAGE, &[]) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    match args.parsed::<usize>("threads", 0) {
        Ok(0) => {}
        Ok(n) => {
            runtime.worker_threads(n);
        }
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    }
    let runtime = match runtime.enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("bench-server: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench-server: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: Args) -> Result<(), String> {
    let addr = args.loopback_addr()?;
    let deadline = args.deadline(300)?;
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    let server = Arc::new(Server {
        token: args.get("token").map(str::to_owned),
        canned: Bytes::from_static(CANNED.as_bytes()),
        counters: Counters::default(),
        file_bytes: match args.parsed::<u64>("file-bytes", 0)? {
            0 => None,
            n => Some(n),
        },
    });
    announce(&format!("http://{local}"));

    let accept = tokio::spawn({
        let server = server.clone();
        async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let server = server.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| {
                        let server = server.clone();
                        async move { server.handle(req).await }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        }
    });
    let stop = stop_signal(deadline).await;
    accept.abort();
    let c = &server.counters;
    let stats = json!({
        "stopped_by": format!("{stop:?}"),
        "requests": c.requests.load(Ordering::Relaxed),
        "ok": c.ok.load(Ordering::Relaxed),
        "unauthorized": c.unauthorized.load(Ordering::Relaxed),
        "body_bytes": c.body_bytes.load(Ordering::Relaxed),
    });
    write_json(args.get("stats-file"), &stats).map_err(|e| format!("cannot write stats: {e}"))
}
