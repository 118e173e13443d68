//! The payloads of conversation, message and contact events, as Chatwoot builds them:
//! `Conversations::EventDataPresenter#webhook_data` (app/presenters/conversations/
//! event_data_presenter.rb: `push_data` with the account and the last chat message),
//! `Message#webhook_data` and `Contact#webhook_data`, and the `push_event_data` /
//! `webhook_data` of the models they embed (app/models/contact.rb, user.rb, agent_bot.rb,
//! team.rb, message.rb, account.rb, inbox.rb).

use serde_json::{Map, Value, json};

use super::{Kind, Store, get_str, get_u64, rails_time};

/// `Message.message_types`: the integer `push_event_data` sends (`message_type_before_type_cast`).
fn message_type_number(message_type: &str) -> u64 {
    match message_type {
        "incoming" => 0,
        "activity" => 2,
        "template" => 3,
        _ => 1,
    }
}

impl Store {
    /// `conversation.webhook_data` of conversation `id` (`Value::Null` when it is gone).
    pub(crate) fn conversation_webhook_data(&self, id: u64) -> Value {
        let Some(cv) = self.conversations.get(&id) else {
            return Value::Null;
        };
        let account = get_u64(cv, "account_id").unwrap_or(0);
        let inbox = get_u64(cv, "inbox_id").and_then(|i| self.inboxes.get(&i));
        let contact_id = get_u64(cv, "contact_id").unwrap_or(0);
        let contact_inbox = self
            .contact_inboxes
            .iter()
            .find(|ci| {
                ci.contact_id == contact_id
                    && Some(ci.inbox_id) == get_u64(cv, "inbox_id")
                    && Some(ci.source_id.as_str())
                        == cv
                            .pointer("/contact_inbox/source_id")
                            .and_then(Value::as_str)
            })
            .map(|ci| {
                json!({
                    "id": ci.id,
                    "created_at": rails_time(ci.created_at),
                    "updated_at": rails_time(ci.created_at),
                    "contact_id": ci.contact_id,
                    "inbox_id": ci.inbox_id,
                    "source_id": ci.source_id,
                    "hmac_verified": false,
                    "pubsub_token": ci.pubsub_token,
                })
            });
        let (assignee, assignee_type) = self.assigned_entity(cv);
        let team = get_u64(cv, "team_id")
            .and_then(|t| self.record(Kind::Team, t))
            .map(|t| json!({"id": t.get("id"), "name": t.get("name")}));
        let last_chat = self
            .messages_of(id)
            .filter(|m| get_str(m, "message_type") != "activity")
            .filter(|m| !m.get("private").and_then(Value::as_bool).unwrap_or(false))
            .last()
            .map(|m| self.message_push_data(cv, m));
        let int = |key: &str| cv.get(key).and_then(Value::as_i64).unwrap_or(0);
        let created_at = int("created_at");
        let waiting_since = match cv.get("waiting_since") {
            None => created_at,
            Some(v) => v.as_i64().unwrap_or(0),
        };
        json!({
            "additional_attributes": cv.get("additional_attributes").cloned().unwrap_or(json!({})),
            "can_reply": cv.get("can_reply").cloned().unwrap_or(json!(true)),
            "channel": inbox.map(|i| get_str(i, "channel_type")),
            "contact_inbox": contact_inbox,
            "id": id,
            "inbox_id": cv.get("inbox_id"),
            "messages": last_chat.into_iter().collect::<Vec<_>>(),
            "labels": cv.get("labels").cloned().unwrap_or(json!([])),
            "meta": {
                "sender": self.contacts.get(&contact_id).map(contact_push_data),
                "assignee": assignee,
                "assignee_type": assignee_type,
                "team": team,
                "hmac_verified": contact_inbox.as_ref().map(|_| false),
            },
            "status": cv.get("status"),
            "custom_attributes": cv.get("custom_attributes").cloned().unwrap_or(json!({})),
            "snoozed_until": cv.get("snoozed_until").cloned().unwrap_or(Value::Null),
            "unread_count": self.unread_incoming(cv),
            "first_reply_created_at": cv
                .get("first_reply_created_at")
                .and_then(Value::as_i64)
                .map_or(Value::Null, |t| json!(rails_time(t))),
            "priority": cv.get("priority").cloned().unwrap_or(Value::Null),
            "waiting_since": waiting_since,
            "agent_last_seen_at": int("agent_last_seen_at"),
            "contact_last_seen_at": int("contact_last_seen_at"),
            "last_activity_at": int("last_activity_at"),
            "timestamp": int("last_activity_at"),
            "created_at": created_at,
            "updated_at": int("updated_at") as f64,
            "account": {
                "id": account,
                "name": self.accounts.get(&account).map(|a| get_str(a, "name")),
            },
        })
    }

