//! The Konverte sandbox's in-memory data and the JSON views of it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use crate::http::{Fail, as_bool, as_id, looks_like_email, random_hex, unix_now};

/// The user every authenticated request acts as.
pub(crate) const CURRENT_USER: u64 = 1;
/// `inbox_identifier` of the seeded inbox.
pub(crate) const SEED_INBOX_IDENTIFIER: &str = crate::seed::KONVERTE_INBOX_IDENTIFIER;
/// Page size of paged Konverte lists.
pub(crate) const PAGE_SIZE: usize = 15;

/// Collections of plain records that share one create/get/update/delete implementation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    PlatformBot,
    AccountBot,
    Team,
    Canned,
    CustomAttribute,
    CustomFilter,
    Webhook,
    AutomationRule,
    IntegrationHook,
    Portal,
    Category,
    Article,
}

impl Kind {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Kind::PlatformBot | Kind::AccountBot => "Agent bot",
            Kind::Team => "Team",
            Kind::Canned => "Canned response",
            Kind::CustomAttribute => "Custom attribute",
            Kind::CustomFilter => "Custom filter",
            Kind::Webhook => "Webhook",
            Kind::AutomationRule => "Automation rule",
            Kind::IntegrationHook => "Integration hook",
            Kind::Portal => "Portal",
            Kind::Category => "Category",
            Kind::Article => "Article",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Kind::PlatformBot | Kind::AccountBot => "agent_bot",
            Kind::Team => "team",
            Kind::Canned => "canned_response",
            Kind::CustomAttribute => "custom_attribute",
            Kind::CustomFilter => "custom_filter",
            Kind::Webhook => "webhook",
            Kind::AutomationRule => "automation_rule",
            Kind::IntegrationHook => "integration_hook",
            Kind::Portal => "portal",
            Kind::Category => "category",
            Kind::Article => "article",
        }
    }
}

/// A user's membership in an account.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub(crate) role: String,
    pub(crate) availability: String,
    pub(crate) auto_offline: bool,
}

/// A contact's presence in an inbox (its `source_id` identifies it in the public API).
#[derive(Debug, Clone)]
pub(crate) struct ContactInbox {
    pub(crate) contact_id: u64,
    pub(crate) inbox_id: u64,
    pub(crate) source_id: String,
    pub(crate) pubsub_token: String,
}

#[derive(Debug, Default)]
pub(crate) struct Store {
    next: HashMap<&'static str, u64>,
    pub(crate) users: BTreeMap<u64, Value>,
    pub(crate) accounts: BTreeMap<u64, Value>,
    pub(crate) members: BTreeMap<(u64, u64), Member>,
    pub(crate) inboxes: BTreeMap<u64, Value>,
    pub(crate) inbox_members: BTreeSet<(u64, u64)>,
    pub(crate) inbox_bots: HashMap<u64, u64>,
    pub(crate) contacts: BTreeMap<u64, Value>,
    pub(crate) contact_inboxes: Vec<ContactInbox>,
    pub(crate) conversations: BTreeMap<u64, Value>,
    pub(crate) messages: BTreeMap<(u64, u64), Value>,
    pub(crate) team_members: BTreeSet<(u64, u64)>,
    pub(crate) records: HashMap<Kind, BTreeMap<u64, Value>>,
}

// ---------------------------------------------------------------------------------------------
// Errors in the Konverte style

pub(crate) fn not_found(what: &str) -> Fail {
    Fail::new(
        StatusCode::NOT_FOUND,
        json!({"error": format!("{what} not found")}),
    )
}

pub(crate) fn invalid(field: &str, message: impl Into<String>) -> Fail {
    let message = message.into();
    Fail::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({
            "message": message,
            "attributes": [field],
            "errors": [{"field": field, "message": message, "code": "invalid"}],
        }),
    )
}

pub(crate) fn blank(field: &str) -> Fail {
    invalid(field, format!("{} can't be blank", humanize(field)))
}

