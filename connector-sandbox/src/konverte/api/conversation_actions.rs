//! What changes a conversation: status, priority, update, custom attributes, assignments, and
//! typing. Checked against `app/controllers/api/v1/accounts/conversations_controller.rb`
//! (`toggle_status`, `toggle_priority`, `update`, `custom_attributes`,
//! `toggle_typing_status`), `conversations/assignments_controller.rb`,
//! `app/services/conversations/assignment_service.rb`,
//! `app/services/conversations/typing_status_manager.rb`, `app/models/conversation.rb` and
//! `app/models/concerns/assignment_handler.rb`. Every change is a `Store::save_conversation`,
//! which raises the events the model's callbacks raise.

use super::conversations::find_conversation;
use super::*;
use crate::konverte::store::user_webhook_data;

const STATUSES: &[&str] = &["open", "resolved", "pending", "snoozed"];
const PRIORITIES: &[&str] = &["urgent", "high", "medium", "low", "none"];

impl App {
    /// The member actions of one conversation that change it.
    pub(super) fn conversation_actions(
        &self,
        st: &mut Store,
        c: &Ctx<'_>,
        account: u64,
        rest: &[&str],
    ) -> Answer {
        match (c.m(), rest) {
            ("PATCH", ["conversations", conversation]) => {
                let conversation = find_conversation(st, account, conversation)?;
                let body = c.body()?;
                // permitted_update_params: priority, and sla_policy_id in the enterprise
                // edition (update! with nothing changes nothing).
                let mut changes = Vec::new();
                if body.contains_key("priority") {
                    changes.push(("priority", json!(priority(&body)?)));
                }
                if let Some(policy) = Input::new(&body, false).id("sla_policy_id")? {
                    changes.push(("sla_policy_id", json!(policy)));
                }
                if !changes.is_empty() {
                    st.save_conversation(conversation, &changes);
                }
                ok(&st.conversation_view(&st.conversations[&conversation], false))
            }
            ("POST", ["conversations", conversation, "toggle_status"]) => {
                let conversation = find_conversation(st, account, conversation)?;
                toggle_status(st, conversation, &c.body()?)
            }
            ("POST", ["conversations", conversation, "toggle_priority"]) => {
                let conversation = find_conversation(st, account, conversation)?;
                // toggle_priority(params[:priority]): `priority.presence`, none clears it.
                let priority = priority(&c.body()?)?;
                st.save_conversation(conversation, &[("priority", json!(priority))]);
                Ok(empty(StatusCode::OK))
            }
            ("POST", ["conversations", conversation, "custom_attributes"]) => {
                let conversation = find_conversation(st, account, conversation)?;
                let body = c.body()?;
                let custom = Input::new(&body, false)
                    .object("custom_attributes")?
                    .unwrap_or_default();
                st.save_conversation(
                    conversation,
                    &[("custom_attributes", Value::Object(custom.clone()))],
                );
                ok(&json!({"custom_attributes": custom}))
            }
            ("POST", ["conversations", conversation, "assignments"]) => {
                let conversation = find_conversation(st, account, conversation)?;
                assign(st, account, conversation, &c.body()?)
            }
            ("POST", ["conversations", conversation, "toggle_typing_status"]) => {
                let conversation = find_conversation(st, account, conversation)?;
                let body = c.body()?;
                let event = match Input::new(&body, false).str("typing_status")?.as_deref() {
                    Some("on") => Some("conversation_typing_on"),
                    Some("off") => Some("conversation_typing_off"),
                    _ => None,
                };
                if let Some(event) = event {
                    // webhook_listener.rb#handle_typing_status; `is_private || false`.
                    let is_private = body
                        .get("is_private")
                        .filter(|v| !v.is_null() && *v != &json!(false))
                        .cloned()
                        .unwrap_or(json!(false));
                    let payload = json_map(json!({
                        "user": user_webhook_data(st, CURRENT_USER),
                        "conversation": st.conversation_webhook_data(conversation),
                        "is_private": is_private,
                    }));
                    st.raise(account, event, Some(conversation), payload);
                }
                Ok(empty(StatusCode::OK))
            }
            _ => Err(route_not_found()),
        }
    }
}

/// The `priority` of a body: absent, null, blank or `none` clear it.
fn priority(body: &Map<String, Value>) -> Result<Option<String>, Fail> {
    Ok(Input::new(body, false)
        .choice("priority", PRIORITIES)?
        .filter(|p| p != "none" && !p.is_empty()))
}

