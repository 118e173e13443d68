//! Request routing and handlers of the Konverte sandbox.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::deliver;
use super::records::{self, APPS};
use super::store::{
    CURRENT_USER, Input, Kind, Member, PAGE_SIZE, Store, account_record, bad_request, blank,
    check_email, check_password, email_is_free_for_contact, get_str, get_u64, inbox_record,
    invalid, json_map, merge, not_found, public_message_view, user_record,
};
use crate::generic::{Call, Generic, Style};
use crate::http::not_in_sandbox;
use crate::http::{
    Answer, Fail, Query, as_id, empty, json, ok, parse_object, random_hex, seg_id, unix_now,
};
use crate::routes;
use crate::server::lock;
use crate::stats::Counters;

const MAX_BODY: usize = 16 * 1024 * 1024;

/// The Konverte application: data, credentials and counters.
#[derive(Debug)]
pub(crate) struct App {
    store: Mutex<Store>,
    token: String,
    base_url: String,
    pub(crate) counters: Arc<Counters>,
    pub(crate) generic: Generic,
    hooks: reqwest::Client,
}

/// One request, decoded.
struct Ctx<'a> {
    method: &'a Method,
    trailing_slash: bool,
    query: Query,
    body: &'a [u8],
}

impl Ctx<'_> {
    fn body(&self) -> Result<Map<String, Value>, Fail> {
        parse_object(self.body).map_err(bad_request)
    }

    fn m(&self) -> &str {
        self.method.as_str()
    }
}

/// A numeric id segment; anything else (`agents/bulk_create`) is another route.
fn id(segment: &str, _what: &str) -> Result<u64, Fail> {
    seg_id(segment).ok_or_else(route_not_found)
}

fn unauthorized() -> Response {
    json(
        StatusCode::UNAUTHORIZED,
        &json!({"error": "Authentication required: send a valid api_access_token header."}),
    )
}

/// Not a hand-written route: the generic tier or `501` answers.
fn route_not_found() -> Fail {
    Fail::no_route()
}

fn deleted() -> Answer {
    Ok(empty(StatusCode::OK))
}

/// Account records with nothing special about their get, update and delete:
/// (path segment, kind, name in a 404).
const PLAIN_RECORDS: &[(&str, Kind, &str)] = &[
    ("canned_responses", Kind::Canned, "Canned response"),
    (
        "custom_attribute_definitions",
        Kind::CustomAttribute,
        "Custom attribute",
    ),
    ("custom_filters", Kind::CustomFilter, "Custom filter"),
    ("automation_rules", Kind::AutomationRule, "Automation rule"),
];

/// GET, PATCH/PUT or DELETE of one record; `None` for any other method.
fn record_by_id(
    st: &mut Store,
    c: &Ctx<'_>,
    kind: Kind,
    acc: Option<u64>,
    rid: u64,
) -> Option<Answer> {
    let answer = match c.m() {
        "GET" => records::find(st, kind, acc, rid).and_then(ok),
        "PATCH" | "PUT" => c
            .body()
            .and_then(|body| records::update(st, kind, acc, rid, &body))
            .and_then(|r| ok(&r)),
        "DELETE" => records::delete(st, kind, acc, rid).and_then(|_| deleted()),
        _ => return None,
    };
    Some(answer)
}

/// `?page=N` slice of `items`, 15 per page.
fn page_of<T: Clone>(items: &[T], page: usize) -> Vec<T> {
    items
        .iter()
        .skip((page - 1).saturating_mul(PAGE_SIZE))
        .take(PAGE_SIZE)
        .cloned()
        .collect()
}

/// E.164 phone numbers, as the real server requires.
fn check_phone(phone: &str) -> Result<(), Fail> {
    let digits = phone.strip_prefix('+').unwrap_or("");
    let valid = !digits.is_empty()
        && digits.len() <= 15
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0');
    if valid {
        Ok(())
    } else {
        Err(invalid(
            "phone_number",
            "Phone number should be in e164 format (for example +4930123456)",
        ))
    }
}

/// Looks up `key` on a record, then in its custom and additional attributes.
fn attribute<'v>(record: &'v Value, key: &str) -> Option<&'v Value> {
    record
        .get(key)
        .or_else(|| record.get("custom_attributes").and_then(|c| c.get(key)))
        .or_else(|| record.get("additional_attributes").and_then(|c| c.get(key)))
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.to_lowercase(),
        Value::Null => String::new(),
        other => other.to_string().to_lowercase(),
    }
}

/// Evaluates a filter payload (`[{attribute_key, filter_operator, values, query_operator}]`).
fn filter_matches(record: &Value, conditions: &[Value]) -> Result<bool, Fail> {
    let mut result: Option<bool> = None;
    let mut pending_operator = String::from("and");
    for condition in conditions {
        let key = condition
            .get("attribute_key")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid("attribute_key", "Each filter needs an attribute_key"))?;
        let operator = condition
            .get("filter_operator")
            .and_then(Value::as_str)
            .unwrap_or("equal_to");
        let values: Vec<String> = match condition.get("values") {
            Some(Value::Array(items)) => items.iter().map(value_text).collect(),
            Some(Value::Null) | None => Vec::new(),
            Some(other) => vec![value_text(other)],
        };
        let actual = attribute(record, key);
        let actual_texts: Vec<String> = match actual {
            Some(Value::Array(items)) => items.iter().map(value_text).collect(),
            Some(v) => vec![value_text(v)],
            None => Vec::new(),
        };
        let equal = actual_texts.iter().any(|a| values.contains(a));
        let contains = actual_texts
            .iter()
            .any(|a| values.iter().any(|v| a.contains(v.as_str())));
        let present = actual_texts.iter().any(|a| !a.is_empty());
        let hit = match operator {
            "equal_to" | "eq" => equal,
            "not_equal_to" | "not_eq" => !equal,
            "contains" => contains,
            "does_not_contain" => !contains,
            "is_present" => present,
            "is_not_present" => !present,
            other => {
                return Err(invalid(
                    "filter_operator",
                    format!("Unknown filter operator: {other}"),
                ));
            }
        };
        result = Some(match result {
            None => hit,
            Some(previous) if pending_operator == "or" => previous || hit,
            Some(previous) => previous && hit,
        });
        pending_operator = condition
            .get("query_operator")
            .and_then(Value::as_str)
            .unwrap_or("and")
            .to_lowercase();
    }
    Ok(result.unwrap_or(true))
}

fn filter_payload(body: &Map<String, Value>) -> Result<Vec<Value>, Fail> {
    match body.get("payload") {
        Some(Value::Array(items)) => Ok(items.clone()),
        None | Some(Value::Null) => Err(blank("payload")),
        Some(_) => Err(invalid("payload", "Payload must be an array of filters")),
    }
}

async fn handle(State(app): State<Arc<App>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(_) => return bad_request("The request body could not be read").into_response(),
    };
    let response = app.dispatch(
        &parts.method,
        parts.uri.path(),
        parts.uri.query(),
        &parts.headers,
        &bytes,
    );
    let event = routes::find(
        routes::konverte::ROUTES,
        parts.method.as_str(),
        parts.uri.path(),
    )
    .and_then(|m| deliver::event_of(&m.route.key()));
    let account = parts.uri.path().split('/').nth(4).and_then(seg_id);
    match (event, account) {
        (Some(event), Some(account)) if response.status().is_success() => {
            app.announce(event, account, response).await
        }
        _ => response,
    }
}