pub(crate) fn bad_request(message: impl Into<String>) -> Fail {
    let message = message.into();
    Fail::new(
        StatusCode::BAD_REQUEST,
        json!({
            "description": message,
            "errors": [{"field": "body", "message": message, "code": "bad_request"}],
        }),
    )
}

fn humanize(field: &str) -> String {
    let spaced = field.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Reading request bodies

/// Typed access to a request body; `creating` makes required fields mandatory.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Input<'a> {
    pub(crate) body: &'a Map<String, Value>,
    pub(crate) creating: bool,
}

impl<'a> Input<'a> {
    pub(crate) fn new(body: &'a Map<String, Value>, creating: bool) -> Self {
        Self { body, creating }
    }

    pub(crate) fn has(&self, key: &str) -> bool {
        self.body.get(key).is_some_and(|v| !v.is_null())
    }

    pub(crate) fn raw(&self, key: &str) -> Option<&'a Value> {
        self.body.get(key).filter(|v| !v.is_null())
    }

    /// A string field (numbers and booleans are accepted and rendered as text).
    pub(crate) fn str(&self, key: &str) -> Result<Option<String>, Fail> {
        match self.raw(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(_) => Err(invalid(key, format!("{} must be a string", humanize(key)))),
        }
    }

    /// A string that must not be blank: required when creating, non-empty when given.
    pub(crate) fn required_str(&self, key: &str) -> Result<Option<String>, Fail> {
        match self.str(key)? {
            Some(s) if !s.trim().is_empty() => Ok(Some(s)),
            Some(_) => Err(blank(key)),
            None if self.creating || self.body.contains_key(key) => Err(blank(key)),
            None => Ok(None),
        }
    }

    pub(crate) fn bool(&self, key: &str) -> Result<Option<bool>, Fail> {
        match self.raw(key) {
            None => Ok(None),
            Some(v) => as_bool(v)
                .map(Some)
                .ok_or_else(|| invalid(key, format!("{} must be true or false", humanize(key)))),
        }
    }

    pub(crate) fn id(&self, key: &str) -> Result<Option<u64>, Fail> {
        match self.raw(key) {
            None => Ok(None),
            Some(v) => as_id(v)
                .map(Some)
                .ok_or_else(|| invalid(key, format!("{} must be a numeric id", humanize(key)))),
        }
    }

    pub(crate) fn required_id(&self, key: &str) -> Result<u64, Fail> {
        self.id(key)?.ok_or_else(|| blank(key))
    }

    pub(crate) fn int(&self, key: &str) -> Result<Option<i64>, Fail> {
        match self.raw(key) {
            None => Ok(None),
            Some(v) => v
                .as_i64()
                .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
                .map(Some)
                .ok_or_else(|| invalid(key, format!("{} must be an integer", humanize(key)))),
        }
    }

    /// A field that must be a JSON object when present.
    pub(crate) fn object(&self, key: &str) -> Result<Option<Map<String, Value>>, Fail> {
        match self.raw(key) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(map.clone())),
            Some(_) => Err(invalid(
                key,
                format!("{} must be a JSON object", humanize(key)),
            )),
        }
    }

    pub(crate) fn array(&self, key: &str) -> Result<Option<Vec<Value>>, Fail> {
        match self.raw(key) {
            None => Ok(None),
            Some(Value::Array(items)) => Ok(Some(items.clone())),
            Some(_) => Err(invalid(key, format!("{} must be an array", humanize(key)))),
        }
    }

    /// An array of ids (`[1, 2]` or `"1,2"`).
    pub(crate) fn ids(&self, key: &str) -> Result<Option<Vec<u64>>, Fail> {
        let bad = || {
            invalid(
                key,
                format!("{} must be a list of numeric ids", humanize(key)),
            )
        };
        match self.raw(key) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| as_id(v).ok_or_else(bad))
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(Value::String(s)) => s
                .split(',')
                .filter(|p| !p.trim().is_empty())
                .map(|p| p.trim().parse::<u64>().map_err(|_| bad()))
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(v) => as_id(v).map(|id| Some(vec![id])).ok_or_else(bad),
        }
    }

    /// A string restricted to `allowed` values.
    pub(crate) fn choice(&self, key: &str, allowed: &[&str]) -> Result<Option<String>, Fail> {
        match self.str(key)? {
            None => Ok(None),
            Some(s) if allowed.contains(&s.as_str()) => Ok(Some(s)),
            Some(s) => Err(invalid(
                key,
                format!(
                    "{} '{s}' is not valid; use one of: {}",
                    humanize(key),
                    allowed.join(", ")
                ),
            )),
        }
    }
}

