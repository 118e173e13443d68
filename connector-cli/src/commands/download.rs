//! `connector <backend> download URL [--out FILE]`: a file by a URL the API handed out.

use super::action::connect;
use super::context::{Ctx, fail};
use crate::backend::Backend;
use crate::exit;
use crate::options::{self, download_args};
use crate::out::Out;
use clap::{Arg, ArgMatches, Command, ValueHint};
use connector_core::Error;

/// The command's name below a backend.
pub const NAME: &str = "download";

/// The clap command of `backend`'s `download`.
pub fn command(backend: Backend) -> Command {
    Command::new(NAME)
        .about("Fetch a file by a URL the API handed out (an attachment's data_url)")
        .long_about(
            "Fetch a file by a URL the API handed out, e.g. an attachment's data_url. Redirects \
             are followed; the credentials go only to the API's own address, never to another \
             origin (object storage gets the request without them).",
        )
        .arg(
            Arg::new("url")
                .value_name("URL")
                .required(true)
                .value_hint(ValueHint::Url)
                .help("The file's URL (absolute, or a path on the API's address)"),
        )
        .args(download_args(backend.impersonation()))
        .args(crate::files::args())
}

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
    let (connector, redactor) = match connect(ctx, backend, &mut flags) {
        Ok(c) => c,
        Err(code) => return code,
    };
    // Nothing is printed on stdout but the file; the messages are masked.
    let out = Out::new(redactor);
    let download = match connector
        .download_url(url, Some(backend.credentials_action()), &flags.options)
        .await
    {
        Ok(d) => d,
        Err(e) => return out.fail(&e),
    };
    match flags.files.save(download).await {
        Ok(saved) => {
            if let Some(file) = saved["file"].as_str() {
                out.note(
                    ctx.quiet,
                    format!("saved {} bytes to {file}", saved["bytes"]),
                );
            }
            exit::SUCCESS
        }
        Err(e) => out.fail(&e),
    }
}