    /// `assigned_entity&.push_event_data` and `assignee_type`: the agent bot when one is
    /// assigned, else the agent.
    fn assigned_entity(&self, cv: &Value) -> (Value, Value) {
        if let Some(bot) = get_u64(cv, "assignee_agent_bot_id").and_then(|b| self.agent_bot(b)) {
            let data = json!({
                "id": bot.get("id"),
                "name": bot.get("name"),
                "avatar_url": bot.get("thumbnail").cloned().unwrap_or(json!("")),
                "type": "agent_bot",
            });
            return (data, json!("AgentBot"));
        }
        let Some(user_id) = get_u64(cv, "assignee_id") else {
            return (Value::Null, Value::Null);
        };
        let account = get_u64(cv, "account_id").unwrap_or(0);
        let user = self.users.get(&user_id);
        let availability = self
            .members
            .get(&(account, user_id))
            .map_or("offline", |m| m.availability.as_str());
        let data = json!({
            "id": user_id,
            "name": user.and_then(|u| u.get("name")),
            "available_name": user.and_then(|u| u.get("available_name")),
            "avatar_url": "",
            "type": "user",
            "availability_status": availability,
            "thumbnail": "",
        });
        (data, json!("User"))
    }

    /// The `meta` of a conversation's message list (conversations/messages/index.json.jbuilder):
    /// its labels and additional attributes, the contact's and the agent assignee's
    /// `push_event_data`, and the last-seen times.
    pub(crate) fn messages_meta(&self, id: u64) -> Value {
        let Some(cv) = self.conversations.get(&id) else {
            return json!({});
        };
        let seen = |key: &str| match cv.get(key).and_then(Value::as_i64) {
            Some(t) if t > 0 => json!(rails_time(t)),
            _ => Value::Null,
        };
        let mut meta = json!({
            "labels": cv.get("labels").cloned().unwrap_or(json!([])),
            "additional_attributes": cv.get("additional_attributes").cloned().unwrap_or(json!({})),
            "contact": get_u64(cv, "contact_id")
                .and_then(|c| self.contacts.get(&c))
                .map(contact_push_data),
            "agent_last_seen_at": seen("agent_last_seen_at"),
            "assignee_last_seen_at": seen("assignee_last_seen_at"),
        });
        if get_u64(cv, "assignee_id").is_some() {
            let mut agent = cv.clone();
            agent["assignee_agent_bot_id"] = Value::Null;
            meta["assignee"] = self.assigned_entity(&agent).0;
        }
        meta
    }

    /// An agent bot of either kind (account or platform: their ids do not overlap).
    pub(crate) fn agent_bot(&self, id: u64) -> Option<&Value> {
        self.record(Kind::AccountBot, id)
            .or_else(|| self.record(Kind::PlatformBot, id))
    }

    /// `unread_incoming_messages.count`: the last 10 incoming messages newer than the agent's
    /// last visit, counted.
    fn unread_incoming(&self, cv: &Value) -> usize {
        let id = get_u64(cv, "id").unwrap_or(0);
        let seen = cv
            .get("agent_last_seen_at")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        self.messages_of(id)
            .filter(|m| get_str(m, "message_type") == "incoming")
            .filter(|m| m.get("created_at").and_then(Value::as_i64).unwrap_or(0) > seen)
            .count()
            .min(10)
    }