/// The password rule of the real server: at least 6 characters (Devise's default length, 6..128) with an upper-case letter, a
/// lower-case letter, a digit and a special character.
pub(crate) fn check_password(password: &str) -> Result<(), Fail> {
    let mut missing = Vec::new();
    if password.chars().count() < 6 {
        missing.push("at least 6 characters");
    }
    if !password.chars().any(char::is_uppercase) {
        missing.push("an uppercase letter");
    }
    if !password.chars().any(char::is_lowercase) {
        missing.push("a lowercase letter");
    }
    if !password.chars().any(|c| c.is_ascii_digit()) {
        missing.push("a number");
    }
    if !password.chars().any(|c| !c.is_alphanumeric()) {
        missing.push("a special character");
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(invalid(
            "password",
            format!(
                "Password is too weak: it must contain {}",
                missing.join(", ")
            ),
        ))
    }
}

pub(crate) fn check_email(field: &str, email: &str) -> Result<(), Fail> {
    if looks_like_email(email) {
        Ok(())
    } else {
        Err(invalid(field, format!("{} is invalid", humanize(field))))
    }
}

/// Merges `patch` into the JSON object `target`.
pub(crate) fn merge(target: &mut Value, patch: Map<String, Value>) {
    if let Value::Object(map) = target {
        map.extend(patch);
    }
}

pub(crate) fn get_u64(value: &Value, key: &str) -> Option<u64> {
    value.get(key).and_then(as_id)
}

pub(crate) fn get_str<'v>(value: &'v Value, key: &str) -> &'v str {
    value.get(key).and_then(Value::as_str).unwrap_or("")
}

// ---------------------------------------------------------------------------------------------
// The store

impl Store {
    pub(crate) fn new(seed: bool) -> Self {
        let mut store = Self::default();
        if seed {
            store.seed();
        }
        store
    }

    fn seed(&mut self) {
        let account = self.next_id("account");
        self.accounts
            .insert(account, account_record(account, "Sandbox Co"));
        let user = self.next_id("user");
        self.users.insert(
            user,
            user_record(user, "Sandbox Admin", "admin@sandbox.test", Map::new()),
        );
        self.members.insert(
            (account, user),
            Member {
                role: "administrator".to_owned(),
                availability: "online".to_owned(),
                auto_offline: true,
            },
        );
        let inbox = self.next_id("inbox");
        self.inboxes.insert(
            inbox,
            inbox_record(
                inbox,
                account,
                "Sandbox Website",
                "api",
                SEED_INBOX_IDENTIFIER,
                &Map::new(),
            ),
        );
        self.inbox_members.insert((inbox, user));
    }

    pub(crate) fn next_id(&mut self, key: &'static str) -> u64 {
        let next = self.next.entry(key).or_insert(0);
        *next += 1;
        *next
    }

    pub(crate) fn next_kind_id(&mut self, kind: Kind) -> u64 {
        self.next_id(kind.key())
    }

    pub(crate) fn records(&mut self, kind: Kind) -> &mut BTreeMap<u64, Value> {
        self.records.entry(kind).or_default()
    }

    pub(crate) fn records_ref(&self, kind: Kind) -> impl Iterator<Item = &Value> {
        self.records.get(&kind).into_iter().flat_map(|m| m.values())
    }

    /// Records of `kind` in account `account`.
    pub(crate) fn in_account(&self, kind: Kind, account: u64) -> Vec<&Value> {
        self.records_ref(kind)
            .filter(|r| get_u64(r, "account_id") == Some(account))
            .collect()
    }

