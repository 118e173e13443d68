//! Request routing of the MOCO sandbox: `dispatch` authenticates and counts, `route` hands
//! each request to its module (lists and filters, writes, bulk activities, web hooks); what no
//! module serves goes to the generic tier.

mod bulk;
mod filters;
mod invoices;
mod list;
mod taggings;
mod web_hooks;
mod writes;

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use chrono::NaiveDate;
use serde_json::{Map, Value, json};

use super::store::{MStore, Res, Row, make_row, parse_date};
use super::validate::{BuildCtx, build, field_error, unprocessable, user_ref};
use crate::generic::{Call, Generic, Style};
use crate::http::not_in_sandbox;
use crate::http::{
    Answer, Fail, Query, as_bool, empty, iso_from_millis, json, json_str, parse_object,
    random_uuid, raw_json, seg_id, unix_millis,
};
use crate::routes;
use crate::stats::Counters;

const MAX_BODY: usize = 16 * 1024 * 1024;

use filters::{Filters, SortKey, sort_key};
use writes::{insert, join_array};

/// The MOCO application: data, credentials, counters and the web hook client.
#[derive(Debug)]
pub(crate) struct App {
    pub(crate) store: RwLock<MStore>,
    api_key: String,
    origin: String,
    per_page: usize,
    pub(crate) counters: Arc<Counters>,
    hooks: reqwest::Client,
    pub(crate) generic: Generic,
}

fn not_found(what: &str) -> Fail {
    Fail::new(
        StatusCode::NOT_FOUND,
        json!({"message": format!("{what} not found")}),
    )
}

/// Not a hand-written route: the generic tier or `501` answers.
fn route_not_found() -> Fail {
    Fail::no_route()
}

fn bad_request(message: String) -> Fail {
    Fail::new(StatusCode::BAD_REQUEST, json!({"message": message}))
}

fn unauthorized() -> Response {
    json(
        StatusCode::UNAUTHORIZED,
        &json!({"message": "Unauthorized: send 'Authorization: Token token=YOUR_API_KEY'"}),
    )
}

/// A numeric id segment; anything else (`users/employments`) is another route.
fn id_of(segment: &str, _res: Res) -> Result<u64, Fail> {
    seg_id(segment).ok_or_else(route_not_found)
}

async fn handle(State(app): State<Arc<App>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(_) => return bad_request("The request body could not be read".into()).into_response(),
    };
    app.dispatch(
        &parts.method,
        parts.uri.path(),
        parts.uri.query(),
        &parts.headers,
        &bytes,
    )
}

fn content_type(headers: &HeaderMap) -> &str {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// One request, decoded.
struct Req<'a> {
    method: &'a str,
    q: &'a Query,
    headers: &'a HeaderMap,
    path: &'a str,
    body: &'a [u8],
}

impl Req<'_> {
    fn body(&self) -> Result<Map<String, Value>, Fail> {
        parse_object(self.body).map_err(bad_request)
    }
}

impl App {
    pub(crate) fn new(
        seed: bool,
        api_key: String,
        origin: String,
        per_page: usize,
        counters: Arc<Counters>,
    ) -> Self {
        let hooks = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .no_proxy()
            .build()
            .unwrap_or_default();
        let app = Self {
            store: RwLock::new(MStore::default()),
            api_key,
            origin,
            per_page: if per_page == 0 { 100 } else { per_page },
            counters,
            hooks,
            generic: Generic::new(Style::Moco {
                per_page: if per_page == 0 { 100 } else { per_page },
                list_omits: invoices::LIST_OMITS,
            }),
        };
        if seed {
            app.seed();
        }
        app
    }

    pub(crate) fn router(self: Arc<Self>) -> Router {
        Router::new().fallback(handle).with_state(self)
    }