    /// `message.webhook_push_event_data`: its attributes, `message_type` as a number, the
    /// conversation's summary and the sender's `push_event_data`.
    fn message_push_data(&self, cv: &Value, message: &Value) -> Value {
        let mut data: Map<String, Value> = message.as_object().cloned().unwrap_or_default();
        data.remove("attachment");
        if data
            .get("attachments")
            .and_then(Value::as_array)
            .is_some_and(Vec::is_empty)
        {
            data.remove("attachments");
        }
        if data.get("echo_id").is_some_and(Value::is_null) {
            data.remove("echo_id");
        }
        let message_type = message_type_number(get_str(message, "message_type"));
        data.insert("message_type".into(), json!(message_type));
        data.insert(
            "processed_message_content".into(),
            message.get("content").cloned().unwrap_or(Value::Null),
        );
        data.insert(
            "conversation".into(),
            json!({
                "assignee_id": cv.get("assignee_id"),
                "unread_count": self.unread_incoming(cv),
                "last_activity_at": cv.get("last_activity_at"),
                "contact_inbox": {"source_id": cv.pointer("/contact_inbox/source_id")},
            }),
        );
        Value::Object(data)
    }
}

impl Store {
    /// `account.webhook_data`: its id and name.
    fn account_webhook_data(&self, account: u64) -> Value {
        json!({"id": account, "name": self.accounts.get(&account).map(|a| get_str(a, "name"))})
    }

    /// `Inbox::EventDataPresenter#webhook_data` (app/presenters/inbox/event_data_presenter.rb):
    /// the inbox's settings, its channel and the account. (The presenter has no id or name.)
    pub(crate) fn inbox_webhook_data(&self, id: u64) -> Value {
        let Some(inbox) = self.inboxes.get(&id) else {
            return Value::Null;
        };
        let field = |key: &str, default: Value| inbox.get(key).cloned().unwrap_or(default);
        // The inbox's view has no times, so the sandbox keeps none: now stands in.
        let created = rails_time(
            inbox
                .get("created_at")
                .and_then(Value::as_i64)
                .unwrap_or_else(crate::http::unix_now),
        );
        let channel = match get_str(inbox, "channel_type") {
            "Channel::WebWidget" => json!({
                "id": inbox.get("channel_id"),
                "website_url": inbox.get("website_url"),
                "widget_color": inbox.get("widget_color"),
                "website_token": inbox.get("website_token"),
                "welcome_title": inbox.get("welcome_title"),
                "welcome_tagline": inbox.get("welcome_tagline"),
                "account_id": inbox.get("account_id"),
            }),
            "Channel::Api" => json!({
                "id": inbox.get("channel_id"),
                "webhook_url": inbox.get("webhook_url"),
                "identifier": inbox.get("inbox_identifier"),
                "secret": inbox.get("secret"),
                "account_id": inbox.get("account_id"),
            }),
            _ => json!({"id": inbox.get("channel_id"), "account_id": inbox.get("account_id")}),
        };
        json!({
            "allow_messages_after_resolved": field("allow_messages_after_resolved", json!(true)),
            "lock_to_single_conversation": field("lock_to_single_conversation", json!(false)),
            "auto_assignment_config": field("auto_assignment_config", json!({})),
            "enable_auto_assignment": field("enable_auto_assignment", json!(true)),
            "enable_email_collect": field("enable_email_collect", json!(true)),
            "greeting_enabled": field("greeting_enabled", json!(false)),
            "greeting_message": field("greeting_message", Value::Null),
            "csat_survey_enabled": field("csat_survey_enabled", json!(false)),
            "business_name": field("business_name", Value::Null),
            "sender_name_type": field("sender_name_type", json!("friendly")),
            "timezone": field("timezone", json!("UTC")),
            "out_of_office_message": field("out_of_office_message", Value::Null),
            "working_hours_enabled": field("working_hours_enabled", json!(false)),
            "working_hours": field("working_hours", json!([])),
            "created_at": created,
            "updated_at": created,
            "channel": channel,
            "account": self.account_webhook_data(get_u64(inbox, "account_id").unwrap_or(0)),
        })
    }

