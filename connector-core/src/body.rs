//! Request bodies on the wire: one JSON object, or `multipart/form-data` with fields in
//! Rails' nesting (`key[sub]`, `key[]`) and files streamed from disk part by part.

use crate::action::{ActionSpec, Location, ParamSpec, ParamType};
use crate::error::Error;
use base64::Engine as _;
use bytes::Bytes;
use futures::StreamExt;
use reqwest::multipart::{Form, Part};
use serde_json::{Map, Value};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The body fields of a prepared request and where each came from: the declared parameter
/// (top level, or inside the action's `body_key`).
fn fields<'a>(
    action: &'static ActionSpec,
    body: &'a Map<String, Value>,
) -> Vec<(&'static ParamSpec, &'a Value)> {
    let nested = action
        .body_key
        .and_then(|k| body.get(k))
        .and_then(Value::as_object);
    action
        .params_in(Location::Body)
        .filter_map(|p| {
            let holder = match action.body_key {
                Some(_) if !p.top_level => nested?,
                _ => body,
            };
            holder.get(p.name).map(|v| (p, v))
        })
        .collect()
}

/// Does this value of `spec` carry a file?
pub(crate) fn has_file(spec: &ParamSpec, value: &Value) -> bool {
    spec.ty.is_file()
        && !value.is_null()
        && !(value.is_array() && value.as_array().is_some_and(Vec::is_empty))
}

/// A JSON body in which every file is `{"filename", "base64"}`, read from disk now.
pub(crate) async fn json_with_files(
    action: &'static ActionSpec,
    body: &Value,
) -> Result<Bytes, Error> {
    let mut body = body.clone();
    if let Value::Object(map) = &mut body {
        let file_params: Vec<&'static ParamSpec> = action
            .params_in(Location::Body)
            .filter(|p| p.ty.is_file())
            .collect();
        for p in file_params {
            let holder = match action.body_key {
                Some(k) if !p.top_level => match map.get_mut(k) {
                    Some(Value::Object(nested)) => nested,
                    _ => continue,
                },
                _ => &mut *map,
            };
            let Some(value) = holder.get_mut(p.name) else {
                continue;
            };
            match value {
                Value::Array(items) => {
                    for item in items {
                        *item = base64_file(p.name, item).await?;
                    }
                }
                Value::Object(_) => *value = base64_file(p.name, value).await?,
                _ => {}
            }
        }
    }
    serde_json::to_vec(&body)
        .map(Bytes::from)
        .map_err(|e| Error::Config(format!("cannot encode the request body: {e}")))
}

async fn base64_file(field: &str, file: &Value) -> Result<Value, Error> {
    let filename = file.get("filename").cloned().unwrap_or(Value::Null);
    let data = match (file.get("path").and_then(Value::as_str), file.get("base64")) {
        (Some(path), _) => {
            let owned = path.to_owned();
            let bytes = crate::blocking::run(move || std::fs::read(owned))
                .await
                .map_err(|e| {
                    Error::validation(field, format!("cannot read the file {path:?}: {e}"))
                })?;
            Value::String(base64::engine::general_purpose::STANDARD.encode(bytes))
        }
        (None, Some(b64)) => b64.clone(),
        (None, None) => return Ok(file.clone()),
    };
    let mut out = Map::new();
    out.insert("filename".into(), filename);
    out.insert("base64".into(), data);
    Ok(Value::Object(out))
}

/// Counts bytes of file parts as they are read, so a stalled upload can be told from a
/// slow one (the per-attempt timeout is an idle timeout for streamed bodies).
#[derive(Debug, Clone, Default)]
pub(crate) struct Progress(Arc<AtomicU64>);

impl Progress {
    pub(crate) fn bytes(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// The multipart form of a prepared body, built anew for every attempt: files are opened
/// again, so a retry sends the whole file again.
pub(crate) async fn multipart_form(
    action: &'static ActionSpec,
    body: &Value,
    progress: &Progress,
) -> Result<Form, Error> {
    let mut form = Form::new();
    let Some(map) = body.as_object() else {
        return Ok(form);
    };
    for (spec, value) in fields(action, map) {
        let base = match (action.body_key, spec.wire, spec.top_level) {
            (_, Some(wire), _) => wire.to_owned(),
            (Some(key), None, false) => format!("{key}[{}]", spec.name),
            _ => spec.name.to_owned(),
        };
        if spec.ty.is_file() {
            let items: Vec<&Value> = match value {
                Value::Array(items) => items.iter().collect(),
                Value::Null => Vec::new(),
                one => vec![one],
            };
            let name = if matches!(spec.ty, ParamType::Array { .. }) && !base.ends_with("[]") {
                format!("{base}[]")
            } else {
                base
            };
            for item in items {
                form = form.part(name.clone(), file_part(spec.name, item, progress).await?);
            }
        } else {
            for (key, text) in flatten(&base, value) {
                form = form.text(key, text);
            }
        }
    }
    Ok(form)
}

/// Rails' form nesting: objects as `key[sub]`, lists as `key[]`, `null` as an empty value.
pub(crate) fn flatten(key: &str, value: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    flatten_into(key, value, &mut out);
    out
}

fn flatten_into(key: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                flatten_into(&format!("{key}[{k}]"), v, out);
            }
        }
        Value::Array(items) => {
            let key = if key.ends_with("[]") {
                key.to_owned()
            } else {
                format!("{key}[]")
            };
            for item in items {
                flatten_into(&key, item, out);
            }
        }
        Value::Null => out.push((key.to_owned(), String::new())),
        Value::String(s) => out.push((key.to_owned(), s.clone())),
        other => out.push((key.to_owned(), other.to_string())),
    }
}

