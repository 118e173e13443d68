//! The Konverte sandbox's in-memory data. Reading request bodies and errors in the Konverte
//! style are in `input`, the JSON views of the data and the shapes of new records in `views`.

mod csat;
mod events;
mod input;
mod message_effects;
mod record_events;
mod team_assignment;
mod views;
mod webhook_data;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::http::{Fail, as_id, random_hex, unix_now};

pub(crate) use csat::{Survey, permitted_submitted_values};
pub(crate) use events::{Raised, rails_time};
pub(crate) use input::{
    Input, bad_request, blank, check_email, check_password, invalid, not_found,
};
pub(crate) use message_effects::INCOMING_ONLY_IN_API_INBOXES;
pub(crate) use views::{account_record, inbox_record, public_message_view, user_record};
pub(crate) use webhook_data::{user_webhook_data, webhook_sendable};

/// The user every authenticated request acts as.
pub(crate) const CURRENT_USER: u64 = 1;
/// `inbox_identifier` of the seeded inbox.
pub(crate) const SEED_INBOX_IDENTIFIER: &str = crate::seed::KONVERTE_INBOX_IDENTIFIER;
/// Page size of paged Konverte lists.
pub(crate) const PAGE_SIZE: usize = 15;

/// Collections of plain records that share one create/get/update/delete implementation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Member {
    /// The `account_users` row's id and creation time (0 in older state files).
    #[serde(default)]
    pub(crate) id: u64,
    #[serde(default)]
    pub(crate) created_at: i64,
    pub(crate) role: String,
    pub(crate) availability: String,
    pub(crate) auto_offline: bool,
}

/// A contact's presence in an inbox (its `source_id` identifies it in the public API).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ContactInbox {
    /// Its own id (0 in state files written before it was kept).
    #[serde(default)]
    pub(crate) id: u64,
    #[serde(default)]
    pub(crate) created_at: i64,
    pub(crate) contact_id: u64,
    pub(crate) inbox_id: u64,
    pub(crate) source_id: String,
    pub(crate) pubsub_token: String,
}

/// Everything a Konverte sandbox keeps besides the generic tier; the state file holds it as
/// serialized here.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Store {
    /// The last id handed out per kind of record.
    next: BTreeMap<String, u64>,
    pub(crate) users: BTreeMap<u64, Value>,
    pub(crate) accounts: BTreeMap<u64, Value>,
    #[serde(with = "crate::state::pairs")]
    pub(crate) members: BTreeMap<(u64, u64), Member>,
    pub(crate) inboxes: BTreeMap<u64, Value>,
    pub(crate) inbox_members: BTreeSet<(u64, u64)>,
    pub(crate) inbox_bots: HashMap<u64, u64>,
    pub(crate) contacts: BTreeMap<u64, Value>,
    pub(crate) contact_inboxes: Vec<ContactInbox>,
    pub(crate) conversations: BTreeMap<u64, Value>,
    #[serde(with = "crate::state::pairs")]
    pub(crate) messages: BTreeMap<(u64, u64), Value>,
    pub(crate) team_members: BTreeSet<(u64, u64)>,
    /// Survey message id → its answer (store/csat.rs).
    #[serde(default)]
    pub(crate) csat_responses: BTreeMap<u64, Value>,
    /// Per inbox, its members in round-robin order (store/team_assignment.rs).
    #[serde(default)]
    round_robin: BTreeMap<u64, Vec<u64>>,
    pub(crate) records: HashMap<Kind, BTreeMap<u64, Value>>,
    /// Lower-cased e-mail → the contacts that have had it: what the e-mail uniqueness check
    /// reads instead of every contact (bench/run.sh row 5 creates thousands). A superset:
    /// each hit is checked against the contact itself, so an e-mail changed away is harmless;
    /// every write of a contact's `email` goes through [`Store::put_contact`] or
    /// [`Store::index_contact`] (in debug builds each check is compared with a full scan).
    #[serde(skip)]
    contact_emails: HashMap<String, BTreeSet<u64>>,
    /// Events raised by the request being served, until it is answered.
    #[serde(skip)]
    raised: Vec<Raised>,
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
        let member = self.new_member("administrator", "online", true);
        self.members.insert((account, user), member);
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

    /// A new membership (an `account_users` row) with its id.
    pub(crate) fn new_member(
        &mut self,
        role: &str,
        availability: &str,
        auto_offline: bool,
    ) -> Member {
        Member {
            id: self.next_id("account_user"),
            created_at: unix_now(),
            role: role.to_owned(),
            availability: availability.to_owned(),
            auto_offline,
        }
    }

    /// Stores a contact under `id` and indexes its e-mail.
    pub(crate) fn put_contact(&mut self, id: u64, contact: Value) {
        self.contacts.insert(id, contact);
        self.index_contact(id);
    }

    /// Indexes the e-mail contact `id` has now (after an update of it).
    pub(crate) fn index_contact(&mut self, id: u64) {
        let email = self.contacts.get(&id).map(|c| get_str(c, "email"));
        if let Some(email) = email.filter(|e| !e.is_empty()) {
            self.contact_emails
                .entry(email.to_ascii_lowercase())
                .or_default()
                .insert(id);
        }
    }

    /// Rebuilds the e-mail index from the contacts (after they were read from a state file).
    pub(crate) fn reindex_contacts(&mut self) {
        self.contact_emails.clear();
        let ids: Vec<u64> = self.contacts.keys().copied().collect();
        for id in ids {
            self.index_contact(id);
        }
    }

    pub(crate) fn next_id(&mut self, key: &'static str) -> u64 {
        let next = match self.next.get_mut(key) {
            Some(next) => next,
            None => self.next.entry(key.to_owned()).or_insert(0),
        };
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
}

impl Store {
    /// Adds a message to a conversation, with what that does to the conversation
    /// (store/message_effects.rs), and returns it.
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
        self.after_message_created(conversation, &message);
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
            id: self.next_id("contact_inbox"),
            created_at: unix_now(),
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

pub(crate) fn email_is_free_for_contact(
    store: &Store,
    account: u64,
    email: &str,
    except: Option<u64>,
) -> bool {
    let holds_it = |c: &&Value| {
        get_u64(c, "account_id") == Some(account)
            && get_u64(c, "id") != except
            && get_str(c, "email").eq_ignore_ascii_case(email)
    };
    let free = !store
        .contact_emails
        .get(&email.to_ascii_lowercase())
        .into_iter()
        .flatten()
        .filter_map(|id| store.contacts.get(id))
        .any(|c| holds_it(&c));
    debug_assert_eq!(
        free,
        !store.contacts.values().any(|c| holds_it(&c)),
        "the contact e-mail index is out of date for {email}"
    );
    free
}
