//! `bench-sandbox`: the MOCO (or, with `--backend konverte`, the Konverte) sandbox of
//! `connector-sandbox` on loopback, optionally with a sliding-window rate limit and preloaded
//! activities.
//!
//! Prints `BASE_URL API_KEY` (Konverte: `BASE_URL TOKEN`) as the first line on stdout once it is ready (after preloading),
//! serves until SIGTERM, Ctrl-C or `--max-seconds`, and then writes the sandbox's final `Stats`
//! as one JSON line to `--stats-file` (or stdout).

use std::process::ExitCode;
use std::time::Duration;

use connector_bench::{Args, announce, stop_signal, write_json};
use connector_sandbox::{Faults, KonverteSandbox, MocoSandbox, RateLimit, SandboxConfig, Stats};
use serde_json::json;

const USAGE: &str = "\
bench-sandbox: the MOCO (or Konverte) sandbox for benchmarks

  --backend NAME       moco or konverte [default: moco]
  --addr ADDR          loopback address to listen on [default: 127.0.0.1:0]
  --rate-limit N/DUR   sliding-window limit, e.g. 20/1s (429 beyond it) [default: none]
  --preload N          activities to insert before serving [default: 0]
  --per-page N         entries per list page [default: 100]
  --max-seconds N      stop by itself after N seconds [default: 300]
  --stats-file PATH    write the final Stats here as JSON [default: stdout]";

/// Parses `N/DURATION` with a duration such as `1s`, `500ms` or `2m`.
fn parse_rate_limit(s: &str) -> Result<RateLimit, String> {
    let bad = || format!("--rate-limit `{s}`: expected N/DURATION such as 20/1s");
    let (n, per) = s.split_once('/').ok_or_else(bad)?;
    let requests: u32 = n.trim().parse().map_err(|_| bad())?;
    let per = per.trim();
    let split = per.find(|c: char| !c.is_ascii_digit()).unwrap_or(per.len());
    let (amount, unit) = per.split_at(split);
    let amount: u64 = if amount.is_empty() {
        1
    } else {
        amount.parse().map_err(|_| bad())?
    };
    let per = match unit {
        "ms" => Duration::from_millis(amount),
        "s" | "" => Duration::from_secs(amount),
        "m" => Duration::from_secs(amount * 60),
        _ => return Err(bad()),
    };
    if requests == 0 || per.is_zero() {
        return Err(bad());
    }
    Ok(RateLimit { requests, per })
}

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
            eprintln!("bench-sandbox: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench-sandbox: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: Args) -> Result<(), String> {
    let addr = args.loopback_addr()?;
    let deadline = args.deadline(300)?;
    let rate_limit = args.get("rate-limit").map(parse_rate_limit).transpose()?;
    let preload: usize = args.parsed("preload", 0)?;
    let per_page: usize = args.parsed("per-page", 100)?;
    let config = SandboxConfig {
        faults: Faults {
            rate_limit,
            ..Faults::default()
        },
        per_page_moco: per_page,
        ..SandboxConfig::default()
    };
    let (stop, stats) = match args.get("backend").unwrap_or("moco") {
        "moco" => {
            let sandbox = MocoSandbox::start_on(addr, config)
                .await
                .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
            if preload > 0 {
                sandbox.insert_bulk_activities(preload);
            }
            announce(&format!("{} {}", sandbox.base_url(), sandbox.api_key()));
            let stop = stop_signal(deadline).await;
            let stats: Stats = sandbox.stats();
            sandbox.shutdown().await;
            (stop, stats)
        }
        "konverte" => {
            let sandbox = KonverteSandbox::start_on(addr, config)
                .await
                .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
            announce(&format!("{} {}", sandbox.base_url(), sandbox.token()));
            let stop = stop_signal(deadline).await;
            let stats: Stats = sandbox.stats();
            sandbox.shutdown().await;
            (stop, stats)
        }
        other => return Err(format!("--backend {other}: expected moco or konverte")),
    };
    let report = json!({
        "stopped_by": format!("{stop:?}"),
        "requests": stats.requests,
        "created": stats.created,
        "throttled": stats.throttled,
        "errors": stats.errors,
        "dropped": stats.dropped,
        "unauthorized": stats.unauthorized,
    });
    write_json(args.get("stats-file"), &report).map_err(|e| format!("cannot write stats: {e}"))
}

#[cfg(test)]
mod tests {
    use super::parse_rate_limit;
    use std::time::Duration;

    #[test]
    fn parses_limits() {
        let l = parse_rate_limit("20/1s").unwrap();
        assert_eq!((l.requests, l.per), (20, Duration::from_secs(1)));
        let l = parse_rate_limit("120/2m").unwrap();
        assert_eq!((l.requests, l.per), (120, Duration::from_secs(120)));
        assert_eq!(
            parse_rate_limit("5/250ms").unwrap().per,
            Duration::from_millis(250)
        );
        assert!(parse_rate_limit("0/1s").is_err());
        assert!(parse_rate_limit("20").is_err());
        assert!(parse_rate_limit("20/1h").is_err());
    }
}
