//! Request routing and handlers of the Konverte sandbox: `dispatch` authenticates and counts,
//! `route` hands each resource group to its module; what no module serves goes to the generic
//! tier.

mod agents;
mod announce;
mod contact_avatar;
mod contacts;
mod conversation_actions;
mod conversation_edits;
mod conversations;
mod csat_survey;
mod filter;
mod help_center;
mod hooks;
mod inboxes;
mod message_edits;
mod messages;
mod owner;
mod platform;
mod public;
mod reports;
mod settings;
mod teams;

use contacts::find_contact;
use conversations::page_of;
use inboxes::{MemberSet, find_inbox};
use public::survey_page;
use reports::reports;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::deliver::{self, DeliveryLog, WebhookDelivery};
use super::records::{self, APPS};
use super::store::{
    CURRENT_USER, INCOMING_ONLY_IN_API_INBOXES, Input, Kind, Member, PAGE_SIZE, Raised, Store,
    account_record, bad_request, blank, check_email, check_password, email_is_free_for_contact,
    get_str, get_u64, inbox_record, invalid, json_map, merge, not_found,
    permitted_submitted_values, public_message_view, rails_time, user_record, webhook_sendable,
};
use crate::generic::{Call, Generic, Style, Upload, parse_form};
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
    pub(crate) store: Mutex<Store>,
    token: String,
    base_url: String,
    pub(crate) counters: Arc<Counters>,
    pub(crate) generic: Generic,
    hooks: reqwest::Client,
    deliveries: DeliveryLog,
}

/// One request, decoded.
struct Ctx<'a> {
    method: &'a Method,
    trailing_slash: bool,
    query: Query,
    body: &'a [u8],
    content_type: &'a str,
}

impl Ctx<'_> {
    fn body(&self) -> Result<Map<String, Value>, Fail> {
        parse_object(self.body).map_err(bad_request)
    }

    /// The body's fields and its files: a JSON object has none, a multipart form (Rails'
    /// `params` read the same from both) may have several.
    fn form(&self) -> Result<(Map<String, Value>, Vec<Upload>), Fail> {
        if self.content_type.starts_with("multipart/form-data") {
            return parse_form(self.content_type, self.body)
                .ok_or_else(|| bad_request("The multipart body could not be read"));
        }
        Ok((self.body()?, Vec::new()))
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
    app.announce(&parts.method, parts.uri.path(), response)
        .await
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
            deliveries: DeliveryLog::default(),
            hooks: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(5))
                .no_proxy()
                .build()
                .unwrap_or_default(),
        }
    }

    /// The account of the inbox a public route names by its `inbox_identifier`.
    fn account_of_inbox_identifier(&self, identifier: &str) -> Option<u64> {
        lock(&self.store)
            .inboxes
            .values()
            .find(|i| get_str(i, "inbox_identifier") == identifier)
            .and_then(|i| get_u64(i, "account_id"))
    }

    /// The webhook deliveries made so far.
    pub(crate) fn webhook_deliveries(&self) -> Vec<WebhookDelivery> {
        lock(&self.deliveries).clone()
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
            store.put_contact(
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
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let ctx = Ctx {
            method,
            trailing_slash: path.len() > 1 && path.ends_with('/'),
            query: Query::parse(query),
            body,
            content_type,
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
                    content_type,
                    base: &self.base_url,
                    owner: &|collection, segment| {
                        owner::owns(&lock(&self.store), collection, segment)
                    },
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
            ["public", "api", "v1", "csat_survey", uuid] => self.csat_survey(st, c, uuid),
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

    fn account(&self, st: &mut Store, c: &Ctx<'_>, account: u64, rest: &[&str]) -> Answer {
        match rest.first().copied() {
            Some("agent_bots") => self.agent_bots(st, c, account, rest),
            Some("agents") => self.agents(st, c, account, rest),
            Some(
                "canned_responses"
                | "custom_attribute_definitions"
                | "custom_filters"
                | "automation_rules",
            ) => self.settings(st, c, account, rest),
            Some("webhooks") => self.webhooks(st, c, account, rest),
            Some("integrations") => self.integrations(st, c, account, rest),
            Some("portals") => self.portals(st, c, account, rest),
            Some("teams") => self.teams(st, c, account, rest),
            Some("inboxes") => self.inboxes(st, c, account, rest),
            // notifications_controller.rb#unread_count renders the bare number; the sandbox
            // raises no notifications, so there are none to count.
            Some("notifications")
                if c.m() == "GET" && rest == ["notifications", "unread_count"] =>
            {
                ok(&json!(0))
            }
            Some("inbox_members") => self.inbox_members(st, c, account, rest),
            Some("contacts") => match rest {
                [_, _, "labels"] => self.labels(st, c, account, rest),
                [_, "search" | "filter"] => self.contact_lists(st, c, account, rest),
                [_] if c.m() == "GET" => self.contact_lists(st, c, account, rest),
                _ => self.contact_records(st, c, account, rest),
            },
            Some("conversations") => match rest {
                [_, "meta" | "filter"] => self.conversation_lists(st, c, account, rest),
                [_] if c.m() == "GET" => self.conversation_lists(st, c, account, rest),
                [_, _, "labels"] => self.labels(st, c, account, rest),
                [_, conversation, "attachments"] if c.m() == "GET" => {
                    self.conversation_attachments(st, account, conversation)
                }
                [_, _, "messages", ..] => self.messages(st, c, account, rest),
                [_, conversation] if c.m() == "DELETE" => {
                    self.delete_conversation(st, account, conversation)
                }
                _ => self.conversation_records(st, c, account, rest),
            },
            _ => Err(route_not_found()),
        }
    }
}