    pub(crate) fn record(&self, kind: Kind, id: u64) -> Option<&Value> {
        self.records.get(&kind).and_then(|m| m.get(&id))
    }

    pub(crate) fn check_account(&self, account: u64) -> Result<(), Fail> {
        if self.accounts.contains_key(&account) {
            Ok(())
        } else {
            Err(not_found("Account"))
        }
    }

    pub(crate) fn is_agent(&self, account: u64, user: u64) -> bool {
        self.members.contains_key(&(account, user))
    }

    pub(crate) fn email_taken(&self, email: &str, except: Option<u64>) -> bool {
        self.users
            .values()
            .any(|u| get_str(u, "email").eq_ignore_ascii_case(email) && get_u64(u, "id") != except)
    }

    // --- views ------------------------------------------------------------------------------

    /// A platform user with their accounts.
    pub(crate) fn user_view(&self, user: &Value) -> Value {
        let id = get_u64(user, "id").unwrap_or(0);
        let memberships: Vec<(u64, &Member)> = self
            .members
            .iter()
            .filter(|((_, u), _)| *u == id)
            .map(|((a, _), m)| (*a, m))
            .collect();
        let accounts: Vec<Value> = memberships
            .iter()
            .map(|(a, m)| {
                json!({
                    "id": a,
                    "name": self.accounts.get(a).map(|acc| get_str(acc, "name")).unwrap_or(""),
                    "role": m.role,
                    "status": "active",
                    "availability": m.availability,
                    "auto_offline": m.auto_offline,
                })
            })
            .collect();
        let mut view = user.clone();
        let first = memberships.first();
        merge(
            &mut view,
            json_map(json!({
                "account_id": first.map(|(a, _)| *a),
                "role": first.map(|(_, m)| m.role.clone()),
                "availability_status": first.map(|(_, m)| m.availability.clone()).unwrap_or_else(|| "offline".to_owned()),
                "accounts": accounts,
            })),
        );
        view
    }

    /// A user as an agent of `account`.
    pub(crate) fn agent_view(&self, account: u64, user_id: u64) -> Option<Value> {
        let user = self.users.get(&user_id)?;
        let member = self.members.get(&(account, user_id))?;
        Some(json!({
            "id": user_id,
            "uid": user.get("uid"),
            "name": user.get("name"),
            "available_name": user.get("available_name"),
            "display_name": user.get("display_name"),
            "email": user.get("email"),
            "account_id": account,
            "role": member.role,
            "confirmed": true,
            "availability_status": member.availability,
            "auto_offline": member.auto_offline,
            "custom_attributes": user.get("custom_attributes").cloned().unwrap_or_else(|| json!({})),
            "thumbnail": "",
        }))
    }

    pub(crate) fn inbox_view(&self, inbox: &Value) -> Value {
        let mut view = inbox.clone();
        let id = get_u64(inbox, "id").unwrap_or(0);
        if let Value::Object(map) = &mut view {
            map.insert(
                "agent_bot_id".to_owned(),
                json!(self.inbox_bots.get(&id).copied()),
            );
        }
        view
    }

    /// A contact with its contact inboxes (the list-item shape).
    pub(crate) fn contact_flat(&self, contact: &Value) -> Value {
        let id = get_u64(contact, "id").unwrap_or(0);
        let inboxes: Vec<Value> = self
            .contact_inboxes
            .iter()
            .filter(|ci| ci.contact_id == id)
            .map(|ci| self.contact_inbox_view(ci))
            .collect();
        let mut view = contact.clone();
        if let Value::Object(map) = &mut view {
            map.insert("contact_inboxes".to_owned(), Value::Array(inboxes));
        }
        view
    }

    pub(crate) fn contact_inbox_view(&self, ci: &ContactInbox) -> Value {
        json!({
            "source_id": ci.source_id,
            "inbox": self.inboxes.get(&ci.inbox_id).map(|i| self.inbox_view(i)),
        })
    }

