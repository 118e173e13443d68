//! A received response, and turning it into JSON or a readable error.

use crate::error::Error;
use bytes::Bytes;
use serde_json::Value;

/// How much of a response body an error quotes.
const EXCERPT_CHARS: usize = 300;

/// A complete HTTP response.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as JSON. An empty body is `null`; anything that is not JSON is a
    /// [`Error::Decode`] quoting the start of the body.
    pub fn json(&self) -> Result<Value, Error> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&self.body).map_err(|e| Error::Decode {
            context: "response body".into(),
            message: format!(
                "expected JSON but got {} ({e}): {}",
                self.header("content-type").unwrap_or("no content type"),
                excerpt(&self.body)
            ),
        })
    }

    /// The API error this (non-2xx) response stands for.
    pub fn to_error(&self, hint: Option<String>) -> Error {
        let excerpt = excerpt(&self.body);
        let message = serde_json::from_slice::<Value>(&self.body)
            .ok()
            .and_then(|v| api_message(&v))
            .unwrap_or_else(|| {
                http::StatusCode::from_u16(self.status)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or("error")
                    .to_owned()
            });
        Error::Api {
            status: self.status,
            message,
            excerpt,
            hint,
        }
    }
}

/// The record or list inside an answer, at the action's declared envelope (`/payload`,
/// `/data/payload`); the whole body when the action declares none. An answer without its
/// envelope is an error naming the pointer, never an empty result.
pub fn unwrap_envelope(action: &crate::ActionSpec, mut body: Value) -> Result<Value, Error> {
    if action.envelope.is_empty() || body.is_null() {
        return Ok(body);
    }
    match body.pointer_mut(action.envelope) {
        Some(inner) => Ok(inner.take()),
        None => Err(Error::Decode {
            context: action.envelope.to_owned(),
            message: format!(
                "expected the answer of `{}` at {}, but the body has nothing there",
                action.id, action.envelope
            ),
        }),
    }
}

/// The API's own words from common error shapes: `{"message":..}`, `{"error":..}`,
/// `{"errors":[..]}`, `{"errors":{"field":["msg"]}}`.
pub fn api_message(v: &Value) -> Option<String> {
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("message").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    };
    let mut parts = Vec::new();
    if let Some(m) = v.get("message").and_then(text) {
        parts.push(m);
    } else if let Some(m) = v.get("error").and_then(text) {
        parts.push(m);
    }
    match v.get("errors") {
        Some(Value::Array(items)) => {
            let list: Vec<String> = items
                .iter()
                .filter_map(|i| text(i).or_else(|| Some(i.to_string())))
                .collect();
            if !list.is_empty() {
                parts.push(list.join("; "));
            }
        }
        Some(Value::Object(fields)) => {
            let list: Vec<String> = fields
                .iter()
                .map(|(field, msgs)| match msgs {
                    Value::Array(m) => format!(
                        "{field}: {}",
                        m.iter()
                            .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    other => format!(
                        "{field}: {}",
                        other
                            .as_str()
                            .map_or_else(|| other.to_string(), str::to_owned)
                    ),
                })
                .collect();
            if !list.is_empty() {
                parts.push(list.join("; "));
            }
        }
        Some(Value::String(s)) => parts.push(s.clone()),
        _ => {}
    }
    parts.dedup();
    if parts.len() == 2 && parts[1].contains(parts[0].as_str()) {
        parts.remove(0);
    }
    (!parts.is_empty()).then(|| parts.join(": "))
}

/// The first characters of a body, on one line, without control characters.
pub fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(EXCERPT_CHARS * 4)]);
    let mut out = String::new();
    let mut last_space = false;
    for c in text.chars() {
        if out.chars().count() >= EXCERPT_CHARS {
            out.push('…');
            break;
        }
        if c.is_whitespace() || c.is_control() {
            if !last_space && !out.is_empty() {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(c);
            last_space = false;
        }
    }
    out.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn resp(status: u16, body: &str, ct: &str) -> Response {
        let mut headers = http::HeaderMap::new();
        headers.insert("content-type", ct.parse().unwrap());
        Response {
            status,
            headers,
            body: Bytes::from(body.to_owned()),
        }
    }

    #[test]
    fn html_error_pages_become_readable_errors() {
        let r = resp(
            502,
            "<html>\n<body>\n<h1>Bad Gateway</h1></body></html>",
            "text/html",
        );
        let e = r.to_error(None);
        let s = e.to_string();
        assert!(s.starts_with("502 Bad Gateway"), "{s}");
        assert!(s.contains("<h1>Bad Gateway</h1>"), "{s}");
        assert!(r.json().unwrap_err().to_string().contains("text/html"));
    }

    #[test]
    fn field_maps_are_spelled_out() {
        let v = json!({"message": "Validation failed", "errors": {"date": ["can't be blank"]}});
        assert_eq!(
            api_message(&v).unwrap(),
            "Validation failed: date: can't be blank"
        );
        assert_eq!(
            api_message(&json!({"error": "Unauthorized"})).unwrap(),
            "Unauthorized"
        );
        assert_eq!(api_message(&json!({"errors": ["a", "b"]})).unwrap(), "a; b");
        assert_eq!(api_message(&json!([1])), None);
        let chatwoot = json!({"message": "Inbox id can't be blank", "errors": [{"field": "inbox_id", "message": "Inbox id can't be blank"}]});
        assert_eq!(api_message(&chatwoot).unwrap(), "Inbox id can't be blank");
    }

    #[test]
    fn empty_success_is_null_and_huge_bodies_are_cut() {
        assert_eq!(
            resp(200, "", "application/json").json().unwrap(),
            Value::Null
        );
        let big = "x".repeat(10_000_000);
        assert!(excerpt(big.as_bytes()).chars().count() <= EXCERPT_CHARS + 1);
    }
}
