//! A conversation given to a team, as `app/models/concerns/assignment_handler.rb` handles it
//! (`ensure_assignee_is_from_team`, before every save that changes `team_id`, creation
//! included): an assignee outside the team is dropped, and without one a team that allows
//! auto-assignment gets the next of its members who is in the inbox and online, in the
//! inbox's round-robin order (app/services/auto_assignment/agent_assignment_service.rb,
//! inbox_round_robin_service.rb). Online is `OnlineStatusTracker.get_available_users`: with no
//! browser session in the sandbox, the agents whose `auto_offline` is off, with availability
//! `online` (lib/online_status_tracker.rb).

use serde_json::Value;

use super::{Kind, Store, get_u64};

impl Store {
    /// The assignee conversation `id` has once its team is `team`: `assignee` when that one
    /// is in the team, else the team's next online member (or none).
    pub(crate) fn assignee_for_team(
        &mut self,
        id: u64,
        team: Option<u64>,
        assignee: Option<u64>,
    ) -> Option<u64> {
        let Some(team) = team else {
            return assignee;
        };
        let assignee = assignee.filter(|a| self.team_members.contains(&(team, *a)));
        if assignee.is_some() {
            return assignee;
        }
        let auto_assign = self
            .record(Kind::Team, team)
            .and_then(|t| t.get("allow_auto_assign"))
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let conversation = self.conversations.get(&id)?;
        let (account, inbox) = (
            get_u64(conversation, "account_id")?,
            get_u64(conversation, "inbox_id")?,
        );
        if !auto_assign {
            return None;
        }
        let allowed: Vec<u64> = self
            .inbox_members
            .iter()
            .filter(|(i, _)| *i == inbox)
            .map(|(_, user)| *user)
            .filter(|user| self.team_members.contains(&(team, *user)))
            .filter(|user| {
                self.members
                    .get(&(account, *user))
                    .is_some_and(|m| !m.auto_offline && m.availability == "online")
            })
            .collect();
        self.next_in_round_robin(inbox, &allowed)
    }

    /// `available_agent`: the queue (reset to the inbox's members when they changed, first
    /// member last) yields its last allowed member, who moves to the front.
    fn next_in_round_robin(&mut self, inbox: u64, allowed: &[u64]) -> Option<u64> {
        let members: Vec<u64> = self
            .inbox_members
            .iter()
            .filter(|(i, _)| *i == inbox)
            .map(|(_, user)| *user)
            .collect();
        let queue = self.round_robin.entry(inbox).or_default();
        let mut sorted = queue.clone();
        sorted.sort_unstable();
        if sorted != members {
            *queue = members.into_iter().rev().collect();
        }
        let at = queue.iter().rposition(|user| allowed.contains(user))?;
        let user = queue.remove(at);
        queue.insert(0, user);
        Some(user)
    }
}
