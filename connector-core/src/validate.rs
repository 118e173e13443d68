//! Field validators. Each takes the wire name of the field (for the error) and the
//! value as given, and returns the value to send or a [`Error::Validation`] naming
//! the field. None of them ever echoes a secret value back.

use crate::action::ParamType;
use crate::error::Error;
use serde_json::{Map, Number, Value};

/// Fewest characters a password may have: Chatwoot's (Devise's) own minimum, so
/// nothing the server would accept is refused here.
pub const PASSWORD_MIN_LEN: usize = 6;
/// Most characters a password may have (Devise's maximum).
pub const PASSWORD_MAX_LEN: usize = 128;

fn invalid(field: &str, reason: impl Into<String>) -> Error {
    Error::validation(field, reason)
}

/// Password complexity: at least one upper-case letter, one lower-case letter, one
/// digit and one special character (anything that is neither a letter nor a digit),
/// between [`PASSWORD_MIN_LEN`] and [`PASSWORD_MAX_LEN`] characters.
pub fn password(field: &str, value: &str) -> Result<(), Error> {
    let len = value.chars().count();
    let mut missing = Vec::new();
    if !value.chars().any(char::is_uppercase) {
        missing.push("an upper-case letter");
    }
    if !value.chars().any(char::is_lowercase) {
        missing.push("a lower-case letter");
    }
    if !value.chars().any(|c| c.is_ascii_digit()) {
        missing.push("a digit");
    }
    if !value
        .chars()
        .any(|c| !c.is_alphanumeric() && !c.is_whitespace())
    {
        missing.push("a special character (e.g. !@#$%^&*-)");
    }
    if !missing.is_empty() {
        return Err(invalid(
            field,
            format!("password must contain {}", missing.join(", ")),
        ));
    }
    if len < PASSWORD_MIN_LEN {
        return Err(invalid(
            field,
            format!("password must be at least {PASSWORD_MIN_LEN} characters long"),
        ));
    }
    if len > PASSWORD_MAX_LEN {
        return Err(invalid(
            field,
            format!("password must be at most {PASSWORD_MAX_LEN} characters long"),
        ));
    }
    Ok(())
}

/// E-mail shape as the servers check it: one `@`, something on each side, no spaces.
pub fn email(field: &str, value: &str) -> Result<(), Error> {
    let mut parts = value.split('@');
    let (local, domain) = (parts.next().unwrap_or(""), parts.next());
    let ok = match domain {
        Some(domain) => {
            parts.next().is_none()
                && !local.is_empty()
                && !domain.is_empty()
                && !value.chars().any(char::is_whitespace)
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        }
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(invalid(
            field,
            "expected an e-mail address like name@example.com",
        ))
    }
}

/// A calendar date written `YYYY-MM-DD`.
pub fn date(field: &str, value: &str) -> Result<(), Error> {
    let b = value.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if shape && chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").is_ok() {
        Ok(())
    } else {
        Err(invalid(
            field,
            format!("expected a date YYYY-MM-DD, got {value:?}"),
        ))
    }
}

/// An ISO 8601 date-time: RFC 3339 (`2024-05-01T12:00:00Z`, `2024-05-01T14:00:00+02:00`),
/// or without a zone (`2024-05-01T12:00:00`, `2024-05-01T12:00`), or a date alone, as the
/// APIs' "updated after" filters take them.
pub fn date_time(field: &str, value: &str) -> Result<(), Error> {
    let naive = |fmt: &str| chrono::NaiveDateTime::parse_from_str(value, fmt).is_ok();
    let ok = chrono::DateTime::parse_from_rfc3339(value).is_ok()
        || naive("%Y-%m-%dT%H:%M:%S%.f")
        || naive("%Y-%m-%dT%H:%M")
        || date(field, value).is_ok();
    ok.then_some(()).ok_or(()).map_err(|_| {
        invalid(
            field,
            format!("expected an RFC 3339 date-time like 2024-05-01T12:00:00Z, got {value:?}"),
        )
    })
}

/// A whole number, given as a JSON integer or a string of digits with an optional sign.
pub fn integer(field: &str, value: &Value) -> Result<i64, Error> {
    match value {
        Value::Number(n) => n
            .as_i64()
            .ok_or_else(|| invalid(field, format!("expected a whole number, got {n}"))),
        Value::String(s) => parse_integer(s)
            .ok_or_else(|| invalid(field, format!("expected a whole number, got {s:?}"))),
        other => Err(invalid(
            field,
            format!("expected a whole number, got {}", type_name(other)),
        )),
    }
}

