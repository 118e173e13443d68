//! Small helpers shared by both fakes: responses, errors, bodies, query strings, clocks.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Map, Value};

pub(crate) const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// An error answer: status and JSON body (kept small so `Result<_, Fail>` stays cheap).
#[derive(Debug)]
pub(crate) struct Fail {
    pub(crate) status: StatusCode,
    pub(crate) body: Value,
}

impl Fail {
    pub(crate) fn new(status: StatusCode, body: Value) -> Self {
        Self { status, body }
    }

    /// The marker a hand-written router returns for a path it does not serve; the generic tier
    /// or the `501 not in the sandbox` answer takes over.
    pub(crate) fn no_route() -> Self {
        Self::new(StatusCode::NOT_IMPLEMENTED, Value::Null)
    }

    pub(crate) fn is_no_route(&self) -> bool {
        self.status == StatusCode::NOT_IMPLEMENTED && self.body.is_null()
    }

    pub(crate) fn into_response(self) -> Response {
        json(self.status, &self.body)
    }
}

pub(crate) type Answer = Result<Response, Fail>;

/// A JSON response from a value.
pub(crate) fn json(status: StatusCode, value: &Value) -> Response {
    raw_json(
        status,
        serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned()),
    )
}

/// A JSON response from an already serialized body.
pub(crate) fn raw_json(status: StatusCode, body: String) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(JSON_CONTENT_TYPE),
    );
    response
}

/// `200 OK` with a JSON body.
pub(crate) fn ok(value: &Value) -> Answer {
    Ok(json(StatusCode::OK, value))
}

/// A response without a body.
pub(crate) fn empty(status: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
}

/// Parses a request body as a JSON object; an empty body is an empty object.
pub(crate) fn parse_object(body: &[u8]) -> Result<Map<String, Value>, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err("the request body must be a JSON object".to_owned()),
        Err(err) => Err(format!("the request body is not valid JSON: {err}")),
    }
}

/// Decoded query-string pairs, in order.
#[derive(Debug, Default, Clone)]
pub(crate) struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    pub(crate) fn parse(query: Option<&str>) -> Self {
        let pairs = query
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        Self { pairs }
    }

    /// The first non-empty value of `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, v)| k == key && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// `?page=N`, 1-based; missing or invalid values mean page 1.
    pub(crate) fn page(&self) -> usize {
        self.get("page")
            .and_then(|p| p.trim().parse::<usize>().ok())
            .filter(|p| *p >= 1)
            .unwrap_or(1)
    }

    pub(crate) fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }
}

/// Reads an id from a JSON number or a numeric string.
pub(crate) fn as_id(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                .map(|f| f as u64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Reads a boolean from a JSON bool or the strings `true` / `false`.
pub(crate) fn as_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        Value::Number(n) => n.as_u64().and_then(|n| match n {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }),
        _ => None,
    }
}

/// Reads a number from a JSON number or a numeric string.
pub(crate) fn as_f64(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Parses a path segment as a numeric id.
pub(crate) fn seg_id(segment: &str) -> Option<u64> {
    segment.parse().ok()
}

/// Seconds since the Unix epoch.
pub(crate) fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Milliseconds since the Unix epoch.
pub(crate) fn unix_millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// An ISO 8601 UTC timestamp with second precision, like both APIs send.
pub(crate) fn iso_from_millis(millis: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(millis)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// `n` random lower-case hex characters.
pub(crate) fn random_hex(n: usize) -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..n)
        .map(|_| char::from_digit(rng.random_range(0..16u32), 16).unwrap_or('0'))
        .collect()
}

/// A random UUID-shaped string (version 4 layout).
pub(crate) fn random_uuid() -> String {
    let hex = random_hex(32);
    format!(
        "{}-{}-4{}-a{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

/// A plausible e-mail address (something@domain.tld, no spaces).
pub(crate) fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !s.chars().any(char::is_whitespace)
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
}

/// An absolute http(s) URL with a host.
pub(crate) fn looks_like_url(s: &str) -> bool {
    url::Url::parse(s)
        .map(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
        .unwrap_or(false)
}

/// The compact JSON text of a string value.
pub(crate) fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned())
}

/// The answer to a request no route of the sandbox serves: `501`, never a 404 that reads like
/// the real API's.
pub(crate) fn not_in_sandbox(method: &str, path: &str) -> Response {
    let message = format!("not in the sandbox: {method} {path}");
    json(
        StatusCode::NOT_IMPLEMENTED,
        &serde_json::json!({"error": message, "message": message}),
    )
}
