//! Input map + declaration -> [`PreparedRequest`], with every check done before any I/O.

use crate::action::{ActionSpec, BodyKind, Location, Method, ParamSpec, ParamType};
use crate::error::Error;
use crate::validate;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, Value};
use std::fmt;
use url::Url;

/// Characters left as they are in a path segment: RFC 3986 unreserved only, so `/`,
/// `?`, `#` and `%` in a value can never change the path.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The text that replaces a secret wherever a request is shown.
pub const MASK: &str = "***";

/// A request that passed validation. Secret parameters are masked in `Debug` and in
/// [`PreparedRequest::redacted_body`]; credentials are not in it at all (they are
/// added by the connector's [`crate::Authenticator`] at send time).
#[derive(Clone)]
pub struct PreparedRequest {
    pub action: &'static ActionSpec,
    pub method: Method,
    pub url: Url,
    /// Header parameters declared by the action.
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
    /// The body goes as `multipart/form-data` (declared so, or `auto` with a file given).
    pub multipart: bool,
}

impl PreparedRequest {
    /// The body with every secret parameter replaced by [`MASK`], and files shown by
    /// name, type and size instead of their content.
    pub fn redacted_body(&self) -> Option<Value> {
        let mut body = self.body.clone()?;
        crate::body::describe_files(self.action, &mut body);
        if let Value::Object(map) = &mut body {
            for p in self.action.params_in(Location::Body).filter(|p| p.secret) {
                let holder = match self.action.body_key {
                    Some(key) if !p.top_level => match map.get_mut(key) {
                        Some(Value::Object(nested)) => nested,
                        _ => continue,
                    },
                    _ => &mut *map,
                };
                if let Some(v) = holder.get_mut(p.name) {
                    *v = Value::String(MASK.into());
                }
            }
        }
        Some(body)
    }

    /// Declared headers with secret ones masked.
    pub fn redacted_headers(&self) -> Vec<(String, String)> {
        self.headers
            .iter()
            .map(|(name, value)| {
                let secret = self
                    .action
                    .params_in(Location::Header)
                    .any(|p| p.secret && p.name.eq_ignore_ascii_case(name));
                (
                    name.clone(),
                    if secret { MASK.into() } else { value.clone() },
                )
            })
            .collect()
    }

    /// The URL with secret query parameters masked.
    pub fn redacted_url(&self) -> String {
        let secret_query: Vec<&str> = self
            .action
            .params_in(Location::Query)
            .filter(|p| p.secret)
            .map(|p| p.name)
            .collect();
        if secret_query.is_empty() {
            return self.url.to_string();
        }
        let mut url = self.url.clone();
        let pairs: Vec<(String, String)> = self
            .url
            .query_pairs()
            .map(|(k, v)| {
                let masked = secret_query.contains(&k.as_ref());
                (
                    k.into_owned(),
                    if masked { MASK.into() } else { v.into_owned() },
                )
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
        url.to_string()
    }
}

impl fmt::Debug for PreparedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreparedRequest")
            .field("action", &self.action.id)
            .field("method", &self.method)
            .field("url", &self.redacted_url())
            .field("headers", &self.redacted_headers())
            .field("body", &self.redacted_body())
            .field("multipart", &self.multipart)
            .finish()
    }
}

/// The longest URL the HTTP stack can carry (`http::Uri` refuses longer ones); a request
/// that would need more is refused before sending.
pub const MAX_URL_LEN: usize = u16::MAX as usize - 1;

/// Validates `input` against `action` and builds the request. Unknown fields, missing
/// required fields and badly typed values are refused with an error naming the field.
pub fn prepare(
    action: &'static ActionSpec,
    base_url: &Url,
    input: &Map<String, Value>,
) -> Result<PreparedRequest, Error> {
    prepare_with(action, base_url, input, false)
}