fn parse_integer(s: &str) -> Option<i64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A finite number, given as a JSON number or numeric text.
pub fn number(field: &str, value: &Value) -> Result<Number, Error> {
    let parsed = match value {
        Value::Number(n) => Some(n.clone()),
        Value::String(s) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .and_then(|f| {
                parse_integer(s.trim())
                    .map(Number::from)
                    .or_else(|| Number::from_f64(f))
            }),
        _ => None,
    };
    parsed.ok_or_else(|| invalid(field, format!("expected a number, got {}", describe(value))))
}

/// `true`/`false`, as JSON booleans or the strings `"true"`/`"false"`.
pub fn boolean(field: &str, value: &Value) -> Result<bool, Error> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        other => Err(invalid(
            field,
            format!("expected true or false, got {}", describe(other)),
        )),
    }
}

/// One of the allowed values.
pub fn one_of(field: &str, value: &str, allowed: &[&str]) -> Result<(), Error> {
    if allowed.contains(&value) {
        return Ok(());
    }
    let hint = closest(value, allowed)
        .map(|close| format!("; did you mean {close:?}?"))
        .unwrap_or_default();
    Err(invalid(
        field,
        format!("{value:?} is not one of: {}{hint}", allowed.join(", ")),
    ))
}

/// The candidate a typo of `given` most likely meant: the nearest by edit distance
/// (a swap of two letters counts once), if it is near enough to be a typo rather than
/// another word — at most one edit per three characters.
pub fn closest<'a>(given: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let given = given.to_lowercase();
    candidates
        .iter()
        .map(|c| (*c, strsim::damerau_levenshtein(&given, &c.to_lowercase())))
        .filter(|(c, d)| *d <= (given.chars().count().max(c.chars().count()) / 3).max(1))
        .min_by_key(|(_, d)| *d)
        .map(|(c, _)| c)
}

/// A JSON object, given as an object or as JSON text that parses to one. A parse
/// error reports its line and column.
pub fn json_object(field: &str, value: &Value) -> Result<Map<String, Value>, Error> {
    match value {
        Value::Object(map) => Ok(map.clone()),
        Value::String(text) => match serde_json::from_slice::<Value>(text.as_bytes()) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(other) => Err(invalid(
                field,
                format!("must be a JSON object, got {}", type_name(&other)),
            )),
            Err(e) => Err(invalid(
                field,
                format!(
                    "must be a JSON object; invalid JSON at line {} column {}: {}",
                    e.line(),
                    e.column(),
                    strip_position(&e.to_string())
                ),
            )),
        },
        other => Err(invalid(
            field,
            format!("must be a JSON object, got {}", type_name(other)),
        )),
    }
}

fn strip_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map_or(message, |at| &message[..at])
}

/// An array, given as a JSON array, as JSON text, or as comma-separated values.
pub fn array(field: &str, value: &Value, items: &ParamType) -> Result<Vec<Value>, Error> {
    let raw: Vec<Value> = match value {
        Value::Array(values) => values.clone(),
        Value::String(text) if text.trim_start().starts_with('[') => {
            match serde_json::from_slice::<Value>(text.as_bytes()) {
                Ok(Value::Array(values)) => values,
                _ => {
                    return Err(invalid(
                        field,
                        "expected a JSON array or comma-separated values",
                    ));
                }
            }
        }
        Value::String(text) if text.is_empty() => Vec::new(),
        Value::String(text) => text
            .split(',')
            .map(|s| Value::String(s.trim().to_owned()))
            .collect(),
        single @ (Value::Number(_) | Value::Bool(_) | Value::Object(_)) => vec![single.clone()],
        Value::Null => Vec::new(),
    };
    raw.iter()
        .enumerate()
        .map(|(i, v)| value_of_type(&format!("{field}[{i}]"), v, items))
        .collect()
}

