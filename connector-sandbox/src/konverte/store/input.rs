//! Reading request bodies, and errors in the Konverte style.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use crate::http::{Fail, as_bool, as_id, looks_like_email};

pub(crate) fn not_found(what: &str) -> Fail {
    Fail::new(
        StatusCode::NOT_FOUND,
        json!({"error": format!("{what} not found")}),
    )
}

pub(crate) fn invalid(field: &str, message: impl Into<String>) -> Fail {
    let message = message.into();
    Fail::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({
            "message": message,
            "attributes": [field],
            "errors": [{"field": field, "message": message, "code": "invalid"}],
        }),
    )
}

pub(crate) fn blank(field: &str) -> Fail {
    invalid(field, format!("{} can't be blank", humanize(field)))
}

pub(crate) fn bad_request(message: impl Into<String>) -> Fail {
    let message = message.into();
    Fail::new(
        StatusCode::BAD_REQUEST,
        json!({
            "description": message,
            "errors": [{"field": "body", "message": message, "code": "bad_request"}],
        }),
    )
}

fn humanize(field: &str) -> String {
    let spaced = field.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Reading request bodies

/// Typed access to a request body; `creating` makes required fields mandatory.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Input<'a> {
    pub(crate) body: &'a Map<String, Value>,
    pub(crate) creating: bool,
}

impl<'a> Input<'a> {
    pub(crate) fn new(body: &'a Map<String, Value>, creating: bool) -> Self {
        Self { body, creating }
    }

    pub(crate) fn has(&self, key: &str) -> bool {
        self.body.get(key).is_some_and(|v| !v.is_null())
    }

    pub(crate) fn raw(&self, key: &str) -> Option<&'a Value> {
        self.body.get(key).filter(|v| !v.is_null())
    }

    /// A string field (numbers and booleans are accepted and rendered as text).
    pub(crate) fn str(&self, key: &str) -> Result<Option<String>, Fail> {
        match self.raw(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(_) => Err(invalid(key, format!("{} must be a string", humanize(key)))),
        }
    }

    /// A string that must not be blank: required when creating, non-empty when given.
    pub(crate) fn required_str(&self, key: &str) -> Result<Option<String>, Fail> {
        match self.str(key)? {
            Some(s) if !s.trim().is_empty() => Ok(Some(s)),
            Some(_) => Err(blank(key)),
            None if self.creating || self.body.contains_key(key) => Err(blank(key)),
            None => Ok(None),
        }
    }

    pub(crate) fn bool(&self, key: &str) -> Result<Option<bool>, Fail> {
        match self.raw(key) {
            None => Ok(None),
            Some(v) => as_bool(v)
                .map(Some)
                .ok_or_else(|| invalid(key, format!("{} must be true or false", humanize(key)))),
        }
    }

    pub(crate) fn id(&self, key: &str) -> Result<Option<u64>, Fail> {
        match self.raw(key) {
            None => Ok(None),
            Some(v) => as_id(v)
                .map(Some)
                .ok_or_else(|| invalid(key, format!("{} must be a numeric id", humanize(key)))),
        }
    }

    pub(crate) fn required_id(&self, key: &str) -> Result<u64, Fail> {
        self.id(key)?.ok_or_else(|| blank(key))
    }

    pub(crate) fn int(&self, key: &str) -> Result<Option<i64>, Fail> {
        match self.raw(key) {
            None => Ok(None),
            Some(v) => v
                .as_i64()
                .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
                .map(Some)
                .ok_or_else(|| invalid(key, format!("{} must be an integer", humanize(key)))),
        }
    }

    /// A field that must be a JSON object when present.
    pub(crate) fn object(&self, key: &str) -> Result<Option<Map<String, Value>>, Fail> {
        match self.raw(key) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(map.clone())),
            Some(_) => Err(invalid(
                key,
                format!("{} must be a JSON object", humanize(key)),
            )),
        }
    }

    pub(crate) fn array(&self, key: &str) -> Result<Option<Vec<Value>>, Fail> {
        match self.raw(key) {
            None => Ok(None),
            Some(Value::Array(items)) => Ok(Some(items.clone())),
            Some(_) => Err(invalid(key, format!("{} must be an array", humanize(key)))),
        }
    }

    /// An array of ids (`[1, 2]` or `"1,2"`).
    pub(crate) fn ids(&self, key: &str) -> Result<Option<Vec<u64>>, Fail> {
        let bad = || {
            invalid(
                key,
                format!("{} must be a list of numeric ids", humanize(key)),
            )
        };
        match self.raw(key) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| as_id(v).ok_or_else(bad))
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(Value::String(s)) => s
                .split(',')
                .filter(|p| !p.trim().is_empty())
                .map(|p| p.trim().parse::<u64>().map_err(|_| bad()))
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(v) => as_id(v).map(|id| Some(vec![id])).ok_or_else(bad),
        }
    }

    /// A string restricted to `allowed` values.
    pub(crate) fn choice(&self, key: &str, allowed: &[&str]) -> Result<Option<String>, Fail> {
        match self.str(key)? {
            None => Ok(None),
            Some(s) if allowed.contains(&s.as_str()) => Ok(Some(s)),
            Some(s) => Err(invalid(
                key,
                format!(
                    "{} '{s}' is not valid; use one of: {}",
                    humanize(key),
                    allowed.join(", ")
                ),
            )),
        }
    }
}

/// The password rule of the real server: at least 6 characters (Devise's default length, 6..128) with an upper-case letter, a
/// lower-case letter, a digit and a special character.
pub(crate) fn check_password(password: &str) -> Result<(), Fail> {
    let mut missing = Vec::new();
    if password.chars().count() < 6 {
        missing.push("at least 6 characters");
    }
    if !password.chars().any(char::is_uppercase) {
        missing.push("an uppercase letter");
    }
    if !password.chars().any(char::is_lowercase) {
        missing.push("a lowercase letter");
    }
    if !password.chars().any(|c| c.is_ascii_digit()) {
        missing.push("a number");
    }
    if !password.chars().any(|c| !c.is_alphanumeric()) {
        missing.push("a special character");
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(invalid(
            "password",
            format!(
                "Password is too weak: it must contain {}",
                missing.join(", ")
            ),
        ))
    }
}

pub(crate) fn check_email(field: &str, email: &str) -> Result<(), Fail> {
    if looks_like_email(email) {
        Ok(())
    } else {
        Err(invalid(field, format!("{} is invalid", humanize(field))))
    }
}