async fn file_part(field: &str, file: &Value, progress: &Progress) -> Result<Part, Error> {
    let filename = file
        .get("filename")
        .and_then(Value::as_str)
        .unwrap_or("file")
        .to_owned();
    let content_type = file
        .get("content_type")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| {
            mime_guess::from_path(&filename)
                .first_or_octet_stream()
                .essence_str()
                .to_owned()
        });
    let part = match (file.get("path").and_then(Value::as_str), file.get("base64")) {
        (Some(path), _) => {
            let owned = path.to_owned();
            let (f, len) = crate::blocking::run(move || {
                let f = std::fs::File::open(owned)?;
                let len = f.metadata()?.len();
                Ok((f, len))
            })
            .await
            .map_err(|e| Error::validation(field, format!("cannot read the file {path:?}: {e}")))?;
            let f = tokio::fs::File::from_std(f);
            let counter = progress.0.clone();
            let stream =
                tokio_util::io::ReaderStream::with_capacity(f, 64 * 1024).map(move |chunk| {
                    if let Ok(c) = &chunk {
                        counter.fetch_add(c.len() as u64, Ordering::Relaxed);
                    }
                    chunk
                });
            Part::stream_with_length(reqwest::Body::wrap_stream(stream), len)
        }
        (None, Some(Value::String(b64))) => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|_| Error::validation(field, "`base64` of a file is not base64"))?;
            progress.0.fetch_add(bytes.len() as u64, Ordering::Relaxed);
            Part::bytes(bytes)
        }
        _ => return Err(Error::validation(field, "a file needs `path` or `base64`")),
    };
    part.file_name(filename)
        .mime_str(&content_type)
        .map_err(|_| Error::validation(field, format!("{content_type:?} is not a content type")))
}

/// The body as `--dry-run` shows it: files as their name, type and size, never their bytes.
pub(crate) fn describe_files(action: &'static ActionSpec, body: &mut Value) {
    let Value::Object(map) = body else { return };
    for p in action.params_in(Location::Body).filter(|p| p.ty.is_file()) {
        let holder = match action.body_key {
            Some(k) if !p.top_level => match map.get_mut(k) {
                Some(Value::Object(nested)) => nested,
                _ => continue,
            },
            _ => &mut *map,
        };
        let Some(value) = holder.get_mut(p.name) else {
            continue;
        };
        let shown = |file: &Value| -> Value {
            let mut out = Map::new();
            for key in ["filename", "content_type", "path"] {
                if let Some(v) = file.get(key) {
                    out.insert(key.into(), v.clone());
                }
            }
            if let Some(path) = file.get("path").and_then(Value::as_str)
                && let Ok(meta) = std::fs::metadata(path)
            {
                out.insert("bytes".into(), Value::from(meta.len()));
            }
            if let Some(b64) = file.get("base64").and_then(Value::as_str) {
                out.insert("bytes".into(), Value::from(b64.len() as u64 * 3 / 4));
            }
            Value::Object(out)
        };
        let replaced = match &*value {
            Value::Array(items) => Value::Array(items.iter().map(shown).collect()),
            Value::Object(_) => shown(value),
            other => other.clone(),
        };
        *value = replaced;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn rails_nesting() {
        let got = flatten(
            "message",
            &json!({"content": "hi", "private": true, "ids": [1, 2], "attrs": {"a": {"b": null}}}),
        );
        assert_eq!(
            got,
            vec![
                ("message[content]".into(), "hi".into()),
                ("message[private]".into(), "true".into()),
                ("message[ids][]".into(), "1".into()),
                ("message[ids][]".into(), "2".into()),
                ("message[attrs][a][b]".into(), String::new()),
            ]
        );
        assert_eq!(
            flatten("labels[]", &json!(["a"])),
            vec![("labels[]".into(), "a".into())]
        );
    }

    proptest! {
        #[test]
        fn every_scalar_leaf_becomes_one_field(keys in proptest::collection::vec("[a-z]{1,6}", 1..6), n in 0i64..1000) {
            let mut obj = Map::new();
            for k in &keys {
                obj.insert(k.clone(), Value::from(n));
            }
            let unique: std::collections::BTreeSet<&String> = keys.iter().collect();
            let got = flatten("x", &Value::Object(obj));
            prop_assert_eq!(got.len(), unique.len());
            for (k, v) in got {
                prop_assert!(k.starts_with("x[") && k.ends_with(']'));
                prop_assert_eq!(v, n.to_string());
            }
        }
    }
}
