//! `bench-load`: the baseline. A bare reqwest loop that POSTs the lines of a JSON Lines file as
//! request bodies to one URL (`--requests N`, cycling through the lines; one per line by
//! default), with `--concurrency` requests in flight over one shared client, and prints one JSON
//! line: requests, successes, seconds and requests per second.
//!
//! The time covers the requests only (from the first request to the last answer); the file is
//! read before the clock starts. `bench/run.sh` also times the whole process from outside.
//!
//! `--driver buffered` runs the same requests as one `buffered(N)` stream driven by `block_on`
//! on the main thread instead of N spawned tasks: a diagnostic for CLIs built that way.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use connector_bench::{Args, write_json};
use serde_json::json;

const USAGE: &str = "\
bench-load: POST each line of a JSON Lines file to one URL, N at a time

  --url URL            where to POST (http://127.0.0.1:... only) [required]
  --input FILE         JSON Lines, one request body a line [required]
  --requests N         requests to send, cycling through the bodies [default: one per line]
  --concurrency N      requests in flight at once [default: 64]
  --token TOKEN        sent as the api_access_token header
  --timeout-secs N     per-request timeout [default: 30]
  --driver spawn|buffered
                       spawn: one task per in-flight slot on the worker threads [default];
                       buffered: one future with `buffered(N)` driven by `block_on` on the
                       main thread (how a CLI batch loop is often written; for diagnosis)";

fn main() -> ExitCode {
    let args = match Args::from_env(USAGE, &[]) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("bench-load: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(load(args)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("bench-load: {e}");
            ExitCode::from(2)
        }
    }
}

/// Runs the load; `Ok(false)` when any request failed.
async fn load(args: Args) -> Result<bool, String> {
    let url = args.get("url").ok_or("--url is required")?.to_owned();
    let parsed = reqwest::Url::parse(&url).map_err(|e| format!("--url: {e}"))?;
    let host = parsed.host_str().unwrap_or("");
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if !loopback {
        return Err(format!("--url {url}: benchmarks talk to loopback only"));
    }
    let input = args.get("input").ok_or("--input is required")?;
    let concurrency: usize = args.parsed("concurrency", 64)?;
    if concurrency == 0 {
        return Err("--concurrency must be at least 1".into());
    }
    let timeout = Duration::from_secs(args.parsed("timeout-secs", 30)?);
    let text = std::fs::read_to_string(input).map_err(|e| format!("cannot read {input}: {e}"))?;
    let bodies: Arc<Vec<Bytes>> = Arc::new(
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| Bytes::copy_from_slice(l.as_bytes()))
            .collect(),
    );
    drop(text);
    if bodies.is_empty() {
        return Err(format!("{input} has no request bodies"));
    }
    let requests: usize = args.parsed("requests", bodies.len())?;

    let mut builder = reqwest::Client::builder().timeout(timeout);
    if let Some(token) = args.get("token") {
        let mut headers = reqwest::header::HeaderMap::new();
        let value =
            reqwest::header::HeaderValue::from_str(token).map_err(|e| format!("--token: {e}"))?;
        headers.insert("api_access_token", value);
        builder = builder.default_headers(headers);
    }
    let client = builder
        .build()
        .map_err(|e| format!("cannot build the client: {e}"))?;

    let driver = args.get("driver").unwrap_or("spawn");
    let started = Instant::now();
    let (ok, failed) = match driver {
        "spawn" => spawned(&client, &url, bodies, requests, concurrency).await?,
        "buffered" => buffered(&client, &url, &bodies, requests, concurrency).await,
        other => return Err(format!("--driver {other}: expected spawn or buffered")),
    };
    let seconds = started.elapsed().as_secs_f64();
    let requests = ok + failed;
    let report = json!({
        "requests": requests,
        "ok": ok,
        "failed": failed,
        "concurrency": concurrency,
        "driver": driver,
        "seconds": seconds,
        "rps": if seconds > 0.0 { requests as f64 / seconds } else { 0.0 },
    });
    write_json(None, &report).map_err(|e| format!("cannot print: {e}"))?;
    Ok(failed == 0)
}

/// Sends one body and reads the whole answer; `true` for a 2xx.
async fn send(client: &reqwest::Client, url: &str, body: Bytes) -> bool {
    let sent = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await;
    match sent {
        Ok(resp) => {
            let status = resp.status();
            resp.bytes().await.is_ok() && status.is_success()
        }
        Err(_) => false,
    }
}

/// `concurrency` spawned tasks take the next body until none is left.
async fn spawned(
    client: &reqwest::Client,
    url: &str,
    bodies: Arc<Vec<Bytes>>,
    requests: usize,
    concurrency: usize,
) -> Result<(u64, u64), String> {
    let next = Arc::new(AtomicUsize::new(0));
    let ok = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let url: Arc<str> = Arc::from(url);
    let workers: Vec<_> = (0..concurrency.min(requests))
        .map(|_| {
            let (client, bodies, next, ok, failed, url) = (
                client.clone(),
                bodies.clone(),
                next.clone(),
                ok.clone(),
                failed.clone(),
                url.clone(),
            );
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= requests {
                        break;
                    }
                    let body = &bodies[i % bodies.len()];
                    let counter = if send(&client, &url, body.clone()).await {
                        &ok
                    } else {
                        &failed
                    };
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for worker in workers {
        worker
            .await
            .map_err(|e| format!("a worker panicked: {e}"))?;
    }
    Ok((ok.load(Ordering::Relaxed), failed.load(Ordering::Relaxed)))
}

/// One future: `buffered(concurrency)` over all bodies, results taken in input order.
async fn buffered(
    client: &reqwest::Client,
    url: &str,
    bodies: &[Bytes],
    requests: usize,
    concurrency: usize,
) -> (u64, u64) {
    use futures::stream::{self, StreamExt};
    let mut results = stream::iter(bodies.iter().cycle().take(requests).cloned())
        .map(|body| send(client, url, body))
        .buffered(concurrency);
    let (mut ok, mut failed) = (0, 0);
    while let Some(good) = results.next().await {
        if good {
            ok += 1;
        } else {
            failed += 1;
        }
    }
    (ok, failed)
}