/// Checks one value against its declared type and returns the JSON to send.
pub fn value_of_type(field: &str, value: &Value, ty: &ParamType) -> Result<Value, Error> {
    Ok(match ty {
        ParamType::String => Value::String(string(field, value)?),
        ParamType::Integer => Value::from(integer(field, value)?),
        ParamType::Number => Value::Number(number(field, value)?),
        ParamType::Boolean => Value::Bool(boolean(field, value)?),
        ParamType::Date => {
            let s = string(field, value)?;
            date(field, &s)?;
            Value::String(s)
        }
        ParamType::DateTime => {
            let s = string(field, value)?;
            date_time(field, &s)?;
            Value::String(s)
        }
        ParamType::Enum { values } => {
            let s = string(field, value)?;
            one_of(field, &s, values)?;
            Value::String(s)
        }
        ParamType::Object => Value::Object(json_object(field, value)?),
        ParamType::Array { items } => Value::Array(array(field, value, items)?),
        ParamType::Json => match value {
            Value::String(text) => {
                serde_json::from_slice(text.as_bytes()).unwrap_or_else(|_| value.clone())
            }
            other => other.clone(),
        },
        ParamType::Email => {
            let s = string(field, value)?;
            email(field, &s)?;
            Value::String(s)
        }
        ParamType::Password => {
            let Value::String(s) = value else {
                return Err(invalid(field, "expected the password as a string"));
            };
            password(field, s)?;
            Value::String(s.clone())
        }
        ParamType::File => Value::Object(file(field, value)?),
    })
}

/// A file to send: `"@PATH"`, `{"path": ..}` or `{"filename": .., "base64": ..}`, with an
/// optional `content_type`. A path must name a readable regular file now, so a typo is found
/// before anything is sent. Returns the object form.
pub fn file(field: &str, value: &Value) -> Result<Map<String, Value>, Error> {
    let mut out = match value {
        Value::String(text) => match text.strip_prefix('@') {
            Some(path) if !path.is_empty() => {
                let mut m = Map::new();
                m.insert("path".into(), Value::String(path.to_owned()));
                m
            }
            _ => {
                return Err(invalid(
                    field,
                    "expected a file as @PATH (or an object with `path`, or `filename` and `base64`)",
                ));
            }
        },
        Value::Object(m) => m.clone(),
        other => {
            return Err(invalid(
                field,
                format!("expected a file as @PATH, got {}", type_name(other)),
            ));
        }
    };
    for key in out.keys() {
        if !matches!(
            key.as_str(),
            "path" | "filename" | "base64" | "content_type"
        ) {
            return Err(invalid(
                field,
                format!(
                    "a file has `path` or `base64`, `filename` and `content_type`, not `{key}`"
                ),
            ));
        }
    }
    match (out.get("path"), out.get("base64")) {
        (Some(Value::String(path)), None) => {
            let meta = std::fs::metadata(path).map_err(|e| {
                invalid(
                    field,
                    format!("cannot read the file {path:?}: {}", io_reason(&e)),
                )
            })?;
            if !meta.is_file() {
                return Err(invalid(field, format!("{path:?} is not a regular file")));
            }
            std::fs::File::open(path).map_err(|e| {
                invalid(
                    field,
                    format!("cannot read the file {path:?}: {}", io_reason(&e)),
                )
            })?;
            if !out.contains_key("filename") {
                let name = std::path::Path::new(path)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "file".into());
                out.insert("filename".into(), Value::String(name));
            }
        }
        (None, Some(Value::String(_))) => {
            if !matches!(out.get("filename"), Some(Value::String(n)) if !n.is_empty()) {
                return Err(invalid(
                    field,
                    "a file given as `base64` needs a `filename`",
                ));
            }
        }
        _ => {
            return Err(invalid(
                field,
                "a file needs either `path` or `base64` (a string)",
            ));
        }
    }
    for key in ["filename", "content_type"] {
        if out.get(key).is_some_and(|v| !v.is_string()) {
            return Err(invalid(field, format!("`{key}` of a file must be text")));
        }
    }
    Ok(out)
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Text. Numbers and booleans are accepted and sent as their text.
pub fn string(field: &str, value: &Value) -> Result<String, Error> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(invalid(
            field,
            format!("expected text, got {}", type_name(other)),
        )),
    }
}

