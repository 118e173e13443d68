//! A conversation's `update` (priority, SLA policy) and `delete`: conversations_controller.rb
//! `#update` (`params.permit(:priority)`, enterprise adds `:sla_policy_id`) answers the
//! conversation; `#destroy` removes it with its messages (Conversations::DeleteService) and
//! answers an empty 200.

use super::conversations::find_conversation;
use super::*;

impl App {
    pub(super) fn conversation_edit(
        &self,
        st: &mut Store,
        c: &Ctx<'_>,
        account: u64,
        segment: &str,
    ) -> Answer {
        let conversation = find_conversation(st, account, segment)?;
        if c.m() == "DELETE" {
            st.conversations.remove(&conversation);
            st.messages.retain(|(owner, _), _| *owner != conversation);
            return deleted();
        }
        let body = c.body()?;
        let input = Input::new(&body, false);
        let mut patch = Map::new();
        if let Some(priority) =
            input.choice("priority", &["urgent", "high", "medium", "low", "none"])?
        {
            let priority = if priority == "none" {
                Value::Null
            } else {
                json!(priority)
            };
            patch.insert("priority".into(), priority);
        }
        if let Some(policy) = input.id("sla_policy_id")? {
            patch.insert("sla_policy_id".into(), json!(policy));
        }
        let record = st
            .conversations
            .get_mut(&conversation)
            .ok_or_else(|| not_found("Conversation"))?;
        merge(record, patch);
        ok(&st.conversation_view(&st.conversations[&conversation], false))
    }
}
