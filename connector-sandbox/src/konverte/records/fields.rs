//! Field helpers of the record builders: copying typed fields, enums by index or name,
//! uniqueness and slugs.

use serde_json::{Map, Value};

use super::super::store::{Input, Kind, Store, get_str, get_u64, invalid};
use crate::http::{Fail, random_hex};

pub(super) fn slugify(s: &str) -> String {
    let mut slug = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    if slug.is_empty() { random_hex(8) } else { slug }
}

/// An enum given as its index or its name.
pub(super) fn indexed_choice(
    input: &Input<'_>,
    key: &str,
    names: &'static [&'static str],
) -> Result<Option<&'static str>, Fail> {
    let Some(raw) = input.raw(key) else {
        return Ok(None);
    };
    let found = match raw {
        Value::Number(n) => n
            .as_u64()
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| names.get(i)),
        Value::String(s) => match s.parse::<usize>() {
            Ok(i) => names.get(i),
            Err(_) => names.iter().find(|n| **n == s.as_str()),
        },
        _ => None,
    };
    match found {
        Some(name) => Ok(Some(*name)),
        None => Err(invalid(
            key,
            format!("{key} must be one of {} (or their index)", names.join(", ")),
        )),
    }
}

/// Checks `name` is unique (case-insensitively) among `kind` records of `account` under `key`.
pub(super) fn unique(
    store: &Store,
    kind: Kind,
    account: Option<u64>,
    key: &str,
    value: &str,
    except: Option<u64>,
    extra: impl Fn(&Value) -> bool,
) -> Result<(), Fail> {
    let taken = store.records_ref(kind).any(|r| {
        get_u64(r, "account_id") == account
            && get_u64(r, "id") != except
            && get_str(r, key).eq_ignore_ascii_case(value)
            && extra(r)
    });
    if taken {
        Err(invalid(key, format!("{key} has already been taken")))
    } else {
        Ok(())
    }
}

pub(super) fn put(out: &mut Map<String, Value>, key: &str, value: impl Into<Value>) {
    out.insert(key.to_owned(), value.into());
}

pub(super) fn copy_str(
    out: &mut Map<String, Value>,
    input: &Input<'_>,
    key: &str,
) -> Result<(), Fail> {
    if let Some(s) = input.str(key)? {
        put(out, key, s);
    } else if input.body.contains_key(key) {
        put(out, key, Value::Null);
    }
    Ok(())
}

pub(super) fn copy_bool(
    out: &mut Map<String, Value>,
    input: &Input<'_>,
    key: &str,
) -> Result<(), Fail> {
    if let Some(b) = input.bool(key)? {
        put(out, key, b);
    }
    Ok(())
}

pub(super) fn copy_object(
    out: &mut Map<String, Value>,
    input: &Input<'_>,
    key: &str,
) -> Result<(), Fail> {
    if let Some(o) = input.object(key)? {
        put(out, key, Value::Object(o));
    }
    Ok(())
}

pub(super) fn copy_array(
    out: &mut Map<String, Value>,
    input: &Input<'_>,
    key: &str,
) -> Result<(), Fail> {
    if let Some(a) = input.array(key)? {
        put(out, key, Value::Array(a));
    }
    Ok(())
}

pub(super) fn copy_int(
    out: &mut Map<String, Value>,
    input: &Input<'_>,
    key: &str,
) -> Result<(), Fail> {
    if let Some(i) = input.int(key)? {
        put(out, key, i);
    }
    Ok(())
}

pub(super) fn copy_id(
    out: &mut Map<String, Value>,
    input: &Input<'_>,
    key: &str,
) -> Result<(), Fail> {
    if let Some(i) = input.id(key)? {
        put(out, key, i);
    }
    Ok(())
}
