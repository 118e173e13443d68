//! One error type for every connector. No variant ever carries a secret: request
//! bodies are excerpted from *responses* only, and credentials never enter an error.

use std::time::Duration;

/// Broad class of a failure. Drives retries and the CLI's exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Bad input or configuration, found before anything was sent.
    Validation,
    /// The API refused the request (4xx other than 429).
    Client,
    /// The API asked us to slow down (429).
    Throttling,
    /// The API failed (5xx) or answered something we cannot read.
    Server,
    /// The network failed: connect, TLS, timeout, reset.
    Transport,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Validation => "validation",
            ErrorKind::Client => "client",
            ErrorKind::Throttling => "throttling",
            ErrorKind::Server => "server",
            ErrorKind::Transport => "transport",
        }
    }
}

/// Every failure a connector reports.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An input field is missing or malformed. Nothing was sent.
    #[error("invalid `{field}`: {reason}")]
    Validation { field: String, reason: String },

    /// The connector or its options are set up wrongly. Nothing was sent.
    #[error("configuration: {0}")]
    Config(String),

    /// No action with this id in the backend's registry.
    #[error("unknown action `{id}` for {backend}")]
    UnknownAction { backend: String, id: String },

    /// An attempt or the whole call ran past its deadline.
    #[error("timed out after {}", humantime::format_duration(*after))]
    Timeout {
        after: Duration,
        /// The request may have reached the server before the deadline.
        maybe_sent: bool,
    },

    /// The connection could not be made or was lost.
    #[error("connection failed: {message}")]
    Connect { message: String, maybe_sent: bool },

    /// The TLS handshake failed (certificate not trusted, wrong host, ...).
    #[error("TLS failed: {message} (use ignore-ssl-issues only for hosts you trust)")]
    Tls { message: String },

    /// A non-idempotent request may have reached the server, but no answer came back.
    /// It was not re-sent: check the API before trying again.
    #[error("outcome unknown: {message}; the request may have been applied and was not re-sent")]
    OutcomeUnknown { message: String },

    /// 429 Too Many Requests, after the retry budget was spent.
    #[error("rate limited by the API{}", retry_after.map(|d| format!(" (asked to wait {})", humantime::format_duration(d))).unwrap_or_default())]
    RateLimited { retry_after: Option<Duration> },

    /// The API answered with an error status.
    #[error("{status} {message}{}{}", hint.as_ref().map(|h| format!(" — {h}")).unwrap_or_default(), body_note(*status, message, excerpt))]
    Api {
        status: u16,
        /// The API's own message, when the body has one; else the status text.
        message: String,
        /// The first few hundred characters of the response body.
        excerpt: String,
        /// What to check, e.g. which credential kind the action needs.
        hint: Option<String>,
    },

    /// The response could not be decoded.
    #[error("cannot decode response{}: {message}", if context.is_empty() { String::new() } else { format!(" at `{context}`") })]
    Decode { context: String, message: String },
}

/// Quotes the body only when it adds something: not for a JSON body whose own message
/// is already shown.
fn body_note(status: u16, message: &str, excerpt: &str) -> String {
    let reason = http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let json = excerpt.starts_with('{') || excerpt.starts_with('[');
    if excerpt.is_empty() || excerpt == message || (json && message != reason) {
        String::new()
    } else {
        format!(" [body: {excerpt}]")
    }
}

impl Error {
    pub fn validation(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Validation {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Validation { .. } | Error::Config(_) | Error::UnknownAction { .. } => {
                ErrorKind::Validation
            }
            Error::Api { status, .. } if *status >= 500 => ErrorKind::Server,
            Error::Api { .. } => ErrorKind::Client,
            Error::RateLimited { .. } => ErrorKind::Throttling,
            Error::Decode { .. } => ErrorKind::Server,
            Error::Timeout { .. }
            | Error::Connect { .. }
            | Error::Tls { .. }
            | Error::OutcomeUnknown { .. } => ErrorKind::Transport,
        }
    }

    /// True when nothing left the machine for this call.
    pub fn nothing_sent(&self) -> bool {
        self.kind() == ErrorKind::Validation
    }

    /// The field a validation error names.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Validation { field, .. } => Some(field),
            _ => None,
        }
    }

    /// HTTP status of an API error.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } => Some(*status),
            Error::RateLimited { .. } => Some(429),
            _ => None,
        }
    }

    /// A JSON description for machine-readable output (`{"kind":..,"message":..}`).
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::json!({
            "kind": self.kind().as_str(),
            "message": self.to_string(),
        });
        if let Some(field) = self.field() {
            v["field"] = field.into();
        }
        if let Some(status) = self.status() {
            v["status"] = status.into();
        }
        if matches!(self, Error::OutcomeUnknown { .. }) {
            v["outcome_unknown"] = true.into();
        }
        v
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_status() {
        let api = |status| Error::Api {
            status,
            message: "x".into(),
            excerpt: String::new(),
            hint: None,
        };
        assert_eq!(api(404).kind(), ErrorKind::Client);
        assert_eq!(api(503).kind(), ErrorKind::Server);
        assert_eq!(
            Error::validation("email", "bad").kind(),
            ErrorKind::Validation
        );
        assert_eq!(
            Error::RateLimited { retry_after: None }.kind(),
            ErrorKind::Throttling
        );
    }

    #[test]
    fn display_names_the_field_and_hint() {
        let e = Error::validation("custom_attributes", "must be a JSON object");
        assert_eq!(
            e.to_string(),
            "invalid `custom_attributes`: must be a JSON object"
        );
        let e = Error::Api {
            status: 401,
            message: "Unauthorized".into(),
            excerpt: "{\"error\":\"nope\"}".into(),
            hint: Some("this action needs a platform token".into()),
        };
        let s = e.to_string();
        assert!(s.contains("401") && s.contains("platform token") && s.contains("nope"));
        assert_eq!(e.to_json()["status"], 401);
    }
}