    fn read(&self) -> RwLockReadGuard<'_, MStore> {
        self.store.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, MStore> {
        self.store.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Preloads `n` activities on project 1 / task 1 (user 1) without HTTP, webhooks or
    /// counters; ids continue the activity sequence.
    fn authorized(&self, headers: &HeaderMap) -> bool {
        let Some(value) = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
        else {
            return false;
        };
        let value = value.trim();
        let key = if let Some(rest) = value.strip_prefix("Token") {
            rest.trim()
                .strip_prefix("token=")
                .map(|k| k.trim().trim_matches('"'))
        } else {
            value.strip_prefix("Bearer ").map(str::trim)
        };
        key.is_some_and(|k| !k.is_empty() && k == self.api_key)
    }

    /// The user a request acts as: `X-IMPERSONATE-USER-ID` if it names a user, else user 1
    /// (or the first user).
    fn acting_user(&self, store: &MStore, headers: &HeaderMap) -> Option<u64> {
        headers
            .get("x-impersonate-user-id")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|id| store.exists(Res::Users, *id))
            .or_else(|| {
                store
                    .exists(Res::Users, 1)
                    .then_some(1)
                    .or_else(|| store.table(Res::Users).order().first().copied())
            })
    }

    fn dispatch(
        &self,
        method: &Method,
        path: &str,
        query: Option<&str>,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Response {
        let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        if let (&Method::GET, ["sandbox", "files", id]) = (method, segs.as_slice()) {
            return self.generic.uploaded(id);
        }
        let ["api", "v1", rest @ ..] = segs.as_slice() else {
            self.counters.unserved();
            return not_in_sandbox(method.as_str(), path);
        };
        if !self.authorized(headers) {
            self.counters.unauthorized();
            return unauthorized();
        }
        let relative = format!("/{}", rest.join("/"));
        let matched = routes::find(routes::moco::ROUTES, method.as_str(), &relative);
        let key = matched
            .as_ref()
            .map(|m| m.route.key())
            .unwrap_or_else(|| format!("{method} {relative}"));
        self.counters.routed(method.as_str(), key);
        let query = Query::parse(query);
        let req = Req {
            method: method.as_str(),
            q: &query,
            headers,
            path,
            body,
        };
        let result = self.route(&req, rest);
        match result {
            Ok(response) => response,
            Err(fail) if fail.is_no_route() => match matched {
                Some(matched) => {
                    let base = format!("{}/api/v1", self.request_origin(headers));
                    self.generic.serve(&Call {
                        matched: &matched,
                        path: &relative,
                        query: &query,
                        body,
                        content_type: content_type(headers),
                        base: &base,
                        owner: &|collection, segment| self.owns(collection, segment),
                    })
                }
                None => {
                    self.counters.unserved();
                    not_in_sandbox(method.as_str(), path)
                }
            },
            Err(fail) => fail.into_response(),
        }
    }

    /// Whether a hand-written resource's collection (`/projects`, `/projects/1/tasks`) holds
    /// the record `segment`; `None` for collections the generic tier keeps.
    fn owns(&self, collection: &str, segment: &str) -> Option<bool> {
        let parts: Vec<&str> = collection.split('/').filter(|s| !s.is_empty()).collect();
        let (res, project) = match parts.as_slice() {
            ["activities"] => (Res::Activities, None),
            ["companies"] => (Res::Companies, None),
            ["contacts", "people"] => (Res::Contacts, None),
            ["deals"] => (Res::Deals, None),
            ["projects"] => (Res::Projects, None),
            ["users"] => (Res::Users, None),
            ["account", "web_hooks"] => (Res::WebHooks, None),
            ["projects", project, "tasks"] => (Res::Tasks, Some(seg_id(project))),
            _ => return None,
        };
        let row_matches = |id: u64| {
            let store = self.read();
            store
                .get(res, id)
                .is_some_and(|row| project.is_none_or(|p| p == Some(row.idx.project_id)))
        };
        Some(seg_id(segment).is_some_and(row_matches))
    }

    fn route(&self, req: &Req<'_>, rest: &[&str]) -> Answer {
        match (req.method, rest) {
            ("GET", ["session"]) => {
                let store = self.read();
                let user = self.acting_user(&store, req.headers);
                Ok(json(
                    StatusCode::OK,
                    &json!({"id": user, "uuid": random_uuid()}),
                ))
            }
            ("POST", ["activities", "bulk"]) => self.bulk_activities(req),
            (
                "PUT",
                [
                    kind @ ("projects" | "companies"),
                    id,
                    action @ ("archive" | "unarchive"),
                ],
            ) => self.archive(req, kind, id, action),
            ("PUT", ["account", "web_hooks", id, action @ ("disable" | "enable")]) => {
                self.toggle_web_hook(id, action)
            }
            (_, ["projects", project, "tasks", tail @ ..]) => self.tasks(req, project, tail),
            ("POST", ["invoices"])
            | ("PUT", ["invoices", _, "update_status"])
            | ("DELETE", ["invoices", _])
            | ("POST", ["invoice_reminders"]) => self.invoices(req, rest),
            ("GET" | "PATCH" | "PUT" | "DELETE", ["taggings", entity, id]) => {
                self.taggings(req, entity, id)
            }
            _ => self.plain_resource(req, rest),
        }
    }

    /// Archives or unarchives a project or company.
    fn archive(&self, req: &Req<'_>, kind: &str, id: &str, action: &str) -> Answer {
        let headers = req.headers;
        let res = if kind == "projects" {
            Res::Projects
        } else {
            Res::Companies
        };
        let id = id_of(id, res)?;
        let active = action == "unarchive";
        let archived_on = if active {
            Value::Null
        } else {
            json!(chrono::Utc::now().format("%Y-%m-%d").to_string())
        };
        let patch = json!({"active": active, "archived_on": archived_on});
        let event = if active { "unarchive" } else { "archive" };
        self.patch_entity(res, id, patch, event, headers)
    }

    /// `projects/{project_id}/tasks`: tasks belong to an existing project.
    fn tasks(&self, req: &Req<'_>, project: &str, tail: &[&str]) -> Answer {
        let (method, q, headers, path) = (req.method, req.q, req.headers, req.path);
        let parse = || req.body();
        let project = id_of(project, Res::Projects)?;
        if !self.read().exists(Res::Projects, project) {
            return Err(not_found("Project"));
        }
        match (method, tail) {
            ("GET", []) => self.list(Res::Tasks, q, Some(project), headers, path),
            ("POST", []) => self.create(Res::Tasks, &parse()?, Some(project), headers),
            ("GET", [task]) => self.show(Res::Tasks, id_of(task, Res::Tasks)?, Some(project)),
            ("PUT" | "PATCH", [task]) => self.update(
                Res::Tasks,
                id_of(task, Res::Tasks)?,
                &parse()?,
                Some(project),
                headers,
            ),
            ("DELETE", [task]) => {
                self.delete(Res::Tasks, id_of(task, Res::Tasks)?, Some(project), headers)
            }
            _ => Err(route_not_found()),
        }
    }

    /// List, create, get, update and delete of the hand-written resources.
    fn plain_resource(&self, req: &Req<'_>, rest: &[&str]) -> Answer {
        let (method, q, headers, path) = (req.method, req.q, req.headers, req.path);
        let parse = || req.body();
        let resource = |name: &[&str]| -> Option<Res> {
            match name {
                ["activities"] => Some(Res::Activities),
                ["companies"] => Some(Res::Companies),
                ["contacts", "people"] => Some(Res::Contacts),
                ["deals"] => Some(Res::Deals),
                ["projects"] => Some(Res::Projects),
                ["users"] => Some(Res::Users),
                ["account", "web_hooks"] => Some(Res::WebHooks),
                _ => None,
            }
        };
        match (method, rest) {
            ("GET", name) if resource(name).is_some() => {
                let res = resource(name).unwrap_or(Res::Activities);
                self.list(res, q, None, headers, path)
            }
            ("POST", name) if resource(name).is_some() => {
                let res = resource(name).unwrap_or(Res::Activities);
                self.create(res, &parse()?, None, headers)
            }
            (_, [name @ .., id]) if resource(name).is_some() => {
                let res = resource(name).unwrap_or(Res::Activities);
                let id = id_of(id, res)?;
                match method {
                    "GET" => self.show(res, id, None),
                    "PUT" => self.update(res, id, &parse()?, None, headers),
                    "DELETE" => self.delete(res, id, None, headers),
                    _ => Err(route_not_found()),
                }
            }
            _ => Err(route_not_found()),
        }
    }
}

#[cfg(test)]
mod tests;
