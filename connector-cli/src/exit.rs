//! Exit codes: one table, used by every command and printed in `--help`.

use connector_core::{Error, ErrorKind};
use std::process::ExitCode;

/// Everything succeeded.
pub const SUCCESS: u8 = 0;
/// The API or the network failed: any 4xx the server answered (422 included: the
/// request was sent), a 5xx, a timeout, a TLS or connection error. A webhook
/// signature that does not verify. A batch cut short because stdout was closed.
pub const FAILURE: u8 = 1;
/// Usage, configuration or validation error found before sending: nothing was sent
/// for that item.
pub const USAGE: u8 = 2;
/// A batch stopped by Ctrl-C (SIGINT), 128 + 2 as shells report it.
pub const INTERRUPTED: u8 = 130;
/// A batch stopped by SIGTERM, 128 + 15.
pub const TERMINATED: u8 = 143;

/// `(code, meaning)` for every exit code, in order.
pub const TABLE: &[(u8, &str)] = &[
    (SUCCESS, "everything succeeded"),
    (
        FAILURE,
        "the request was sent and failed: any 4xx from the server (422 included), 5xx, \
         timeout, TLS, connection; a webhook signature did not verify",
    ),
    (
        USAGE,
        "usage or validation error (configuration included), found before sending: \
         nothing was sent for that item",
    ),
    (
        INTERRUPTED,
        "a batch was stopped by Ctrl-C (143: by SIGTERM); requests in flight finished \
         and their outcomes were printed",
    ),
];

/// The `--help` text describing [`TABLE`].
pub fn help_text() -> String {
    let mut text = String::from("Exit codes:\n");
    for (code, meaning) in TABLE {
        text.push_str(&format!("  {code}  {meaning}\n"));
    }
    text.push_str(
        "  A batch with any failed item exits non-zero: 2 if every failure was found before \
         sending, else 1. A batch cut short because stdout was closed exits 1.",
    );
    text
}

/// The exit code for one error.
pub fn for_error(error: &Error) -> u8 {
    match error.kind() {
        ErrorKind::Validation => USAGE,
        _ => FAILURE,
    }
}

/// Converts a code from [`TABLE`] to the process exit code.
pub fn code(code: u8) -> ExitCode {
    ExitCode::from(code)
}

/// Tracks the exit code of a batch: 0 when nothing failed, 2 when every failure was a
/// validation error, else 1.
#[derive(Debug, Default, Clone, Copy)]
pub struct BatchStatus {
    pub failures: usize,
    pub other_failures: usize,
}

impl BatchStatus {
    pub fn record(&mut self, error: &Error) {
        self.failures += 1;
        if error.kind() != ErrorKind::Validation {
            self.other_failures += 1;
        }
    }

    pub fn exit_code(&self) -> u8 {
        if self.failures == 0 {
            SUCCESS
        } else if self.other_failures == 0 {
            USAGE
        } else {
            FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_codes() {
        let mut s = BatchStatus::default();
        assert_eq!(s.exit_code(), SUCCESS);
        s.record(&Error::validation("x", "bad"));
        assert_eq!(s.exit_code(), USAGE);
        s.record(&Error::Config("nope".into()));
        assert_eq!(s.exit_code(), USAGE);
        s.record(&Error::Api {
            status: 500,
            message: "boom".into(),
            excerpt: String::new(),
            hint: None,
        });
        assert_eq!(s.exit_code(), FAILURE);
    }

    #[test]
    fn help_lists_every_code() {
        let text = help_text();
        for (code, _) in TABLE {
            assert!(text.contains(&format!("  {code}  ")));
        }
    }
}
