//! The events a request raises, as Chatwoot's model callbacks raise them, kept until the
//! request has succeeded and `deliver.rs` sends them.
//!
//! A conversation save is `Store::save_conversation`: it applies the attributes, collects
//! what changed as `previous_changes` does and raises what `app/models/conversation.rb`'s
//! `execute_after_update_commit_callbacks` raises: `notify_status_change`
//! (`conversation_opened` / `conversation_resolved` / `conversation_status_changed` when the
//! status changed) and `notify_conversation_updation` (`conversation_updated` when one of
//! `list_of_keys` changed, with every change).

use serde_json::{Map, Value, json};

use super::{Store, get_str, get_u64};
use crate::http::unix_now;

/// An event raised while serving a request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Raised {
    pub(crate) account: u64,
    pub(crate) event: &'static str,
    /// The conversation it is about: its inbox's API channel and agent bots may get it.
    pub(crate) conversation: Option<u64>,
    /// The payload without `event` (deliver.rs adds it).
    pub(crate) payload: Map<String, Value>,
}

/// One attribute a save changed, by its Rails name: before and after.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Change {
    pub(crate) attribute: &'static str,
    pub(crate) previous: Value,
    pub(crate) current: Value,
}

/// `Conversation#list_of_keys`: a change to one of these raises `conversation_updated`.
const UPDATE_KEYS: &[&str] = &[
    "team_id",
    "assignee_id",
    "assignee_agent_bot_id",
    "status",
    "snoozed_until",
    "custom_attributes",
    "label_list",
    "waiting_since",
    "first_reply_created_at",
    "priority",
];

/// Attributes a conversation save may change, in the order of the `conversations` table's
/// columns (the order of `previous_changes`); `labels` is stored under its own name and
/// changes `label_list` and the `cached_label_list` column.
const ATTRIBUTES: &[&str] = &[
    "status",
    "assignee_id",
    "team_id",
    "snoozed_until",
    "custom_attributes",
    "first_reply_created_at",
    "priority",
    "waiting_since",
    "labels",
    "assignee_agent_bot_id",
];

/// Attributes stored as Unix seconds that `previous_changes` holds as times.
const TIMES: &[&str] = &["first_reply_created_at", "waiting_since"];

/// `extract_changed_attributes` (app/listeners/base_listener.rb): one single-key object per
/// change, `{attribute: {previous_value, current_value}}`.
pub(crate) fn changed_attributes(changes: &[Change]) -> Value {
    Value::Array(
        changes
            .iter()
            .map(|c| {
                json!({c.attribute: {"previous_value": c.previous, "current_value": c.current}})
            })
            .collect(),
    )
}

