//! What a new message does to its conversation, as `app/models/message.rb`'s
//! `execute_after_create_commit_callbacks` does it: `reopen_conversation` (an incoming
//! message opens a snoozed or resolved conversation, or makes it pending when the inbox has
//! an active bot; not when the contact is blocked: `muted?`), then `dispatch_create_events`
//! (`valid_first_reply?` sets `first_reply_created_at`, else `update_waiting_since`). And the
//! rule of `app/builders/messages/message_builder.rb#message_type`: only API inboxes take
//! incoming messages.

use serde_json::{Value, json};

use super::{Store, get_str, get_u64};

/// The error `MessageBuilder#message_type` raises.
pub(crate) const INCOMING_ONLY_IN_API_INBOXES: &str =
    "Incoming messages are only allowed in Api inboxes";

/// `human_response?`: outgoing, written by a user, not by an automation rule or a campaign.
fn human_response(message: &Value) -> bool {
    get_str(message, "message_type") == "outgoing"
        && message
            .pointer("/content_attributes/automation_rule_id")
            .is_none()
        && message
            .pointer("/additional_attributes/campaign_id")
            .is_none()
        && message.pointer("/sender/type").and_then(Value::as_str) == Some("user")
}

fn is_private(message: &Value) -> bool {
    message
        .get("private")
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

impl Store {
    /// Whether conversation `id`'s inbox takes `message_type: incoming` (an API channel).
    pub(crate) fn takes_incoming(&self, id: u64) -> bool {
        self.conversations
            .get(&id)
            .and_then(|cv| get_u64(cv, "inbox_id"))
            .is_some_and(|inbox| self.inbox_takes_incoming(inbox))
    }

    /// Whether inbox `id` takes `message_type: incoming` (an API channel).
    pub(crate) fn inbox_takes_incoming(&self, id: u64) -> bool {
        self.inboxes
            .get(&id)
            .is_some_and(|inbox| get_str(inbox, "channel_type") == "Channel::Api")
    }

    /// The callbacks of `message`, just added to conversation `id`.
    pub(crate) fn after_message_created(&mut self, id: u64, message: &Value) {
        self.reopen_conversation(id, message);
        let Some(cv) = self.conversations.get(&id) else {
            return;
        };
        let created_at = message.get("created_at").cloned().unwrap_or(Value::Null);
        let waiting = cv.get("waiting_since").is_some_and(|w| !w.is_null());
        let first_reply_blank = cv.get("first_reply_created_at").is_none_or(Value::is_null);
        let replies = self
            .messages_of(id)
            .filter(|m| get_str(m, "message_type") == "outgoing" && !is_private(m))
            .filter(|m| m.pointer("/sender/type").and_then(Value::as_str) != Some("agent_bot"))
            .filter(|m| m.pointer("/additional_attributes/campaign_id").is_none())
            .count();
        let valid_first_reply =
            human_response(message) && !is_private(message) && first_reply_blank && replies <= 1;
        if valid_first_reply {
            self.save_conversation(
                id,
                &[
                    ("first_reply_created_at", created_at),
                    ("waiting_since", Value::Null),
                ],
            );
            return;
        }
        // update_waiting_since
        let bot_response = get_str(message, "message_type") == "outgoing"
            && message.pointer("/sender/type").and_then(Value::as_str) == Some("agent_bot");
        if waiting && !is_private(message) && (human_response(message) || bot_response) {
            self.save_conversation(id, &[("waiting_since", Value::Null)]);
        } else if !waiting && get_str(message, "message_type") == "incoming" {
            self.save_conversation(id, &[("waiting_since", created_at)]);
        }
    }

    fn reopen_conversation(&mut self, id: u64, message: &Value) {
        if get_str(message, "message_type") != "incoming" {
            return;
        }
        let Some(cv) = self.conversations.get(&id) else {
            return;
        };
        let muted = get_u64(cv, "contact_id")
            .and_then(|c| self.contacts.get(&c))
            .and_then(|c| c.get("blocked"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let active_bot = get_u64(cv, "inbox_id").is_some_and(|i| self.inbox_bots.contains_key(&i));
        let status = match get_str(cv, "status") {
            _ if muted => return,
            "snoozed" => "open",
            "resolved" if active_bot => "pending",
            "resolved" => "open",
            _ => return,
        };
        self.save_conversation(id, &[("status", json!(status))]);
    }
}
