//! Teams and team members.

use super::*;

impl App {
    /// `teams` and `teams/{id}/team_members`.
    pub(super) fn teams(&self, st: &mut Store, c: &Ctx<'_>, account: u64, rest: &[&str]) -> Answer {
        let acc = Some(account);
        match (c.m(), rest) {
            ("GET", ["teams"]) => {
                let teams: Vec<Value> = st
                    .in_account(Kind::Team, account)
                    .into_iter()
                    .map(|t| st.team_view(t))
                    .collect();
                ok(&json!(teams))
            }
            ("POST", ["teams"]) => {
                let body = c.body()?;
                let team = records::create(st, Kind::Team, acc, &body, Map::new())?;
                self.counters.created();
                ok(&st.team_view(&team))
            }
            ("GET", ["teams", team]) => {
                let team = records::find(st, Kind::Team, acc, id(team, "Team")?)?;
                ok(&st.team_view(team))
            }
            ("PATCH" | "PUT", ["teams", team]) => {
                let body = c.body()?;
                let team = records::update(st, Kind::Team, acc, id(team, "Team")?, &body)?;
                ok(&st.team_view(&team))
            }
            ("DELETE", ["teams", team]) => {
                let team = id(team, "Team")?;
                records::delete(st, Kind::Team, acc, team)?;
                st.team_members.retain(|(t, _)| *t != team);
                for conversation in st.conversations.values_mut() {
                    if get_u64(conversation, "team_id") == Some(team) {
                        merge(conversation, json_map(json!({"team_id": null})));
                    }
                }
                deleted()
            }
            (_, ["teams", team, "team_members"]) => {
                let team = id(team, "Team")?;
                records::find(st, Kind::Team, acc, team)?;
                self.members_of(st, c, account, team, MemberSet::Team)
            }
            _ => Err(route_not_found()),
        }
    }
}