/// A Rails time as JSON renders it: ISO 8601 UTC with milliseconds.
pub(crate) fn rails_time(unix: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp(unix, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

impl Store {
    /// Queues `event` with `payload`.
    pub(crate) fn raise(
        &mut self,
        account: u64,
        event: &'static str,
        conversation: Option<u64>,
        payload: Map<String, Value>,
    ) {
        self.raised.push(Raised {
            account,
            event,
            conversation,
            payload,
        });
    }

    /// Takes the events raised so far.
    pub(crate) fn take_raised(&mut self) -> Vec<Raised> {
        std::mem::take(&mut self.raised)
    }

    /// Raises `event` about conversation `id` with its `webhook_data`, and `changed_attributes`
    /// when given (`Some(Value::Null)` renders the key as null).
    pub(crate) fn raise_conversation(
        &mut self,
        event: &'static str,
        id: u64,
        changed: Option<Value>,
    ) {
        let Some(account) = self
            .conversations
            .get(&id)
            .and_then(|c| get_u64(c, "account_id"))
        else {
            return;
        };
        let mut payload = match self.conversation_webhook_data(id) {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        if let Some(changed) = changed {
            payload.insert("changed_attributes".into(), changed);
        }
        self.raise(account, event, Some(id), payload);
    }

    /// Saves `patch` (stored attribute names) on conversation `id` and raises the events of
    /// its after-commit callbacks; returns the changes (none when nothing differed).
    pub(crate) fn save_conversation(&mut self, id: u64, patch: &[(&str, Value)]) -> Vec<Change> {
        let Some(record) = self.conversations.get_mut(&id) else {
            return Vec::new();
        };
        let mut next = record.clone();
        for (key, value) in patch {
            next[*key] = value.clone();
        }
        // before_save :ensure_snooze_until_reset
        if get_str(&next, "status") != "snoozed" {
            next["snoozed_until"] = Value::Null;
        }
        let mut changes = Vec::new();
        for key in ATTRIBUTES {
            let (before, after) = (
                record.get(*key).cloned().unwrap_or(Value::Null),
                next.get(*key).cloned().unwrap_or(Value::Null),
            );
            let before = match (*key, before) {
                ("labels", Value::Null) => json!([]),
                (_, before) => before,
            };
            if before == after {
                continue;
            }
            if *key == "labels" {
                let cached = |v: &Value| -> String {
                    v.as_array()
                        .map(|l| l.iter().filter_map(Value::as_str).collect::<Vec<_>>())
                        .unwrap_or_default()
                        .join(", ")
                };
                changes.push(Change {
                    attribute: "cached_label_list",
                    previous: json!(cached(&before)),
                    current: json!(cached(&after)),
                });
                changes.push(Change {
                    attribute: "label_list",
                    previous: before,
                    current: after,
                });
            } else if TIMES.contains(key) {
                let time = |v: Value| v.as_i64().map_or(Value::Null, |t| json!(rails_time(t)));
                changes.push(Change {
                    attribute: key,
                    previous: time(before),
                    current: time(after),
                });
            } else {
                changes.push(Change {
                    attribute: key,
                    previous: before,
                    current: after,
                });
            }
        }
        if changes.is_empty() {
            return changes;
        }
        let (previous, now) = (get_u64(record, "updated_at").unwrap_or(0), unix_now());
        changes.push(Change {
            attribute: "updated_at",
            previous: json!(rails_time(i64::try_from(previous).unwrap_or(0))),
            current: json!(rails_time(now)),
        });
        next["updated_at"] = json!(now);
        let status_changed = changes.iter().any(|c| c.attribute == "status");
        // handle_resolved_status_change: update_column, so not among the changes.
        if status_changed && get_str(&next, "status") == "resolved" {
            next["waiting_since"] = Value::Null;
        }
        *record = next;
        if status_changed {
            // notify_status_change passes `status_change`, which is nil once the save is
            // committed (Rails 7 dirty tracking): the payload's changed_attributes is null.
            match get_str(&self.conversations[&id], "status") {
                "open" => self.raise_conversation("conversation_opened", id, None),
                "resolved" => self.raise_conversation("conversation_resolved", id, None),
                _ => {}
            }
            self.raise_conversation("conversation_status_changed", id, Some(Value::Null));
            // CsatSurveyListener#conversation_status_changed
            if get_str(&self.conversations[&id], "status") == "resolved" {
                self.send_csat_survey(id);
            }
        }
        if changes.iter().any(|c| UPDATE_KEYS.contains(&c.attribute)) {
            self.raise_conversation(
                "conversation_updated",
                id,
                Some(changed_attributes(&changes)),
            );
        }
        changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_with_conversation() -> Store {
        let mut st = Store::new(true);
        st.conversations.insert(
            7,
            json!({"id": 7, "account_id": 1, "inbox_id": 1, "status": "open", "labels": [],
                   "updated_at": 0, "custom_attributes": {}}),
        );
        st
    }

    #[test]
    fn a_status_change_raises_status_changed_with_null_changes_and_updated_with_them() {
        let mut st = store_with_conversation();
        let changes = st.save_conversation(7, &[("status", json!("resolved"))]);
        let names: Vec<&str> = st.raised.iter().map(|r| r.event).collect();
        assert_eq!(
            names,
            [
                "conversation_resolved",
                "conversation_status_changed",
                "conversation_updated"
            ]
        );
        assert_eq!(st.raised[1].payload["changed_attributes"], Value::Null);
        let updated = &st.raised[2].payload["changed_attributes"];
        assert_eq!(
            updated[0],
            json!({"status": {"previous_value": "open", "current_value": "resolved"}})
        );
        assert_eq!(
            updated[1]["updated_at"]["previous_value"],
            "1970-01-01T00:00:00.000Z"
        );
        assert_eq!(changes.len(), 2);
        assert_eq!(st.raised[2].payload["status"], "resolved");
    }

    #[test]
    fn a_save_that_changes_nothing_raises_nothing() {
        let mut st = store_with_conversation();
        assert!(
            st.save_conversation(7, &[("status", json!("open"))])
                .is_empty()
        );
        assert!(st.raised.is_empty());
    }

    #[test]
    fn labels_change_label_list_and_the_cached_column() {
        let mut st = store_with_conversation();
        st.save_conversation(7, &[("labels", json!(["a", "b"]))]);
        let names: Vec<&str> = st.raised.iter().map(|r| r.event).collect();
        assert_eq!(names, ["conversation_updated"]);
        let changed = &st.raised[0].payload["changed_attributes"];
        assert_eq!(changed[0]["cached_label_list"]["current_value"], "a, b");
        assert_eq!(changed[1]["label_list"]["current_value"], json!(["a", "b"]));
    }
}