/// [`prepare`]; when `lenient`, fields the declaration does not know and enum values
/// outside its list are sent as given (see [`undeclared`]) instead of refused, each logged
/// as a warning. Everything else is checked as strictly as ever.
pub fn prepare_with(
    action: &'static ActionSpec,
    base_url: &Url,
    input: &Map<String, Value>,
    lenient: bool,
) -> Result<PreparedRequest, Error> {
    if lenient {
        for what in undeclared(action, input) {
            tracing::warn!(action = action.id, "{what}: sent as given (lenient)");
        }
    } else if let Some(key) = input.keys().find(|k| action.param(k).is_none()) {
        return Err(unknown_field(action, key));
    }
    let type_of = |spec: &'static ParamSpec| if lenient { relaxed(&spec.ty) } else { &spec.ty };
    // Bytes each path or query parameter adds to the URL, to name the culprit of a
    // URL that is too long.
    let mut url_share: Vec<(&str, usize)> = Vec::new();

    let mut path = String::with_capacity(action.path.len() + 16);
    let mut rest = action.path;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        path.push_str(&rest[..start]);
        let name = &rest[start + 1..start + len];
        let spec = action
            .params
            .iter()
            .find(|p| p.name == name && p.location == Location::Path)
            .ok_or_else(|| {
                Error::Config(format!(
                    "{}: placeholder {{{name}}} is not declared",
                    action.id
                ))
            })?;
        let value = match input.get(name) {
            None | Some(Value::Null) => return Err(Error::validation(name, "is required")),
            Some(v) => v,
        };
        let text = path_value(spec, value)?;
        let before = path.len();
        path.extend(utf8_percent_encode(&text, SEGMENT));
        url_share.push((spec.name, path.len() - before));
        rest = &rest[start + len + 1..];
    }
    path.push_str(rest);

    let mut url = join(base_url, &path)?;
    let mut query: Vec<(String, String)> = Vec::new();
    let mut headers = Vec::new();
    let mut body = Map::new();

    for spec in action.params {
        let value = input.get(spec.name);
        let value = match value {
            None => {
                if spec.required && spec.location != Location::Path {
                    return Err(Error::validation(spec.name, "is required"));
                }
                continue;
            }
            Some(Value::Null) if spec.required => {
                return Err(Error::validation(spec.name, "is required"));
            }
            Some(v) => v,
        };
        match spec.location {
            Location::Path => {}
            Location::Query => {
                if value.is_null() {
                    continue;
                }
                let checked = if clears(spec, value) {
                    value.clone()
                } else {
                    validate::value_of_type(spec.name, value, type_of(spec))?
                };
                let before = query.len();
                push_query(&mut query, spec.wire_name(), &checked);
                url_share.push((spec.name, encoded_len(&query[before..])));
            }
            Location::Header => {
                if value.is_null() {
                    continue;
                }
                let checked = validate::value_of_type(spec.name, value, type_of(spec))?;
                headers.push((spec.name.to_owned(), scalar_text(&checked)));
            }
            Location::Body => {
                let checked = if value.is_null() || clears(spec, value) {
                    value.clone()
                } else {
                    validate::value_of_type(spec.name, value, type_of(spec))?
                };
                match action.body_key {
                    Some(key) if !spec.top_level => {
                        let nested = body
                            .entry(key.to_owned())
                            .or_insert_with(|| Value::Object(Map::new()));
                        if let Value::Object(nested) = nested {
                            nested.insert(spec.name.to_owned(), checked);
                        }
                    }
                    _ => {
                        body.insert(spec.name.to_owned(), checked);
                    }
                }
            }
        }
    }

    let undeclared_in_body = undeclared_go_in_body(action);
    for (key, value) in input.iter().filter(|(k, _)| action.param(k).is_none()) {
        // Only reached when lenient: sent as given, where the action's own fields go.
        if undeclared_in_body {
            let holder = match action.body_key {
                Some(key) => match body
                    .entry(key.to_owned())
                    .or_insert_with(|| Value::Object(Map::new()))
                {
                    Value::Object(nested) => nested,
                    _ => continue,
                },
                None => &mut body,
            };
            holder.insert(key.clone(), value.clone());
        } else if !value.is_null() {
            let before = query.len();
            push_query(&mut query, key, value);
            url_share.push((key, encoded_len(&query[before..])));
        }
    }

    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    if url.as_str().len() > MAX_URL_LEN {
        let culprit = url_share
            .iter()
            .max_by_key(|(_, len)| *len)
            .map_or("url", |(name, _)| name);
        return Err(Error::validation(
            culprit,
            format!(
                "makes the URL {} bytes long; a request URL can carry at most {MAX_URL_LEN} \
                 (send fewer values per call)",
                url.as_str().len()
            ),
        ));
    }
    let has_body_params =
        action.params_in(Location::Body).next().is_some() || (lenient && undeclared_in_body);
    let body = (has_body_params
        && action.body != BodyKind::None
        && !(body.is_empty() && action.method == Method::Get))
        .then_some(Value::Object(body));

    let multipart = match action.body {
        BodyKind::Multipart => true,
        BodyKind::Auto => body.as_ref().and_then(Value::as_object).is_some_and(|map| {
            action.params_in(Location::Body).any(|p| {
                let holder = match action.body_key {
                    Some(k) if !p.top_level => map.get(k).and_then(Value::as_object),
                    _ => Some(map),
                };
                holder
                    .and_then(|h| h.get(p.name))
                    .is_some_and(|v| crate::body::has_file(p, v))
            })
        }),
        BodyKind::Json | BodyKind::None => false,
    };
    Ok(PreparedRequest {
        action,
        method: action.method,
        url,
        headers,
        body,
        multipart,
    })
}