    /// A single contact: the flat contact, plus `payload` holding the flat fields, `contact`
    /// and `contact_inbox` (covers the documented and the real server's shapes).
    pub(crate) fn contact_single(&self, contact: &Value) -> Value {
        let flat = self.contact_flat(contact);
        let id = get_u64(contact, "id").unwrap_or(0);
        let contact_inbox = self
            .contact_inboxes
            .iter()
            .find(|ci| ci.contact_id == id)
            .map(|ci| self.contact_inbox_view(ci));
        let mut payload = flat.clone();
        if let Value::Object(map) = &mut payload {
            map.insert("contact".to_owned(), flat.clone());
            map.insert("contact_inbox".to_owned(), json!(contact_inbox));
        }
        let mut view = flat;
        if let Value::Object(map) = &mut view {
            map.insert("payload".to_owned(), payload);
        }
        view
    }

    pub(crate) fn team_view(&self, team: &Value) -> Value {
        let id = get_u64(team, "id").unwrap_or(0);
        let mut view = team.clone();
        if let Value::Object(map) = &mut view {
            map.insert(
                "is_member".to_owned(),
                json!(self.team_members.contains(&(id, CURRENT_USER))),
            );
        }
        view
    }

    pub(crate) fn portal_view(&self, portal: &Value) -> Value {
        let id = get_u64(portal, "id");
        let children = |kind| -> Vec<Value> {
            self.records_ref(kind)
                .filter(|r| get_u64(r, "portal_id") == id)
                .cloned()
                .collect()
        };
        let mut view = portal.clone();
        if let Value::Object(map) = &mut view {
            map.insert(
                "categories".to_owned(),
                Value::Array(children(Kind::Category)),
            );
            map.insert("articles".to_owned(), Value::Array(children(Kind::Article)));
        }
        view
    }

    pub(crate) fn messages_of(&self, conversation: u64) -> impl Iterator<Item = &Value> {
        self.messages
            .range((conversation, 0)..=(conversation, u64::MAX))
            .map(|(_, m)| m)
    }

    /// A conversation in the `conversation_show` shape; `all_messages` false keeps only the
    /// last message (the list shape).
    pub(crate) fn conversation_view(&self, conversation: &Value, all_messages: bool) -> Value {
        let id = get_u64(conversation, "id").unwrap_or(0);
        let account = get_u64(conversation, "account_id").unwrap_or(0);
        let messages: Vec<Value> = if all_messages {
            self.messages_of(id).cloned().collect()
        } else {
            self.messages_of(id).last().cloned().into_iter().collect()
        };
        let contact = get_u64(conversation, "contact_id").and_then(|c| self.contacts.get(&c));
        let inbox = get_u64(conversation, "inbox_id").and_then(|i| self.inboxes.get(&i));
        let channel = inbox.map(|i| get_str(i, "channel_type")).unwrap_or("");
        let sender = contact.map(|c| {
            json!({
                "id": c.get("id"),
                "name": c.get("name"),
                "email": c.get("email"),
                "phone_number": c.get("phone_number"),
                "identifier": c.get("identifier"),
                "thumbnail": c.get("thumbnail"),
                "channel": channel,
                "type": "contact",
            })
        });
        let assignee = get_u64(conversation, "assignee_id").and_then(|u| {
            self.agent_view(account, u)
                .or_else(|| self.users.get(&u).cloned())
        });
        let team = get_u64(conversation, "team_id")
            .and_then(|t| self.record(Kind::Team, t))
            .map(|t| self.team_view(t));
        let mut view = conversation.clone();
        if let Value::Object(map) = &mut view {
            map.insert("display_id".to_owned(), json!(id));
            map.insert("messages".to_owned(), Value::Array(messages));
            map.insert(
                "meta".to_owned(),
                json!({
                    "sender": sender,
                    "assignee": assignee,
                    "team": team,
                    "channel": channel,
                    "hmac_verified": false,
                }),
            );
        }
        view
    }

