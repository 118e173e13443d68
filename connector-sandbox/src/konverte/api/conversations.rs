//! Conversations: lists, meta, filter, create and get (`conversations_controller.rb`); what
//! changes one is in `conversation_actions`.

use super::filter::{filter_matches, filter_payload};
use super::*;
use crate::konverte::records::MESSAGE_TYPES;

impl App {
    /// `conversations`, `conversations/meta`, `conversations/filter`.
    pub(super) fn conversation_lists(
        &self,
        st: &mut Store,
        c: &Ctx<'_>,
        account: u64,
        rest: &[&str],
    ) -> Answer {
        let acc = Some(account);
        match (c.m(), rest) {
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
                let payload: Vec<Value> = page_sized(&selected, c.query.page(), CONVERSATIONS_PAGE)
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
                let payload: Vec<Value> = page_sized(&matching, c.query.page(), CONVERSATIONS_PAGE)
                    .into_iter()
                    .map(|cv| st.conversation_view(cv, false))
                    .collect();
                ok(&json!({
                    "data": {"meta": counts, "payload": payload},
                    "meta": counts,
                    "payload": payload,
                }))
            }
            _ => Err(route_not_found()),
        }
    }

    /// Create and get a conversation, its status, priority and assignee.
    pub(super) fn conversation_records(
        &self,
        st: &mut Store,
        c: &Ctx<'_>,
        account: u64,
        rest: &[&str],
    ) -> Answer {
        match (c.m(), rest) {
            ("POST", ["conversations"]) => self.create_conversation(st, c, account),
            ("GET", ["conversations", conversation]) => {
                let conversation = find_conversation(st, account, conversation)?;
                ok(&st.conversation_view(&st.conversations[&conversation], true))
            }
            _ => self.conversation_actions(st, c, account, rest),
        }
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
        // MessageBuilder with params[:message]: content is not required.
        let message_content = match &message {
            Some(m) => Some(
                Input::new(m, true)
                    .str("content")
                    .map_err(|_| invalid("message.content", "Message content must be a string"))?,
            ),
            None => None,
        };
        // MessageBuilder: `message_type` defaults to outgoing; the sender is the user for
        // outgoing, else the contact. An incoming message outside an API inbox raises inside
        // the create transaction, which nothing rescues: a 500, and no conversation.
        let message_type = match message.as_ref().and_then(|m| m.get("message_type")) {
            None | Some(Value::Null) => "outgoing".to_owned(),
            Some(Value::String(t)) if MESSAGE_TYPES.contains(&t.as_str()) => t.clone(),
            Some(_) => {
                return Err(invalid(
                    "message.message_type",
                    format!("message_type must be one of {}", MESSAGE_TYPES.join(", ")),
                ));
            }
        };
        if message_content.is_some()
            && message_type == "incoming"
            && !st.inbox_takes_incoming(inbox)
        {
            return Err(Fail::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({"status": 500, "error": "Internal Server Error"}),
            ));
        }
        let id = new_conversation(
            st, account, inbox, contact, &source_id, &status, additional, custom,
        );
        if let Some(record) = st.conversations.get_mut(&id) {
            merge(record, json_map(json!({"team_id": team})));
        }
        // before_save :ensure_assignee_is_from_team runs on create too.
        let assignee = st.assignee_for_team(id, team, assignee);
        if let Some(record) = st.conversations.get_mut(&id) {
            merge(record, json_map(json!({"assignee_id": assignee})));
        }
        if let Some(content) = message_content {
            let sender = if message_type == "outgoing" {
                st.user_sender(CURRENT_USER)
            } else {
                st.contact_sender(contact)
            };
            st.add_message(
                id,
                content,
                &message_type,
                "text",
                Map::new(),
                false,
                sender,
                None,
            );
        }
        // after_create_commit :notify_conversation_creation, once the message is in too.
        st.raise_conversation("conversation_created", id, None);
        self.counters.created();
        ok(&st.conversation_view(&st.conversations[&id], true))
    }
}

/// Conversations per page, listed or filtered: CONVERSATION_RESULTS_PER_PAGE, 25 unless set
/// (app/finders/conversation_finder.rb; Kaminari's default in
/// app/services/conversations/filter_service.rb).
const CONVERSATIONS_PAGE: usize = 25;

/// `?page=N` slice of `items`, 15 per page.
pub(super) fn page_of<T: Clone>(items: &[T], page: usize) -> Vec<T> {
    page_sized(items, page, PAGE_SIZE)
}

/// `?page=N` slice of `items`, `size` per page.
fn page_sized<T: Clone>(items: &[T], page: usize, size: usize) -> Vec<T> {
    items
        .iter()
        .skip((page - 1).saturating_mul(size))
        .take(size)
        .cloned()
        .collect()
}

pub(super) fn find_conversation(st: &Store, account: u64, segment: &str) -> Result<u64, Fail> {
    let conversation = id(segment, "Conversation")?;
    st.conversations
        .get(&conversation)
        .filter(|c| get_u64(c, "account_id") == Some(account))
        .map(|_| conversation)
        .ok_or_else(|| not_found("Conversation"))
}

#[allow(clippy::too_many_arguments)]
pub(super) fn new_conversation(
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
            "assignee_agent_bot_id": null,
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
            // before_create :ensure_waiting_since; the view renders both `.to_i`.
            "waiting_since": now,
            "first_reply_created_at": null,
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
