//! `connector sandbox`: both fake servers, credentials on stdout, logs on stderr.

use super::context::{Ctx, fail};
use crate::exit;
use crate::output;
use clap::ArgMatches;
use connector_core::Error;
use connector_core::options::{parse_duration, parse_rate_limit};
use connector_sandbox::{Faults, KonverteSandbox, MocoSandbox, RateLimit, SandboxConfig, SeedData};
use std::io::Write;
use std::net::{IpAddr, SocketAddr};

fn config(m: &ArgMatches) -> Result<SandboxConfig, Error> {
    let mut faults = Faults::default();
    if let Some(text) = m.get_one::<String>("rate-limit") {
        faults.rate_limit = parse_rate_limit(text)?.map(|r| RateLimit {
            requests: r.requests.get(),
            per: r.per,
        });
    }
    if let Some(text) = m.get_one::<String>("latency") {
        faults.latency = parse_duration(text)?;
    }
    let ratio = |name: &str| -> Result<f64, Error> {
        let v = m.get_one::<f64>(name).copied().unwrap_or(0.0);
        if (0.0..=1.0).contains(&v) {
            Ok(v)
        } else {
            Err(Error::validation(name, "must be between 0.0 and 1.0"))
        }
    };
    faults.error_rate = ratio("error-rate")?;
    faults.drop_rate = ratio("drop-rate")?;
    faults.throttle_rate = ratio("throttle-rate")?;
    if let Some(seed) = m.get_one::<u64>("seed") {
        faults.seed = *seed;
    }
    let data = match m.get_one::<String>("data") {
        Some(name) => SeedData::from_name(name)
            .ok_or_else(|| Error::validation("data", "use minimal, demo or empty"))?,
        None if m.get_flag("empty") => SeedData::Empty,
        None => SeedData::Minimal,
    };
    Ok(SandboxConfig {
        faults,
        data,
        state_file: m.get_one::<std::path::PathBuf>("state").cloned(),
        ..SandboxConfig::default()
    })
}

pub async fn run(ctx: &Ctx, m: &ArgMatches) -> u8 {
    let config = match config(m) {
        Ok(c) => c,
        Err(e) => return fail(&e),
    };
    let host = m
        .get_one::<String>("host")
        .map(String::as_str)
        .unwrap_or("127.0.0.1");
    let ip: IpAddr = match host.parse() {
        Ok(ip) => ip,
        Err(_) => {
            return fail(&Error::validation(
                "host",
                format!("{host:?} is not an IP address"),
            ));
        }
    };
    let port = m.get_one::<u16>("port").copied().unwrap_or(0);
    let moco_port = if port == 0 { 0 } else { port.saturating_add(1) };
    if port == u16::MAX {
        return fail(&Error::validation(
            "port",
            "MOCO needs PORT+1; pick a lower port",
        ));
    }
    let state_file = config.state_file.clone();
    let konverte = match KonverteSandbox::start_on(SocketAddr::new(ip, port), config.clone()).await
    {
        Ok(s) => s,
        Err(e) => {
            output::error(format!(
                "cannot start the Konverte sandbox on {ip}:{port}: {e}"
            ));
            return exit::FAILURE;
        }
    };
    let moco = match MocoSandbox::start_on(SocketAddr::new(ip, moco_port), config).await {
        Ok(s) => s,
        Err(e) => {
            output::error(format!(
                "cannot start the MOCO sandbox on {ip}:{moco_port}: {e}"
            ));
            // Stopped without writing the state file, which stays as it was.
            drop(konverte);
            return exit::FAILURE;
        }
    };
    let text = format!(
        "export KONVERTE_BASE_URL={}\nexport KONVERTE_API_TOKEN={}\nexport KONVERTE_PLATFORM_TOKEN={}\nexport MOCO_BASE_URL={}\nexport MOCO_API_KEY={}\n",
        konverte.base_url(),
        konverte.token(),
        konverte.token(),
        moco.base_url(),
        moco.api_key()
    );
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        output::error(format!("cannot write to stdout: {e}"));
    }
    drop(stdout);
    output::note(
        ctx.quiet,
        format!(
            "sandbox: Konverte at {}, MOCO at {}; Ctrl-C stops",
            konverte.base_url(),
            moco.base_url()
        ),
    );
    tracing::info!(konverte = %konverte.base_url(), moco = %moco.base_url(), "sandbox running");
    wait_for_signal().await;
    output::note(ctx.quiet, "sandbox: stopping");
    let saved = tokio::join!(konverte.shutdown_and_save(), moco.shutdown_and_save());
    let mut code = exit::SUCCESS;
    for result in [saved.0, saved.1] {
        if let Err(e) = result {
            output::error(e.to_string());
            code = exit::FAILURE;
        }
    }
    if code == exit::SUCCESS
        && let Some(path) = &state_file
    {
        output::note(
            ctx.quiet,
            format!("sandbox: records saved to {}", path.display()),
        );
    }
    code
}

/// Ctrl-C, or SIGTERM on Unix.
pub async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