    /// A conversation as the public client API shows it.
    pub(crate) fn public_conversation_view(&self, conversation: &Value) -> Value {
        let id = get_u64(conversation, "id").unwrap_or(0);
        let contact = get_u64(conversation, "contact_id")
            .and_then(|c| self.contacts.get(&c))
            .map(|c| {
                json!({
                    "id": c.get("id"),
                    "name": c.get("name"),
                    "email": c.get("email"),
                    "phone_number": c.get("phone_number"),
                })
            });
        json!({
            "id": id,
            "uuid": conversation.get("uuid"),
            "inbox_id": conversation.get("inbox_id"),
            "status": conversation.get("status"),
            "contact_last_seen_at": conversation.get("contact_last_seen_at"),
            "messages": self.messages_of(id).map(public_message_view).collect::<Vec<_>>(),
            "contact": contact,
        })
    }

    /// Conversation counters for the `meta` blocks.
    pub(crate) fn conversation_counts(&self, conversations: &[&Value]) -> Value {
        let mine = conversations
            .iter()
            .filter(|c| get_u64(c, "assignee_id") == Some(CURRENT_USER))
            .count();
        let unassigned = conversations
            .iter()
            .filter(|c| get_u64(c, "assignee_id").is_none())
            .count();
        json!({
            "mine_count": mine,
            "unassigned_count": unassigned,
            "assigned_count": conversations.len() - unassigned,
            "all_count": conversations.len(),
        })
    }

    /// The sender object of messages written by `user`.
    pub(crate) fn user_sender(&self, user: u64) -> Value {
        match self.users.get(&user) {
            Some(u) => json!({
                "id": user,
                "name": u.get("name"),
                "available_name": u.get("available_name"),
                "email": u.get("email"),
                "thumbnail": "",
                "type": "user",
            }),
            None => json!({"id": user, "name": "API", "type": "user"}),
        }
    }

    pub(crate) fn contact_sender(&self, contact: u64) -> Value {
        match self.contacts.get(&contact) {
            Some(c) => json!({
                "id": contact,
                "name": c.get("name"),
                "email": c.get("email"),
                "phone_number": c.get("phone_number"),
                "thumbnail": "",
                "type": "contact",
            }),
            None => json!({"id": contact, "type": "contact"}),
        }
    }

    /// Adds a message to a conversation and returns it.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn add_message(
        &mut self,
        conversation: u64,
        content: Option<String>,
        message_type: &str,
        content_type: &str,
        content_attributes: Map<String, Value>,
        private: bool,
        sender: Value,
        echo_id: Option<String>,
    ) -> Value {
        let id = self.next_id("message");
        let (account, inbox) = self
            .conversations
            .get(&conversation)
            .map(|c| (c.get("account_id").cloned(), c.get("inbox_id").cloned()))
            .unwrap_or((None, None));
        let now = unix_now();
        let message = json!({
            "id": id,
            "content": content,
            "content_type": content_type,
            "content_attributes": content_attributes,
            "message_type": message_type,
            "created_at": now,
            "private": private,
            "status": "sent",
            "source_id": null,
            "attachments": [],
            "attachment": null,
            "sender": sender,
            "conversation_id": conversation,
            "account_id": account,
            "inbox_id": inbox,
            "echo_id": echo_id,
        });
        self.messages.insert((conversation, id), message.clone());
        if let Some(Value::Object(c)) = self.conversations.get_mut(&conversation) {
            c.insert("timestamp".to_owned(), json!(now));
            c.insert("last_activity_at".to_owned(), json!(now));
        }
        message
    }

    /// Finds or creates the contact inbox of (`contact`, `inbox`).
    pub(crate) fn ensure_contact_inbox(
        &mut self,
        contact: u64,
        inbox: u64,
        source_id: Option<String>,
    ) -> ContactInbox {
        if let Some(existing) = self.contact_inboxes.iter().find(|ci| {
            ci.contact_id == contact
                && ci.inbox_id == inbox
                && source_id.as_ref().is_none_or(|s| *s == ci.source_id)
        }) {
            return existing.clone();
        }
        let ci = ContactInbox {
            contact_id: contact,
            inbox_id: inbox,
            source_id: source_id.unwrap_or_else(crate::http::random_uuid),
            pubsub_token: random_hex(24),
        };
        self.contact_inboxes.push(ci.clone());
        ci
    }

    pub(crate) fn delete_contact(&mut self, contact: u64) {
        self.contacts.remove(&contact);
        self.contact_inboxes.retain(|ci| ci.contact_id != contact);
        let conversations: Vec<u64> = self
            .conversations
            .values()
            .filter(|c| get_u64(c, "contact_id") == Some(contact))
            .filter_map(|c| get_u64(c, "id"))
            .collect();
        for id in conversations {
            self.conversations.remove(&id);
            let keys: Vec<(u64, u64)> = self
                .messages
                .range((id, 0)..=(id, u64::MAX))
                .map(|(k, _)| *k)
                .collect();
            for key in keys {
                self.messages.remove(&key);
            }
        }
    }
}

