//! A conversation's `delete`: conversations_controller.rb `#destroy` removes it with its
//! messages (Conversations::DeleteService) and answers an empty 200. (Its `update` is in
//! `conversation_actions.rs`, with the other changes that raise events.)

use super::conversations::find_conversation;
use super::*;

impl App {
    pub(super) fn delete_conversation(
        &self,
        st: &mut Store,
        account: u64,
        segment: &str,
    ) -> Answer {
        let conversation = find_conversation(st, account, segment)?;
        st.conversations.remove(&conversation);
        st.messages.retain(|(owner, _), _| *owner != conversation);
        deleted()
    }
}