/// `a string`, `an object`, ...: the JSON type of a value, for messages.
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::String(s) => format!("{s:?}"),
        Value::Number(n) => n.to_string(),
        other => type_name(other).to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn password_rules_name_what_is_missing() {
        assert!(password("password", "Secr3t!x").is_ok());
        let err = password("password", "secret").unwrap_err().to_string();
        assert!(err.contains("`password`"), "{err}");
        assert!(err.contains("upper-case") && err.contains("digit") && err.contains("special"));
        assert!(
            !err.contains("secret\""),
            "the value must not be echoed: {err}"
        );
        assert!(
            password("password", "Aa1!")
                .unwrap_err()
                .to_string()
                .contains("at least 6")
        );
        assert!(password("password", &format!("Aa1!{}", "x".repeat(130))).is_err());
    }

    #[test]
    fn integer_ids_refuse_path_tricks() {
        assert_eq!(integer("id", &json!(5)).unwrap(), 5);
        assert_eq!(integer("id", &json!("42")).unwrap(), 42);
        for bad in [
            "1/../2",
            "",
            "1.5",
            "abc",
            " 7",
            "+-1",
            "99999999999999999999",
        ] {
            let e = integer("id", &json!(bad)).unwrap_err();
            assert_eq!(e.field(), Some("id"), "{bad}");
        }
        assert!(integer("id", &json!(1.5)).is_err());
        assert!(integer("id", &json!(true)).is_err());
    }

    #[test]
    fn json_object_reports_line_and_column() {
        let e = json_object("custom_attributes", &json!("{\n  \"a\": 1,\n  oops\n}")).unwrap_err();
        let s = e.to_string();
        assert!(s.contains("line 3 column 3"), "{s}");
        assert!(
            json_object("custom_attributes", &json!("[1,2]"))
                .unwrap_err()
                .to_string()
                .contains("got an array")
        );
        assert!(json_object("custom_attributes", &json!(7)).is_err());
        assert_eq!(
            json_object("custom_attributes", &json!("{\"tier\":\"gold\"}")).unwrap()["tier"],
            "gold"
        );
    }

    #[test]
    fn dates_are_strict() {
        assert!(date("date", "2024-02-29").is_ok());
        for bad in [
            "2023-02-29",
            "2024-2-01",
            "24-02-01",
            "2024/02/01",
            "2024-02-01T00:00:00Z",
        ] {
            assert!(date("date", bad).is_err(), "{bad}");
        }
        assert!(date_time("at", "2024-05-01T12:00:00Z").is_ok());
        assert!(date_time("at", "2024-05-01T12:00:00+02:00").is_ok());
        assert!(date_time("at", "2024-05-01").is_ok());
        assert!(date_time("at", "2024-05-01T12:00").is_ok());
        for bad in [
            "2024-05-01 12:00",
            "yesterday",
            "2024-13-01T00:00:00Z",
            "2024-05-01T25:00",
        ] {
            assert!(date_time("at", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn arrays_take_lists_and_check_items() {
        const INT: ParamType = ParamType::Integer;
        assert_eq!(
            array("ids", &json!("1,2,3"), &INT).unwrap(),
            vec![json!(1), json!(2), json!(3)]
        );
        assert_eq!(
            array("ids", &json!("[4,5]"), &INT).unwrap(),
            vec![json!(4), json!(5)]
        );
        let e = array("ids", &json!("1,x"), &INT).unwrap_err();
        assert_eq!(e.field(), Some("ids[1]"));
    }

    #[test]
    fn typos_get_the_nearest_candidate_and_other_words_none() {
        let fields = ["name", "email", "project_id", "billing_vat"];
        assert_eq!(closest("nmae", &fields), Some("name"));
        assert_eq!(closest("emial", &fields), Some("email"));
        assert_eq!(closest("Project_Id", &fields), Some("project_id"));
        assert_eq!(closest("projekt_id", &fields), Some("project_id"));
        assert_eq!(closest("hours", &fields), None);
        assert_eq!(closest("x", &fields), None);
        let e = one_of("status", "opne", &["open", "resolved"]).unwrap_err();
        assert!(e.to_string().contains("did you mean \"open\"?"), "{e}");
        let e = one_of("status", "weird", &["open", "resolved"]).unwrap_err();
        assert!(!e.to_string().contains("did you mean"), "{e}");
    }

    #[test]
    fn emails_have_one_at_and_no_spaces() {
        assert!(email("email", "ada@example.com").is_ok());
        assert!(email("email", "root@localhost").is_ok());
        for bad in ["", "ada", "@x.io", "ada@", "a@b@c", "ada @x.io", "ada@.io"] {
            assert!(email("email", bad).is_err(), "{bad}");
        }
    }
}
