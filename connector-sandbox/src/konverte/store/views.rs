//! The JSON views of the Konverte store (users, agents, inboxes, contacts, teams, portals,
//! conversations, message senders) and the shapes of new accounts, users and inboxes.

use serde_json::{Map, Value, json};

use super::{CURRENT_USER, ContactInbox, Kind, Member, Store, get_str, get_u64, json_map, merge};
use crate::http::{random_hex, unix_now};

impl Store {
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
            map.remove("labels"); // kept for the labels routes; the contact views omit them
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
        "csat_config": {},
        "enable_email_collect": true,
        "allow_messages_after_resolved": true,
        "timezone": "UTC",
        "webhook_url": settings.get("webhook_url").cloned().unwrap_or(Value::Null),
        "secret": (channel_type == "Channel::Api").then(|| random_hex(24)),
    })
}

pub(crate) fn public_message_view(message: &Value) -> Value {
    let mut view = json!({
        "id": message.get("id"),
        "content": message.get("content"),
        "message_type": message.get("message_type"),
        "content_type": message.get("content_type"),
        "content_attributes": message.get("content_attributes"),
        "created_at": message.get("created_at"),
        "conversation_id": message.get("conversation_id"),
        "sender": message.get("sender"),
    });
    // public/api/v1/models/_message.json.jbuilder: `attachments.map(&:push_event_data)`, only
    // when there are any.
    if let Some(files) = message
        .get("attachments")
        .filter(|a| a.as_array().is_some_and(|a| !a.is_empty()))
    {
        view["attachments"] = files.clone();
    }
    view
}
