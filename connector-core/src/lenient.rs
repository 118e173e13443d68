//! Field readers for generated models that never fail: a value of an unexpected shape reads
//! as `None` instead of failing the whole answer (installations run different versions of
//! an API; an id sent as text, a flag sent as `0` are still read).
//!
//! ```
//! #[derive(serde::Deserialize)]
//! struct Team {
//!     #[serde(default, deserialize_with = "connector_core::lenient::int")]
//!     id: Option<i64>,
//!     #[serde(default, deserialize_with = "connector_core::lenient::flag")]
//!     allow_auto_assign: Option<bool>,
//! }
//! let t: Team = serde_json::from_str(r#"{"id": "7", "allow_auto_assign": 0}"#).unwrap();
//! assert_eq!((t.id, t.allow_auto_assign), (Some(7), Some(false)));
//! let t: Team = serde_json::from_str(r#"{"id": {"odd": true}}"#).unwrap();
//! assert_eq!(t.id, None);
//! ```

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

fn raw<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Option::<Value>::deserialize(d)
}

/// Reads a model from whatever the deserializer holds: an object, handed to `from_map`
/// (generated, not generic: each model's reading is compiled once, whatever the
/// deserializer). Anything but an object is an error, as for a derived struct.
pub fn model<'de, D: Deserializer<'de>, T>(
    d: D,
    from_map: fn(Map<String, Value>) -> T,
) -> Result<T, D::Error> {
    Map::<String, Value>::deserialize(d).map(from_map)
}

/// Takes the field `name` out of a model's object (keeping the order of the rest), for
/// the readers below; `null` counts as absent.
pub fn take(map: &mut Map<String, Value>, name: &str) -> Option<Value> {
    map.shift_remove(name).filter(|v| !v.is_null())
}

/// A whole number, also from numeric text or an integral float.
pub fn int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(read_int(raw(d)?))
}

/// [`int`] of a value already read.
pub fn read_int(v: Option<Value>) -> Option<i64> {
    v.as_ref().and_then(as_int)
}

fn as_int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn as_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A number, also from numeric text.
pub fn number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(read_number(raw(d)?))
}

/// [`number`] of a value already read.
pub fn read_number(v: Option<Value>) -> Option<f64> {
    v.as_ref().and_then(as_number)
}

/// Text; numbers and booleans are turned into their text.
pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(read_text(raw(d)?))
}

/// [`text`] of a value already read.
pub fn read_text(v: Option<Value>) -> Option<String> {
    v.and_then(as_text)
}

fn as_text(v: Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A flag, also from `"true"`/`"false"` and `1`/`0`.
pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(read_flag(raw(d)?))
}

/// [`flag`] of a value already read.
pub fn read_flag(v: Option<Value>) -> Option<bool> {
    v.and_then(|v| match v {
        Value::Bool(b) => Some(b),
        Value::Number(n) => n.as_i64().map(|i| i != 0),
        Value::String(s) => match s.as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    })
}

/// A JSON object.
pub fn object<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Map<String, Value>>, D::Error> {
    Ok(read_object(raw(d)?))
}

/// [`object`] of a value already read.
pub fn read_object(v: Option<Value>) -> Option<Map<String, Value>> {
    v.and_then(|v| match v {
        Value::Object(m) => Some(m),
        _ => None,
    })
}

/// Any JSON value (`null` reads as `None`).
pub fn json<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Ok(read_json(raw(d)?))
}

/// [`json`] of a value already read.
pub fn read_json(v: Option<Value>) -> Option<Value> {
    v.filter(|v| !v.is_null())
}

/// A nested record (a model or an enum), `None` where it does not read.
pub fn record<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Option<T>, D::Error> {
    Ok(read_record(raw(d)?))
}

/// [`record`] of a value already read.
pub fn read_record<T: DeserializeOwned>(v: Option<Value>) -> Option<T> {
    v.and_then(|v| serde_json::from_value(v).ok())
}

