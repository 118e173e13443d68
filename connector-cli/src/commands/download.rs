//! `connector <backend> download URL [--out FILE]`.

use super::action::connect;
use super::{Ctx, fail};
use crate::backend::Backend;
use crate::exit;
use crate::options;
use crate::output;
use clap::ArgMatches;
use connector_core::Error;

pub async fn run(ctx: &Ctx, backend: Backend, m: &ArgMatches) -> u8 {
    let mut flags = match options::from_matches(m, backend.impersonation()) {
        Ok(f) => f,
        Err(e) => return fail(&e),
    };
    let Some(url) = m.get_one::<String>("url") else {
        return fail(&Error::validation("url", "is required"));
    };
    if let Err(e) = flags.files.check_single() {
        return fail(&e);
    }
    let connector = match connect(ctx, backend, &mut flags) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let download = match connector
        .download_url(url, Some(backend.credentials_action()), &flags.options)
        .await
    {
        Ok(d) => d,
        Err(e) => return fail(&e),
    };
    match flags.files.save(download).await {
        Ok(saved) => {
            if let Some(file) = saved["file"].as_str() {
                output::note(
                    ctx.quiet,
                    format!("saved {} bytes to {file}", saved["bytes"]),
                );
            }
            exit::SUCCESS
        }
        Err(e) => fail(&e),
    }
}
