//! Where people's messages go: stderr (errors, warnings, notes, the batch summary);
//! data goes to stdout through [`crate::out::Out`]. Colours only on a terminal and never
//! with `NO_COLOR` (anstream strips them otherwise).
//!
//! These functions print what they are given: once a command holds credentials, its
//! messages go through [`crate::out::Out`]'s `error`/`warn`/`note`/`fail`, which mask
//! them with the command's [`crate::redact::Redactor`] first.

use crate::terminal;
use connector_core::Summary;

const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const GREEN: &str = "\x1b[32m";
const RESET: &str = "\x1b[0m";

// Messages quote servers and inputs (an API's error text, a file's line): control
// characters in them are escaped ([`terminal::escape`]) so they show instead of acting.

/// `error: <message>` on stderr.
pub fn error(message: impl std::fmt::Display) {
    let text = message.to_string();
    anstream::eprintln!("{RED}error:{RESET} {}", terminal::escape(&text));
}

/// `warning: <message>` on stderr.
pub fn warn(message: impl std::fmt::Display) {
    let text = message.to_string();
    anstream::eprintln!("{YELLOW}warning:{RESET} {}", terminal::escape(&text));
}

/// A plain note on stderr (unless `quiet`).
pub fn note(quiet: bool, message: impl std::fmt::Display) {
    if !quiet {
        let text = message.to_string();
        anstream::eprintln!("{}", terminal::escape(&text));
    }
}

/// The end-of-batch line: `ok N, failed N, skipped N`.
pub fn summary(summary: &Summary) {
    let failed = if summary.failed > 0 { RED } else { GREEN };
    anstream::eprintln!(
        "{GREEN}ok {}{RESET}, {failed}failed {}{RESET}, skipped {}",
        summary.ok,
        summary.failed,
        summary.skipped
    );
}
