//! Where things go: data on stdout (JSON, JSON Lines or a table), people's messages
//! on stderr (errors, warnings, the progress bar, the batch summary). Colours only on
//! a terminal and never with `NO_COLOR` (anstream strips them otherwise).

pub use crate::out::Out;

use crate::terminal;
use connector_core::Summary;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use std::borrow::Cow;

use std::sync::Mutex;

/// Credentials of this invocation: never printed, even when an API echoes them back
/// (Chatwoot's profile answer carries the caller's own `access_token`).
static SECRETS: Mutex<Vec<SecretString>> = Mutex::new(Vec::new());

/// Shorter values are not masked inside other text (they would mask too much).
const MIN_SECRET_LEN: usize = 6;

/// Registers a credential to mask as `***` wherever output would show it.
pub fn protect(secret: &SecretString) {
    if secret.expose_secret().len() >= MIN_SECRET_LEN {
        let mut all = SECRETS.lock().unwrap_or_else(|e| e.into_inner());
        all.push(secret.clone());
    }
}

fn redact_text(text: &str) -> Cow<'_, str> {
    let all = SECRETS.lock().unwrap_or_else(|e| e.into_inner());
    let mut out = Cow::Borrowed(text);
    for secret in all.iter() {
        let secret = secret.expose_secret();
        if out.contains(secret) {
            out = Cow::Owned(out.replace(secret, connector_core::MASK));
        }
    }
    out
}

pub(crate) fn has_secrets() -> bool {
    !SECRETS.lock().unwrap_or_else(|e| e.into_inner()).is_empty()
}

/// Masks every registered credential inside the strings of `value`.
pub fn redact(value: &mut Value) {
    match value {
        Value::String(s) => {
            if let Cow::Owned(masked) = redact_text(s) {
                *s = masked;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        Value::Object(map) => map.values_mut().for_each(redact),
        _ => {}
    }
}

const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const GREEN: &str = "\x1b[32m";
const RESET: &str = "\x1b[0m";

// Messages quote servers and inputs (an API's error text, a file's line): control
// characters in them are escaped ([`terminal::escape`]) so they show instead of acting.

/// `error: <message>` on stderr.
pub fn error(message: impl std::fmt::Display) {
    let text = message.to_string();
    let text = redact_text(&text);
    anstream::eprintln!("{RED}error:{RESET} {}", terminal::escape(&text));
}

/// `warning: <message>` on stderr.
pub fn warn(message: impl std::fmt::Display) {
    let text = message.to_string();
    let text = redact_text(&text);
    anstream::eprintln!("{YELLOW}warning:{RESET} {}", terminal::escape(&text));
}

/// A plain note on stderr (unless `quiet`).
pub fn note(quiet: bool, message: impl std::fmt::Display) {
    if !quiet {
        let text = message.to_string();
        anstream::eprintln!("{}", terminal::escape(&redact_text(&text)));
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn registered_secrets_are_masked() {
        protect(&SecretString::from("abcdef-secret"));
        protect(&SecretString::from("abc"));
        let mut v =
            json!({"access_token": "abcdef-secret", "n": ["Bearer abcdef-secret"], "short": "abc"});
        redact(&mut v);
        assert_eq!(
            v,
            json!({"access_token": "***", "n": ["Bearer ***"], "short": "abc"})
        );
    }
}
