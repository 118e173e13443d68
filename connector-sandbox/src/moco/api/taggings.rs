//! Tags on one record, by name (`/taggings/{entity}/{entity_id}`;
//! moco-api/sections/tags/taggings.md): `GET` lists them, `PATCH` adds, `PUT` replaces and
//! `DELETE` removes the names in `tags`; every verb answers the record's tag names.

use super::*;
use crate::generic::find_id;
use crate::moco::validate::TAGGED_ENTITIES as TAGGED;

impl App {
    pub(super) fn taggings(&self, req: &Req<'_>, entity: &str, id: &str) -> Answer {
        let Some((_, collection)) = TAGGED.iter().find(|(name, _)| *name == entity) else {
            return Err(not_found("Entity"));
        };
        let exists = self.owns(collection, id).unwrap_or_else(|| {
            lock_records(self)
                .collections
                .get(*collection)
                .is_some_and(|c| find_id(c, id).is_some())
        });
        if !exists {
            return Err(not_found(entity));
        }
        let names = match req.method {
            "GET" => Vec::new(),
            _ => tag_names(&req.body()?)?,
        };
        let key = format!("/taggings/{entity}/{id}");
        let mut records = lock_records(self);
        let tags = records.documents.entry(key).or_insert_with(|| json!([]));
        let mut current: Vec<String> = tags
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        match req.method {
            "DELETE" => current.retain(|t| !names.contains(t)),
            "PATCH" | "PUT" => {
                if req.method == "PUT" {
                    current.clear();
                }
                for name in names {
                    if !current.contains(&name) {
                        current.push(name);
                    }
                }
            }
            _ => {}
        }
        *tags = json!(current);
        Ok(json(StatusCode::OK, tags))
    }
}

fn lock_records(app: &App) -> std::sync::MutexGuard<'_, crate::generic::Records> {
    crate::server::lock(&app.generic.records)
}

/// The body's `tags`: a list of names (blank ones are dropped, as unknown names are created).
fn tag_names(body: &Map<String, Value>) -> Result<Vec<String>, Fail> {
    let invalid = || field_error("tags", "must be an array of tag names");
    match body.get("tags") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(|s| s.trim().to_owned()).ok_or_else(invalid))
            .filter(|r| !matches!(r, Ok(s) if s.is_empty()))
            .collect(),
        Some(_) => Err(invalid()),
    }
}