/// `""` for an optional scalar clears it, as Rails reads it (the real APIs take it: a
/// recurring expense's `finish_date: ""`; Rails casts a blank number, date, flag or enum to
/// nil). Sent as given: `""` in a body, `name=` in a query. Text is text anyway.
fn clears(spec: &ParamSpec, value: &Value) -> bool {
    !spec.required
        && value.as_str() == Some("")
        && matches!(
            spec.ty,
            ParamType::Integer
                | ParamType::Number
                | ParamType::Boolean
                | ParamType::Date
                | ParamType::DateTime
                | ParamType::Email
                | ParamType::Enum { .. }
        )
}

static TEXT: ParamType = ParamType::String;
static TEXTS: ParamType = ParamType::Array { items: &TEXT };

/// The type a lenient call checks against: an enum takes any word.
fn relaxed(ty: &'static ParamType) -> &'static ParamType {
    match ty {
        ParamType::Enum { .. } => &TEXT,
        ParamType::Array {
            items: ParamType::Enum { .. },
        } => &TEXTS,
        other => other,
    }
}

/// Where fields the declaration does not know go when sent anyway: into the body where
/// the action has one, else into the query.
fn undeclared_go_in_body(action: &ActionSpec) -> bool {
    action.body != BodyKind::None && !matches!(action.method, Method::Get | Method::Delete)
}

/// Something in an input that the declaration does not know.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Undeclared {
    /// A field the action does not declare.
    Field(String),
    /// A word outside a declared enum's list.
    Value { field: String, value: String },
}

impl fmt::Display for Undeclared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Undeclared::Field(name) => write!(f, "`{name}` is not a declared field"),
            Undeclared::Value { field, value } => {
                write!(f, "{value:?} is not a declared value of `{field}`")
            }
        }
    }
}

/// What of `input` a strict [`prepare`] would refuse as unknown and a lenient one sends
/// as given: undeclared fields, and enum values outside the declared words.
pub fn undeclared(action: &ActionSpec, input: &Map<String, Value>) -> Vec<Undeclared> {
    let mut found = Vec::new();
    for (key, value) in input {
        let Some(spec) = action.param(key) else {
            found.push(Undeclared::Field(key.clone()));
            continue;
        };
        let Some(words) = spec.ty.enum_values() else {
            continue;
        };
        if clears(spec, value) {
            continue;
        }
        let given = match &spec.ty {
            ParamType::Array { .. } => validate::array(key, value, &TEXT).unwrap_or_default(),
            _ => vec![value.clone()],
        };
        for v in given {
            if let Value::String(word) = v
                && !words.contains(&word.as_str())
            {
                found.push(Undeclared::Value {
                    field: key.clone(),
                    value: word,
                });
            }
        }
    }
    found
}

fn unknown_field(action: &ActionSpec, key: &str) -> Error {
    let mut known: Vec<&str> = action.params.iter().map(|p| p.name).collect();
    known.dedup();
    let reason = if known.is_empty() {
        format!("`{}` takes no input", action.id)
    } else if let Some(close) = validate::closest(key, &known) {
        format!(
            "is not a parameter of `{}`; did you mean `{close}`? (a lenient call sends \
             undeclared fields as given)",
            action.id
        )
    } else {
        format!(
            "is not a parameter of `{}`; expected one of: {}",
            action.id,
            known.join(", ")
        )
    };
    Error::validation(key, reason)
}