impl App {
    pub(crate) fn new(
        seed: bool,
        token: String,
        base_url: String,
        counters: Arc<Counters>,
    ) -> Self {
        Self {
            store: Mutex::new(Store::new(seed)),
            token,
            base_url,
            counters,
            generic: Generic::new(Style::Konverte),
            hooks: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(5))
                .no_proxy()
                .build()
                .unwrap_or_default(),
        }
    }

    /// Delivers `event` about the record in `response` to the account's webhooks and hands the
    /// response back unchanged.
    async fn announce(&self, event: &str, account: u64, response: Response) -> Response {
        let (parts, body) = response.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
            return Response::from_parts(parts, axum::body::Body::empty());
        };
        let answer: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let record = answer
            .pointer("/payload/contact")
            .or_else(|| answer.get("payload").filter(|p| p.is_object()))
            .unwrap_or(&answer);
        let deliveries = deliver::deliveries(&lock(&self.store), account, event, record);
        deliver::send(&self.hooks, deliveries);
        Response::from_parts(parts, axum::body::Body::from(bytes))
    }

    pub(crate) fn router(self: Arc<Self>) -> Router {
        Router::new().fallback(handle).with_state(self)
    }

    /// Adds `n` contacts to `account` (for benchmarks); returns how many were added.
    pub(crate) fn insert_bulk_contacts(&self, account: u64, n: usize) -> usize {
        let mut store = lock(&self.store);
        if !store.accounts.contains_key(&account) {
            return 0;
        }
        let now = unix_now();
        for _ in 0..n {
            let id = store.next_id("contact");
            store.contacts.insert(
                id,
                json!({
                    "id": id,
                    "account_id": account,
                    "name": format!("Bulk Contact {id}"),
                    "email": format!("bulk{id}@example.test"),
                    "phone_number": null,
                    "identifier": null,
                    "thumbnail": "",
                    "additional_attributes": {},
                    "custom_attributes": {},
                    "availability_status": "offline",
                    "blocked": false,
                    "created_at": now,
                    "last_activity_at": null,
                }),
            );
        }
        n
    }

    fn authorized(&self, headers: &HeaderMap) -> bool {
        ["api_access_token", "api-access-token"].iter().any(|name| {
            headers
                .get_all(*name)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .any(|t| t.trim() == self.token)
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
        let public = matches!(segs.as_slice(), ["public", ..] | ["survey", ..]);
        if !public && !self.authorized(headers) {
            self.counters.unauthorized();
            return unauthorized();
        }
        let relative = format!("/{}", segs.join("/"));
        let matched = routes::find(routes::konverte::ROUTES, method.as_str(), &relative);
        let key = matched
            .as_ref()
            .map(|m| m.route.key())
            .unwrap_or_else(|| format!("{method} {relative}"));
        self.counters.routed(method.as_str(), key);
        let ctx = Ctx {
            method,
            trailing_slash: path.len() > 1 && path.ends_with('/'),
            query: Query::parse(query),
            body,
        };
        let mut store = lock(&self.store);
        let result = self.route(&mut store, &ctx, &segs);
        drop(store);
        match result {
            Ok(response) => response,
            Err(fail) if fail.is_no_route() => match matched {
                Some(matched) => self.generic.serve(&Call {
                    matched: &matched,
                    path: &relative,
                    query: &ctx.query,
                    body,
                    content_type: headers
                        .get(header::CONTENT_TYPE)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default(),
                    base: &self.base_url,
                }),
                None => {
                    self.counters.unserved();
                    not_in_sandbox(method.as_str(), path)
                }
            },
            Err(fail) => fail.into_response(),
        }
    }

    fn route(&self, st: &mut Store, c: &Ctx<'_>, segs: &[&str]) -> Answer {
        match segs {
            ["platform", "api", "v1", rest @ ..] => self.platform(st, c, rest),
            ["public", "api", "v1", "inboxes", identifier, rest @ ..] => {
                self.public(st, c, identifier, rest)
            }
            ["survey", "responses", uuid] if c.m() == "GET" => Ok(survey_page(uuid)),
            ["api", "v1", "profile"] if c.m() == "GET" => {
                let mut view = match st.users.get(&CURRENT_USER) {
                    Some(user) => st.user_view(user),
                    None => {
                        json!({"id": CURRENT_USER, "name": "Sandbox API", "email": null, "accounts": []})
                    }
                };
                merge(&mut view, json_map(json!({"access_token": self.token})));
                ok(&view)
            }
            ["api", "v1", "accounts", account, rest @ ..] => {
                let account = id(account, "Account")?;
                st.check_account(account)?;
                self.account(st, c, account, rest)
            }
            ["api", "v2", "accounts", account, "reports", rest @ ..] if c.m() == "GET" => {
                let account = id(account, "Account")?;
                st.check_account(account)?;
                reports(st, c, account, rest)
            }
            _ => Err(route_not_found()),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Platform API

    fn platform(&self, st: &mut Store, c: &Ctx<'_>, rest: &[&str]) -> Answer {
        match (c.m(), rest) {
            ("POST", ["accounts"]) => {
                let body = c.body()?;
                let input = Input::new(&body, true);
                let name = input.required_str("name")?.unwrap_or_default();
                let custom = input.object("custom_attributes")?;
                let id = st.next_id("account");
                let mut account = account_record(id, &name);
                for key in ["locale", "domain", "support_email"] {
                    if let Some(v) = input.str(key)? {
                        merge(&mut account, json_map(json!({ key: v })));
                    }
                }
                if let Some(custom) = custom {
                    merge(&mut account, json_map(json!({"custom_attributes": custom})));
                }
                st.accounts.insert(id, account.clone());
                self.counters.created();
                ok(&account)
            }
            ("GET", ["accounts", account]) => {
                let account = id(account, "Account")?;
                ok(st
                    .accounts
                    .get(&account)
                    .ok_or_else(|| not_found("Account"))?)
            }
            ("PATCH", ["accounts", account]) => {
                let account = id(account, "Account")?;
                st.check_account(account)?;
                let body = c.body()?;
                let input = Input::new(&body, false);
                let mut patch = Map::new();
                if let Some(name) = input.required_str("name")? {
                    patch.insert("name".into(), json!(name));
                }
                for key in ["locale", "domain", "support_email"] {
                    if let Some(v) = input.str(key)? {
                        patch.insert(key.into(), json!(v));
                    }
                }
                if let Some(status) = input.choice("status", &["active", "suspended"])? {
                    patch.insert("status".into(), json!(status));
                }
                if let Some(custom) = input.object("custom_attributes")? {
                    patch.insert("custom_attributes".into(), Value::Object(custom));
                }
                let record = st
                    .accounts
                    .get_mut(&account)
                    .ok_or_else(|| not_found("Account"))?;
                merge(record, patch);
                ok(record)
            }
            ("DELETE", ["accounts", account]) => {
                let account = id(account, "Account")?;
                st.accounts
                    .remove(&account)
                    .ok_or_else(|| not_found("Account"))?;
                st.members.retain(|(a, _), _| *a != account);
                deleted()
            }
            ("GET", ["accounts", account, "account_users"]) => {
                let account = id(account, "Account")?;
                st.check_account(account)?;
                let users: Vec<Value> = st
                    .members
                    .iter()
                    .filter(|((a, _), _)| *a == account)
                    .map(|((a, u), m)| json!({"account_id": a, "user_id": u, "role": m.role}))
                    .collect();
                ok(&Value::Array(users))
            }
            ("POST", ["accounts", account, "account_users"]) => {
                let account = id(account, "Account")?;
                st.check_account(account)?;
                let body = c.body()?;
                let input = Input::new(&body, true);
                let user = input.required_id("user_id")?;
                if input.creating && !input.has("role") {
                    return Err(blank("role"));
                }
                let role = input
                    .choice("role", &["administrator", "agent"])?
                    .unwrap_or_default();
                if !st.users.contains_key(&user) {
                    return Err(not_found("User"));
                }
                let member = st.members.entry((account, user)).or_insert(Member {
                    role: role.clone(),
                    availability: "online".to_owned(),
                    auto_offline: true,
                });
                member.role = role.clone();
                self.counters.created();
                ok(&json!({"account_id": account, "user_id": user, "role": role}))
            }
            ("DELETE", ["accounts", account, "account_users"]) => {
                let account = id(account, "Account")?;
                st.check_account(account)?;
                let body = c.body()?;
                let user = Input::new(&body, true).required_id("user_id")?;
                st.members
                    .remove(&(account, user))
                    .ok_or_else(|| not_found("Account user"))?;
                deleted()
            }
            ("GET", ["agent_bots"]) => {
                let bots: Vec<Value> = st.records_ref(Kind::PlatformBot).cloned().collect();
                ok(&Value::Array(bots))
            }
            ("POST", ["agent_bots"]) => {
                let body = c.body()?;
                let bot = records::create(st, Kind::PlatformBot, None, &body, Map::new())?;
                self.counters.created();
                ok(&bot)
            }
            ("GET", ["agent_bots", bot]) => {
                let bot = id(bot, "Agent bot")?;
                ok(records::find(st, Kind::PlatformBot, None, bot)?)
            }
            ("PATCH", ["agent_bots", bot]) => {
                let bot = id(bot, "Agent bot")?;
                let body = c.body()?;
                ok(&records::update(st, Kind::PlatformBot, None, bot, &body)?)
            }
            ("DELETE", ["agent_bots", bot]) => {
                let bot = id(bot, "Agent bot")?;
                records::delete(st, Kind::PlatformBot, None, bot)?;
                st.inbox_bots.retain(|_, b| *b != bot);
                deleted()
            }
            ("POST", ["users"]) => {
                let body = c.body()?;
                let input = Input::new(&body, true);
                let name = input.required_str("name")?.unwrap_or_default();
                let email = input.required_str("email")?.unwrap_or_default();
                check_email("email", &email)?;
                let password = input.required_str("password")?.unwrap_or_default();
                check_password(&password)?;
                let custom = input.object("custom_attributes")?.unwrap_or_default();
                if st.email_taken(&email, None) {
                    return Err(invalid("email", "Email has already been taken"));
                }
                let id = st.next_id("user");
                let user = user_record(id, &name, &email, custom);
                st.users.insert(id, user.clone());
                self.counters.created();
                ok(&st.user_view(&user))
            }
            ("GET", ["users", user]) => {
                let user = id(user, "User")?;
                let record = st.users.get(&user).ok_or_else(|| not_found("User"))?;
                ok(&st.user_view(record))
            }
            ("PATCH", ["users", user]) => {
                let user = id(user, "User")?;
                if !st.users.contains_key(&user) {
                    return Err(not_found("User"));
                }
                let body = c.body()?;
                let input = Input::new(&body, false);
                let mut patch = Map::new();
                if let Some(name) = input.required_str("name")? {
                    patch.insert("name".into(), json!(name));
                    patch.insert("available_name".into(), json!(name));
                    patch.insert("display_name".into(), json!(name));
                }
                if let Some(email) = input.required_str("email")? {
                    check_email("email", &email)?;
                    if st.email_taken(&email, Some(user)) {
                        return Err(invalid("email", "Email has already been taken"));
                    }
                    patch.insert("uid".into(), json!(email));
                    patch.insert("email".into(), json!(email));
                }
                if let Some(password) = input.required_str("password")? {
                    check_password(&password)?;
                }
                if let Some(custom) = input.object("custom_attributes")? {
                    patch.insert("custom_attributes".into(), Value::Object(custom));
                }
                let record = st.users.get_mut(&user).ok_or_else(|| not_found("User"))?;
                merge(record, patch);
                let record = record.clone();
                ok(&st.user_view(&record))
            }
            ("DELETE", ["users", user]) => {
                let user = id(user, "User")?;
                st.users.remove(&user).ok_or_else(|| not_found("User"))?;
                st.members.retain(|(_, u), _| *u != user);
                st.inbox_members.retain(|(_, u)| *u != user);
                st.team_members.retain(|(_, u)| *u != user);
                deleted()
            }
            ("GET", ["users", user, "login"]) => {
                let user = id(user, "User")?;
                let record = st.users.get(&user).ok_or_else(|| not_found("User"))?;
                let email =
                    url::form_urlencoded::byte_serialize(get_str(record, "email").as_bytes())
                        .collect::<String>();
                ok(&json!({
                    "url": format!(
                        "{}/app/login?email={email}&sso_auth_token={}",
                        self.base_url,
                        random_hex(32)
                    )
                }))
            }
            _ => Err(route_not_found()),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Account API

    fn account(&self, st: &mut Store, c: &Ctx<'_>, account: u64, rest: &[&str]) -> Answer {
        let acc = Some(account);
        if let [collection, rid] = rest
            && let Some(&(_, kind, label)) =
                PLAIN_RECORDS.iter().find(|(seg, ..)| seg == collection)
            && let Some(answer) = record_by_id(st, c, kind, acc, id(rid, label)?)
        {
            return answer;
        }
        match (c.m(), rest) {
            // --- agent bots -----------------------------------------------------------------
            ("GET", ["agent_bots"]) => {
                let bots: Vec<Value> = st
                    .in_account(Kind::AccountBot, account)
                    .into_iter()
                    .cloned()
                    .collect();
                ok(&Value::Array(bots))
            }
            ("POST", ["agent_bots"]) => {
                let body = c.body()?;
                let bot = records::create(st, Kind::AccountBot, acc, &body, Map::new())?;
                self.counters.created();
                ok(&bot)
            }
            ("GET", ["agent_bots", bot]) => ok(records::find(
                st,
                Kind::AccountBot,
                acc,
                id(bot, "Agent bot")?,
            )?),
            ("PATCH", ["agent_bots", bot]) => {
                let body = c.body()?;
                ok(&records::update(
                    st,
                    Kind::AccountBot,
                    acc,
                    id(bot, "Agent bot")?,
                    &body,
                )?)
            }
            ("DELETE", ["agent_bots", bot]) => {
                let bot = id(bot, "Agent bot")?;
                records::delete(st, Kind::AccountBot, acc, bot)?;
                st.inbox_bots.retain(|_, b| *b != bot);
                deleted()
            }
            // --- agents ---------------------------------------------------------------------
            ("GET", ["agents"]) => {
                let agents: Vec<Value> = st
                    .members
                    .keys()
                    .filter(|(a, _)| *a == account)
                    .filter_map(|(_, u)| st.agent_view(account, *u))
                    .collect();
                ok(&Value::Array(agents))
            }
            ("POST", ["agents"]) => self.add_agent(st, c, account),
            ("PATCH", ["agents", agent]) => {
                let agent = id(agent, "Agent")?;
                if !st.is_agent(account, agent) {
                    return Err(not_found("Agent"));
                }
                let body = c.body()?;
                let input = Input::new(&body, true);
                if !input.has("role") {
                    return Err(blank("role"));
                }
                let role = input.choice("role", &["agent", "administrator"])?;
                let availability =
                    match input.choice("availability", &["available", "busy", "offline"])? {
                        Some(a) => Some(a),
                        None => input
                            .choice("availability_status", &["available", "busy", "offline"])?,
                    };
                let auto_offline = input.bool("auto_offline")?;
                let member = st
                    .members
                    .get_mut(&(account, agent))
                    .ok_or_else(|| not_found("Agent"))?;
                if let Some(role) = role {
                    member.role = role;
                }
                if let Some(availability) = availability {
                    member.availability = if availability == "available" {
                        "online".to_owned()
                    } else {
                        availability
                    };
                }
                if let Some(auto_offline) = auto_offline {
                    member.auto_offline = auto_offline;
                }
                ok(&st.agent_view(account, agent).unwrap_or(Value::Null))
            }
            ("DELETE", ["agents", agent]) => {
                let agent = id(agent, "Agent")?;
                st.members
                    .remove(&(account, agent))
                    .ok_or_else(|| not_found("Agent"))?;
                let inboxes: BTreeSet<u64> = st
                    .inboxes
                    .values()
                    .filter(|i| get_u64(i, "account_id") == acc)
                    .filter_map(|i| get_u64(i, "id"))
                    .collect();
                st.inbox_members
                    .retain(|(i, u)| !(*u == agent && inboxes.contains(i)));
                let teams: BTreeSet<u64> = st
                    .in_account(Kind::Team, account)
                    .iter()
                    .filter_map(|t| get_u64(t, "id"))
                    .collect();
                st.team_members
                    .retain(|(t, u)| !(*u == agent && teams.contains(t)));
                deleted()
            }
            // --- canned responses -----------------------------------------------------------
            ("GET", ["canned_responses"]) => {
                let search = c.query.get("search").map(str::to_lowercase);
                let items: Vec<Value> = st
                    .in_account(Kind::Canned, account)
                    .into_iter()
                    .filter(|r| {
                        search.as_ref().is_none_or(|s| {
                            get_str(r, "short_code").to_lowercase().contains(s)
                                || get_str(r, "content").to_lowercase().contains(s)
                        })
                    })
                    .cloned()
                    .collect();
                ok(&Value::Array(items))
            }
            ("POST", ["canned_responses"]) => self.create_record(st, c, Kind::Canned, account),
            // --- custom attribute definitions -----------------------------------------------
            ("GET", ["custom_attribute_definitions"]) => {
                let model = c.query.get("attribute_model").map(|m| match m {
                    "0" => "conversation_attribute",
                    "1" => "contact_attribute",
                    other => other,
                });
                let items: Vec<Value> = st
                    .in_account(Kind::CustomAttribute, account)
                    .into_iter()
                    .filter(|r| model.is_none_or(|m| get_str(r, "attribute_model") == m))
                    .cloned()
                    .collect();
                ok(&Value::Array(items))
            }
            ("POST", ["custom_attribute_definitions"]) => {
                self.create_record(st, c, Kind::CustomAttribute, account)
            }
            // --- custom filters -------------------------------------------------------------
            ("GET", ["custom_filters"]) => {
                let filter_type = c.query.get("filter_type");
                let items: Vec<Value> = st
                    .in_account(Kind::CustomFilter, account)
                    .into_iter()
                    .filter(|r| filter_type.is_none_or(|t| get_str(r, "type") == t))
                    .cloned()
                    .collect();
                ok(&Value::Array(items))
            }
            ("POST", ["custom_filters"]) => {
                let mut body = c.body()?;
                if let Some(t) = c.query.get("filter_type") {
                    body.entry("type").or_insert(json!(t));
                }
                let record = records::create(st, Kind::CustomFilter, acc, &body, Map::new())?;
                self.counters.created();
                ok(&record)
            }
            // --- webhooks -------------------------------------------------------------------
            // app/views/api/v1/accounts/webhooks/*.json.jbuilder: {payload: {webhooks|webhook}},
            // each with its signing secret; a URL is unique in an account.
            ("GET", ["webhooks"]) => {
                let items: Vec<Value> = st
                    .in_account(Kind::Webhook, account)
                    .into_iter()
                    .cloned()
                    .collect();
                ok(&json!({"payload": {"webhooks": items}}))
            }
            ("POST", ["webhooks"]) => {
                let body = c.body()?;
                let url = body.get("url").and_then(Value::as_str).unwrap_or("");
                if st
                    .in_account(Kind::Webhook, account)
                    .iter()
                    .any(|h| get_str(h, "url") == url)
                {
                    return Err(invalid("url", "Url has already been taken"));
                }
                let mut extra = Map::new();
                extra.insert("secret".into(), Value::String(random_hex(24)));
                let record = records::create(st, Kind::Webhook, acc, &body, extra)?;
                self.counters.created();
                ok(&json!({"payload": {"webhook": record}}))
            }
            ("PATCH", ["webhooks", hook]) => {
                let body = c.body()?;
                let record = records::update(st, Kind::Webhook, acc, id(hook, "Webhook")?, &body)?;
                ok(&json!({"payload": {"webhook": record}}))
            }
            ("DELETE", ["webhooks", hook]) => {
                records::delete(st, Kind::Webhook, acc, id(hook, "Webhook")?)?;
                deleted()
            }
            // --- automation rules -----------------------------------------------------------
            ("GET", ["automation_rules"]) => {
                let items: Vec<Value> = st
                    .in_account(Kind::AutomationRule, account)
                    .into_iter()
                    .cloned()
                    .collect();
                ok(&Value::Array(items))
            }
            ("POST", ["automation_rules"]) => {
                self.create_record(st, c, Kind::AutomationRule, account)
            }
            // --- help center ----------------------------------------------------------------
            ("GET", ["portals"]) => {
                let portals: Vec<Value> = st
                    .in_account(Kind::Portal, account)
                    .into_iter()
                    .map(|p| st.portal_view(p))
                    .collect();
                ok(&json!(portals))
            }
            ("POST", ["portals"]) => {
                let body = c.body()?;
                let portal = records::create(st, Kind::Portal, acc, &body, Map::new())?;
                self.counters.created();
                ok(&st.portal_view(&portal))
            }
            ("PATCH", ["portals"]) => {
                let body = c.body()?;
                let portals = st.in_account(Kind::Portal, account);
                let target = body
                    .get("id")
                    .and_then(as_id)
                    .and_then(|pid| portals.iter().find(|p| get_u64(p, "id") == Some(pid)))
                    .or_else(|| {
                        body.get("slug")
                            .and_then(Value::as_str)
                            .and_then(|slug| portals.iter().find(|p| get_str(p, "slug") == slug))
                    })
                    .or_else(|| portals.last())
                    .and_then(|p| get_u64(p, "id"))
                    .ok_or_else(|| not_found("Portal"))?;
                let portal = records::update(st, Kind::Portal, acc, target, &body)?;
                ok(&st.portal_view(&portal))
            }
            ("GET", ["portals", portal]) => {
                let portal = records::find(st, Kind::Portal, acc, id(portal, "Portal")?)?;
                ok(&st.portal_view(portal))
            }
            ("PATCH", ["portals", portal]) => {
                let body = c.body()?;
                let portal = records::update(st, Kind::Portal, acc, id(portal, "Portal")?, &body)?;
                ok(&st.portal_view(&portal))
            }
            ("POST", ["portals", portal, child @ ("categories" | "articles")]) => {
                let portal = id(portal, "Portal")?;
                records::find(st, Kind::Portal, acc, portal)?;
                let kind = if *child == "categories" {
                    Kind::Category
                } else {
                    Kind::Article
                };
                let body = c.body()?;
                if kind == Kind::Article
                    && let Some(category) = body.get("category_id").and_then(as_id)
                {
                    records::find(st, Kind::Category, acc, category)
                        .map_err(|_| invalid("category_id", "Category does not exist"))?;
                }
                let record =
                    records::create(st, kind, acc, &body, json_map(json!({"portal_id": portal})))?;
                self.counters.created();
                ok(&record)
            }
            // --- integrations ---------------------------------------------------------------
            ("GET", ["integrations", "apps"]) => {
                let hooks = st.in_account(Kind::IntegrationHook, account);
                let apps: Vec<Value> = APPS
                    .iter()
                    .map(|(app, name, description, hook_type, multiple)| {
                        let app_hooks: Vec<Value> = hooks
                            .iter()
                            .filter(|h| get_str(h, "app_id") == *app)
                            .map(|h| (*h).clone())
                            .collect();
                        json!({
                            "id": app,
                            "name": name,
                            "description": description,
                            "hook_type": hook_type,
                            "enabled": !app_hooks.is_empty(),
                            "allow_multiple_hooks": multiple,
                            "hooks": app_hooks,
                        })
                    })
                    .collect();
                ok(&Value::Array(apps))
            }
            ("POST", ["integrations", "hooks"]) => {
                self.create_record(st, c, Kind::IntegrationHook, account)
            }
            ("PATCH", ["integrations", "hooks", hook]) => {
                let body = c.body()?;
                let hook = id(hook, "Integration hook")?;
                ok(&records::update(
                    st,
                    Kind::IntegrationHook,
                    acc,
                    hook,
                    &body,
                )?)
            }
            ("DELETE", ["integrations", "hooks", hook]) => {
                records::delete(
                    st,
                    Kind::IntegrationHook,
                    acc,
                    id(hook, "Integration hook")?,
                )?;
                deleted()
            }
            // --- teams ----------------------------------------------------------------------
            ("GET", ["teams"]) => {
                let teams: Vec<Value> = st
                    .in_account(Kind::Team, account)
                    .into_iter()
                    .map(|t| st.team_view(t))
                    .collect();
                ok(&json!(teams))
            }
            ("POST", ["teams"]) => {
                let body = c.body()?;
                let team = records::create(st, Kind::Team, acc, &body, Map::new())?;
                self.counters.created();
                ok(&st.team_view(&team))
            }
            ("GET", ["teams", team]) => {
                let team = records::find(st, Kind::Team, acc, id(team, "Team")?)?;
                ok(&st.team_view(team))
            }
            ("PATCH" | "PUT", ["teams", team]) => {
                let body = c.body()?;
                let team = records::update(st, Kind::Team, acc, id(team, "Team")?, &body)?;
                ok(&st.team_view(&team))
            }
            ("DELETE", ["teams", team]) => {
                let team = id(team, "Team")?;
                records::delete(st, Kind::Team, acc, team)?;
                st.team_members.retain(|(t, _)| *t != team);
                for conversation in st.conversations.values_mut() {
                    if get_u64(conversation, "team_id") == Some(team) {
                        merge(conversation, json_map(json!({"team_id": null})));
                    }
                }
                deleted()
            }
            (_, ["teams", team, "team_members"]) => {
                let team = id(team, "Team")?;
                records::find(st, Kind::Team, acc, team)?;
                self.members_of(st, c, account, team, MemberSet::Team)
            }
            // --- inboxes --------------------------------------------------------------------
            ("GET", ["inboxes"]) => {
                let inboxes: Vec<Value> = st
                    .inboxes
                    .values()
                    .filter(|i| get_u64(i, "account_id") == acc)
                    .map(|i| st.inbox_view(i))
                    .collect();
                // inboxes/index.json.jbuilder renders the list under `payload`.
                ok(&json!({ "payload": inboxes }))
            }
            ("POST", ["inboxes"]) => self.create_inbox(st, c, account),
            ("GET", ["inboxes", inbox]) => {
                let inbox = find_inbox(st, account, inbox)?;
                ok(&st.inbox_view(st.inboxes.get(&inbox).unwrap_or(&Value::Null)))
            }
            ("PATCH" | "PUT", ["inboxes", inbox]) => {
                let inbox = find_inbox(st, account, inbox)?;
                self.update_inbox(st, c, inbox)
            }
            ("DELETE", ["inboxes", inbox]) => {
                let inbox = find_inbox(st, account, inbox)?;
                st.inboxes.remove(&inbox);
                st.inbox_members.retain(|(i, _)| *i != inbox);
                st.inbox_bots.remove(&inbox);
                deleted()
            }
            ("GET", ["inboxes", inbox, "agent_bot"]) => {
                let inbox = find_inbox(st, account, inbox)?;
                let bot = st.inbox_bots.get(&inbox).and_then(|b| {
                    st.record(Kind::AccountBot, *b)
                        .or_else(|| st.record(Kind::PlatformBot, *b))
                });
                match bot {
                    Some(bot) => ok(bot),
                    None => Ok(empty(StatusCode::NO_CONTENT)),
                }
            }
            ("POST", ["inboxes", inbox, "set_agent_bot"]) => {
                let inbox = find_inbox(st, account, inbox)?;
                let body = c.body()?;
                if !body.contains_key("agent_bot") {
                    return Err(blank("agent_bot"));
                }
                match Input::new(&body, false).id("agent_bot")? {
                    None => {
                        st.inbox_bots.remove(&inbox);
                    }
                    Some(bot) => {
                        let usable = records::find(st, Kind::AccountBot, acc, bot).is_ok()
                            || st.record(Kind::PlatformBot, bot).is_some();
                        if !usable {
                            return Err(not_found("Agent bot"));
                        }
                        st.inbox_bots.insert(inbox, bot);
                    }
                }
                Ok(empty(StatusCode::NO_CONTENT))
            }
            ("GET", ["inbox_members", inbox]) => {
                let inbox = find_inbox(st, account, inbox)?;
                ok(&json!({ "payload": inbox_agents(st, account, inbox) }))
            }
            (_, ["inbox_members"]) => {
                let body = c.body()?;
                let input = Input::new(&body, true);
                let inbox = input.required_id("inbox_id")?;
                find_inbox(st, account, &inbox.to_string())?;
                self.members_of(st, c, account, inbox, MemberSet::Inbox)
            }
            // --- contacts -------------------------------------------------------------------
            ("GET", ["contacts"]) => {
                let mut contacts: Vec<&Value> = st
                    .contacts
                    .values()
                    .filter(|ct| get_u64(ct, "account_id") == acc)
                    .collect();
                sort_contacts(&mut contacts, c.query.get("sort"));
                contact_page(st, &contacts, c.query.page())
            }
            ("GET", ["contacts", "search"]) => {
                let q = c.query.get("q").unwrap_or("").to_lowercase();
                let mut contacts: Vec<&Value> = st
                    .contacts
                    .values()
                    .filter(|ct| get_u64(ct, "account_id") == acc)
                    .filter(|ct| {
                        ["name", "email", "phone_number", "identifier"]
                            .iter()
                            .any(|k| get_str(ct, k).to_lowercase().contains(&q))
                    })
                    .collect();
                sort_contacts(&mut contacts, c.query.get("sort"));
                contact_page(st, &contacts, c.query.page())
            }
            ("POST", ["contacts", "filter"]) => {
                let body = c.body()?;
                let conditions = filter_payload(&body)?;
                let mut contacts = Vec::new();
                for contact in st.contacts.values() {
                    if get_u64(contact, "account_id") == acc
                        && filter_matches(contact, &conditions)?
                    {
                        contacts.push(contact);
                    }
                }
                contact_page(st, &contacts, c.query.page())
            }
            ("POST", ["contacts"]) => self.create_contact(st, c, account),
            ("GET", ["contacts", contact]) => {
                let contact = find_contact(st, account, contact)?;
                ok(&st.contact_single(&st.contacts[&contact]))
            }
            ("PUT" | "PATCH", ["contacts", contact]) => {
                let contact = find_contact(st, account, contact)?;
                let body = c.body()?;
                update_contact(st, account, contact, &body)?;
                ok(&st.contact_single(&st.contacts[&contact]))
            }
            ("DELETE", ["contacts", contact]) => {
                let contact = find_contact(st, account, contact)?;
                st.delete_contact(contact);
                deleted()
            }
            ("GET", ["contacts", contact, "conversations"]) => {
                let contact = find_contact(st, account, contact)?;
                let conversations: Vec<Value> = st
                    .conversations
                    .values()
                    .filter(|cv| get_u64(cv, "contact_id") == Some(contact))
                    .map(|cv| st.conversation_view(cv, false))
                    .collect();
                ok(&Value::Array(conversations))
            }
            ("GET", ["contacts", contact, "contactable_inboxes"]) => {
                let contact = find_contact(st, account, contact)?;
                let mut entries = Vec::new();
                for inbox in st
                    .inboxes
                    .values()
                    .filter(|i| get_u64(i, "account_id") == acc)
                {
                    let inbox_id = get_u64(inbox, "id").unwrap_or(0);
                    let source_id = st
                        .contact_inboxes
                        .iter()
                        .find(|ci| ci.contact_id == contact && ci.inbox_id == inbox_id)
                        .map(|ci| ci.source_id.clone())
                        .unwrap_or_else(crate::http::random_uuid);
                    entries.push(json!({"source_id": source_id, "inbox": st.inbox_view(inbox)}));
                }
                let first = entries.first().cloned().unwrap_or(json!({}));
                ok(&json!({
                    "source_id": first.get("source_id"),
                    "inbox": first.get("inbox"),
                    "payload": entries,
                }))
            }
            ("POST", ["contacts", contact, "contact_inboxes"]) => {
                let contact = find_contact(st, account, contact)?;
                let body = c.body()?;
                let input = Input::new(&body, true);
                let inbox = input.required_id("inbox_id")?;
                if find_inbox(st, account, &inbox.to_string()).is_err() {
                    return Err(invalid("inbox_id", "Inbox does not exist in this account"));
                }
                let source_id = input.str("source_id")?.filter(|s| !s.is_empty());
                if let Some(source) = &source_id
                    && st.contact_inboxes.iter().any(|ci| {
                        ci.inbox_id == inbox && ci.source_id == *source && ci.contact_id != contact
                    })
                {
                    return Err(invalid("source_id", "Source has already been taken"));
                }
                let ci = st.ensure_contact_inbox(contact, inbox, source_id);
                self.counters.created();
                ok(&st.contact_inbox_view(&ci))
            }
            // --- conversations --------------------------------------------------------------
            ("GET", ["conversations"]) => {
                let matching = conversations_matching(st, account, &c.query);
                let counts = st.conversation_counts(&matching);
                let assignee_type = c.query.get("assignee_type").unwrap_or("all");
                let selected: Vec<&Value> = matching
                    .into_iter()
                    .filter(|cv| {
                        let assignee = get_u64(cv, "assignee_id");
                        match assignee_type {
                            "me" => assignee == Some(CURRENT_USER),
                            "unassigned" => assignee.is_none(),
                            "assigned" => assignee.is_some(),
                            _ => true,
                        }
                    })
                    .collect();
                let payload: Vec<Value> = page_of(&selected, c.query.page())
                    .into_iter()
                    .map(|cv| st.conversation_view(cv, false))
                    .collect();
                ok(&json!({"data": {"meta": counts, "payload": payload}}))
            }
            ("GET", ["conversations", "meta"]) => {
                let matching = conversations_matching(st, account, &c.query);
                ok(&json!({"meta": st.conversation_counts(&matching)}))
            }
            ("POST", ["conversations", "filter"]) => {
                let body = c.body()?;
                let conditions = filter_payload(&body)?;
                let mut matching = Vec::new();
                for conversation in st.conversations.values() {
                    if get_u64(conversation, "account_id") == acc
                        && filter_matches(conversation, &conditions)?
                    {
                        matching.push(conversation);
                    }
                }
                let counts = st.conversation_counts(&matching);
                let payload: Vec<Value> = page_of(&matching, c.query.page())
                    .into_iter()
                    .map(|cv| st.conversation_view(cv, false))
                    .collect();
                ok(&json!({
                    "data": {"meta": counts, "payload": payload},
                    "meta": counts,
                    "payload": payload,
                }))
            }
            ("POST", ["conversations"]) => self.create_conversation(st, c, account),
            ("GET", ["conversations", conversation]) => {
                let conversation = find_conversation(st, account, conversation)?;
                ok(&st.conversation_view(&st.conversations[&conversation], true))
            }
            ("POST", ["conversations", conversation, "toggle_status"]) => {
                let conversation = find_conversation(st, account, conversation)?;
                let body = c.body()?;
                let input = Input::new(&body, true);
                if !input.has("status") {
                    return Err(blank("status"));
                }
                let status = input
                    .choice("status", &["open", "resolved", "pending", "snoozed"])?
                    .unwrap_or_default();
                set_conversation(st, conversation, json!({"status": status}));
                ok(&json!({
                    "meta": {},
                    "payload": {
                        "success": true,
                        "current_status": status,
                        "conversation_id": conversation,
                    }
                }))
            }
            ("POST", ["conversations", conversation, "toggle_priority"]) => {
                let conversation = find_conversation(st, account, conversation)?;
                let body = c.body()?;
                let input = Input::new(&body, true);
                if !input.has("priority") {
                    return Err(blank("priority"));
                }
                let priority = input
                    .choice("priority", &["urgent", "high", "medium", "low", "none"])?
                    .filter(|p| p != "none");
                set_conversation(st, conversation, json!({"priority": priority}));
                Ok(empty(StatusCode::OK))
            }
            ("POST", ["conversations", conversation, "assignments"]) => {
                let conversation = find_conversation(st, account, conversation)?;
                let body = c.body()?;
                let input = Input::new(&body, false);
                match (body.get("assignee_id"), input.id("team_id")?) {
                    (Some(raw), _) if raw.is_null() || as_id(raw) == Some(0) => {
                        set_conversation(st, conversation, json!({"assignee_id": null}));
                        ok(&Value::Null)
                    }
                    (Some(_), _) => {
                        let agent = input.required_id("assignee_id")?;
                        if !st.is_agent(account, agent) {
                            return Err(not_found("Agent"));
                        }
                        set_conversation(st, conversation, json!({"assignee_id": agent}));
                        ok(&st.agent_view(account, agent).unwrap_or(Value::Null))
                    }
                    (None, Some(team)) => {
                        let view = st.team_view(records::find(st, Kind::Team, acc, team)?);
                        set_conversation(st, conversation, json!({"team_id": team}));
                        ok(&view)
                    }
                    (None, None) => Err(blank("assignee_id")),
                }
            }
            ("GET", ["conversations", conversation, "labels"]) => {
                let conversation = find_conversation(st, account, conversation)?;
                let labels = st.conversations[&conversation]
                    .get("labels")
                    .cloned()
                    .unwrap_or(json!([]));
                ok(&json!({"payload": labels}))
            }
            ("POST", ["conversations", conversation, "labels"]) => {
                let conversation = find_conversation(st, account, conversation)?;
                let body = c.body()?;
                let labels = Input::new(&body, true)
                    .array("labels")?
                    .ok_or_else(|| blank("labels"))?;
                let mut unique: Vec<String> = Vec::new();
                for label in &labels {
                    let Some(label) = label.as_str() else {
                        return Err(invalid("labels", "Labels must be strings"));
                    };
                    for part in label.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                        if !unique.iter().any(|u| u == part) {
                            unique.push(part.to_owned());
                        }
                    }
                }
                set_conversation(st, conversation, json!({"labels": unique}));
                ok(&json!({"payload": unique}))
            }
            // app/finders/message_finder.rb: the newest 20, 20 before `before`, or up to
            // 100 after `after`, oldest first, in {meta, payload}.
            ("GET", ["conversations", conversation, "messages"]) => {
                let conversation = find_conversation(st, account, conversation)?;
                let cursor =
                    |name: &str| c.query.get(name).and_then(|v| v.trim().parse::<u64>().ok());
                let id_of = |m: &&Value| get_u64(m, "id").unwrap_or(0);
                let all = st.messages_of(conversation);
                let page: Vec<Value> = match (cursor("before"), cursor("after")) {
                    (Some(before), _) => {
                        let older: Vec<&Value> = all.filter(|m| id_of(m) < before).collect();
                        older[older.len().saturating_sub(20)..]
                            .iter()
                            .map(|m| (*m).clone())
                            .collect()
                    }
                    (None, Some(after)) => all
                        .filter(|m| id_of(m) > after)
                        .take(100)
                        .cloned()
                        .collect(),
                    (None, None) => {
                        let every: Vec<&Value> = all.collect();
                        every[every.len().saturating_sub(20)..]
                            .iter()
                            .map(|m| (*m).clone())
                            .collect()
                    }
                };
                ok(&json!({"meta": {}, "payload": page}))
            }
            ("POST", ["conversations", conversation, "messages"]) => {
                let conversation = find_conversation(st, account, conversation)?;
                let body = c.body()?;
                let input = Input::new(&body, true);
                let content = input.required_str("content")?;
                let message_type = input
                    .choice("message_type", &["outgoing", "incoming"])?
                    .unwrap_or_else(|| "outgoing".to_owned());
                let content_type = input
                    .choice(
                        "content_type",
                        &[
                            "text",
                            "input_email",
                            "cards",
                            "input_select",
                            "form",
                            "article",
                        ],
                    )?
                    .unwrap_or_else(|| "text".to_owned());
                let content_attributes = input.object("content_attributes")?.unwrap_or_default();
                let private = input.bool("private")?.unwrap_or(false);
                let sender = if message_type == "incoming" {
                    let contact =
                        get_u64(&st.conversations[&conversation], "contact_id").unwrap_or(0);
                    st.contact_sender(contact)
                } else {
                    st.user_sender(CURRENT_USER)
                };
                let message = st.add_message(
                    conversation,
                    content,
                    &message_type,
                    &content_type,
                    content_attributes,
                    private,
                    sender,
                    None,
                );
                self.counters.created();
                ok(&message)
            }
            ("DELETE", ["conversations", conversation, "messages", message]) => {
                let conversation = find_conversation(st, account, conversation)?;
                let message = id(message, "Message")?;
                st.messages
                    .remove(&(conversation, message))
                    .ok_or_else(|| not_found("Message"))?;
                deleted()
            }
            _ => Err(route_not_found()),
        }
    }

    fn create_record(&self, st: &mut Store, c: &Ctx<'_>, kind: Kind, account: u64) -> Answer {
        let body = c.body()?;
        let record = records::create(st, kind, Some(account), &body, Map::new())?;
        self.counters.created();
        ok(&record)
    }

    fn add_agent(&self, st: &mut Store, c: &Ctx<'_>, account: u64) -> Answer {
        let body = c.body()?;
        let input = Input::new(&body, true);
        let name = input.required_str("name")?.unwrap_or_default();
        let email = input.required_str("email")?.unwrap_or_default();
        check_email("email", &email)?;
        if !input.has("role") {
            return Err(blank("role"));
        }
        let role = input
            .choice("role", &["agent", "administrator"])?
            .unwrap_or_default();
        let availability = input
            .choice("availability_status", &["available", "busy", "offline"])?
            .map(|a| {
                if a == "available" {
                    "online".to_owned()
                } else {
                    a
                }
            })
            .unwrap_or_else(|| "offline".to_owned());
        let auto_offline = input.bool("auto_offline")?.unwrap_or(true);
        let existing = st
            .users
            .values()
            .find(|u| get_str(u, "email").eq_ignore_ascii_case(&email))
            .and_then(|u| get_u64(u, "id"));
        let user = match existing {
            Some(user) if st.is_agent(account, user) => {
                return Err(invalid("email", "Email has already been taken"));
            }
            Some(user) => user,
            None => {
                let user = st.next_id("user");
                st.users
                    .insert(user, user_record(user, &name, &email, Map::new()));
                user
            }
        };
        st.members.insert(
            (account, user),
            Member {
                role,
                availability,
                auto_offline,
            },
        );
        self.counters.created();
        ok(&st.agent_view(account, user).unwrap_or(Value::Null))
    }

    fn create_inbox(&self, st: &mut Store, c: &Ctx<'_>, account: u64) -> Answer {
        let body = c.body()?;
        let input = Input::new(&body, true);
        let name = input.required_str("name")?.unwrap_or_default();
        let channel = input.object("channel")?.unwrap_or_default();
        let channel_input = Input::new(&channel, false);
        let channel_type = channel_input
            .choice("type", &["web_widget", "api", "email"])?
            .unwrap_or_else(|| "api".to_owned());
        if channel_type == "web_widget"
            && let Some(url) = channel_input.str("website_url")?
            && !url.is_empty()
            && !crate::http::looks_like_url(&url)
        {
            return Err(invalid("website_url", "Website url is invalid"));
        }
        let id = st.next_id("inbox");
        let record = inbox_record(id, account, &name, &channel_type, &random_hex(24), &channel);
        st.inboxes.insert(id, record.clone());
        self.counters.created();
        ok(&st.inbox_view(&record))
    }

    fn update_inbox(&self, st: &mut Store, c: &Ctx<'_>, inbox: u64) -> Answer {
        let body = c.body()?;
        let input = Input::new(&body, false);
        if !input.has("enable_auto_assignment") {
            return Err(blank("enable_auto_assignment"));
        }
        let mut patch = Map::new();
        if let Some(name) = input.required_str("name")? {
            patch.insert("name".into(), json!(name));
        }
        for key in [
            "enable_auto_assignment",
            "greeting_enabled",
            "working_hours_enabled",
            "csat_survey_enabled",
            "enable_email_collect",
            "allow_messages_after_resolved",
        ] {
            if let Some(b) = input.bool(key)? {
                patch.insert(key.into(), json!(b));
            }
        }
        for key in ["greeting_message", "timezone"] {
            if let Some(s) = input.str(key)? {
                patch.insert(key.into(), json!(s));
            }
        }
        if let Some(channel) = input.object("channel")? {
            let channel_input = Input::new(&channel, false);
            for key in [
                "website_url",
                "welcome_title",
                "welcome_tagline",
                "widget_color",
            ] {
                if let Some(s) = channel_input.str(key)? {
                    patch.insert(key.into(), json!(s));
                }
            }
        }
        let record = st
            .inboxes
            .get_mut(&inbox)
            .ok_or_else(|| not_found("Inbox"))?;
        merge(record, patch);
        let record = record.clone();
        ok(&st.inbox_view(&record))
    }

    fn members_of(
        &self,
        st: &mut Store,
        c: &Ctx<'_>,
        account: u64,
        group: u64,
        set: MemberSet,
    ) -> Answer {
        let listing = |st: &Store| match set {
            MemberSet::Inbox => inbox_agents(st, account, group),
            MemberSet::Team => st
                .team_members
                .iter()
                .filter(|(t, _)| *t == group)
                .filter_map(|(_, u)| st.agent_view(account, *u))
                .collect(),
        };
        // inbox_members/{show,create,update}.json.jbuilder render the agents under
        // `payload`; team_members' views render a bare array.
        let render = |agents: Vec<Value>| match set {
            MemberSet::Inbox => ok(&json!({ "payload": agents })),
            MemberSet::Team => ok(&Value::Array(agents)),
        };
        if c.m() == "GET" {
            return render(listing(st));
        }
        let body = c.body()?;
        let input = Input::new(&body, true);
        let users = input.ids("user_ids")?.ok_or_else(|| blank("user_ids"))?;
        if let Some(missing) = users.iter().find(|u| !st.is_agent(account, **u)) {
            return Err(invalid(
                "user_ids",
                format!("User must exist (user {missing} is not an agent of this account)"),
            ));
        }
        let members = match set {
            MemberSet::Inbox => &mut st.inbox_members,
            MemberSet::Team => &mut st.team_members,
        };
        match c.m() {
            "POST" => {
                for user in &users {
                    members.insert((group, *user));
                }
                self.counters.created();
            }
            "PATCH" | "PUT" => {
                members.retain(|(g, _)| *g != group);
                for user in &users {
                    members.insert((group, *user));
                }
            }
            "DELETE" => {
                for user in &users {
                    members.remove(&(group, *user));
                }
                return deleted();
            }
            _ => return Err(route_not_found()),
        }
        render(listing(st))
    }

    fn create_contact(&self, st: &mut Store, c: &Ctx<'_>, account: u64) -> Answer {
        let body = c.body()?;
        let input = Input::new(&body, true);
        // contacts_controller.rb#build_contact_inbox: a blank inbox_id makes no contact inbox;
        // another account's or an unknown inbox is `inboxes.find`'s RecordNotFound, a 404.
        let inbox = match input.raw("inbox_id") {
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(_) => Some(input.required_id("inbox_id")?),
            None => None,
        };
        if let Some(inbox) = inbox {
            find_inbox(st, account, &inbox.to_string())?;
        }
        let mut fields = contact_fields(st, account, &input, None)?;
        // Enterprise permits company_id (blank clears it).
        if let Some(raw) = input.raw("company_id") {
            let company = match raw {
                Value::String(s) if s.trim().is_empty() => None,
                _ => Some(input.required_id("company_id")?),
            };
            fields.insert("company_id".into(), json!(company));
        }
        let id = st.next_id("contact");
        let mut contact = json!({
            "id": id,
            "account_id": account,
            "name": "",
            "email": null,
            "phone_number": null,
            "identifier": null,
            "thumbnail": "",
            "avatar_url": null,
            "additional_attributes": {},
            "custom_attributes": {},
            "availability_status": "offline",
            "blocked": false,
            "created_at": unix_now(),
            "last_activity_at": null,
        });
        merge(&mut contact, fields);
        let source_id = input.str("source_id")?.filter(|s| !s.is_empty());
        st.contacts.insert(id, contact);
        if let Some(inbox) = inbox {
            st.ensure_contact_inbox(id, inbox, source_id);
        }
        self.counters.created();
        let mut view = st.contact_single(&st.contacts[&id]);
        // create.json.jbuilder renders contact_inbox's inbox and source_id, null without one.
        if let Some(slot @ Value::Null) = view.pointer_mut("/payload/contact_inbox") {
            *slot = json!({"inbox": null, "source_id": null});
        }
        ok(&view)
    }

    fn create_conversation(&self, st: &mut Store, c: &Ctx<'_>, account: u64) -> Answer {
        let body = c.body()?;
        let input = Input::new(&body, true);
        let inbox = input.required_id("inbox_id")?;
        // As the server's build_contact_inbox: with a contact the source id is optional
        // (one is made up); without one it names an existing contact inbox.
        let contact_id = input.id("contact_id")?;
        let source_id = match contact_id {
            Some(_) => input.str("source_id")?.filter(|s| !s.is_empty()),
            None => input.required_str("source_id")?,
        };
        if find_inbox(st, account, &inbox.to_string()).is_err() {
            return Err(invalid("inbox_id", "Inbox does not exist in this account"));
        }
        let (contact, source_id) = match contact_id {
            Some(contact) => {
                if find_contact(st, account, &contact.to_string()).is_err() {
                    return Err(invalid("contact_id", "Contact does not exist in this account"));
                }
                let ci = st.ensure_contact_inbox(contact, inbox, source_id);
                (contact, ci.source_id)
            }
            None => st
                .contact_inboxes
                .iter()
                .find(|ci| ci.inbox_id == inbox && Some(&ci.source_id) == source_id.as_ref())
                .map(|ci| (ci.contact_id, ci.source_id.clone()))
                .ok_or_else(|| {
                    invalid(
                        "source_id",
                        "No contact inbox with this source_id in the inbox; create a contact first or pass contact_id",
                    )
                })?,
        };
        let status = input
            .choice("status", &["open", "resolved", "pending", "snoozed"])?
            .unwrap_or_else(|| "open".to_owned());
        let assignee = input.id("assignee_id")?;
        if let Some(agent) = assignee
            && !st.is_agent(account, agent)
        {
            return Err(invalid(
                "assignee_id",
                "Assignee is not an agent of this account",
            ));
        }
        let team = input.id("team_id")?;
        if let Some(team) = team
            && records::find(st, Kind::Team, Some(account), team).is_err()
        {
            return Err(invalid("team_id", "Team does not exist in this account"));
        }
        let additional = input.object("additional_attributes")?.unwrap_or_default();
        let custom = input.object("custom_attributes")?.unwrap_or_default();
        let message = input.object("message")?;
        let message_content = match &message {
            Some(m) => Some(
                Input::new(m, true)
                    .required_str("content")
                    .map_err(|_| blank("message.content"))?
                    .unwrap_or_default(),
            ),
            None => None,
        };
        let id = new_conversation(
            st, account, inbox, contact, &source_id, &status, additional, custom,
        );
        set_conversation(st, id, json!({"assignee_id": assignee, "team_id": team}));
        if let Some(content) = message_content {
            let sender = st.user_sender(CURRENT_USER);
            st.add_message(
                id,
                Some(content),
                "outgoing",
                "text",
                Map::new(),
                false,
                sender,
                None,
            );
        }
        self.counters.created();
        ok(&st.conversation_view(&st.conversations[&id], true))
    }

    // -----------------------------------------------------------------------------------------
    // Public client API

    fn public(&self, st: &mut Store, c: &Ctx<'_>, identifier: &str, rest: &[&str]) -> Answer {
        let inbox = st
            .inboxes
            .values()
            .find(|i| get_str(i, "inbox_identifier") == identifier)
            .cloned()
            .ok_or_else(|| not_found("Inbox"))?;
        let inbox_id = get_u64(&inbox, "id").unwrap_or(0);
        let account = get_u64(&inbox, "account_id").unwrap_or(0);
        let find_ci = |st: &Store, source: &str| {
            st.contact_inboxes
                .iter()
                .find(|ci| ci.inbox_id == inbox_id && ci.source_id == source)
                .cloned()
                .ok_or_else(|| not_found("Contact"))
        };
        let public_contact = |st: &Store, ci: &super::store::ContactInbox| {
            let contact = st.contacts.get(&ci.contact_id);
            json!({
                "id": ci.contact_id,
                "source_id": ci.source_id,
                "name": contact.and_then(|c| c.get("name")),
                "email": contact.and_then(|c| c.get("email")),
                "phone_number": contact.and_then(|c| c.get("phone_number")),
                "identifier": contact.and_then(|c| c.get("identifier")),
                "custom_attributes": contact.and_then(|c| c.get("custom_attributes")),
                "pubsub_token": ci.pubsub_token,
            })
        };
        let find_conv = |st: &Store, ci: &super::store::ContactInbox, conv: &str| {
            seg_id(conv)
                .filter(|cv| {
                    st.conversations.get(cv).is_some_and(|cv| {
                        get_u64(cv, "contact_id") == Some(ci.contact_id)
                            && get_u64(cv, "inbox_id") == Some(inbox_id)
                    })
                })
                .ok_or_else(|| not_found("Conversation"))
        };
        match (c.m(), rest) {
            ("GET", []) => ok(&json!({
                "identifier": identifier,
                "name": inbox.get("name"),
                "timezone": inbox.get("timezone").cloned().unwrap_or(json!("UTC")),
                "working_hours": (0..7).map(|day| json!({
                    "day_of_week": day,
                    "open_all_day": false,
                    "closed_all_day": day == 0 || day == 6,
                    "open_hour": if day == 0 || day == 6 { Value::Null } else { json!(9) },
                    "open_minutes": if day == 0 || day == 6 { Value::Null } else { json!(0) },
                    "close_hour": if day == 0 || day == 6 { Value::Null } else { json!(17) },
                    "close_minutes": if day == 0 || day == 6 { Value::Null } else { json!(0) },
                })).collect::<Vec<_>>(),
                "working_hours_enabled": inbox.get("working_hours_enabled"),
                "csat_survey_enabled": inbox.get("csat_survey_enabled"),
                "greeting_enabled": inbox.get("greeting_enabled"),
                "identity_validation_enabled": false,
            })),
            ("POST", ["contacts"]) => {
                let body = c.body()?;
                let input = Input::new(&body, false);
                let fields = contact_fields(st, account, &input, None)?;
                let id = st.next_id("contact");
                let mut contact = json!({
                    "id": id,
                    "account_id": account,
                    "name": "",
                    "email": null,
                    "phone_number": null,
                    "identifier": null,
                    "thumbnail": "",
                    "avatar_url": null,
                    "additional_attributes": {},
                    "custom_attributes": {},
                    "availability_status": "offline",
                    "blocked": false,
                    "created_at": unix_now(),
                    "last_activity_at": null,
                });
                merge(&mut contact, fields);
                st.contacts.insert(id, contact);
                let ci = st.ensure_contact_inbox(id, inbox_id, None);
                self.counters.created();
                ok(&public_contact(st, &ci))
            }
            ("GET", ["contacts", source]) => {
                let ci = find_ci(st, source)?;
                ok(&public_contact(st, &ci))
            }
            ("PATCH" | "PUT", ["contacts", source]) => {
                let ci = find_ci(st, source)?;
                let body = c.body()?;
                update_contact(st, account, ci.contact_id, &body)?;
                ok(&public_contact(st, &ci))
            }
            ("GET", ["contacts", source, "conversations"]) => {
                let ci = find_ci(st, source)?;
                let conversations: Vec<Value> = st
                    .conversations
                    .values()
                    .filter(|cv| {
                        get_u64(cv, "contact_id") == Some(ci.contact_id)
                            && get_u64(cv, "inbox_id") == Some(inbox_id)
                    })
                    .map(|cv| st.public_conversation_view(cv))
                    .collect();
                ok(&Value::Array(conversations))
            }
            ("POST", ["contacts", source, "conversations"]) => {
                let ci = find_ci(st, source)?;
                let body = c.body()?;
                let custom = Input::new(&body, false)
                    .object("custom_attributes")?
                    .unwrap_or_default();
                let id = new_conversation(
                    st,
                    account,
                    inbox_id,
                    ci.contact_id,
                    &ci.source_id,
                    "open",
                    Map::new(),
                    custom,
                );
                self.counters.created();
                ok(&st.public_conversation_view(&st.conversations[&id]))
            }
            ("GET", ["contacts", source, "conversations", conv, "messages"]) => {
                let ci = find_ci(st, source)?;
                let conv = find_conv(st, &ci, conv)?;
                let messages: Vec<Value> = st.messages_of(conv).map(public_message_view).collect();
                ok(&Value::Array(messages))
            }
            ("POST", ["contacts", source, "conversations", conv, "messages"]) => {
                let ci = find_ci(st, source)?;
                let conv = find_conv(st, &ci, conv)?;
                let body = c.body()?;
                let input = Input::new(&body, true);
                let content = input.required_str("content")?;
                let echo_id = input.str("echo_id")?;
                let sender = st.contact_sender(ci.contact_id);
                let message = st.add_message(
                    conv,
                    content,
                    "incoming",
                    "text",
                    Map::new(),
                    false,
                    sender,
                    echo_id,
                );
                self.counters.created();
                ok(&public_message_view(&message))
            }
            (
                "PATCH" | "PUT",
                [
                    "contacts",
                    source,
                    "conversations",
                    conv,
                    "messages",
                    message,
                ],
            ) => {
                let ci = find_ci(st, source)?;
                let conv = find_conv(st, &ci, conv)?;
                let message = id(message, "Message")?;
                let body = c.body()?;
                let submitted = body
                    .get("submitted_values")
                    .cloned()
                    .ok_or_else(|| blank("submitted_values"))?;
                let record = st
                    .messages
                    .get_mut(&(conv, message))
                    .ok_or_else(|| not_found("Message"))?;
                if let Some(Value::Object(attributes)) = record.get_mut("content_attributes") {
                    attributes.insert("submitted_values".into(), submitted);
                } else {
                    merge(
                        record,
                        json_map(json!({"content_attributes": {"submitted_values": submitted}})),
                    );
                }
                ok(&public_message_view(record))
            }
            _ => Err(route_not_found()),
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum MemberSet {
    Inbox,
    Team,
}

fn survey_page(uuid: &str) -> Response {
    let uuid: String = uuid
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Rate your conversation</title></head>\
         <body><main data-conversation-uuid=\"{uuid}\"><h1>How was your conversation?</h1>\
         <form method=\"post\"><label><input type=\"radio\" name=\"rating\" value=\"1\">1</label>\
         <label><input type=\"radio\" name=\"rating\" value=\"5\">5</label>\
         <textarea name=\"feedback_message\"></textarea><button>Send</button></form></main></body></html>\n"
    );
    let mut response = Response::new(axum::body::Body::from(html));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

fn find_inbox(st: &Store, account: u64, segment: &str) -> Result<u64, Fail> {
    let inbox = id(segment, "Inbox")?;
    st.inboxes
        .get(&inbox)
        .filter(|i| get_u64(i, "account_id") == Some(account))
        .map(|_| inbox)
        .ok_or_else(|| not_found("Inbox"))
}

fn find_contact(st: &Store, account: u64, segment: &str) -> Result<u64, Fail> {
    let contact = id(segment, "Contact")?;
    st.contacts
        .get(&contact)
        .filter(|c| get_u64(c, "account_id") == Some(account))
        .map(|_| contact)
        .ok_or_else(|| not_found("Contact"))
}

fn find_conversation(st: &Store, account: u64, segment: &str) -> Result<u64, Fail> {
    let conversation = id(segment, "Conversation")?;
    st.conversations
        .get(&conversation)
        .filter(|c| get_u64(c, "account_id") == Some(account))
        .map(|_| conversation)
        .ok_or_else(|| not_found("Conversation"))
}

fn inbox_agents(st: &Store, account: u64, inbox: u64) -> Vec<Value> {
    st.inbox_members
        .range((inbox, 0)..=(inbox, u64::MAX))
        .filter_map(|(_, u)| st.agent_view(account, *u))
        .collect()
}

fn set_conversation(st: &mut Store, conversation: u64, patch: Value) {
    if let Some(record) = st.conversations.get_mut(&conversation) {
        merge(record, json_map(patch));
        merge(record, json_map(json!({"updated_at": unix_now()})));
    }
}

#[allow(clippy::too_many_arguments)]
fn new_conversation(
    st: &mut Store,
    account: u64,
    inbox: u64,
    contact: u64,
    source_id: &str,
    status: &str,
    additional: Map<String, Value>,
    custom: Map<String, Value>,
) -> u64 {
    let id = st.next_id("conversation");
    let now = unix_now();
    st.conversations.insert(
        id,
        json!({
            "id": id,
            "uuid": crate::http::random_uuid(),
            "account_id": account,
            "inbox_id": inbox,
            "contact_id": contact,
            "contact_inbox": {"source_id": source_id},
            "status": status,
            "priority": null,
            "assignee_id": null,
            "team_id": null,
            "labels": [],
            "additional_attributes": additional,
            "custom_attributes": custom,
            "can_reply": true,
            "muted": false,
            "snoozed_until": null,
            "unread_count": 0,
            "agent_last_seen_at": 0,
            "contact_last_seen_at": 0,
            "created_at": now,
            "updated_at": now,
            "timestamp": now,
            "last_activity_at": now,
        }),
    );
    if let Some(Value::Object(contact)) = st.contacts.get_mut(&contact) {
        contact.insert("last_activity_at".into(), json!(now));
    }
    id
}

/// Conversations of `account` matching the list filters (all but `assignee_type`).
fn conversations_matching<'s>(st: &'s Store, account: u64, query: &Query) -> Vec<&'s Value> {
    let status = query.get("status").unwrap_or("open");
    let inbox = query.get("inbox_id").and_then(seg_id);
    let team = query.get("team_id").and_then(seg_id);
    let labels: Vec<&str> = query
        .get("labels")
        .map(|l| {
            l.split(',')
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let q = query.get("q").map(str::to_lowercase);
    st.conversations
        .values()
        .filter(|cv| get_u64(cv, "account_id") == Some(account))
        .filter(|cv| status == "all" || get_str(cv, "status") == status)
        .filter(|cv| inbox.is_none_or(|i| get_u64(cv, "inbox_id") == Some(i)))
        .filter(|cv| team.is_none_or(|t| get_u64(cv, "team_id") == Some(t)))
        .filter(|cv| {
            labels.iter().all(|label| {
                cv.get("labels")
                    .and_then(Value::as_array)
                    .is_some_and(|have| have.iter().any(|h| h.as_str() == Some(label)))
            })
        })
        .filter(|cv| {
            q.as_ref().is_none_or(|q| {
                let id = get_u64(cv, "id").unwrap_or(0);
                st.messages_of(id)
                    .any(|m| get_str(m, "content").to_lowercase().contains(q.as_str()))
            })
        })
        .collect()
}

fn sort_contacts(contacts: &mut [&Value], sort: Option<&str>) {
    let Some(sort) = sort else {
        return;
    };
    let (key, descending) = match sort.strip_prefix('-') {
        Some(key) => (key, true),
        None => (sort, false),
    };
    if ![
        "name",
        "email",
        "phone_number",
        "last_activity_at",
        "created_at",
    ]
    .contains(&key)
    {
        return;
    }
    contacts.sort_by(|a, b| {
        let ordering = match (a.get(key), b.get(key)) {
            (Some(Value::Number(x)), Some(Value::Number(y))) => x
                .as_f64()
                .partial_cmp(&y.as_f64())
                .unwrap_or(std::cmp::Ordering::Equal),
            _ => get_str(a, key)
                .to_lowercase()
                .cmp(&get_str(b, key).to_lowercase()),
        };
        if descending {
            ordering.reverse()
        } else {
            ordering
        }
    });
}

fn contact_page(st: &Store, contacts: &[&Value], page: usize) -> Answer {
    let payload: Vec<Value> = page_of(contacts, page)
        .into_iter()
        .map(|ct| st.contact_flat(ct))
        .collect();
    ok(&json!({
        "meta": {"count": contacts.len(), "current_page": page},
        "payload": payload,
    }))
}

/// Validated contact fields from a create or update body.
fn contact_fields(
    st: &Store,
    account: u64,
    input: &Input<'_>,
    except: Option<u64>,
) -> Result<Map<String, Value>, Fail> {
    let mut out = Map::new();
    if let Some(name) = input.str("name")? {
        out.insert("name".into(), json!(name));
    }
    if let Some(email) = input.str("email")? {
        if !email.is_empty() {
            check_email("email", &email)?;
            if !email_is_free_for_contact(st, account, &email, except) {
                return Err(invalid("email", "Email has already been taken"));
            }
        }
        out.insert("email".into(), json!(email));
    }
    if let Some(phone) = input.str("phone_number")? {
        if !phone.is_empty() {
            check_phone(&phone)?;
        }
        out.insert("phone_number".into(), json!(phone));
    }
    if let Some(identifier) = input.str("identifier")? {
        let taken = !identifier.is_empty()
            && st.contacts.values().any(|c| {
                get_u64(c, "account_id") == Some(account)
                    && get_u64(c, "id") != except
                    && get_str(c, "identifier") == identifier
            });
        if taken {
            return Err(invalid("identifier", "Identifier has already been taken"));
        }
        out.insert("identifier".into(), json!(identifier));
    }
    if let Some(url) = input.str("avatar_url")? {
        out.insert("avatar_url".into(), json!(url.clone()));
        out.insert("thumbnail".into(), json!(url));
    }
    if let Some(custom) = input.object("custom_attributes")? {
        out.insert("custom_attributes".into(), Value::Object(custom));
    }
    if let Some(additional) = input.object("additional_attributes")? {
        out.insert("additional_attributes".into(), Value::Object(additional));
    }
    if let Some(blocked) = input.bool("blocked")? {
        out.insert("blocked".into(), json!(blocked));
    }
    Ok(out)
}

/// Applies an update body to a contact; custom and additional attributes are merged.
fn update_contact(
    st: &mut Store,
    account: u64,
    contact: u64,
    body: &Map<String, Value>,
) -> Result<(), Fail> {
    let input = Input::new(body, false);
    let mut fields = contact_fields(st, account, &input, Some(contact))?;
    let record = st
        .contacts
        .get_mut(&contact)
        .ok_or_else(|| not_found("Contact"))?;
    for key in ["custom_attributes", "additional_attributes"] {
        if let Some(Value::Object(new)) = fields.remove(key) {
            let mut merged = record
                .get(key)
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            merged.extend(new);
            fields.insert(key.into(), Value::Object(merged));
        }
    }
    merge(record, fields);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Reports (v2)

const DAY: i64 = 86_400;

fn reports(st: &Store, c: &Ctx<'_>, account: u64, rest: &[&str]) -> Answer {
    let q = &c.query;
    let report_type = q.get("type").unwrap_or("account");
    if !["account", "agent", "inbox", "label", "team"].contains(&report_type) {
        return Err(invalid(
            "type",
            "type must be one of account, agent, inbox, label, team",
        ));
    }
    let subject = q.get("id").map(str::to_owned);
    let until = q
        .get("until")
        .and_then(|u| u.parse::<i64>().ok())
        .unwrap_or_else(unix_now);
    let since = q
        .get("since")
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or(until - 7 * DAY);
    let in_scope = |cv: &&Value| -> bool {
        if get_u64(cv, "account_id") != Some(account) {
            return false;
        }
        let Some(subject) = &subject else {
            return true;
        };
        match report_type {
            "agent" => get_u64(cv, "assignee_id").map(|a| a.to_string()).as_ref() == Some(subject),
            "inbox" => get_u64(cv, "inbox_id").map(|a| a.to_string()).as_ref() == Some(subject),
            "team" => get_u64(cv, "team_id").map(|a| a.to_string()).as_ref() == Some(subject),
            "label" => cv
                .get("labels")
                .and_then(Value::as_array)
                .is_some_and(|l| l.iter().any(|x| x.as_str() == Some(subject.as_str()))),
            _ => true,
        }
    };
    let conversations: Vec<&Value> = st.conversations.values().filter(in_scope).collect();
    let created = |cv: &Value| cv.get("created_at").and_then(Value::as_i64).unwrap_or(0);
    let count_metric = |metric: &str, from: i64, to: i64| -> usize {
        match metric {
            "conversations_count" => conversations
                .iter()
                .filter(|cv| (from..to).contains(&created(cv)))
                .count(),
            "resolutions_count" => conversations
                .iter()
                .filter(|cv| get_str(cv, "status") == "resolved")
                .filter(|cv| {
                    (from..to).contains(&cv.get("updated_at").and_then(Value::as_i64).unwrap_or(0))
                })
                .count(),
            "incoming_messages_count" | "outgoing_messages_count" => {
                let wanted = if metric.starts_with("incoming") {
                    "incoming"
                } else {
                    "outgoing"
                };
                conversations
                    .iter()
                    .flat_map(|cv| st.messages_of(get_u64(cv, "id").unwrap_or(0)))
                    .filter(|m| get_str(m, "message_type") == wanted)
                    .filter(|m| {
                        (from..to)
                            .contains(&m.get("created_at").and_then(Value::as_i64).unwrap_or(0))
                    })
                    .count()
            }
            _ => 0,
        }
    };
    match rest {
        [] => {
            const METRICS: &[&str] = &[
                "conversations_count",
                "incoming_messages_count",
                "outgoing_messages_count",
                "avg_first_response_time",
                "avg_resolution_time",
                "resolutions_count",
            ];
            let metric = q.get("metric").unwrap_or("conversations_count");
            if !METRICS.contains(&metric) {
                return Err(invalid(
                    "metric",
                    format!("metric must be one of {}", METRICS.join(", ")),
                ));
            }
            let start = since - since.rem_euclid(DAY);
            let days = ((until - start) / DAY + 1).clamp(1, 400);
            let points: Vec<Value> = (0..days)
                .map(|d| {
                    let from = start + d * DAY;
                    json!({
                        "value": count_metric(metric, from, from + DAY).to_string(),
                        "timestamp": from,
                    })
                })
                .collect();
            ok(&Value::Array(points))
        }
        ["summary"] => {
            let span = (until - since).max(1);
            let summary = |from: i64, to: i64| {
                json!({
                    "avg_first_response_time": "0",
                    "avg_resolution_time": "0",
                    "conversations_count": count_metric("conversations_count", from, to),
                    "incoming_messages_count": count_metric("incoming_messages_count", from, to),
                    "outgoing_messages_count": count_metric("outgoing_messages_count", from, to),
                    "resolutions_count": count_metric("resolutions_count", from, to),
                })
            };
            let mut current = summary(since, until + 1);
            merge(
                &mut current,
                json_map(json!({"previous": summary(since - span, since)})),
            );
            ok(&current)
        }
        ["conversations"] if !c.trailing_slash => {
            let open: Vec<&&Value> = conversations
                .iter()
                .filter(|cv| get_str(cv, "status") == "open")
                .collect();
            let unattended = open
                .iter()
                .filter(|cv| {
                    !st.messages_of(get_u64(cv, "id").unwrap_or(0))
                        .any(|m| get_str(m, "message_type") == "outgoing")
                })
                .count();
            let unassigned = open
                .iter()
                .filter(|cv| get_u64(cv, "assignee_id").is_none())
                .count();
            ok(&json!({"open": open.len(), "unattended": unattended, "unassigned": unassigned}))
        }
        ["conversations"] => {
            let wanted = q.get("user_id").and_then(seg_id);
            let agents: Vec<Value> = st
                .members
                .keys()
                .filter(|(a, u)| *a == account && wanted.is_none_or(|w| w == *u))
                .filter_map(|(_, user)| {
                    let agent = st.agent_view(account, *user)?;
                    let mine: Vec<&&Value> = conversations
                        .iter()
                        .filter(|cv| {
                            get_u64(cv, "assignee_id") == Some(*user)
                                && get_str(cv, "status") == "open"
                        })
                        .collect();
                    let unattended = mine
                        .iter()
                        .filter(|cv| {
                            !st.messages_of(get_u64(cv, "id").unwrap_or(0))
                                .any(|m| get_str(m, "message_type") == "outgoing")
                        })
                        .count();
                    Some(json!({
                        "id": user,
                        "name": agent.get("name"),
                        "email": agent.get("email"),
                        "thumbnail": "",
                        "availability": agent.get("availability_status"),
                        "metric": {"open": mine.len(), "unattended": unattended},
                    }))
                })
                .collect();
            ok(&Value::Array(agents))
        }
        _ => Err(route_not_found()),
    }
}
