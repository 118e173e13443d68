//! The generic stateful tier: serves every route of a table that no hand-written handler
//! takes. Records live in collections keyed by their concrete path (`/projects/1/contracts`),
//! so nested records belong to their parent and go when it goes.

mod answer;
mod files;
mod filter;
mod parents;

use filter::{query_matches, without};

use std::collections::BTreeMap;
use std::sync::Mutex;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::http::{
    Answer, Fail, Query, empty, iso_from_millis, parse_object, unix_millis, unix_now,
};
use crate::routes::{Handler, Matched};
use crate::server::lock;

pub(crate) use answer::Style;
pub(crate) use files::{Upload, parse_form, parse_upload};

/// Records, documents and uploaded files of the generic tier (serialized as they are into the
/// state file).
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Records {
    /// Collection path → id → record.
    pub(crate) collections: BTreeMap<String, BTreeMap<u64, Value>>,
    /// Document path → document.
    pub(crate) documents: BTreeMap<String, Value>,
    /// The last id handed out per collection path.
    pub(crate) last_ids: BTreeMap<String, u64>,
    /// Uploaded files by id.
    pub(crate) files: BTreeMap<u64, Upload>,
}

/// The generic tier of one sandbox.
#[derive(Debug)]
pub(crate) struct Generic {
    style: Style,
    pub(crate) records: Mutex<Records>,
}

/// One request as the generic tier sees it.
pub(crate) struct Call<'a> {
    pub(crate) matched: &'a Matched,
    /// The concrete path relative to the API root, without a trailing slash.
    pub(crate) path: &'a str,
    pub(crate) query: &'a Query,
    pub(crate) body: &'a [u8],
    pub(crate) content_type: &'a str,
    /// `http://host:port` plus the API root, for links.
    pub(crate) base: &'a str,
    /// Whether the hand-written tier keeps record `id` (a path segment) in the collection at
    /// a concrete path; `None` for a collection it does not keep.
    pub(crate) owner: &'a dyn Fn(&str, &str) -> Option<bool>,
}

fn parent(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}

/// Ids are numbers; a record is also found by its `slug` (portals).
pub(crate) fn find_id(collection: &BTreeMap<u64, Value>, segment: &str) -> Option<u64> {
    segment
        .parse::<u64>()
        .ok()
        .filter(|id| collection.contains_key(id))
        .or_else(|| {
            collection
                .iter()
                .find(|(_, r)| r.get("slug").and_then(Value::as_str) == Some(segment))
                .map(|(id, _)| *id)
        })
}

impl Generic {
    pub(crate) fn new(style: Style) -> Self {
        Self {
            style,
            records: Mutex::new(Records::default()),
        }
    }

    fn stamp(&self) -> Value {
        match self.style {
            Style::Moco { .. } => json!(iso_from_millis(unix_millis())),
            Style::Konverte => json!(unix_now()),
        }
    }

    /// The request body as an object: JSON, or the fields of a multipart upload (its file is
    /// stored and replaced by a URL it is served back from).
    fn body(&self, call: &Call<'_>) -> Result<Map<String, Value>, Fail> {
        if call.content_type.starts_with("multipart/form-data") {
            let Some(upload) = parse_upload(call.content_type, call.body) else {
                return Err(self
                    .style
                    .error(StatusCode::BAD_REQUEST, "unreadable multipart body"));
            };
            let mut fields = upload.fields.clone();
            if upload.data.is_some() {
                let field = upload.field.clone();
                let url = self.keep_file(call.base, upload);
                fields.insert(field, json!(url));
                fields.insert("file_url".into(), json!(url));
                fields.insert("data_url".into(), json!(url));
            }
            return Ok(fields);
        }
        // Rails answers a body it cannot parse with 400 (ActionDispatch's ParseError); JSON that
        // is not an object carries none of the record's fields, which validation refuses.
        parse_object(call.body).map_err(|e| {
            let status = if serde_json::from_slice::<Value>(call.body).is_ok() {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::BAD_REQUEST
            };
            self.style.error(status, &e)
        })
    }

    /// Serves a matched route.
    pub(crate) fn serve(&self, call: &Call<'_>) -> Response {
        self.try_serve(call).unwrap_or_else(Fail::into_response)
    }