/// [`record`], boxed (models that contain themselves).
pub fn boxed<'de, D: Deserializer<'de>, T: DeserializeOwned>(
    d: D,
) -> Result<Option<Box<T>>, D::Error> {
    Ok(read_boxed(raw(d)?))
}

/// [`boxed`] of a value already read.
pub fn read_boxed<T: DeserializeOwned>(v: Option<Value>) -> Option<Box<T>> {
    read_record(v).map(Box::new)
}

/// A list of records; items that do not read are left out.
pub fn list<'de, D: Deserializer<'de>, T: DeserializeOwned>(
    d: D,
) -> Result<Option<Vec<T>>, D::Error> {
    Ok(read_list(raw(d)?))
}

/// [`list`] of a value already read.
pub fn read_list<T: DeserializeOwned>(v: Option<Value>) -> Option<Vec<T>> {
    items(v).map(|items| {
        items
            .into_iter()
            .filter_map(|i| serde_json::from_value(i).ok())
            .collect()
    })
}

fn items(v: Option<Value>) -> Option<Vec<Value>> {
    v.and_then(|v| match v {
        Value::Array(items) => Some(items),
        _ => None,
    })
}

/// A list of whole numbers (also from numeric text).
pub fn ints<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<i64>>, D::Error> {
    Ok(read_ints(raw(d)?))
}

/// [`ints`] of a value already read.
pub fn read_ints(v: Option<Value>) -> Option<Vec<i64>> {
    items(v).map(|items| items.iter().filter_map(as_int).collect())
}

/// A list of numbers.
pub fn numbers<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<f64>>, D::Error> {
    Ok(read_numbers(raw(d)?))
}

/// [`numbers`] of a value already read.
pub fn read_numbers(v: Option<Value>) -> Option<Vec<f64>> {
    items(v).map(|items| items.iter().filter_map(as_number).collect())
}

/// A list of texts.
pub fn texts<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    Ok(read_texts(raw(d)?))
}

/// [`texts`] of a value already read.
pub fn read_texts(v: Option<Value>) -> Option<Vec<String>> {
    items(v).map(|items| items.into_iter().filter_map(as_text).collect())
}

/// A list of flags.
pub fn flags<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<bool>>, D::Error> {
    Ok(read_flags(raw(d)?))
}

/// [`flags`] of a value already read.
pub fn read_flags(v: Option<Value>) -> Option<Vec<bool>> {
    items(v).map(|items| items.iter().filter_map(Value::as_bool).collect())
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Deserialize, Debug, PartialEq)]
    struct Inner {
        #[serde(default, deserialize_with = "super::int")]
        id: Option<i64>,
    }

    #[derive(Deserialize, Debug)]
    struct Outer {
        #[serde(default, deserialize_with = "super::ints")]
        ids: Option<Vec<i64>>,
        #[serde(default, deserialize_with = "super::list")]
        inner: Option<Vec<Inner>>,
        #[serde(default, deserialize_with = "super::texts")]
        labels: Option<Vec<String>>,
        #[serde(default, deserialize_with = "super::number")]
        rate: Option<f64>,
    }

    #[test]
    fn lists_keep_what_reads() {
        let o: Outer = serde_json::from_value(json!({
            "ids": [1, "2", "x", 3.0], "inner": [{"id": 1}, 5, {"id": "2"}],
            "labels": ["a", 1, null], "rate": "1.5"
        }))
        .unwrap();
        assert_eq!(o.ids, Some(vec![1, 2, 3]));
        assert_eq!(
            o.inner,
            Some(vec![Inner { id: Some(1) }, Inner { id: Some(2) }])
        );
        assert_eq!(o.labels, Some(vec!["a".to_owned(), "1".to_owned()]));
        assert_eq!(o.rate, Some(1.5));
        let o: Outer = serde_json::from_value(json!({"ids": "1,2", "inner": {}})).unwrap();
        assert_eq!((o.ids, o.inner), (None, None));
    }
}