/// Bytes these query pairs add to a URL, `&` and `=` included.
fn encoded_len(pairs: &[(String, String)]) -> usize {
    let encoded = |s: &str| {
        url::form_urlencoded::byte_serialize(s.as_bytes())
            .map(str::len)
            .sum::<usize>()
    };
    pairs.iter().map(|(k, v)| encoded(k) + encoded(v) + 2).sum()
}

fn path_value(spec: &ParamSpec, value: &Value) -> Result<String, Error> {
    let checked = validate::value_of_type(spec.name, value, &spec.ty)?;
    let text = scalar_text(&checked);
    if text.is_empty() {
        return Err(Error::validation(spec.name, "must not be empty"));
    }
    // No record has a blank id; a control character only gets there by mistake.
    if text.trim().is_empty() {
        return Err(Error::validation(spec.name, "must not be blank"));
    }
    if text.chars().any(char::is_control) {
        return Err(Error::validation(
            spec.name,
            "must not contain control characters (tab, newline, NUL, ...)",
        ));
    }
    // `.` and `..` would be resolved away as dot segments and change the path.
    if text == "." || text == ".." {
        return Err(Error::validation(spec.name, "must not be `.` or `..`"));
    }
    Ok(text)
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(scalar_text).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

/// Arrays go as `name[]=a&name[]=b` when the wire name ends in `[]` (Rails, declared with
/// `wire`), otherwise as one comma-separated value (`ids=1,2,3`, as MOCO documents it).
fn push_query(query: &mut Vec<(String, String)>, name: &str, value: &Value) {
    match value {
        Value::Array(items) if name.ends_with("[]") => {
            for item in items {
                query.push((name.to_owned(), scalar_text(item)));
            }
        }
        Value::Object(_) => query.push((name.to_owned(), value.to_string())),
        other => query.push((name.to_owned(), scalar_text(other))),
    }
}

/// Appends a path template result to the base URL, keeping the base's own path.
pub fn join(base_url: &Url, path: &str) -> Result<Url, Error> {
    let base = base_url.as_str().trim_end_matches('/');
    Url::parse(&format!("{base}{path}"))
        .map_err(|e| Error::Config(format!("cannot build a URL from the base URL: {e}")))
}

/// Is `ty` a type whose values must never be shown?
pub fn is_secret_type(ty: &ParamType) -> bool {
    matches!(ty, ParamType::Password)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    static OBJ: ParamType = ParamType::Object;
    static INT: ParamType = ParamType::Integer;
    static UPDATE: ActionSpec = ActionSpec {
        id: "users.update",
        resource: "users",
        verb: "update",
        name: "Update a user",
        summary: "",
        method: Method::Patch,
        path: "/platform/api/v1/users/{id}",
        params: &[
            ParamSpec::path("id", ParamType::Integer),
            ParamSpec::body("name", ParamType::String),
            ParamSpec::body("password", ParamType::Password),
            ParamSpec::body("custom_attributes", OBJ),
            ParamSpec::query("ids", ParamType::Array { items: &INT }),
            ParamSpec::query(
                "labels[]",
                ParamType::Array {
                    items: &ParamType::String,
                },
            ),
        ],
        pagination: crate::action::Pagination::None,
        idempotent: false,
        tokens: &["platform"],
        ..ActionSpec::BLANK
    };

    fn base() -> Url {
        Url::parse("http://h.test/base/").unwrap()
    }

    fn input(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn builds_path_query_and_body() {
        let req = prepare(
            &UPDATE,
            &base(),
            &input(json!({"id": "5", "name": "Ada", "ids": "1,2", "labels[]": ["a", "b"], "custom_attributes": "{\"x\":1}"})),
        )
        .unwrap();
        assert_eq!(
            req.url.as_str(),
            "http://h.test/base/platform/api/v1/users/5?ids=1%2C2&labels%5B%5D=a&labels%5B%5D=b"
        );
        assert_eq!(
            req.body,
            Some(json!({"name": "Ada", "custom_attributes": {"x": 1}}))
        );
    }

    #[test]
    fn string_path_values_are_percent_encoded() {
        static GET: ActionSpec = ActionSpec {
            params: &[ParamSpec::path("id", ParamType::String)],
            path: "/things/{id}",
            ..UPDATE
        };
        let req = prepare(&GET, &base(), &input(json!({"id": "a/../b?c#d%"}))).unwrap();
        assert_eq!(req.url.path(), "/base/things/a%2F..%2Fb%3Fc%23d%25");
        for dots in [".", ".."] {
            let err = prepare(&GET, &base(), &input(json!({"id": dots}))).unwrap_err();
            assert_eq!(err.field(), Some("id"), "{dots}");
        }
    }

    #[test]
    fn refusals_name_the_field() {
        let cases = [
            (json!({"name": "x"}), "id"),
            (json!({"id": "1/../2"}), "id"),
            (json!({"id": 1, "password": "weak"}), "password"),
            (
                json!({"id": 1, "custom_attributes": "[1]"}),
                "custom_attributes",
            ),
            (json!({"id": 1, "nmae": "typo"}), "nmae"),
        ];
        for (value, field) in cases {
            let err = prepare(&UPDATE, &base(), &input(value.clone())).unwrap_err();
            assert_eq!(err.field(), Some(field), "{value}");
        }
    }

    #[test]
    fn blank_and_control_character_path_values_are_refused() {
        static GET: ActionSpec = ActionSpec {
            params: &[ParamSpec::path("id", ParamType::String)],
            path: "/things/{id}",
            ..UPDATE
        };
        for bad in [" ", " \t ", "\t", "a\u{0}b", "a\nb", "\u{9b}"] {
            let err = prepare(&GET, &base(), &input(json!({"id": bad}))).unwrap_err();
            assert_eq!(err.field(), Some("id"), "{bad:?}");
        }
        assert!(prepare(&GET, &base(), &input(json!({"id": "a b"}))).is_ok());
    }

    #[test]
    fn a_url_past_the_transport_limit_names_the_longest_part() {
        let long = "x".repeat(MAX_URL_LEN);
        let err = prepare(
            &UPDATE,
            &base(),
            &input(json!({"id": 1, "labels[]": [long]})),
        )
        .unwrap_err();
        assert_eq!(err.field(), Some("labels[]"), "{err}");
        let fits = "x".repeat(MAX_URL_LEN - 200);
        assert!(
            prepare(
                &UPDATE,
                &base(),
                &input(json!({"id": 1, "labels[]": [fits]}))
            )
            .is_ok()
        );
    }

    #[test]
    fn lenient_sends_undeclared_fields_and_words_where_strict_refuses() {
        static WORDS: ParamType = ParamType::Enum {
            values: &["open", "closed"],
        };
        static CREATE: ActionSpec = ActionSpec {
            method: Method::Post,
            path: "/things",
            params: &[
                ParamSpec::body("status", WORDS),
                ParamSpec::body("name", ParamType::String),
            ],
            ..UPDATE
        };
        let given = input(json!({"status": "archived", "extra": {"a": 1}, "name": "x"}));
        assert_eq!(
            undeclared(&CREATE, &given),
            vec![
                Undeclared::Value {
                    field: "status".into(),
                    value: "archived".into()
                },
                Undeclared::Field("extra".into()),
            ]
        );
        assert!(prepare(&CREATE, &base(), &given).is_err());
        let req = prepare_with(&CREATE, &base(), &given, true).unwrap();
        assert_eq!(
            req.body,
            Some(json!({"status": "archived", "name": "x", "extra": {"a": 1}}))
        );
        // Lenient is not lax: a type error is still one.
        let bad = input(json!({"status": 5, "name": {"no": 1}}));
        assert!(prepare_with(&CREATE, &base(), &bad, true).is_err());
        // Undeclared fields of a GET go in the query.
        static LIST: ActionSpec = ActionSpec {
            method: Method::Get,
            path: "/things",
            params: &[],
            ..UPDATE
        };
        let req = prepare_with(&LIST, &base(), &input(json!({"q": "a b", "n": 2})), true).unwrap();
        assert_eq!(req.url.query(), Some("q=a+b&n=2"));
        assert_eq!(req.body, None);
    }

    #[test]
    fn secrets_are_masked_in_debug() {
        let req = prepare(
            &UPDATE,
            &base(),
            &input(json!({"id": 1, "password": "Sup3r-Secret!"})),
        )
        .unwrap();
        let shown = format!("{req:?}");
        assert!(!shown.contains("Sup3r-Secret!"), "{shown}");
        assert!(shown.contains(MASK));
        assert_eq!(req.body.unwrap()["password"], "Sup3r-Secret!");
    }
}