pub(crate) fn json_map(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

pub(crate) fn account_record(id: u64, name: &str) -> Value {
    json!({
        "id": id,
        "name": name,
        "locale": "en",
        "domain": null,
        "support_email": null,
        "status": "active",
        "custom_attributes": {},
        "created_at": unix_now(),
    })
}

pub(crate) fn user_record(
    id: u64,
    name: &str,
    email: &str,
    custom_attributes: Map<String, Value>,
) -> Value {
    json!({
        "id": id,
        "uid": email,
        "name": name,
        "available_name": name,
        "display_name": name,
        "email": email,
        "confirmed": true,
        "custom_attributes": custom_attributes,
        "type": "user",
        "thumbnail": "",
        "pubsub_token": random_hex(24),
        "created_at": unix_now(),
    })
}

pub(crate) fn inbox_record(
    id: u64,
    account: u64,
    name: &str,
    channel: &str,
    identifier: &str,
    settings: &Map<String, Value>,
) -> Value {
    let channel_type = match channel {
        "web_widget" => "Channel::WebWidget",
        "email" => "Channel::Email",
        _ => "Channel::Api",
    };
    let website_token = random_hex(24);
    let text = |key: &str| settings.get(key).cloned().unwrap_or(json!(""));
    json!({
        "id": id,
        "account_id": account,
        "channel_id": id,
        "name": name,
        "channel_type": channel_type,
        "inbox_identifier": identifier,
        "identifier": identifier,
        "avatar_url": "",
        "website_url": text("website_url"),
        "widget_color": settings.get("widget_color").cloned().unwrap_or(json!("#1f93ff")),
        "website_token": website_token,
        "web_widget_script": format!("<script>window.konverteSettings = {{ websiteToken: '{website_token}' }};</script>"),
        "welcome_title": text("welcome_title"),
        "welcome_tagline": text("welcome_tagline"),
        "enable_auto_assignment": true,
        "greeting_enabled": false,
        "greeting_message": "",
        "working_hours_enabled": false,
        "csat_survey_enabled": false,
        "enable_email_collect": true,
        "allow_messages_after_resolved": true,
        "timezone": "UTC",
        "webhook_url": settings.get("webhook_url").cloned().unwrap_or(Value::Null),
        "secret": (channel_type == "Channel::Api").then(|| random_hex(24)),
    })
}

pub(crate) fn public_message_view(message: &Value) -> Value {
    json!({
        "id": message.get("id"),
        "content": message.get("content"),
        "message_type": message.get("message_type"),
        "content_type": message.get("content_type"),
        "content_attributes": message.get("content_attributes"),
        "created_at": message.get("created_at"),
        "conversation_id": message.get("conversation_id"),
        "attachments": [],
        "sender": message.get("sender"),
    })
}

pub(crate) fn email_is_free_for_contact(
    store: &Store,
    account: u64,
    email: &str,
    except: Option<u64>,
) -> bool {
    !store.contacts.values().any(|c| {
        get_u64(c, "account_id") == Some(account)
            && get_u64(c, "id") != except
            && get_str(c, "email").eq_ignore_ascii_case(email)
    })
}