/// `toggle_status`: the given status (and `snoozed_until`, Unix seconds), or without one
/// open becomes resolved and anything else open.
fn toggle_status(st: &mut Store, conversation: u64, body: &Map<String, Value>) -> Answer {
    let input = Input::new(body, false);
    let current = get_str(&st.conversations[&conversation], "status").to_owned();
    let status = match input.str("status")?.filter(|s| !s.trim().is_empty()) {
        Some(_) => input.choice("status", STATUSES)?.unwrap_or_default(),
        None if current == "open" => "resolved".to_owned(),
        None => "open".to_owned(),
    };
    let mut patch = vec![("status", json!(status))];
    if input.has("status")
        && let Some(raw) = input.raw("snoozed_until")
    {
        // parse_date_time: DateTime.strptime(value, '%s').
        let seconds = match raw {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse::<i64>().ok(),
            _ => None,
        }
        .ok_or_else(|| {
            invalid(
                "snoozed_until",
                "Snoozed until must be Unix time in seconds",
            )
        })?;
        patch.push(("snoozed_until", json!(rails_time(seconds))));
    }
    st.save_conversation(conversation, &patch);
    let record = &st.conversations[&conversation];
    ok(&json!({
        "meta": {},
        "payload": {
            "success": true,
            "conversation_id": conversation,
            "current_status": record.get("status"),
            "snoozed_until": record.get("snoozed_until"),
        }
    }))
}

/// `assignments#create`: an agent (or with `assignee_type: AgentBot` an agent bot) when
/// `assignee_id` is sent, else a team when `team_id` is; `null` when nothing was assigned.
fn assign(st: &mut Store, account: u64, conversation: u64, body: &Map<String, Value>) -> Answer {
    let input = Input::new(body, false);
    let bot_assignment = input.str("assignee_type")?.as_deref() == Some("AgentBot");
    if body.contains_key("assignee_id") || bot_assignment {
        let assignee = input.id("assignee_id").ok().flatten();
        if bot_assignment {
            // AgentBot.accessible_to(account): the account's bots and the platform's.
            let bot = assignee
                .and_then(|b| st.agent_bot(b))
                .filter(|b| get_u64(b, "account_id").is_none_or(|a| a == account))
                .cloned();
            let Some(bot) = bot else {
                return ok(&Value::Null);
            };
            st.save_conversation(
                conversation,
                &[
                    ("assignee_id", Value::Null),
                    ("assignee_agent_bot_id", json!(get_u64(&bot, "id"))),
                ],
            );
            let mut slim = json!({
                "id": bot.get("id"),
                "name": bot.get("name"),
                "description": bot.get("description"),
                "thumbnail": bot.get("thumbnail").cloned().unwrap_or(json!("")),
            });
            if get_u64(&bot, "account_id").is_some() {
                slim["outgoing_url"] = bot.get("outgoing_url").cloned().unwrap_or(Value::Null);
            }
            slim["bot_type"] = bot.get("bot_type").cloned().unwrap_or(json!("webhook"));
            return ok(&slim);
        }
        // account.users.find_by(id:): an unknown agent unassigns.
        let agent = assignee.filter(|a| st.is_agent(account, *a));
        st.save_conversation(
            conversation,
            &[
                ("assignee_id", json!(agent)),
                ("assignee_agent_bot_id", Value::Null),
            ],
        );
        return ok(&agent
            .and_then(|a| st.agent_view(account, a))
            .unwrap_or(Value::Null));
    }
    if body.contains_key("team_id") {
        // teams.find_by(id:): an unknown team clears it. ensure_assignee_is_from_team: an
        // assignee who is not in the new team is unassigned, and the team may assign one
        // (store/team_assignment.rs).
        let team = input
            .id("team_id")
            .ok()
            .flatten()
            .and_then(|t| records::find(st, Kind::Team, Some(account), t).ok())
            .cloned();
        let team_id = team.as_ref().and_then(|t| get_u64(t, "id"));
        let mut patch = vec![("team_id", json!(team_id))];
        let record = &st.conversations[&conversation];
        let (assignee, current) = (get_u64(record, "assignee_id"), get_u64(record, "team_id"));
        // Only a save that changes team_id runs it (`return unless team_id_changed?`).
        let next = if team_id == current {
            assignee
        } else {
            st.assignee_for_team(conversation, team_id, assignee)
        };
        if next != assignee {
            patch.push(("assignee_id", json!(next)));
        }
        st.save_conversation(conversation, &patch);
        return ok(&team.unwrap_or(Value::Null));
    }
    ok(&Value::Null)
}