    fn try_serve(&self, call: &Call<'_>) -> Answer {
        self.check_parents(call)?;
        let route = call.matched.route;
        let path = call.path;
        let not_found = || {
            self.style
                .error(StatusCode::NOT_FOUND, "Resource not found")
        };
        match route.handler {
            Handler::List => {
                let records = lock(&self.records);
                let omits: &[&str] = match self.style {
                    Style::Moco { list_omits, .. } => list_omits
                        .iter()
                        .find(|(collection, _)| *collection == path)
                        .map_or(&[], |(_, fields)| fields),
                    Style::Konverte => &[],
                };
                let items: Vec<Value> = records
                    .collections
                    .get(path)
                    .map(|c| {
                        c.values()
                            .filter(|r| query_matches(r, call.query))
                            .map(|r| without(r, omits))
                            .collect()
                    })
                    .unwrap_or_default();
                Ok(self.style.list(route, items, call))
            }
            Handler::Get => {
                let (collection, segment) = parent(path);
                let records = lock(&self.records);
                let record = records
                    .collections
                    .get(collection)
                    .and_then(|c| find_id(c, segment).and_then(|id| c.get(&id)))
                    .ok_or_else(not_found)?;
                Ok(self.style.record(route, record.clone()))
            }
            Handler::Create => {
                let body = self.unwrapped(path, self.body(call)?);
                let record = self.insert(path, body, &call.matched.params);
                Ok(self.style.record(route, record))
            }
            Handler::BulkCreate => {
                let body = self.body(call)?;
                let items = body
                    .values()
                    .find_map(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                let (collection, _) = parent(path);
                let created: Vec<Value> = items
                    .into_iter()
                    .map(|item| match item {
                        Value::Object(map) => map,
                        other => Map::from_iter([("value".to_owned(), other)]),
                    })
                    .map(|map| self.insert(collection, map, &call.matched.params))
                    .collect();
                Ok(self.style.record(route, Value::Array(created)))
            }
            Handler::Update => {
                let (collection, segment) = parent(path);
                let body = self.unwrapped(collection, self.body(call)?);
                let stamp = self.stamp();
                let mut records = lock(&self.records);
                let table = records
                    .collections
                    .get_mut(collection)
                    .ok_or_else(not_found)?;
                let id = find_id(table, segment).ok_or_else(not_found)?;
                let record = table.get_mut(&id).ok_or_else(not_found)?;
                merge(record, body);
                record["updated_at"] = stamp;
                Ok(self.style.record(route, record.clone()))
            }
            Handler::Delete => {
                let (collection, segment) = parent(path);
                let mut records = lock(&self.records);
                let table = records
                    .collections
                    .get_mut(collection)
                    .ok_or_else(not_found)?;
                let id = find_id(table, segment).ok_or_else(not_found)?;
                table.remove(&id);
                let nested = format!("{collection}/{segment}/");
                records
                    .collections
                    .retain(|key, _| !key.starts_with(&nested));
                records.documents.retain(|key, _| !key.starts_with(&nested));
                Ok(self.style.deleted())
            }
            Handler::Action => self.action(call),
            Handler::Document => self.document(call),
            Handler::File => Ok(files::file(self.style, path)),
        }
    }

    /// One document per path: `GET` reads it (an empty object at first), a write merges the
    /// body into it.
    fn document(&self, call: &Call<'_>) -> Answer {
        let path = call.path;
        let mut records = lock(&self.records);
        let document = records
            .documents
            .entry(path.to_owned())
            .or_insert_with(|| json!({}));
        if call.matched.route.method != crate::routes::Method::GET {
            drop(records);
            let body = self.body(call)?;
            let mut records = lock(&self.records);
            let document = records
                .documents
                .entry(path.to_owned())
                .or_insert_with(|| json!({}));
            merge(document, body);
            return Ok(self.style.record(call.matched.route, document.clone()));
        }
        Ok(self.style.record(call.matched.route, document.clone()))
    }

    /// A verb on a record (`.../{id}/verb`) merges the body into it; on anything else the body
    /// is echoed. `DELETE` clears a document at the path.
    fn action(&self, call: &Call<'_>) -> Answer {
        let route = call.matched.route;
        let body = if route.method == crate::routes::Method::DELETE {
            Map::new()
        } else {
            self.body(call)?
        };
        let mut records = lock(&self.records);
        if route.method == crate::routes::Method::DELETE {
            records.documents.remove(call.path);
            return Ok(self.style.deleted());
        }
        let (target, _) = parent(call.path);
        let (collection, segment) = parent(target);
        if let Some(table) = records.collections.get_mut(collection)
            && let Some(record) = find_id(table, segment).and_then(|id| table.get_mut(&id))
        {
            merge(record, body);
            return Ok(self.style.record(route, record.clone()));
        }
        let mut echo = Map::new();
        for (name, value) in &call.matched.params {
            echo.insert((*name).to_owned(), id_or_text(value));
        }
        echo.extend(body);
        Ok(self.style.record(route, Value::Object(echo)))
    }

    /// A Konverte body with the record's fields under the singular of the collection's name
    /// (`{"sla_policy": {...}}` for `.../sla_policies`, read by the controllers'
    /// `params.require(:sla_policy)`), flattened: the record's fields, then the others.
    fn unwrapped(&self, collection: &str, mut body: Map<String, Value>) -> Map<String, Value> {
        if self.style != Style::Konverte {
            return body;
        }
        let name = collection.rsplit('/').next().unwrap_or_default();
        let singular = match name.strip_suffix("ies") {
            Some(stem) => format!("{stem}y"),
            None => name.strip_suffix('s').unwrap_or(name).to_owned(),
        };
        match body.remove(&singular) {
            Some(Value::Object(mut fields)) => {
                for (key, value) in body {
                    fields.entry(key).or_insert(value);
                }
                fields
            }
            Some(other) => {
                body.insert(singular, other);
                body
            }
            None => body,
        }
    }

    /// Stores a new record in `collection` with a fresh id, its parents' ids and time stamps.
    pub(crate) fn insert(
        &self,
        collection: &str,
        body: Map<String, Value>,
        params: &[(&str, String)],
    ) -> Value {
        let stamp = self.stamp();
        let mut records = lock(&self.records);
        let last = records.last_ids.entry(collection.to_owned()).or_insert(0);
        *last += 1;
        let id = *last;
        let mut record = Map::new();
        record.insert("id".into(), json!(id));
        for (name, value) in params {
            record.insert((*name).to_owned(), id_or_text(value));
        }
        record.extend(body);
        record.insert("id".into(), json!(id));
        record.entry("created_at").or_insert(stamp.clone());
        record.insert("updated_at".into(), stamp);
        let record = Value::Object(record);
        records
            .collections
            .entry(collection.to_owned())
            .or_default()
            .insert(id, record.clone());
        record
    }

    /// Keeps an uploaded file and answers the URL it is served back from
    /// (`GET /sandbox/files/{id}` on the sandbox's origin).
    pub(crate) fn keep_file(&self, base: &str, upload: Upload) -> String {
        let mut records = lock(&self.records);
        let id = records.files.keys().last().copied().unwrap_or(0) + 1;
        records.files.insert(id, upload);
        format!("{}/sandbox/files/{id}", origin_of(base))
    }

    /// A stored upload, for `GET /sandbox/files/{id}`.
    pub(crate) fn uploaded(&self, id: &str) -> Response {
        let records = lock(&self.records);
        match id.parse::<u64>().ok().and_then(|id| records.files.get(&id)) {
            Some(upload) => files::serve_upload(upload),
            None => empty(StatusCode::NOT_FOUND),
        }
    }
}

fn id_or_text(value: &str) -> Value {
    value
        .parse::<u64>()
        .map(Value::from)
        .unwrap_or_else(|_| json!(value))
}

/// Merges `patch` into `target` (an object; anything else is replaced).
fn merge(target: &mut Value, patch: Map<String, Value>) {
    if let Value::Object(map) = target {
        map.extend(patch);
    } else {
        *target = Value::Object(patch);
    }
}

/// `scheme://host:port` of a base URL: stored files are served from the sandbox's root, not
/// under an API prefix such as MOCO's `/api/v1`.
fn origin_of(base: &str) -> &str {
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    match base[after_scheme..].find('/') {
        Some(slash) => &base[..after_scheme + slash],
        None => base,
    }
}

#[cfg(test)]
mod origin_tests {
    use super::origin_of;

    #[test]
    fn the_origin_drops_the_api_prefix_and_keeps_the_port() {
        assert_eq!(
            origin_of("http://127.0.0.1:4010/api/v1"),
            "http://127.0.0.1:4010"
        );
        assert_eq!(origin_of("http://127.0.0.1:4010"), "http://127.0.0.1:4010");
        assert_eq!(
            origin_of("https://acme.example/a/b/"),
            "https://acme.example"
        );
    }
}
