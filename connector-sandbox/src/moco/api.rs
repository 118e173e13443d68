//! Request routing, lists, writes and web hook deliveries of the MOCO sandbox.

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

/// A pending web hook delivery.
#[derive(Debug)]
struct Delivery {
    url: String,
    secret: String,
    target: &'static str,
    event: &'static str,
    body: Arc<str>,
}

/// List filters parsed from the query string.
#[derive(Debug, Default)]
struct Filters {
    ids: Option<HashSet<u64>>,
    updated_after: Option<i64>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    project_id: Option<u64>,
    task_id: Option<u64>,
    user_id: Option<u64>,
    company_ids: Option<HashSet<u64>>,
    leader_ids: Option<HashSet<u64>>,
    billable: Option<bool>,
    billed: Option<bool>,
    retainer: Option<bool>,
    kind: Option<String>,
    identifiers: Option<HashSet<String>>,
    email: Option<String>,
    tags: Vec<String>,
    term: Option<String>,
    phone: Option<String>,
    include_archived: bool,
    scope_project: Option<u64>,
}

impl Filters {
    fn parse(res: Res, q: &Query, scope_project: Option<u64>) -> Result<Self, Fail> {
        let id_set = |key: &str| -> Result<Option<HashSet<u64>>, Fail> {
            q.get(key)
                .map(|v| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                        .map(|p| {
                            p.parse::<u64>().map_err(|_| {
                                field_error(key, "must be a comma-separated list of ids")
                            })
                        })
                        .collect::<Result<HashSet<u64>, Fail>>()
                })
                .transpose()
        };
        let one_id = |key: &str| -> Result<Option<u64>, Fail> {
            q.get(key)
                .map(|v| {
                    v.trim()
                        .parse::<u64>()
                        .map_err(|_| field_error(key, "must be an id"))
                })
                .transpose()
        };
        let date = |key: &str| -> Result<Option<NaiveDate>, Fail> {
            q.get(key)
                .map(|v| {
                    parse_date(v)
                        .ok_or_else(|| field_error(key, "is not a valid date (use YYYY-MM-DD)"))
                })
                .transpose()
        };
        let boolean = |key: &str| -> Result<Option<bool>, Fail> {
            q.get(key)
                .map(|v| {
                    as_bool(&Value::String(v.to_owned()))
                        .ok_or_else(|| field_error(key, "must be true or false"))
                })
                .transpose()
        };
        let updated_after = q
            .get("updated_after")
            .map(|v| {
                chrono::DateTime::parse_from_rfc3339(v)
                    .map(|t| t.timestamp_millis())
                    .ok()
                    .or_else(|| {
                        parse_date(v)
                            .and_then(|d| d.and_hms_opt(0, 0, 0))
                            .map(|t| t.and_utc().timestamp_millis())
                    })
                    .ok_or_else(|| {
                        field_error("updated_after", "is not a valid ISO 8601 timestamp")
                    })
            })
            .transpose()?;
        let mut filters = Filters {
            ids: id_set("ids")?,
            updated_after,
            tags: q
                .get("tags")
                .map(|t| {
                    t.split(',')
                        .map(|s| s.trim().to_lowercase())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            term: q
                .get("term")
                .map(|t| t.trim().to_lowercase())
                .filter(|t| !t.is_empty()),
            include_archived: boolean("include_archived")?.unwrap_or(false),
            scope_project,
            ..Filters::default()
        };
        match res {
            Res::Activities => {
                filters.from = date("from")?;
                filters.to = date("to")?;
                filters.project_id = one_id("project_id")?;
                filters.task_id = one_id("task_id")?;
                filters.user_id = one_id("user_id")?;
                filters.company_ids = id_set("company_id")?;
                filters.billable = boolean("billable")?;
                filters.billed = boolean("billed")?;
            }
            Res::Companies => {
                if let Some(kind) = q.get("type") {
                    if !["customer", "supplier", "organization"].contains(&kind) {
                        return Err(field_error(
                            "type",
                            "is not included in the list (customer, supplier, organization)",
                        ));
                    }
                    filters.kind = Some(kind.to_owned());
                }
                filters.identifiers = q
                    .get("identifier")
                    .map(|i| i.split(',').map(|s| s.trim().to_owned()).collect());
            }
            Res::Contacts => {
                filters.phone = q
                    .get("phone")
                    .map(|p| p.chars().filter(char::is_ascii_digit).collect())
                    .filter(|p: &String| !p.is_empty());
            }
            Res::Deals => {
                if let Some(status) = q.get("status") {
                    if !["potential", "pending", "won", "lost", "dropped"].contains(&status) {
                        return Err(field_error(
                            "status",
                            "is not included in the list (potential, pending, won, lost, dropped)",
                        ));
                    }
                    filters.kind = Some(status.to_owned());
                }
                filters.from = date("closed_from")?;
                filters.to = date("closed_to")?;
                filters.company_ids = id_set("company_id")?;
            }
            Res::Projects => {
                filters.company_ids = id_set("company_id")?;
                filters.leader_ids = id_set("leader_id")?;
                filters.retainer = boolean("retainer")?;
                filters.identifiers = q
                    .get("identifier")
                    .map(|i| i.split(',').map(|s| s.trim().to_owned()).collect());
            }
            Res::Users => {
                filters.email = q.get("email").map(str::to_lowercase);
            }
            Res::Tasks | Res::WebHooks => {}
        }
        Ok(filters)
    }

    /// True when nothing but paging applies (the fast path).
    fn is_empty(&self, res: Res) -> bool {
        let archive_filter =
            matches!(res, Res::Projects | Res::Companies | Res::Users) && !self.include_archived;
        self.ids.is_none()
            && self.updated_after.is_none()
            && self.from.is_none()
            && self.to.is_none()
            && self.project_id.is_none()
            && self.task_id.is_none()
            && self.user_id.is_none()
            && self.company_ids.is_none()
            && self.leader_ids.is_none()
            && self.billable.is_none()
            && self.billed.is_none()
            && self.retainer.is_none()
            && self.kind.is_none()
            && self.identifiers.is_none()
            && self.email.is_none()
            && self.tags.is_empty()
            && self.term.is_none()
            && self.phone.is_none()
            && self.scope_project.is_none()
            && !archive_filter
    }

    fn matches(&self, res: Res, id: u64, row: &Row) -> bool {
        let idx = &row.idx;
        if self.ids.as_ref().is_some_and(|ids| !ids.contains(&id)) {
            return false;
        }
        if self.updated_after.is_some_and(|t| idx.updated_ms <= t) {
            return false;
        }
        if self.scope_project.is_some_and(|p| idx.project_id != p) {
            return false;
        }
        if matches!(res, Res::Projects | Res::Companies | Res::Users)
            && !self.include_archived
            && !idx.active
        {
            return false;
        }
        if self
            .from
            .is_some_and(|from| idx.date.is_none_or(|d| d < from))
        {
            return false;
        }
        if self.to.is_some_and(|to| idx.date.is_none_or(|d| d > to)) {
            return false;
        }
        if self.project_id.is_some_and(|p| idx.project_id != p)
            || self.task_id.is_some_and(|t| idx.task_id != t)
            || self.user_id.is_some_and(|u| idx.user_id != u)
        {
            return false;
        }
        if self
            .company_ids
            .as_ref()
            .is_some_and(|c| !c.contains(&idx.company_id))
        {
            return false;
        }
        if self
            .leader_ids
            .as_ref()
            .is_some_and(|l| !l.contains(&idx.leader_id) && !l.contains(&idx.co_leader_id))
        {
            return false;
        }
        if self.billable.is_some_and(|b| idx.billable != Some(b))
            || self.billed.is_some_and(|b| idx.billed != Some(b))
            || self
                .retainer
                .is_some_and(|r| idx.retainer.unwrap_or(false) != r)
        {
            return false;
        }
        if self
            .kind
            .as_ref()
            .is_some_and(|k| idx.kind.as_deref() != Some(k.as_str()))
        {
            return false;
        }
        if self
            .identifiers
            .as_ref()
            .is_some_and(|ids| idx.identifier.as_deref().is_none_or(|i| !ids.contains(i)))
        {
            return false;
        }
        if self
            .email
            .as_ref()
            .is_some_and(|e| idx.email.as_deref() != Some(e.as_str()))
        {
            return false;
        }
        if !self.tags.is_empty()
            && !self
                .tags
                .iter()
                .any(|t| idx.tags.iter().any(|have| have.as_ref() == t))
        {
            return false;
        }
        if self
            .term
            .as_ref()
            .is_some_and(|t| !idx.text.contains(t.as_str()))
        {
            return false;
        }
        if self.phone.as_ref().is_some_and(|p| {
            let digits: String = idx.phone.chars().filter(char::is_ascii_digit).collect();
            !digits.contains(p.as_str())
        }) {
            return false;
        }
        true
    }
}

/// A sort key extracted from an entity.
#[derive(Debug, Clone, PartialEq, PartialOrd)]
enum SortKey {
    Null,
    Bool(bool),
    Number(f64),
    Text(String),
}

fn sort_key(row: &Row, path: &str) -> SortKey {
    let value = serde_json::from_str::<Value>(&row.raw).unwrap_or(Value::Null);
    let mut current = &value;
    for part in path.split('.') {
        current = current.get(part).unwrap_or(&Value::Null);
    }
    match current {
        Value::Null => SortKey::Null,
        Value::Bool(b) => SortKey::Bool(*b),
        Value::Number(n) => SortKey::Number(n.as_f64().unwrap_or(0.0)),
        Value::String(s) => SortKey::Text(s.to_lowercase()),
        other => SortKey::Text(other.to_string()),
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

    fn seed(&self) {
        // The seed goes through the same validation as API requests.
        let seeds = [
            (
                Res::Users,
                json!({"firstname": "Sandbox", "lastname": "Admin", "email": "admin@sandbox.test", "unit_id": 1}),
                None,
            ),
            (
                Res::Companies,
                json!({"name": "Sandbox Customer AG", "type": "customer", "currency": "EUR"}),
                None,
            ),
            (
                Res::Projects,
                json!({"name": "Sandbox Project", "currency": "EUR", "leader_id": 1, "customer_id": 1}),
                None,
            ),
            (
                Res::Tasks,
                json!({"name": "Development", "hourly_rate": 120}),
                Some(1),
            ),
        ];
        for (res, body, project) in seeds {
            let body = match body {
                Value::Object(map) => map,
                _ => Map::new(),
            };
            let mut store = self.write();
            if let Err(fail) = insert(&mut store, res, &body, Some(1), project) {
                tracing::error!(body = %fail.body, "sandbox seed record rejected");
            }
        }
    }

    /// Preloads `n` activities on project 1 / task 1 (user 1) without HTTP, webhooks or
    /// counters; ids continue the activity sequence.
    pub(crate) fn insert_bulk_activities(&self, n: usize) {
        let mut store = self.write();
        let project = store.get(Res::Projects, 1).map(Row::value);
        let task = store.get(Res::Tasks, 1).map(Row::value);
        let project_json = json!({
            "id": 1,
            "name": project.as_ref().and_then(|p| p.get("name")).cloned().unwrap_or(json!("Sandbox Project")),
            "billable": true,
        })
        .to_string();
        let task_json = json!({
            "id": 1,
            "name": task.as_ref().and_then(|t| t.get("name")).cloned().unwrap_or(json!("Development")),
            "billable": true,
        })
        .to_string();
        let customer = project
            .as_ref()
            .and_then(|p| p.get("customer").cloned())
            .unwrap_or(json!({"id": 1, "name": "Sandbox Customer AG"}));
        let company_id = customer.get("id").and_then(Value::as_u64).unwrap_or(0);
        let customer_json = customer.to_string();
        let user_json = user_ref(&store, 1)
            .unwrap_or(json!({"id": 1, "firstname": "Sandbox", "lastname": "Admin"}))
            .to_string();
        let now = unix_millis();
        let stamp = iso_from_millis(now);
        let base = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default();
        let table = store.table_mut(Res::Activities);
        table.reserve(n);
        for i in 0..n {
            let id = table.alloc_id();
            let date = base + chrono::Days::new((i % 730) as u64);
            let seconds = 900 * (1 + (i % 16) as u64);
            let description = format!("Bulk activity {id}");
            let raw = format!(
                concat!(
                    "{{\"id\":{id},\"date\":\"{date}\",\"hours\":{hours},\"seconds\":{seconds},",
                    "\"worked_seconds\":{seconds},\"description\":{description},\"billed\":false,",
                    "\"invoice_id\":null,\"billable\":true,\"tag\":\"\",\"remote_service\":null,",
                    "\"remote_id\":null,\"remote_url\":null,\"project\":{project},\"task\":{task},",
                    "\"customer\":{customer},\"user\":{user},\"hourly_rate\":120,",
                    "\"timer_started_at\":null,\"created_at\":\"{stamp}\",\"updated_at\":\"{stamp}\"}}"
                ),
                id = id,
                date = date.format("%Y-%m-%d"),
                hours = seconds as f64 / 3600.0,
                seconds = seconds,
                description = json_str(&description),
                project = project_json,
                task = task_json,
                customer = customer_json,
                user = user_json,
                stamp = stamp,
            );
            let idx = super::store::Idx {
                updated_ms: now,
                date: Some(date),
                project_id: 1,
                task_id: 1,
                user_id: 1,
                company_id,
                billable: Some(true),
                billed: Some(false),
                active: true,
                text: description.to_lowercase().into_boxed_str(),
                ..Default::default()
            };
            table.put(
                id,
                Row {
                    raw: Arc::from(raw),
                    idx,
                },
            );
        }
    }

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
        let result = self.route(method.as_str(), rest, &query, headers, path, body);
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

    fn route(
        &self,
        method: &str,
        rest: &[&str],
        q: &Query,
        headers: &HeaderMap,
        path: &str,
        body: &[u8],
    ) -> Answer {
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
        let parse = || parse_object(body).map_err(bad_request);
        match (method, rest) {
            ("GET", ["session"]) => {
                let store = self.read();
                let user = self.acting_user(&store, headers);
                Ok(json(
                    StatusCode::OK,
                    &json!({"id": user, "uuid": random_uuid()}),
                ))
            }
            ("POST", ["activities", "bulk"]) => {
                let body = parse()?;
                let Some(Value::Array(items)) = body.get("activities") else {
                    return Err(field_error("activities", "must be a list of activities"));
                };
                let mut store = self.write();
                let user = self.acting_user(&store, headers);
                // Validate everything first so that a bad entry creates nothing.
                for item in items {
                    let Value::Object(map) = item else {
                        return Err(field_error("activities", "must contain objects"));
                    };
                    let ctx = BuildCtx {
                        store: &store,
                        existing: None,
                        id: store.table(Res::Activities).peek_id(),
                        user,
                    };
                    build(Res::Activities, map, &ctx)?;
                }
                let mut created = Vec::new();
                let mut deliveries = Vec::new();
                for item in items {
                    if let Value::Object(map) = item {
                        let row = insert(&mut store, Res::Activities, map, user, None)?;
                        self.counters.created();
                        deliveries.extend(self.hooks_for(
                            &store,
                            Res::Activities,
                            "create",
                            &row.raw,
                        ));
                        created.push(row.raw);
                    }
                }
                drop(store);
                self.deliver(deliveries, user);
                Ok(raw_json(StatusCode::OK, join_array(&created)))
            }
            (
                "PUT",
                [
                    kind @ ("projects" | "companies"),
                    id,
                    action @ ("archive" | "unarchive"),
                ],
            ) => {
                let res = if *kind == "projects" {
                    Res::Projects
                } else {
                    Res::Companies
                };
                let id = id_of(id, res)?;
                let active = *action == "unarchive";
                let archived_on = if active {
                    Value::Null
                } else {
                    json!(chrono::Utc::now().format("%Y-%m-%d").to_string())
                };
                let patch = json!({"active": active, "archived_on": archived_on});
                let event = if active { "unarchive" } else { "archive" };
                self.patch_entity(res, id, patch, event, headers)
            }
            ("PUT", ["account", "web_hooks", id, action @ ("disable" | "enable")]) => {
                let id = id_of(id, Res::WebHooks)?;
                let disabled = *action == "disable";
                let mut store = self.write();
                let row = store
                    .get(Res::WebHooks, id)
                    .ok_or_else(|| not_found("Web hook"))?;
                let mut map = row.value();
                let was_disabled = map.get("disabled").and_then(Value::as_bool) == Some(true);
                if was_disabled != disabled {
                    let now = unix_millis();
                    map.insert("disabled".into(), json!(disabled));
                    map.insert(
                        "disabled_at".into(),
                        if disabled {
                            json!(iso_from_millis(now))
                        } else {
                            Value::Null
                        },
                    );
                    map.insert("updated_at".into(), json!(iso_from_millis(now)));
                    store
                        .table_mut(Res::WebHooks)
                        .put(id, make_row(Res::WebHooks, &map, now));
                }
                let raw = store
                    .get(Res::WebHooks, id)
                    .map(|r| r.raw.to_string())
                    .unwrap_or_default();
                Ok(raw_json(StatusCode::OK, raw))
            }
            (_, ["projects", project, "tasks", tail @ ..]) => {
                let project = id_of(project, Res::Projects)?;
                if !self.read().exists(Res::Projects, project) {
                    return Err(not_found("Project"));
                }
                match (method, tail) {
                    ("GET", []) => self.list(Res::Tasks, q, Some(project), headers, path),
                    ("POST", []) => self.create(Res::Tasks, &parse()?, Some(project), headers),
                    ("GET", [task]) => {
                        self.show(Res::Tasks, id_of(task, Res::Tasks)?, Some(project))
                    }
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

    fn list(
        &self,
        res: Res,
        q: &Query,
        scope_project: Option<u64>,
        headers: &HeaderMap,
        path: &str,
    ) -> Answer {
        let filters = Filters::parse(res, q, scope_project)?;
        let sort = q.get("sort_by").map(|s| {
            let mut parts = s.split_whitespace();
            let field = parts.next().unwrap_or("id").to_owned();
            let descending = parts.next().is_some_and(|o| o.eq_ignore_ascii_case("desc"));
            (field, descending)
        });
        let page = q.page();
        let per_page = self.per_page;
        let start = (page - 1).saturating_mul(per_page);
        let (total, raws): (usize, Vec<Arc<str>>) = {
            let store = self.read();
            let table = store.table(res);
            if filters.is_empty(res) && sort.is_none() {
                let order = table.order();
                let raws = order
                    .iter()
                    .skip(start.min(order.len()))
                    .take(per_page)
                    .filter_map(|id| table.get(*id).map(|r| r.raw.clone()))
                    .collect();
                (order.len(), raws)
            } else {
                let mut matching: Vec<(u64, &Row)> = table
                    .rows()
                    .filter(|(id, row)| filters.matches(res, *id, row))
                    .collect();
                if let Some((field, descending)) = &sort {
                    match field.as_str() {
                        "id" => {}
                        "updated_at" => matching.sort_by_key(|(_, r)| r.idx.updated_ms),
                        "date" if res == Res::Activities => {
                            matching.sort_by_key(|(_, r)| r.idx.date)
                        }
                        _ => {
                            let mut keyed: Vec<(SortKey, u64, &Row)> = matching
                                .iter()
                                .map(|(id, row)| (sort_key(row, field), *id, *row))
                                .collect();
                            keyed.sort_by(|a, b| {
                                a.0.partial_cmp(&b.0)
                                    .unwrap_or(std::cmp::Ordering::Equal)
                                    .then(a.1.cmp(&b.1))
                            });
                            matching = keyed.into_iter().map(|(_, id, row)| (id, row)).collect();
                        }
                    }
                    if *descending {
                        matching.reverse();
                    }
                }
                let raws = matching
                    .iter()
                    .skip(start.min(matching.len()))
                    .take(per_page)
                    .map(|(_, r)| r.raw.clone())
                    .collect();
                (matching.len(), raws)
            }
        };
        let mut response = raw_json(StatusCode::OK, join_array(&raws));
        let h = response.headers_mut();
        for (name, value) in [
            ("x-page", page.to_string()),
            ("x-per-page", per_page.to_string()),
            ("x-total", total.to_string()),
        ] {
            if let Ok(value) = HeaderValue::from_str(&value) {
                h.insert(name, value);
            }
        }
        if start.saturating_add(per_page) < total {
            let link = format!(
                "<{}>; rel=\"next\"",
                self.page_url(headers, path, q, page + 1)
            );
            if let Ok(value) = HeaderValue::from_str(&link) {
                h.insert(header::LINK, value);
            }
        }
        Ok(response)
    }

    /// The full URL of `page` of the current list, keeping the other query parameters.
    fn request_origin(&self, headers: &HeaderMap) -> String {
        headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| !h.is_empty())
            .map(|h| format!("http://{h}"))
            .unwrap_or_else(|| self.origin.clone())
    }

    fn page_url(&self, headers: &HeaderMap, path: &str, q: &Query, page: usize) -> String {
        let origin = self.request_origin(headers);
        let mut serializer = url::form_urlencoded::Serializer::new(String::new());
        for (key, value) in q.pairs() {
            if key != "page" {
                serializer.append_pair(key, value);
            }
        }
        serializer.append_pair("page", &page.to_string());
        format!("{origin}{path}?{}", serializer.finish())
    }

    fn show(&self, res: Res, id: u64, project: Option<u64>) -> Answer {
        let store = self.read();
        let row = store
            .get(res, id)
            .filter(|r| project.is_none_or(|p| r.idx.project_id == p))
            .ok_or_else(|| not_found(res.label()))?;
        Ok(raw_json(StatusCode::OK, row.raw.to_string()))
    }

    fn create(
        &self,
        res: Res,
        body: &Map<String, Value>,
        project: Option<u64>,
        headers: &HeaderMap,
    ) -> Answer {
        let mut store = self.write();
        let user = self.acting_user(&store, headers);
        let row = insert(&mut store, res, body, user, project)?;
        self.counters.created();
        let deliveries = self.hooks_for(&store, res, "create", &row.raw);
        drop(store);
        self.deliver(deliveries, user);
        Ok(raw_json(StatusCode::OK, row.raw.to_string()))
    }

    fn update(
        &self,
        res: Res,
        id: u64,
        body: &Map<String, Value>,
        project: Option<u64>,
        headers: &HeaderMap,
    ) -> Answer {
        let mut store = self.write();
        let user = self.acting_user(&store, headers);
        let existing = store
            .get(res, id)
            .filter(|r| project.is_none_or(|p| r.idx.project_id == p))
            .ok_or_else(|| not_found(res.label()))?
            .value();
        let ctx = BuildCtx {
            store: &store,
            existing: Some(&existing),
            id,
            user,
        };
        let mut map = build(res, body, &ctx)?;
        let now = unix_millis();
        map.insert("id".into(), json!(id));
        map.insert("updated_at".into(), json!(iso_from_millis(now)));
        let row = store_row(&mut store, res, id, &map, now, project);
        let deliveries = self.hooks_for(&store, res, "update", &row.raw);
        drop(store);
        self.deliver(deliveries, user);
        Ok(raw_json(StatusCode::OK, row.raw.to_string()))
    }

    /// Applies a fixed patch (archive / unarchive) and fires `event`.
    fn patch_entity(
        &self,
        res: Res,
        id: u64,
        patch: Value,
        event: &'static str,
        headers: &HeaderMap,
    ) -> Answer {
        let mut store = self.write();
        let user = self.acting_user(&store, headers);
        let mut map = store
            .get(res, id)
            .ok_or_else(|| not_found(res.label()))?
            .value();
        if let Value::Object(patch) = patch {
            map.extend(patch);
        }
        let now = unix_millis();
        map.insert("updated_at".into(), json!(iso_from_millis(now)));
        let row = store_row(&mut store, res, id, &map, now, None);
        let deliveries = self.hooks_for(&store, res, event, &row.raw);
        drop(store);
        self.deliver(deliveries, user);
        Ok(raw_json(StatusCode::OK, row.raw.to_string()))
    }

    fn delete(&self, res: Res, id: u64, project: Option<u64>, headers: &HeaderMap) -> Answer {
        let mut store = self.write();
        let user = self.acting_user(&store, headers);
        store
            .get(res, id)
            .filter(|r| project.is_none_or(|p| r.idx.project_id == p))
            .ok_or_else(|| not_found(res.label()))?;
        let blocked = match res {
            Res::Projects => store
                .table(Res::Activities)
                .rows()
                .any(|(_, a)| a.idx.project_id == id)
                .then_some("project has activities and cannot be deleted"),
            Res::Tasks => store
                .table(Res::Activities)
                .rows()
                .any(|(_, a)| a.idx.task_id == id)
                .then_some("task has tracked hours and cannot be deleted"),
            _ => None,
        };
        if let Some(reason) = blocked {
            let mut errors = BTreeMap::new();
            errors.insert("base".to_owned(), vec![reason.to_owned()]);
            return Err(unprocessable(errors));
        }
        let row = store
            .table_mut(res)
            .remove(id)
            .ok_or_else(|| not_found(res.label()))?;
        if res == Res::Projects {
            let tasks: Vec<u64> = store
                .table(Res::Tasks)
                .rows()
                .filter(|(_, t)| t.idx.project_id == id)
                .map(|(tid, _)| tid)
                .collect();
            for task in tasks {
                store.table_mut(Res::Tasks).remove(task);
            }
        }
        if res == Res::Tasks {
            refresh_project_tasks(&mut store, row.idx.project_id);
        }
        let deliveries = self.hooks_for(&store, res, "delete", &row.raw);
        drop(store);
        self.deliver(deliveries, user);
        Ok(empty(StatusCode::NO_CONTENT))
    }

    /// Web hooks subscribed to (`res`'s target, `event`).
    fn hooks_for(
        &self,
        store: &MStore,
        res: Res,
        event: &'static str,
        raw: &Arc<str>,
    ) -> Vec<Delivery> {
        let Some(target) = res.target() else {
            return Vec::new();
        };
        store
            .table(Res::WebHooks)
            .rows()
            .filter(|(_, row)| row.idx.kind.as_deref() == Some(target))
            .filter_map(|(_, row)| {
                let hook = row.value();
                let enabled = hook.get("disabled").and_then(Value::as_bool) != Some(true);
                let matches = hook.get("event").and_then(Value::as_str) == Some(event);
                (enabled && matches).then(|| Delivery {
                    url: hook
                        .get("hook")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    secret: hook
                        .get("signature_key")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    target,
                    event,
                    body: raw.clone(),
                })
            })
            .collect()
    }

    /// Sends deliveries in spawned tasks (5 s timeout; failures are logged).
    fn deliver(&self, deliveries: Vec<Delivery>, user: Option<u64>) {
        if deliveries.is_empty() {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::warn!("no Tokio runtime: MOCO web hook deliveries skipped");
            return;
        };
        for delivery in deliveries {
            let client = self.hooks.clone();
            let account_url = self.origin.clone();
            let user = user.map(|u| u.to_string()).unwrap_or_default();
            runtime.spawn(async move {
                let signature = crate::sign_moco(&delivery.secret, delivery.body.as_bytes());
                let result = client
                    .post(&delivery.url)
                    .header(header::CONTENT_TYPE, "application/json")
                    .header("X-Moco-Target", delivery.target)
                    .header("X-Moco-Event", delivery.event)
                    .header("X-Moco-Timestamp", unix_millis().to_string())
                    .header("X-Moco-User-Id", user)
                    .header("X-Moco-Account-Url", account_url)
                    .header("X-Moco-Signature", signature)
                    .body(delivery.body.to_string())
                    .send()
                    .await;
                match result {
                    Ok(response) if response.status().is_success() => {
                        tracing::debug!(url = %delivery.url, "MOCO web hook delivered");
                    }
                    Ok(response) => tracing::warn!(
                        url = %delivery.url,
                        status = %response.status(),
                        "MOCO web hook receiver answered with an error"
                    ),
                    Err(err) => {
                        tracing::warn!(url = %delivery.url, error = %err, "MOCO web hook delivery failed");
                    }
                }
            });
        }
    }
}

fn join_array(raws: &[Arc<str>]) -> String {
    let mut body = String::with_capacity(2 + raws.iter().map(|r| r.len() + 1).sum::<usize>());
    body.push('[');
    for (i, raw) in raws.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(raw);
    }
    body.push(']');
    body
}

/// Validates and stores a new entity; returns its row.
fn insert(
    store: &mut MStore,
    res: Res,
    body: &Map<String, Value>,
    user: Option<u64>,
    project: Option<u64>,
) -> Result<Row, Fail> {
    let id = store.table(res).peek_id();
    let ctx = BuildCtx {
        store,
        existing: None,
        id,
        user,
    };
    let fields = build(res, body, &ctx)?;
    let id = store.table_mut(res).alloc_id();
    let now = unix_millis();
    let stamp = iso_from_millis(now);
    let mut map = Map::new();
    map.insert("id".into(), json!(id));
    map.extend(fields);
    map.insert("created_at".into(), json!(stamp));
    map.insert("updated_at".into(), json!(stamp));
    Ok(store_row(store, res, id, &map, now, project))
}

/// Stores a representation (keeping a task's project) and refreshes dependent entities.
fn store_row(
    store: &mut MStore,
    res: Res,
    id: u64,
    map: &Map<String, Value>,
    now: i64,
    project: Option<u64>,
) -> Row {
    let mut row = make_row(res, map, now);
    if res == Res::Tasks {
        row.idx.project_id = project
            .or_else(|| store.get(Res::Tasks, id).map(|r| r.idx.project_id))
            .unwrap_or(0);
    }
    store.table_mut(res).put(id, row.clone());
    if res == Res::Tasks {
        refresh_project_tasks(store, row.idx.project_id);
    }
    row
}

/// Re-renders the `tasks` list embedded in a project.
fn refresh_project_tasks(store: &mut MStore, project: u64) {
    let Some(project_row) = store.get(Res::Projects, project) else {
        return;
    };
    let updated_ms = project_row.idx.updated_ms;
    let mut map = project_row.value();
    let tasks: Vec<Value> = store
        .table(Res::Tasks)
        .rows()
        .filter(|(_, t)| t.idx.project_id == project)
        .map(|(_, t)| {
            let task = t.value();
            json!({
                "id": task.get("id"),
                "name": task.get("name"),
                "billable": task.get("billable"),
                "active": task.get("active"),
                "budget": task.get("budget"),
                "hourly_rate": task.get("hourly_rate"),
                "description": task.get("description"),
            })
        })
        .collect();
    map.insert("tasks".into(), Value::Array(tasks));
    let row = make_row(Res::Projects, &map, updated_ms);
    store.table_mut(Res::Projects).put(project, row);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(per_page: usize) -> App {
        App::new(
            true,
            "k".into(),
            "http://127.0.0.1:1".into(),
            per_page,
            Arc::new(Counters::default()),
        )
    }

    #[test]
    fn seed_creates_the_documented_records() {
        let app = app(100);
        let store = app.read();
        for res in [Res::Users, Res::Companies, Res::Projects, Res::Tasks] {
            assert!(store.exists(res, 1), "{res:?} 1 missing");
        }
        let project = store
            .get(Res::Projects, 1)
            .map(Row::value)
            .unwrap_or_default();
        assert_eq!(project["tasks"][0]["id"], json!(1));
        assert_eq!(project["customer"]["id"], json!(1));
        assert_eq!(store.get(Res::Tasks, 1).map(|t| t.idx.project_id), Some(1));
    }

    #[test]
    fn bulk_activities_are_valid_json_and_indexed() {
        let app = app(100);
        app.insert_bulk_activities(1000);
        let store = app.read();
        assert_eq!(store.table(Res::Activities).len(), 1000);
        let row = store
            .get(Res::Activities, 1000)
            .map(Row::value)
            .unwrap_or_default();
        assert_eq!(row["id"], json!(1000));
        assert_eq!(row["project"]["id"], json!(1));
        assert!(row["date"].as_str().is_some_and(|d| d.len() == 10));
        assert_eq!(
            store.get(Res::Activities, 5).and_then(|r| r.idx.date),
            NaiveDate::from_ymd_opt(2024, 1, 5)
        );
    }

    #[test]
    fn authorization_schemes() {
        let app = app(100);
        let mut headers = HeaderMap::new();
        assert!(!app.authorized(&headers));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Token token=k"),
        );
        assert!(app.authorized(&headers));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer k"));
        assert!(app.authorized(&headers));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer x"));
        assert!(!app.authorized(&headers));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Token token=\"k\""),
        );
        assert!(app.authorized(&headers));
    }
}