    /// `contact.webhook_data` (app/models/contact.rb), `Value::Null` when it is gone.
    pub(crate) fn contact_webhook_data(&self, id: u64) -> Value {
        let Some(contact) = self.contacts.get(&id) else {
            return Value::Null;
        };
        let avatar = contact.get("thumbnail").cloned().unwrap_or(json!(""));
        json!({
            "account": self.account_webhook_data(get_u64(contact, "account_id").unwrap_or(0)),
            "additional_attributes": contact.get("additional_attributes").cloned().unwrap_or(json!({})),
            "avatar": avatar,
            "custom_attributes": contact.get("custom_attributes").cloned().unwrap_or(json!({})),
            "email": contact.get("email"),
            "id": id,
            "identifier": contact.get("identifier"),
            "name": contact.get("name"),
            "phone_number": contact.get("phone_number"),
            "thumbnail": avatar,
            "blocked": contact.get("blocked").cloned().unwrap_or(json!(false)),
        })
    }

    /// `message.webhook_data` (app/models/message.rb) of a stored message: `message_type` by
    /// name, `created_at` as a time, the conversation's `webhook_data`, the inbox, and the
    /// sender's `webhook_data` (a contact's has no `type`); `attachments` only when there are
    /// any.
    pub(crate) fn message_webhook_data(&self, message: &Value) -> Value {
        let conversation = get_u64(message, "conversation_id").unwrap_or(0);
        let account = get_u64(message, "account_id").unwrap_or(0);
        let inbox = get_u64(message, "inbox_id").unwrap_or(0);
        let sender = message.get("sender").unwrap_or(&Value::Null);
        let sender_id = get_u64(sender, "id").unwrap_or(0);
        let sender = match get_str(sender, "type") {
            "contact" => self.contact_webhook_data(sender_id),
            "user" => user_webhook_data(self, sender_id),
            "agent_bot" => {
                json!({"id": sender_id, "name": sender.get("name"), "type": "agent_bot"})
            }
            _ => Value::Null,
        };
        let mut data = json!({
            "account": self.account_webhook_data(account),
            "additional_attributes": message.get("additional_attributes").cloned().unwrap_or(json!({})),
            "content_attributes": message.get("content_attributes").cloned().unwrap_or(json!({})),
            "content_type": message.get("content_type"),
            "content": message.get("content"),
            "conversation": self.conversation_webhook_data(conversation),
            "created_at": rails_time(message.get("created_at").and_then(Value::as_i64).unwrap_or(0)),
            "id": message.get("id"),
            "inbox": {"id": inbox, "name": self.inboxes.get(&inbox).map(|i| get_str(i, "name"))},
            "message_type": message.get("message_type"),
            "private": message.get("private").cloned().unwrap_or(json!(false)),
            "sender": sender,
            "source_id": message.get("source_id").cloned().unwrap_or(Value::Null),
        });
        if let Some(files) = message
            .get("attachments")
            .and_then(Value::as_array)
            .filter(|a| !a.is_empty())
        {
            data["attachments"] = Value::Array(files.clone());
        }
        data
    }
}

/// `message.webhook_sendable?` (app/models/concerns/message_filter_helpers.rb): activity
/// messages raise no webhook.
pub(crate) fn webhook_sendable(message: &Value) -> bool {
    matches!(
        get_str(message, "message_type"),
        "incoming" | "outgoing" | "template"
    )
}

/// `contact.push_event_data` (app/models/contact.rb).
pub(crate) fn contact_push_data(contact: &Value) -> Value {
    json!({
        "additional_attributes": contact.get("additional_attributes").cloned().unwrap_or(json!({})),
        "custom_attributes": contact.get("custom_attributes").cloned().unwrap_or(json!({})),
        "email": contact.get("email"),
        "id": contact.get("id"),
        "identifier": contact.get("identifier"),
        "name": contact.get("name"),
        "phone_number": contact.get("phone_number"),
        "thumbnail": contact.get("thumbnail").cloned().unwrap_or(json!("")),
        "blocked": contact.get("blocked").cloned().unwrap_or(json!(false)),
        "type": "contact",
    })
}

/// `user.webhook_data` (app/models/user.rb): who typed, in a typing event.
pub(crate) fn user_webhook_data(st: &Store, user: u64) -> Value {
    let record = st.users.get(&user);
    json!({
        "id": user,
        "name": record.and_then(|u| u.get("name")),
        "email": record.and_then(|u| u.get("email")),
        "type": "user",
    })
}
